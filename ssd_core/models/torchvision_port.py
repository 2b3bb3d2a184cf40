"""torchvision's ``ssd300_vgg16`` as an ``ssd_core`` SSD, with the same outputs.

torchvision trains SSD300 on COCO; its weights are the easiest trained SSD to get. The
network is the paper's (VGG16, atrous fc6/fc7, L2Norm, four extra layers, 3x3 heads); only
the names of the weights and the default-box scales differ. :func:`from_torchvision` renames
the weights, takes torchvision's own default boxes into the ``priors`` buffer and its input
constants into :class:`~ssd_core.models.ssd.Normalize`, so that on the same 300x300 input the
two models give the same raw outputs (tested bit for bit on a randomly initialised model).
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import torch
from torch import nn
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator
from torchvision.models.detection.image_list import ImageList
from torchvision.models.detection.ssd import SSD as TorchvisionSSD
from torchvision.models.detection.ssd import SSDFeatureExtractorVGG

from ..boxes import xyxy_to_cxcywh
from ..config import SSD300_ASPECT_RATIOS, SSDConfig
from .build import VGG_EXTRAS, build_vgg_ssd, check_predictions
from .ssd import CAFFE_MEAN, CAFFE_STD, SSD, Normalize
from .vgg import VGG16_CONV_NAMES, torchvision_feature_indices

__all__ = ["from_torchvision", "torchvision_ssd300_config", "torchvision_default_boxes",
           "TORCHVISION_SSD300_SCALES"]

#: torchvision's ssd300_vgg16 default-box scales (its COCO settings), as fractions of 300 px.
TORCHVISION_SSD300_SCALES: tuple[float, ...] = (0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05)
_TV_STEPS = (8, 16, 32, 64, 100, 300)


def torchvision_ssd300_config() -> SSDConfig:
    """The config of torchvision's ``ssd300_vgg16``: SSD300's maps with its COCO box scales.

    The scales are 0.07 ... 1.05 of the side (21 ... 315 px) instead of the VOC model's
    30 ... 315 px. torchvision also clamps box *sizes* (not centres) to [0, 1], which no
    ``SSDConfig`` expresses; a converted model therefore carries torchvision's exact boxes in
    its ``priors`` buffer (:func:`torchvision_default_boxes`). ``default_boxes`` of this config
    differs from them in 2 of the 8,732 boxes: the wide and the tall box of the 1x1 map,
    0.87 sqrt(2) = 1.23 of the side, which torchvision clamps to 1.
    """
    px = [round(s * 300, 6) for s in TORCHVISION_SSD300_SCALES]
    return SSDConfig(
        name="ssd300-torchvision",
        image_size=300,
        feature_maps=(38, 19, 10, 5, 3, 1),
        steps=_TV_STEPS,
        min_sizes=px[:-1],
        max_sizes=px[1:],
        aspect_ratios=SSD300_ASPECT_RATIOS,
    )


def torchvision_default_boxes(anchor_generator: nn.Module | None = None) -> torch.Tensor:
    """torchvision's SSD300 default boxes as ``[8732, 4]`` cxcywh in [0, 1], from its own code.

    ``anchor_generator`` is a torchvision ``DefaultBoxGenerator`` (a model's
    ``.anchor_generator``); by default the one ``ssd300_vgg16`` builds.
    """
    if anchor_generator is None:
        anchor_generator = DefaultBoxGenerator(
            [list(r) for r in SSD300_ASPECT_RATIOS],
            scales=list(TORCHVISION_SSD300_SCALES),
            steps=list(_TV_STEPS),
        )
    images = ImageList(torch.zeros(1, 3, 300, 300), [(300, 300)])
    maps = [torch.zeros(1, 1, f, f, dtype=torch.float64) for f in (38, 19, 10, 5, 3, 1)]
    xyxy_px = anchor_generator(images, maps)[0]                         # [8732, 4] pixels
    return xyxy_to_cxcywh(xyxy_px / 300.0).to(torch.float32)           # [8732, 4] cxcywh


def _torchvision_key_map() -> dict[str, str]:
    """torchvision ``ssd300_vgg16`` state-dict key -> our key, for every weight and bias."""
    pairs: list[tuple[str, str]] = []
    indices = torchvision_feature_indices()
    # conv1_1 ... conv4_3: torchvision's backbone.features is VGG's features up to pool4.
    for name, i in zip(VGG16_CONV_NAMES[:10], indices[:10]):
        pairs.append((f"backbone.features.{i}", f"base.to_conv4_3.{name}"))
    # backbone.extra.0 = pool4, conv5_1, relu, conv5_2, relu, conv5_3, relu, fc block.
    for name, i in zip(VGG16_CONV_NAMES[10:], (1, 3, 5)):
        pairs.append((f"backbone.extra.0.{i}", f"base.to_fc7.{name}"))
    # fc block = pool5, fc6, relu, fc7, relu.
    pairs += [("backbone.extra.0.7.1", "base.to_fc7.fc6"), ("backbone.extra.0.7.3", "base.to_fc7.fc7")]
    for j, (name, *_rest) in enumerate(VGG_EXTRAS[6], start=1):
        pairs += [(f"backbone.extra.{j}.0", f"extras.{j - 1}.{name}_1"),
                  (f"backbone.extra.{j}.2", f"extras.{j - 1}.{name}_2")]
    for k in range(6):
        pairs += [(f"head.regression_head.module_list.{k}", f"head.loc.{k}"),
                  (f"head.classification_head.module_list.{k}", f"head.conf.{k}")]
    keys = {f"{tv}.{kind}": f"{ours}.{kind}" for tv, ours in pairs for kind in ("weight", "bias")}
    keys["backbone.scale_weight"] = "base.l2norm.scale"
    return keys


def _as_torchvision_state(model_or_state) -> tuple[Mapping, nn.Module | None, tuple, tuple]:
    """The state dict, anchor generator and input constants of whatever the user passed."""
    image_mean, image_std = CAFFE_MEAN, CAFFE_STD
    if isinstance(model_or_state, (str, os.PathLike)):
        model_or_state = torch.load(model_or_state, map_location="cpu", weights_only=True)
    if isinstance(model_or_state, nn.Module):
        m = model_or_state
        if not (isinstance(m, TorchvisionSSD) and isinstance(m.backbone, SSDFeatureExtractorVGG)):
            raise TypeError(
                "from_torchvision: expected torchvision's ssd300_vgg16 (an SSD on "
                f"SSDFeatureExtractorVGG), got {type(m).__name__}"
                + (f" on {type(m.backbone).__name__}" if hasattr(m, "backbone") else "")
            )
        fixed = tuple(m.transform.fixed_size or ())
        if fixed != (300, 300):
            raise ValueError(f"from_torchvision: expected a 300x300 model, this one resizes to {fixed}")
        image_mean, image_std = tuple(m.transform.image_mean), tuple(m.transform.image_std)
        return m.state_dict(), m.anchor_generator, image_mean, image_std
    if isinstance(model_or_state, Mapping):
        state = model_or_state
        # torchvision's detection reference scripts save {"model": state_dict, "optimizer": ...}.
        if "model" in state and isinstance(state["model"], Mapping):
            state = state["model"]
        return state, None, image_mean, image_std
    raise TypeError(
        "from_torchvision: expected a torchvision SSD model, a state dict or a path to one, got "
        f"{type(model_or_state).__name__}"
    )


def from_torchvision(model_or_state) -> SSD:
    """An :class:`SSD` with the weights of torchvision's ``ssd300_vgg16``.

    Args:
        model_or_state: a ``torchvision.models.detection.ssd300_vgg16(...)`` model, its
            ``state_dict()``, or a path to a saved one (e.g. the COCO weights file). Any
            number of classes works; it is read from the confidence head (COCO: 91).

    The result has ``config = torchvision_ssd300_config()``, torchvision's default boxes in
    ``priors`` and the same input normalisation, so on the same 300x300 input it gives the
    same raw outputs and, through :meth:`SSD.detect`, the same detections (in [0, 1] units
    instead of pixels). Raises ``ValueError`` for anything that is not an SSD300-VGG16 state.
    """
    state, anchor_generator, image_mean, image_std = _as_torchvision_state(model_or_state)
    key_map = _torchvision_key_map()
    missing = sorted(set(key_map) - set(state))
    unexpected = sorted(set(state) - set(key_map))
    if missing or unexpected:
        def some(keys: list[str]) -> str:
            return ", ".join(keys[:4]) + (f" ... ({len(keys)} in all)" if len(keys) > 4 else "")

        raise ValueError(
            "from_torchvision: this is not a state dict of torchvision's ssd300_vgg16"
            + (f"; missing: {some(missing)}" if missing else "")
            + (f"; unexpected: {some(unexpected)}" if unexpected else "")
        )
    conf0 = state["head.classification_head.module_list.0.weight"]    # [A * C, 512, 3, 3]
    conf1 = state["head.classification_head.module_list.1.weight"]    # [6 * C, 1024, 3, 3]
    num_classes = conf0.shape[0] // 4
    if conf0.shape[0] % 4 or conf1.shape[0] != 6 * num_classes:
        raise ValueError(
            "from_torchvision: the confidence head does not have 4 and 6 boxes per location on "
            f"its first two maps (output channels {conf0.shape[0]} and {conf1.shape[0]})"
        )
    model = build_vgg_ssd(torchvision_ssd300_config(), num_classes)
    ours = {key_map[k]: v for k, v in state.items()}
    ours["priors"] = torchvision_default_boxes(anchor_generator)
    try:
        model.load_state_dict(ours, strict=True)
    except RuntimeError as err:
        raise ValueError(f"from_torchvision: the weights do not fit SSD300-VGG16: {err}") from err
    model.normalize = Normalize(image_mean, image_std)
    check_predictions(model)
    return model
