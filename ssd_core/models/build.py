"""Building an SSD for a config, and checking it makes one prediction per default box.

:func:`build_ssd` reads ``config.backbone``: ``"vgg16"`` puts VGG16 (:mod:`.vgg`) and the
extra feature layers of section 2.1 under the multibox heads (SSD300 or SSD512, chosen by the
number of source maps); ``"small"`` builds the CPU model of :mod:`.small`. Either way,
:func:`check_predictions` then runs the network on a shape-only input and compares every
source map with the config, so a network and its default boxes can never silently disagree.
"""

from __future__ import annotations

import torch
from torch import nn

from ..config import SSDConfig
from .small import WIDTHS, build_small_ssd, small_widths
from .ssd import CAFFE_MEAN, CAFFE_STD, SSD, MultiBoxHead, extra_block, xavier_init
from .vgg import VGG16Base

__all__ = ["build_ssd", "build_vgg_ssd", "check_predictions", "VGG_EXTRAS"]

# (name, mid channels, out channels, kernel, stride, padding) of each extra block, after fc7.
VGG_EXTRAS: dict[int, tuple[tuple[str, int, int, int, int, int], ...]] = {
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


def build_vgg_ssd(config: SSDConfig, num_classes: int) -> SSD:
    """SSD300 or SSD512 on VGG16, chosen by the number of source maps in the config."""
    spec = VGG_EXTRAS.get(config.num_sources)
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


def build_ssd(config: SSDConfig, num_classes: int, state_dict: dict | None = None) -> SSD:
    """The SSD for ``config`` with ``num_classes`` classes (background included).

    ``config.backbone`` picks the base: ``"vgg16"`` (SSD300 / SSD512) or ``"small"`` (the CPU
    model of :mod:`ssd_core.models.small`). With the ``state_dict`` a checkpoint holds, the
    small model takes the widths that state was trained with (:func:`small_widths`), so runs
    from before a change of the default widths still load. The network is checked with
    :func:`check_predictions` before it is returned.
    """
    if num_classes < 2:
        raise ValueError(f"build_ssd: num_classes counts the background and must be >= 2, got {num_classes}")
    backbone = getattr(config, "backbone", "vgg16")
    if backbone == "vgg16":
        model = build_vgg_ssd(config, num_classes)
    elif backbone == "small":
        saved = small_widths(state_dict) if state_dict is not None else None
        model = build_small_ssd(config, num_classes, saved or WIDTHS)
    else:
        raise ValueError(f"build_ssd: unknown backbone {backbone!r}; known: 'vgg16', 'small'")
    check_predictions(model)
    return model
