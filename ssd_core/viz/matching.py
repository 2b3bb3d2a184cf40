"""Lesson 3: the matching strategy, moved by a slider.

:func:`match_explorer` matches a picture's ground truth to SSD300's 8,732 default boxes with
:func:`ssd_core.match` and draws the result: every positive default box coloured by its IoU
(intersection over union) with its object, the boxes that only the first step (each object
takes its best box) made positive, and a count of positives per object. Small objects are the
point: their best default box overlaps them less than the threshold, so without step 1 they
would have no positive at all.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize
from matplotlib.ticker import MaxNLocator

from ..boxes import cxcywh_to_xyxy
from ..config import SSDConfig
from ..default_boxes import default_boxes
from ..draw import add_boxes
from ..fonts import fig
from ..i18n import _
from ..matching import match
from .default_boxes import SSD300_SOURCES
from .explorer import Explorer, Impossible
from .pictures import picture_axes, picture_by_name, sample_names

__all__ = ["MATCH_PICTURES", "MatchExplorer", "match_explorer", "source_ranges"]

#: What the explorer offers: the sample photos, and two shapes images with small objects
#: ("shapes val 0" has one about 6 % of the side; "shapes val 29" several of 4-5 %).
MATCH_PICTURES: tuple[str, ...] = ("shapes val 0", "shapes val 29")


def source_ranges(config: SSDConfig) -> list[tuple[int, int]]:
    """``[start, stop)`` of each source map's default boxes in the concatenated order."""
    out, start = [], 0
    for f, a in zip(config.feature_maps, config.boxes_per_location):
        out.append((start, start + f * f * a))
        start += f * f * a
    return out


class MatchExplorer(Explorer):
    """Positives of the matching step over a picture, for an IoU threshold."""

    figsize = (8.2, 4.2)

    @property
    def title(self) -> str:
        return _("Matching strategy")

    def __init__(self, picture: str = "chelsea", threshold: float = 0.5):
        self.config = SSDConfig.ssd300()
        self.priors = default_boxes(self.config)                              # [8732, 4] cxcywh
        self.priors_xyxy = cxcywh_to_xyxy(self.priors)
        self.ranges = source_ranges(self.config)
        names = list(sample_names()) + list(MATCH_PICTURES)
        maps = self.config.feature_maps
        super().__init__({
            "picture": widgets.Dropdown(options=names, value=picture,
                                        description=_("picture")),
            "threshold": widgets.FloatSlider(value=threshold, min=0.05, max=1.0, step=0.05,
                                             description=_("IoU thresh"),
                                             continuous_update=False),
            "sources": widgets.SelectMultiple(
                options=[(f"{f}×{f} {n}", k) for k, (n, f) in enumerate(zip(SSD300_SOURCES, maps))],
                value=tuple(range(len(maps))), rows=6, description=_("show maps")),
        }, note=_("SSD300's 8,732 default boxes; matching always uses all of them"))

    def compute(self, picture, threshold, sources):
        pic = picture_by_name(picture)
        if len(pic.boxes) == 0:
            raise Impossible(fig("{picture} has no objects: every default box is background.",
                                 picture=picture))
        if not sources:
            raise Impossible(fig("No source map chosen: select at least one under 'show maps' "
                                 "(ctrl/cmd-click to pick several)."))
        m = match(pic.boxes, pic.labels, self.priors, iou_threshold=threshold)
        positive = m.labels > 0                                               # [P]
        G = len(pic.boxes)
        per_gt = torch.bincount(m.gt_index[positive], minlength=G)            # [G]
        forced_gt = torch.bincount(m.gt_index[m.forced], minlength=G)
        shown = torch.zeros_like(positive)
        for k in sources:
            a, b = self.ranges[k]
            shown[a:b] = True
        self._pic, self._m, self._shown = pic, m, shown
        only_best = tuple(int(g) for g in range(G) if per_gt[g] == forced_gt[g])
        by_source = tuple(int(positive[a:b].sum()) for a, b in self.ranges)
        return {
            "picture": picture, "threshold": float(threshold), "objects": G,
            "positives": int(positive.sum()), "forced": int(m.forced.sum()),
            "per_gt": tuple(int(v) for v in per_gt), "only_best_match": only_best,
            "per_source": by_source,
            "shown_maps": ",".join(SSD300_SOURCES[k] for k in sorted(sources)),
            "shown": int((positive & shown).sum()),
        }

    def draw(self, figure, s):
        S = self.config.image_size
        pic, m = self._pic, self._m
        positive = m.labels > 0
        # the text first: it readies the CJK font before the axes (and their labels) exist
        title = fig("{positives} positives ({shown} on the maps shown), {forced} only by "
                    "best match", positives=s["positives"], shown=s["shown"], forced=s["forced"])
        iou_label = "IoU"                             # the colour bar's symbol, in every language
        bars_threshold = fig("IoU >= {t:.2f}", t=s["threshold"])
        bars_forced = fig("best match only")
        bars_xlabel = fig("positive default boxes")
        bars_title = fig("per object (size: sqrt(area) of the image)")
        ax = picture_axes(figure, (0.01, 0.02, 0.5, 0.88), pic, S)
        cmap, norm = colormaps["viridis"], Normalize(0.0, 1.0)
        plain = positive & ~m.forced & self._shown
        order = torch.argsort(m.iou[plain])                                   # best on top
        boxes = self.priors_xyxy[plain][order].numpy() * S
        coll = add_boxes(ax, boxes, edgecolors=cmap(norm(m.iou[plain][order].numpy())),
                         linewidth=1.2, zorder=3)
        coll.set_gid("positives")
        forced = m.forced & self._shown
        fcoll = add_boxes(ax, self.priors_xyxy[forced].numpy() * S, edgecolors="red",
                          linewidth=2.5, linestyle="--", zorder=4)
        fcoll.set_gid("forced")
        gt = pic.boxes.numpy() * S
        gcoll = add_boxes(ax, gt, edgecolors="white", linewidth=1.5, linestyle=":", zorder=5)
        gcoll.set_gid("ground_truth")
        names = pic.names()
        if len(gt) <= 12:
            for g, b in enumerate(gt):
                ax.text(b[0] + 2, b[1] + 2, f"#{g}", color="white", fontsize=7, va="top",
                        bbox=dict(facecolor="black", alpha=0.5, pad=0.5, edgecolor="none"))
        ax.set_title(title, fontsize=9)
        cax = figure.add_axes((0.515, 0.1, 0.012, 0.7))
        grad = np.linspace(0, 1, 64)[:, None]
        cax.imshow(grad, aspect="auto", cmap=cmap, origin="lower", extent=(0, 1, 0, 1))
        cax.axhline(s["threshold"], color="red", lw=1.5)
        cax.set_xticks([])
        cax.yaxis.tick_right()
        cax.set_yticks([0, 0.5, 1])
        cax.tick_params(labelsize=7)
        cax.set_xlabel(iou_label, fontsize=7, labelpad=2)
        # bars: positives per object, split into threshold matches and best-match-only
        bx = figure.add_axes((0.66, 0.2, 0.32, 0.7))
        G = len(gt)
        per_gt = np.array(s["per_gt"])
        forced_gt = np.bincount(m.gt_index[m.forced].numpy(), minlength=G)
        y = np.arange(G)
        # the bars as two collections (one artist each, however many objects)
        plain_n = per_gt - forced_gt
        _bars(bx, y, np.zeros(G), plain_n, "tab:green", bars_threshold, "bars_threshold")
        _bars(bx, y, plain_n, forced_gt, "red", bars_forced, "bars_forced")
        bx.set_xlim(0, max(1, per_gt.max()) * 1.05)
        bx.set_ylim(G - 0.5, -0.5)
        side = ((pic.boxes[:, 2] - pic.boxes[:, 0]) * (pic.boxes[:, 3] - pic.boxes[:, 1])).sqrt()
        labels = [f"#{g} {n} ({100 * float(sd):.0f}%)" for g, (n, sd) in enumerate(zip(names, side))]
        every = max(1, -(-G // 12))                    # at most 12 labels: a tick costs ~2 ms
        bx.set_yticks(y[::every], labels[::every], fontsize=7)
        bx.xaxis.set_major_locator(MaxNLocator(5, integer=True))
        bx.set_xlabel(bars_xlabel, fontsize=8)
        bx.tick_params(axis="x", labelsize=7)
        figure.legend(handles=[bx.collections[0], bx.collections[1]], fontsize=7, ncol=2,
                      loc="lower center", bbox_to_anchor=(0.82, 0.0), frameon=False)
        bx.set_title(bars_title, fontsize=8)


def _bars(ax, y, left, width, color, label, gid, height=0.8):
    """Horizontal bars as one ``PolyCollection``: from ``left`` to ``left + width`` at each ``y``."""
    verts = [[(l, yy - height / 2), (l + w, yy - height / 2), (l + w, yy + height / 2), (l, yy + height / 2)]
             for yy, l, w in zip(y, left, width) if w > 0]
    coll = PolyCollection(verts, facecolors=color, edgecolors="none", label=label)
    coll.set_gid(gid)
    ax.add_collection(coll)
    return coll


def match_explorer(**kwargs) -> MatchExplorer:
    """Move the IoU threshold and watch which default boxes become positives (lesson 3)."""
    return MatchExplorer(**kwargs)
