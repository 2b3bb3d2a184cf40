"""ssd_core: a small, readable PyTorch implementation of SSD (Liu et al., ECCV 2016).

One module per idea of the paper; the README's table maps each section of the paper to its
file. The names below are the ones the lessons use. Importing the package reads no file and
touches no network. ``ssd_core.evaluate`` is the function (:mod:`ssd_core.inference`); the
metrics behind it are :mod:`ssd_core.metrics`.
"""

from .boxes import box_iou, cxcywh_to_xyxy, decode, encode, xyxy_to_cxcywh
from .config import SSDConfig, paper_scales
from .i18n import language
from .data import (
    SHAPE_CLASSES,
    VOC_CLASSES,
    DatasetError,
    DataWarning,
    SSDAugmentation,
    SSDEvalTransform,
    VOCDataset,
    collate,
    ensure_shapes,
    make_shapes,
    sample_dataset,
)
from .default_boxes import clipping_report, default_boxes
from .fonts import set_language
from .inference import (detect_images, evaluate, load_trained, pretrained_or_none,
                        pretrained_ssd300, raw_predictions, time_detection)
from .loss import hard_negative_mining, multibox_loss
from .matching import MatchResult, batch_targets, match, match_and_encode
from .metrics import coco_map, evaluate_detections, voc_ap
from .models import (
    SSD,
    WeightsUnavailableError,
    build_ssd,
    count_macs,
    describe,
    from_torchvision,
    load_vgg16_imagenet,
)
from .postprocess import postprocess
from .recipes import DataChoice, TrainSettings, make_settings, quick_mode, resolve_data
from .train import train, train_step

__version__ = "0.1.0"

__all__ = [
    # 2.2 default boxes
    "SSDConfig", "paper_scales", "default_boxes", "clipping_report",
    # boxes and encoding
    "box_iou", "xyxy_to_cxcywh", "cxcywh_to_xyxy", "encode", "decode",
    # 2.2 matching, loss, mining
    "match", "match_and_encode", "batch_targets", "MatchResult", "hard_negative_mining",
    "multibox_loss",
    # inference and evaluation
    "postprocess", "evaluate_detections", "voc_ap", "coco_map",
    # 2.1 the networks
    "SSD", "build_ssd", "from_torchvision", "describe", "count_macs", "load_vgg16_imagenet",
    "WeightsUnavailableError",
    # 3.1 data
    "VOCDataset", "VOC_CLASSES", "SHAPE_CLASSES", "make_shapes", "ensure_shapes",
    "sample_dataset", "SSDAugmentation", "SSDEvalTransform", "collate",
    "DatasetError", "DataWarning",
    # the course's language (zh by default, or $SSD_COURSE_LANG)
    "set_language", "language",
    # the trained SSD300 (torchvision's COCO weights) on photos
    "pretrained_ssd300", "pretrained_or_none", "raw_predictions", "time_detection",
    # 3 training and evaluation runs
    "train", "train_step", "evaluate", "TrainSettings", "make_settings", "resolve_data",
    "DataChoice", "quick_mode", "load_trained", "detect_images",
]
