"""The SSD network (section 2.1, Fig. 2): a base network, extra layers, and multibox heads.

* **Base.** VGG16 (:mod:`ssd_core.models.vgg`) gives the first two source maps, conv4_3 and
  fc7; the small CPU model (:mod:`ssd_core.models.small`) gives its own.
* **Extra feature layers.** Pairs of a 1x1 convolution (fewer channels) and a 3x3 one
  (stride 2, or no padding) shrink the map down to 1x1: conv8_2 ... conv11_2 for SSD300,
  conv8_2 ... conv12_2 for SSD512. Each pair's output is a source map.
* **Heads.** On every source map, one 3x3 convolution predicts 4 offsets per default box
  (localisation) and another one ``num_classes`` scores per default box (confidence).
  Their outputs are flattened location by location, then box by box, and concatenated map
  after map, which is the order of :func:`ssd_core.default_boxes.default_boxes`.

New layers (fc6, fc7, extras, heads) start from Xavier-uniform weights and zero biases, as
in the original.

**Input normalisation (a decision).** The model takes RGB float images in [0, 1],
``[B, 3, H, W]``, already resized to ``config.image_size`` (resizing is the data pipeline's
job, so that boxes and pixels move together). Its first step, :class:`Normalize`, computes
``(x - mean) / std`` with torchvision's SSD300 constants: mean (0.48235, 0.45882, 0.40784),
std 1/255. That is the original's Caffe convention, pixel values 0..255 minus (123, 117,
104), the input the VGG16 weights were trained on; so converted torchvision weights give the
same outputs, and no caller ever normalises by hand. The small model uses ImageNet's
mean and std instead (its BatchNorm makes the exact numbers unimportant).

The pieces are put together for a config by :func:`ssd_core.models.build.build_ssd`, which
also checks that the network makes exactly one prediction per default box;
:mod:`ssd_core.models.torchvision_port` converts torchvision's ``ssd300_vgg16``.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Sequence

import torch
from torch import nn

from ..config import SSDConfig
from ..default_boxes import default_boxes
from ..device import eval_mode
from ..postprocess import postprocess

__all__ = ["CAFFE_MEAN", "CAFFE_STD", "Normalize", "MultiBoxHead", "SSD", "extra_block", "xavier_init"]

#: torchvision's SSD300 input constants: (x - mean) / std == 255 x - (123, 117, 104).
CAFFE_MEAN: tuple[float, float, float] = (0.48235, 0.45882, 0.40784)
CAFFE_STD: tuple[float, float, float] = (1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)

def xavier_init(module: nn.Module) -> None:
    """Xavier-uniform weights and zero biases for every convolution inside ``module``."""
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


class Normalize(nn.Module):
    """``(x - mean) / std`` per channel: ``[B, 3, H, W]`` in [0, 1] -> the network's input."""

    def __init__(self, mean: Sequence[float], std: Sequence[float]):
        super().__init__()
        # Constants, not weights: not saved in the state dict, but moved by .to(device).
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(-1, 1, 1), persistent=False)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Normalise a batch; raises if it is not ``[B, 3, H, W]`` floating point."""
        if images.dim() != 4 or images.shape[1] != self.mean.shape[0]:
            raise ValueError(
                f"SSD expects images [B, {self.mean.shape[0]}, H, W], got {tuple(images.shape)}"
            )
        if not images.is_floating_point():
            raise TypeError(
                f"SSD expects float images in [0, 1], got {images.dtype}; divide uint8 by 255"
            )
        return (images - self.mean) / self.std

    def extra_repr(self) -> str:
        mean = ", ".join(f"{v:.5g}" for v in self.mean.flatten().tolist())
        std = ", ".join(f"{v:.5g}" for v in self.std.flatten().tolist())
        return f"mean=({mean}), std=({std})"


def extra_block(
    name: str, in_channels: int, mid_channels: int, out_channels: int,
    kernel_size: int = 3, stride: int = 2, padding: int = 1, batch_norm: bool = False,
) -> nn.Sequential:
    """One extra feature layer: 1x1 ``{name}_1`` then ``kernel_size`` ``{name}_2``, with ReLUs.

    The block's output (``{name}_2``) is a source map. With ``batch_norm`` each convolution
    is followed by BatchNorm (and has no bias), as in the small model.
    """
    if not name.startswith("conv"):
        raise ValueError(f"extra_block: name like 'conv8', got {name!r}")
    number = name[len("conv"):]                      # "conv8" -> bn8_1, relu8_1, ...
    layers: OrderedDict[str, nn.Module] = OrderedDict()
    for i, (cin, cout, k, s, p) in enumerate(
        [(in_channels, mid_channels, 1, 1, 0), (mid_channels, out_channels, kernel_size, stride, padding)],
        start=1,
    ):
        layers[f"{name}_{i}"] = nn.Conv2d(cin, cout, k, stride=s, padding=p, bias=not batch_norm)
        if batch_norm:
            layers[f"bn{number}_{i}"] = nn.BatchNorm2d(cout)
        layers[f"relu{number}_{i}"] = nn.ReLU(inplace=True)
    block = nn.Sequential(layers)
    block.source_name = f"{name}_2"
    return block


class MultiBoxHead(nn.Module):
    """One localisation and one confidence 3x3 convolution per source map.

    ``forward(sources)`` returns ``loc [B, P, 4]`` and ``conf [B, P, num_classes]`` where
    ``P = sum_k H_k W_k A_k``, in the default boxes' order: map, row, column, box.
    """

    def __init__(self, in_channels: Sequence[int], boxes_per_location: Sequence[int], num_classes: int):
        super().__init__()
        if len(in_channels) != len(boxes_per_location):
            raise ValueError(
                f"MultiBoxHead: {len(in_channels)} source maps but "
                f"{len(boxes_per_location)} boxes-per-location entries"
            )
        self.num_classes = num_classes
        self.boxes_per_location = tuple(boxes_per_location)
        self.loc = nn.ModuleList(
            nn.Conv2d(c, a * 4, kernel_size=3, padding=1) for c, a in zip(in_channels, boxes_per_location)
        )
        self.conf = nn.ModuleList(
            nn.Conv2d(c, a * num_classes, kernel_size=3, padding=1)
            for c, a in zip(in_channels, boxes_per_location)
        )
        xavier_init(self)

    @staticmethod
    def _flatten(x: torch.Tensor, columns: int) -> torch.Tensor:
        """``[B, A * columns, H, W]`` -> ``[B, H * W * A, columns]``: row, column, then box.

        Channel ``a * columns + j`` is value j of box a, as in the original and torchvision.
        """
        B = x.shape[0]
        x = x.permute(0, 2, 3, 1)                                     # [B, H, W, A * columns]
        return x.reshape(B, -1, columns)                              # [B, H * W * A, columns]

    def forward(self, sources: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
        """Predictions of every default box, concatenated over the source maps."""
        if len(sources) != len(self.loc):
            raise ValueError(f"MultiBoxHead: expected {len(self.loc)} source maps, got {len(sources)}")
        loc = torch.cat([self._flatten(l(x), 4) for l, x in zip(self.loc, sources)], dim=1)   # [B, P, 4]
        conf = torch.cat(
            [self._flatten(c(x), self.num_classes) for c, x in zip(self.conf, sources)], dim=1
        )                                                                                   # [B, P, C]
        return loc, conf

    def extra_repr(self) -> str:
        return f"num_classes={self.num_classes}, boxes_per_location={self.boxes_per_location}"


class SSD(nn.Module):
    """Single Shot MultiBox Detector: images in, one (offsets, class logits) per default box out.

    Attributes:
        config: the :class:`~ssd_core.SSDConfig` it was built for.
        num_classes: classes including background (VOC: 21).
        normalize: the input step (see the module docstring).
        base: the base network; returns its source maps, the last one being where the
            extras go on from.
        extras: the extra feature layers, one source map each.
        head: the :class:`MultiBoxHead`.
        priors: buffer ``[P, 4]`` cxcywh, the default boxes the predictions refer to
            (``default_boxes(config)``, or torchvision's after :func:`from_torchvision`).
        source_names: the name of every source map, e.g. ``("conv4_3", "fc7", "conv8_2", ...)``.
    """

    def __init__(
        self,
        config: SSDConfig,
        num_classes: int,
        base: nn.Module,
        extras: nn.ModuleList,
        head: MultiBoxHead,
        image_mean: Sequence[float],
        image_std: Sequence[float],
        priors: torch.Tensor | None = None,
    ):
        super().__init__()
        self.config = config
        self.num_classes = num_classes
        self.normalize = Normalize(image_mean, image_std)
        self.base = base
        self.extras = extras
        self.head = head
        self.source_names: tuple[str, ...] = tuple(base.source_names) + tuple(
            getattr(e, "source_name", f"extra{i + 1}") for i, e in enumerate(extras)
        )
        if priors is None:
            priors = default_boxes(config)
        # Saved with the weights: the boxes they were trained against travel with them.
        self.register_buffer("priors", priors.to(torch.float32).clone())

    def stages(self) -> list[nn.Module]:
        """The chain of layers ending at each source map (for :func:`ssd_core.models.describe`)."""
        return list(self.base.stages()) + list(self.extras)

    def sources(self, images: torch.Tensor) -> list[torch.Tensor]:
        """The source feature maps for images ``[B, 3, H, W]`` in [0, 1]."""
        x = self.normalize(images)                                    # [B, 3, H, W]
        maps = list(self.base(x))                         # [B, 512, 38, 38], [B, 1024, 19, 19]
        x = maps[-1]
        for block in self.extras:
            x = block(x)                                              # e.g. [B, 512, 10, 10]
            maps.append(x)
        return maps

    def forward(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Raw predictions: ``loc [B, P, 4]`` offsets and ``conf [B, P, num_classes]`` logits."""
        return self.head(self.sources(images))                        # [B, 8732, 4], [B, 8732, 21]

    @torch.no_grad()
    def detect(self, images: torch.Tensor, **postprocess_kwargs) -> list[dict[str, torch.Tensor]]:
        """Detections per image: forward in eval mode, then :func:`ssd_core.postprocess`.

        Keyword arguments go to :func:`~ssd_core.postprocess.postprocess` (``conf_threshold``,
        ``nms_threshold``, ``top_k`` ...). Boxes come back xyxy in [0, 1]. The model's
        train/eval mode is restored afterwards.
        """
        with eval_mode(self):
            loc, conf = self(images)                                  # [B, P, 4], [B, P, C]
        postprocess_kwargs.setdefault("variances", self.config.variances)
        # Under autocast the heads give bf16/fp16; decode and suppress in float32.
        return postprocess(loc.float(), conf.float(), self.priors, **postprocess_kwargs)

    def extra_repr(self) -> str:
        n = sum(p.numel() for p in self.parameters())
        return (
            f"config={self.config!r}, num_classes={self.num_classes}, "
            f"priors={self.priors.shape[0]}, parameters={n:,}"
        )
