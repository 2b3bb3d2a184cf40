"""PASCAL VOC's folder layout and its split names: where a dataset's files are, before any of
them is read.

The paper's data (VOC2007 and VOC2012), the embedded shapes dataset, the sample photos in
``data/samples/`` and a student's own data all use one layout::

    <folder>/
        Annotations/<id>.xml          one XML file per image
        JPEGImages/<id>.jpg           the image (any format PIL reads; .jpg first)
        ImageSets/Main/<split>.txt    one image id per line
        classes.txt                   optional: one class name per line

A devkit holds one such folder per year: ``VOCdevkit/VOC2007``, ``VOCdevkit/VOC2012``. A
``classes.txt`` may also sit beside ``VOCdevkit/`` (in the folder a user points
``--data-dir`` at) or in ``VOCdevkit/`` itself.

**Split names.** A single folder offers the stems of its split files (``"trainval"``,
``"val"``). A devkit names the year too (``"2007-test"``), joins several with ``+``
(``"2007-trainval+2012-trainval"``) and knows the paper's ``"07+12"``; a devkit that holds a
single year also takes the plain name (``"trainval"`` means ``"2007-trainval"`` there).

* :func:`is_voc_layout`: is a folder in this layout at all; :func:`list_splits`: the split
  names it offers;
* :func:`split_parts`: a split name as the (folder, split file) pairs it stands for, with a
  message naming what is missing and the layout expected (:func:`voc_layout_help`);
* :func:`read_split_ids`, :func:`find_image`, :func:`find_classes_file` and
  :func:`read_classes`: the ids a split lists, an id's image file, the class list beside the
  data.

:mod:`.voc` reads what these point at into a dataset.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .errors import DatasetError, MissingSplitError

__all__ = [
    "SplitPart",
    "split_parts",
    "read_split_ids",
    "list_splits",
    "is_voc_layout",
    "find_image",
    "find_classes_file",
    "read_classes",
    "voc_layout_help",
    "SPLIT_ALIASES",
    "IMAGE_EXTENSIONS",
    "CLASSES_FILE",
]

#: Extensions tried, in order, when ``JPEGImages/<id>.jpg`` does not exist.
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".JPG", ".PNG")

#: The paper's training set, "07+12".
SPLIT_ALIASES = {"07+12": "2007-trainval+2012-trainval", "07": "2007-trainval"}

#: The class list's file name: one class name per line.
CLASSES_FILE = "classes.txt"

_YEAR_SPLIT = re.compile(r"^(?:VOC)?(\d{4})[-/_](\w+)$")  # "2007-test", "VOC2012_trainval"
_YEAR_FOLDER = re.compile(r"^VOC(\d{4})$")  # "VOC2007"


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
class SplitPart:
    """One (folder, split) pair that a split name stands for."""

    folder: Path
    split: str
    prefix: str  # prepended to image ids: "VOC2007/" in a devkit, "" otherwise

    @property
    def split_file(self) -> Path:
        """``ImageSets/Main/<split>.txt`` of this part's folder."""
        return self.folder / "ImageSets" / "Main" / f"{self.split}.txt"


# ---------------------------------------------------------------------------- folders


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
    """Is ``root`` a folder that :class:`~.voc.VOCDataset` can read?

    True for a single folder (it has ``ImageSets/Main`` or ``Annotations``) and for a devkit
    (it has ``VOC<year>`` folders, directly or under ``VOCdevkit/``); False for anything else,
    including a folder that does not exist.
    """
    root = Path(root)
    return _is_voc_folder(root) or bool(_devkit_years(root))


def list_splits(root: str | os.PathLike) -> list[str]:
    """The split names that ``root`` offers, written as :class:`~.voc.VOCDataset` accepts them.

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


# ---------------------------------------------------------------------------- split names


def split_parts(root: str | os.PathLike, split: str) -> list[SplitPart]:
    """Turn ``split`` (``"trainval"``, ``"2007-test"``, ``"07+12"``, ``"2007-trainval+2012-
    trainval"``) into folders and split names; raise with the layout when something is
    missing (:class:`~.errors.MissingSplitError` for a split file that is not there).

    A plain name (no year) means a split file of ``root`` itself when ``root`` is a single
    folder, and that year's split file in a devkit that holds one year; in a devkit with
    several years it is an error that lists them.
    """
    root = Path(root)
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
        part = SplitPart(folder, name, prefix)
        if not part.split_file.is_file():
            have = list_splits(root)
            raise MissingSplitError(
                f"{part.split_file}: the split file is missing"
                + (f" (this folder has: {', '.join(have)})" if have else "")
                + ". It lists one image id per line.\n" + voc_layout_help(root)
            )
        parts.append(part)
    return parts


def read_split_ids(part: SplitPart) -> list[str]:
    """The image ids a split file lists: the first word of each non-blank line."""
    ids = []
    for line in part.split_file.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if fields:
            ids.append(fields[0])
    return ids


def find_image(folder: Path, image_id: str, filename: str | None) -> Path | None:
    """``JPEGImages/<id>.jpg``, else the XML's ``<filename>``, else ``<id>`` with another
    extension; None when there is none."""
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


# ---------------------------------------------------------------------------- class lists


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


def find_classes_file(root: str | os.PathLike, parts: Iterable[SplitPart]) -> Path | None:
    """The ``classes.txt`` beside the data, if all parts agree: for each part the nearest of
    its own folder's, its parent's (``VOCdevkit/``) and the one in ``root``, the folder the
    dataset was opened at (beside ``VOCdevkit/``)."""
    found = []
    for part in parts:
        for folder in (part.folder, part.folder.parent, Path(root)):
            if (folder / CLASSES_FILE).is_file():
                found.append(folder / CLASSES_FILE)
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
