"""Where the course's files live: the repository, and scratch folders for throwaway runs.

Nothing here touches the disk when imported. The data folder itself is
:func:`ssd_core.data.data_dir`; runs, homework and generated data are ignored by git.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

__all__ = ["SOURCE_ROOT", "repo_root", "scratch_dir"]

#: The folder that holds ``ssd_core/``: the repository, in a clone of the course.
SOURCE_ROOT = Path(__file__).resolve().parents[1]


def repo_root() -> Path | None:
    """The ssd-course repository this package sits in (it has ``lessons/`` beside
    ``ssd_core/``), or ``None`` when the package is installed elsewhere."""
    root = SOURCE_ROOT
    return root if (root / "lessons").is_dir() and (root / "ssd_core").is_dir() else None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:                 # it exists, but belongs to someone else
        return True
    return True


def scratch_dir(tag: str) -> Path:
    """A new temporary folder for throwaway files of this Python process (a quick training
    run, a tiny dataset): ``<tmp>/ssd-course-scratch/<tag>-<pid>-<random>``.

    Kernels are often stopped without running any clean-up code, so each call first deletes
    the scratch folders of processes that no longer exist.
    """
    parent = Path(tempfile.gettempdir()) / "ssd-course-scratch"
    parent.mkdir(parents=True, exist_ok=True)
    for old in parent.iterdir():
        m = re.match(r"^.+-(\d+)-[^-]+$", old.name)
        if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{tag}-{os.getpid()}-", dir=parent))
