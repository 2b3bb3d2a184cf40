"""Reading and writing PASCAL VOC's annotation files: one XML file per image.

A VOC annotation names the image, gives its size and lists its objects::

    <annotation>
      <filename>000005.jpg</filename>
      <size><width>500</width><height>375</height><depth>3</depth></size>
      <object>
        <name>chair</name><truncated>0</truncated><difficult>0</difficult>
        <bndbox><xmin>263</xmin><ymin>211</ymin><xmax>324</xmax><ymax>339</ymax></bndbox>
      </object>
    </annotation>

:func:`parse_voc_xml` reads one into a :class:`VOCAnnotation`, one :class:`VOCObject` per
``<object>``; :func:`write_voc_xml` writes one (the shapes dataset uses it). Neither knows
about folders or splits: that is :mod:`.voc`'s job.

**Box convention.** VOC numbers pixels from 1 and its corners are inclusive: a box with
``xmin=1, xmax=10`` covers the first ten pixel columns. We use continuous pixel coordinates
where pixel ``i`` (0-based) spans ``[i, i + 1)``, so

    x1 = xmin - 1      y1 = ymin - 1      x2 = xmax      y2 = ymax

and a box's width is ``xmax - xmin + 1`` pixels. With this choice the plain continuous IoU is
exactly the VOC devkit's "+1" IoU, and a box that covers the whole image is
``[0, 0, W, H]``. :func:`voc_box_to_px` goes one way, :func:`px_box_to_voc` goes back.

**Bad input.** A file that cannot be used at all raises :class:`~.errors.DatasetError`
naming the file, what is wrong and how to fix it; a broken object is left out and its message
kept in :attr:`VOCAnnotation.problems`, so that the caller decides whether to raise or skip.
"""

from __future__ import annotations

import math
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from xml.sax.saxutils import escape

from .errors import DatasetError

__all__ = [
    "VOCObject",
    "VOCAnnotation",
    "parse_voc_xml",
    "write_voc_xml",
    "voc_box_to_px",
    "px_box_to_voc",
]


# ---------------------------------------------------------------------------- boxes


def voc_box_to_px(xmin: float, ymin: float, xmax: float, ymax: float) -> tuple[float, ...]:
    """VOC's 1-based inclusive corners -> continuous pixel corners ``(x1, y1, x2, y2)``."""
    return (xmin - 1.0, ymin - 1.0, float(xmax), float(ymax))


def px_box_to_voc(x1: float, y1: float, x2: float, y2: float) -> tuple[int, ...]:
    """Continuous pixel corners -> VOC's 1-based inclusive integer corners (rounded)."""
    return (int(round(x1)) + 1, int(round(y1)) + 1, int(round(x2)), int(round(y2)))


# ---------------------------------------------------------------------------- the records


@dataclass(frozen=True)
class VOCObject:
    """One ``<object>`` of an annotation; ``box_px`` in continuous pixel corners."""

    name: str
    box_px: tuple[float, float, float, float]
    difficult: bool = False
    truncated: bool = False


@dataclass
class VOCAnnotation:
    """One parsed XML file.

    ``problems`` lists objects that were left out because they are broken (each message names
    the file and the fix); ``clipped`` lists boxes that were cut back to the image.
    """

    path: Path
    filename: str | None
    width: int
    height: int
    objects: list[VOCObject] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    clipped: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- reading


def _text(node: ET.Element | None, tag: str) -> str | None:
    """Stripped text of child ``tag`` of ``node``, or None when absent or empty."""
    if node is None:
        return None
    child = node.find(tag)
    if child is None or child.text is None or not child.text.strip():
        return None
    return child.text.strip()


def _number(path: Path, node: ET.Element, tag: str, where: str) -> float:
    """A numeric child of ``node``; raises :class:`DatasetError` with a fix when missing."""
    text = _text(node, tag)
    if text is None:
        raise DatasetError(f"{path}: {where} has no <{tag}>; add it (a number of pixels).")
    try:
        return float(text)
    except ValueError:
        raise DatasetError(
            f"{path}: {where} has <{tag}>{text}</{tag}>, which is not a number; "
            "write a number of pixels."
        ) from None


def _flag(node: ET.Element, tag: str) -> bool:
    """VOC's 0/1 flags (``difficult``, ``truncated``); absent means 0."""
    text = _text(node, tag)
    if text is None:
        return False
    try:
        return bool(int(float(text)))
    except ValueError:
        return text.lower() in ("true", "yes")


def parse_voc_xml(path: str | os.PathLike) -> VOCAnnotation:
    """Read one VOC annotation file.

    File-level problems (the XML does not parse, ``<size>`` is missing or not positive) raise
    :class:`DatasetError`. Object-level problems (no ``<name>`` or ``<bndbox>``, a corner
    missing, ``xmax <= xmin``, a box wholly outside the image) leave that object out and are
    listed in ``problems``; boxes partly outside the image are clipped and listed in
    ``clipped``.
    """
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        raise DatasetError(
            f"{path}: the XML does not parse ({e}); fix the file (an editor shows the line), "
            "or delete its id from the split file."
        ) from None
    except OSError as e:
        raise DatasetError(f"{path}: cannot read the annotation ({e}).") from None

    size = root.find("size")
    if size is None:
        raise DatasetError(
            f"{path}: no <size>; add <size><width>W</width><height>H</height><depth>3</depth>"
            "</size> with the image's size in pixels."
        )
    width = _number(path, size, "width", "<size>")
    height = _number(path, size, "height", "<size>")
    if width <= 0 or height <= 0:
        raise DatasetError(
            f"{path}: <size> says {width:g} x {height:g} pixels; write the image's real width "
            "and height."
        )
    ann = VOCAnnotation(path, _text(root, "filename"), int(width), int(height))

    for k, obj in enumerate(root.iter("object")):
        name = _text(obj, "name")
        where = f"object {k + 1} ({name!r})" if name else f"object {k + 1}"
        if name is None:
            ann.problems.append(f"{path}: {where} has no <name>; add the class name.")
            continue
        bndbox = obj.find("bndbox")
        if bndbox is None:
            ann.problems.append(
                f"{path}: {where} has no <bndbox>; add <bndbox> with xmin, ymin, xmax, ymax "
                "(1-based pixels), or delete the object."
            )
            continue
        try:
            xmin, ymin, xmax, ymax = (
                _number(path, bndbox, t, f"the <bndbox> of {where}")
                for t in ("xmin", "ymin", "xmax", "ymax")
            )
        except DatasetError as e:
            ann.problems.append(str(e))
            continue
        if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
            ann.problems.append(f"{path}: {where} has a corner that is not a finite number.")
            continue
        if xmax <= xmin or ymax <= ymin:
            ann.problems.append(
                f"{path}: {where} has xmin={xmin:g}, xmax={xmax:g}, ymin={ymin:g}, "
                f"ymax={ymax:g}: need xmax > xmin and ymax > ymin; swap or correct the corners."
            )
            continue
        x1, y1, x2, y2 = voc_box_to_px(xmin, ymin, xmax, ymax)
        cx1, cy1 = min(max(x1, 0.0), width), min(max(y1, 0.0), height)
        cx2, cy2 = min(max(x2, 0.0), width), min(max(y2, 0.0), height)
        if cx2 - cx1 <= 0 or cy2 - cy1 <= 0:
            ann.problems.append(
                f"{path}: {where} lies wholly outside the {width:g} x {height:g} image "
                f"(xmin={xmin:g}, ymin={ymin:g}, xmax={xmax:g}, ymax={ymax:g}); correct it."
            )
            continue
        if (cx1, cy1, cx2, cy2) != (x1, y1, x2, y2):
            ann.clipped.append(
                f"{path}: {where} (xmin={xmin:g}, ymin={ymin:g}, xmax={xmax:g}, ymax={ymax:g}) "
                f"goes beyond the {width:g} x {height:g} image; clipped to it."
            )
        ann.objects.append(
            VOCObject(name, (cx1, cy1, cx2, cy2), _flag(obj, "difficult"), _flag(obj, "truncated"))
        )
    return ann


# ---------------------------------------------------------------------------- writing


def write_voc_xml(
    path: str | os.PathLike,
    filename: str,
    width: int,
    height: int,
    objects: Iterable[VOCObject],
    folder: str = "",
) -> None:
    """Write one annotation in VOC's format; boxes go from pixel corners to VOC's 1-based
    inclusive integers with :func:`px_box_to_voc`."""
    lines = [
        "<annotation>",
        f"  <folder>{escape(folder)}</folder>",
        f"  <filename>{escape(filename)}</filename>",
        f"  <size><width>{int(width)}</width><height>{int(height)}</height><depth>3</depth></size>",
    ]
    for obj in objects:
        xmin, ymin, xmax, ymax = px_box_to_voc(*obj.box_px)
        lines += [
            "  <object>",
            f"    <name>{escape(obj.name)}</name>",
            f"    <truncated>{int(obj.truncated)}</truncated>",
            f"    <difficult>{int(obj.difficult)}</difficult>",
            f"    <bndbox><xmin>{xmin}</xmin><ymin>{ymin}</ymin><xmax>{xmax}</xmax>"
            f"<ymax>{ymax}</ymax></bndbox>",
            "  </object>",
        ]
    lines.append("</annotation>\n")
    Path(path).write_text("\n".join(lines), encoding="utf-8")
