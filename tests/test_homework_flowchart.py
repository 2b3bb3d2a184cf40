"""The student's flowchart (lesson 5, option 2): long names wrap inside their boxes, what no
font draws is refused, no English warning reaches the notebook, a stage is there once, a loop's
label sits on its loop, the comparison reads a stage written in the student's own words, and the
PNG is saved only on the button, under the student's name.

Every expectation is worked out by hand from the rules (sizes, the reference order), never read
from the code's own output."""

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
from matplotlib import font_manager, rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ft2font import FT2Font
from PIL import Image

from ssd_core.homework import StudentChart, compare_with_reference, files, plot_student_chart
from ssd_core.homework.chart_comparison import reference_keys_named
from ssd_core.homework.chart_figure import save_student_chart
from ssd_core.homework.my_flowchart import flowchart_builder

REPO = Path(__file__).resolve().parents[1]

#: Sixty characters each (counted in the test), the number at the end of each.
LONG_NAMES = {
    "zh": "按交并比把每个默认框与真实框匹配，再把真实框编码成相对默认框的偏移量，最后比较预测与目标，共计八千七百三十二个框8732",
    "en": "match every default box with its ground-truth box; then 8732",
}


def rendered(figure):
    """The figure drawn by Agg, and its renderer (what the saved PNG shows)."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def artist(figure, gid):
    found = [a for ax in figure.axes for a in list(ax.texts) + list(ax.patches)
             if a.get_gid() == gid]
    assert len(found) == 1, gid
    return found[0]


def inside(inner, outer) -> bool:
    return (outer.x0 <= inner.x0 and inner.x1 <= outer.x1 and outer.y0 <= inner.y0
            and inner.y1 <= outer.y1)


# ------------------------------------------------------------------ long names


@pytest.mark.parametrize("script", ["zh", "en"])
@pytest.mark.parametrize("dpi", [100, 200])
def test_a_60_character_name_wraps_inside_its_box_and_the_figure(script, dpi):
    name = LONG_NAMES[script]
    assert len(name) == 60
    chart = StudentChart()
    chart.add("read")
    chart.add(name, note="一条说明 a note")
    chart.add("match")
    chart.chain()
    figure = plot_student_chart(chart)
    figure.set_dpi(dpi)
    renderer = rendered(figure)
    title, box = artist(figure, "title:1"), artist(figure, "stage:1")
    text_box = title.get_window_extent(renderer)
    assert inside(text_box, box.get_window_extent(renderer))
    assert inside(box.get_window_extent(renderer), figure.bbox)
    # nothing cut: every character is drawn, the number at the end too, on several lines
    # (60 characters of 9 points are 2 inches at the very least; the box is 2.9 inches wide)
    shown = title.get_text()
    assert "".join(shown.split()) == "".join(f"2. {name}".split()) and shown.endswith("8732")
    assert shown.count("\n") >= 1
    note = artist(figure, "note:1").get_window_extent(renderer)
    assert inside(note, box.get_window_extent(renderer)) and note.y1 <= text_box.y0
    # the box grew for it: taller than the box of a one-line name
    assert box.get_window_extent(renderer).height > \
        artist(figure, "stage:0").get_window_extent(renderer).height


def test_a_name_over_the_limit_is_refused_with_its_length_and_the_limit():
    chart = StudentChart()
    with pytest.raises(ValueError, match=r"61 characters long; keep it to 60"):
        chart.add("默" * 61)
    with pytest.raises(ValueError, match=r"61 characters long; keep it to 60"):
        chart.add(LONG_NAMES["en"] + "!")
    assert chart.stages == []
    chart.add("  two\nlines  ")                        # one line, as the box shows it
    assert chart.stages[0].title == "two lines"
    with pytest.raises(ValueError, match=r"121 characters long; keep it to 120"):
        chart.set_note(0, "x" * 121)
    assert chart.stages[0].note == ""


def test_the_builder_shows_the_limit_and_keeps_what_was_typed(tmp_path, language):
    builder = flowchart_builder(student="x", folder=tmp_path, seed=0)
    builder.pick.value = builder.OWN
    builder.own.value = "很" * 61
    builder.add_button.click()
    assert builder.chart.stages == [] and builder.own.value == "很" * 61
    assert "61" in builder.message.value and "60" in builder.message.value
    language("zh")
    zh = flowchart_builder(student="x", folder=tmp_path / "zh", seed=0)
    zh.pick.value = zh.OWN
    zh.own.value = "很" * 61
    zh.add_button.click()
    assert "61" in zh.message.value and zh.chart.stages == []


# ------------------------------------------------------------------ glyphs and warnings


def font_draws(char: str) -> bool:
    """Whether one of the fonts figures use (rcParams' list) has a glyph for ``char``."""
    for family in rcParams["font.family"]:
        try:
            path = font_manager.findfont(font_manager.FontProperties(family=family),
                                         fallback_to_default=False)
        except ValueError:
            continue
        if FT2Font(path).get_char_index(ord(char)):
            return True
    return False


@pytest.mark.parametrize("emoji", ["🚀", "😀"])
def test_an_emoji_is_refused_by_name_or_drawn_without_a_warning(emoji, capsys):
    plot_student_chart(StudentChart())                 # the fonts are set up for figures
    chart = StudentChart()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            chart.add(f"launch {emoji}")
        except ValueError as e:
            refused = str(e)
        else:
            refused = None
            rendered(plot_student_chart(chart))
    assert caught == [] and capsys.readouterr() == ("", "")
    if font_draws(emoji):
        assert refused is None and chart.stages[0].title == f"launch {emoji}"
    else:
        assert refused is not None and emoji in refused and f"U+{ord(emoji):04X}" in refused
        assert chart.stages == []


def test_no_glyph_warning_escapes_drawing_or_saving_an_old_draft(tmp_path, capsys):
    """A draft saved before texts were checked may hold a character no font draws: the
    builder opens it, draws it and saves it without any warning reaching the notebook."""
    odd = "\U0001F680\U0001F9E0\ue000"                  # rocket, brain, a private-use character
    chart = {"stages": [{"title": f"read {odd}", "key": None, "note": odd},
                        {"title": "match", "key": "match", "note": ""}],
             "arrows": [[0, 1, odd]], "loops": [[1, 0, odd]]}
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "flowchart.json").write_text(json.dumps({"chart": chart}),
                                                          encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        builder = flowchart_builder(student="Li Lei", folder=tmp_path, seed=0)
        builder.save_button.click()
        builder.reveal_button.click()
        rendered(plot_student_chart(builder.chart))
    assert [str(w.message) for w in caught] == []
    out, err = capsys.readouterr()                      # the revealed comparison is printed here
    assert "Glyph" not in out + err and "missing from font" not in out + err
    assert builder.chart.stages[0].title == f"read {odd}"
    assert (tmp_path / "lesson05_flowchart.png").is_file()


# ------------------------------------------------------------------ duplicates


def test_a_stage_added_twice_is_refused_naming_it():
    chart = StudentChart()
    chart.add("read")
    chart.add("match")
    with pytest.raises(ValueError, match=r"'match default boxes' is already in your chart "
                                         r"\(number 2\)"):
        chart.add("match")
    chart.add("My own stage")
    with pytest.raises(ValueError, match=r"'My own stage' is already .*\(number 3\)"):
        chart.add("my  OWN stage")                      # case and spaces aside
    assert [s.title for s in chart.stages] == ["read image + annotation", "match default boxes",
                                               "My own stage"]


def test_the_builder_says_which_stage_is_there_twice(tmp_path):
    builder = flowchart_builder(student="x", folder=tmp_path, seed=0)
    builder.pick.value = "loss"
    builder.add_button.click()
    builder.add_button.click()
    assert builder.list.options == ("1. multibox loss",)
    assert "multibox loss" in builder.message.value and "already" in builder.message.value
    builder.pick.value = "mining"
    builder.add_button.click()                          # a new stage: the message is gone
    assert builder.message.value == "" and len(builder.chart.stages) == 2


def test_a_stage_named_twice_in_other_words_is_flagged():
    chart = StudentChart()
    for key in ("forward", "loss"):
        chart.add(key)
    chart.add("计算损失：交叉熵")                         # the loss again, in the student's words
    c = compare_with_reference(chart)
    assert c.twice == [("multibox loss", ["multibox loss", "计算损失：交叉熵"])]
    assert "'multibox loss' is in your chart more than once: 'multibox loss', '计算损失：交叉熵'" \
        in c.lines()
    assert c.out_of_order == []                         # twice is not out of order


# ------------------------------------------------------------------ the loop's label


def curve_points(patch) -> np.ndarray:
    """Points along an arrow as drawn (display pixels)."""
    path = patch.get_transform().transform_path(patch.get_path())
    return np.concatenate([bezier(np.linspace(0, 1, 500)) for bezier, _code in path.iter_bezier()])


def test_the_loop_label_sits_on_its_loop():
    chart = StudentChart()
    for key in ("read", "resize", "collate", "forward", "loss", "backward"):
        chart.add(key)
    chart.chain()
    chart.connect(5, 1, "next batch", loop=True)
    chart.connect(1, 3, "skip")                         # an arrow that skips a stage
    figure = plot_student_chart(chart)
    renderer = rendered(figure)
    label = artist(figure, "label:loop:5-1").get_window_extent(renderer)
    loop = curve_points(artist(figure, "loop:5-1"))
    others = {gid: curve_points(artist(figure, gid))
              for gid in ["arrow:0-1", "arrow:1-2", "arrow:2-3", "arrow:3-4", "arrow:4-5",
                          "arrow:1-3"]}
    on = lambda pts, box: ((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0)
                           & (pts[:, 1] <= box.y1)).any()
    assert on(loop, label)                              # the loop runs through its label
    assert not any(on(pts, label) for pts in others.values())
    centre = np.array([(label.x0 + label.x1) / 2, (label.y0 + label.y1) / 2])
    distance = lambda pts: np.hypot(*(pts - centre).T).min()
    assert distance(loop) < 2 and all(distance(pts) > 20 for pts in others.values())
    # beside the column, between the loop's two stages, not over a box
    right = max(artist(figure, f"stage:{i}").get_window_extent(renderer).x1 for i in range(6))
    assert label.x0 > right
    top_of_5 = artist(figure, "stage:5").get_window_extent(renderer).y1
    bottom_of_1 = artist(figure, "stage:1").get_window_extent(renderer).y0
    assert top_of_5 < centre[1] < bottom_of_1
    skip = artist(figure, "label:arrow:1-3").get_window_extent(renderer)
    assert on(others["arrow:1-3"], skip) and not on(loop, skip)


# ------------------------------------------------------------------ the comparison


NAMED = [
    ("计算损失：平滑L1加交叉熵", ["loss"], "zh-loss"),
    ("Smooth-L1 + cross-entropy", ["loss"], "en-loss"),
    ("hard negatives", ["mining"], "en-mining"),
    ("挖掘难例", ["mining"], "zh-mining"),
    ("难负样本", ["mining"], "zh-mining-not-matching"),     # not the 负样本 of matching
    ("编码", ["encode"], "zh-encode"),
    ("Encode offsets", ["encode"], "en-encode"),
    ("匹配并编码", ["match", "encode"], "zh-match-and-encode"),
    ("梯度下降更新参数", ["step"], "zh-step-not-backward"),   # not the 梯度 of backward
    ("计算梯度", ["backward"], "zh-backward"),
    ("记录日志 log the loss", [], "none-log"),
    ("画一只猫", [], "none-cat"),
    ("determining the mismatch", [], "none-words-inside-words"),
]


@pytest.mark.parametrize("text, keys", [pytest.param(t, k, id=i) for t, k, i in NAMED])
def test_a_stage_in_your_own_words_names_the_reference_stage(text, keys):
    assert reference_keys_named(text) == keys


def issue_chart() -> StudentChart:
    """Issue 25's chart: the student's own loss stage before 编码偏移量 (encoding) and the
    forward pass, hard negative mining in their words, and a stage that names nothing."""
    chart = StudentChart()
    for key in ("read", "photometric", "zoom_out", "iou_crop", "resize", "flip", "sanitize",
                "collate", "match"):
        chart.add(key)
    chart.add("计算损失：平滑L1加交叉熵")
    for key in ("encode", "forward"):
        chart.add(key)
    chart.add("挖掘难例")
    for key in ("backward", "step"):
        chart.add(key)
    chart.add("画一只猫")
    chart.chain()
    chart.connect(14, 0, "next batch", loop=True)
    return chart


def test_own_loss_stage_before_encoding_is_read_as_the_loss_and_flagged_out_of_order():
    c = compare_with_reference(issue_chart())
    # every reference stage but the two of the epoch is there, the loss and mining in words
    assert [s.key for s in c.missing] == ["evaluate", "checkpoint"]
    assert not any("multibox loss" in line for line in c.lines() if line.startswith("missing"))
    assert c.named == [("计算损失：平滑L1加交叉熵", ["multibox loss"]),
                       ("挖掘难例", ["hard negative mining"])]
    # ranks 0..8, then loss 12, encode 10, forward 11, mining 13 ...: only the loss is to move
    assert c.out_of_order == ["计算损失：平滑L1加交叉熵"]
    lines = c.lines()
    assert ("'计算损失：平滑L1加交叉熵' comes before 'encode offsets' in your chart; the code runs "
            "'encode offsets' first, because the loss compares the predicted offsets with the "
            "encoded targets.") in lines
    assert ("'计算损失：平滑L1加交叉熵' comes before 'forward pass' in your chart; the code runs "
            "'forward pass' first, because the loss needs the network's predictions.") in lines
    # the stage that names nothing stays the student's own
    assert c.own == ["画一只猫"] and "your own stages: 画一只猫" in lines
    assert c.has_batch_loop and not c.has_epoch_loop


def test_an_out_of_order_pair_without_a_dependency_gets_the_plain_sentence():
    chart = StudentChart()
    for key in ("read", "flip", "resize"):                  # the code resizes, then flips
        chart.add(key)
    c = compare_with_reference(chart)
    assert len(c.out_of_order) == 1
    assert c.order_notes == [("'horizontal flip' comes before 'resize' in your chart; the code "
                              "runs 'resize' first.")]


def test_the_comparison_in_chinese_names_the_stages_in_chinese(language):
    language("zh")
    lines = compare_with_reference(issue_chart()).lines()
    text = "\n".join(lines)
    assert "多框损失" not in lines[0] and "评估" in lines[0]      # missing: the epoch's stages
    assert "计算损失：平滑L1加交叉熵" in lines[1]                  # out of order
    assert "编码偏移量" in text and "前向传播" in text and "难负样本挖掘" in text


# ------------------------------------------------------------------ saving


def test_saving_needs_a_name_and_keeps_the_earlier_version(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_student", None)
    monkeypatch.delenv(files.STUDENT_ENV, raising=False)
    builder = flowchart_builder(folder=tmp_path, seed=0)
    builder.pick.value = "read"
    builder.add_button.click()
    builder.save_button.click()
    assert "no student name yet" in builder.message.value and "set_student" in \
        builder.message.value
    assert not list(tmp_path.glob("*.png")) and builder.reveal_button.disabled
    with pytest.raises(ValueError, match="no student name yet"):
        save_student_chart(builder.chart, folder=tmp_path, quiet=True)

    files.set_student("李雷", folder=tmp_path)
    builder.save_button.click()
    path = tmp_path / "lesson05_flowchart.png"
    assert path.is_file() and str(path) in builder.message.value
    assert not builder.reveal_button.disabled
    first = path.read_bytes()
    builder.pick.value = "match"
    builder.add_button.click()
    builder.save_button.click()
    old = list((tmp_path / files.OLD).glob("lesson05_flowchart_*.png"))
    assert len(old) == 1 and old[0].read_bytes() == first and path.read_bytes() != first
    assert sorted(p.name for p in tmp_path.glob("*.png")) == ["lesson05_flowchart.png"]
    with Image.open(path) as im:
        assert "李雷" in im.text["Caption"]


def test_the_saved_flowchart_speaks_the_editions_language(tmp_path, language):
    from tests.test_l10n_run import CJK

    language("zh")
    chart = StudentChart()
    chart.add("read")
    chart.add("match")
    figure = plot_student_chart(chart)
    texts = [t.get_text() for ax in figure.axes for t in ax.texts]
    assert texts[0] == "我的 SSD 训练流程图" and "1. 读取图像和标注" in texts
    assert not any(CJK.search(t) is None for t in texts)
    path = save_student_chart(chart, student="李雷", folder=tmp_path, quiet=True)
    with Image.open(path) as im:
        caption = im.text["Caption"]
    assert "第 5 课" in caption and "学生：李雷" in caption


def test_running_the_lessons_flowchart_cells_saves_nothing(tmp_path):
    """Run All runs the builder's cell: it shows the builder and writes no homework; the
    lessons' code cells never call a save themselves."""
    flowchart_builder(folder=tmp_path)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == []
    for edition in ("zh", "en"):
        notebook = json.loads((REPO / "lessons" / edition / "05_training_run.ipynb")
                              .read_text(encoding="utf-8"))
        code = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
        builder_cells = [c for c in code if "flowchart_builder" in c]
        assert len(builder_cells) == 1
        assert not any("save_student_chart" in c or ".click()" in c or "_save(" in c
                       for c in code)


def test_chinese_without_a_chinese_font_is_refused_with_the_font_to_install(monkeypatch):
    """On a machine without a CJK font, a Chinese name would be drawn as empty boxes: it is
    refused, and the message says which font to install (not "write it in words")."""
    from ssd_core import fonts
    from ssd_core.homework import student_chart

    monkeypatch.setattr(student_chart, "cjk_font", lambda: None)
    monkeypatch.setattr(student_chart, "missing_glyphs",
                        lambda text: fonts.missing_glyphs(text, ["DejaVu Sans"]))
    chart = StudentChart()
    with pytest.raises(ValueError, match="no installed font draws Chinese .*fonts-noto-cjk"):
        chart.add("匹配默认框 match")
    chart.add("match the boxes")                        # Latin letters: DejaVu draws them
    assert [s.title for s in chart.stages] == ["match the boxes"]


def test_a_loop_back_to_an_earlier_column_carries_its_label_below_the_boxes():
    """Nine stages make two columns (seven in the first): the next-batch loop from the last
    stage back to the first runs under the boxes, its label on that stretch of it."""
    chart = StudentChart()
    for key in ("read", "resize", "flip", "collate", "match", "encode", "forward", "loss",
                "step"):
        chart.add(key)
    chart.chain()
    chart.connect(8, 0, "next batch", loop=True)
    figure = plot_student_chart(chart)
    renderer = rendered(figure)
    label = artist(figure, "label:loop:8-0").get_window_extent(renderer)
    loop = curve_points(artist(figure, "loop:8-0"))
    arrows = [curve_points(artist(figure, f"arrow:{i}-{i + 1}")) for i in range(8)]
    on = lambda pts, box: ((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0)
                           & (pts[:, 1] <= box.y1)).any()
    assert on(loop, label) and not any(on(pts, label) for pts in arrows)
    boxes = [artist(figure, f"stage:{i}").get_window_extent(renderer) for i in range(9)]
    assert label.y1 < min(b.y0 for b in boxes)          # below every box ...
    assert inside(label, figure.bbox)                   # ... and inside the picture
    # the loop leaves stage 9 and enters stage 1 (its arrow head there) by their right sides
    assert abs(loop[0, 0] - boxes[8].x1) < 1 and boxes[8].y0 < loop[0, 1] < boxes[8].y1
    assert any(abs(x - boxes[0].x1) < 2 and boxes[0].y0 < y < boxes[0].y1 for x, y in loop)
