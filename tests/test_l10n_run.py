"""The course in Chinese, end to end: the figures of ssd_core.draw (training curves,
precision/recall, detections, the test run), a homework caption strip with a Chinese name,
and the message a student reads after uploading something that is not a photo. Class names
are shown in Chinese (三角形, 猫) while the data keeps its English names, and mAP in percent
(75.7, as the paper's tables) while results keep fractions.

In Chinese every figure shows Chinese (CJK characters) and draws every character: matplotlib
warns about no missing glyph, and the course's fonts cover all of the text. In English no CJK
character appears. The helpers here (:func:`figure_texts`, :func:`check_chinese`,
:func:`check_english`) serve the other test files' Chinese checks too.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from PIL import Image

from ssd_core.fonts import missing_glyphs
from tests.texts import figure_texts

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def glyph_warnings(fig: Figure) -> list[str]:
    """matplotlib's "Glyph ... missing from font(s)" warnings while drawing ``fig``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def check_chinese(fig: Figure, *parts: str) -> str:
    """Assert the figure is drawn whole in Chinese: no glyph missing, CJK in its text, and each
    of ``parts`` in it. Returns all its text."""
    assert glyph_warnings(fig) == []
    text = "\n".join(figure_texts(fig))
    assert CJK.search(text), text
    assert missing_glyphs(text) == [], text
    for part in parts:
        assert part in text, (part, text)
    return text


def check_english(fig: Figure) -> str:
    """Assert no CJK character appears in the figure; returns all its text."""
    text = "\n".join(figure_texts(fig))
    assert not CJK.search(text), text
    return text


# ------------------------------------------------------------------ ssd_core.draw


def run_rows():
    return [{"epoch": e, "loss": 9.0 - e, "loc": 3.0 - e / 2, "conf": 6.0 - e / 2,
             "map07": 0.1 * e, "map_area": 0.11 * e} for e in (1, 2, 3)]


def fake_eval():
    rec = np.array([0.2, 0.5, 0.8])
    return SimpleNamespace(ap={1: 0.7, 2: 0.5}, num_objects={1: 3, 2: 2},
                           class_names=("circle", "square"), recall={1: rec, 2: rec},
                           precision={1: np.array([1.0, 0.9, 0.7]), 2: np.array([1.0, 0.6, 0.5])},
                           map=0.6)


def detections():
    images = [torch.rand(3, 40, 60, generator=torch.Generator().manual_seed(i)) for i in range(4)]
    dets = [{"boxes": torch.tensor([[0.1, 0.1, 0.5, 0.5]]), "scores": torch.tensor([0.9]),
             "labels": torch.tensor([1])} for _ in range(4)]
    return images, dets


def evaluated_circles():
    """The evaluation of :func:`detections` against one circle per image, image 3's elsewhere.
    By hand: in rank order TP, TP, TP, FP (ties keep image order), so precision 1 up to recall
    0.75; 8 of VOC07's 11 recall levels (0 ... 0.7) get precision 1, the last three (0.8 ... 1)
    nothing: AP07 = 8/11 = 0.7273, shown as 72.7."""
    from ssd_core.metrics import evaluate_detections

    images, dets = detections()
    truths = [{"boxes": torch.tensor([[0.1, 0.1, 0.5, 0.5] if i < 3 else [0.6, 0.6, 0.9, 0.9]]),
               "labels": torch.tensor([1])} for i in range(4)]
    return evaluate_detections(dets, truths, class_names=("circle",))


def draw_figures():
    """One figure of each kind ssd_core.draw makes, with every label it can show (the title
    as a lesson gives it: in the course's language)."""
    from ssd_core.draw import (plot_pr_curves, plot_test_run, plot_training_curves,
                               show_detections)
    from ssd_core.i18n import language

    images, dets = detections()
    steps = [{"iteration": i, "loss": 5.0 - i / 10, "loc": 2.0, "conf": 3.0 - i / 10}
             for i in range(1, 13)]
    title = "测试过程" if language() == "zh" else "test run"
    return {
        "curves": plot_training_curves(run_rows()),
        "curves_per_step": plot_training_curves(steps, x="iteration", smooth=3,
                                                epochs=run_rows(), title=title),
        "compare": plot_training_curves({"on": run_rows(), "off": run_rows()}),
        "pr": plot_pr_curves(fake_eval()),
        "detections": show_detections(images[0], dets[0], ["circle"], title=title),
        "test_run": plot_test_run(evaluated_circles().table(), images, dets, ["circle"],
                                  title=title),
    }


def map_panel(fig):
    """The training curves' mAP axes and its lines by gid."""
    ax = fig.axes[1]
    return ax, {l.get_gid(): l for l in ax.lines}


def test_draw_figures_in_chinese(language):
    language("zh")
    figs = draw_figures()
    check_chinese(figs["curves"], "轮次", "训练损失", "总损失", "定位损失", "置信度损失",
                  "验证集 mAP@0.5（%）", "VOC07 11 点插值")
    check_chinese(figs["curves_per_step"], "迭代次数", "最近 3 个值的平均", "测试过程")
    check_chinese(figs["compare"], "训练损失", "轮次")
    # class names in Chinese, AP and mAP in percent (fake_eval: 0.7, 0.5, mean 0.6)
    check_chinese(figs["pr"], "召回率", "精确率", "平均精度均值 mAP 60.0", "圆形（AP 70.0）",
                  "正方形（AP 50.0）")
    check_chinese(figs["detections"], "测试过程", "圆形 0.90")
    text = check_chinese(figs["test_run"], "测试过程", "圆形 0.90")
    table = [t for t in text.splitlines() if "AP07" in t or "72.7" in t]
    assert any(re.fullmatch(r"圆形\s+4\s+72\.7", line.strip()) for line in text.splitlines()), table
    assert "circle" not in text and "0.727" not in text
    # the lines keep their gids in Chinese: tests find them by gid, whatever the language
    gids = {l.get_gid() for ax in figs["curves"].axes for l in ax.lines}
    assert {"loss", "loc", "conf", "map07", "map_area"} <= gids


def test_draw_figures_in_english():
    figs = draw_figures()
    for fig in figs.values():
        check_english(fig)
    text = "\n".join(figure_texts(figs["curves"]))
    assert "training loss (divided by N)" in text and "VOC07 11-point" in text
    assert "validation mAP@0.5 (%)" in text
    pr = "\n".join(figure_texts(figs["pr"]))
    assert "recall" in pr and "mAP 60.0" in pr and "circle (AP 70.0)" in pr
    assert "circle 0.90" in "\n".join(figure_texts(figs["detections"]))
    test_run = "\n".join(figure_texts(figs["test_run"]))
    assert "circle 0.90" in test_run and re.search(r"^circle\s+4\s+72\.7$", test_run, re.M)


def test_the_map_axis_is_in_percent_and_the_rows_stay_fractions():
    """run_rows' mAP07 0.1, 0.2, 0.3 are drawn at 10, 20, 30 on a 0-100 axis; the rows are
    left as they were."""
    from ssd_core.draw import plot_training_curves

    rows = run_rows()
    ax, lines = map_panel(plot_training_curves(rows))
    assert list(lines["map07"].get_ydata()) == pytest.approx([10.0, 20.0, 30.0])
    assert list(lines["map_area"].get_ydata()) == pytest.approx([11.0, 22.0, 33.0])
    assert ax.get_ylim() == (0.0, 100.0)
    assert [r["map07"] for r in rows] == pytest.approx([0.1, 0.2, 0.3])


# ------------------------------------------------------------------ class names


def marked_class_names() -> set[str]:
    """``(context "class name")`` msgids of the code, read as the catalog reads them."""
    from tools.catalog import extract

    return {m.id for m in extract() if m.context == "class name"}


def test_every_class_the_course_shows_is_marked_for_the_catalog():
    """The shapes (all the generator draws), VOC's 20, the sample photos' (classes.txt) and
    COCO's 80 (torchvision's metadata, without the background and the unused ids): each is a
    msgid of the context "class name", and each list's labels function names them all."""
    from torchvision.models.detection import SSD300_VGG16_Weights

    from ssd_core.data import VOC_CLASSES, sample_dataset
    from ssd_core.data.shapes import ALL_SHAPES, SHAPE_CLASSES, shape_class_labels
    from ssd_core.data.voc import voc_class_labels
    from ssd_core.inference import COCO_CLASSES, coco_class_labels
    from ssd_core.viz.pictures import sample_class_labels

    coco = [c for c in SSD300_VGG16_Weights.COCO_V1.meta["categories"]
            if c not in ("__background__", "N/A")]
    assert len(coco) == 80 and set(coco) < set(COCO_CLASSES)
    lists = {"shapes": (ALL_SHAPES, shape_class_labels()), "voc": (VOC_CLASSES, voc_class_labels()),
             "samples": (tuple(sample_dataset().classes), sample_class_labels()),
             "coco": (tuple(coco), coco_class_labels())}
    assert set(SHAPE_CLASSES) < set(ALL_SHAPES)
    marked = marked_class_names()
    for what, (names, labels) in lists.items():
        assert list(labels) == list(names) or set(labels) == set(names), what
        assert set(names) <= marked, (what, set(names) - marked)
        assert labels == {n: n for n in names}, what          # English: the names as they are
    assert {"cat", "triangle", "star", "person", "cup", "tvmonitor", "teddy bear"} <= marked


def test_class_names_are_chinese_in_chinese_and_the_data_stays_english(language):
    from ssd_core.data.shapes import SHAPE_CLASSES, shape_class_labels
    from ssd_core.draw import class_label
    from ssd_core.viz.pictures import load_sample

    language("zh")
    names = marked_class_names()
    shown = {n: class_label(n) for n in names}
    assert not [n for n, t in shown.items() if not CJK.search(t)]
    assert missing_glyphs("".join(shown.values())) == []
    assert [shown[n] for n in SHAPE_CLASSES] == ["圆形", "正方形", "三角形", "星形", "十字形"]
    assert list(shape_class_labels().values())[:5] == ["圆形", "正方形", "三角形", "星形", "十字形"]
    assert (shown["cat"], shown["person"], shown["cup"]) == ("猫", "人", "杯子")
    assert class_label("my own class") == "my own class"           # not in the catalog: as is
    cat = load_sample("chelsea")
    assert "cat" in cat.names() and "猫" in cat.shown_names()        # the data stays English
    language("en")
    assert class_label("triangle") == "triangle" and "cat" in cat.shown_names()


def test_a_chinese_label_falls_back_to_english_without_a_cjk_font(language, monkeypatch):
    """With no font that draws Chinese, figures keep their English labels (not boxes)."""
    import ssd_core.fonts as fonts
    from ssd_core.draw import plot_pr_curves

    language("zh")
    monkeypatch.setattr(fonts, "use_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", True)           # the one-time warning was given
    check_english(plot_pr_curves(fake_eval()))


# ------------------------------------------------------------------ the caption strip


def test_caption_strip_in_chinese_with_a_chinese_name(language, tmp_path, capsys):
    from ssd_core.homework import caption_lines, save_screenshot, screenshot

    language("zh")
    fig = Figure(figsize=(5, 2), facecolor="white")
    path = save_screenshot(fig, 5, "curve", student="张三", folder=tmp_path, dpi=60,
                           when=dt.datetime(2024, 5, 6, 7, 8), device="cpu")
    out = capsys.readouterr().out
    assert out.startswith("已保存 ") and "像素" in out and "注意" not in out   # no font note
    caption = Image.open(path).text["Caption"]
    first = caption.split("\n")[0]
    assert first == "ssd-course · 第 5 课：训练实战 · 学生：张三"
    assert "设备：cpu" in caption and caption == "\n".join(
        caption_lines(5, "张三", dt.datetime(2024, 5, 6, 7, 8), "cpu"))
    assert missing_glyphs(caption) == []
    # the strip itself: drawn with no glyph missing, and light text on it
    strip = screenshot._render_strip(caption.split("\n"), 300, 60)
    assert strip.size[0] == 300
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        screenshot._render_strip(caption.split("\n"), 300, 60)
    assert not [w for w in caught if "missing" in str(w.message)]
    img = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert (img[120:].sum(axis=-1) > 600).sum() > 50               # text in the strip


def test_caption_in_english_has_no_chinese_but_the_name(tmp_path):
    from ssd_core.homework import caption_lines

    lines = caption_lines(5, "张三", dt.datetime(2024, 5, 6, 7, 8), "cpu")
    assert lines[0] == "ssd-course · lesson 5: training run · student: 张三"
    assert not CJK.search("\n".join(lines).replace("张三", ""))


# ------------------------------------------------------------------ a bad upload


def upload(name, data):
    return ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
             "last_modified": dt.datetime(2024, 1, 1)},)


def test_a_bad_upload_is_explained_in_chinese(language):
    from ssd_core.data import DatasetError, decode_image_bytes
    from ssd_core.viz.detections import read_upload

    language("zh")
    with pytest.raises(ValueError, match=r"^还没有上传文件\W+(请)?点击“上传”"):
        read_upload(())
    with pytest.raises(DatasetError, match=r"^'notes\.txt' 不是 PIL 能读取的图像（\w+）；请上传一张 "
                                           r"JPEG 或 PNG 照片。$"):
        read_upload(upload("notes.txt", b"my notes, not a photo"))
    with pytest.raises(DatasetError, match=r"^'empty\.jpg' 是空文件（0 字节）"):
        decode_image_bytes(b"", "empty.jpg")


def test_a_bad_upload_in_the_detector_shows_the_chinese_message(language):
    from tests.test_viz_detections import CLASSES, FakeSSD

    from ssd_core.viz.detections import upload_detector

    language("zh")
    d = upload_detector(FakeSSD(), CLASSES)
    d.controls["upload"].value = upload("readme.md", b"# not a photo")
    assert d.state["error"].startswith("'readme.md' 不是 PIL 能读取的图像")
    assert 'state: error="' in d.state_line and "不是 PIL 能读取的图像" in d.state_line
    check_chinese(d.figure, "请上传一张 JPEG 或 PNG 照片")
