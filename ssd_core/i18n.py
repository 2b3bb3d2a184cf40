"""The student's language: every sentence the course shows goes through gettext.

The code is written with English sentences, each marked where it is used::

    ax.set_title(_("Non-maximum suppression"))           # translated now
    LABELS = {"iou": N_("IoU threshold")}                 # marked now, translated when shown
    ngettext("{n} box", "{n} boxes", n).format(n=n)       # plurals (Chinese has one form)
    pgettext("loss curve", "total")                       # same English, another meaning

Their translations live in one catalog per language,
``ssd_core/locale/<lang>/LC_MESSAGES/ssd_course.po``: the file a Chinese editor reads and
polishes (``make catalog`` brings it up to date with the code; ``tests/test_catalog.py`` checks
it). The catalog is compiled in memory the first time a sentence is asked for (Babel), and read
with the standard library's :mod:`gettext`; nothing generated is stored.

The language is Chinese by default, ``$SSD_COURSE_LANG`` or :func:`set_language` choose
another: ``en`` (the sentences as written) or any language that has a catalog. A third
language is a catalog and a notebook edition, no Python. Nothing happens at import.
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

__all__ = ["_", "N_", "ngettext", "pgettext", "language", "set_language", "languages",
           "translation", "using_language", "catalog_path", "LANG_ENV", "DOMAIN", "SOURCE_LANGUAGE",
           "DEFAULT_LANGUAGE"]

#: Environment variable that picks the language (``zh``, ``en``, or another catalog's name).
LANG_ENV = "SSD_COURSE_LANG"
#: Environment variable naming another folder of catalogs (``<dir>/<lang>/LC_MESSAGES/``),
#: looked in before the package's own: a teacher's own wording, or a language being written.
LOCALE_DIR_ENV = "SSD_COURSE_LOCALE_DIR"
#: The gettext domain: the catalogs' file name.
DOMAIN = "ssd_course"
#: The language the code is written in (no catalog needed).
SOURCE_LANGUAGE = "en"
#: The language of a course that was not told otherwise.
DEFAULT_LANGUAGE = "zh"
#: The package's catalogs.
LOCALE_DIR = Path(__file__).resolve().parent / "locale"

_chosen: str | None = None


def _locale_dirs() -> list[Path]:
    extra = os.environ.get(LOCALE_DIR_ENV)
    return ([Path(extra)] if extra else []) + [LOCALE_DIR]


def _catalogs() -> dict[str, Path]:
    """Every language with a catalog: its short name (``zh`` for ``zh_CN``) -> the ``.po``."""
    found: dict[str, Path] = {}
    for root in reversed(_locale_dirs()):            # the extra folder wins
        for po in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            folder = po.parent.parent.name
            found[folder] = po
            found[folder.split("_")[0].split("-")[0].split("@")[0]] = po
    return found


def languages() -> tuple[str, ...]:
    """The course's languages: the default first, English, then any other catalog found."""
    names = {name for name in _catalogs() if "_" not in name}
    return (DEFAULT_LANGUAGE, SOURCE_LANGUAGE) + tuple(sorted(names - {DEFAULT_LANGUAGE,
                                                                        SOURCE_LANGUAGE}))


def _check(lang: str) -> str:
    """``lang`` as the course names it (``zh_CN``, ``zh-Hans``, ``Chinese`` -> ``zh``)."""
    raw = str(lang).strip()
    key = raw.lower().replace("-", "_")
    key = {"chinese": "zh", "cn": "zh", "zh_hans": "zh", "english": "en"}.get(key, key)
    known = _catalogs()
    if key in (SOURCE_LANGUAGE, DEFAULT_LANGUAGE) or key in known:
        return key
    for name in known:                                  # zh_CN, zh-CN ... by their folder name
        if name.lower().replace("-", "_") == key:
            return name if "_" not in name else name.split("_")[0]
    base = key.split("_")[0]
    if base in known or base in (SOURCE_LANGUAGE, DEFAULT_LANGUAGE):
        return base
    raise ValueError(f"no catalog for language {raw!r}: the course has {', '.join(languages())} "
                     f"(a new language is a catalog, {LOCALE_DIR}/<lang>/LC_MESSAGES/{DOMAIN}.po)")


def set_language(lang: str) -> str:
    """Use ``lang`` (``"zh"``, ``"en"``, or another catalog's language) from now on; returns
    its short name. The lessons call it (through :func:`ssd_core.set_language`) first."""
    global _chosen
    _chosen = _check(lang)
    return _chosen


def language() -> str:
    """The language in use: :func:`set_language`'s, else ``$SSD_COURSE_LANG``, else Chinese."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get(LANG_ENV)
    return _check(env) if env else DEFAULT_LANGUAGE


@contextlib.contextmanager
def using_language(lang: str | None):
    """Within the block, sentences are in ``lang`` (``None``: leave it as it is)."""
    global _chosen
    if lang is None:
        yield language()
        return
    before, _chosen = _chosen, _check(lang)
    try:
        yield _chosen
    finally:
        _chosen = before


def catalog_path(lang: str) -> Path | None:
    """The ``.po`` file that holds ``lang``'s sentences (None for English)."""
    lang = _check(lang)
    return None if lang == SOURCE_LANGUAGE else _catalogs().get(lang)


@functools.lru_cache(maxsize=8)
def _compiled(po: Path, mtime_ns: int) -> gettext.GNUTranslations:
    with open(po, "rb") as f:
        catalog = read_po(f, abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)     # an unreviewed (fuzzy) translation is not shown
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translation(lang: str | None = None) -> gettext.NullTranslations:
    """The gettext translations of ``lang`` (default: the current language). English, and any
    sentence a catalog lacks, come out as written."""
    lang = _check(lang) if lang is not None else language()
    po = catalog_path(lang)
    if po is None:
        return gettext.NullTranslations()
    return _compiled(po, po.stat().st_mtime_ns)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translation().gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog without translating it yet (data defined at import,
    translated with :func:`_` where it is shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the current language."""
    return translation().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the current language, where the same English means another thing in
    another place (``context`` tells the translator which)."""
    return translation().pgettext(context, message)
