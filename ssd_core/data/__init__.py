"""Data for SSD: PASCAL VOC and anything in its layout, the embedded shapes dataset, the sample
photos, the paper's augmentation, and batching.

- :mod:`.voc`: :class:`VOCDataset` (section 3.1), the reader for every dataset here;
- :mod:`.voc_layout`: VOC's folder layout and split names: :func:`list_splits`,
  :func:`is_voc_layout`, :func:`read_classes` (a ``classes.txt``);
- :mod:`.voc_xml`: :func:`parse_voc_xml` / :func:`write_voc_xml`, one annotation file, and
  VOC's box convention;
- :mod:`.images`: :func:`load_rgb` / :func:`decode_image_bytes`, any image file or upload
  decoded to RGB, and :func:`to_float_image`, 0..255 to [0, 1];
- :mod:`.errors`: :class:`DatasetError` and :class:`DataWarning`, raised by all of the above;
- :mod:`.shapes`: :func:`make_shapes` / :func:`ensure_shapes`, the embedded default;
- :mod:`.transforms`: :class:`SSDAugmentation` (section 2.2) and :class:`SSDEvalTransform`;
- :mod:`.collate`: :func:`collate`, a batch of images and its targets (matching and encoding
  them once per batch is :func:`ssd_core.matching.batch_targets`, also importable from here);
- :mod:`.download`: :func:`download_voc`, behind ``python -m ssd_core data voc``;
- :func:`sample_dataset`: the sample photos of ``data/samples/`` (found by
  :func:`ssd_core.paths.samples_root`; the data folder is :func:`ssd_core.paths.data_dir`).

Importing this package reads no file and touches no network.
"""

from ..matching import batch_targets
from ..paths import data_dir, samples_root
from .collate import collate
from .download import DownloadError, download_voc
from .errors import DatasetError, DataWarning, MissingSplitError
from .images import decode_image_bytes, load_rgb, to_float_image
from .shapes import SHAPE_CLASSES, ShapesSpec, default_shapes_root, ensure_shapes, make_shapes
from .transforms import CROP_OPTIONS, SSDAugmentation, SSDEvalTransform, sample_iou_crop
from .voc import VOC_CLASSES, VOCDataset
from .voc_layout import is_voc_layout, list_splits, read_classes
from .voc_xml import parse_voc_xml

__all__ = [
    "VOCDataset",
    "VOC_CLASSES",
    "list_splits",
    "is_voc_layout",
    "read_classes",
    "parse_voc_xml",
    "load_rgb",
    "decode_image_bytes",
    "to_float_image",
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


def sample_dataset(transforms=None, **kwargs) -> VOCDataset:
    """The sample photos as a :class:`VOCDataset` (split ``"all"``, classes from
    ``data/samples/classes.txt``); ``kwargs`` go to :class:`VOCDataset`."""
    return VOCDataset(samples_root(), "all", transforms=transforms, **kwargs)
