"""Where homework goes, whose it is, and how a file is written without losing anything.

* :func:`homework_dir`: ``$SSD_COURSE_HOMEWORK`` if set; else ``homework/`` at the top of the
  repository (ignored by git), or in the current folder when ``ssd_core`` is installed
  elsewhere. The quick mode (``SSD_COURSE_QUICK=1``, which a teacher may set for a class on slow
  laptops) changes data and runs only, never where homework and drafts are kept; the test run
  points ``$SSD_COURSE_HOMEWORK`` at a folder of its own (``conftest.py``).
* :func:`set_student` / :func:`student_name`: the student's name, asked once and kept in
  ``homework/student.json`` (:data:`STUDENT_FILE`), so every lesson's kernel finds it;
  :func:`require_student` refuses a screenshot or a pack without one, saying how to fix it.
* :func:`caption_lines`: course, lesson, student, date, versions and device, line by line,
  in the course's language (``ssd-course · lesson 5: training run · student: Li Lei``).
* :func:`write_homework_file`: one file per piece of homework, ``lessonNN_<name><suffix>``
  (``lesson05_training_run.png``). Saving it again replaces it, and the version it replaces is
  kept in ``homework/old/`` (:data:`OLD`) under the time it was saved: nothing is ever lost, and
  the folder's top level holds exactly what counts. Written atomically: the old version is
  linked into ``old/`` first, then the new file takes the name in one step, so an interrupted
  save leaves the previous version in place.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
import shutil
import unicodedata
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from ..device import describe_device
from ..i18n import N_, _
from ..paths import repo_root, write_atomically

__all__ = ["COURSE", "LESSON_TITLES", "HOMEWORK_ENV", "STUDENT_ENV", "STUDENT_FILE", "OLD",
           "homework_dir", "set_student", "student_name", "require_student", "lesson_number",
           "check_name", "caption_lines", "homework_path", "homework_kind", "write_homework_file"]

COURSE = "ssd-course"

#: The five sessions, as the captions name them: English sentences of the catalog
#: (``_(LESSON_TITLES[5])``: in the current language).
LESSON_TITLES: dict[int, str] = {
    1: N_("detection basics"),
    2: N_("the SSD architecture"),
    3: N_("matching and the loss"),
    4: N_("code walkthrough"),
    5: N_("training run"),
}

#: Environment variables: the homework folder, and the student's name for the captions.
HOMEWORK_ENV = "SSD_COURSE_HOMEWORK"
STUDENT_ENV = "SSD_COURSE_STUDENT"

#: The student's name, in the homework folder: ``{"course", "student", "saved"}``.
STUDENT_FILE = "student.json"

#: The folder, inside the homework folder, where replaced versions of homework files are kept.
OLD = "old"

_student: str | None = None


def homework_dir(folder: str | os.PathLike | None = None) -> Path:
    """The folder homework files go to (created); the module docstring gives the rule."""
    if folder is not None:
        path = Path(folder).expanduser()
    elif os.environ.get(HOMEWORK_ENV):
        path = Path(os.environ[HOMEWORK_ENV]).expanduser()
    else:
        root = repo_root()
        path = (root if root is not None else Path.cwd()) / "homework"
    path.mkdir(parents=True, exist_ok=True)
    return path

def _check_student(name: str) -> str:
    name = unicodedata.normalize("NFC", str(name)).strip()
    if not name:
        raise ValueError(_("student name is empty; write your name, e.g. set_student('Li Lei')."))
    bad = [c for c in name if unicodedata.category(c).startswith("C")]
    if bad:
        raise ValueError(_("student name {name!r} contains control characters ({bad!r}); write "
                           "it on one line, without tabs or line breaks.")
                         .format(name=name, bad=bad))
    if len(name) > 60:
        raise ValueError(_("student name is {n} characters long; keep it under 60.")
                         .format(n=len(name)))
    return name


def set_student(name: str, folder: str | os.PathLike | None = None) -> str:
    """Keep the student's name for every lesson: in this kernel, and in
    ``<homework folder>/student.json`` (written atomically) for the others. Returns it, cleaned."""
    global _student
    name = _check_student(name)
    data = {"course": COURSE, "student": name,
            "saved": _dt.datetime.now().isoformat(timespec="seconds")}
    write_atomically(homework_dir(folder) / STUDENT_FILE,
                     json.dumps(data, ensure_ascii=False, indent=1))
    _student = name
    return name


def _saved_student(folder: str | os.PathLike | None = None) -> str | None:
    """The name in ``student.json``, or None when there is none or it cannot be read (a name
    box will ask again; the file is left as it is)."""
    try:
        data = json.loads((homework_dir(folder) / STUDENT_FILE).read_text(encoding="utf-8"))
        return _check_student(data["student"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def student_name(name: str | None = None,
                 folder: str | os.PathLike | None = None) -> str | None:
    """``name`` if given, else the name :func:`set_student` kept (this kernel's, else
    ``student.json``'s), else ``$SSD_COURSE_STUDENT``, else None."""
    if name is not None:
        return _check_student(name)
    if _student is not None:
        return _student
    saved = _saved_student(folder)
    if saved is not None:
        return saved
    env = os.environ.get(STUDENT_ENV)
    return _check_student(env) if env else None


def require_student(name: str | None = None,
                    folder: str | os.PathLike | None = None) -> str:
    """:func:`student_name`, or a :class:`ValueError` whose message says how to give one."""
    who = student_name(name, folder)
    if not who:
        raise ValueError(_("no student name yet: type your name in the name box (lesson 1 or "
                           "the first lesson you open) and save it, or run "
                           "set_student('your name'); then try again."))
    return who

def lesson_number(lesson) -> int:
    """The session number 1 to 5 of ``lesson`` (``5``, ``"5"``, ``"lesson 5"``), or an error."""
    try:
        n = int(str(lesson).lower().removeprefix("lesson").strip())
    except ValueError:
        n = -1
    if n not in LESSON_TITLES:
        raise ValueError(_("lesson must be one of {choices} (the session number), got {lesson!r}; "
                           "e.g. lesson=5.").format(choices=sorted(LESSON_TITLES), lesson=lesson))
    return n


_NAME_OK = re.compile(r"^[^\W][\w\-.]*$")


def check_name(name: str) -> str:
    """A file-name part: letters (any script), digits, ``-``, ``_``, ``.``; no separators."""
    name = unicodedata.normalize("NFC", str(name))
    example = _("e.g. name='loss_curve'")
    if not name:
        raise ValueError(_("name is empty; give the homework file a short name, {example}.")
                         .format(example=example))
    if "/" in name or "\\" in name or ".." in name:
        raise ValueError(_("name {name!r} contains a path ('/', '\\' or '..'); give only a short "
                           "name, the folder is chosen for you (homework/), {example}.")
                         .format(name=name, example=example))
    if len(name) > 60:
        raise ValueError(_("name {name!r} is {n} characters long; keep it under 60.")
                         .format(name=name, n=len(name)))
    if not _NAME_OK.match(name):
        raise ValueError(_("name {name!r} has characters a file name should not have (spaces, "
                           "punctuation); use letters, digits, '-', '_' and '.', {example}.")
                         .format(name=name, example=example))
    return name

def caption_lines(lesson, student: str | None = None, when: _dt.datetime | None = None,
                  device: Any = None, extra: str | None = None,
                  with_device: bool = True) -> list[str]:
    """The caption of a homework file, line by line (no wrapping yet), in the course's
    language.

    Line 1: course, lesson and student; line 2: date, package versions and (unless
    ``with_device=False``) the device; line 3, if given: ``extra`` (an explorer's ``state:``
    line, say).
    """
    n = lesson_number(lesson)
    who = student_name(student)
    when = when or _dt.datetime.now()
    lines = [
        _("{course} · lesson {n}: {title} · student: {who}").format(
            course=COURSE, n=n, title=_(LESSON_TITLES[n]),
            who=who if who else _("(name not set: set_student('your name'))")),
        f"{when:%Y-%m-%d %H:%M} · ssd_core {__version__} · torch {torch.__version__}"
        # TRANSLATORS: the end of the caption's second line (date, versions), with its separator
        + (_(" · device: {device}").format(device=describe_device(device)) if with_device else ""),
    ]
    if extra:
        lines.append(str(extra).strip().replace("\n", " "))
    return lines


_KIND = re.compile(r"^lesson(\d\d)_(.+?)(?:_\d{8}-\d{6}(?:-\d+)?)?(\.[A-Za-z0-9]+)$")


def homework_kind(filename: str) -> tuple[int, str, str] | None:
    """``(lesson, name, suffix)`` of a homework file's name: ``lesson05_training_run.png`` and
    the dated names of earlier versions of the course (``lesson03_summary_20261207-101500.txt``)
    both give the kind they are; None for any other name.

    >>> homework_kind("lesson03_summary_20261207-101500-2.txt")
    (3, 'summary', '.txt')
    """
    m = _KIND.match(filename)
    return (int(m.group(1)), m.group(2), m.group(3)) if m else None


def homework_path(lesson, name: str, suffix: str,
                  folder: str | os.PathLike | None = None) -> Path:
    """Where the homework ``name`` of ``lesson`` lives: ``<folder>/lessonNN_<name><suffix>``."""
    n = lesson_number(lesson)
    return homework_dir(folder) / f"lesson{n:02d}_{check_name(name)}{suffix}"


def _keep_old(path: Path) -> Path | None:
    """Link the current ``path`` into ``old/`` under the time it was saved (a counter when that
    name is taken); returns where, or None when there was none."""
    try:
        saved = _dt.datetime.fromtimestamp(path.stat().st_mtime)
    except FileNotFoundError:
        return None
    old = path.parent / OLD
    old.mkdir(exist_ok=True)
    for k in range(1, 1000):
        aside = old / f"{path.stem}_{saved:%Y%m%d-%H%M%S}{f'-{k}' if k > 1 else ''}{path.suffix}"
        try:
            os.link(path, aside)
            return aside
        except FileExistsError:
            continue
        except OSError:                         # no hard links here (some shared folders)
            if aside.exists():
                continue
            shutil.copy2(path, aside)
            return aside
    raise FileExistsError(f"{old}: no free name for an old version of {path.name}; "
                          "clear out the old/ folder.")


def write_homework_file(data: bytes, lesson, name: str, suffix: str,
                        when: _dt.datetime | None = None,
                        folder: str | os.PathLike | None = None) -> Path:
    """Write ``data`` as the homework ``lessonNN_<name><suffix>``; returns the path.

    A version saved before is first kept in ``old/`` (never lost), then the new bytes take the
    name in one step (:func:`~ssd_core.paths.write_atomically`): at every moment the name holds
    a whole file. ``when`` sets the new file's modification time (tests; default now).
    """
    path = homework_path(lesson, name, suffix, folder)
    _keep_old(path)
    write_atomically(path, data)
    if when is not None:
        stamp = when.timestamp()
        os.utime(path, (stamp, stamp))
    return path
