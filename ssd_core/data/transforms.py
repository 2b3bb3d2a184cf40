"""Data augmentation (section 2.2, "Data augmentation"; the zoom-out of section 3.6).

The paper's training pipeline, in the order of the original Caffe implementation:

1. **photometric distortion**: random brightness, contrast, saturation and hue, each with
   probability 1/2 (contrast either before or after the colour changes);
2. **zoom out** ("expansion", added in the paper's later version for small objects): with
   probability 1/2, lay the image on a canvas up to 4 times its side filled with the mean
   colour, so objects become smaller;
3. **IoU crop**: pick at random one of {the whole image; a patch whose IoU with an object is at
   least 0.1, 0.3, 0.5, 0.7 or 0.9; any patch}. A patch covers 0.3 to 1 of the image side
   (0.09 to 1 of its area) with an aspect ratio between 1/2 and 2. Objects whose centre lies
   in the patch are kept (and cut to it); the others are dropped;
4. **resize** to the network's square input (300 x 300 for SSD300), ignoring the aspect ratio;
5. **horizontal flip** with probability 1/2;
6. **sanitise**: drop boxes smaller than ``min_size`` pixels, then express the boxes in
   ``[0, 1]`` units of the image (the convention of the rest of ``ssd_core``).

The pixel work is done by ``torchvision.transforms.v2.functional`` on ``tv_tensors``. The
random draws are ours, for two reasons: every draw comes from a ``torch.Generator`` (a lesson
re-run shows the same picture, and DataLoader workers do not matter), and each step returns
what it drew (``trace`` hands lesson 3 the patch, the zoom factor, the option chosen).
torchvision's ``RandomIoUCrop`` draws from the global RNG, hides its patch, and loops forever
when the only option left cannot be met (a tiny object with a minimum IoU of 0.9).

The crop is chosen the way Caffe's ``batch_sampler`` does it: every option gets up to 50 tries
(vectorised here), and one of the options that found a patch is picked at random. The IoU test
asks that at least one *kept* object (centre inside) overlaps the patch by the minimum IoU;
Caffe checks any object, torchvision kept ones, which is what we do. Every option except the
whole image also asks that at least one object centre lies in the patch, so a crop never
loses all the objects of an image that has some.

Images arrive as ``uint8 [3, H, W]`` (``tv_tensors.Image``) and leave as ``float32
[3, S, S]`` in [0, 1] (:func:`~ssd_core.data.images.to_float_image`): the model normalises
with the ImageNet mean and std itself. An image stays ``uint8`` until a step needs floats
(the photometric distortion, the zoom-out's mean-colour canvas) or the resize is done: cutting
and shrinking whole bytes is exact or within one level of 255, and it is what keeps a CPU's
training loader cheap (a 256-pixel image resized as bytes and then made floats takes 0.3 ms,
made floats first 1.7 ms: bench/RESULTS.md, 2026-12-07).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import torch
from torchvision import tv_tensors
from torchvision.ops import box_iou
from torchvision.transforms.v2 import functional as F

from .images import to_float_image

__all__ = [
    "CROP_OPTIONS",
    "MEAN_RGB",
    "SSDAugmentation",
    "SSDEvalTransform",
    "Step",
    "photometric_distort",
    "zoom_out",
    "sample_iou_crop",
    "crop",
    "horizontal_flip",
    "resize",
    "sanitize",
    "normalize_boxes",
]

#: The crop options of section 2.2: ``None`` is the whole image, a number the minimum IoU of a
#: patch with some object, ``0.0`` any patch.
CROP_OPTIONS: tuple[float | None, ...] = (None, 0.1, 0.3, 0.5, 0.7, 0.9, 0.0)

#: Fill colour of the zoom-out canvas: the ImageNet mean in RGB, which the model's
#: normalisation maps to zero (Caffe fills with its mean pixel, (123, 117, 104) / 255).
MEAN_RGB: tuple[float, float, float] = (0.485, 0.456, 0.406)


# ---------------------------------------------------------------------------- helpers


def _rand(g: torch.Generator) -> float:
    """One uniform draw in [0, 1)."""
    return float(torch.rand((), generator=g))


def _uniform(g: torch.Generator, lo: float, hi: float) -> float:
    """One uniform draw in [lo, hi)."""
    return lo + (hi - lo) * _rand(g)


def _boxes_like(boxes: tv_tensors.BoundingBoxes, data: torch.Tensor, canvas_size) -> tv_tensors.BoundingBoxes:
    """New XYXY ``BoundingBoxes`` with ``data`` on a new canvas."""
    return tv_tensors.BoundingBoxes(data, format="XYXY", canvas_size=tuple(canvas_size))


def _select(target: dict, keep: torch.Tensor) -> dict:
    """Keep the objects where ``keep`` is True in every per-object field of ``target``."""
    out = dict(target)
    n = len(target["boxes"])
    for key, value in target.items():
        if isinstance(value, torch.Tensor) and value.ndim >= 1 and len(value) == n:
            out[key] = value[keep]
    out["boxes"] = _boxes_like(target["boxes"], target["boxes"].as_subclass(torch.Tensor)[keep],
                               target["boxes"].canvas_size)
    return out


def _check_target(target: dict) -> None:
    """The transforms need XYXY pixel ``BoundingBoxes`` under ``target["boxes"]``."""
    boxes = target.get("boxes")
    if not isinstance(boxes, tv_tensors.BoundingBoxes):
        raise TypeError(
            "SSD transforms: target['boxes'] must be tv_tensors.BoundingBoxes in pixels "
            f"(as VOCDataset returns them), got {type(boxes).__name__}"
        )
    if boxes.format != tv_tensors.BoundingBoxFormat.XYXY:
        raise ValueError(f"SSD transforms: boxes must be XYXY, got {boxes.format}")


# ---------------------------------------------------------------------------- 1. photometric


def photometric_distort(
    image: torch.Tensor,
    generator: torch.Generator,
    brightness: float = 32 / 255,
    contrast: tuple[float, float] = (0.5, 1.5),
    saturation: tuple[float, float] = (0.5, 1.5),
    hue: float = 0.05,
    p: float = 0.5,
) -> tuple[torch.Tensor, dict]:
    """Caffe's ``DistortImage`` on a float ``[3, H, W]`` image in [0, 1]; boxes do not move.

    Each of brightness (add a delta in ``[-brightness, brightness]``), contrast and saturation
    (multiply by a factor in the range) and hue (shift by up to ``hue`` of a turn) happens with
    probability ``p``; contrast comes first or last with equal chance. ``hue=0.05`` is 18
    degrees, as in ssd.pytorch and torchvision.

    Returns the image and what was applied (``{"brightness": delta, ...}``).
    """
    g = generator
    done: dict[str, float | bool] = {}
    out = image
    if _rand(g) < p:
        done["brightness"] = _uniform(g, -brightness, brightness)
        out = (out + done["brightness"]).clamp_(0.0, 1.0)
    contrast_first = _rand(g) < 0.5
    done["contrast_first"] = contrast_first

    def _contrast(img):
        """Contrast, with probability ``p``."""
        if _rand(g) < p:
            done["contrast"] = _uniform(g, *contrast)
            img = F.adjust_contrast(img, done["contrast"])
        return img

    if contrast_first:
        out = _contrast(out)
    if _rand(g) < p:
        done["saturation"] = _uniform(g, *saturation)
        out = F.adjust_saturation(out, done["saturation"])
    if _rand(g) < p:
        done["hue"] = _uniform(g, -hue, hue)
        out = F.adjust_hue(out, done["hue"])
    if not contrast_first:
        out = _contrast(out)
    return out.clamp(0.0, 1.0), done


# ---------------------------------------------------------------------------- 2. zoom out


def zoom_out(
    image: torch.Tensor,
    boxes: tv_tensors.BoundingBoxes,
    generator: torch.Generator,
    max_scale: float = 4.0,
    fill: Sequence[float] = MEAN_RGB,
    p: float = 0.5,
) -> tuple[torch.Tensor, tv_tensors.BoundingBoxes, dict]:
    """Caffe's "expansion": with probability ``p``, put the image at a random place on a
    canvas ``s`` times its size (``s`` uniform in [1, max_scale]) filled with ``fill``.

    ``image`` is float ``[3, H, W]``; returns the new image ``[3, sH, sW]``, the shifted boxes
    and ``{"scale", "left", "top"}`` (empty when not applied).
    """
    g = generator
    if max_scale <= 1.0 or _rand(g) >= p:
        return image, boxes, {}
    H, W = image.shape[-2:]
    s = _uniform(g, 1.0, max_scale)
    new_h, new_w = int(H * s), int(W * s)
    top = int(math.floor(_rand(g) * (new_h - H + 1)))
    left = int(math.floor(_rand(g) * (new_w - W + 1)))
    canvas = torch.empty(image.shape[:-2] + (new_h, new_w), dtype=image.dtype)
    canvas[:] = torch.tensor(fill, dtype=image.dtype).reshape(-1, 1, 1)  # [3, sH, sW]
    canvas[..., top : top + H, left : left + W] = image
    shifted = boxes.as_subclass(torch.Tensor) + torch.tensor([left, top, left, top], dtype=boxes.dtype)
    return (
        tv_tensors.Image(canvas),
        _boxes_like(boxes, shifted, (new_h, new_w)),
        {"scale": s, "left": left, "top": top},
    )


# ---------------------------------------------------------------------------- 3. IoU crop


def _candidate_patches(
    n: int, H: int, W: int, g: torch.Generator, min_scale: float, max_scale: float,
    min_ratio: float, max_ratio: float,
) -> torch.Tensor:
    """``n`` random patches, ``[n, 4]`` xyxy in whole pixels, as Caffe's ``SampleBBox`` draws
    them: side scale ``s`` in [min_scale, max_scale], aspect ratio ``r`` in
    [max(min_ratio, s^2), min(max_ratio, 1/s^2)] (so the patch fits), width ``s sqrt(r)`` and
    height ``s / sqrt(r)`` of the image's, then a uniform position."""
    u = torch.rand(n, 4, generator=g, dtype=torch.float64)
    s = min_scale + (max_scale - min_scale) * u[:, 0]                          # [n]
    lo = torch.clamp(s * s, min=min_ratio)
    hi = torch.clamp(1.0 / (s * s), max=max_ratio)
    r = lo + (hi - lo) * u[:, 1]
    w = (s * r.sqrt() * W).floor().clamp(1, W)                                 # [n] pixels
    h = (s / r.sqrt() * H).floor().clamp(1, H)
    left = (u[:, 2] * (W - w + 1)).floor()
    top = (u[:, 3] * (H - h + 1)).floor()
    return torch.stack([left, top, left + w, top + h], dim=1).float()          # [n, 4]


def _centres_inside(boxes: torch.Tensor, patches: torch.Tensor) -> torch.Tensor:
    """``[n, N]``: does box j's centre lie strictly inside patch i?"""
    cx = (boxes[:, 0] + boxes[:, 2]) / 2                                      # [N]
    cy = (boxes[:, 1] + boxes[:, 3]) / 2
    return (
        (patches[:, None, 0] < cx) & (cx < patches[:, None, 2])
        & (patches[:, None, 1] < cy) & (cy < patches[:, None, 3])
    )


def sample_iou_crop(
    boxes: torch.Tensor,
    canvas_size: tuple[int, int],
    generator: torch.Generator,
    options: Sequence[float | None] = CROP_OPTIONS,
    trials: int = 50,
    min_scale: float = 0.3,
    max_scale: float = 1.0,
    min_ratio: float = 0.5,
    max_ratio: float = 2.0,
) -> dict:
    """Choose the crop of section 2.2 for pixel ``boxes`` ``[N, 4]`` on an ``(H, W)`` image.

    For each option (``None`` = whole image, ``0.0`` = any patch, else a minimum IoU) up to
    ``trials`` random patches are tried; a patch passes if some object's centre lies inside it
    and one of those objects has IoU >= the minimum with it. One option is then picked at
    random among those that found a patch (the whole image always can).

    Returns ``{"option", "patch"}`` with the patch ``[4]`` xyxy in pixels (``None`` for the
    whole image) and ``keep``, the ``[N]`` mask of objects whose centre is inside.
    """
    g = generator
    H, W = canvas_size
    boxes = boxes.float().reshape(-1, 4)
    found: list[tuple[float | None, torch.Tensor | None]] = []
    for option in options:
        if option is None:
            found.append((None, None))
            continue
        patches = _candidate_patches(trials, H, W, g, min_scale, max_scale, min_ratio, max_ratio)
        if len(boxes):
            inside = _centres_inside(boxes, patches)                          # [T, N]
            iou = box_iou(patches, boxes)                                     # [T, N]
            best = torch.where(inside, iou, torch.full_like(iou, -1.0)).amax(dim=1)
            ok = inside.any(dim=1) & (best >= option)                         # [T]
        else:
            # no objects: only "any patch" can be met
            ok = torch.full((trials,), option <= 0.0)
        hits = ok.nonzero().flatten()
        if len(hits):
            found.append((option, patches[hits[0]]))
    if not found:
        return {"option": None, "patch": None, "keep": torch.ones(len(boxes), dtype=torch.bool)}
    pick = int(torch.randint(len(found), (), generator=g))
    option, patch = found[pick]
    if patch is None:
        keep = torch.ones(len(boxes), dtype=torch.bool)
    else:
        keep = _centres_inside(boxes, patch[None])[0]
    return {"option": option, "patch": patch, "keep": keep}


def crop(image: torch.Tensor, target: dict, patch: torch.Tensor, keep: torch.Tensor):
    """Cut ``patch`` (xyxy whole pixels) out of ``image``; keep the objects in ``keep``, with
    their boxes shifted and cut to the patch."""
    left, top, right, bottom = (int(v) for v in patch.tolist())
    target = _select(target, keep)
    image = F.crop(image, top, left, bottom - top, right - left)
    boxes = F.crop(target["boxes"], top, left, bottom - top, right - left)   # clamps to the patch
    target["boxes"] = boxes
    return image, target


# ---------------------------------------------------------------------------- 4-6


def horizontal_flip(image: torch.Tensor, boxes: tv_tensors.BoundingBoxes):
    """Mirror left-right: ``x -> W - x`` for both corners (which swap)."""
    return F.horizontal_flip(image), F.horizontal_flip(boxes)


def resize(image: torch.Tensor, boxes: tv_tensors.BoundingBoxes, size: int | tuple[int, int]):
    """Warp to ``size x size`` (or ``(h, w)``), ignoring the aspect ratio, as SSD does; a
    ``uint8`` image stays ``uint8`` (torchvision's integer kernel, within one level of the
    float result)."""
    hw = [size, size] if isinstance(size, int) else list(size)
    image = F.resize(image, hw, antialias=True)
    if image.is_floating_point():
        image = image.clamp_(0.0, 1.0)  # interpolation may overshoot by a rounding error
    # scaling can put a corner a rounding error past the border: clamp it back
    return image, F.clamp_bounding_boxes(F.resize(boxes, hw))


def sanitize(target: dict, min_size: float = 1.0) -> dict:
    """Drop objects whose box is narrower or lower than ``min_size`` pixels (and the labels and
    difficult flags with them); boxes are clamped to the image first."""
    boxes = F.clamp_bounding_boxes(target["boxes"])
    _, valid = F.sanitize_bounding_boxes(boxes, min_size=min_size)
    target = dict(target, boxes=boxes)
    return _select(target, valid)


def normalize_boxes(target: dict) -> dict:
    """Pixel ``BoundingBoxes`` -> plain float32 ``[N, 4]`` xyxy in [0, 1] (the core's units)."""
    boxes = target["boxes"]
    H, W = boxes.canvas_size
    scale = torch.tensor([W, H, W, H], dtype=torch.float32)
    return dict(target, boxes=boxes.as_subclass(torch.Tensor).float() / scale)


# ---------------------------------------------------------------------------- pipelines


@dataclass
class Step:
    """One step of a traced pipeline: its name, the image and target after it, what it drew."""

    name: str
    image: torch.Tensor
    target: dict
    params: dict = field(default_factory=dict)


def _master_generator(generator: torch.Generator | None, seed: int | None) -> torch.Generator:
    """The generator a call draws from: given, from ``seed``, or seeded from torch's global RNG
    (which DataLoader seeds per worker)."""
    if generator is not None and seed is not None:
        raise ValueError("give generator or seed, not both")
    if generator is not None:
        return generator
    if seed is None:
        seed = int(torch.randint(0, 2**62, ()))
    return torch.Generator().manual_seed(int(seed))


class SSDAugmentation:
    """The paper's training transform; every step can be switched off.

    Call it as ``aug(image, target, generator=None, seed=None)``; the same seed gives the same
    result. Each step draws from its own generator, split off the call's generator up front,
    so switching one step off does not change what the others draw.

    Args:
        size: side of the square output (300 for SSD300).
        photometric, zoom_out, iou_crop, flip: switch the steps on or off.
        max_zoom: largest zoom-out factor (4 in the paper).
        crop_options: the crop's options (see :data:`CROP_OPTIONS`).
        min_size: boxes smaller than this many pixels (after resizing) are dropped.
        fill: colour of the zoom-out canvas.
        normalize: end with boxes in [0, 1] (plain tensors); ``False`` keeps pixel
            ``BoundingBoxes`` (for drawing).
    """

    STEPS = ("photometric", "zoom_out", "iou_crop", "resize", "flip", "sanitize")

    def __init__(
        self,
        size: int = 300,
        *,
        photometric: bool = True,
        zoom_out: bool = True,
        iou_crop: bool = True,
        flip: bool = True,
        max_zoom: float = 4.0,
        crop_options: Sequence[float | None] = CROP_OPTIONS,
        min_size: float = 1.0,
        fill: Sequence[float] = MEAN_RGB,
        normalize: bool = True,
    ) -> None:
        self.size = size
        self.photometric = photometric
        self.zoom_out = zoom_out
        self.iou_crop = iou_crop
        self.flip = flip
        self.max_zoom = max_zoom
        self.crop_options = tuple(crop_options)
        self.min_size = min_size
        self.fill = tuple(fill)
        self.normalize = normalize

    def trace(
        self,
        image: torch.Tensor,
        target: dict,
        generator: torch.Generator | None = None,
        seed: int | None = None,
    ) -> Iterator[Step]:
        """Run the pipeline one step at a time, yielding a :class:`Step` after each (switched
        off steps are skipped). The last step's image and target are the output."""
        _check_target(target)
        master = _master_generator(generator, seed)
        # One generator per step, drawn up front whatever is switched on.
        seeds = torch.randint(0, 2**62, (4,), generator=master).tolist()
        g_photo, g_zoom, g_crop, g_flip = (torch.Generator().manual_seed(s) for s in seeds)

        img = tv_tensors.Image(image)          # uint8 as read, until a step needs floats
        tgt = dict(target)
        yield Step("input", img, tgt)
        if self.photometric:
            img, info = photometric_distort(to_float_image(img), g_photo)
            img = tv_tensors.Image(img)
            yield Step("photometric", img, tgt, info)
        if self.zoom_out:
            img = to_float_image(img)              # the canvas is the mean colour
            img, boxes, info = zoom_out(img, tgt["boxes"], g_zoom, self.max_zoom, self.fill)
            tgt = dict(tgt, boxes=boxes)
            yield Step("zoom_out", img, tgt, info)
        if self.iou_crop:
            choice = sample_iou_crop(tgt["boxes"].as_subclass(torch.Tensor),
                                     tuple(img.shape[-2:]), g_crop, self.crop_options)
            if choice["patch"] is not None:
                img, tgt = crop(img, tgt, choice["patch"], choice["keep"])
            yield Step("iou_crop", img, tgt, choice)
        img, boxes = resize(img, tgt["boxes"], self.size)
        img = to_float_image(img)                              # floats from here on
        tgt = dict(tgt, boxes=boxes)
        yield Step("resize", img, tgt, {"size": self.size})
        if self.flip:
            flipped = _rand(g_flip) < 0.5
            if flipped:
                img, boxes = horizontal_flip(img, tgt["boxes"])
                tgt = dict(tgt, boxes=boxes)
            yield Step("flip", img, tgt, {"flipped": flipped})
        tgt = sanitize(tgt, self.min_size)
        if self.normalize:
            tgt = normalize_boxes(tgt)
        yield Step("sanitize", img, tgt, {"min_size": self.min_size})

    def __call__(
        self,
        image: torch.Tensor,
        target: dict,
        generator: torch.Generator | None = None,
        seed: int | None = None,
    ) -> tuple[torch.Tensor, dict]:
        """Augment one sample: ``uint8 [3, H, W]`` -> ``float32 [3, S, S]``, target with boxes
        in [0, 1] (or pixels with ``normalize=False``)."""
        *_, last = self.trace(image, target, generator, seed)
        return last.image.as_subclass(torch.Tensor), last.target

    def __repr__(self) -> str:
        """Size, steps switched on, zoom."""
        on = [n for n in ("photometric", "zoom_out", "iou_crop", "flip") if getattr(self, n)]
        return f"SSDAugmentation(size={self.size}, steps={on}, max_zoom={self.max_zoom})"


class SSDEvalTransform:
    """The evaluation transform: resize to ``size x size`` and scale to [0, 1]; no randomness.

    Boxes end in [0, 1] units (or pixels of the resized image with ``normalize=False``);
    ``target["orig_size"]`` keeps the size to map detections back to the photo.
    """

    def __init__(self, size: int = 300, normalize: bool = True) -> None:
        self.size = size
        self.normalize = normalize

    def __call__(self, image: torch.Tensor, target: dict, generator: Any = None, seed: Any = None):
        """``uint8 [3, H, W]`` -> ``float32 [3, S, S]``; ``generator`` and ``seed`` are ignored."""
        _check_target(target)
        img, boxes = resize(tv_tensors.Image(image), target["boxes"], self.size)
        img = to_float_image(img)              # resized as bytes, then floats (module docstring)
        target = dict(target, boxes=boxes)
        if self.normalize:
            target = normalize_boxes(target)
        return img.as_subclass(torch.Tensor), target

    def __repr__(self) -> str:
        """Size."""
        return f"SSDEvalTransform(size={self.size})"
