"""Chinese in figures: find a font that draws it, or fall back to English labels.

matplotlib's own font (DejaVu Sans) has no Chinese characters: without help, 默认框 in a figure
comes out as empty boxes. :func:`cjk_font` finds an installed font that covers Chinese, in this
order: Noto Sans CJK SC / Source Han Sans SC (Linux: ``make lab`` and ``make test`` install
Debian's ``fonts-noto-cjk``), Microsoft YaHei, DengXian and SimHei (Windows), PingFang SC and
Hiragino Sans GB (macOS), WenQuanYi Micro/Zen Hei, Droid Sans Fallback; then any other font
that draws a test sentence. :func:`use_cjk_font` puts it behind DejaVu Sans as a fallback, so
Latin text keeps its look and Chinese gets glyphs. A figure takes its fonts when it is made,
so :func:`set_language` (what the lessons call first) does this before any figure exists.

:func:`fig` is what figures call on their text: an English sentence of the catalog
(:mod:`ssd_core.i18n`), shown in the current language, except that with no CJK font at all a
Chinese figure falls back to its English label (said once) rather than draw boxes. Nothing happens at import; the first figure does it.
"""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path

from matplotlib import font_manager, rcParams
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font

from . import i18n
from .i18n import N_, _, pgettext

__all__ = ["CJK_FONTS", "cjk_font", "use_cjk_font", "new_figure", "fig", "missing_glyphs", "font_families",
           "set_language", "pfig"]

#: Fonts tried first, by family name (the first installed one wins).
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
             "Microsoft YaHei", "DengXian", "SimHei", "PingFang SC", "Hiragino Sans GB",
             "Heiti SC", "STHeiti", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
             "Droid Sans Fallback", "Arial Unicode MS")

#: Terms every candidate must draw whole, in the Chinese catalog's words.
_PROBE_TERMS = (N_("default box"), N_("IoU"), N_("hard negative mining"),
                N_("atrous convolution"), N_("detection explorer"))
_warned = False


@functools.lru_cache(maxsize=1)
def _probe() -> str:
    return "".join(i18n.translation("zh").gettext(t) for t in _PROBE_TERMS)


def _draws(path: str, text: str | None = None) -> bool:
    text = _probe() if text is None else text
    try:
        face = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(face.get_char_index(ord(c)) for c in text)


#: File names of CJK fonts, for fonts installed after matplotlib made its font cache.
_CJK_FILES = re.compile(r"(cjk|wqy|msyh|simhei|simsun|deng|pingfang|hiragino|droidsansfallback|"
                        r"sourcehansans|notosanssc)", re.I)


def _by_name() -> dict[str, str]:
    by_name: dict[str, str] = {}
    for f in font_manager.fontManager.ttflist:
        by_name.setdefault(f.name, f.fname)
    return by_name


def _pick(by_name: dict[str, str]) -> str | None:
    for name in CJK_FONTS:
        if name in by_name and _draws(by_name[name]):
            return name
    for name, path in sorted(by_name.items()):
        if _CJK_FILES.search(Path(path).name) and _draws(path):
            return name
    return None


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None.

    matplotlib caches the list of fonts the first time it runs; a font installed later (by
    ``make lab``, say) is not in it, so the system's font folders are looked through for CJK
    font files too, and those found are added.
    """
    found = _pick(_by_name())
    if found:
        return found
    for path in font_manager.findSystemFonts():
        if _CJK_FILES.search(Path(path).name):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue
    return _pick(_by_name())


def font_families() -> list[str]:
    """The font list figures use: DejaVu Sans, then the CJK font when there is one."""
    found = cjk_font()
    return ["DejaVu Sans"] + ([found] if found else [])


def use_cjk_font() -> str | None:
    """Make every new figure fall back to the CJK font for characters DejaVu Sans lacks.

    Returns the font's name, or None (then figures in Chinese use their English labels).
    """
    found = cjk_font()
    if found:
        # A list of real family names: matplotlib falls back along it glyph by glyph (a
        # generic "sans-serif" would resolve to one font only).
        rcParams["font.family"] = ["DejaVu Sans", found]
    return found


def new_figure(**kwargs) -> Figure:
    """A matplotlib Figure (no pyplot) whose texts can fall back to the CJK font.

    An axes fixes its labels' fonts when it is made, so the fallback must be in place before
    the figure is, not only when the first Chinese label is written (a training run in a plain
    script would otherwise draw its Chinese axis labels as empty boxes).
    """
    use_cjk_font()
    return Figure(**kwargs)


def set_language(lang: str) -> str:
    """The course's language for this session (``"zh"``, ``"en"``, or another catalog's), and
    the CJK font made ready for every figure drawn from now on. The lessons call it first."""
    chosen = i18n.set_language(lang)
    use_cjk_font()
    return chosen


def _needs_cjk(text: str) -> bool:
    return any(ord(c) >= 0x2E80 for c in text)


def _drawable(text: str, message: str) -> str:
    """``text`` (``message`` translated), or ``message`` itself when the translation needs a
    CJK font and none is installed (said once)."""
    global _warned
    if text != message and _needs_cjk(text) and not use_cjk_font():
        if not _warned:
            _warned = True
            warnings.warn(_("No installed font draws Chinese, so figures use their English labels; "
                            "on Linux install fonts-noto-cjk (sudo apt-get install fonts-noto-cjk) "
                            "and restart the kernel."), stacklevel=3)
        return message
    return text


def fig(message: str, *args, **kwargs) -> str:
    """The text a figure shows: ``message`` (an English sentence of the catalog) in the current
    language, or as written when its translation needs a CJK font and none is installed (said
    once). Arguments are formatted into it (``fig("{n} boxes", n=3)``)."""
    text = _drawable(_(message), message)
    return text.format(*args, **kwargs) if (args or kwargs) else text


def pfig(context: str, message: str, *args, **kwargs) -> str:
    """:func:`fig` for an English word that means another thing elsewhere (``pgettext``:
    ``pfig("loss curve", "loss")``)."""
    text = _drawable(pgettext(context, message), message)
    return text.format(*args, **kwargs) if (args or kwargs) else text


def missing_glyphs(text: str, families: list[str] | None = None) -> list[str]:
    """Characters of ``text`` (whitespace aside) that none of the fonts can draw."""
    faces = []
    for family in families or font_families():
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family),
                                         fallback_to_default=False)
            faces.append(FT2Font(path))
        except (ValueError, OSError, RuntimeError):
            continue
    return sorted({c for c in text if not c.isspace()
                   and not any(f.get_char_index(ord(c)) for f in faces)})
