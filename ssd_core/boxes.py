"""Box formats, overlap, and the offset encoding SSD regresses (section 2.2, eq. 2).

Conventions (DESIGN.md): ground-truth and predicted boxes are ``xyxy`` corners in [0, 1]
image units; default boxes ("priors") are ``cxcywh``. All functions broadcast over leading
dimensions unless they say otherwise.

The encoding is Faster R-CNN's, with the original SSD's *variances* (0.1, 0.2):

    t_cx = (g_cx - d_cx) / (0.1 d_w)      t_w = log(g_w / d_w) / 0.2

Dividing by a variance is the same as torchvision's ``BoxCoder`` weights (10, 10, 5, 5):
it scales the targets to roughly unit spread so both loss terms weigh alike.
"""

from __future__ import annotations

import math

import torch
from torchvision.ops import box_convert
from torchvision.ops import box_iou as _tv_box_iou

__all__ = [
    "xyxy_to_cxcywh",
    "cxcywh_to_xyxy",
    "box_iou",
    "encode",
    "decode",
    "MAX_LOG_SCALE",
]

#: Largest log size ratio ``decode`` accepts before ``exp``: a box may grow at most 62.5x
#: per side (torchvision uses the same bound, ``log(1000 / 16)``). Without it a wild
#: prediction overflows to ``inf`` and NaNs spread through NMS.
MAX_LOG_SCALE = math.log(1000.0 / 16)


def xyxy_to_cxcywh(boxes: torch.Tensor) -> torch.Tensor:
    """(x1, y1, x2, y2) -> (cx, cy, w, h), over ``[..., 4]``."""
    return box_convert(boxes, "xyxy", "cxcywh")


def cxcywh_to_xyxy(boxes: torch.Tensor) -> torch.Tensor:
    """(cx, cy, w, h) -> (x1, y1, x2, y2), over ``[..., 4]``."""
    return box_convert(boxes, "cxcywh", "xyxy")


def box_iou(boxes1: torch.Tensor, boxes2: torch.Tensor) -> torch.Tensor:
    """Intersection over union of every pair: ``[..., N, 4]`` x ``[M, 4]`` -> ``[..., N, M]``.

    Both in ``xyxy``. Leading dimensions of ``boxes1`` (a batch of images) are flattened
    into one call of :func:`torchvision.ops.box_iou`.
    """
    if boxes2.dim() != 2:
        raise ValueError(f"box_iou: boxes2 must be [M, 4], got shape {tuple(boxes2.shape)}")
    lead = boxes1.shape[:-2]
    n = boxes1.shape[-2]
    iou = _tv_box_iou(boxes1.reshape(-1, 4), boxes2)                      # [*N, M]
    return iou.reshape(*lead, n, boxes2.shape[0])


def encode(
    matched_xyxy: torch.Tensor,
    priors: torch.Tensor,
    variances: tuple[float, float] = (0.1, 0.2),
) -> torch.Tensor:
    """Regression targets of ``matched_xyxy`` boxes relative to their default boxes.

    Args:
        matched_xyxy: ``[..., P, 4]`` the ground-truth box each default box is matched to.
        priors: ``[P, 4]`` default boxes, cxcywh.
        variances: (centre, size).

    Returns ``[..., P, 4]`` offsets (t_cx, t_cy, t_w, t_h). Degenerate (zero-size) boxes,
    which only ever stand on background rows, are given a tiny size so the log stays finite.
    """
    g = xyxy_to_cxcywh(matched_xyxy)
    t_xy = (g[..., :2] - priors[:, :2]) / (variances[0] * priors[:, 2:])
    t_wh = torch.log(g[..., 2:].clamp(min=1e-12) / priors[:, 2:]) / variances[1]
    return torch.cat([t_xy, t_wh], dim=-1)


def decode(
    loc: torch.Tensor,
    priors: torch.Tensor,
    variances: tuple[float, float] = (0.1, 0.2),
) -> torch.Tensor:
    """Inverse of :func:`encode`: offsets ``[..., P, 4]`` -> boxes ``[..., P, 4]`` xyxy.

    The log size offsets are capped at :data:`MAX_LOG_SCALE`, so any finite input gives
    finite boxes.
    """
    xy = priors[:, :2] + loc[..., :2] * variances[0] * priors[:, 2:]
    wh = priors[:, 2:] * torch.exp((loc[..., 2:] * variances[1]).clamp(max=MAX_LOG_SCALE))
    return torch.cat([xy - wh / 2, xy + wh / 2], dim=-1)
