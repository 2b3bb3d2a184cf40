"""Course text in two languages, and which one a student reads.

Every sentence of the course that is data rather than code (quiz questions and feedback, the
paper-to-module map, the SSD-Tensorflow map, the detectors' history, notes beside widgets) is
a :class:`Text`: the Simplified-Chinese and the English version side by side. ``str(text)``
gives the one in the current :func:`language`: Chinese by default (the course is taught in
Chinese), English when ``$SSD_COURSE_LANG`` is ``en`` or after ``set_language("en")``. A text
not yet written in Chinese falls back to its English.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["Text", "LANG_ENV", "LANGUAGES", "language", "set_language"]

#: Environment variable that picks the language (``zh`` or ``en``).
LANG_ENV = "SSD_COURSE_LANG"
#: The languages of the course, the default first.
LANGUAGES = ("zh", "en")

_chosen: str | None = None


def _check(lang: str) -> str:
    lang = str(lang).strip().lower().replace("_", "-")
    lang = {"zh-cn": "zh", "zh-hans": "zh", "cn": "zh", "chinese": "zh", "english": "en"}.get(lang, lang)
    if lang not in LANGUAGES:
        raise ValueError(f"language must be 'zh' (简体中文) or 'en' (English), got {lang!r}")
    return lang


def set_language(lang: str) -> str:
    """Use ``lang`` (``"zh"`` or ``"en"``) for the rest of this session; returns it."""
    global _chosen
    _chosen = _check(lang)
    return _chosen


def language() -> str:
    """The language in use: :func:`set_language`'s, else ``$SSD_COURSE_LANG``, else ``zh``."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get(LANG_ENV)
    return _check(env) if env else LANGUAGES[0]


@dataclass(frozen=True)
class Text:
    """One piece of course text in English and Simplified Chinese."""

    en: str
    zh: str | None = None

    def get(self, lang: str | None = None) -> str:
        """The text in ``lang`` (default: :func:`language`); English where no Chinese exists."""
        lang = _check(lang) if lang is not None else language()
        return self.zh if lang == "zh" and self.zh else self.en

    def format(self, *args, **kwargs) -> str:
        """The text in the current language with ``str.format`` applied (both versions use the
        same placeholders)."""
        return self.get().format(*args, **kwargs)

    def __str__(self) -> str:
        return self.get()
