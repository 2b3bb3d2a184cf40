"""Captioned screenshots: a figure of the course with a strip saying who, when and where.

Sessions 4 and 5 are handed in as pictures: a screenshot of a test or training run, or a
flowchart of SSD's training process. :func:`save_screenshot` turns any figure of the course
(a matplotlib ``Figure``, an explorer, a PNG the training run wrote) into a PNG under
``homework/`` with a **caption strip** below it::

    +--------------------------------------------------+
    |                   the figure                     |
    +--------------------------------------------------+
    | ssd-course · lesson 5: training run · student: …  |   <- the caption strip
    | 2025-11-24 14:03 · ssd_core 0.1.0 · device: cpu … |
    +--------------------------------------------------+

The caption says which course, which lesson, who, when, with which version of the package and
on which device, in the course's language (the catalog's, :mod:`ssd_core.i18n`), so a screenshot
can be checked against the run it claims to show; nothing else (an explorer's ``state:`` line
is for the lesson, not for the homework). The same text is stored in the PNG's metadata (key
``Caption``), exactly, even where a font cannot draw a character. A screenshot needs your name
(:func:`~ssd_core.homework.files.require_student`): without one it is refused, with the
sentence that says how to give it.

The file is ``homework/lessonNN_<name>.png``, written by
:func:`~ssd_core.homework.files.write_homework_file`: saving again replaces it, the version it
replaces is kept in ``homework/old/``, and nothing is ever half-written. In the lessons a
button saves it (:func:`~ssd_core.homework.buttons.screenshot_button`): running the lesson's
cells never does.

A saved notebook shows "Error displaying widget" in place of every explorer until its cells
run again: run all cells (*Run > Run All Cells*), move the sliders, then take the screenshot.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import warnings
from pathlib import Path
from typing import Any, Sequence

from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from PIL import Image, PngImagePlugin

from ..fonts import font_families, missing_glyphs, new_figure
from ..i18n import _
from .files import (COURSE, caption_lines, check_name, lesson_number, require_student,
                    write_homework_file)

__all__ = ["STRIP_COLOR", "strip_height", "render_png", "screenshot_png", "save_screenshot",
           "missing_font_note"]

#: Background of the caption strip (a dark blue that no course figure uses), and its text.
STRIP_COLOR: tuple[int, int, int] = (24, 44, 84)
STRIP_TEXT_COLOR = "white"
#: Caption font size in points, and the line height as a multiple of it.
CAPTION_POINTS = 9.0
LINE_SPACING = 1.45
def _wrap(lines: Sequence[str], width_px: int, dpi: float) -> list[str]:
    """Wrap caption lines, word by word, to the strip's width as the font measures them."""
    renderer = RendererAgg(width_px, 100, dpi)
    prop = FontProperties(family=font_families(), size=CAPTION_POINTS)
    room = width_px - 2 * _pad_px(dpi)

    def fits(text: str) -> bool:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Gg]lyph.*missing.*")
            w, _h, _d = renderer.get_text_width_height_descent(text, prop, ismath=False)
        return w <= room

    out: list[str] = []
    for line in lines:
        current = ""
        for word in line.split(" "):
            trial = f"{current} {word}" if current else word
            if fits(trial) or not current:
                current = trial
            else:
                out.append(current)
                current = word
        out.append(current)
    return out


def _pad_px(dpi: float) -> int:
    return max(2, round(6 * dpi / 72))


def strip_height(n_lines: int, dpi: float) -> int:
    """Height in pixels of a caption strip of ``n_lines`` lines at ``dpi``."""
    line_px = CAPTION_POINTS * LINE_SPACING * dpi / 72
    return int(round(n_lines * line_px + 2 * _pad_px(dpi)))


def _render_strip(lines: Sequence[str], width_px: int, dpi: float) -> Image.Image:
    height = strip_height(len(lines), dpi)
    fig = new_figure(figsize=(width_px / dpi, height / dpi), dpi=dpi,
                 facecolor=tuple(c / 255 for c in STRIP_COLOR))
    pad = _pad_px(dpi)
    line_px = CAPTION_POINTS * LINE_SPACING * dpi / 72
    families = font_families()
    for i, line in enumerate(lines):
        y = 1 - (pad + (i + 0.5) * line_px) / height
        fig.text(pad / width_px, y, line, color=STRIP_TEXT_COLOR, fontsize=CAPTION_POINTS,
                 family=families, va="center", ha="left", gid=f"caption{i}")
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Gg]lyph.*missing.*")
        fig.savefig(buf, format="png", dpi=dpi, facecolor=fig.get_facecolor())
    strip = Image.open(buf).convert("RGB")
    if strip.size != (width_px, height):        # float rounding of figsize * dpi
        canvas = Image.new("RGB", (width_px, height), STRIP_COLOR)
        canvas.paste(strip.crop((0, 0, min(width_px, strip.width), min(height, strip.height))))
        strip = canvas
    return strip


def _figure_of(obj) -> Figure | None:
    if isinstance(obj, Figure):
        return obj
    fig = getattr(obj, "figure", None)
    return fig if isinstance(fig, Figure) else None


def render_png(obj, dpi: float = 100) -> Image.Image:
    """What :func:`save_screenshot` puts above the caption, as an RGB image.

    ``obj``: a matplotlib ``Figure`` (pyplot's too), an explorer or anything with a
    ``.figure``, a PIL image, or the path of an image file (``runs/<name>/curves.png``).
    """
    fig = _figure_of(obj)
    if fig is not None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi)
        return Image.open(buf).convert("RGB")
    if isinstance(obj, Image.Image):
        return obj.convert("RGB")
    if isinstance(obj, (str, os.PathLike)):
        path = Path(obj)
        if not path.is_file():
            raise FileNotFoundError(_("{path}: no such image file; give a figure, an explorer, or "
                                      "the path of a PNG/JPEG (e.g. runs/<name>/curves.png).")
                                    .format(path=path))
        try:
            with Image.open(path) as im:
                return im.convert("RGB")
        except Exception as e:
            raise ValueError(_("{path}: not an image PIL can read ({error}); give a PNG or JPEG.")
                             .format(path=path, error=e)) from None
    if getattr(obj, "figure", None) is not None and not isinstance(obj.figure, Figure):
        raise TypeError(_("{kind}.figure is {what}, not a matplotlib Figure; redraw the explorer "
                          "first.").format(kind=type(obj).__name__,
                                           what=type(obj.figure).__name__))
    raise TypeError(_("save_screenshot: cannot take a picture of a {kind}; give a matplotlib "
                      "Figure, an explorer, a PIL image, or an image file path.")
                    .format(kind=type(obj).__name__))


def screenshot_png(figure_or_explorer, lesson, student: str, *, dpi: float = 100,
                   when: _dt.datetime | None = None, device: Any = None) -> tuple[bytes, str]:
    """The PNG :func:`save_screenshot` writes, and its caption text: the picture of
    ``figure_or_explorer`` (:func:`render_png`) above the caption strip of ``student``."""
    picture = render_png(figure_or_explorer, dpi)
    lines = caption_lines(lesson, student, when or _dt.datetime.now(), device)
    text = "\n".join(lines)
    strip = _render_strip(_wrap(lines, picture.width, dpi), picture.width, dpi)
    out = Image.new("RGB", (picture.width, picture.height + strip.height), "white")
    out.paste(picture, (0, 0))
    out.paste(strip, (0, picture.height))
    info = PngImagePlugin.PngInfo()
    info.add_itxt("Caption", text)
    info.add_itxt("Software", f"{COURSE} ssd_core.homework")
    buf = io.BytesIO()
    out.save(buf, format="PNG", pnginfo=info, dpi=(dpi, dpi))
    return buf.getvalue(), text


def save_screenshot(figure_or_explorer, lesson, name: str, student: str | None = None, *,
                    folder: str | os.PathLike | None = None, dpi: float = 100,
                    when: _dt.datetime | None = None, device: Any = None,
                    quiet: bool = False) -> Path:
    """Save a figure or an explorer as ``homework/lessonNN_<name>.png`` with a caption strip
    below it (course, lesson, student, date, versions, device), and return the path.

    Args:
        figure_or_explorer: what to save (see :func:`render_png`): an explorer as it is now.
        lesson: the session, 1 to 5.
        name: a short file-name part, the homework's kind (``"training_run"``): letters,
            digits, ``-``, ``_``.
        student: your name; default the saved one (:func:`~ssd_core.homework.set_student`,
            the name box). Without a name the screenshot is refused (:class:`ValueError`).
        folder: where to write (default :func:`~ssd_core.homework.homework_dir`).
        dpi: resolution of the figure and the caption.
        when, device: what the caption says (default: now, and the training device).
        quiet: do not print where the file went.

    A screenshot of the same name saved before is replaced and kept in ``homework/old/``;
    the file is written atomically.
    """
    n = lesson_number(lesson)
    name = check_name(name)
    who = require_student(student, folder)
    when = when or _dt.datetime.now()
    data, text = screenshot_png(figure_or_explorer, n, who, dpi=dpi, when=when, device=device)
    path = write_homework_file(data, n, name, ".png", when, folder)
    if not quiet:
        w, h = Image.open(path).size
        print(_("saved {path} ({w} x {h} px)").format(path=path, w=w, h=h))
        note = missing_font_note(text)
        if note:
            print(note)
    return path


def missing_font_note(text: str) -> str:
    """A note when no installed font draws some characters of ``text`` (a name in a script
    the fonts lack), else ``""``."""
    missing = missing_glyphs(text)
    if not missing:
        return ""
    return _("note: no installed font draws {chars!r}, so the caption image shows boxes "
             "there (the PNG's 'Caption' metadata keeps the exact text). Install a CJK font "
             "(Noto Sans CJK SC) or also write your name in Latin letters.").format(
        chars="".join(missing))
