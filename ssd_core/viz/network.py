"""Lesson 2: the network, layer by layer.

* :func:`layer_table` lists every layer of a real model with its output shape, parameters and
  receptive field; :func:`plot_receptive_field` draws how the receptive field grows.
* :func:`atrous_explorer`: a dilated (atrous) 3x3 kernel and what it sees.
* :func:`source_norms`: the size of the feature vectors on each source map, before and after
  conv4_3's L2Norm.
* :func:`plot_ssd_architecture`: the whole network in one picture, the idea of the paper's
  Fig. 2, drawn from the model :func:`ssd_core.build_ssd` makes (nothing in it is typed by hand).
"""

from __future__ import annotations

import inspect
import math
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Sequence

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch, Polygon, Rectangle
from torch import nn

from ..config import SSDConfig
from ..device import eval_mode
from ..fonts import fig, new_figure, pfig
from ..i18n import N_, _
from ..models import build_ssd
from ..models.describe import LayerGeometry, describe, walk_geometry
from ..postprocess import postprocess
from .explorer import Explorer, Impossible
from .pictures import load_sample

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
    "plot_ssd_architecture",
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
        return f"conv {k}×{k}" + (f"/{s}" if s > 1 else "") + (f" dil {d}" if d > 1 else "")
    if isinstance(m, nn.MaxPool2d):
        k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
        s = m.stride if isinstance(m.stride, int) else m.stride[0]
        return f"maxpool {k}×{k}/{s}"
    return type(m).__name__


@dataclass(frozen=True)
class _Layer:
    """One convolution or pooling of an SSD's stages, as :func:`_walk` meets it."""

    name: str
    module: nn.Module
    geometry: LayerGeometry          # the map after it
    params: int                      # its weights, and those of the BatchNorm after it
    source: int | None               # the source's index when the layer ends stage k


def _walk(model: nn.Module, size: int) -> list[_Layer]:
    """The convolutions and poolings of an SSD's stages, in the order the image meets them;
    the last one of stage k is source k."""
    g = LayerGeometry(size=size, jump=1, receptive_field=1, channels=3)
    out: list[_Layer] = []
    for k, stage in enumerate(model.stages()):
        first = len(out)
        for name, m in stage.named_modules():
            if list(m.children()):
                continue
            params = sum(p.numel() for p in m.parameters())
            if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
                g = walk_geometry([m], g)
                out.append(_Layer(name.removesuffix(".conv"), m, g, params, None))
            elif out and params:
                # BatchNorm's scale and shift belong to the convolution before it
                out[-1] = replace(out[-1], params=out[-1].params + params)
        if len(out) > first:
            out[-1] = replace(out[-1], source=k)
    return out


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
    rows: list[LayerRow] = []
    source_names = list(model.source_names)
    maps: list[LayerGeometry] = []
    for layer in _walk(model, size):
        g = layer.geometry
        # the last layer of a stage is a source map; it goes by the source's name
        name = layer.name if layer.source is None else source_names[layer.source]
        rows.append(LayerRow(name, _kind(layer.module), g.channels, g.size, layer.params, g.jump,
                             g.receptive_field, source=layer.source is not None))
        if layer.source is not None:
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
             f"{r.channels}×{r.size}×{r.size}", f"{r.params:,}", str(r.stride),
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
            ax.annotate(f"{r.name}\n{r.size}×{r.size}", (i, r.receptive_field), fontsize=7,
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
    ax.set_xticks(x, [f"{n['name']}\n{n['size']}×{n['size']}" for n in norms], fontsize=8)
    ax.set_yscale("log")
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3, axis="y")
    figure.tight_layout()
    return figure


# ============================================================================ the whole network


@dataclass(frozen=True)
class _Map:
    """A feature map the architecture figure draws as a block: a source map, or an atrous
    layer's output (fc6, drawn as the paper's Fig. 2 draws it, though nothing predicts there)."""

    name: str
    size: int
    channels: int
    layers: tuple[_Layer, ...]       # the layers since the map before, this map's own last
    source: int | None               # its index among the sources, or None
    boxes_per_location: int = 0


def _is_atrous(m: nn.Module) -> bool:
    return isinstance(m, nn.Conv2d) and m.dilation[0] > 1


def _maps(model: nn.Module) -> tuple[list[_Layer], list[_Map]]:
    """The layers before the first map drawn (the base network's block), and the maps."""
    names = list(model.source_names)
    table = describe(model)
    pending: list[_Layer] = []
    maps: list[_Map] = []
    base: list[_Layer] | None = None
    for layer in _walk(model, model.config.image_size):
        pending.append(layer)
        if layer.source is None and not _is_atrous(layer.module):
            continue
        if base is None:                  # the first map ends the base block
            base, pending = pending[:-1], pending[-1:]
        k = layer.source
        maps.append(_Map(names[k] if k is not None else layer.name, layer.geometry.size,
                         layer.geometry.channels, tuple(pending), k,
                         table[k].boxes_per_location if k is not None else 0))
        pending = []
    return base or [], maps


def _sep() -> str:
    # TRANSLATORS: between two settings of one layer in the architecture figure ("3×3×512, stride 2")
    return pfig("architecture figure: between a layer's settings", ", ")


def _conv_lines(m: nn.Module) -> list[str]:
    """What a layer does, in one or two short lines: ``3×3×512`` and its settings (stride,
    dilation, no padding), or ``max pooling 2×2/2``."""
    if isinstance(m, nn.MaxPool2d):
        k = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
        s = m.stride if isinstance(m.stride, int) else m.stride[0]
        return [fig("max pooling {k}×{k}/{s}", k=k, s=s)]
    k, s, d, p = m.kernel_size[0], m.stride[0], m.dilation[0], m.padding[0]
    settings = []
    if d > 1:
        settings.append(fig("atrous, dilation {d}", d=d))
    if s > 1:
        settings.append(fig("stride {s}", s=s))
    if k > 1 and p == 0:
        settings.append(fig("no padding"))
    dims = f"{k}×{k}×{m.out_channels}"
    if not settings:
        return [dims]
    one = _sep().join([dims, *settings])
    return [one] if _width(one) <= 18 else [dims, _sep().join(settings)]


def _run_names(layers: Sequence[_Layer]) -> list[str]:
    """Layer names, a run of convolutions as ``conv5_1 … conv5_3``."""
    out: list[str] = []
    run: list[str] = []
    for layer in layers:
        if isinstance(layer.module, nn.Conv2d):
            run.append(layer.name)
            continue
        if run:
            out.append(run[0] if len(run) == 1 else f"{run[0]} … {run[-1]}")
            run = []
        out.append(layer.name)
    if run:
        out.append(run[0] if len(run) == 1 else f"{run[0]} … {run[-1]}")
    return out


def _cuboid(ax, x: float, y: float, width: float, height: float, d: float,
            source: bool) -> tuple[float, float]:
    """A feature map as a block: ``width`` for its channels, ``height`` and the slanted depth
    ``d`` for its two spatial sides. Returns its top's centre (where the head's arrow starts)."""
    face, top, side, edge = (("#9ecae1", "#c6dbef", "#6baed6", "#08519c") if source
                             else ("#d9d9d9", "#f0f0f0", "#bdbdbd", "#525252"))
    ax.add_patch(Polygon([(x, y), (x + width, y), (x + width, y + height), (x, y + height)],
                         closed=True, fc=face, ec=edge, lw=1))
    ax.add_patch(Polygon([(x, y + height), (x + width, y + height), (x + width + d, y + height + d),
                          (x + d, y + height + d)], closed=True, fc=top, ec=edge, lw=1))
    ax.add_patch(Polygon([(x + width, y), (x + width + d, y + d), (x + width + d, y + height + d),
                          (x + width, y + height)], closed=True, fc=side, ec=edge, lw=1))
    return x + (width + d) / 2, y + height + d


def _arrow(ax, start, end, color="#444444", lw=1.2):
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=color,
                                 lw=lw, shrinkA=0, shrinkB=0))


def _box(ax, x0, y0, x1, y1, fc, ec, **kwargs):
    ax.add_patch(FancyBboxPatch((x0, y0), x1 - x0, y1 - y0, boxstyle="round,pad=0.3,rounding_size=0.6",
                                fc=fc, ec=ec, lw=1, **kwargs))


def plot_ssd_architecture(config: SSDConfig | None = None, num_classes: int = 21,
                          model: nn.Module | None = None) -> Figure:
    """SSD's network in one picture, the idea of the paper's Fig. 2, drawn from a real model.

    Left to right: the input image, the base network up to the first source map (VGG16 up
    to conv4_3 for SSD300, whose L2Norm sits between the map and its head), the atrous fc6 and
    fc7, the extra layers down to 1×1. Under each map: its name, size and channels, and the
    layers that made it. Above each source map: its default boxes per location ``k``, its
    ``size × size × k`` boxes, and its 3×3 prediction head (``k × (C + 4)`` channels: ``C`` class
    scores with the background and 4 offsets per box); all of them feed the detections, which
    NMS thins out. Source maps are blue, fc6 (no predictions) grey.

    Everything is read from the model (:func:`ssd_core.build_ssd` for ``config``, SSD300 by
    default, with random weights: only the shapes matter here; or ``model`` itself), from
    :func:`ssd_core.models.describe` and from :func:`ssd_core.postprocess`'s defaults; nothing
    is typed by hand. 1200 × 620 pixels at 100 dpi for SSD300.
    """
    if model is None:
        torch.manual_seed(0)
        model = build_ssd(config if config is not None else SSDConfig.ssd300(), num_classes)
    config = model.config
    base, maps = _maps(model)
    table = describe(model)
    classes = model.num_classes
    defaults = inspect.signature(postprocess).parameters
    nms_iou, top_k = defaults["nms_threshold"].default, defaults["top_k"].default
    l2 = getattr(getattr(model, "base", None), "l2norm", None)

    # ---- where things go, in units of 10 px at 100 dpi
    y0 = 12.0                                          # bottom of the blocks
    height = lambda size: 3.0 + 12.0 * math.sqrt(size / maps[0].size)
    width = lambda channels: 0.8 + 2.4 * channels / 1024
    depth = lambda size: 0.28 * height(size)
    slot, half = 12.4, 5.5              # between two sources' centres; their boxes' half width
    xs: list[float] = []
    between: dict[int, tuple[float, float]] = {}      # boxes of the layers between two maps
    x, last_centre = 26.0, -math.inf
    for i, m in enumerate(maps):
        hop = m.layers[:-1]
        if i > 0 and (len(hop) > 1 or any(isinstance(l.module, nn.MaxPool2d) for l in hop)):
            between[i] = (x - 1.0, x + 9.0)
            x += 10.5
        extent = width(m.channels) + depth(m.size)
        if m.source is not None:
            x = max(x, last_centre + slot - extent / 2)
            last_centre = x + extent / 2
        xs.append(x)
        x += extent + 3.0
    W, H = max(120.0, last_centre + half + 6.0), 62.0
    rows = (37.2, 40.0, 42.8)                          # prediction head, boxes of the map, k
    bar = (47.0, 52.0)
    nms_y = 55.6

    # the text first: it readies the CJK font before the figure exists
    title = fig("{name}: the network as the paper's Fig. 2 draws it, read from the model that "
                "ssd_core builds",
                name=config.name.upper() if config.name.startswith("ssd") else config.name)
    figure = new_figure(figsize=(W / 10, H / 10), dpi=100)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.text(W / 2, H - 2.0, title, ha="center", va="center", fontsize=12, weight="bold")

    # ---- the input image and the base network
    side, ix = 9.0, 1.5
    try:
        ax.imshow(load_sample("chelsea").square_numpy(96), extent=(ix, ix + side, y0, y0 + side))
    except (KeyError, OSError, ValueError):            # no sample photos: a grey square
        ax.add_patch(Rectangle((ix, y0), side, side, fc="#eeeeee"))
    ax.add_patch(Rectangle((ix, y0), side, side, fill=False, ec="#444444", lw=1))
    ax.text(ix + side / 2, y0 - 1.7, fig("input image"), ha="center", fontsize=9, weight="bold")
    ax.text(ix + side / 2, y0 - 3.5, f"{config.image_size}×{config.image_size}×3", ha="center",
            fontsize=8.5)
    bx0, bx1 = 13.0, 23.5
    ax.add_patch(Polygon([(bx0, y0 - 1.0), (bx1, y0 + 2.0), (bx1, y0 + 17.0), (bx0, y0 + 21.0)],
                         closed=True, fc="#fdd0a2", ec="#a63603", lw=1))
    backbone = "VGG16" if getattr(config, "backbone", "vgg16") == "vgg16" else config.backbone
    first = (base + [maps[0].layers[-1]])[0].name
    mid = (bx0 + bx1) / 2
    ax.text(mid, y0 + 16.4, fig("backbone network"), ha="center", va="center", fontsize=8)
    ax.text(mid, y0 + 13.6, backbone, ha="center", va="center", fontsize=10, weight="bold")
    ax.text(mid, y0 + 7.6, f"{first}\n⋮\n{maps[0].layers[-1].name}", ha="center",
            va="center", fontsize=8, linespacing=1.15)
    _arrow(ax, (ix + side + 0.2, y0 + 2.5), (bx0 - 0.1, y0 + 2.5))

    # ---- the feature maps, left to right
    tops: dict[int, tuple[float, float]] = {}
    right = bx1
    for i, (m, xm) in enumerate(zip(maps, xs)):
        h, w = height(m.size), width(m.channels)
        if i in between:
            x0, x1 = between[i]
            names = _run_names(m.layers[:-1])
            _arrow(ax, (right + 0.2, y0 + 2.5), (x0 - 0.4, y0 + 2.5))
            _box(ax, x0, y0, x1, y0 + 1.5 + 1.5 * len(names), fc="#f7f7f7", ec="#969696")
            ax.text((x0 + x1) / 2, y0 + 0.75 + 0.75 * len(names), "\n".join(names),
                    ha="center", va="center", fontsize=7.5, linespacing=1.4)
            right = x1 + 0.3
        _arrow(ax, (right + 0.2, y0 + 2.5), (xm - 0.1, y0 + 2.5))
        tops[i] = _cuboid(ax, xm, y0, w, h, depth(m.size), m.source is not None)
        right = xm + w + depth(m.size)
        centre = xm + (w + depth(m.size)) / 2
        ax.text(centre, y0 - 1.7, m.name, ha="center", fontsize=9.5, weight="bold")
        ax.text(centre, y0 - 3.5, f"{m.size}×{m.size}×{m.channels}", ha="center", fontsize=9)
        own = m.layers[-1:] if (i in between or i == 0) else m.layers
        lines = [line for layer in own for line in _conv_lines(layer.module)]
        for j, line in enumerate(lines):
            ax.text(centre, y0 - 5.3 - 1.4 * j, line, ha="center", fontsize=7.5, color="#505050")

    # ---- the prediction heads and what they predict
    sources = [(i, m) for i, m in enumerate(maps) if m.source is not None]
    for i, m in sources:
        cx, top = tops[i]
        kernel = model.head.loc[m.source].kernel_size[0]
        k = m.boxes_per_location
        start = top + 0.15
        if i == 0 and l2 is not None:
            ax.text(cx, top + 1.7, fig("L2Norm (learned scale, starts at {scale:g})",
                                       scale=l2.initial_scale),
                    ha="center", va="center", fontsize=7.5, color="#a63603", zorder=3,
                    bbox=dict(boxstyle="round,pad=0.3", fc="#fff5eb", ec="#a63603", lw=0.8))
        _box(ax, cx - half, rows[0] - 1.0, cx + half, rows[2] + 1.0, fc="#eff3ff", ec="#6baed6")
        _arrow(ax, (cx, start), (cx, rows[0] - 1.35), color="#2171b5")
        ax.text(cx, rows[0], f"{kernel}×{kernel}×({k}×({classes}+4))", ha="center", va="center",
                fontsize=8)
        ax.text(cx, rows[1], f"{m.size}×{m.size}×{k} = {table[m.source].boxes:,}", ha="center",
                va="center", fontsize=8.5, weight="bold")
        ax.text(cx, rows[2], f"k = {k}", ha="center", va="center", fontsize=9)
        _arrow(ax, (cx, rows[2] + 1.35), (cx, bar[0]), color="#2171b5")
    # the rows' names, left of the first column
    label_x = tops[sources[0][0]][0] - half - 0.9
    for y, text in zip(rows, (fig("prediction head: 3×3 conv,\nk×(C+4) channels, C = {c}",
                                  c=classes),
                              fig("default boxes of the map"),
                              fig("default boxes per location"))):
        ax.text(label_x, y, text, ha="right", va="center", fontsize=8.5, linespacing=1.2)

    # ---- the detections, then NMS
    left = tops[sources[0][0]][0] - half
    end = tops[sources[-1][0]][0] + half
    centre = (left + end) / 2
    _box(ax, left, bar[0], end, bar[1], fc="#fee0d2", ec="#cb181d")
    total = table.total_boxes
    ax.text(centre, bar[1] - 1.5, fig("detections: {total:,} per class", total=total),
            ha="center", va="center", fontsize=10.5, weight="bold")
    ax.text(centre, bar[0] + 1.4, " + ".join(f"{r.boxes:,}" for r in table) + f" = {total:,}",
            ha="center", va="center", fontsize=9)
    nms_text = ax.text(centre, nms_y, fig("non-maximum suppression (NMS): IoU threshold {iou:g}, "
                                          "at most {top_k} per image", iou=nms_iou, top_k=top_k),
                       ha="center", va="center", fontsize=9.5,
                       bbox=dict(boxstyle="round,pad=0.45", fc="#fcbba1", ec="#cb181d", lw=1))
    _arrow(ax, (centre, bar[1] + 0.3), (centre, nms_y - 1.6), color="#cb181d")
    ax.set_xlim(0, W)
    ax.set_ylim(0, H)
    renderer = FigureCanvasAgg(figure).get_renderer()
    box = nms_text.get_window_extent(renderer).transformed(ax.transData.inverted())
    _arrow(ax, (box.x1 + 1.0, nms_y), (box.x1 + 4.5, nms_y), color="#cb181d")
    ax.text(box.x1 + 5.0, nms_y, fig("final detections"), ha="left", va="center", fontsize=10,
            weight="bold")

    # ---- which blocks predict
    handles = [Patch(fc="#9ecae1", ec="#08519c", label=fig("source map: predictions are made on it")),
               Patch(fc="#d9d9d9", ec="#525252", label=fig("feature map without predictions"))]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.005, 0.94), fontsize=8.5,
              frameon=False)
    return figure
