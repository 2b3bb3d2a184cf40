"""Batching for the DataLoader.

:func:`collate` stacks the images of a batch and keeps the targets as a list (each image has
its own number of objects). Matching and encoding (section 2.2) then run once per batch, on the
training device, with :func:`ssd_core.matching.batch_targets`: nothing of size ``[P, 4]`` per
image has to travel from the DataLoader workers to the main process.
"""

from __future__ import annotations

from typing import Sequence

import torch

__all__ = ["collate"]


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
