"""The errors and the warning that the data modules raise.

They live in a module of their own, with no imports, so that :mod:`.voc_xml`, :mod:`.images`
and :mod:`.voc` can all use them without importing one another just for an exception class.
Both are re-exported from :mod:`ssd_core.data`.
"""

from __future__ import annotations

__all__ = ["DatasetError", "DataWarning", "MissingSplitError"]


class DatasetError(ValueError):
    """A problem with one file of a dataset. The message names the file, says what is wrong
    and how to fix it."""


class DataWarning(UserWarning):
    """Something in the data was fixed up (clipped, converted) or skipped (``skip_bad``)."""


class MissingSplitError(DatasetError):
    """A split file (``ImageSets/Main/<split>.txt``) that is not there; the message lists the
    splits the folder has."""
