"""Data for SSD: PASCAL VOC and anything in its layout, the embedded shapes dataset, the sample
photos, the paper's augmentation, and batching.

- :mod:`.voc`: :class:`VOCDataset` (section 3.1), the reader for every dataset here, with
  :func:`list_splits` and :func:`is_voc_layout` for the folder layout;
- :mod:`.voc_xml`: :func:`parse_voc_xml` / :func:`write_voc_xml`, one annotation file, and
  VOC's box convention;
- :mod:`.images`: :func:`load_rgb` / :func:`decode_image_bytes`, any image file or upload
  decoded to RGB;
- :mod:`.errors`: :class:`DatasetError` and :class:`DataWarning`, raised by all of the above;
- :mod:`.shapes`: :func:`make_shapes` / :func:`ensure_shapes`, the embedded default;
- :mod:`.transforms`: :class:`SSDAugmentation` (section 2.2) and :class:`SSDEvalTransform`;
- :mod:`.collate`: :func:`collate` and :func:`batch_targets` (matching once per batch);
- :mod:`.download`: :func:`download_voc`, behind ``python -m ssd_core data voc``;
- :mod:`.paths`: :func:`data_dir`, :func:`samples_root`, :func:`sample_dataset`.

Importing this package reads no file and touches no network.
"""

from .collate import batch_targets, collate
from .download import DownloadError, download_voc
from .errors import DatasetError, DataWarning, MissingSplitError
from .images import decode_image_bytes, load_rgb
from .paths import data_dir, sample_dataset, samples_root
from .shapes import SHAPE_CLASSES, ShapesSpec, default_shapes_root, ensure_shapes, make_shapes
from .transforms import CROP_OPTIONS, SSDAugmentation, SSDEvalTransform, sample_iou_crop
from .voc import VOC_CLASSES, VOCDataset, is_voc_layout, list_splits
from .voc_xml import parse_voc_xml

__all__ = [
    "VOCDataset",
    "VOC_CLASSES",
    "list_splits",
    "is_voc_layout",
    "parse_voc_xml",
    "load_rgb",
    "decode_image_bytes",
    "DatasetError",
    "DataWarning",
    "MissingSplitError",
    "make_shapes",
    "ensure_shapes",
    "default_shapes_root",
    "ShapesSpec",
    "SHAPE_CLASSES",
    "SSDAugmentation",
    "SSDEvalTransform",
    "CROP_OPTIONS",
    "sample_iou_crop",
    "collate",
    "batch_targets",
    "download_voc",
    "DownloadError",
    "data_dir",
    "samples_root",
    "sample_dataset",
]
