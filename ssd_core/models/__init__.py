"""The networks of section 2.1, one file per idea:

- :mod:`.vgg`: the VGG16 base with pool5 3x3/1, the atrous fc6 and fc7, and conv4_3's L2Norm;
- :mod:`.ssd`: the SSD module itself: input normalisation, extra feature layers, multibox heads;
- :mod:`.build`: :func:`build_ssd`, the network a config asks for, checked against its boxes;
- :mod:`.small`: a CPU-sized SSD that trains in minutes;
- :mod:`.torchvision_port`: :func:`from_torchvision`, torchvision's ``ssd300_vgg16`` weights;
- :mod:`.describe`: the table of source maps, parameters and multiply-accumulates.
"""

from .build import build_ssd, check_predictions
from .describe import SourceInfo, SourceTable, count_macs, describe, walk_geometry
from .small import SmallBase, build_small_ssd, small_widths
from .ssd import SSD, MultiBoxHead, Normalize
from .torchvision_port import from_torchvision, torchvision_default_boxes, torchvision_ssd300_config
from .vgg import L2Norm, VGG16Base, WeightsUnavailableError, load_vgg16_imagenet

__all__ = [
    "SSD",
    "MultiBoxHead",
    "Normalize",
    "build_ssd",
    "check_predictions",
    "from_torchvision",
    "torchvision_default_boxes",
    "torchvision_ssd300_config",
    "SmallBase",
    "build_small_ssd",
    "small_widths",
    "L2Norm",
    "VGG16Base",
    "WeightsUnavailableError",
    "load_vgg16_imagenet",
    "describe",
    "count_macs",
    "walk_geometry",
    "SourceInfo",
    "SourceTable",
]
