"""PASCAL VOC (section 3.1), and any data written in its layout: folders, splits, classes, and
the :class:`VOCDataset` that reads them.

The paper trains on VOC2007 trainval + VOC2012 trainval ("07+12", 16,551 images) and tests on
VOC2007 test (4,952 images). The same reader serves the embedded shapes dataset, the sample
photos in ``data/samples/`` and a student's own data, because all of them use one layout::

    <folder>/
        Annotations/<id>.xml          one XML file per image
        JPEGImages/<id>.jpg           the image (any format PIL reads; .jpg first)
        ImageSets/Main/<split>.txt    one image id per line
        classes.txt                   optional: one class name per line

A devkit holds one such folder per year: ``VOCdevkit/VOC2007``, ``VOCdevkit/VOC2012``.

**Split names.** A single folder offers the stems of its split files (``"trainval"``,
``"val"``). A devkit names the year too (``"2007-test"``), joins several with ``+``
(``"2007-trainval+2012-trainval"``) and knows the paper's ``"07+12"``; a devkit that holds a
single year also takes the plain name (``"trainval"`` means ``"2007-trainval"`` there).
:func:`list_splits` lists the names a folder offers; :func:`is_voc_layout` says whether a
folder is in this layout at all.

Two helpers do the rest: :mod:`.voc_xml` reads one annotation (and holds the box
convention: VOC's 1-based inclusive corners become continuous pixel corners, ``x1 = xmin - 1``,
``x2 = xmax``), and :mod:`.images` decodes one image to RGB.

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
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.transforms.v2 import functional as F

from ..i18n import pgettext
from .errors import DatasetError, DataWarning, MissingSplitError
from .images import load_rgb
from .voc_xml import parse_voc_xml

__all__ = [
    "VOC_CLASSES",
    "voc_class_labels",
    "VOCDataset",
    "list_splits",
    "is_voc_layout",
    "read_classes",
    "voc_layout_help",
]

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

#: Extensions tried, in order, when ``JPEGImages/<id>.jpg`` does not exist.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".JPG", ".PNG")

#: The paper's training set, "07+12".
SPLIT_ALIASES = {"07+12": "2007-trainval+2012-trainval", "07": "2007-trainval"}

_YEAR_SPLIT = re.compile(r"^(?:VOC)?(\d{4})[-/_](\w+)$")  # "2007-test", "VOC2012_trainval"
_YEAR_FOLDER = re.compile(r"^VOC(\d{4})$")  # "VOC2007"


# ---------------------------------------------------------------------------- layout


def voc_layout_help(root: str | os.PathLike) -> str:
    """The expected folder layout under ``root`` and the commands that create one."""
    r = str(root).rstrip("/") or "."
    return (
        "Expected a VOC layout, either a devkit\n"
        f"  {r}/VOCdevkit/VOC2007/{{Annotations,JPEGImages,ImageSets/Main}}\n"
        f"  {r}/VOCdevkit/VOC2012/...\n"
        "(split names like '2007-trainval', '2007-test', '07+12'), or a single folder\n"
        f"  {r}/Annotations/<id>.xml  {r}/JPEGImages/<id>.jpg  {r}/ImageSets/Main/<split>.txt\n"
        f"  {r}/classes.txt (optional, one class name per line)\n"
        "To get PASCAL VOC (about 2.9 GB):  python -m ssd_core data voc --root data/\n"
        "To make the embedded shapes set:   python -m ssd_core data shapes --root "
        "data/generated/shapes"
    )


@dataclass(frozen=True)
class _Part:
    """One (folder, split) pair that a split string names."""

    folder: Path
    split: str
    prefix: str  # prepended to image ids: "VOC2007/" in a devkit, "" otherwise


def _is_voc_folder(folder: Path) -> bool:
    """Does ``folder`` look like one VOC year (has ImageSets/Main or Annotations)?"""
    return (folder / "ImageSets" / "Main").is_dir() or (folder / "Annotations").is_dir()


def _devkit_years(root: Path) -> dict[str, Path]:
    """The years a devkit holds: ``{"2007": <its VOC2007 folder>, ...}``, sorted by year.

    The ``VOC<year>`` folders are looked for in ``root/VOCdevkit`` and in ``root`` itself; when
    both have one, the devkit's wins. Empty for a single folder or a folder of anything else.
    """
    years: dict[str, Path] = {}
    for parent in (root, root / "VOCdevkit"):  # the second one wins
        if parent.is_dir():
            for folder in parent.iterdir():
                m = _YEAR_FOLDER.match(folder.name)
                if m and folder.is_dir():
                    years[m.group(1)] = folder
    return dict(sorted(years.items()))


def _year_folder(root: Path, year: str) -> Path:
    """``VOC<year>`` under ``root/VOCdevkit`` or ``root``, or ``root`` itself."""
    name = f"VOC{year}"
    folder = _devkit_years(root).get(year)
    if folder is not None:
        return folder
    if root.name == name and root.is_dir():
        return root
    raise DatasetError(
        f"{root}: no PASCAL VOC {year} folder (looked for {root / 'VOCdevkit' / name} and "
        f"{root / name}).\n" + voc_layout_help(root)
    )


def _split_files(folder: Path) -> list[str]:
    """The split names of one VOC folder: the stems of ``ImageSets/Main/*.txt``, sorted.

    VOC also keeps one file per class and split there (``dog_trainval.txt``, with a +1/-1
    flag per image); their stems hold a "_" and are left out.
    """
    return sorted(p.stem for p in (folder / "ImageSets" / "Main").glob("*.txt")
                  if "_" not in p.stem)


def is_voc_layout(root: str | os.PathLike) -> bool:
    """Is ``root`` a folder that :class:`VOCDataset` can read?

    True for a single folder (it has ``ImageSets/Main`` or ``Annotations``) and for a devkit
    (it has ``VOC<year>`` folders, directly or under ``VOCdevkit/``); False for anything else,
    including a folder that does not exist.
    """
    root = Path(root)
    return _is_voc_folder(root) or bool(_devkit_years(root))


def list_splits(root: str | os.PathLike) -> list[str]:
    """The split names that ``root`` offers, written as :class:`VOCDataset` accepts them.

    - a single folder: its split files, e.g. ``["test", "train", "trainval", "val"]``;
    - a devkit: ``"<year>-<split>"`` for every year, e.g. ``["2007-test", "2007-trainval",
      "2012-trainval"]``; a devkit that holds one year also offers the plain names after
      those (``"test"``, ``"trainval"``);
    - ``[]`` when ``root`` is not in VOC layout (see :func:`is_voc_layout`).

    Aliases such as ``"07+12"`` and joined names are not listed.
    """
    root = Path(root)
    if _is_voc_folder(root):
        return _split_files(root)
    years = _devkit_years(root)
    names = [f"{year}-{split}" for year, folder in years.items() for split in _split_files(folder)]
    if len(years) == 1:
        (folder,) = years.values()
        names += _split_files(folder)
    return names


def _resolve_parts(root: Path, split: str) -> list[_Part]:
    """Turn ``split`` (``"trainval"``, ``"2007-test"``, ``"07+12"``, ``"2007-trainval+2012-
    trainval"``) into folders and split names; raise with the layout when something is
    missing.

    A plain name (no year) means a split file of ``root`` itself when ``root`` is a single
    folder, and that year's split file in a devkit that holds one year; in a devkit with
    several years it is an error that lists them.
    """
    if not root.is_dir():
        raise DatasetError(f"{root}: the folder does not exist.\n" + voc_layout_help(root))
    split = SPLIT_ALIASES.get(split, split)
    parts = []
    for piece in split.split("+"):
        piece = piece.strip()
        m = _YEAR_SPLIT.match(piece)
        if m:
            folder, name, prefix = _year_folder(root, m.group(1)), m.group(2), f"VOC{m.group(1)}/"
        elif _is_voc_folder(root):
            folder, name, prefix = root, piece, ""
        else:
            years = _devkit_years(root)
            if len(years) != 1:
                hint = (f" It holds {', '.join('VOC' + y for y in years)}: name the year, e.g. "
                        f"'{next(iter(years))}-{piece}'." if years else "")
                raise DatasetError(
                    f"{root}: no ImageSets/Main or Annotations folder here.{hint}\n"
                    + voc_layout_help(root)
                )
            # A devkit with one year: the plain name means that year's split.
            ((year, folder),) = years.items()
            name, prefix = piece, f"VOC{year}/"
        split_file = folder / "ImageSets" / "Main" / f"{name}.txt"
        if not split_file.is_file():
            have = list_splits(root)
            raise MissingSplitError(
                f"{split_file}: the split file is missing"
                + (f" (this folder has: {', '.join(have)})" if have else "")
                + ". It lists one image id per line.\n" + voc_layout_help(root)
            )
        parts.append(_Part(folder, name, prefix))
    return parts


def read_classes(source: str | os.PathLike | Sequence[str]) -> list[str]:
    """A class list from a sequence of names or the path of a ``classes.txt`` (one name per
    line, ``#`` comments and blank lines ignored). Checks for duplicates and for "background", which is
    label 0 and never listed."""
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as e:
            raise DatasetError(f"{path}: cannot read the class list ({e}).") from None
        names = [l.split("#")[0].strip() for l in lines]
        names = [n for n in names if n]
        where = str(path)
    else:
        names = [str(n).strip() for n in source]
        where = "classes"
    if not names:
        raise DatasetError(f"{where}: the class list is empty; list one class name per line.")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DatasetError(f"{where}: class names listed twice: {', '.join(dup)}; list each once.")
    if any(n.lower() in ("background", "__background__") for n in names):
        raise DatasetError(
            f"{where}: do not list 'background': it is label 0 and added for you."
        )
    return names


def _find_classes_file(parts: Iterable[_Part]) -> Path | None:
    """The ``classes.txt`` beside the data (in a folder or its devkit), if all parts agree."""
    found = []
    for part in parts:
        for cand in (part.folder / "classes.txt", part.folder.parent / "classes.txt"):
            if cand.is_file():
                found.append(cand)
                break
    if not found:
        return None
    lists = {tuple(read_classes(p)) for p in found}
    if len(lists) > 1:
        raise DatasetError(
            f"the splits have different classes.txt files ({', '.join(map(str, found))}); "
            "make them the same, or pass classes=[...]."
        )
    return found[0]


def _find_image(folder: Path, image_id: str, filename: str | None) -> Path | None:
    """``JPEGImages/<id>.jpg``, else the XML's ``<filename>``, else ``<id>`` with another
    extension."""
    images = folder / "JPEGImages"
    first = images / f"{image_id}.jpg"
    if first.is_file():
        return first
    if filename and (images / filename).is_file():
        return images / filename
    for ext in IMAGE_EXTENSIONS:
        cand = images / f"{image_id}{ext}"
        if cand.is_file():
            return cand
    return None


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
            one year also takes the plain name. :func:`list_splits` lists them.
        classes: the class names (label ``k + 1`` for ``classes[k]``), or a path to a
            ``classes.txt``. Default: the ``classes.txt`` beside the data, else the 20 VOC
            classes.
        transforms: called as ``transforms(image, target)`` (or with ``generator=`` when
            ``seed`` is set), e.g. :class:`ssd_core.data.SSDAugmentation`.
        keep_difficult: keep objects flagged difficult (with ``target["difficult"]``).
        skip_bad: warn and skip broken objects or images instead of raising.
        drop_unknown: silently drop objects whose class is not in ``classes`` (to train on a
            subset of VOC's classes); otherwise an unknown class is an error.
        seed: if set, sample ``i`` in epoch ``e`` is transformed with a ``torch.Generator``
            seeded from ``(seed, e, i)``, the same in any DataLoader worker.
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

        self.parts = _resolve_parts(self.root, split)
        if classes is None:
            found = _find_classes_file(self.parts)
            classes = read_classes(found) if found else list(VOC_CLASSES)
        else:
            classes = read_classes(classes)
        self.classes: tuple[str, ...] = tuple(classes)
        self._label_of = {n: k + 1 for k, n in enumerate(self.classes)}
        self.records: list[_Record] = []
        for part in self.parts:
            self._read_part(part)
        self._report()

    # ------------------------------------------------------------------ reading
    def _problem(self, message: str) -> None:
        """Raise a :class:`DatasetError`, or record it when ``skip_bad``."""
        if not self.skip_bad:
            raise DatasetError(message + " (Or pass skip_bad=True to warn and skip.)")
        self.problems.append(message)

    def _read_part(self, part: _Part) -> None:
        """Read the split file and every annotation it lists."""
        split_file = part.folder / "ImageSets" / "Main" / f"{part.split}.txt"
        ids = []
        for line in split_file.read_text(encoding="utf-8").splitlines():
            fields = line.split()
            if fields:
                ids.append(fields[0])
        for image_id in ids:
            xml = part.folder / "Annotations" / f"{image_id}.xml"
            if not xml.is_file():
                self._problem(
                    f"{xml}: missing, but {split_file} lists {image_id!r}; add the annotation "
                    "or delete the id from the split file."
                )
                continue
            try:
                ann = parse_voc_xml(xml)
            except DatasetError as e:
                self._problem(str(e))
                continue
            image = _find_image(part.folder, image_id, ann.filename)
            if image is None:
                self._problem(
                    f"{part.folder / 'JPEGImages' / (image_id + '.jpg')}: the image is missing "
                    f"(listed in {split_file}); put it there or delete the id from the split file."
                )
                continue
            for msg in ann.problems:
                self._problem(msg)
            self.clipped.extend(ann.clipped)
            boxes, labels, difficult = [], [], []
            for obj in ann.objects:
                label = self._label_of.get(obj.name)
                if label is None:
                    if not self.drop_unknown:
                        self._problem(
                            f"{xml}: unknown class {obj.name!r} (classes: "
                            f"{', '.join(self.classes)}); add it to classes.txt or to classes=[...], "
                            "fix the spelling, or pass drop_unknown=True to ignore other classes."
                        )
                    continue
                if obj.difficult and not self.keep_difficult:
                    continue
                boxes.append(obj.box_px)
                labels.append(label)
                difficult.append(obj.difficult)
            self.records.append(
                _Record(
                    image_id=part.prefix + image_id,
                    image_path=image,
                    annotation_path=xml,
                    width=ann.width,
                    height=ann.height,
                    boxes_px=torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
                    labels=torch.tensor(labels, dtype=torch.int64),
                    difficult=torch.tensor(difficult, dtype=torch.bool),
                )
            )

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
        # [H, W, 3] pixels -> uint8 [3, H, W]. pil_to_tensor returns a permuted view of the
        # pixel array; .contiguous() copies it so that each channel is one block of memory.
        return tv_tensors.Image(F.pil_to_tensor(img).contiguous())

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
