"""Chinese in figures: a font that draws it, no missing glyph, and English when there is none."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from ssd_core import fonts
from tests.texts import figure_text

SENTENCE = "默认框与真实框的交并比，难负样本挖掘，张三的作业"


def render(fig: Figure) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=60)
    return np.asarray(Image.open(buf).convert("L"))


def test_a_cjk_font_is_installed_and_draws_the_course_text():
    name = fonts.cjk_font()
    assert name, ("no CJK font found: `make test` installs Debian's fonts-noto-cjk; on another "
                  "system install Noto Sans CJK SC")
    assert fonts.missing_glyphs(SENTENCE) == []
    # and the check can fail: DejaVu Sans alone lacks these characters
    assert set(fonts.missing_glyphs(SENTENCE, ["DejaVu Sans"])) >= set("默认框")


def test_a_chinese_figure_has_no_missing_glyph(language):
    language("zh")
    fig = Figure(figsize=(3, 2))
    ax = fig.add_subplot()
    # sentences of the catalog: the glossary's term, and one with a placeholder
    ax.set_title(fonts.fig("default box"))
    ax.set_xlabel(fonts.fig("intersection over union (IoU)"))
    ax.text(0.1, 0.5, fonts.fig("{what}: {value}  [{source}]", what="张三", value=1, source="§2"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")               # matplotlib warns on every missing glyph
        render(fig)
    text = figure_text(fig)
    assert "默认框" in text and "交并比" in text and "张三：1" in text
    assert fonts.missing_glyphs(text) == []


def test_the_glyphs_are_drawn_not_boxes(language):
    """The same Chinese word drawn with the CJK font and with DejaVu Sans alone: DejaVu draws
    the same empty box for every character, so its two words look alike; the real glyphs differ."""
    fonts.use_cjk_font()

    def word(text, family):
        fig = Figure(figsize=(1.2, 0.5))
        fig.text(0.05, 0.3, text, fontsize=14, family=family)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return render(fig)

    real = [word(w, fonts.font_families()) for w in ("默认", "交并")]
    tofu = [word(w, ["DejaVu Sans"]) for w in ("默认", "交并")]
    assert not np.array_equal(real[0], real[1])
    assert np.array_equal(tofu[0], tofu[1])


def test_without_a_cjk_font_figures_use_english_and_say_so_once(language, monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)
    language("zh")
    # a sentence of the catalog with a placeholder (the quiz's score)
    t = "{score} / {total} correct ({answered} answered)"
    with pytest.warns(UserWarning, match="fonts-noto-cjk") as caught:
        assert fonts.fig(t, score=3, total=4, answered=4) == "3 / 4 correct (4 answered)"
        assert fonts.fig(t, score=1, total=4, answered=2) == "1 / 4 correct (2 answered)"
    assert len(caught) == 1 and "没有找到能显示中文的字体" in str(caught[0].message)
    language("en")
    assert fonts.fig(t, score=5, total=5, answered=5) == "5 / 5 correct (5 answered)"


def test_a_plain_script_in_chinese_draws_its_axis_labels(tmp_path):
    """A fresh process that never called set_language (a training run from the command line):
    an axes fixes its labels' font when it is made, so the fallback must come before the first
    figure. Run apart, because this process has long had the fallback in place."""
    import os
    import subprocess
    import sys

    script = (
        "import warnings\n"
        "warnings.simplefilter('error')\n"       # matplotlib warns on every missing glyph
        "from ssd_core.draw import plot_training_curves\n"
        "rows = [dict(epoch=1, loss=3.0, loc=1.0, conf=2.0, map07=0.1),\n"
        "        dict(epoch=2, loss=2.0, loc=0.8, conf=1.2, map07=0.3)]\n"
        f"fig = plot_training_curves(rows, path={str(tmp_path / 'curves.png')!r})\n"
        "print(fig.axes[0].get_xlabel())\n"
    )
    env = {**os.environ, "SSD_COURSE_LANG": "zh"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    label = out.stdout.strip()
    assert label and fonts.missing_glyphs(label) == [] and any("\u4e00" <= c <= "\u9fff" for c in label)
