"""ssd_core: a small, readable PyTorch implementation of SSD (Liu et al., ECCV 2016).

One module per idea of the paper; see DESIGN.md for the map. The names below are the ones
the lessons use.
"""

from .boxes import box_iou, cxcywh_to_xyxy, decode, encode, xyxy_to_cxcywh
from .config import SSDConfig, paper_scales
from .default_boxes import clipping_report, default_boxes
from .loss import hard_negative_mining, multibox_loss
from .matching import MatchResult, match, match_and_encode
from .postprocess import postprocess

__version__ = "0.1.0"

__all__ = [
    "SSDConfig",
    "paper_scales",
    "default_boxes",
    "clipping_report",
    "box_iou",
    "xyxy_to_cxcywh",
    "cxcywh_to_xyxy",
    "encode",
    "decode",
    "match",
    "match_and_encode",
    "MatchResult",
    "hard_negative_mining",
    "multibox_loss",
    "postprocess",
]
