"""Where the course keeps its data, and the sample photos the lessons draw on.

Nothing here touches the disk when imported; the functions look when called.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..i18n import _
from ..paths import SOURCE_ROOT
from .voc import VOCDataset

__all__ = ["data_dir", "samples_root", "sample_dataset"]

#: Environment variable that moves the data folder (VOC, generated shapes) elsewhere.
DATA_ENV = "SSD_COURSE_DATA"


def _repo_data() -> Path:
    """``data/`` of the repository this package sits in (``ssd_core/..``)."""
    return SOURCE_ROOT / "data"


def data_dir() -> Path:
    """The data folder: ``$SSD_COURSE_DATA`` if set, else the repository's ``data/``."""
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else _repo_data()


def samples_root() -> Path:
    """``data/samples``: six public-domain photos with hand-drawn VOC annotations.

    Always the repository's copy (the samples are part of the course, not downloaded data).
    """
    root = _repo_data() / "samples"
    if not (root / "Annotations").is_dir():
        raise FileNotFoundError(_(
            "{folder}: the sample photos are missing; they ship with the ssd-course repository "
            "(data/samples/). Run from a clone of it.").format(folder=root))
    return root


def sample_dataset(transforms=None, **kwargs):
    """The sample photos as a :class:`~ssd_core.data.VOCDataset` (split ``"all"``, classes
    from ``data/samples/classes.txt``)."""
    return VOCDataset(samples_root(), "all", transforms=transforms, **kwargs)
