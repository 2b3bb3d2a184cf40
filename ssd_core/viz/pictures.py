"""Pictures for the explorers: the sample photos and shapes images, and boxes drawn in bulk.

A :class:`Picture` is one image with its ground truth in the core's convention (xyxy in
[0, 1]). The explorers of lessons 2 and 3 draw on it as SSD sees it: warped to the network's
square input, which is what the default boxes are laid over.

Boxes are drawn with :func:`ssd_core.draw.add_boxes` (all 8,732 default boxes of SSD300 as
one artist).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.transforms.v2 import functional as TF

from ..data import sample_dataset, to_float_image
from ..data.shapes import SHAPE_CLASSES, ShapesSpec, draw_shapes_image
from ..draw import class_label
from ..i18n import pgettext
from ..inference import map_labels

__all__ = [
    "Picture",
    "sample_names",
    "load_sample",
    "shapes_picture",
    "picture_axes",
    "picture_by_name",
    "in_classes",
    "samples_in_classes",
    "sample_class_labels",
]


_SQUARES: dict[tuple, np.ndarray] = {}


@dataclass(frozen=True)
class Picture:
    """An image and its objects.

    Attributes:
        name: what the lessons call it ("chelsea", "shapes val 12").
        image: ``uint8 [3, H, W]``.
        boxes: ``[N, 4]`` xyxy in [0, 1] of the image.
        labels: ``[N]`` int64, >= 1 (label k is ``class_names[k - 1]``).
        class_names: names of labels 1, 2, ...
    """

    name: str
    image: torch.Tensor
    boxes: torch.Tensor
    labels: torch.Tensor
    class_names: tuple[str, ...]

    @property
    def hw(self) -> tuple[int, int]:
        return int(self.image.shape[-2]), int(self.image.shape[-1])

    def names(self) -> list[str]:
        """The class name of every object (the data's English name)."""
        return [self.class_names[int(l) - 1] for l in self.labels]

    def shown_names(self) -> list[str]:
        """The class name of every object as a figure shows it, in the course's language
        (:func:`ssd_core.draw.class_label`: 猫 for ``cat`` in Chinese)."""
        return [class_label(n) for n in self.names()]

    def square(self, size: int) -> torch.Tensor:
        """The image warped to ``size x size`` (SSD ignores the aspect ratio): ``float [3, S, S]``."""
        return to_float_image(TF.resize(self.image, [size, size], antialias=True))

    def square_numpy(self, size: int) -> np.ndarray:
        """:meth:`square` as ``uint8 [S, S, 3]`` for ``imshow`` (kept: explorers redraw it often)."""
        key = (self.name, size, self.image.data_ptr())
        arr = _SQUARES.get(key)
        if arr is None:
            if len(_SQUARES) > 64:
                _SQUARES.clear()
            image = TF.resize(self.image, [size, size], antialias=True)
            arr = _SQUARES[key] = image.permute(1, 2, 0).contiguous().numpy()
        return arr

    def target_px(self) -> dict:
        """The target the data transforms take: pixel ``BoundingBoxes`` and labels."""
        h, w = self.hw
        scale = torch.tensor([w, h, w, h], dtype=torch.float32)
        boxes = tv_tensors.BoundingBoxes(self.boxes * scale, format="XYXY", canvas_size=(h, w))
        return {"boxes": boxes, "labels": self.labels.clone()}

    def shrunk(self, max_side: int) -> "Picture":
        """The same picture at most ``max_side`` pixels on its longer side (boxes are relative,
        so they stay as they are)."""
        h, w = self.hw
        if max(h, w) <= max_side:
            return self
        f = max_side / max(h, w)
        image = TF.resize(self.image, [max(1, round(h * f)), max(1, round(w * f))], antialias=True)
        return Picture(self.name, image, self.boxes, self.labels, self.class_names)


def sample_class_labels() -> dict[str, str]:
    """The sample photos' classes (``data/samples/classes.txt``) as a student reads them, in
    the course's language: the catalog's translation in the context ``"class name"``, which
    :func:`ssd_core.draw.class_label` looks up. The annotations keep the English names."""
    return {
        "person": pgettext("class name", "person"),
        "cat": pgettext("class name", "cat"),
        "coin": pgettext("class name", "coin"),
        "cup": pgettext("class name", "cup"),
        "saucer": pgettext("class name", "saucer"),
        "spoon": pgettext("class name", "spoon"),
        "eye": pgettext("class name", "eye"),
        "helmet": pgettext("class name", "helmet"),
        "flag": pgettext("class name", "flag"),
        "rocket": pgettext("class name", "rocket"),
        "tower": pgettext("class name", "tower"),
        "camera": pgettext("class name", "camera"),
        "tripod": pgettext("class name", "tripod"),
    }


def sample_names() -> list[str]:
    """The sample photos' names, in ``data/samples`` order."""
    return list(_samples().keys())


@functools.lru_cache(maxsize=1)
def _samples() -> dict[str, int]:
    ds = sample_dataset()
    return {ds.annotation(i)["image_id"]: i for i in range(len(ds))}


@functools.lru_cache(maxsize=16)
def load_sample(name: str) -> Picture:
    """One of the sample photos (``chelsea``, ``astronaut``, ``coins``, ...) with its boxes."""
    index = _samples().get(name)
    if index is None:
        raise KeyError(f"no sample photo {name!r}; there are {sample_names()}")
    ds = sample_dataset()
    image, target = ds[index]
    h, w = image.shape[-2:]
    scale = torch.tensor([w, h, w, h], dtype=torch.float32)
    boxes = target["boxes"].as_subclass(torch.Tensor).float() / scale
    return Picture(name, image.as_subclass(torch.Tensor), boxes, target["labels"].clone(),
                   tuple(ds.classes))


@functools.lru_cache(maxsize=32)
def shapes_picture(index: int, split: str = "val", image_size: int = 256, seed: int = 0) -> Picture:
    """Image ``index`` of the shapes dataset, drawn in memory (nothing is written to disk).

    The same arguments give the same picture as ``make_shapes(..., image_size, seed)`` writes
    (before its JPEG compression).
    """
    spec = ShapesSpec(image_size=image_size, seed=seed)
    pil, objects = draw_shapes_image(spec, split, index)
    image = TF.pil_to_tensor(pil)
    if objects:
        boxes = torch.tensor([o.box_px for o in objects], dtype=torch.float32) / image_size
        labels = torch.tensor([SHAPE_CLASSES.index(o.name) + 1 for o in objects])
    else:
        boxes, labels = torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64)
    return Picture(f"shapes {split} {index}", image, boxes, labels, tuple(SHAPE_CLASSES))


def in_classes(pic: Picture, class_names: Sequence[str]) -> Picture:
    """The picture with its objects labelled in another class list (a model's: COCO's for the
    trained SSD300); objects whose class that list lacks (a coin, an eye) are left out."""
    labels, keep = map_labels(pic.labels, pic.class_names, class_names)
    return Picture(pic.name, pic.image, pic.boxes[keep], labels[keep], tuple(class_names))


def samples_in_classes(class_names: Sequence[str]) -> list[Picture]:
    """The sample photos that have an object of ``class_names``, relabelled (:func:`in_classes`):
    under COCO's classes, astronaut (person), chelsea (cat), coffee (cup, spoon), camera
    (person)."""
    pictures = [in_classes(load_sample(n), class_names) for n in sample_names()]
    return [p for p in pictures if len(p.labels)]


def picture_by_name(name: str) -> Picture:
    """A sample photo by name (``"chelsea"``) or a shapes image as ``"shapes val 12"``."""
    parts = name.split()
    if len(parts) == 3 and parts[0] == "shapes" and parts[2].isdigit():
        return shapes_picture(int(parts[2]), parts[1])
    return load_sample(name)


def picture_axes(fig, rect, pic: Picture, size: int):
    """An axes at ``rect`` showing ``pic`` resized to ``size`` x ``size`` pixels, with a 5 %
    margin so boxes that stick out of the image stay visible, and no ticks."""
    ax = fig.add_axes(rect)
    ax.imshow(pic.square_numpy(size), extent=(0, size, size, 0))
    ax.set_xlim(-0.05 * size, 1.05 * size)
    ax.set_ylim(1.05 * size, -0.05 * size)
    ax.set_xticks([])
    ax.set_yticks([])
    return ax
