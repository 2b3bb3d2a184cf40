"""PASCAL VOC (section 3.1), and any data written in its layout: the :class:`VOCDataset` that
reads a split into images and boxes.

The paper trains on VOC2007 trainval + VOC2012 trainval ("07+12", 16,551 images) and tests on
VOC2007 test (4,952 images). The same reader serves the embedded shapes dataset, the sample
photos in ``data/samples/`` and a student's own data, because all of them use one layout:
:mod:`.voc_layout` knows it (folders, split names such as ``"2007-test"`` and ``"07+12"``, the
``classes.txt`` beside the data), :mod:`.voc_xml` reads one annotation (and holds the box
convention: VOC's 1-based inclusive corners become continuous pixel corners, ``x1 = xmin - 1``,
``x2 = xmax``), and :mod:`.images` decodes one image to RGB.

**Reading a split** takes three steps, each one plain: every listed id is read (its annotation
and its image file, or why it cannot be used: :func:`_read_listed`); the class list is chosen
(given, ``classes.txt``, VOC's 20, or, with ``infer_classes``, the names the annotations use);
each image becomes a record of boxes and labels. What is wrong is said beside these steps, not
inside them: :meth:`VOCDataset._complain` raises, or warns and skips with ``skip_bad``.

**Targets.** ``dataset[i]`` returns ``(image, target)``; without transforms the image is a
``tv_tensors.Image`` ``uint8 [3, H, W]`` in RGB and the target is a dict:

- ``boxes``: ``tv_tensors.BoundingBoxes`` ``[N, 4]`` float32, format XYXY, in pixels, with
  ``canvas_size=(H, W)``;
- ``labels``: int64 ``[N]``: class ``classes[k]`` has label ``k + 1``, 0 is background;
- ``difficult``: bool ``[N]``: VOC's flag; evaluation ignores these objects, training may
  drop them (``keep_difficult=False``);
- ``image_id``: str (``"VOC2007/000005"`` in a devkit, ``"000005"`` in a single folder);
- ``orig_size``: ``(H, W)`` of the image as stored; ``path``: the image file.

The SSD transforms of :mod:`ssd_core.data.transforms` turn this into a float image of a
fixed square size and normalised ``[0, 1]`` boxes.

**Bad input.** Every problem raises :class:`~.errors.DatasetError` naming the file, what is
wrong and how to fix it. With ``skip_bad=True`` the dataset warns
(:class:`~.errors.DataWarning`) and skips the object or image instead. Boxes that stick out of
the image are clipped with a warning; images with no objects are kept; grayscale, RGBA, CMYK
and 16-bit images become RGB.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.transforms.v2 import functional as F

from ..i18n import pgettext
from .errors import DatasetError, DataWarning
from .images import load_rgb
from .voc_layout import (SplitPart, find_classes_file, find_image, read_classes, read_split_ids,
                         split_parts)
from .voc_xml import VOCAnnotation, parse_voc_xml

__all__ = ["VOC_CLASSES", "voc_class_labels", "VOCDataset"]

#: The twenty PASCAL VOC classes, in the devkit's order (label k + 1 for index k).
VOC_CLASSES: tuple[str, ...] = (
    "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
    "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor",
)


def voc_class_labels() -> dict[str, str]:
    """Each VOC class's name as a student reads it (in figures, tables and titles), in the
    course's language: the catalog's translation in the context ``"class name"``, which
    :func:`ssd_core.draw.class_label` looks up. Annotations, ``classes.txt``, checkpoints and
    ``metrics.csv`` keep the devkit's English names."""
    return {
        "aeroplane": pgettext("class name", "aeroplane"),
        "bicycle": pgettext("class name", "bicycle"),
        "bird": pgettext("class name", "bird"),
        "boat": pgettext("class name", "boat"),
        "bottle": pgettext("class name", "bottle"),
        "bus": pgettext("class name", "bus"),
        "car": pgettext("class name", "car"),
        "cat": pgettext("class name", "cat"),
        "chair": pgettext("class name", "chair"),
        "cow": pgettext("class name", "cow"),
        "diningtable": pgettext("class name", "diningtable"),
        "dog": pgettext("class name", "dog"),
        "horse": pgettext("class name", "horse"),
        "motorbike": pgettext("class name", "motorbike"),
        "person": pgettext("class name", "person"),
        "pottedplant": pgettext("class name", "pottedplant"),
        "sheep": pgettext("class name", "sheep"),
        "sofa": pgettext("class name", "sofa"),
        "train": pgettext("class name", "train"),
        "tvmonitor": pgettext("class name", "tvmonitor"),
    }


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Listed:
    """One image id of a split, as read: its annotation and image file, or why it cannot be
    used (then ``annotation`` is None and ``problems`` says why)."""

    image_id: str  # with the devkit's prefix: "VOC2007/000005"
    xml: Path
    annotation: VOCAnnotation | None = None
    image: Path | None = None
    problems: tuple[str, ...] = ()  # the image's own, or those of its broken objects


def _read_listed(part: SplitPart, image_id: str) -> _Listed:
    """Read one listed id: its annotation, and find its image file. Nothing is raised: a
    problem comes back in ``problems``, for the dataset to raise or skip."""
    xml = part.folder / "Annotations" / f"{image_id}.xml"
    listed_as = part.prefix + image_id
    if not xml.is_file():
        return _Listed(listed_as, xml, problems=(
            f"{xml}: missing, but {part.split_file} lists {image_id!r}; add the annotation "
            "or delete the id from the split file.",))
    try:
        ann = parse_voc_xml(xml)
    except DatasetError as e:
        return _Listed(listed_as, xml, problems=(str(e),))
    image = find_image(part.folder, image_id, ann.filename)
    if image is None:
        return _Listed(listed_as, xml, problems=(
            f"{part.folder / 'JPEGImages' / (image_id + '.jpg')}: the image is missing "
            f"(listed in {part.split_file}); put it there or delete the id from the split file.",))
    return _Listed(listed_as, xml, ann, image, tuple(ann.problems))


def _names_used(listed: Sequence[_Listed]) -> list[str]:
    """The class names the annotations use, sorted."""
    return sorted({obj.name for item in listed if item.annotation is not None
                   for obj in item.annotation.objects})


# ---------------------------------------------------------------------------- dataset


@dataclass(frozen=True)
class _Record:
    """Everything ``__getitem__`` needs for one image, read once at start-up."""

    image_id: str
    image_path: Path
    annotation_path: Path
    width: int
    height: int
    boxes_px: torch.Tensor  # [N, 4] float32
    labels: torch.Tensor  # [N] int64
    difficult: torch.Tensor  # [N] bool


class VOCDataset(torch.utils.data.Dataset):
    """Images and boxes in PASCAL VOC's layout, for any class list.

    Args:
        root: a folder in VOC layout, or one holding ``VOCdevkit/VOC2007`` etc. (or
            ``VOC2007`` etc. directly).
        split: a split file name for a single folder (``"trainval"``, ``"val"``); for a
            devkit ``"<year>-<split>"`` (``"2007-test"``), several joined by ``+``, or
            ``"07+12"`` for the paper's ``2007-trainval+2012-trainval``; a devkit that holds
            one year also takes the plain name. :func:`~.voc_layout.list_splits` lists them.
        classes: the class names (label ``k + 1`` for ``classes[k]``), or a path to a
            ``classes.txt``. Default: the ``classes.txt`` beside the data (in the folder of
            the split, in ``VOCdevkit/``, or in ``root``), else the 20 VOC classes.
        transforms: called as ``transforms(image, target)`` (or with ``generator=`` when
            ``seed`` is set), e.g. :class:`ssd_core.data.SSDAugmentation`.
        keep_difficult: keep objects flagged difficult (with ``target["difficult"]``).
        skip_bad: warn and skip broken objects or images instead of raising.
        drop_unknown: silently drop objects whose class is not in ``classes`` (to train on a
            subset of VOC's classes); otherwise an unknown class is an error.
        seed: if set, sample ``i`` in epoch ``e`` is transformed with a ``torch.Generator``
            seeded from ``(seed, e, i)``, the same in any DataLoader worker.
        infer_classes: with no ``classes`` and no ``classes.txt``: when the annotations use a
            name that is not one of VOC's classes, the names they use, sorted, are the class
            list (a student's own data without a class list); VOC's 20 otherwise.

    ``classes_from`` says where the class list came from: ``"argument"``, ``"classes.txt"``,
    ``"voc"`` or ``"annotations"``.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        split: str = "trainval",
        classes: Sequence[str] | str | os.PathLike | None = None,
        transforms: Callable | None = None,
        *,
        keep_difficult: bool = True,
        skip_bad: bool = False,
        drop_unknown: bool = False,
        seed: int | None = None,
        infer_classes: bool = False,
    ) -> None:
        self.root = Path(root)
        self.split = split
        self.transforms = transforms
        self.keep_difficult = keep_difficult
        self.skip_bad = skip_bad
        self.drop_unknown = drop_unknown
        self.seed = seed
        self.epoch = 0
        self.problems: list[str] = []   # every skipped object or image, one message each
        self.clipped: list[str] = []    # every clipped box
        self._bad_images: set[int] = set()

        # 1. read every listed id; 2. choose the class list; 3. one record per usable image
        self.parts = split_parts(self.root, split)
        listed = [_read_listed(part, image_id)
                  for part in self.parts for image_id in read_split_ids(part)]
        self.classes, self.classes_from = self._class_list(classes, listed, infer_classes)
        self._label_of = {n: k + 1 for k, n in enumerate(self.classes)}
        self.records: list[_Record] = []
        for item in listed:
            self._complain(item.problems + self._unknown_classes(item))
            if item.annotation is not None:
                self.clipped.extend(item.annotation.clipped)
                self.records.append(self._record(item))
        self._report()

    # ------------------------------------------------------------------ reading
    def _class_list(self, classes, listed: Sequence[_Listed],
                    infer: bool) -> tuple[tuple[str, ...], str]:
        """The class list and where it came from (see ``classes_from``)."""
        if classes is not None:
            return tuple(read_classes(classes)), "argument"
        found = find_classes_file(self.root, self.parts)
        if found is not None:
            return tuple(read_classes(found)), "classes.txt"
        used = _names_used(listed)
        if infer and not set(used) <= set(VOC_CLASSES):
            return tuple(used), "annotations"
        return VOC_CLASSES, "voc"

    def _unknown_classes(self, item: _Listed) -> tuple[str, ...]:
        """A message for each object whose class is not in the list (none with
        ``drop_unknown``)."""
        if item.annotation is None or self.drop_unknown:
            return ()
        return tuple(
            f"{item.xml}: unknown class {obj.name!r} (classes: {', '.join(self.classes)}); add "
            "it to classes.txt or to classes=[...], fix the spelling, or pass drop_unknown=True "
            "to ignore other classes."
            for obj in item.annotation.objects if obj.name not in self._label_of)

    def _record(self, item: _Listed) -> _Record:
        """The boxes and labels of one read image: objects of a known class, the difficult
        ones unless ``keep_difficult`` is False."""
        ann = item.annotation
        kept = [obj for obj in ann.objects
                if obj.name in self._label_of and (self.keep_difficult or not obj.difficult)]
        return _Record(
            image_id=item.image_id,
            image_path=item.image,
            annotation_path=item.xml,
            width=ann.width,
            height=ann.height,
            boxes_px=torch.tensor([obj.box_px for obj in kept], dtype=torch.float32).reshape(-1, 4),
            labels=torch.tensor([self._label_of[obj.name] for obj in kept], dtype=torch.int64),
            difficult=torch.tensor([obj.difficult for obj in kept], dtype=torch.bool),
        )

    # ------------------------------------------------------------------ problems
    def _complain(self, messages: Sequence[str]) -> None:
        """Raise a :class:`DatasetError` with the first message, or, with ``skip_bad``, keep
        them all (:meth:`_report` warns once)."""
        if messages and not self.skip_bad:
            raise DatasetError(messages[0] + " (Or pass skip_bad=True to warn and skip.)")
        self.problems.extend(messages)

    def _report(self) -> None:
        """One warning for all clipped boxes and one for all skipped items."""
        for what, items in (("clipped a box that goes beyond its image", self.clipped),
                            ("skipped (skip_bad=True)", self.problems)):
            if items:
                shown = "\n  ".join(items[:10])
                more = f"\n  ... and {len(items) - 10} more" if len(items) > 10 else ""
                warnings.warn(
                    f"VOCDataset({self.root}, {self.split!r}): {what}, {len(items)} time(s):\n"
                    f"  {shown}{more}",
                    DataWarning,
                    stacklevel=3,
                )

    # ------------------------------------------------------------------ access
    @property
    def num_classes(self) -> int:
        """Number of classes counting the background (21 for VOC)."""
        return len(self.classes) + 1

    def __len__(self) -> int:
        """Number of images."""
        return len(self.records)

    def set_epoch(self, epoch: int) -> None:
        """Change the seeds of the per-sample generators (with ``seed`` set)."""
        self.epoch = int(epoch)

    def annotation(self, index: int) -> dict:
        """The target of image ``index`` without reading the image (for evaluation)."""
        r = self.records[index]
        return {
            "boxes": tv_tensors.BoundingBoxes(
                r.boxes_px.clone(), format="XYXY", canvas_size=(r.height, r.width)
            ),
            "labels": r.labels.clone(),
            "difficult": r.difficult.clone(),
            "image_id": r.image_id,
            "orig_size": (r.height, r.width),
            "path": str(r.image_path),
        }

    def load_image(self, index: int) -> tv_tensors.Image:
        """Image ``index`` as ``uint8 [3, H, W]`` RGB; checks its size against the XML."""
        r = self.records[index]
        img = load_rgb(r.image_path)
        if img.size != (r.width, r.height):
            raise DatasetError(
                f"{r.annotation_path}: <size> says {r.width} x {r.height} but {r.image_path} is "
                f"{img.size[0]} x {img.size[1]}; correct <size> (and check the boxes), or "
                "replace the image."
            )
        # [H, W, 3] pixels -> uint8 [3, H, W]: pil_to_tensor returns a permuted view of the
        # pixel array (channels last in memory). It is kept so: the resize that follows reads
        # that layout fastest, and copying it into one plane per channel cost more than the
        # resize itself (1.3 ms for a 256-pixel image).
        return tv_tensors.Image(F.pil_to_tensor(img))

    def sample_generator(self, index: int) -> torch.Generator:
        """The generator that transforms sample ``index`` in this epoch (needs ``seed``)."""
        if self.seed is None:
            raise ValueError("VOCDataset.sample_generator: set seed=... first")
        seq = np.random.SeedSequence([int(self.seed), self.epoch, int(index)])
        return torch.Generator().manual_seed(int(seq.generate_state(1, dtype=np.uint64)[0]))

    def _get(self, index: int):
        """Image and target of ``index``, transformed; raises :class:`DatasetError`."""
        image = self.load_image(index)
        target = self.annotation(index)
        if self.transforms is None:
            return image, target
        if self.seed is not None:
            return self.transforms(image, target, generator=self.sample_generator(index))
        return self.transforms(image, target)

    def __getitem__(self, index: int):
        """``(image, target)`` of image ``index`` (see the module docstring)."""
        if index < 0:
            index += len(self)
        if not self.skip_bad:
            return self._get(index)
        # skip_bad: a broken image is reported once and replaced by the next good one.
        for step in range(len(self)):
            i = (index + step) % len(self)
            if i in self._bad_images:
                continue
            try:
                return self._get(i)
            except DatasetError as e:
                self._bad_images.add(i)
                self.problems.append(str(e))
                warnings.warn(f"{e} Skipped: using the next image instead.", DataWarning,
                              stacklevel=2)
        raise DatasetError(f"VOCDataset({self.root}, {self.split!r}): every image is broken.")

    def class_counts(self) -> dict[str, int]:
        """Objects per class over the whole split (difficult ones included)."""
        counts = torch.zeros(self.num_classes, dtype=torch.int64)
        for r in self.records:
            counts += torch.bincount(r.labels, minlength=self.num_classes)
        return {n: int(counts[k + 1]) for k, n in enumerate(self.classes)}

    def __repr__(self) -> str:
        """One line: root, split, images, objects, classes."""
        n_obj = sum(len(r.labels) for r in self.records)
        return (
            f"VOCDataset({str(self.root)!r}, {self.split!r}, {len(self)} images, {n_obj} objects, "
            f"{len(self.classes)} classes{', transforms' if self.transforms else ''})"
        )
