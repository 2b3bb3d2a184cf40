"""The networks: VGG16 base (:mod:`.vgg`), SSD300/SSD512 (:mod:`.ssd`), a CPU-sized SSD
(:mod:`.small`), and the table of source maps (:mod:`.describe`).

``build_ssd(config, num_classes)`` builds the network a config asks for;
``from_torchvision(model_or_state)`` converts torchvision's ``ssd300_vgg16``.
"""

from .describe import SourceInfo, SourceTable, count_macs, describe, walk_geometry
from .small import SmallBase, build_small_ssd
from .ssd import (
    SSD,
    MultiBoxHead,
    Normalize,
    build_ssd,
    check_predictions,
    from_torchvision,
    torchvision_default_boxes,
    torchvision_ssd300_config,
)
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
