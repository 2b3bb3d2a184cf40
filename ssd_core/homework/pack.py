"""Handing in: one zip of your homework files with a manifest, for the course's check-in (打卡).

:func:`pack` collects the homework files in ``homework/`` (screenshots, the summary, the
flowchart: every ``lessonNN_*`` file; drafts and earlier packs are left out) into
``homework/lesson05_pack_<date-time>.zip`` with ``manifest.json`` inside: the course,
the student, the date, and for every file its lesson, size and SHA-256, so whoever checks the
homework can see nothing was changed after packing. A pack never replaces an earlier one and
is written atomically.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import os
import re
import zipfile
from pathlib import Path
from typing import Iterable

from .. import __version__
from ..i18n import _, ngettext
from .files import COURSE, homework_dir, student_name, write_homework_file

__all__ = ["pack", "homework_files", "MANIFEST"]

#: The manifest's name inside the zip.
MANIFEST = "manifest.json"

_HOMEWORK_FILE = re.compile(r"^lesson(\d\d)_.+\.(png|txt|jpg|json)$")


def homework_files(folder: str | os.PathLike | None = None) -> list[Path]:
    """The homework files in the folder, oldest lesson first: ``lessonNN_<name>_<time>.*``."""
    root = homework_dir(folder)
    return sorted((p for p in root.iterdir() if p.is_file() and _HOMEWORK_FILE.match(p.name)),
                  key=lambda p: (p.name[:8], p.name))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def pack(student: str | None = None, files: Iterable[str | os.PathLike] | None = None, *,
         folder: str | os.PathLike | None = None, when: _dt.datetime | None = None,
         quiet: bool = False) -> Path:
    """Zip the homework files (default: all of :func:`homework_files`) with a manifest into a
    new ``lesson05_pack_<date-time>.zip`` in the homework folder; returns its path.

    ``student`` defaults to :func:`~ssd_core.homework.files.set_student`'s name. With no
    homework file yet, or a file that does not exist, it stops with a message saying what to do.
    """
    who = student_name(student)
    if not who:
        raise ValueError(_("set your name first: set_student('your name') (the pack says whose "
                           "homework it is)."))
    paths = [Path(p) for p in files] if files is not None else homework_files(folder)
    if not paths:
        raise ValueError(_("{folder}: no homework files yet (lessonNN_*.png or .txt); save your "
                           "screenshots, summary or flowchart first.")
                         .format(folder=homework_dir(folder)))
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise FileNotFoundError(_("cannot pack {files}: no such file.")
                                .format(files=", ".join(missing)))
    when = when or _dt.datetime.now()
    entries = []
    for p in paths:
        m = _HOMEWORK_FILE.match(p.name)
        entries.append({"file": p.name, "lesson": int(m.group(1)) if m else None,
                        "bytes": p.stat().st_size, "sha256": _sha256(p)})
    manifest = {"course": COURSE, "student": who, "date": when.isoformat(timespec="seconds"),
                "ssd_core": __version__, "lessons": sorted({e["lesson"] for e in entries
                                                            if e["lesson"] is not None}),
                "files": entries}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for p in paths:
            z.write(p, arcname=p.name)
    path = write_homework_file(buf.getvalue(), 5, "pack", ".zip", when, folder)
    if not quiet:
        print(ngettext("packed {n} file into {path}: hand in this zip.",
                       "packed {n} files into {path}: hand in this zip.", len(paths))
              .format(n=len(paths), path=path))
    return path
