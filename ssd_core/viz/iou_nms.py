"""Lesson 1's explorers: the IoU (intersection over union) of two boxes, and non-maximum
suppression."""

from __future__ import annotations

import ipywidgets as widgets
import torch
from matplotlib.patches import Rectangle
from torchvision.ops import nms

from ..boxes import box_iou
from ..fonts import fig
from ..i18n import _
from .explorer import Explorer, Impossible

__all__ = ["iou_explorer", "nms_explorer", "nms_candidates", "IoUExplorer", "NMSExplorer"]


def _range(description: str, value: tuple[float, float]) -> widgets.FloatRangeSlider:
    return widgets.FloatRangeSlider(value=value, min=0.0, max=1.0, step=0.01,
                                    description=description, continuous_update=False,
                                    readout_format=".2f")


class IoUExplorer(Explorer):
    """Two boxes A and B as x and y ranges; their intersection, union and IoU."""

    figsize = (4.5, 4.5)

    @property
    def title(self) -> str:
        return _("IoU: intersection over union")

    def __init__(self, a=(0.15, 0.15, 0.55, 0.6), b=(0.35, 0.3, 0.8, 0.85)):
        super().__init__({
            "a_x": _range(_("A x1..x2"), (a[0], a[2])),
            "a_y": _range(_("A y1..y2"), (a[1], a[3])),
            "b_x": _range(_("B x1..x2"), (b[0], b[2])),
            "b_y": _range(_("B y1..y2"), (b[1], b[3])),
        }, note=_("drag the ranges; boxes are (x1, y1, x2, y2) in [0, 1]"))

    def compute(self, a_x, a_y, b_x, b_y):
        a = torch.tensor([[a_x[0], a_y[0], a_x[1], a_y[1]]], dtype=torch.float64)
        b = torch.tensor([[b_x[0], b_y[0], b_x[1], b_y[1]]], dtype=torch.float64)
        area_a = float((a[0, 2] - a[0, 0]) * (a[0, 3] - a[0, 1]))
        area_b = float((b[0, 2] - b[0, 0]) * (b[0, 3] - b[0, 1]))
        if area_a == 0 and area_b == 0:
            raise Impossible(fig("Both boxes have zero area: IoU is 0 / 0, undefined. "
                                 "Widen a box."))
        iou = float(box_iou(a, b)[0, 0])
        iw = max(0.0, min(a_x[1], b_x[1]) - max(a_x[0], b_x[0]))
        ih = max(0.0, min(a_y[1], b_y[1]) - max(a_y[0], b_y[0]))
        inter = iw * ih
        return {"iou": iou, "intersection": inter, "union": area_a + area_b - inter,
                "a": tuple(a[0].tolist()), "b": tuple(b[0].tolist()),
                "match_at_0.5": iou >= 0.5}

    def draw(self, figure, s):
        # the text first: it readies the CJK font before the axes (and their title) exist
        title = fig("IoU = {inter:.3f} / {union:.3f} = {iou:.3f}", inter=s["intersection"],
                    union=s["union"], iou=s["iou"])
        ax = figure.add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(1, 0)                     # image coordinates: y grows downwards
        ax.set_aspect("equal")
        ax.grid(alpha=0.3)
        for name, (x1, y1, x2, y2), color in (("A", s["a"], "tab:blue"), ("B", s["b"], "tab:orange")):
            ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, lw=2.5, color=color))
            ax.text(x1, y1 - 0.01, name, color=color, fontsize=12, weight="bold")
        ix1, iy1 = max(s["a"][0], s["b"][0]), max(s["a"][1], s["b"][1])
        ix2, iy2 = min(s["a"][2], s["b"][2]), min(s["a"][3], s["b"][3])
        if ix2 > ix1 and iy2 > iy1:
            ax.add_patch(Rectangle((ix1, iy1), ix2 - ix1, iy2 - iy1, color="tab:green", alpha=0.4))
        ax.set_title(title)


def iou_explorer(**kwargs) -> IoUExplorer:
    """Move two boxes and read their IoU (lesson 1)."""
    return IoUExplorer(**kwargs)


def nms_candidates(seed: int = 0, objects: int = 3, per_object: int = 8):
    """Overlapping scored candidates around a few objects, like a detector's raw output.

    Returns ``(boxes [N, 4] xyxy, scores [N], objects [objects, 4])``, reproducible from ``seed``.
    """
    g = torch.Generator().manual_seed(seed)
    wh = 0.15 + 0.3 * torch.rand(objects, 2, generator=g)
    xy = 0.05 + torch.rand(objects, 2, generator=g) * (0.9 - wh)
    truth = torch.cat([xy, xy + wh], 1)                                        # [objects, 4]
    jitter = torch.randn(objects, per_object, 4, generator=g) * 0.12 * wh.repeat(1, 2)[:, None]
    boxes = (truth[:, None] + jitter).reshape(-1, 4).clamp(0, 1)               # [N, 4]
    boxes = torch.cat([boxes[:, :2].minimum(boxes[:, 2:]), boxes[:, :2].maximum(boxes[:, 2:])], 1)
    quality = box_iou(boxes, truth).max(1).values
    scores = (quality * 0.8 + 0.2 * torch.rand(len(boxes), generator=g)).clamp(0.01, 0.99)
    return boxes, scores, truth


class NMSExplorer(Explorer):
    """Greedy NMS: keep the best box, drop every box overlapping it above the threshold, repeat."""

    figsize = (4.8, 4.8)

    @property
    def title(self) -> str:
        return _("Non-maximum suppression")

    def __init__(self, seed: int = 0):
        super().__init__({
            "nms_threshold": widgets.FloatSlider(value=0.45, min=0.0, max=1.0, step=0.05,
                                                 description=_("IoU thresh"),
                                                 continuous_update=False),
            "score_threshold": widgets.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.05,
                                                   description=_("score min"),
                                                   continuous_update=False),
            "seed": widgets.IntSlider(value=seed, min=0, max=20, description=_("seed"),
                                      continuous_update=False),
        }, note=_("solid boxes are kept, dotted ones suppressed"))

    def compute(self, nms_threshold, score_threshold, seed):
        boxes, scores, _truth = nms_candidates(seed)
        above = scores >= score_threshold
        if not above.any():
            raise Impossible(fig("No candidate scores {t:.2f} or more: lower 'score min'.",
                                 t=score_threshold))
        idx = above.nonzero().flatten()
        kept = idx[nms(boxes[idx], scores[idx], nms_threshold)]
        self._boxes, self._scores, self._kept, self._idx = boxes, scores, kept, idx
        return {"nms_threshold": nms_threshold, "score_threshold": score_threshold, "seed": seed,
                "candidates": int(above.sum()), "kept": int(len(kept)),
                "suppressed": int(above.sum() - len(kept))}

    def draw(self, figure, s):
        title = fig("{candidates} candidates -> {kept} kept", candidates=s["candidates"],
                    kept=s["kept"])
        ax = figure.add_subplot()
        ax.set_xlim(0, 1)
        ax.set_ylim(1, 0)
        ax.set_aspect("equal")
        kept = set(self._kept.tolist())
        for i in self._idx.tolist():
            x1, y1, x2, y2 = self._boxes[i].tolist()
            keep = i in kept
            ax.add_patch(Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False,
                                   color="tab:green" if keep else "tab:red",
                                   lw=2.5 if keep else 0.8, ls="-" if keep else ":"))
            if keep:
                ax.text(x1, y1, f"{float(self._scores[i]):.2f}", fontsize=8, color="white",
                        va="bottom", bbox=dict(facecolor="tab:green", pad=1, edgecolor="none"))
        ax.set_title(title)


def nms_explorer(**kwargs) -> NMSExplorer:
    """Change the NMS threshold and see which candidates survive (lesson 1)."""
    return NMSExplorer(**kwargs)
