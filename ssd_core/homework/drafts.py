"""Drafts: what a student has typed or built so far, kept as they work, so that a kernel
restart, the next lesson or another day loses nothing.

One draft per piece of homework, ``<homework folder>/drafts/<name>.json``:
``summary.json`` (the summary's boxes, :mod:`.summary`) and ``flowchart.json`` (the chart
being built, :mod:`.my_flowchart`). A draft is one JSON object: ``course``, ``kind``
(``"<name> draft"``), ``saved`` (local time, to the second) and the homework's own fields
(``texts``, ``chart``); a reader looks only at its own fields, so drafts written by earlier
versions of the course (the flowchart's had no ``course`` or ``kind``) still load.

:func:`save_draft` writes it atomically (:func:`ssd_core.paths.write_atomically`): a crash or
a dying kernel leaves the previous draft whole. :func:`load_draft` moves a draft that cannot be
read aside (``<name>.json.unreadable-<time>``), never deletes it, and warns where it went.
A draft is not homework: :func:`~ssd_core.homework.pack` leaves the folder out. Drafts stay in
the homework folder in every mode: the quick mode (``SSD_COURSE_QUICK=1``) moves data and runs,
never them (:func:`~ssd_core.homework.files.homework_dir`).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import warnings
from pathlib import Path
from typing import Any, Callable, Mapping, TypeVar

from ..i18n import _
from ..paths import write_atomically
from .files import COURSE, homework_dir

__all__ = ["DRAFTS", "draft_path", "save_draft", "load_draft"]

#: The folder of the drafts, inside the homework folder.
DRAFTS = "drafts"

T = TypeVar("T")

#: What a reader raises on a draft whose fields are not what it expects.
_UNREADABLE = (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError)


def draft_path(name: str, folder: str | os.PathLike | None = None) -> Path:
    """Where the draft ``name`` lives: ``<homework folder>/drafts/<name>.json``."""
    return homework_dir(folder) / DRAFTS / f"{name}.json"


def save_draft(name: str, fields: Mapping[str, Any],
               folder: str | os.PathLike | None = None) -> Path:
    """Write the draft ``name`` with ``fields`` (JSON values: ``{"texts": {...}}``) atomically,
    in place of the previous one; returns its path."""
    data = {"course": COURSE, "kind": f"{name} draft",
            "saved": _dt.datetime.now().isoformat(timespec="seconds"), **fields}
    return write_atomically(draft_path(name, folder),
                            json.dumps(data, ensure_ascii=False, indent=1))


def load_draft(name: str, read: Callable[[dict], T],
               folder: str | os.PathLike | None = None) -> T | None:
    """``read(data)`` of the saved draft ``name`` (``data``: its JSON object), or None when
    there is none.

    A draft that cannot be read (not JSON, or ``read`` raises ``KeyError``, ``ValueError``,
    ``TypeError``, ``AttributeError`` or ``IndexError`` on its fields) is moved aside, never
    deleted; a warning says where it went, and None is returned: the work starts afresh.
    """
    path = draft_path(name, folder)
    if not path.is_file():
        return None
    try:
        return read(json.loads(path.read_text(encoding="utf-8")))
    except _UNREADABLE as e:
        aside = path.with_name(f"{path.name}.unreadable-{_dt.datetime.now():%Y%m%d-%H%M%S}")
        os.replace(path, aside)
        warnings.warn(_("{path}: the draft could not be read ({kind}); it was kept as {aside}, "
                        "and you start afresh.")
                      .format(path=path, kind=type(e).__name__, aside=aside))
        return None
