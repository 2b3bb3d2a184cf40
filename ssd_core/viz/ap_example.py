"""Lesson 1: precision, recall, AP and mAP on an example small enough to do by hand.

Three images, two classes (cat and dog), five objects and nine detections. :func:`worked_example`
returns them in the format of :func:`ssd_core.metrics.evaluate_detections`, which computes
everything; :func:`ranked_rows` lays its result out as the table one would write on paper
(detections ranked by score, each a true or false positive, precision and recall so far), and
:func:`plot_ap_example` draws the precision/recall curve with the eleven points of VOC2007's AP.

By hand, for "cat" (3 objects): the ranked detections are TP, TP, FP (a duplicate), FP (a dog),
FP (IoU too low), TP, so precision is 1, 1, 2/3, 1/2, 2/5, 1/2 and recall 1/3, 2/3, 2/3, 2/3,
2/3, 1. The 11-point AP is (7 x 1 + 4 x 0.5) / 11 = 9/11 = 0.818; the area AP is 0.833.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
from matplotlib.figure import Figure

from ..fonts import fig, new_figure, pfig
from ..i18n import _, pgettext
from ..metrics import EvalResult

__all__ = ["worked_example", "ranked_rows", "format_rows", "plot_ap_example"]


def worked_example() -> dict:
    """``{"class_names", "detections", "ground_truths", "notes"}`` of the lesson's example.

    Boxes are xyxy in [0, 1]; labels 1 = cat, 2 = dog. ``notes`` says, per class, why each
    detection counts as it does (in ranked order), in the course's current language.
    """
    t = lambda rows: torch.tensor(rows, dtype=torch.float32)
    ground_truths = [
        {"boxes": t([[0.10, 0.10, 0.50, 0.50], [0.60, 0.50, 0.90, 0.90]]), "labels": torch.tensor([1, 2])},
        {"boxes": t([[0.20, 0.20, 0.60, 0.70], [0.65, 0.10, 0.95, 0.40]]), "labels": torch.tensor([1, 1])},
        {"boxes": t([[0.30, 0.30, 0.70, 0.80]]), "labels": torch.tensor([2])},
    ]
    detections = [
        {"boxes": t([[0.12, 0.10, 0.50, 0.52],     # cat 0.95: on the cat       -> TP
                     [0.10, 0.12, 0.48, 0.50],     # dog 0.50: dog on the cat   -> FP
                     [0.60, 0.52, 0.90, 0.90]]),   # dog 0.30: on the dog       -> TP
         "scores": torch.tensor([0.95, 0.50, 0.30]), "labels": torch.tensor([1, 2, 2])},
        {"boxes": t([[0.20, 0.22, 0.60, 0.70],     # cat 0.90: on cat B         -> TP
                     [0.22, 0.20, 0.62, 0.68],     # cat 0.80: cat B again      -> FP (duplicate)
                     [0.75, 0.20, 1.00, 0.50],     # cat 0.60: beside cat C     -> FP (IoU < 0.5)
                     [0.66, 0.10, 0.95, 0.41]]),   # cat 0.40: on cat C         -> TP
         "scores": torch.tensor([0.90, 0.80, 0.60, 0.40]), "labels": torch.tensor([1, 1, 1, 1])},
        {"boxes": t([[0.30, 0.32, 0.70, 0.80],     # cat 0.70: cat on the dog   -> FP
                     [0.31, 0.30, 0.70, 0.78]]),   # dog 0.85: on the dog       -> TP
         "scores": torch.tensor([0.70, 0.85]), "labels": torch.tensor([1, 2])},
    ]
    # why each detection counts as it does, in ranked order, per class (1 = cat, 2 = dog)
    notes = {
        1: [_("on the cat"),
            _("on cat B"),
            _("cat B again: a duplicate"),
            _("a cat box on the dog"),
            _("beside cat C: IoU < 0.5"),
            _("on cat C")],
        2: [pgettext("AP example: the dog of image 2", "on the dog"),
            _("a dog box on the cat"),
            pgettext("AP example: the dog of image 0", "on the dog")],
    }
    return {"class_names": ("cat", "dog"), "detections": detections,
            "ground_truths": ground_truths, "notes": notes}


def ranked_rows(result: EvalResult, detections: Sequence[dict], label: int) -> list[dict]:
    """One row per detection of class ``label``, best score first, read off ``result``.

    Each row: ``rank``, ``image``, ``score``, ``tp`` (a new object found), ``precision`` and
    ``recall`` so far. The order is the evaluation's (by score; ties keep image order).
    """
    image, scores = [], []
    for i, d in enumerate(detections):
        keep = torch.as_tensor(d["labels"]) == label
        image += [i] * int(keep.sum())
        scores += torch.as_tensor(d["scores"])[keep].tolist()
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    recall = np.asarray(result.recall[label])
    precision = np.asarray(result.precision[label])
    n = result.num_objects[label]
    rows, previous = [], 0.0
    for rank, (k, r, p) in enumerate(zip(order, recall, precision), start=1):
        rows.append({"rank": rank, "image": image[k], "score": scores[k],
                     "tp": bool(round((r - previous) * n) > 0), "precision": float(p),
                     "recall": float(r)})
        previous = r
    return rows


def format_rows(rows: Sequence[dict], notes: Sequence[str] | None = None) -> str:
    """:func:`ranked_rows` as a small text table."""
    # TRANSLATORS: the head of a text table printed in a monospaced font, over rows like
    # "   3      1  0.80    FP      0.667   0.667". A Chinese character is two columns wide;
    # space the words so that each ends over the last digit of its column (the numbers are
    # right-aligned).
    header = _("rank  image  score  TP/FP  precision  recall")
    # TRANSLATORS: the head of the last column of the same table (after two spaces).
    lines = [header + (_("  why") if notes else "")]
    for i, r in enumerate(rows):
        why = f"  {notes[i]}" if notes else ""
        lines.append(f"{r['rank']:>4}  {r['image']:>5}  {r['score']:.2f}   {'TP' if r['tp'] else 'FP':>3}"
                     f"   {r['precision']:>8.3f}  {r['recall']:>6.3f}{why}")
    return "\n".join(lines)


def plot_ap_example(rows: Sequence[dict], ap: float, name: str = "") -> Figure:
    """Precision against recall of :func:`ranked_rows`, with VOC2007's eleven points: at each
    recall level 0, 0.1, ..., 1 the best precision reached at that recall or beyond."""
    rec = np.array([r["recall"] for r in rows])
    prec = np.array([r["precision"] for r in rows])
    # the text first: it readies the CJK font before the axes (and their labels) exist
    title = fig("AP of '{name}'", name=name) if name else fig("AP")
    xlabel = pfig("AP example: axis label, with the English term", "recall")
    ylabel = pfig("AP example: axis label, with the English term", "precision")
    figure = new_figure(figsize=(5.5, 3.8))
    ax = figure.add_subplot()
    ax.plot(np.concatenate([[0], rec]), np.concatenate([[1], prec]), "o-", color="tab:blue",
            label=fig("precision / recall after each detection"), gid="curve")
    levels = np.linspace(0, 1, 11)
    best = [prec[rec >= t - 1e-12].max() if (rec >= t - 1e-12).any() else 0.0 for t in levels]
    ax.plot(levels, best, "s", color="tab:red", mfc="none", ms=8,
            label=fig("11 points: AP = mean = {ap:.3f}", ap=ap), gid="eleven_points")
    for t, b in zip(levels, best):
        ax.plot([t, t], [0, b], color="tab:red", lw=0.6, alpha=0.5)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(0, 1.08)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    figure.tight_layout()
    return figure
