"""Lesson 2: the network, layer by layer.

* :func:`layer_table` lists every layer of a real model with its output shape, parameters and
  receptive field; :func:`plot_receptive_field` draws how the receptive field grows.
* :func:`atrous_explorer`: a dilated (atrous) 3x3 kernel and what it sees.
* :func:`source_norms`: the size of the feature vectors on each source map, before and after
  conv4_3's L2Norm.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Sequence

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torch import nn

from ..device import eval_mode
from ..fonts import fig, new_figure
from ..i18n import N_, _
from ..models.describe import LayerGeometry, walk_geometry
from .explorer import Explorer, Impossible

__all__ = [
    "LayerRow",
    "layer_table",
    "format_layer_table",
    "plot_receptive_field",
    "receptive_field_of_stack",
    "AtrousExplorer",
    "atrous_explorer",
    "source_norms",
    "plot_source_norms",
]


# ============================================================================ the layer table

#: The ``kind`` of conv4_3's L2Norm row (data, in English; shown in the current language).
_L2NORM_KIND = N_("L2Norm (scale from 20)")


@dataclass(frozen=True)
class LayerRow:
    """One layer of :func:`layer_table`: output ``[channels, size, size]`` for one image."""

    name: str
    kind: str
    channels: int
    size: int
    params: int
    stride: int
    receptive_field: int
    source: bool = False


def _kind(m: nn.Module) -> str:
    if isinstance(m, nn.Conv2d):
        k, d, s = m.kernel_size[0], m.dilation[0], m.stride[0]
        return f"conv {k}x{k}" + (f"/{s}" if s > 1 else "") + (f" dil {d}" if d > 1 else "")
    if isinstance(m, nn.MaxPool2d):
        k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
        s = m.stride if isinstance(m.stride, int) else m.stride[0]
        return f"maxpool {k}x{k}/{s}"
    return type(m).__name__


def layer_table(model: nn.Module, image_size: int | None = None) -> list[LayerRow]:
    """Every convolution and pooling layer of an SSD, in the order the image meets them.

    For each: output channels and map side, parameters (weights and biases, plus the BatchNorm
    that follows a convolution in the small model), the network's stride and the receptive field
    in input pixels; conv4_3's L2Norm gets its own row. The
    geometry comes from :func:`ssd_core.models.walk_geometry` (no forward pass). The multibox
    heads come last, one localisation and one confidence convolution per source.
    """
    config = model.config
    size = image_size or config.image_size
    g = LayerGeometry(size=size, jump=1, receptive_field=1, channels=3)
    rows: list[LayerRow] = []
    source_names = list(model.source_names)
    maps: list[LayerGeometry] = []
    for k, stage in enumerate(model.stages()):
        for name, m in stage.named_modules():
            if list(m.children()):
                continue
            if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
                g = walk_geometry([m], g)
                rows.append(LayerRow(name.removesuffix(".conv"), _kind(m), g.channels, g.size,
                                     sum(p.numel() for p in m.parameters()), g.jump,
                                     g.receptive_field))
            elif rows:
                # BatchNorm's scale and shift belong to the convolution before it
                rows[-1] = replace(rows[-1], params=rows[-1].params + sum(p.numel() for p in m.parameters()))
        # the last layer of a stage is a source map; it goes by the source's name
        rows[-1] = replace(rows[-1], name=source_names[k], source=True)
        maps.append(g)
    # L2Norm of the VGG base: a learned per-channel scale on conv4_3's predictions
    l2 = getattr(getattr(model, "base", None), "l2norm", None)
    if l2 is not None:
        i = next(i for i, r in enumerate(rows) if r.name == source_names[0])
        rows.insert(i + 1, replace(rows[i], name="l2norm", kind=_L2NORM_KIND,
                                   params=sum(p.numel() for p in l2.parameters()), source=False))
    for k, (name, g) in enumerate(zip(source_names, maps)):
        for head, what in ((model.head.loc[k], "loc"), (model.head.conf[k], "conf")):
            rf = g.receptive_field + (head.kernel_size[0] - 1) * g.jump
            rows.append(LayerRow(f"{what} head on {name}", _kind(head), head.out_channels, g.size,
                                 sum(p.numel() for p in head.parameters()), g.jump, rf))
    return rows


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shown_name(name: str) -> str:
    """A row's name as the table prints it: the heads' rows in the current language."""
    what, on, source = name.partition(" head on ")
    return _("{what} head on {source}").format(what=what, source=source) if on else name


def _shown_kind(kind: str) -> str:
    return _(kind) if kind == _L2NORM_KIND else kind


def format_layer_table(rows: Sequence[LayerRow]) -> str:
    """The rows as aligned text, sources marked with ``*``, and the parameter total."""
    head = (_("layer"), _("kind"), _("output"), _("params"), _("stride"), _("receptive field"))
    body = [(("* " if r.source else "  ") + _shown_name(r.name), _shown_kind(r.kind),
             f"{r.channels} x {r.size} x {r.size}", f"{r.params:,}", str(r.stride),
             f"{r.receptive_field} px") for r in rows]
    total = sum(r.params for r in rows)
    widths = [max(_width(x[i]) for x in [head, *body]) for i in range(len(head))]
    pad = lambda c, w: " " * (w - _width(c))
    line = lambda cells: "  ".join(c + pad(c, w) if i < 3 else pad(c, w) + c
                                   for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(head), "-" * _width(line(head)), *map(line, body),
                      _("total parameters: {total:,}   (* = source map for predictions)")
                      .format(total=total)])


def plot_receptive_field(rows: Sequence[LayerRow], image_size: int = 300) -> Figure:
    """Receptive field (and stride) of every layer, with the image size for comparison."""
    rows = [r for r in rows if "head" not in r.name]
    # the text first: it readies the CJK font before the axes (and their labels) exist
    ylabel = fig("pixels of the input")
    figure = new_figure(figsize=(9, 3.6))
    ax = figure.add_subplot()
    x = np.arange(len(rows))
    ax.plot(x, [r.receptive_field for r in rows], "o-", ms=3, label=fig("receptive field (px)"))
    ax.plot(x, [r.stride for r in rows], "s--", ms=3, label=fig("stride (px between cells)"))
    ax.axhline(image_size, color="gray", ls=":", lw=1)
    ax.text(0, image_size * 1.08, fig("input {size} px", size=image_size), color="gray", fontsize=8)
    for i, r in enumerate(rows):
        if r.source:
            ax.annotate(f"{r.name}\n{r.size}x{r.size}", (i, r.receptive_field), fontsize=7,
                        xytext=(0, 8), textcoords="offset points", ha="center", color="tab:red")
            ax.plot(i, r.receptive_field, "o", color="tab:red", ms=6)
    ax.set_yscale("log")
    ax.set_xticks(x, [r.name for r in rows], rotation=90, fontsize=6)
    ax.set_ylabel(ylabel)
    ax.legend(loc="lower right", fontsize=8)      # clear of the "input ... px" line's label
    ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure


# ============================================================================ atrous convolution


def receptive_field_of_stack(dilation: int, layers: int, kernel: int = 3) -> int:
    """Side of the window that ``layers`` stacked ``kernel x kernel`` convolutions with
    ``dilation`` (stride 1) see: ``1 + layers * dilation * (kernel - 1)``."""
    return 1 + layers * dilation * (kernel - 1)


class AtrousExplorer(Explorer):
    """A 3x3 kernel with holes: the taps of one output cell and the window it sees."""

    figsize = (8.4, 4.2)

    @property
    def title(self) -> str:
        return _("Atrous (dilated) convolution")

    def __init__(self, dilation: int = 6, layers: int = 1, grid: int = 27):
        self.grid = grid
        super().__init__({
            "dilation": widgets.IntSlider(value=dilation, min=1, max=8, description=_("dilation"),
                                          continuous_update=False),
            "layers": widgets.IntSlider(value=layers, min=1, max=3, description=_("layers"),
                                        continuous_update=False),
        }, note=_("fc6 of SSD is a 3x3 convolution with dilation 6 on the 19x19 map"))

    def compute(self, dilation, layers):
        rf = receptive_field_of_stack(dilation, layers)
        if rf > self.grid:
            raise Impossible(fig("{layers} layer(s) with dilation {dilation} see {rf}x{rf} cells, "
                                 "more than the {grid}x{grid} grid drawn here: lower one.",
                                 layers=layers, dilation=dilation, rf=rf, grid=self.grid))
        return {"dilation": dilation, "layers": layers, "kernel": "3x3",
                "weights_per_channel_pair": 9 * layers, "receptive_field": rf,
                "dense_kernel_same_view": f"{rf}x{rf}", "dense_weights": rf * rf}

    def draw(self, figure, s):
        n, d, L, rf = self.grid, s["dilation"], s["layers"], s["receptive_field"]
        c = n // 2
        # the text first: it readies the CJK font before the axes (and their titles) exist
        left = fig("one layer: 9 taps, {d} apart\nspan {span}x{span}", d=d, span=2 * d + 1)
        right = fig("{layers} layer(s): receptive field {rf}x{rf}\n"
                    "({weights} weights; a dense kernel would need {dense})",
                    layers=L, rf=rf, weights=9 * L, dense=rf * rf)
        ax1, ax2 = figure.subplots(1, 2)
        for ax in (ax1, ax2):
            ax.set_xlim(-0.5, n - 0.5)
            ax.set_ylim(n - 0.5, -0.5)
            ax.set_aspect("equal")
            ax.set_xticks([])
            ax.set_yticks([])
            lines = [[(i - 0.5, -0.5), (i - 0.5, n - 0.5)] for i in range(n + 1)]
            lines += [[(-0.5, i - 0.5), (n - 0.5, i - 0.5)] for i in range(n + 1)]
            ax.add_collection(LineCollection(lines, colors="#ddd", linewidths=0.5))
        # left: the 9 taps of the last layer, d cells apart
        taps = [(c + dy * d, c + dx * d) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        for y, x in taps:
            ax1.add_patch(Rectangle((x - 0.5, y - 0.5), 1, 1, color="tab:blue"))
        half = d
        ax1.add_patch(Rectangle((c - half - 0.5, c - half - 0.5), 2 * half + 1, 2 * half + 1,
                                fill=False, ec="tab:blue", lw=1.5, ls="--"))
        ax1.set_title(left, fontsize=10)
        # right: every input cell the output cell depends on after L layers
        r = (rf - 1) // 2
        offsets = {0}
        for _layer in range(L):
            offsets = {o + k * d for o in offsets for k in (-1, 0, 1)}
        for oy in offsets:
            for ox in offsets:
                ax2.add_patch(Rectangle((c + ox - 0.5, c + oy - 0.5), 1, 1, color="tab:orange"))
        ax2.add_patch(Rectangle((c - r - 0.5, c - r - 0.5), rf, rf, fill=False, ec="tab:red", lw=2))
        ax2.set_title(right, fontsize=10)


def atrous_explorer(**kwargs) -> AtrousExplorer:
    """Move the dilation and the number of stacked layers; see the taps and the window (lesson 2)."""
    return AtrousExplorer(**kwargs)


# ============================================================================ L2Norm


@torch.no_grad()
def source_norms(model: nn.Module, images: torch.Tensor) -> list[dict[str, Any]]:
    """Mean L2 norm of the channel vector at each location, per source map.

    ``raw`` is the map as its layer computes it, ``seen`` the map the multibox head is given
    (they differ only on conv4_3 of a VGG SSD, where L2Norm sits between them).
    Returns one dict per source: ``name``, ``raw``, ``seen``, ``channels``, ``size``.
    """
    raw: list[torch.Tensor] = []
    hooks = [stage.register_forward_hook(lambda _m, _i, out: raw.append(out))
             for stage in model.stages()]
    try:
        with eval_mode(model):
            seen = model.sources(images)
    finally:
        for h in hooks:
            h.remove()
    out = []
    for name, r, s in zip(model.source_names, raw, seen):
        out.append({"name": name, "raw": float(r.norm(dim=1).mean()),
                    "seen": float(s.norm(dim=1).mean()), "channels": int(s.shape[1]),
                    "size": int(s.shape[-1])})
    return out


def plot_source_norms(norms: Sequence[dict]) -> Figure:
    """Bars of :func:`source_norms`: each map's feature size, before and after L2Norm."""
    ylabel = fig("mean L2 norm per location")            # before the axes: readies the CJK font
    figure = new_figure(figsize=(7, 3.2))
    ax = figure.add_subplot()
    x = np.arange(len(norms))
    ax.bar(x - 0.2, [n["raw"] for n in norms], 0.4, label=fig("as computed"))
    ax.bar(x + 0.2, [n["seen"] for n in norms], 0.4, label=fig("as the heads see it"))
    ax.set_xticks(x, [f"{n['name']}\n{n['size']}x{n['size']}" for n in norms], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    figure.tight_layout()
    return figure
