"""Where the course's files live: the repository, the data folder, the sample photos, and
scratch folders for throwaway runs; and the one way the package writes a file that must never
be left half-written.

Nothing here touches the disk when imported; the functions look when called. Runs, homework
and generated data are ignored by git.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import IO, Callable

from .i18n import _

__all__ = ["SOURCE_ROOT", "DATA_ENV", "repo_root", "data_dir", "samples_root", "scratch_dir",
           "write_atomically"]

#: The folder that holds ``ssd_core/``: the repository, in a clone of the course.
SOURCE_ROOT = Path(__file__).resolve().parents[1]

#: Environment variable that moves the data folder (VOC, generated shapes) elsewhere.
DATA_ENV = "SSD_COURSE_DATA"


def repo_root() -> Path | None:
    """The ssd-course repository this package sits in (it has ``lessons/`` beside
    ``ssd_core/``), or ``None`` when the package is installed elsewhere."""
    root = SOURCE_ROOT
    return root if (root / "lessons").is_dir() and (root / "ssd_core").is_dir() else None


def data_dir() -> Path:
    """The data folder: ``$SSD_COURSE_DATA`` if set, else the repository's ``data/``."""
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else SOURCE_ROOT / "data"


def samples_root() -> Path:
    """``data/samples``: six public-domain photos with hand-drawn VOC annotations.

    Always the repository's copy (the samples are part of the course, not downloaded data);
    :func:`ssd_core.data.sample_dataset` reads them.
    """
    root = SOURCE_ROOT / "data" / "samples"
    if not (root / "Annotations").is_dir():
        raise FileNotFoundError(_(
            "{folder}: the sample photos are missing; they ship with the ssd-course repository "
            "(data/samples/). Run from a clone of it.").format(folder=root))
    return root


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


def _usual_mode() -> int:
    """What ``open()`` would give a new file: 0o666 less the umask (read without changing it
    where Linux shows it, else by setting it back at once)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomically(path: str | os.PathLike, data: bytes | str | Callable[[IO[bytes]], object],
                     *, replace: bool = True) -> Path:
    """Write ``data`` (bytes, text as UTF-8, or a function that writes to a binary file) to
    ``path`` so that it is either the old file or the whole new one, never a part.

    The data go to a temporary file in the same folder, are flushed to the disk, get the
    permissions a plain ``open()`` would give (``mkstemp`` makes them private: a teacher's web
    server could not read ``make html``'s pages), and then take ``path``'s name:
    ``replace=True`` replaces an existing file; ``replace=False`` links the name and raises
    :class:`FileExistsError` rather than replace (homework files). Nothing is left behind when
    writing fails.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            if callable(data):
                data(f)
            else:
                f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _usual_mode())
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)               # atomic, and refuses an existing name
            except FileExistsError:
                raise
            except OSError:                      # a file system without hard links
                if path.exists():
                    raise FileExistsError(path) from None
                os.replace(tmp, path)
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
    return path
