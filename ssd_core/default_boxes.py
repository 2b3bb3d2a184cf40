"""Default boxes (section 2.2): a fixed set of boxes tiled over every source feature map.

Each cell of a ``f x f`` map gets boxes centred on it, in the original implementation's order:

1. map by map, largest first;
2. within a map, row-major: row y, then column x;
3. within a location: the square of side ``s_k``, the square of side ``sqrt(s_k s_{k+1})``,
   then for each ratio r the wide box (w = s_k sqrt r, h = s_k / sqrt r) and the tall one.

Keeping that order means weights from other SSD300 ports load without reshuffling.

**Clipping.** The original's VOC models leave boxes as they are (``clip: false``), so the
boxes of the outer cells stick out of the image. The most-used PyTorch port (ssd.pytorch)
clamps ``(cx, cy, w, h)`` to [0, 1]. That clamps widths as intended, but it also clamps
*centres*: on SSD300's 10x10 map the step is 32 px, so the last row and column have
centres at 9.5 * 32 / 300 = 1.0133, outside the image. Clamping moves those 19 locations
x 6 boxes = 114 centres onto the border. ``SSDConfig(clip=True)`` reproduces that; the
default (``clip=False``) is the original. :func:`clipping_report` counts the difference.
"""

from __future__ import annotations

import math

import torch

from .config import SSDConfig

__all__ = ["default_boxes", "boxes_per_map", "clipping_report"]


def _wh_pairs(config: SSDConfig, k: int) -> torch.Tensor:
    """Widths and heights of the boxes at one location of map k, normalised: ``[A, 2]``."""
    s = config.min_sizes[k] / config.image_size
    s_prime = math.sqrt(config.min_sizes[k] * config.max_sizes[k]) / config.image_size
    pairs = [(s, s), (s_prime, s_prime)]
    for r in config.aspect_ratios[k]:
        q = math.sqrt(r)
        pairs += [(s * q, s / q), (s / q, s * q)]
    return torch.tensor(pairs, dtype=torch.float64)


def boxes_per_map(config: SSDConfig, dtype=torch.float32, device=None) -> list[torch.Tensor]:
    """The default boxes of each source map, ``[f*f*A, 4]`` cxcywh each, unclipped."""
    out = []
    for k, f in enumerate(config.feature_maps):
        # Centres of the f x f cells, in units of the image side.          # [f]
        centres = (torch.arange(f, dtype=torch.float64) + 0.5) * config.steps[k] / config.image_size
        cy, cx = torch.meshgrid(centres, centres, indexing="ij")           # [f, f] each
        wh = _wh_pairs(config, k)                                          # [A, 2]
        A = wh.shape[0]
        xy = torch.stack([cx, cy], dim=-1).reshape(f * f, 1, 2).expand(f * f, A, 2)
        wh = wh.reshape(1, A, 2).expand(f * f, A, 2)
        out.append(torch.cat([xy, wh], dim=-1).reshape(-1, 4).to(dtype=dtype, device=device))
    return out


def default_boxes(config: SSDConfig, dtype=torch.float32, device=None) -> torch.Tensor:
    """All default boxes of a config, ``[P, 4]`` as (cx, cy, w, h) in [0, 1] image units.

    ``P`` is 8,732 for :meth:`SSDConfig.ssd300` and 24,564 for :meth:`SSDConfig.ssd512`.
    With ``config.clip`` every coordinate is clamped to [0, 1] (see the module docstring).
    """
    boxes = torch.cat(boxes_per_map(config, dtype=torch.float64), dim=0)   # [P, 4]
    if config.clip:
        boxes = boxes.clamp(0.0, 1.0)
    return boxes.to(dtype=dtype, device=device)


def clipping_report(config: SSDConfig) -> dict[str, dict[str, int]]:
    """How many boxes clamping would change, per map: centres moved and sizes cut.

    For SSD300 this gives 114 moved centres, all on the 10x10 map.
    """
    report = {}
    for f, boxes in zip(config.feature_maps, boxes_per_map(config, dtype=torch.float64)):
        clamped = boxes.clamp(0.0, 1.0)
        moved = (clamped[:, :2] != boxes[:, :2]).any(dim=1).sum().item()
        cut = (clamped[:, 2:] != boxes[:, 2:]).any(dim=1).sum().item()
        report[f"{f}x{f}"] = {"centres_moved": int(moved), "sizes_cut": int(cut)}
    return report
