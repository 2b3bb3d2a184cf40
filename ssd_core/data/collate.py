"""Batching for the DataLoader, and the targets the loss needs.

:func:`collate` stacks the images of a batch and keeps the targets as a list (each image has
its own number of objects). Matching and encoding (section 2.2) then run once per batch, on the
training device, with :func:`batch_targets`: ``ssd_core.match`` is vectorised over the batch,
and nothing of size ``[P, 4]`` per image has to travel from the DataLoader workers to the main
process.

``bench/bench_data.py`` measured the two placements for SSD300 (8,732 default boxes) at batch
32 on the course's two-core CPU: matching and encoding one image at a time costs 33-35 ms of
CPU per batch, the batched call 21-24 ms (one thread); matching in the workers also ships
6.7 MB of encoded targets per batch between processes; and a DataLoader with two workers
delivered the same number of batches per second either way (2.7-3.1). On a GPU the batched
call runs on the device. So matching runs batched, in the training step.
"""

from __future__ import annotations

from typing import Sequence

import torch

from ..matching import match_and_encode

__all__ = ["collate", "batch_targets"]


def collate(batch: Sequence[tuple[torch.Tensor, dict]]) -> tuple[torch.Tensor, list[dict]]:
    """``[(image [3, S, S], target), ...]`` -> ``(images [B, 3, S, S], [target, ...])``.

    All images must have one size: use a transform that resizes (``SSDAugmentation``,
    ``SSDEvalTransform``).
    """
    images = [image for image, _ in batch]
    shapes = {tuple(im.shape) for im in images}
    if len(shapes) > 1:
        raise ValueError(
            f"collate: images of different sizes {sorted(shapes)}; give the dataset a transform "
            "that resizes to one square size (SSDAugmentation or SSDEvalTransform)."
        )
    targets = [target for _, target in batch]
    return torch.stack([im.as_subclass(torch.Tensor) for im in images]), targets


def batch_targets(
    targets: Sequence[dict],
    priors: torch.Tensor,
    variances: tuple[float, float] = (0.1, 0.2),
    iou_threshold: float = 0.5,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Match and encode a whole batch on ``priors.device``: ``(loc_target [B, P, 4],
    labels [B, P])``. Boxes must be in [0, 1] (the SSD transforms' output)."""
    boxes = [t["boxes"].to(priors.device) for t in targets]
    labels = [t["labels"].to(priors.device) for t in targets]
    return match_and_encode(boxes, labels, priors, variances, iou_threshold)
