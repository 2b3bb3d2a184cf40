"""Handing in: one zip of your homework with a manifest, for the course's check-in (打卡).

:func:`pack` writes ``homework/lesson05_pack.zip``: the **newest file of each homework kind**
in ``homework/`` (the summary, the screenshots, the flowchart: the ``lessonNN_<kind>.*`` files
at the folder's top level; ``old/``, ``drafts/`` and earlier packs are left out) with
``manifest.json`` inside. Files named as earlier versions of the course named them
(``lesson03_summary_20261207-101500.txt``) count as their kind (:func:`homework_kind`); of
several of one kind the one saved last counts.

Lesson 5's homework is one of two options (:data:`OPTIONS`): screenshots of a run
(``"screenshot"``: the training run or the test run) or your flowchart (``"flowchart"``). The
pack holds the option you hand in and not the other; with both saved, ``pack()`` asks which
(``pack(option="flowchart")``); with one saved, it takes that one. The summary and the other
lessons' files always go in.

The manifest: ``course``, ``student``, ``date`` (ISO), ``ssd_core`` (version), ``lessons``,
``option``, ``summary`` (the one summary file that counts, or None) and ``files``: for each
its name in the zip, ``lesson``, ``kind``, ``bytes`` and ``sha256``, so whoever checks the
homework can see that nothing changed after packing. Packing again replaces the zip; the one it
replaces is kept in ``homework/old/`` (:func:`~ssd_core.homework.files.write_homework_file`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .. import __version__
from ..i18n import N_, _, ngettext
from .files import COURSE, homework_dir, homework_kind, require_student, write_homework_file

__all__ = ["MANIFEST", "PACK", "OPTIONS", "SUFFIXES", "HomeworkFile", "homework_files",
           "newest_by_kind", "lesson5_options", "choose_files", "pack"]

#: The manifest's name inside the zip.
MANIFEST = "manifest.json"

#: The pack's homework kind: ``homework/lesson05_pack.zip``.
PACK = (5, "pack")

#: Lesson 5's two options, as ``pack(option=...)`` and the manifest name them, with how a
#: student reads them (English sentences of the catalog).
OPTIONS: dict[str, str] = {
    "screenshot": N_("screenshots of a run (the training run or the test run)"),
    "flowchart": N_("your flowchart of SSD's training"),
}

#: The suffixes of homework files (pictures and text); anything else is not packed.
SUFFIXES = (".png", ".jpg", ".jpeg", ".txt")

#: Lesson 5's flowchart kind; every other lesson-5 picture is a screenshot of a run.
_FLOWCHART = "flowchart"


@dataclass(frozen=True)
class HomeworkFile:
    """A homework file in the folder: its path, lesson and kind (``"summary"``, ...)."""

    path: Path
    lesson: int
    kind: str

    @property
    def name(self) -> str:
        """Its name in the pack: ``lessonNN_<kind><suffix>``, whatever name it has on disk
        (an earlier version of the course dated its files)."""
        return f"lesson{self.lesson:02d}_{self.kind}{self.path.suffix.lower()}"

    @property
    def option(self) -> str | None:
        """The lesson-5 option it belongs to (:data:`OPTIONS`), or None."""
        if self.lesson != 5:
            return None
        return "flowchart" if self.kind == _FLOWCHART else "screenshot"


def _homework_file(path: Path) -> HomeworkFile | None:
    kind = homework_kind(path.name)
    if kind is None or path.suffix.lower() not in SUFFIXES or kind[:2] == PACK:
        return None
    return HomeworkFile(path, kind[0], kind[1])


def homework_files(folder: str | os.PathLike | None = None) -> list[HomeworkFile]:
    """Every homework file at the top of the folder (``old/`` and ``drafts/`` are not looked
    into; packs and other files are left out), by lesson and name."""
    found = (_homework_file(p) for p in homework_dir(folder).iterdir() if p.is_file())
    return sorted((f for f in found if f is not None), key=lambda f: (f.lesson, f.path.name))


def newest_by_kind(files: Iterable[HomeworkFile]) -> list[HomeworkFile]:
    """One file per ``(lesson, kind)``: the one modified last (on a tie, the undated name of
    this version of the course), by lesson and kind."""
    def recency(f: HomeworkFile) -> tuple[int, bool]:
        return f.path.stat().st_mtime_ns, f.path.name == f.name

    newest: dict[tuple[int, str], HomeworkFile] = {}
    for f in files:
        key = (f.lesson, f.kind)
        if key not in newest or recency(f) > recency(newest[key]):
            newest[key] = f
    return [newest[k] for k in sorted(newest)]


def lesson5_options(files: Iterable[HomeworkFile]) -> list[str]:
    """The lesson-5 options (:data:`OPTIONS`) that ``files`` hold, in the order of OPTIONS."""
    present = {f.option for f in files}
    return [o for o in OPTIONS if o in present]


def _check_option(option: str | None) -> None:
    if option is not None and option not in OPTIONS:
        raise ValueError(_("option must be 'screenshot' or 'flowchart', got {option!r}.")
                         .format(option=option))


def choose_files(files: Iterable[HomeworkFile],
                 option: str | None = None) -> tuple[list[HomeworkFile], str | None]:
    """What :func:`pack` packs of ``files``, and the lesson-5 option it hands in.

    The newest file of each kind; of lesson 5 only the ``option``'s files. With ``option``
    None: the one option saved, or None with neither; both saved is a :class:`ValueError`
    that asks which. An ``option`` with no file saved is a :class:`ValueError` too.
    """
    _check_option(option)
    files = newest_by_kind(files)
    present = lesson5_options(files)
    if option is None and len(present) > 1:
        raise ValueError(_("you saved both options of lesson 5's homework, screenshots and a "
                           "flowchart, and hand in one: choose it in the pack box, or run "
                           "pack(option='screenshot') or pack(option='flowchart')."))
    if option is None:
        option = present[0] if present else None
    elif option not in present:
        raise ValueError(_("you chose to hand in {option}, but none is saved yet: save it first "
                           "with its button in lesson 5, or choose the other option.")
                         .format(option=_(OPTIONS[option])))
    return [f for f in files if f.option in (None, option)], option


def _given_files(files: Iterable[str | os.PathLike]) -> list[HomeworkFile]:
    """The files named in ``pack(files=...)``: each must exist and be named as homework."""
    paths = [Path(p) for p in files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(_("cannot pack {files}: no such file.")
                                .format(files=", ".join(missing)))
    found = [(p, _homework_file(p)) for p in paths]
    others = [p.name for p, f in found if f is None]
    if others:
        raise ValueError(_("cannot pack {files}: not homework files (lessonNN_<kind>.png or "
                           ".txt, as the lessons save them).").format(files=", ".join(others)))
    return [f for _p, f in found]


def pack(student: str | None = None, files: Iterable[str | os.PathLike] | None = None, *,
         option: str | None = None, folder: str | os.PathLike | None = None,
         when: _dt.datetime | None = None, quiet: bool = False) -> Path:
    """Pack your homework into ``homework/lesson05_pack.zip`` with a manifest; returns its path.

    Args:
        student: whose homework; default the saved name (:func:`~ssd_core.homework.set_student`,
            the name box). Without one, a :class:`ValueError` says how to give it.
        files: the files to choose from (default: :func:`homework_files` of the folder).
        option: lesson 5's option to hand in, ``"screenshot"`` or ``"flowchart"``
            (:func:`choose_files` says what happens without one).
        folder: the homework folder (default :func:`~ssd_core.homework.homework_dir`).
        when: the manifest's date (default now).
        quiet: do not print what went into the pack.

    A pack packed before is kept in ``homework/old/``; the zip is written atomically.
    """
    who = require_student(student, folder)
    found = _given_files(files) if files is not None else homework_files(folder)
    if not found:
        raise ValueError(_("{folder}: no homework files yet (lessonNN_*.png or .txt); save your "
                           "screenshots, summary or flowchart first.")
                         .format(folder=homework_dir(folder)))
    chosen, option = choose_files(found, option)
    when = when or _dt.datetime.now()
    data = {f.name: f.path.read_bytes() for f in chosen}    # read once: what is hashed is packed
    entries = [{"file": f.name, "lesson": f.lesson, "kind": f.kind, "bytes": len(data[f.name]),
                "sha256": hashlib.sha256(data[f.name]).hexdigest()} for f in chosen]
    summaries = [f.name for f in chosen if f.kind == "summary"]
    manifest = {"course": COURSE, "student": who, "date": when.isoformat(timespec="seconds"),
                "ssd_core": __version__, "lessons": sorted({f.lesson for f in chosen}),
                "option": option, "summary": summaries[0] if summaries else None,
                "files": entries}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for name, content in data.items():
            z.writestr(name, content)
    path = write_homework_file(buf.getvalue(), *PACK, ".zip", when, folder)
    if not quiet:
        print(ngettext("packed {n} file into {path}: hand in this zip.",
                       "packed {n} files into {path}: hand in this zip.", len(chosen))
              .format(n=len(chosen), path=path))
        for f in chosen:
            print(f"  {f.name}" + ("" if f.path.name == f.name else f"  ({f.path.name})"))
        if option is None:
            print(_("note: the pack has no homework of lesson 5 yet (screenshots of a run or "
                    "your flowchart); save one and pack again."))
    return path
