"""Matching strategy (section 2.2): which default boxes are responsible for which object.

The paper's two steps, for every image:

1. **Best match.** Each ground-truth box takes the default box it overlaps most (as in
   MultiBox). This guarantees that every object, however small, owns at least one default box.
2. **Threshold.** Every other default box takes the ground truth it overlaps most, if that
   Jaccard overlap (IoU) is at least the threshold (0.5). Several default boxes can share an
   object: the network is allowed to predict high scores for all of them.

Default boxes left unmatched are background (label 0).

When two objects have the same best default box, step 1 would give one of them nothing. The
original Caffe code avoids that with a greedy bipartite assignment (take the best remaining
pair, remove its object and its default box, repeat), and so does :func:`match`. When the
best default boxes are all distinct (almost always) this is the same as "each object takes
its argmax", which is what torchvision's ``SSDMatcher`` does.

Everything is vectorised over a batch: a list of per-image boxes is padded once and matched
in one go. Training matches and encodes each batch once, on the training device, with
:func:`batch_targets` (inside :func:`ssd_core.train_step`), not image by image in the
DataLoader's workers. ``bench/bench_data.py`` measured the two placements for SSD300 (8,732
default boxes) at batch 32 on the course's two-core CPU: one image at a time costs 33-35 ms of
CPU per batch, the batched call 21-24 ms (one thread); matching in the workers also ships
6.7 MB of encoded targets per batch between processes; and a DataLoader with two workers
delivered the same number of batches per second either way (2.7-3.1). On a GPU the batched
call runs on the device.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

import torch

from .boxes import box_iou, cxcywh_to_xyxy, encode

__all__ = ["MatchResult", "match", "match_and_encode", "batch_targets"]


class MatchResult(NamedTuple):
    """Per default box: ``[B, P]`` (or ``[P]`` for a single image).

    labels: class of the matched object, 0 for background (int64).
    boxes: ``[..., P, 4]`` xyxy of the matched object (the best-overlap one for background).
    iou: IoU with the best-overlapping object (0 where an image has no objects).
    gt_index: index of the matched object in its image, -1 for background.
    forced: matched only because of step 1 (its IoU is below the threshold).
    """

    labels: torch.Tensor
    boxes: torch.Tensor
    iou: torch.Tensor
    gt_index: torch.Tensor
    forced: torch.Tensor


def _pad(
    gt_boxes: Sequence[torch.Tensor], gt_labels: Sequence[torch.Tensor], device
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Stack ragged per-image boxes into ``[B, G, 4]``, labels ``[B, G]`` and a valid mask."""
    B = len(gt_boxes)
    G = max([int(b.shape[0]) for b in gt_boxes] + [1])
    boxes = torch.zeros(B, G, 4, device=device)
    labels = torch.zeros(B, G, dtype=torch.int64, device=device)
    valid = torch.zeros(B, G, dtype=torch.bool, device=device)
    for i, (b, l) in enumerate(zip(gt_boxes, gt_labels)):
        n = b.shape[0]
        if len(l) != n:
            raise ValueError(f"match: image {i} has {n} boxes but {len(l)} labels")
        boxes[i, :n] = b.to(device=device, dtype=boxes.dtype)
        labels[i, :n] = l.to(device=device, dtype=torch.int64)
        valid[i, :n] = True
    return boxes, labels, valid


def _best_prior_per_object(iou: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Step 1: a distinct default box for every object. ``[B, G, P]`` -> ``[B, G]`` indices.

    Objects whose argmax default boxes collide are resolved greedily, best pair first.
    Padding rows get index -1.
    """
    best = iou.argmax(dim=2)                                                  # [B, G]
    best = torch.where(valid, best, torch.full_like(best, -1))
    B, G, P = iou.shape
    # Any image where two real objects chose the same default box?
    sorted_best = best.sort(dim=1).values
    clash = ((sorted_best[:, 1:] == sorted_best[:, :-1]) & (sorted_best[:, 1:] >= 0)).any(dim=1)
    for b in clash.nonzero().flatten().tolist():
        work = iou[b].clone()
        work[~valid[b]] = -1.0
        for _ in range(int(valid[b].sum())):
            flat = int(work.argmax())
            g, p = divmod(flat, P)
            best[b, g] = p
            work[g, :] = -1.0
            work[:, p] = -1.0
    return best


def match(
    gt_boxes: torch.Tensor | Sequence[torch.Tensor],
    gt_labels: torch.Tensor | Sequence[torch.Tensor],
    priors: torch.Tensor,
    iou_threshold: float = 0.5,
) -> MatchResult:
    """Match ground-truth boxes to default boxes.

    Args:
        gt_boxes: one image's ``[G, 4]`` xyxy boxes, or a list of them (one per image).
        gt_labels: ``[G]`` labels >= 1 (or a list), matching ``gt_boxes``.
        priors: ``[P, 4]`` default boxes, cxcywh.
        iou_threshold: step 2's threshold (0.5 in the paper).

    Returns a :class:`MatchResult`, batched ``[B, P]`` for a list and ``[P]`` for one image.
    """
    single = isinstance(gt_boxes, torch.Tensor)
    if single:
        gt_boxes, gt_labels = [gt_boxes], [gt_labels]
    device = priors.device
    boxes, labels, valid = _pad(gt_boxes, gt_labels, device)                  # [B, G, 4], [B, G]
    B, G = labels.shape
    P = priors.shape[0]

    # IoU of the real objects only (padding would double the work), then padded with -1.
    iou = torch.full((B, G, P), -1.0, device=device)                          # [B, G, P]
    iou[valid] = box_iou(boxes[valid], cxcywh_to_xyxy(priors))                # [N, P]

    # Step 2 first: each default box's best object and its overlap.
    best_iou, best_gt = iou.max(dim=1)                                        # [B, P]

    # Step 1 overrides: each object claims its best default box.
    best_prior = _best_prior_per_object(iou, valid)                           # [B, G]
    rows = torch.arange(B, device=device)[:, None].expand(B, G)[valid]
    forced_priors = best_prior[valid]
    objects = torch.arange(G, device=device)[None, :].expand(B, G)[valid]
    claimed = torch.zeros(B, P, dtype=torch.bool, device=device)
    claimed[rows, forced_priors] = True
    best_gt[rows, forced_priors] = objects

    positive = claimed | (best_iou >= iou_threshold)
    best_iou = best_iou.clamp(min=0.0)                 # images without objects: 0, not -1
    gather = best_gt.clamp(min=0)
    matched_labels = torch.gather(labels, 1, gather)                          # [B, P]
    matched_labels = torch.where(positive, matched_labels, torch.zeros_like(matched_labels))
    matched_boxes = torch.gather(boxes, 1, gather[..., None].expand(B, P, 4)) # [B, P, 4]
    gt_index = torch.where(positive, best_gt, torch.full_like(best_gt, -1))
    forced = claimed & (best_iou < iou_threshold)

    result = MatchResult(matched_labels, matched_boxes, best_iou, gt_index, forced)
    if single:
        result = MatchResult(*(t[0] for t in result))
    return result


def match_and_encode(gt_boxes, gt_labels, priors, variances=(0.1, 0.2), iou_threshold=0.5):
    """Targets for the loss: ``(loc_target [B, P, 4], labels [B, P])``."""
    m = match(gt_boxes, gt_labels, priors, iou_threshold)
    return encode(m.boxes, priors, variances), m.labels


def batch_targets(
    targets: Sequence[dict],
    priors: torch.Tensor,
    variances: tuple[float, float] = (0.1, 0.2),
    iou_threshold: float = 0.5,
) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`match_and_encode` for a batch's targets (dicts with ``boxes`` ``[N, 4]`` in
    [0, 1], the SSD transforms' output, and ``labels`` ``[N]``), on ``priors.device``:
    ``(loc_target [B, P, 4], labels [B, P])``."""
    boxes = [t["boxes"].to(priors.device) for t in targets]
    labels = [t["labels"].to(priors.device) for t in targets]
    return match_and_encode(boxes, labels, priors, variances, iou_threshold)
