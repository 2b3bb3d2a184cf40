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

:func:`build_ssd` builds the network for a config and checks, before returning it, that the
network makes exactly one prediction per default box; :func:`from_torchvision` converts
torchvision's ``ssd300_vgg16``.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Mapping
from typing import Sequence

import torch
from torch import nn

from ..boxes import xyxy_to_cxcywh
from ..config import SSDConfig
from ..default_boxes import default_boxes
from ..postprocess import postprocess
from .vgg import VGG16_CONV_NAMES, VGG16Base, _torchvision_feature_indices

__all__ = [
    "CAFFE_MEAN",
    "CAFFE_STD",
    "Normalize",
    "MultiBoxHead",
    "SSD",
    "build_ssd",
    "extra_block",
    "check_predictions",
    "from_torchvision",
    "torchvision_ssd300_config",
    "torchvision_default_boxes",
    "xavier_init",
]

#: torchvision's SSD300 input constants: (x - mean) / std == 255 x - (123, 117, 104).
CAFFE_MEAN: tuple[float, float, float] = (0.48235, 0.45882, 0.40784)
CAFFE_STD: tuple[float, float, float] = (1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)

# (name, mid channels, out channels, kernel, stride, padding) of each extra block, after fc7.
_VGG_EXTRAS: dict[int, tuple[tuple[str, int, int, int, int, int], ...]] = {
    # SSD300: 19 -> 10 -> 5 -> 3 -> 1
    6: (
        ("conv8", 256, 512, 3, 2, 1),
        ("conv9", 128, 256, 3, 2, 1),
        ("conv10", 128, 256, 3, 1, 0),
        ("conv11", 128, 256, 3, 1, 0),
    ),
    # SSD512 (the original's prototxt): 32 -> 16 -> 8 -> 4 -> 2 -> 1
    7: (
        ("conv8", 256, 512, 3, 2, 1),
        ("conv9", 128, 256, 3, 2, 1),
        ("conv10", 128, 256, 3, 2, 1),
        ("conv11", 128, 256, 3, 2, 1),
        ("conv12", 128, 256, 4, 1, 1),
    ),
}


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

    def default_boxes(self) -> torch.Tensor:
        """The default boxes the predictions refer to, ``[P, 4]`` cxcywh (the ``priors`` buffer)."""
        return self.priors

    @torch.no_grad()
    def detect(self, images: torch.Tensor, **postprocess_kwargs) -> list[dict[str, torch.Tensor]]:
        """Detections per image: forward in eval mode, then :func:`ssd_core.postprocess`.

        Keyword arguments go to :func:`~ssd_core.postprocess.postprocess` (``conf_threshold``,
        ``nms_threshold``, ``top_k`` ...). Boxes come back xyxy in [0, 1]. The model's
        train/eval mode is restored afterwards.
        """
        was_training = self.training
        self.eval()
        try:
            loc, conf = self(images)
        finally:
            self.train(was_training)
        postprocess_kwargs.setdefault("variances", self.config.variances)
        # Under autocast the heads give bf16/fp16; decode and suppress in float32.
        return postprocess(loc.float(), conf.float(), self.priors, **postprocess_kwargs)

    def extra_repr(self) -> str:
        n = sum(p.numel() for p in self.parameters())
        return (
            f"config={self.config!r}, num_classes={self.num_classes}, "
            f"priors={self.priors.shape[0]}, parameters={n:,}"
        )


# --------------------------------------------------------------------------------- building
def _build_vgg_ssd(config: SSDConfig, num_classes: int) -> SSD:
    """SSD300 or SSD512 on VGG16, chosen by the number of source maps in the config."""
    spec = _VGG_EXTRAS.get(config.num_sources)
    if spec is None:
        raise ValueError(
            f"build_ssd: a VGG16 SSD has 6 source maps (SSD300) or 7 (SSD512); config "
            f"{config.name!r} has {config.num_sources}"
        )
    base = VGG16Base()
    extras = nn.ModuleList()
    channels = list(base.out_channels)
    for name, mid, out, k, s, p in spec:
        extras.append(extra_block(name, channels[-1], mid, out, k, s, p))
        channels.append(out)
    xavier_init(extras)
    head = MultiBoxHead(channels, config.boxes_per_location, num_classes)
    return SSD(config, num_classes, base, extras, head, CAFFE_MEAN, CAFFE_STD)


class _Probe(nn.Module):
    """Wraps an SSD so that one functional call returns its source maps and predictions."""

    def __init__(self, ssd: SSD):
        super().__init__()
        self.ssd = ssd

    def forward(self, images: torch.Tensor):
        maps = self.ssd.sources(images)
        return maps, self.ssd.head(maps)


def check_predictions(model: SSD) -> None:
    """Check that ``model`` makes exactly one prediction per default box of its config.

    Runs the network on a shape-only ("meta") input of ``config.image_size``, which costs no
    arithmetic, and compares every source map with ``config.feature_maps`` and
    ``config.boxes_per_location``. Raises ``ValueError`` naming the first source that
    disagrees.
    """
    config = model.config
    meta = {
        f"ssd.{name}": torch.empty_like(t, device="meta")
        for name, t in [*model.named_parameters(), *model.named_buffers()]
    }
    # Two images: BatchNorm in training mode refuses a 1x1 map of a single image.
    x = torch.zeros(2, 3, config.image_size, config.image_size, device="meta")
    with torch.no_grad():
        maps, (loc, _) = torch.func.functional_call(_Probe(model), meta, (x,))
    predicted, expected = loc.shape[1], model.priors.shape[0]
    problems = []
    if len(maps) != config.num_sources:
        problems.append(
            f"the network has {len(maps)} source maps ({', '.join(model.source_names)}) but the "
            f"config has {config.num_sources} feature maps {list(config.feature_maps)}"
        )
    for k, (name, fmap) in enumerate(zip(model.source_names, maps)):
        if k >= config.num_sources:
            break
        h, w = fmap.shape[-2:]
        a = model.head.boxes_per_location[k]
        f, a_cfg = config.feature_maps[k], config.boxes_per_location[k]
        if (h, w) != (f, f) or a != a_cfg:
            problems.append(
                f"source {k} {name!r} is {h}x{w} with {a} boxes per location ({h * w * a} "
                f"predictions); the config expects {f}x{f} with {a_cfg} ({f * f * a_cfg})"
            )
    if predicted != expected or problems:
        raise ValueError(
            f"build_ssd({config.name!r}): the network predicts {predicted} boxes per image for a "
            f"{config.image_size} px input but the config has {expected} default boxes: "
            + "; ".join(problems or ["(the priors buffer does not match the config)"])
        )


def build_ssd(config: SSDConfig, num_classes: int) -> SSD:
    """The SSD for ``config`` with ``num_classes`` classes (background included).

    ``config.backbone`` picks the base: ``"vgg16"`` (SSD300 / SSD512) or ``"small"`` (the CPU
    model of :mod:`ssd_core.models.small`). The network is checked with
    :func:`check_predictions` before it is returned.
    """
    if num_classes < 2:
        raise ValueError(f"build_ssd: num_classes counts the background and must be >= 2, got {num_classes}")
    backbone = getattr(config, "backbone", "vgg16")
    if backbone == "vgg16":
        model = _build_vgg_ssd(config, num_classes)
    elif backbone == "small":
        from .small import build_small_ssd

        model = build_small_ssd(config, num_classes)
    else:
        raise ValueError(f"build_ssd: unknown backbone {backbone!r}; known: 'vgg16', 'small'")
    check_predictions(model)
    return model


# ------------------------------------------------------------------------------ torchvision
#: torchvision's ssd300_vgg16 default-box scales (its COCO settings), as fractions of 300 px.
TORCHVISION_SSD300_SCALES: tuple[float, ...] = (0.07, 0.15, 0.33, 0.51, 0.69, 0.87, 1.05)
_TV_ASPECT_RATIOS = ((2,), (2, 3), (2, 3), (2, 3), (2,), (2,))
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
        aspect_ratios=_TV_ASPECT_RATIOS,
    )


def torchvision_default_boxes(anchor_generator: nn.Module | None = None) -> torch.Tensor:
    """torchvision's SSD300 default boxes as ``[8732, 4]`` cxcywh in [0, 1], from its own code.

    ``anchor_generator`` is a torchvision ``DefaultBoxGenerator`` (a model's
    ``.anchor_generator``); by default the one ``ssd300_vgg16`` builds.
    """
    from torchvision.models.detection.anchor_utils import DefaultBoxGenerator
    from torchvision.models.detection.image_list import ImageList

    if anchor_generator is None:
        anchor_generator = DefaultBoxGenerator(
            [list(r) for r in _TV_ASPECT_RATIOS],
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
    indices = _torchvision_feature_indices()
    # conv1_1 ... conv4_3: torchvision's backbone.features is VGG's features up to pool4.
    for name, i in zip(VGG16_CONV_NAMES[:10], indices[:10]):
        pairs.append((f"backbone.features.{i}", f"base.to_conv4_3.{name}"))
    # backbone.extra.0 = pool4, conv5_1, relu, conv5_2, relu, conv5_3, relu, fc block.
    for name, i in zip(VGG16_CONV_NAMES[10:], (1, 3, 5)):
        pairs.append((f"backbone.extra.0.{i}", f"base.to_fc7.{name}"))
    # fc block = pool5, fc6, relu, fc7, relu.
    pairs += [("backbone.extra.0.7.1", "base.to_fc7.fc6"), ("backbone.extra.0.7.3", "base.to_fc7.fc7")]
    for j, (name, *_rest) in enumerate(_VGG_EXTRAS[6], start=1):
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
        from torchvision.models.detection.ssd import SSD as TorchvisionSSD
        from torchvision.models.detection.ssd import SSDFeatureExtractorVGG

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
    model = _build_vgg_ssd(torchvision_ssd300_config(), num_classes)
    ours = {key_map[k]: v for k, v in state.items()}
    ours["priors"] = torchvision_default_boxes(anchor_generator)
    try:
        model.load_state_dict(ours, strict=True)
    except RuntimeError as err:
        raise ValueError(f"from_torchvision: the weights do not fit SSD300-VGG16: {err}") from err
    model.normalize = Normalize(image_mean, image_std)
    check_predictions(model)
    return model
