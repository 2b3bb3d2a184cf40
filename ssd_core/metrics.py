"""Metrics (section 3): PASCAL VOC average precision as the official devkit computes it, and
COCO's AP through pycocotools.

For each class, detections from all images are sorted by confidence and walked once:

* a detection whose best-overlapping ground truth (same image, same class) has IoU >= 0.5
  is a true positive, unless that object was already found (then it is a duplicate: a false
  positive) or is marked *difficult* (then the detection is ignored: neither);
* anything else is a false positive.

Recall is TP / (number of non-difficult objects); precision is TP / (TP + FP), both
cumulative down the ranked list. AP summarises the precision/recall curve:

* VOC2007 "11-point": the mean over recall levels 0, 0.1, ..., 1 of the best precision at
  that recall or beyond (the paper's tables use this);
* VOC2010+ "area": the area under the curve after making precision monotone.

mAP is the mean AP over classes that have at least one non-difficult object.

**Units.** AP and mAP are fractions in [0, 1] wherever a program reads them
(:class:`EvalResult`, :func:`ssd_core.evaluate`, ``metrics.csv``, a run's ``history``,
``evaluation.json``). What a student reads shows them in percent, as the paper's tables do
(mAP 74.3): :meth:`EvalResult.table`, the training run's lines, the figures.

**Pixel convention.** The devkit measures boxes in 1-based, inclusive pixel corners, so a box
from xmin to xmax is ``xmax - xmin + 1`` wide; ``pixel_inclusive=True`` reproduces that
(+1 on every width and height). ``ssd_core``'s VOC reader already turns corners into
continuous coordinates (``x1 = xmin - 1``, ``x2 = xmax``), for which the plain IoU equals the
devkit's, so the default (False) is right for everything ``ssd_core`` produces.
"""

from __future__ import annotations

import contextlib
import io
import unicodedata
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import torch

from .i18n import pgettext

__all__ = ["voc_ap", "evaluate_detections", "EvalResult", "match_detections", "coco_map",
           "TRUE_POSITIVE", "FALSE_POSITIVE", "IGNORED"]


def voc_ap(recall, precision, use_07_metric: bool = True) -> float:
    """Average precision from cumulative recall and precision arrays (ranked order)."""
    rec = np.asarray(recall, dtype=np.float64)
    prec = np.asarray(precision, dtype=np.float64)
    if use_07_metric:
        ap = 0.0
        for t in np.linspace(0.0, 1.0, 11):
            above = prec[rec >= t - 1e-12]
            ap += (above.max() if above.size else 0.0) / 11.0
        return float(ap)
    mrec = np.concatenate([[0.0], rec, [1.0]])
    mpre = np.concatenate([[0.0], prec, [0.0]])
    mpre = np.maximum.accumulate(mpre[::-1])[::-1]                 # precision envelope
    steps = np.nonzero(mrec[1:] != mrec[:-1])[0] + 1               # where recall changes
    return float(np.sum((mrec[steps] - mrec[steps - 1]) * mpre[steps]))


def _iou_one_to_many(box: np.ndarray, gts: np.ndarray, plus_one: float) -> np.ndarray:
    """IoU of one box ``[4]`` with ``[G, 4]`` boxes; 0 where they do not overlap."""
    iw = np.minimum(box[2], gts[:, 2]) - np.maximum(box[0], gts[:, 0]) + plus_one
    ih = np.minimum(box[3], gts[:, 3]) - np.maximum(box[1], gts[:, 1]) + plus_one
    inter = np.where((iw > 0) & (ih > 0), iw * ih, 0.0)
    area_d = (box[2] - box[0] + plus_one) * (box[3] - box[1] + plus_one)
    area_g = (gts[:, 2] - gts[:, 0] + plus_one) * (gts[:, 3] - gts[:, 1] + plus_one)
    return inter / (area_d + area_g - inter)


#: What the devkit decides for one detection (:func:`match_detections`).
TRUE_POSITIVE, FALSE_POSITIVE, IGNORED = 1, 0, -1


def _judge(box: np.ndarray, gt_boxes: np.ndarray, gt_difficult: np.ndarray, found: np.ndarray,
           iou_threshold: float, plus_one: float) -> int:
    """The devkit's rule for one detection, against the objects of its class in its image.

    The detection takes the object it overlaps most. IoU below the threshold: a false
    positive. A difficult object: ignored. An object already found by a higher-scoring
    detection: a false positive (a duplicate). Otherwise a true positive, and the object is
    marked found in ``found`` (changed in place).
    """
    if len(gt_boxes) == 0:
        return FALSE_POSITIVE
    ious = _iou_one_to_many(box, gt_boxes, plus_one)
    j = int(ious.argmax())
    if ious[j] < iou_threshold:
        return FALSE_POSITIVE
    if gt_difficult[j]:
        return IGNORED
    if found[j]:
        return FALSE_POSITIVE
    found[j] = True
    return TRUE_POSITIVE


@dataclass
class EvalResult:
    """Per-class AP (NaN for classes without objects), mAP and the curves behind them.

    ``ap`` and ``map`` are fractions in [0, 1]; :meth:`table` prints them in percent."""

    ap: dict[int, float]
    map: float
    precision: dict[int, np.ndarray] = field(repr=False)
    recall: dict[int, np.ndarray] = field(repr=False)
    num_objects: dict[int, int] = field(repr=False)
    class_names: Sequence[str] | None = None
    metric: str = "AP"                     # the column header: "AP07", "AP10+"

    def table(self, *others: "EvalResult") -> str:
        """A plain-text table: class, objects, AP in percent (74.3, as the paper's tables);
        ``others`` (the same detections under another metric, say) add a column each, headed by
        their ``metric``. Class names and heads are in the course's language (the catalog's
        ``"class name"``: 三角形 for ``triangle``); columns line up in a monospaced font."""
        results = (self, *others)
        # the names as a student reads them; a name the catalog lacks stays as it is
        names = {c: pgettext("class name", self.class_names[c - 1]) if self.class_names else str(c)
                 for c in self.ap}
        width = max([14] + [_width(n) + 2 for n in names.values()])
        # TRANSLATORS: column heads of the evaluation table, padded to a fixed width (a Chinese
        # character counts two columns)
        head = (pgettext("evaluation table", "class"), pgettext("evaluation table", "objects"))
        lines = [_pad(head[0], width) + _pad(head[1], 8, right=True)
                 + "".join(f"{r.metric:>9}" for r in results)]
        for c in sorted(self.ap):
            lines.append(_pad(names[c], width) + f"{self.num_objects[c]:>8}"
                         + "".join(f"{100 * r.ap[c]:>9.1f}" for r in results))
        lines.append(f"{'mAP':<{width}}{'':>8}" + "".join(f"{100 * r.map:>9.1f}" for r in results))
        return "\n".join(lines)


def _width(text: str) -> int:
    """Display columns of ``text`` (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    """Pad to ``width`` display columns (a Chinese character takes two)."""
    fill = " " * max(0, width - _width(text))
    return fill + text if right else text + fill


def _to_numpy(x) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    return np.asarray(x)


def _truth_arrays(g: Mapping) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(boxes [G, 4], labels [G], difficult [G])`` of one image's ground truth."""
    boxes = _to_numpy(g["boxes"]).reshape(-1, 4).astype(np.float64)
    labels = _to_numpy(g["labels"]).reshape(-1).astype(np.int64)
    difficult = _to_numpy(g.get("difficult", np.zeros(len(labels), bool))).reshape(-1).astype(bool)
    return boxes, labels, difficult


def _detection_arrays(d: Mapping) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(boxes [D, 4], scores [D], labels [D])`` of one image's detections."""
    return (_to_numpy(d["boxes"]).reshape(-1, 4).astype(np.float64),
            _to_numpy(d["scores"]).reshape(-1).astype(np.float64),
            _to_numpy(d["labels"]).reshape(-1).astype(np.int64))


def evaluate_detections(
    detections: Sequence[Mapping],
    ground_truths: Sequence[Mapping],
    iou_threshold: float = 0.5,
    use_07_metric: bool = True,
    num_classes: int | None = None,
    class_names: Sequence[str] | None = None,
    pixel_inclusive: bool = False,
) -> EvalResult:
    """VOC AP per class and mAP.

    Args:
        detections: one dict per image with ``boxes [D, 4]`` xyxy, ``scores [D]``,
            ``labels [D]`` (1..C-1), e.g. the output of :func:`ssd_core.postprocess`.
        ground_truths: one dict per image (same order) with ``boxes [G, 4]``, ``labels [G]``
            and optionally ``difficult [G]`` (bool).
        iou_threshold: 0.5 for VOC.
        use_07_metric: True for VOC2007's 11-point AP, False for the VOC2010+ area.
        num_classes: C counting the background; by default the largest label seen + 1.
        class_names: names of classes 1..C-1, for :meth:`EvalResult.table`.
        pixel_inclusive: the devkit's +1 on widths, for boxes in VOC's inclusive pixel corners.
    """
    if len(detections) != len(ground_truths):
        raise ValueError(
            f"evaluate_detections: {len(detections)} images of detections but "
            f"{len(ground_truths)} images of ground truth"
        )
    plus_one = 1.0 if pixel_inclusive else 0.0
    gts = [_truth_arrays(g) for g in ground_truths]
    dets = [_detection_arrays(d) for d in detections]
    if num_classes is None:
        seen = [l.max() for _b, l, _d in gts if l.size] + [l.max() for _b, _s, l in dets if l.size]
        num_classes = int(max(seen, default=0)) + 1

    ap, precision, recall, num_objects = {}, {}, {}, {}
    for c in range(1, num_classes):
        # Ground truth of class c, per image, and a "found" flag per object.
        class_gt = [(b[l == c], diff[l == c]) for b, l, diff in gts]
        found = [np.zeros(len(b), dtype=bool) for b, _diff in class_gt]
        npos = int(sum((~diff).sum() for _b, diff in class_gt))
        # All detections of class c, ranked by score (stable, so ties keep image order).
        image_idx, boxes, scores = [], [], []
        for i, (b, s, l) in enumerate(dets):
            keep = l == c
            image_idx += [i] * int(keep.sum())
            boxes.append(b[keep])
            scores.append(s[keep])
        boxes = np.concatenate(boxes) if boxes else np.zeros((0, 4))
        scores = np.concatenate(scores) if scores else np.zeros(0)
        order = np.argsort(-scores, kind="stable")
        outcome = np.array([_judge(boxes[k], *class_gt[image_idx[k]], found[image_idx[k]],
                                   iou_threshold, plus_one) for k in order], dtype=np.int64)
        tp, fp = (outcome == TRUE_POSITIVE).astype(float), (outcome == FALSE_POSITIVE).astype(float)
        tp_c, fp_c = np.cumsum(tp), np.cumsum(fp)
        rec = tp_c / max(npos, 1)
        prec = tp_c / np.maximum(tp_c + fp_c, np.finfo(np.float64).eps)
        num_objects[c] = npos
        precision[c], recall[c] = prec, rec
        ap[c] = voc_ap(rec, prec, use_07_metric) if npos > 0 else float("nan")
    valid = [v for c, v in ap.items() if num_objects[c] > 0]
    mean = float(np.mean(valid)) if valid else float("nan")
    metric = f"AP{'07' if use_07_metric else '10+'}" + (f"@{iou_threshold:g}" if iou_threshold != 0.5 else "")
    return EvalResult(ap, mean, precision, recall, num_objects, class_names, metric)


def match_detections(detections: Mapping, truth: Mapping, iou_threshold: float = 0.5,
                     pixel_inclusive: bool = False) -> np.ndarray:
    """The devkit's verdict on every detection of one image, in the detections' order:
    :data:`TRUE_POSITIVE`, :data:`FALSE_POSITIVE` or :data:`IGNORED` (a difficult object).

    The same rule as :func:`evaluate_detections`: within each class, detections claim
    objects from the highest score down. ``(verdict == TRUE_POSITIVE).sum()`` is the number
    of objects found. Boxes of ``detections`` and ``truth`` must be in the same units.
    """
    boxes, scores, labels = _detection_arrays(detections)
    g_boxes, g_labels, g_difficult = _truth_arrays(truth)
    plus_one = 1.0 if pixel_inclusive else 0.0
    verdict = np.full(len(scores), FALSE_POSITIVE, dtype=np.int64)
    found = {int(c): np.zeros(int((g_labels == c).sum()), dtype=bool) for c in np.unique(labels)}
    for k in np.argsort(-scores, kind="stable"):
        same = g_labels == labels[k]
        verdict[k] = _judge(boxes[k], g_boxes[same], g_difficult[same], found[int(labels[k])],
                            iou_threshold, plus_one)
    return verdict


def coco_map(
    detections: Sequence[Mapping],
    ground_truths: Sequence[Mapping],
    image_sizes: Sequence[tuple[int, int]] | None = None,
) -> dict[str, float]:
    """COCO-style AP through pycocotools: AP@[.5:.95], AP@.5 and AP@.75.

    Boxes in [0, 1] are scaled by ``image_sizes`` ((H, W) per image; 1000 x 1000 if not
    given) because COCO's area ranges are in pixels. Difficult objects become COCO's
    ``iscrowd`` ones, which are ignored in the same spirit.
    """
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    images, annotations, results = [], [], []
    categories = set()
    for i, (d, g) in enumerate(zip(detections, ground_truths)):
        h, w = image_sizes[i] if image_sizes is not None else (1000, 1000)
        scale = np.array([w, h, w, h], dtype=np.float64)
        images.append({"id": i, "height": int(h), "width": int(w)})
        difficult = _to_numpy(g.get("difficult", np.zeros(len(g["labels"]), bool))).reshape(-1)
        for box, label, diff in zip(_to_numpy(g["boxes"]).reshape(-1, 4), _to_numpy(g["labels"]).reshape(-1), difficult):
            x1, y1, x2, y2 = (box * scale).tolist()
            categories.add(int(label))
            annotations.append({
                "id": len(annotations) + 1, "image_id": i, "category_id": int(label),
                "bbox": [x1, y1, x2 - x1, y2 - y1], "area": (x2 - x1) * (y2 - y1),
                "iscrowd": int(bool(diff)),
            })
        for box, score, label in zip(_to_numpy(d["boxes"]).reshape(-1, 4), _to_numpy(d["scores"]).reshape(-1), _to_numpy(d["labels"]).reshape(-1)):
            x1, y1, x2, y2 = (box * scale).tolist()
            categories.add(int(label))
            results.append({"image_id": i, "category_id": int(label),
                            "bbox": [x1, y1, x2 - x1, y2 - y1], "score": float(score)})
    if not results or not annotations:
        return {"AP": 0.0, "AP50": 0.0, "AP75": 0.0}
    gt = COCO()
    gt.dataset = {"images": images, "annotations": annotations,
                  "categories": [{"id": c} for c in sorted(categories)]}
    with contextlib.redirect_stdout(io.StringIO()):
        gt.createIndex()
        dt = gt.loadRes(results)
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
        ev.summarize()
    return {"AP": float(ev.stats[0]), "AP50": float(ev.stats[1]), "AP75": float(ev.stats[2])}
