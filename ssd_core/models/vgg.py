"""The base network (sections 2.1 and 3): VGG16, cut and converted the way SSD needs it.

SSD keeps VGG16's thirteen 3x3 convolutions (conv1_1 ... conv5_3) and changes the top:

* **pool3** rounds up (``ceil_mode``), so a 300 px input gives a 38x38 conv4_3 map
  (300 -> 150 -> 75 -> 38) as in the original Caffe model;
* **pool5** becomes 3x3 with stride 1 (instead of 2x2 with stride 2): the map stays 19x19;
* **fc6** becomes a 3x3 convolution with 1024 channels and *dilation 6* (the "atrous"
  algorithm): its taps sit 6 cells apart, so it sees a 13x13 window of conv5_3 at the cost
  of a 3x3 one;
* **fc7** becomes a 1x1 convolution with 1024 channels; the classifier (fc8) is dropped;
* **conv4_3** is the first source map. Its activations are much larger than those of the
  later maps, so before its predictions it is L2-normalised at every location and rescaled
  by a learned per-channel scale that starts at 20 (ParseNet; section 3.1, "PASCAL VOC2007").

Pretrained weights. The original starts from a "reduced" VGG16 whose fc6/fc7 were
subsampled from the fully connected layers. torchvision ships the convolutional part of
that model as ``VGG16_Weights.IMAGENET1K_FEATURES``; :func:`load_vgg16_imagenet` copies its
thirteen convolutions into :class:`VGG16Base`, and fc6/fc7 keep their Xavier start (which is
also what torchvision's ``ssd300_vgg16`` does). Those weights expect RGB input in 0..255 minus
the mean (123, 117, 104): see :mod:`ssd_core.models.ssd` for where that happens.
"""

from __future__ import annotations

import os
import urllib.error
from collections import OrderedDict
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models import VGG16_Weights

__all__ = [
    "L2Norm",
    "VGG16Base",
    "VGG16_CONV_NAMES",
    "WeightsUnavailableError",
    "vgg16_imagenet_url",
    "load_vgg16_imagenet",
]

#: VGG16's convolutions, in order. Stage s has ``len(...)`` 3x3 convolutions of that width.
_VGG16_STAGES: tuple[tuple[int, int], ...] = ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3))

#: Names of the thirteen 3x3 convolutions, as in the paper and the Caffe prototxt.
VGG16_CONV_NAMES: tuple[str, ...] = tuple(
    f"conv{s + 1}_{i + 1}" for s, (_, n) in enumerate(_VGG16_STAGES) for i in range(n)
)


class L2Norm(nn.Module):
    """Normalise each location's channel vector to unit L2 norm, then scale it per channel.

    ``y[c] = scale[c] * x[c] / ||x||_2``; ``scale`` is learned and starts at ``initial_scale``
    (20 in SSD). Shape is kept: ``[B, C, H, W] -> [B, C, H, W]``.
    """

    def __init__(self, channels: int = 512, initial_scale: float = 20.0, eps: float = 1e-12):
        super().__init__()
        self.eps = eps
        self.initial_scale = initial_scale
        self.scale = nn.Parameter(torch.full((channels,), float(initial_scale)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Normalise over channels (dim 1), then multiply by the per-channel scale."""
        return self.scale.view(1, -1, 1, 1) * F.normalize(x, p=2.0, dim=1, eps=self.eps)

    def extra_repr(self) -> str:
        return f"channels={self.scale.numel()}, initial_scale={self.initial_scale}"


def _vgg_stages() -> tuple[OrderedDict, OrderedDict]:
    """The layers up to conv4_3 (with its ReLU) and from pool4 up to fc7 (with its ReLU)."""
    first: OrderedDict[str, nn.Module] = OrderedDict()
    second: OrderedDict[str, nn.Module] = OrderedDict()
    in_ch = 3
    for s, (width, n) in enumerate(_VGG16_STAGES, start=1):
        layers = first if s <= 4 else second
        if s > 1:
            # pool3 rounds up: 75 -> 38 on SSD300 (Caffe's pooling always rounds up).
            layers[f"pool{s - 1}"] = nn.MaxPool2d(2, stride=2, ceil_mode=(s - 1 == 3))
        for i in range(1, n + 1):
            layers[f"conv{s}_{i}"] = nn.Conv2d(in_ch, width, kernel_size=3, padding=1)
            layers[f"relu{s}_{i}"] = nn.ReLU(inplace=True)
            in_ch = width
    # The converted top of section 2.1 / 3: pool5 3x3 stride 1, atrous fc6, 1x1 fc7.
    second["pool5"] = nn.MaxPool2d(3, stride=1, padding=1)
    second["fc6"] = nn.Conv2d(512, 1024, kernel_size=3, padding=6, dilation=6)
    second["relu6"] = nn.ReLU(inplace=True)
    second["fc7"] = nn.Conv2d(1024, 1024, kernel_size=1)
    second["relu7"] = nn.ReLU(inplace=True)
    return first, second


class VGG16Base(nn.Module):
    """VGG16 cut for SSD: returns the two base source maps ``[conv4_3 (L2-normed), fc7]``.

    For a 300 px input: ``[B, 3, 300, 300] -> [B, 512, 38, 38], [B, 1024, 19, 19]``.
    The input is expected already normalised (see :class:`ssd_core.models.ssd.Normalize`).
    """

    source_names: tuple[str, ...] = ("conv4_3", "fc7")
    out_channels: tuple[int, ...] = (512, 1024)

    def __init__(self) -> None:
        super().__init__()
        first, second = _vgg_stages()
        self.to_conv4_3 = nn.Sequential(first)
        self.l2norm = L2Norm(512, initial_scale=20.0)
        self.to_fc7 = nn.Sequential(second)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """VGG convolutions as torchvision initialises VGG; fc6 and fc7 with Xavier."""
        for name, m in [*self.to_conv4_3.named_children(), *self.to_fc7.named_children()]:
            if not isinstance(m, nn.Conv2d):
                continue
            if name in ("fc6", "fc7"):
                nn.init.xavier_uniform_(m.weight)
            else:
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            nn.init.zeros_(m.bias)

    def stages(self) -> list[nn.Module]:
        """The chains of layers that end at each source, in order (for :func:`describe`)."""
        return [self.to_conv4_3, self.to_fc7]

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """``[B, 3, H, W]`` -> ``[conv4_3 normalised [B, 512, H/8], fc7 [B, 1024, H/16]]``.

        The trunk goes on from the *unnormalised* conv4_3; only the prediction sees L2Norm.
        """
        conv4_3 = self.to_conv4_3(x)                                  # [B, 512, 38, 38]
        fc7 = self.to_fc7(conv4_3)                                    # [B, 1024, 19, 19]
        return [self.l2norm(conv4_3), fc7]

    def conv_layers(self) -> OrderedDict[str, nn.Conv2d]:
        """conv1_1 ... conv5_3 by name (the layers ImageNet weights exist for)."""
        convs = OrderedDict()
        for name, m in [*self.to_conv4_3.named_children(), *self.to_fc7.named_children()]:
            if name in VGG16_CONV_NAMES:
                convs[name] = m
        return convs


# ---------------------------------------------------------------------------------- weights
class WeightsUnavailableError(RuntimeError):
    """Pretrained weights could not be found on disk nor downloaded."""


def vgg16_imagenet_url() -> str:
    """Address of torchvision's ``VGG16_Weights.IMAGENET1K_FEATURES`` (the original's VGG)."""
    return VGG16_Weights.IMAGENET1K_FEATURES.url


def torchvision_feature_indices() -> list[int]:
    """Index of each of the 13 convolutions inside torchvision's ``vgg16().features``.

    torchvision builds ``features`` as conv, ReLU per convolution and a max-pool per stage.
    """
    indices, i = [], 0
    for _, n in _VGG16_STAGES:
        for _ in range(n):
            indices.append(i)
            i += 2                     # conv, ReLU
        i += 1                         # max-pool
    return indices


def _fetch_vgg16_state(path: str | os.PathLike | None, progress: bool) -> dict:
    """The state dict from ``path``, or from torch hub's cache, downloading when online."""
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise WeightsUnavailableError(f"load_vgg16_imagenet: no file at {path}")
        return torch.load(path, map_location="cpu", weights_only=True)
    url = vgg16_imagenet_url()
    file_name = url.rsplit("/", 1)[-1]
    checkpoints = Path(torch.hub.get_dir()) / "checkpoints"
    try:
        return torch.hub.load_state_dict_from_url(
            url, map_location="cpu", progress=progress, check_hash=True, weights_only=True
        )
    except (urllib.error.URLError, OSError) as err:
        raise WeightsUnavailableError(
            f"Could not download the VGG16 ImageNet weights ({err}).\n"
            f"Offline? Download {url} on a machine that is online and put the file here, "
            f"keeping its name:\n    {checkpoints / file_name}\n"
            "(that is torch hub's cache; set TORCH_HOME to move it), "
            "or pass load_vgg16_imagenet(model, path=...)."
        ) from err


def load_vgg16_imagenet(
    model: nn.Module, path: str | os.PathLike | None = None, progress: bool = True
) -> nn.Module:
    """Copy VGG16's ImageNet convolutions (conv1_1 ... conv5_3) into ``model``.

    Args:
        model: a :class:`VGG16Base` or an SSD that has one as ``model.base``.
        path: a ``.pth`` state dict of torchvision's ``vgg16`` (keys ``features.N.weight``).
            Without it the file comes from torch hub's cache, downloaded if missing.
        progress: show a download progress bar.

    Returns ``model``. fc6, fc7, L2Norm and everything above stay as they are. Raises
    :class:`WeightsUnavailableError`, naming the file and the folder to put it in, when the
    weights are neither on disk nor downloadable.
    """
    base = model.base if hasattr(model, "base") else model
    if not isinstance(base, VGG16Base):
        raise TypeError(
            f"load_vgg16_imagenet: expected a VGG16Base or an SSD built on one, got "
            f"{type(base).__name__}"
        )
    state = _fetch_vgg16_state(path, progress)
    ours = base.conv_layers()
    with torch.no_grad():
        for name, index in zip(VGG16_CONV_NAMES, torchvision_feature_indices()):
            conv = ours[name]
            for kind in ("weight", "bias"):
                key = f"features.{index}.{kind}"
                if key not in state:
                    raise ValueError(
                        f"load_vgg16_imagenet: the state dict has no {key!r} ({name}); "
                        "is it torchvision's vgg16?"
                    )
                target = getattr(conv, kind)
                if state[key].shape != target.shape:
                    raise ValueError(
                        f"load_vgg16_imagenet: {key} ({name}) has shape "
                        f"{tuple(state[key].shape)}, expected {tuple(target.shape)}"
                    )
                target.copy_(state[key])
    return model
