"""The student's side of the homework in the notebooks: what writes homework does so on a click.

Run All only shows. These widgets write into ``homework/`` when the student clicks, never when
their cell runs:

* :func:`name_box`: the student's name, asked once (lesson 1, or whichever lesson comes first)
  and kept in ``homework/student.json`` (:func:`~ssd_core.homework.files.set_student`); a later
  lesson's box shows it, with a button to change it;
* :func:`screenshot_button`: a preview of a figure or an explorer and a button that saves it as
  ``homework/lessonNN_<name>.png`` with its caption strip
  (:func:`~ssd_core.homework.screenshot.save_screenshot`);
* :func:`pack_box`: the choice of lesson 5's two options and a button that packs the homework
  into ``homework/lesson05_pack.zip`` (:func:`~ssd_core.homework.pack.pack`).

Saving again replaces a homework file; the version it replaces is kept in ``homework/old/``,
and each widget says so (:func:`saved_note`). A refusal (no name yet, nothing saved, a folder
that cannot be written) is shown in the widget in red, with the sentence that fixes it. On a
static page (``make html``) each shows what it would do, and the static note.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import zipfile
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets
from IPython.display import display
from PIL import Image

from ..i18n import _, pgettext
from ..viz.explorer import show_static, static_mode
from .files import (OLD, STUDENT_FILE, homework_dir, homework_path, lesson_number, set_student,
                    student_name)
from .pack import MANIFEST, OPTIONS, choose_files, homework_files, pack
from .screenshot import missing_font_note, render_png, save_screenshot

__all__ = ["saved_note", "NameBox", "name_box", "ScreenshotButton", "screenshot_button",
           "PackBox", "pack_box"]

#: Colours of a message: done, refused.
GOOD, BAD = "green", "#b00"


def _html(text: str, color: str | None = None, tag: str = "span") -> str:
    style = f" style='color:{color}'" if color else ""
    return f"<{tag}{style}>{escape(text)}</{tag}>"


def _list(names) -> str:
    """File names one after another, with the course language's list separator (、)."""
    return pgettext("list of files", ", ").join(names)


def saved_note(path: Path, just_now: bool = True, packed: bool = False) -> str:
    """What a widget says of the homework file ``path``: saved (``just_now``) or saved before,
    when, and that saving (``packed``: packing) again keeps it in ``old/``; ``""`` when there is
    no such file."""
    try:
        when = _dt.datetime.fromtimestamp(path.stat().st_mtime)
    except FileNotFoundError:
        return ""
    args = {"path": path, "time": f"{when:%Y-%m-%d %H:%M}", "old": path.parent / OLD}
    if packed:
        if just_now:
            return _("packed {path} ({time}). Packing again replaces it and keeps this version "
                     "in {old}.").format(**args)
        return _("packed before: {path} ({time}). Packing again replaces it and keeps that "
                 "version in {old}.").format(**args)
    if just_now:
        return _("saved {path} ({time}). Saving again replaces it and keeps this version in "
                 "{old}.").format(**args)
    return _("saved before: {path} ({time}). Saving again replaces it and keeps that version "
             "in {old}.").format(**args)


# ---------------------------------------------------------------------------- the name


class NameBox:
    """The student's name: a text box and a button that keeps it in ``homework/student.json``;
    once it is kept, the name and a button to change it."""

    def __init__(self, folder: str | os.PathLike | None = None):
        self.folder = folder
        self.text = widgets.Text(placeholder=_("your name, e.g. Li Lei"),
                                 description=_("Name:"), layout=widgets.Layout(width="22em"))
        self.save_button = widgets.Button(description=_("Save my name"), icon="save",
                                          layout=widgets.Layout(width="auto"))
        self.change_button = widgets.Button(description=_("Change it"), icon="edit",
                                            layout=widgets.Layout(width="auto"))
        self.shown = widgets.HTML()
        self.message = widgets.HTML()
        self.ask = widgets.HBox([self.text, self.save_button])
        self.known = widgets.HBox([self.shown, self.change_button])
        self.save_button.on_click(lambda _b: self.save())
        self.change_button.on_click(lambda _b: self._change())
        self.widget = widgets.VBox([self.known, self.ask, self.message])
        self._show(asking=self.saved_name is None)

    @property
    def file(self) -> Path:
        """``homework/student.json``."""
        return homework_dir(self.folder) / STUDENT_FILE

    @property
    def saved_name(self) -> str | None:
        """The name every lesson finds (:func:`~ssd_core.homework.student_name`) when it is
        kept in ``student.json``; None before."""
        return student_name(folder=self.folder) if self.file.is_file() else None

    def _show(self, asking: bool) -> None:
        name = self.saved_name
        if name is not None:
            self.shown.value = _html(_("Your name: {name} (saved in {path})")
                                     .format(name=name, path=self.file))
        self.known.layout.display = "none" if asking or name is None else None
        self.ask.layout.display = None if asking or name is None else "none"
        if asking and not self.text.value:
            self.text.value = name or student_name(folder=self.folder) or ""

    def _change(self) -> None:
        self.message.value = ""
        self._show(asking=True)

    def save(self, name: str | None = None) -> str | None:
        """Keep ``name`` (default: the text box's) for every lesson; returns it, or None when it
        was refused (the message says why)."""
        try:
            kept = set_student(self.text.value if name is None else name, self.folder)
        except (ValueError, OSError) as e:            # empty, control characters, a full disk
            self.message.value = _html(str(e), BAD)
            return None
        self.message.value = _html(_("Saved: every lesson now finds your name."), GOOD)
        self._show(asking=False)
        return kept

    def _ipython_display_(self):
        if static_mode():
            show_static(_html(_("Here a box asks for your name once; every lesson finds it in "
                                "homework/student.json."), tag="p"))
        else:
            display(self.widget)


def name_box(folder: str | os.PathLike | None = None) -> NameBox:
    """Ask for the student's name once and keep it in ``homework/student.json``; when it is
    kept already, show it (with a button to change it)."""
    return NameBox(folder)


# ---------------------------------------------------------------------------- a screenshot


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


class ScreenshotButton:
    """A preview of a figure or an explorer and a button that saves it as homework with its
    caption strip; after saving, the preview is the saved file."""

    #: Resolution of the preview shown before saving.
    PREVIEW_DPI = 80

    def __init__(self, figure_or_explorer, lesson, name: str, student: str | None = None, *,
                 folder: str | os.PathLike | None = None, dpi: float = 100,
                 device: Any = None):
        self.source, self.lesson, self.name = figure_or_explorer, lesson_number(lesson), name
        self.student, self.folder, self.dpi, self.device = student, folder, dpi, device
        self.path = homework_path(self.lesson, name, ".png", folder)
        self.saved: list[Path] = []
        self.preview = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.button = widgets.Button(
            description=_("Save as homework: {file}").format(file=self.path.name), icon="save",
            layout=widgets.Layout(width="auto"))
        self.message = widgets.HTML(_html(saved_note(self.path, just_now=False)))
        self.button.on_click(lambda _b: self.save())
        self.widget = widgets.VBox([self.preview, widgets.HBox([self.button]), self.message])

    def _preview_png(self) -> bytes:
        return _png(render_png(self.source, self.PREVIEW_DPI))

    def _show(self, png: bytes) -> None:
        """Show ``png`` at its own size (narrower when the page is)."""
        with Image.open(io.BytesIO(png)) as im:
            self.preview.layout.width = f"{im.width}px"
        self.preview.value = png

    def save(self) -> Path | None:
        """Save the figure as it is now (:func:`save_screenshot`); returns the path, or None
        when it was refused (the message says why)."""
        try:
            path = save_screenshot(self.source, self.lesson, self.name, self.student,
                                   folder=self.folder, dpi=self.dpi, device=self.device,
                                   quiet=True)
        except (ValueError, TypeError, OSError) as e:   # no name, no figure, a full disk
            self.message.value = _html(str(e), BAD)
            return None
        self.saved.append(path)
        self._show(path.read_bytes())
        with Image.open(path) as im:
            note = missing_font_note(im.text.get("Caption", ""))
        self.message.value = _html(saved_note(path), GOOD) + ("<br>" + _html(note) if note else "")
        return path

    def _ipython_display_(self):
        if static_mode():
            show_static(_html(_("A button here saves this picture as homework, {file}.")
                              .format(file=self.path.name), tag="p"), self._preview_png())
            return
        self._show(self._preview_png())
        display(self.widget)


def screenshot_button(figure_or_explorer, lesson, name: str, student: str | None = None, *,
                      folder: str | os.PathLike | None = None, dpi: float = 100,
                      device: Any = None) -> ScreenshotButton:
    """A preview of ``figure_or_explorer`` and a button that saves it as the homework
    ``homework/lessonNN_<name>.png`` when clicked (:func:`save_screenshot`, which gives the
    arguments' meaning). Showing it writes nothing."""
    return ScreenshotButton(figure_or_explorer, lesson, name, student, folder=folder, dpi=dpi,
                            device=device)


# ---------------------------------------------------------------------------- the pack


class PackBox:
    """Lesson 5's choice of option (screenshots of a run, or the flowchart), the homework that
    would go into the pack, and the button that packs it."""

    def __init__(self, student: str | None = None, folder: str | os.PathLike | None = None):
        self.student, self.folder = student, folder
        self.path = homework_path(5, "pack", ".zip", folder)
        self.choice = widgets.RadioButtons(
            options=[(_(label), key) for key, label in OPTIONS.items()], value=None,
            description=_("Lesson 5:"), layout=widgets.Layout(width="auto"))
        self.button = widgets.Button(description=_("Pack my homework"), icon="archive",
                                     layout=widgets.Layout(width="auto"))
        self.contents = widgets.HTML()
        self.message = widgets.HTML(_html(saved_note(self.path, just_now=False, packed=True)))
        self.choice.observe(lambda _c: self.refresh(), names="value")
        self.button.on_click(lambda _b: self.pack())
        self.widget = widgets.VBox([self.choice, self.contents, widgets.HBox([self.button]),
                                    self.message])
        self.refresh()

    def refresh(self) -> None:
        """List what the pack would hold now, with the option chosen (none: the one saved)."""
        try:
            chosen, _option = choose_files(homework_files(self.folder), self.choice.value)
        except ValueError as e:                  # both options saved and none chosen, ...
            self.contents.value = _html(str(e), BAD, "small")
            return
        if not chosen:
            self.contents.value = _html(_("No homework file saved yet."), tag="small")
            return
        names = _list(f.name for f in chosen)
        self.contents.value = _html(_("The pack will hold: {files}").format(files=names),
                                    tag="small")

    def pack(self) -> Path | None:
        """Pack now (:func:`~ssd_core.homework.pack.pack`); returns the zip's path, or None
        when packing was refused (the message says why)."""
        self.refresh()
        try:
            path = pack(self.student, option=self.choice.value, folder=self.folder, quiet=True)
        except (ValueError, OSError) as e:        # no name, nothing saved, which option, ...
            self.contents.value = ""              # said once, under the button
            self.message.value = _html(str(e), BAD)
            return None
        with zipfile.ZipFile(path) as z:
            files = [f["file"] for f in json.loads(z.read(MANIFEST))["files"]]
        held = _("It holds {files}: hand in this zip.").format(files=_list(files))
        self.message.value = (_html(saved_note(path, packed=True), GOOD) + "<br>"
                              + _html(held, GOOD))
        return path

    def _ipython_display_(self):
        if static_mode():
            show_static(_html(_("Here you choose lesson 5's option and pack your homework into "
                                "{file}, the zip you hand in.").format(file=self.path.name),
                              tag="p"))
        else:
            display(self.widget)


def pack_box(student: str | None = None, folder: str | os.PathLike | None = None) -> PackBox:
    """Choose lesson 5's option and pack the homework (:func:`~ssd_core.homework.pack.pack`)
    when the button is clicked. Showing it writes nothing."""
    return PackBox(student, folder)
