"""A CPU-sized SSD: the same detector on a narrow VGG-like network that trains in minutes.

SSD300 needs about 31 G multiply-accumulates per image; on a 2-core CPU that is a second per
image forward, far too slow to train in a lesson. This model keeps every idea of the paper
(several source maps, default boxes of growing size, 3x3 multibox heads, extra layers down
to 1x1) and changes only the size:

* input 192x192 (:meth:`ssd_core.SSDConfig.small`);
* a plain chain of 3x3 convolutions with BatchNorm and ReLU; each stage halves the map with
  a stride-2 convolution (widths 16, 32, 48, 96, 192: 0.16 G multiply-accumulates per image);
* six source maps, 48x48 (stride 4, for objects of 8 px) down to 1x1.

The stride-4 stage is the deepest for its place (3 convolutions, receptive field 23 px):
objects of 4 to 8% of the side live on that map, and a 2-convolution version of it found
almost none of them in a short training run on synthetic shapes (recall 1 in 109 against 19
in 109 at equal steps).

The widths are chosen for what a float32 CPU learns in the five minutes of lesson 5
(bench/RESULTS.md, 2026-12-07): the earlier widths 16, 48, 64, 128, 256 (0.29 G) learn more
per step but take 1.3-1.4 times as long per step, and in equal time they reach less (VOC07
mAP 67.1 after 900 steps against 70.7 after 1,215 steps of these); halving them again (16,
24, 32, 64, 128) is faster still but learns too little per step (69.8 after 1,350).

BatchNorm is what lets it learn from scratch in a few epochs (there are no pretrained
weights); in training mode it needs more than one image per batch except on conv7.

    stage   layers                              map    source
    conv1   3x3/2 16                            96
    conv2   3x3/2 32, 3x3 32, 3x3 32            48     conv2_3
    conv3   3x3/2 48, 3x3 48                    24     conv3_2
    conv4   3x3/2 96, 3x3 96                    12     conv4_2
    conv5   3x3/2 192, 3x3 192                   6     conv5_2
    conv6   1x1 64, 3x3/2 128                    3     conv6_2
    conv7   1x1 64, 3x3 128 (no padding)         1     conv7_2   (no BatchNorm: 1x1 map)
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import torch
from torch import nn

from ..config import SSDConfig
from .ssd import SSD, MultiBoxHead, extra_block

__all__ = ["IMAGENET_MEAN", "IMAGENET_STD", "WIDTHS", "DEPTHS", "conv_bn_relu", "SmallBase",
           "build_small_ssd", "small_widths"]

IMAGENET_MEAN: tuple[float, float, float] = (0.485, 0.456, 0.406)
IMAGENET_STD: tuple[float, float, float] = (0.229, 0.224, 0.225)
#: The base's channels and 3x3 layers per stage (the module docstring says why these).
WIDTHS: tuple[int, ...] = (16, 32, 48, 96, 192)
DEPTHS: tuple[int, ...] = (1, 3, 2, 2, 2)


def conv_bn_relu(in_channels: int, out_channels: int, stride: int = 1) -> nn.Sequential:
    """3x3 convolution (no bias), BatchNorm, ReLU: ``[B, Cin, H, W] -> [B, Cout, H/stride, W/stride]``."""
    return nn.Sequential(
        OrderedDict(
            conv=nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
            bn=nn.BatchNorm2d(out_channels),
            relu=nn.ReLU(inplace=True),
        )
    )


class SmallBase(nn.Module):
    """The small model's base: four source maps at strides 4, 8, 16 and 32.

    Stage s (1 to 5) is ``depths[s - 1]`` 3x3 conv-BN-ReLU layers of ``widths[s - 1]``
    channels, the first with stride 2. Stages 2 to 5 end in a source map; the stem (stage 1)
    belongs to the first source's chain. For the defaults,
    ``[B, 3, 192, 192] -> [B, 32, 48, 48], [B, 48, 24, 24], [B, 96, 12, 12], [B, 192, 6, 6]``.
    """

    def __init__(
        self, widths: Sequence[int] = WIDTHS, depths: Sequence[int] = DEPTHS
    ):
        super().__init__()
        if len(widths) != 5 or len(depths) != 5 or min(depths) < 1:
            raise ValueError(f"SmallBase: need 5 widths and 5 depths >= 1, got {widths}, {depths}")
        self.widths = tuple(int(w) for w in widths)
        self.depths = tuple(int(d) for d in depths)
        self.out_channels = self.widths[1:]
        self.source_names = tuple(f"conv{s}_{self.depths[s - 1]}" for s in range(2, 6))
        self.chains = nn.ModuleDict()
        layers: OrderedDict[str, nn.Module] = OrderedDict()
        in_ch = 3
        for s, (width, depth) in enumerate(zip(self.widths, self.depths), start=1):
            for i in range(1, depth + 1):
                layers[f"conv{s}_{i}"] = conv_bn_relu(in_ch, width, stride=2 if i == 1 else 1)
                in_ch = width
            if s >= 2:                                   # stage s ends in a source map
                self.chains[f"conv{s}_{depth}"] = nn.Sequential(layers)
                layers = OrderedDict()
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """He initialisation for the convolutions; BatchNorm starts as the identity."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def stages(self) -> list[nn.Module]:
        """The chains of layers that end at each source, in order."""
        return list(self.chains.values())

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """``[B, 3, H, W]`` -> the four source maps, strides 4 to 32."""
        maps = []
        for chain in self.chains.values():
            x = chain(x)                                              # e.g. [B, 32, 48, 48]
            maps.append(x)
        return maps

    def extra_repr(self) -> str:
        return f"widths={self.widths}, depths={self.depths}"


def build_small_ssd(
    config: SSDConfig,
    num_classes: int,
    widths: Sequence[int] = WIDTHS,
    depths: Sequence[int] = DEPTHS,
) -> SSD:
    """The small SSD for ``config`` (normally :meth:`SSDConfig.small`); see the module docstring.

    Use :func:`ssd_core.models.build_ssd`, which also checks the maps against the config.
    """
    if config.num_sources != 6:
        raise ValueError(
            f"build_ssd: the small model has 6 source maps; config {config.name!r} has "
            f"{config.num_sources}"
        )
    base = SmallBase(widths, depths)
    w5 = base.out_channels[-1]
    extras = nn.ModuleList(
        [
            extra_block("conv6", w5, 64, 128, kernel_size=3, stride=2, padding=1, batch_norm=True),
            # No BatchNorm on conv7: statistics of a 1x1 map of one image are undefined.
            extra_block("conv7", 128, 64, 128, kernel_size=3, stride=1, padding=0, batch_norm=False),
        ]
    )
    for m in extras.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    head = MultiBoxHead([*base.out_channels, 128, 128], config.boxes_per_location, num_classes)
    return SSD(config, num_classes, base, extras, head, IMAGENET_MEAN, IMAGENET_STD)


def small_widths(state_dict: dict) -> tuple[int, ...] | None:
    """The base widths a small SSD's ``state_dict`` was built with (read from the first
    convolution of each stage), or None when it is not a small SSD's. Runs trained before
    2026-12-07 have 16, 48, 64, 128, 256: they load with the widths they were trained with."""
    widths = []
    for stage in range(1, 6):
        found = [v for k, v in state_dict.items()
                 if k.startswith("base.chains.") and k.endswith(f".conv{stage}_1.conv.weight")]
        if len(found) != 1:
            return None
        widths.append(int(found[0].shape[0]))
    return tuple(widths)
