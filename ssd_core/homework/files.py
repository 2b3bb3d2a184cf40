"""Where homework goes, whose it is, and how a file is written without losing anything.

* :func:`homework_dir`: ``$SSD_COURSE_HOMEWORK`` if set; else, in the quick mode (the test
  run), a scratch folder removed once its process is gone, so tests never write into the
  repository; else ``homework/`` at the top of the repository (ignored by git), or in the
  current folder when ``ssd_core`` is installed elsewhere.
* :func:`set_student` / :func:`student_name`: the name every caption carries.
* :func:`caption_lines`: course, lesson, student, date, versions and device, line by line,
  in the course's language (``ssd-course · lesson 5: training run · student: Li Lei``).
* :func:`write_homework_file`: a new file every time (the name carries the date and time, and
  a counter when that is taken too), written atomically: a temporary file first, then linked
  to its name, so an interrupted save leaves nothing half-written and nothing is replaced.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import unicodedata
from pathlib import Path
from typing import Any

import torch

from .. import __version__
from ..device import describe_device
from ..i18n import N_, _
from ..paths import repo_root, scratch_dir, write_atomically
from ..recipes import quick_mode

__all__ = ["COURSE", "LESSON_TITLES", "HOMEWORK_ENV", "STUDENT_ENV", "homework_dir",
           "set_student", "student_name", "lesson_number", "check_name", "caption_lines",
           "homework_path", "write_homework_file"]

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

_student: str | None = None
_quick_homework: Path | None = None

def homework_dir(folder: str | os.PathLike | None = None) -> Path:
    """The folder homework files go to (created); the module docstring gives the rule."""
    global _quick_homework
    if folder is not None:
        path = Path(folder).expanduser()
    elif os.environ.get(HOMEWORK_ENV):
        path = Path(os.environ[HOMEWORK_ENV]).expanduser()
    elif quick_mode():
        if _quick_homework is None or not _quick_homework.is_dir():
            _quick_homework = scratch_dir("homework")
        path = _quick_homework
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


def set_student(name: str) -> str:
    """Remember the student's name for every caption of this session (returns it, cleaned)."""
    global _student
    _student = _check_student(name)
    return _student


def student_name(name: str | None = None) -> str | None:
    """``name`` if given, else :func:`set_student`'s, else ``$SSD_COURSE_STUDENT``, else None."""
    if name is not None:
        return _check_student(name)
    if _student is not None:
        return _student
    env = os.environ.get(STUDENT_ENV)
    return _check_student(env) if env else None

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


def homework_path(lesson, name: str, suffix: str, when: _dt.datetime | None = None,
                  folder: str | os.PathLike | None = None) -> Path:
    """The first free ``lessonNN_<name>_<YYYYmmdd-HHMMSS>[-k]<suffix>`` in the homework folder."""
    n = lesson_number(lesson)
    name = check_name(name)
    when = when or _dt.datetime.now()
    base = homework_dir(folder) / f"lesson{n:02d}_{name}_{when:%Y%m%d-%H%M%S}"
    k = 1
    while True:
        path = base.with_name(base.name + (f"-{k}" if k > 1 else "") + suffix)
        if not path.exists():
            return path
        k += 1


def write_homework_file(data: bytes, lesson, name: str, suffix: str,
                        when: _dt.datetime | None = None,
                        folder: str | os.PathLike | None = None) -> Path:
    """Write ``data`` to a new homework file, atomically, never replacing an existing one.

    The bytes go to a temporary file in the same folder first; it is then *linked* to the
    first free name, which fails rather than overwrite if another save took that name in the
    meantime (the next counter is tried). Returns the path.
    """
    n = lesson_number(lesson)
    name = check_name(name)
    when = when or _dt.datetime.now()
    folder_path = homework_dir(folder)
    for _attempt in range(1000):
        path = homework_path(n, name, suffix, when, folder_path)
        try:
            return write_atomically(path, data, replace=False)
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder_path}: no free file name for lesson {n}, {name!r}; "
                          "clear out old homework files.")
