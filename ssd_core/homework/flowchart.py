"""The reference flowchart of SSD's training process, as the code runs it.

Lesson 5's homework (option 2) asks for a flowchart drawn from the student's own understanding
(:mod:`ssd_core.homework.my_flowchart`); this is the chart it is compared with afterwards.

:func:`training_stages` lists the stages of one training iteration in the order the real
pipeline runs them (the data steps come from :class:`ssd_core.data.SSDAugmentation` itself;
the rest follow :func:`ssd_core.train.train_step` and the run around it), and
:func:`plot_training_flowchart` draws them with matplotlib alone. ``tests/`` runs a real
training step and checks the drawn order against the order the functions were called in.

A stage's title and detail are English sentences of the catalog (:mod:`ssd_core.i18n`): the
chart is drawn in the course's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path as MplPath

from ..data import SSDAugmentation
from ..fonts import fig, new_figure
from ..i18n import N_

__all__ = ["Stage", "training_stages", "plot_training_flowchart"]


@dataclass(frozen=True)
class Stage:
    """One stage of SSD's training process.

    key: a short id (the names :class:`ssd_core.data.SSDAugmentation` uses for its steps);
    title: what the box says; detail: a second line (shapes, numbers of the paper), both
    English sentences of the catalog (``_(stage.title)``: in the current language);
    where: the module (and name) that does it; group: ``"image"`` (once per image, in the
    DataLoader), ``"batch"`` (once per iteration) or ``"epoch"`` (after each epoch).
    """

    key: str
    title: str
    detail: str
    where: str
    group: str


#: The reference stages' (title, detail), by key; shown with ``_()`` / ``fig()``.
_STAGE_TEXT: dict[str, tuple[str, str]] = {
    "read": (N_("read image + annotation"), N_("JPEG -> uint8 [3, H, W]; XML -> boxes, labels")),
    "photometric": (N_("photometric distortion"),
                    N_("brightness, contrast, saturation, hue (p = 1/2 each)")),
    "zoom_out": (N_("zoom out"), N_("canvas up to 4x the side, mean colour (section 3.6)")),
    # lesson 3's "IoU crop" has a shorter Chinese name; the flowchart's says "random" too
    "iou_crop": (N_("random IoU crop"), N_("whole / min IoU 0.1 ... 0.9 / any patch")),
    "resize": (N_("resize"), N_("to S x S, aspect ratio ignored")),
    "flip": (N_("horizontal flip"), N_("p = 1/2")),
    "sanitize": (N_("sanitise boxes"), N_("drop tiny boxes; xyxy in [0, 1]")),
    "collate": (N_("collate a batch"), N_("images [B, 3, S, S] + list of targets")),
    "match": (N_("match default boxes"), N_("best match + IoU >= 0.5 -> labels [B, P]")),
    "encode": (N_("encode offsets"), N_("(g - d) / d with variances 0.1, 0.2 -> [B, P, 4]")),
    "forward": (N_("forward pass"),
                N_("base -> extras -> heads: loc [B, P, 4], conf [B, P, C]")),
    "loss": (N_("multibox loss"), N_("cross-entropy of every box; smooth L1 of the positives")),
    "mining": (N_("hard negative mining"), N_("hardest negatives, 3 per positive; sum / N")),
    "backward": (N_("backward"), N_("gradients of the loss")),
    "step": (N_("optimizer step"), N_("SGD (paper) or AdamW; lr warm-up + decay")),
    "evaluate": (N_("evaluate"), N_("decode + NMS 0.45 -> VOC07 mAP")),
    "checkpoint": (N_("checkpoint"), N_("last.pt, best.pt, metrics.csv, curves.png")),
}


def _stage(key: str, where: str, group: str) -> Stage:
    title, detail = _STAGE_TEXT.get(key, (key.replace("_", " "), ""))
    return Stage(key, title, detail, where, group)


def training_stages() -> list[Stage]:
    """The stages of SSD training, in the order one iteration runs them.

    The per-image steps are :attr:`ssd_core.data.SSDAugmentation.STEPS`, in its order; the
    rest follows :func:`ssd_core.train.train`'s loop.
    """
    stages = [_stage("read", "data/voc.py  VOCDataset", "image")]
    for step in SSDAugmentation.STEPS:
        stages.append(_stage(step, "data/transforms.py  SSDAugmentation", "image"))
    stages += [
        _stage("collate", "data/collate.py  collate", "batch"),
        _stage("match", "matching.py  match", "batch"),
        _stage("encode", "boxes.py  encode", "batch"),
        _stage("forward", "models/ssd.py  SSD.forward", "batch"),
        _stage("loss", "loss.py  multibox_loss", "batch"),
        _stage("mining", "loss.py  hard_negative_mining", "batch"),
        _stage("backward", "torch  loss.backward()", "batch"),
        _stage("step", "train.py  train_step", "batch"),
        _stage("evaluate", "inference.py  evaluate", "epoch"),
        _stage("checkpoint", "checkpoint.py  save_checkpoint", "epoch"),
    ]
    return stages


#: The columns' headings, by group.
_GROUP_TEXT = {"image": N_("for every image (DataLoader)"),
               "batch": N_("for every batch (one iteration)"),
               "epoch": N_("after every epoch")}
_GROUP_COLOR = {"image": "#e3eefc", "batch": "#fdf0d8", "epoch": "#e2f4e4"}


def plot_training_flowchart(stages: Sequence[Stage] | None = None,
                            title: str | None = None) -> Figure:
    """A flowchart of :func:`training_stages`: one column per group (image, batch, epoch),
    arrows in the order they run, and the two loops (next batch, next epoch). ``title``: an
    English sentence of the catalog, or a text of your own (default: the chart's own title).

    Every stage box is a ``FancyBboxPatch`` with ``gid="stage:<key>"``.
    """
    stages = list(stages if stages is not None else training_stages())
    groups = list(dict.fromkeys(s.group for s in stages))
    rows = max(sum(s.group == g for s in stages) for g in groups)
    figure = new_figure(figsize=(4.1 * len(groups), 0.78 * rows + 1.6))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, len(groups))
    ax.set_ylim(-(rows + 0.55), 1.35)
    ax.set_axis_off()
    shown = fig(title) if title is not None else fig("SSD training, one iteration after another")
    ax.text(len(groups) / 2, 1.1, shown, ha="center", va="center", fontsize=12, weight="bold")
    box_w, box_h = 0.86, 0.78
    centres: dict[str, tuple[float, float]] = {}
    for gi, g in enumerate(groups):
        members = [s for s in stages if s.group == g]
        ax.text(gi + 0.5, 0.55, fig(_GROUP_TEXT.get(g, g)), ha="center", va="center",
                fontsize=9.5, style="italic", color="#333333")
        for ri, s in enumerate(members):
            cx, cy = gi + 0.5, -ri - 0.1
            centres[s.key] = (cx, cy)
            patch = FancyBboxPatch((cx - box_w / 2, cy - box_h / 2), box_w, box_h,
                                   boxstyle="round,pad=0.0,rounding_size=0.08",
                                   facecolor=_GROUP_COLOR.get(g, "#eeeeee"), edgecolor="#445566",
                                   linewidth=1.0)
            patch.set_gid(f"stage:{s.key}")
            ax.add_patch(patch)
            ax.text(cx, cy + 0.2, fig(s.title), ha="center", va="center", fontsize=9.5,
                    weight="bold", gid=f"title:{s.key}")
            # fig(""), like _(""), would be the catalog's header: an empty detail stays empty
            ax.text(cx, cy - 0.04, fig(s.detail) if s.detail else "", ha="center", va="center",
                    fontsize=7.2)
            ax.text(cx, cy - 0.25, s.where, ha="center", va="center", fontsize=6.8,
                    family="DejaVu Sans Mono", color="#335")

    def arrow(a, b, **kw):
        style = dict(arrowstyle="-|>", mutation_scale=11, color="#223344", lw=1.1)
        style.update(kw)
        ax.add_patch(FancyArrowPatch(a, b, **style))

    for prev, nxt in zip(stages, stages[1:]):
        (x0, y0), (x1, y1) = centres[prev.key], centres[nxt.key]
        if prev.group == nxt.group:
            arrow((x0, y0 - box_h / 2), (x1, y1 + box_h / 2))
        else:                                                   # to the top of the next column
            arrow((x0 + box_w / 2, y0), (x1 - box_w / 2, y1), connectionstyle="arc3,rad=0.0")
    by_group = {g: [s for s in stages if s.group == g] for g in groups}
    red, green = "#aa3322", "#226633"
    if "batch" in by_group and "image" in by_group:
        # next batch: from the last batch stage down, left under the columns, up to "read"
        last, first = by_group["batch"][-1], by_group["image"][0]
        (x0, y0), (x1, y1) = centres[last.key], centres[first.key]
        bottom = -(rows - 1) - 0.1 - box_h / 2 - 0.2
        left = x1 - box_w / 2 - 0.045
        path = MplPath([(x0, y0 - box_h / 2), (x0, bottom), (left, bottom), (left, y1),
                        (x1 - box_w / 2, y1)],
                       [MplPath.MOVETO] + [MplPath.LINETO] * 4)
        loop = FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=11, color=red,
                               lw=1.1, linestyle="--")
        loop.set_gid("loop:next_batch")
        ax.add_patch(loop)
        ax.text((x0 + left) / 2, bottom - 0.05, fig("next batch"), color=red,
                fontsize=8.5, ha="center", va="top")
    if "epoch" in by_group and "batch" in by_group:
        first = by_group["epoch"][0]
        x1, y1 = centres[first.key]
        ax.text(x1 - box_w / 2 - 0.02, y1 + box_h / 2 + 0.02,
                fig("after the last batch\nof the epoch"), ha="right", va="bottom", fontsize=7,
                color=green)
    if "epoch" in by_group:
        last = by_group["epoch"][-1]
        x0, y0 = centres[last.key]
        ax.text(x0, y0 - box_h / 2 - 0.25,
                fig("then the next epoch: back to 'read',\nwith a new order and new random "
                    "draws,\nuntil the last iteration"),
                ha="center", va="top", fontsize=8, color=green)
    return figure
