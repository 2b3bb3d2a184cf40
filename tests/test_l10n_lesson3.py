"""Lesson 3 in both languages: the loss figures here, and the helpers that the explorer tests
(test_viz_matching, test_viz_mining, test_viz_augmentation) use for theirs.

In Chinese, every explorer and figure shows Chinese, and every character it draws has a glyph
(no missing-glyph warning from matplotlib, nothing :func:`ssd_core.fonts.missing_glyphs` finds);
in English, no Chinese character appears.
"""

from __future__ import annotations

import io
import warnings

from ssd_core import fonts
from ssd_core.course.ui_lesson3 import AUGMENTATION, LOSSES, MATCHING, MINING
from ssd_core.viz.losses import plot_confidence_loss, plot_encoding, plot_smooth_l1
from tests.texts import cjk, figure_text, widget_text


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


# ------------------------------------------------------------------ the texts themselves


def test_every_text_has_both_languages_and_the_same_placeholders():
    import string

    def texts(value):
        if isinstance(value, dict):
            for v in value.values():
                yield from texts(v)
        elif isinstance(value, (tuple, list)):
            for v in value:
                yield from texts(v)
        else:
            yield value

    names = lambda s: sorted(f for _, f, _, _ in string.Formatter().parse(s) if f is not None)
    for table in (MATCHING, LOSSES, MINING, AUGMENTATION):
        for t in texts(table):
            assert t.en and t.zh, t
            assert names(t.en) == names(t.zh), t
            assert not cjk(t.en), t
            # only symbols need no Chinese
            assert cjk(t.zh) or t.en in ("IoU", "IoU >= {t:.2f}", ","), t


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
