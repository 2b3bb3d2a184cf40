"""Inference (section 2.2 "Testing"/3): from raw predictions to a short list of detections.

For every image:

1. decode the offsets against the default boxes and clip to the image;
2. softmax over classes; for each class, keep default boxes scoring above ``conf_threshold``
   (0.01), at most ``candidates_per_class`` (400) of them, best first;
3. non-maximum suppression per class at Jaccard overlap 0.45 (``torchvision.ops.batched_nms``);
4. keep the ``top_k`` (200) best detections of the image.

These are the numbers of the original VOC models and of torchvision's ``ssd300_vgg16``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torchvision.ops import batched_nms

from .boxes import decode

__all__ = ["postprocess"]


@torch.no_grad()
def postprocess(
    loc: torch.Tensor,
    conf: torch.Tensor,
    priors: torch.Tensor,
    conf_threshold: float = 0.01,
    nms_threshold: float = 0.45,
    top_k: int = 200,
    candidates_per_class: int = 400,
    variances: tuple[float, float] = (0.1, 0.2),
) -> list[dict[str, torch.Tensor]]:
    """Detections per image from ``loc [B, P, 4]`` and ``conf [B, P, C]`` logits.

    Returns one dict per image with ``boxes`` ``[D, 4]`` (xyxy in [0, 1]), ``scores`` ``[D]``
    and ``labels`` ``[D]`` (1..C-1), sorted by decreasing score.
    """
    boxes = decode(loc, priors, variances).clamp(0.0, 1.0)                    # [B, P, 4]
    scores = F.softmax(conf, dim=-1)[..., 1:]                                 # [B, P, C-1]
    P, K = scores.shape[1], scores.shape[2]
    k = min(candidates_per_class, P)
    results = []
    for img_boxes, img_scores in zip(boxes, scores):
        # The best k default boxes of each class, then the score threshold.
        top_scores, top_idx = img_scores.topk(k, dim=0)                       # [k, C-1]
        keep = top_scores > conf_threshold
        cand_scores = top_scores[keep]                                        # [n]
        cand_boxes = img_boxes[top_idx[keep]]                                 # [n, 4]
        cand_labels = torch.arange(1, K + 1, device=conf.device).expand(k, K)[keep]
        kept = batched_nms(cand_boxes, cand_scores, cand_labels, nms_threshold)[:top_k]
        results.append(
            {"boxes": cand_boxes[kept], "scores": cand_scores[kept], "labels": cand_labels[kept]}
        )
    return results
