"""Lesson 3 in both languages: its modules' sentences, every explorer and figure, the loss
figures' words, and the helpers that the explorer tests (test_viz_matching, test_viz_mining,
test_viz_augmentation) use for theirs.

In Chinese, every explorer and figure shows Chinese, and every character it draws has a glyph
(no missing-glyph warning from matplotlib, nothing :func:`ssd_core.fonts.missing_glyphs` finds);
in English, no Chinese character appears.
"""

from __future__ import annotations

import ast
import io
import warnings
from pathlib import Path

import pytest

from ssd_core import fonts
from ssd_core.viz.losses import plot_confidence_loss, plot_encoding, plot_smooth_l1
from tests.texts import cjk, figure_text, figure_texts, widget_text


def glyph_warnings(make):
    """``make()``'s result, and the messages of matplotlib's missing-glyph warnings it raised
    (an explorer draws its PNG when it is built or set; a bare figure is saved here)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = make()
        if hasattr(out, "savefig"):
            out.savefig(io.BytesIO(), format="png", dpi=40)
    return out, [str(w.message) for w in caught if "Glyph" in str(w.message)]


def check_chinese_figure(fig, *words):
    """The figure draws Chinese, each of ``words``, and nothing without a glyph."""
    drawn = figure_text(fig)
    assert cjk(drawn), drawn
    for word in words:
        assert word in drawn, (word, drawn)
    assert fonts.missing_glyphs(drawn) == []


def check_chinese_explorer(e, *words):
    """The explorer's title, widgets and figure are in Chinese, and every glyph exists."""
    assert cjk(str(e.title)) and cjk(widget_text(e))
    check_chinese_figure(e.figure, *words)
    assert fonts.missing_glyphs(widget_text(e)) == []


def check_english(fig_or_explorer):
    if hasattr(fig_or_explorer, "controls"):                  # an explorer
        e = fig_or_explorer
        assert not cjk(str(e.title)) and not cjk(widget_text(e)), widget_text(e)
        fig_or_explorer = e.figure
    drawn = figure_text(fig_or_explorer)
    assert drawn.strip() and not cjk(drawn), drawn


# ------------------------------------------------------------------ the sentences, through the catalog

#: The modules whose sentences are checked here (their tests use the helpers above).
MODULES = ("matching", "losses", "mining", "augmentation")
_ROOT = Path(__file__).resolve().parents[1]


def _source(name: str) -> str:
    return (_ROOT / "ssd_core" / "viz" / f"{name}.py").read_text(encoding="utf-8")


def _marked(name: str) -> list[tuple[str | None, str]]:
    """``(context, English)`` of every sentence the module marks for the catalog."""
    from babel.messages.extract import extract

    from tools.catalog import KEYWORDS

    found = extract("python", io.BytesIO(_source(name).encode()), keywords=KEYWORDS)
    return [(m[3], m[1] if isinstance(m[1], str) else m[1][0]) for m in found]


@pytest.mark.parametrize("name", MODULES)
def test_the_sentences_are_written_where_they_are_used(name):
    """No dict of ``Text`` pairs, no Chinese in the code, ``_`` never rebound (it would hide
    gettext's), and the sentences are marked for the catalog."""
    tree = ast.parse(_source(name))
    imported = {f"{n.module}.{a.name}" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                for a in n.names}
    old = [m for m in imported if "course.ui_lesson3" in m or "course.text" in m]
    assert not old, old
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert not [t for t in strings if cjk(t)]
    assert not [n.lineno for n in ast.walk(tree)
                if isinstance(n, ast.Name) and n.id == "_" and isinstance(n.ctx, ast.Store)]
    assert not [n.lineno for n in ast.walk(tree) if isinstance(n, ast.arg) and n.arg == "_"]
    assert len(_marked(name)) >= 10


def _lesson3_views():
    """Every explorer (also showing its message) and figure of lesson 3, by name: a function
    that builds it in the current language."""
    import numpy as np

    from ssd_core.viz.augmentation import augmentation_explorer, plot_augmented_sizes
    from ssd_core.viz.matching import match_explorer
    from ssd_core.viz.mining import BriefRun, mining_explorer, plot_brief_run, small_model

    def explorer(make, **message):
        def build():
            e = make()
            views = [e, e.figure]
            e.set(**message)
            return views + [e, e.figure]
        return build

    run = BriefRun(model=None, history=[{"step": 1, "loss": 3.0, "loc": 1.0, "conf": 2.0,
                                         "num_pos": 5}], seconds=1.5)
    sizes = (np.array([0.1, 0.5]), np.array([0.9]))
    off = dict(photometric=False, zoom_out=False, flip=False)
    return {
        "matching": explorer(lambda: match_explorer(picture="shapes val 0"), sources=()),
        "mining": explorer(lambda: mining_explorer(small_model()), picture="shapes val 24"),
        "augmentation": explorer(lambda: augmentation_explorer(picture="chelsea", seed=3),
                                 picture="coins", seed=0, iou_crop=True, crop=0.9, **off),
        "encoding": lambda: [plot_encoding([0.5, 0.5, 0.2, 0.2], [0.45, 0.4, 0.65, 0.7])],
        "smooth L1": lambda: [plot_smooth_l1()],
        "confidence": lambda: [plot_confidence_loss()],
        "brief run": lambda: [plot_brief_run(run)],
        "sizes": lambda: [plot_augmented_sizes(*sizes), plot_augmented_sizes(*sizes, name="x")],
    }


def _shown(view) -> list[str]:
    """The lines an explorer (title, controls, state line) or a figure shows."""
    if hasattr(view, "controls"):
        return [view.title] + widget_text(view).splitlines()
    return [line for text in figure_texts(view) for line in text.splitlines()]


@pytest.mark.parametrize("name", list(_lesson3_views()))
def test_every_explorer_and_figure_speaks_the_course_language(name, language):
    """In Chinese: Chinese everywhere, every character with a glyph, and no marked English
    sentence shown as it is written (each has its Chinese); in English: no Chinese."""
    english = {en for module in MODULES for _c, en in _marked(module)}
    language("zh")

    def build_and_draw():
        views = _lesson3_views()[name]()
        for view in views:
            if hasattr(view, "savefig"):
                view.savefig(io.BytesIO(), format="png", dpi=40)
        return views

    views, missing = glyph_warnings(build_and_draw)
    assert not missing, missing
    for view in views:
        lines = _shown(view)
        assert cjk("\n".join(lines)), lines
        assert fonts.missing_glyphs("".join(lines)) == []
        assert not [line for line in lines if line in english], lines     # left in English
    for e in [v for v in views if hasattr(v, "controls")]:
        check_chinese_explorer(e)
    language("en")
    for view in _lesson3_views()[name]():
        check_english(view)
        lines = _shown(view)
        assert lines and not cjk("\n".join(lines)), lines


# ------------------------------------------------------------------ loss figures


def _loss_figures():
    return (("encoding", lambda: plot_encoding([0.5, 0.5, 0.2, 0.2], [0.45, 0.4, 0.65, 0.7]),
             ("默认框 d", "真实框 g", "方差")),
            ("smooth L1", plot_smooth_l1, ("平滑 L1", "梯度", "误差 x")),
            ("confidence", plot_confidence_loss, ("交叉熵", "损失 3.00")))


def test_loss_figures_in_chinese(language):
    language("zh")
    for name, make, words in _loss_figures():
        fig, missing = glyph_warnings(make)
        assert not missing, (name, missing)
        check_chinese_figure(fig, *words)
    # the gids tests find lines by are the same in both languages
    lines = {l.get_gid() for ax in plot_smooth_l1().axes for l in ax.lines}
    assert {"l2", "l1", "smooth_l1", "l2_grad", "l1_grad", "smooth_l1_grad"} <= lines


def test_loss_figures_in_english_have_no_chinese(language):
    language("en")
    for name, make, _ in _loss_figures():
        check_english(make())
    fig = plot_encoding([0.5, 0.5, 0.2, 0.2], [0.45, 0.4, 0.65, 0.7])
    assert "divided by variances (0.1, 0.2)" in figure_text(fig)
    assert "p = 0.05: loss 3.00" in figure_text(plot_confidence_loss())
