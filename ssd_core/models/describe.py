"""What each source map of an SSD sees: the table lesson 2 prints.

For every source map the table gives its channels, its size, the network's stride (pixels of
input between neighbouring cells), its theoretical receptive field, and its default boxes.
The numbers come from walking the chain of layers that leads to the map, with the usual
recurrences for a layer of kernel k, stride s, padding p and dilation d:

    size_out = floor((size_in + 2p - d (k - 1) - 1) / s) + 1     (ceil for ceil_mode pools)
    rf_out   = rf_in + d (k - 1) * jump_in
    jump_out = jump_in * s

A dilated 3x3 convolution (fc6, d = 6) adds ``12 * jump`` to the receptive field, as much as
a 13x13 kernel, while it has the weights of a 3x3 one.

The *stride* of a map is the network's; the *step* is the config's spacing of default-box
centres. They agree on SSD300's first four maps; on conv10_2 and conv11_2 (3x3 and 1x1
maps, network stride 64) the original spaces the boxes 100 and 300 px apart, so that the
grid covers the whole image.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from typing import Iterable, Iterator

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from ..config import SSDConfig
from ..i18n import _, pgettext
from .vgg import L2Norm

__all__ = ["LayerGeometry", "SourceInfo", "SourceTable", "walk_geometry", "describe", "count_macs"]

# Layers that change neither the map size nor the receptive field.
_POINTWISE = (
    nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.Hardswish, nn.SiLU, nn.Sigmoid, nn.Identity,
    nn.BatchNorm2d, nn.GroupNorm, nn.Dropout, nn.Dropout2d, L2Norm,
)


@dataclass(frozen=True)
class LayerGeometry:
    """Where a chain of layers stands: map side, stride (jump) and receptive field, in px."""

    size: int
    jump: int
    receptive_field: int
    channels: int


def _pair_first(v) -> int:
    """The first entry of an int-or-tuple layer argument, checking the two agree."""
    if isinstance(v, (tuple, list)):
        if len(set(v)) != 1:
            raise ValueError(f"walk_geometry: only square kernels/strides are supported, got {v}")
        return int(v[0])
    return int(v)


def _leaves(module: nn.Module) -> Iterator[nn.Module]:
    """The leaf modules of ``module`` in registration order (its execution order for chains)."""
    children = list(module.children())
    if not children:
        yield module
    for child in children:
        yield from _leaves(child)


def _out_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """PyTorch's output size for a conv or pool, including its ceil_mode rule."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    # A ceil_mode window must start inside the input (or its left padding).
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def walk_geometry(layers: Iterable[nn.Module], start: LayerGeometry) -> LayerGeometry:
    """Push ``start`` through a chain of layers (convolutions, pools, pointwise layers).

    Raises ``TypeError`` for a layer whose geometry it does not know, rather than guess.
    """
    g = start
    for layer in layers:
        for m in _leaves(layer):
            if isinstance(m, nn.Conv2d):
                if isinstance(m.padding, str):
                    raise TypeError(f"walk_geometry: string padding {m.padding!r} not supported")
                k, s = _pair_first(m.kernel_size), _pair_first(m.stride)
                p, d = _pair_first(m.padding), _pair_first(m.dilation)
                ceil, channels = False, m.out_channels
            elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)):
                k = _pair_first(m.kernel_size)
                s = _pair_first(m.stride if m.stride is not None else m.kernel_size)
                p = _pair_first(m.padding)
                d = _pair_first(getattr(m, "dilation", 1))
                ceil, channels = bool(m.ceil_mode), g.channels
            elif isinstance(m, _POINTWISE):
                continue
            else:
                raise TypeError(f"walk_geometry: unknown geometry of layer {type(m).__name__}")
            g = LayerGeometry(
                size=_out_size(g.size, k, s, p, d, ceil),
                jump=g.jump * s,
                receptive_field=g.receptive_field + d * (k - 1) * g.jump,
                channels=channels,
            )
    return g


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` columns, on the left when ``right`` (numbers)."""
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


@dataclass(frozen=True)
class SourceInfo:
    """One row of :class:`SourceTable`."""

    name: str
    channels: int
    map_size: int
    stride: int
    step: float
    receptive_field: int
    boxes_per_location: int
    boxes: int


class SourceTable:
    """The sources of an SSD, one :class:`SourceInfo` per row; ``print`` it for the table."""

    def __init__(self, rows: list[SourceInfo], config: SSDConfig):
        self.rows = rows
        self.config = config

    @property
    def total_boxes(self) -> int:
        """Sum of the boxes column (8,732 for SSD300)."""
        return sum(r.boxes for r in self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> SourceInfo:
        return self.rows[i]

    def __str__(self) -> str:
        # heads and title in the course's language, read now (not at import); columns are
        # aligned by display width, so a Chinese head (two columns a character) lines up too
        head = (
            _("source"), _("channels"), _("map"), _("stride"),
            # TRANSLATORS: the spacing of the default boxes' centres in pixels (the config's
            # step), not the network's stride (the column before)
            pgettext("source table column", "step"),
            _("receptive field"),
            pgettext("source table column", "boxes/loc"),
            pgettext("source table column", "boxes"),
        )
        body = [
            (
                r.name, f"{r.channels:,}", f"{r.map_size}x{r.map_size}", f"{r.stride}",
                f"{r.step:g}", f"{r.receptive_field}", f"{r.boxes_per_location}", f"{r.boxes:,}",
            )
            for r in self.rows
        ]
        total = (_("total"), "", "", "", "", "", "", f"{self.total_boxes:,}")
        widths = [max(_width(row[i]) for row in [head, *body, total]) for i in range(len(head))]

        def line(row) -> str:
            cells = [_pad(row[0], widths[0])] + [_pad(c, w, right=True)
                                                 for c, w in zip(row[1:], widths[1:])]
            return "  ".join(cells)

        rule = "-" * _width(line(head))
        title = _("{name}: {size}x{size} input").format(name=self.config.name,
                                                        size=self.config.image_size)
        return "\n".join([title, line(head), rule, *map(line, body), rule, line(total)])

    def __repr__(self) -> str:
        return self.__str__()


def describe(model: nn.Module, config: SSDConfig | None = None) -> SourceTable:
    """The table of an SSD's sources: name, channels, map size, stride, receptive field, boxes.

    Args:
        model: an :class:`~ssd_core.models.ssd.SSD`.
        config: whose input size and default boxes to use; ``model.config`` by default.

    The map sizes are computed from the layers alone (no forward pass), so the table also
    shows a config whose ``feature_maps`` the network would not produce; :func:`build_ssd`
    refuses such pairs.
    """
    config = config if config is not None else model.config
    g = LayerGeometry(size=config.image_size, jump=1, receptive_field=1, channels=3)
    rows = []
    for k, (name, stage) in enumerate(zip(model.source_names, model.stages())):
        g = walk_geometry([stage], g)
        a = config.boxes_per_location[k] if k < config.num_sources else 0
        rows.append(
            SourceInfo(
                name=name,
                channels=g.channels,
                map_size=g.size,
                stride=g.jump,
                step=config.steps[k] if k < config.num_sources else float("nan"),
                receptive_field=g.receptive_field,
                boxes_per_location=a,
                boxes=g.size * g.size * a,
            )
        )
    return SourceTable(rows, config)


def count_macs(model: nn.Module, image_size: int | None = None) -> int:
    """Multiply-accumulates of one forward pass on one ``image_size`` image (FLOPs / 2).

    Counted by :class:`torch.utils.flop_counter.FlopCounterMode` (convolutions and matrix
    products) on shape-only "meta" tensors, so it is instant even for SSD512. About 31.37 G
    for SSD300 with 21 classes.
    """
    if image_size is None:
        image_size = model.config.image_size
    meta = {
        name: torch.empty_like(t, device="meta")
        for name, t in [*model.named_parameters(), *model.named_buffers()]
    }
    # Two images (BatchNorm in training mode refuses one 1x1 map), then halve the count.
    x = torch.zeros(2, 3, image_size, image_size, device="meta")
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        torch.func.functional_call(model, meta, (x,))
    return counter.get_total_flops() // 2 // 2
