"""Homework tools: the captioned screenshot (pixels, size, caption text), file safety, the
summary export, and the training flowchart against the order of a real training step."""

import datetime as dt
import io
import os
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle
from PIL import Image

from ssd_core import homework as hw
from ssd_core import i18n, paths
from ssd_core.device import describe_device
from ssd_core.homework import files, screenshot
from ssd_core.homework import (caption_lines, plot_training_flowchart, save_screenshot,
                               training_stages)
from tests.texts import cjk

REPO = Path(__file__).resolve().parents[1]
WHEN = dt.datetime(2024, 5, 6, 7, 8, 9)


@pytest.fixture(autouse=True)
def no_student(monkeypatch):
    """Each test starts with no name in this process or the environment (a name a test sets
    is forgotten after it); the homework folder is the test run's (conftest.py)."""
    monkeypatch.setattr(files, "_student", None)
    monkeypatch.delenv(files.STUDENT_ENV, raising=False)


def red_figure(w_in=4.0, h_in=3.0):
    """A figure whose every pixel is pure red, but for a small blue square at its centre."""
    fig = Figure(figsize=(w_in, h_in), facecolor=(1.0, 0.0, 0.0))
    fig.patches.append(Rectangle((0.45, 0.45), 0.1, 0.1, transform=fig.transFigure,
                                 facecolor=(0.0, 0.0, 1.0), edgecolor="none"))
    return fig


def pixels(path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


# ------------------------------------------------------------------ the screenshot


def test_screenshot_is_the_figure_on_top_of_a_caption_strip(tmp_path):
    path = save_screenshot(red_figure(), 5, "red", student="Li Lei", folder=tmp_path, dpi=50,
                           when=WHEN, device="cpu", quiet=True)
    img = pixels(path)
    H, W, _ = img.shape
    # 4 x 3 inches at 50 dpi: 200 x 150 pixels of figure, the strip below it
    assert W == 200
    fig_part, strip = img[:150], img[150:]
    strip_h = H - 150
    # at least two lines of 9-point text at 50 dpi (9 / 72 inch each)
    assert strip_h >= 2 * 9 * 50 / 72
    red = (fig_part == [255, 0, 0]).all(axis=-1).mean()
    blue = (fig_part == [0, 0, 255]).all(axis=-1).mean()
    assert red > 0.98 and 0.005 < blue < 0.015                            # the figure, untouched
    # the figure part is exactly what matplotlib renders for that figure on its own
    buf = io.BytesIO()
    red_figure().savefig(buf, format="png", dpi=50)
    alone = np.asarray(Image.open(buf).convert("RGB")).astype(int)
    assert alone.shape == (150, 200, 3) and (alone == fig_part).all()
    # the strip: a dark background unlike any figure pixel, with light text on it
    colors, counts = np.unique(strip.reshape(-1, 3), axis=0, return_counts=True)
    background = colors[counts.argmax()]
    assert tuple(background) == screenshot.STRIP_COLOR and background.sum() < 300
    assert not (strip == [255, 0, 0]).all(axis=-1).any()
    light = (strip.sum(axis=-1) > 600).sum()
    assert light > 50                                            # text was drawn
    assert (strip[:, :, 0] != 255).mean() > 0.5


def test_caption_names_course_lesson_student_date_version_device(tmp_path):
    path = save_screenshot(red_figure(), 5, "caption", student="Li Lei 李雷", folder=tmp_path,
                           dpi=40, when=WHEN, device="cpu", quiet=True)
    caption = Image.open(path).text["Caption"]
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    for piece in ("ssd-course", "lesson 5", "training run", "Li Lei 李雷", "2024-05-06 07:08",
                  f"ssd_core {version}", f"torch {torch.__version__}",
                  f"device: cpu ({os.uname().machine}, {os.cpu_count()} cores)"):
        assert piece in caption, piece
    assert caption == "\n".join(caption_lines(5, "Li Lei 李雷", WHEN, "cpu"))


def test_an_explorer_is_saved_without_its_state_line(tmp_path):
    """The explorer's picture as it is now; its ``state:`` line is for the lesson, not for the
    homework: the caption is the course's two lines and nothing else (issue 25)."""
    from ssd_core.viz.iou_nms import iou_explorer

    e = iou_explorer()
    e.set(a_x=(0.0, 0.5), a_y=(0.0, 0.5), b_x=(0.25, 0.75), b_y=(0.25, 0.75))
    assert "iou=0.143" in e.state_line
    path = save_screenshot(e, 1, "iou", student="x", folder=tmp_path, dpi=60, when=WHEN,
                           device="cpu", quiet=True)
    caption = Image.open(path).text["Caption"]
    assert caption == "\n".join(caption_lines(1, "x", WHEN, "cpu"))
    assert len(caption.split("\n")) == 2 and "state" not in caption and "iou=" not in caption
    w, h = (round(v * 60) for v in e.figsize)
    img = pixels(path)
    assert img.shape[1] == w and img.shape[0] > h
    buf = io.BytesIO()
    e.figure.savefig(buf, format="png", dpi=60)
    assert (np.asarray(Image.open(buf).convert("RGB")).astype(int) == img[:h]).all()


def test_a_training_run_screenshot_has_no_state_line(tmp_path):
    """Lesson 5's live loss plot, as the training run leaves it: the caption is course, lesson,
    student, then date, versions, device; its ``state: iteration=8 ...`` line is not there."""
    from ssd_core.viz.training import LiveLossPlot

    live = LiveLossPlot()
    for i in range(1, 9):
        live.on_step({"iteration": i, "total": 8, "epoch": 1, "loss": 10.0 / i, "lr": 1e-3})
    assert live.state_line.startswith("state: iteration=8")
    path = save_screenshot(live, 5, "training_run", student="李雷", folder=tmp_path, dpi=40,
                           when=WHEN, device="cpu", quiet=True)
    lines = Image.open(path).text["Caption"].split("\n")
    assert lines == ["ssd-course · lesson 5: training run · student: 李雷",
                     f"2024-05-06 07:08 · ssd_core {hw.files.__version__} · torch "
                     f"{torch.__version__} · device: {describe_device('cpu')}"]
def test_a_png_file_can_be_captioned(tmp_path):
    src = tmp_path / "shot.png"
    Image.new("RGB", (123, 45), (0, 200, 0)).save(src)
    path = save_screenshot(src, 4, "tests", student="x", folder=tmp_path / "hw", dpi=72,
                           when=WHEN, device="cpu", quiet=True)
    img = pixels(path)
    assert img.shape[1] == 123 and img.shape[0] > 45
    assert (img[:45] == [0, 200, 0]).all()


def test_saving_again_replaces_and_keeps_the_old_version_whole(tmp_path):
    """One file per homework kind: a second save takes the name, the first one is kept in
    old/ byte for byte, named by the time it was saved; nothing temporary is left."""
    first = save_screenshot(red_figure(), 4, "same", student="x", folder=tmp_path, dpi=30,
                            when=WHEN, device="cpu", quiet=True)
    assert first == tmp_path / "lesson04_same.png"
    before = first.read_bytes()
    later = WHEN + dt.timedelta(minutes=5)
    second = save_screenshot(red_figure(2, 2), 4, "same", student="x", folder=tmp_path,
                             dpi=30, when=later, device="cpu", quiet=True)
    assert second == first and Image.open(second).size[0] == 60       # the new picture
    kept = tmp_path / "old" / "lesson04_same_20240506-070809.png"      # the first, as it was
    assert kept.read_bytes() == before
    # a third save keeps the second under its own time; the first is still there
    second_bytes = second.read_bytes()
    save_screenshot(red_figure(), 4, "same", student="x", folder=tmp_path, dpi=30,
                    when=later + dt.timedelta(minutes=1), device="cpu", quiet=True)
    assert sorted(p.name for p in (tmp_path / "old").iterdir()) == [
        "lesson04_same_20240506-070809.png", "lesson04_same_20240506-071309.png"]
    assert kept.read_bytes() == before
    assert (tmp_path / "old" / "lesson04_same_20240506-071309.png").read_bytes() == second_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lesson04_same.png", "old"]
    assert not [p for p in tmp_path.rglob(".*")]
def test_a_failed_write_leaves_the_previous_version_in_place(tmp_path, monkeypatch):
    """Writing fails half way (a full disk: fsync): the first time nothing is left; the next
    time the saved version keeps its name and bytes, and nothing temporary is left."""
    def full_disk(fd):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr(os, "fsync", full_disk)
        with pytest.raises(OSError, match="No space left"):
            save_screenshot(red_figure(), 5, "fail", student="x", folder=tmp_path, dpi=30,
                            when=WHEN, device="cpu", quiet=True)
    assert list(tmp_path.iterdir()) == []
    saved = save_screenshot(red_figure(), 5, "fail", student="x", folder=tmp_path, dpi=30,
                            when=WHEN, device="cpu", quiet=True)
    before = saved.read_bytes()
    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space left"):
        save_screenshot(red_figure(2, 2), 5, "fail", student="x", folder=tmp_path, dpi=30,
                        device="cpu", quiet=True)
    assert saved.read_bytes() == before
    assert not [p for p in tmp_path.rglob(".*")]
def test_without_hard_links_the_old_version_is_copied(tmp_path, monkeypatch):
    """A folder without hard links (some shared drives): the old version is copied to old/."""
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    path = save_screenshot(red_figure(), 5, "nolink", student="x", folder=tmp_path, dpi=30,
                           when=WHEN, device="cpu", quiet=True)
    before = path.read_bytes()
    save_screenshot(red_figure(2, 2), 5, "nolink", student="x", folder=tmp_path, dpi=30,
                    when=WHEN + dt.timedelta(hours=1), device="cpu", quiet=True)
    assert (tmp_path / "old" / "lesson05_nolink_20240506-070809.png").read_bytes() == before
    assert Image.open(path).size[0] == 60
@pytest.mark.parametrize("name, words", [
    ("../escape", "path"), ("a/b", "path"), ("a\\b", "path"), ("", "empty"),
    ("two words", "letters, digits"), (".hidden", "letters, digits"), ("x" * 61, "under 60"),
])
def test_bad_names_are_refused_with_the_fix(tmp_path, name, words):
    with pytest.raises(ValueError) as e:
        save_screenshot(red_figure(), 5, name, student="x", folder=tmp_path, quiet=True)
    assert words in str(e.value) and "name" in str(e.value)
    assert list(tmp_path.iterdir()) == []


def test_bad_lesson_student_and_object(tmp_path):
    with pytest.raises(ValueError, match="lesson must be one of"):
        save_screenshot(red_figure(), 7, "x", student="x", folder=tmp_path)
    with pytest.raises(ValueError, match="control characters"):
        save_screenshot(red_figure(), 5, "x", student="Li\nLei", folder=tmp_path)
    with pytest.raises(TypeError, match="int"):
        save_screenshot(42, 5, "x", student="x", folder=tmp_path)
    with pytest.raises(FileNotFoundError, match="no such image file"):
        save_screenshot(tmp_path / "missing.png", 5, "x", student="x", folder=tmp_path)
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(ValueError, match="not an image"):
        save_screenshot(tmp_path / "notes.png", 5, "x", student="x", folder=tmp_path / "hw")


def test_student_name_sources(tmp_path, monkeypatch):
    monkeypatch.setenv(files.HOMEWORK_ENV, str(tmp_path))
    assert "name not set" in caption_lines(5, None, WHEN, "cpu")[0]
    monkeypatch.setenv(files.STUDENT_ENV, "From Env")
    assert caption_lines(5, None, WHEN, "cpu")[0].endswith("student: From Env")
    hw.set_student("  Wang Fang  ")
    assert caption_lines(5, None, WHEN, "cpu")[0].endswith("student: Wang Fang")
    assert caption_lines(5, "Given", WHEN, "cpu")[0].endswith("student: Given")
def test_homework_folder_rules(tmp_path, monkeypatch):
    monkeypatch.setenv(files.HOMEWORK_ENV, str(tmp_path / "mine"))
    assert hw.homework_dir() == tmp_path / "mine" and (tmp_path / "mine").is_dir()
    monkeypatch.delenv(files.HOMEWORK_ENV)
    assert paths.repo_root() == REPO                       # the default: <repository>/homework
    monkeypatch.setattr(files, "repo_root", lambda: tmp_path)
    monkeypatch.setenv("SSD_COURSE_QUICK", "0")
    assert hw.homework_dir() == tmp_path / "homework" and (tmp_path / "homework").is_dir()
    # the quick mode (a teacher's setting for slow laptops) moves data and runs, never the
    # homework or the drafts: the same folder as without it, in this kernel and the next
    monkeypatch.setenv("SSD_COURSE_QUICK", "1")
    assert hw.homework_dir() == tmp_path / "homework"
    from ssd_core.homework.drafts import draft_path

    assert draft_path("summary") == tmp_path / "homework" / "drafts" / "summary.json"
# ------------------------------------------------------------------ the summary (lessons 2-3)


def test_summary_export_writes_three_labelled_parts_and_keeps_the_old_one(tmp_path):
    from ssd_core.homework.summary import export_summary, summary_box

    box = summary_box(student="李雷", folder=tmp_path)
    box.boxes["essence"].value = "SSD 是单阶段检测器。" * 5          # SSD + 7 汉字 = 8 字, x5
    box.boxes["weaknesses"].value = "小目标检测较差" * 5                # 7 x 5
    box.boxes["improvements"].value = "加入特征金字塔" * 5              # 7 x 5
    a = box.export(when=WHEN, quiet=True)
    first = a.read_bytes()
    b = export_summary(box, "李雷", folder=tmp_path, when=WHEN + dt.timedelta(days=1),
                       quiet=True)
    assert a == b == tmp_path / "lesson03_summary.txt"
    assert (tmp_path / "old" / "lesson03_summary_20240506-070809.txt").read_bytes() == first
    content = first.decode("utf-8")
    header = content.split("-" * 60)[0]
    assert "word count: 110 of 100 (enough" in header
    assert "essence 40/40, weaknesses 35/30, improvements 35/30" in header
    assert "student: 李雷" in header and "lesson 3" in header and "2024-05-06 07:08" in header
    assert "## SSD's essence: 40 words" in content
    # in English the file says nothing in Chinese but what the student wrote
    for written in [*box.texts.values(), "李雷"]:
        content = content.replace(written, "")
    assert not cjk(content)
    assert content.index("## Its weaknesses") < content.index("## Your ideas to improve it")
def test_summary_export_refuses_an_empty_text_and_the_button_says_so(tmp_path):
    from ssd_core.homework.summary import export_summary, summary_box

    with pytest.raises(ValueError, match="empty"):
        export_summary(" \n\t", student="x", folder=tmp_path)
    box = summary_box(folder=tmp_path, student="x")
    box.save_button.click()
    assert "empty" in box.save_status.value and not list(tmp_path.glob("lesson*"))
    box.boxes["essence"].value = "short"
    box.save_button.click()
    assert "saved" in box.save_status.value and len(list(tmp_path.glob("lesson*"))) == 1
    assert "old" in box.save_status.value                    # where a re-save keeps this one
    content = next(tmp_path.glob("lesson*")).read_text(encoding="utf-8")
    assert "word count: 1 of 100 (99 short" in content
def test_summary_draft_survives_a_new_kernel(tmp_path):
    """Lesson 2 types the essence; the kernel dies; lesson 3 (a new process) finds it."""
    import subprocess
    import textwrap

    from ssd_core.homework.drafts import draft_path
    from ssd_core.homework.summary import summary_box

    lesson2 = summary_box(["essence"], folder=tmp_path, lesson=2)
    lesson2.boxes["essence"].value = "多尺度特征图上的默认框"
    # lesson 2's box has no save button: only the whole summary (lesson 3) is handed in
    def shown(widget):
        return [widget] + [w for c in getattr(widget, "children", ()) for w in shown(c)]

    assert lesson2.save_button not in shown(lesson2.widget)
    full = summary_box(folder=tmp_path)
    assert full.save_button in shown(full.widget)
    assert draft_path("summary", tmp_path).is_file()
    script = textwrap.dedent(f"""
        from ssd_core.homework.summary import summary_box
        box = summary_box(folder={str(tmp_path)!r})
        box.boxes["weaknesses"].value = "小目标"
        print(box.texts["essence"] + "|" + str(box.count))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, env={**os.environ, "SSD_COURSE_QUICK": "1"}).stdout
    assert out.strip() == "多尺度特征图上的默认框|14"
    # back in "lesson 2", a new box sees what the other process added, and keeps both
    again = summary_box(folder=tmp_path)
    assert again.texts == {"essence": "多尺度特征图上的默认框", "weaknesses": "小目标",
                           "improvements": ""}
    # nothing was written as homework by typing: only the draft
    assert not list(tmp_path.glob("lesson*"))


#: Drafts as the course wrote them before homework/drafts.py (issue 23), byte for byte: a
#: student's drafts from then must open in the boxes and the builder of now.
OLD_SUMMARY_DRAFT = """{
 "course": "ssd-course",
 "kind": "summary draft",
 "saved": "2026-12-07T02:32:52",
 "texts": {
  "essence": "SSD 很快：一次前向传播",
  "weaknesses": "small objects"
 }
}"""
OLD_FLOWCHART_DRAFT = """{
 "saved": "2026-12-07T02:32:53",
 "chart": {
  "stages": [
   {"title": "读取图像和标注", "key": "read", "note": "一张 JPEG"},
   {"title": "my own stage", "key": null, "note": "x"},
   {"title": "匹配默认框", "key": "match", "note": ""}
  ],
  "arrows": [[0, 1, ""], [1, 2, ""]],
  "loops": [[2, 0, "next batch"]]
 }
}"""


def test_drafts_written_before_the_drafts_module_still_load(tmp_path, language):
    from ssd_core.homework.my_flowchart import flowchart_builder
    from ssd_core.homework.summary import summary_box

    language("en")                  # the stages were picked in Chinese; shown in English now
    (tmp_path / "drafts").mkdir()
    (tmp_path / "drafts" / "summary.json").write_text(OLD_SUMMARY_DRAFT, encoding="utf-8")
    (tmp_path / "drafts" / "flowchart.json").write_text(OLD_FLOWCHART_DRAFT, encoding="utf-8")
    box = summary_box(folder=tmp_path)
    assert box.texts == {"essence": "SSD 很快：一次前向传播", "weaknesses": "small objects",
                         "improvements": ""}
    builder = flowchart_builder(folder=tmp_path, seed=0)
    chart = builder.chart
    assert [(s.key, s.title, s.note) for s in chart.stages] == [
        ("read", "读取图像和标注", "一张 JPEG"), (None, "my own stage", "x"), ("match", "匹配默认框", "")]
    assert chart.arrows == [(0, 1, ""), (1, 2, "")] and chart.loops == [(2, 0, "next batch")]
    assert builder.list.options == ("1. read image + annotation", "2. my own stage",
                                    "3. match default boxes")
    assert not list(tmp_path.glob("drafts/*.unreadable-*"))


def test_both_drafts_are_written_one_way_and_read_back(tmp_path, language):
    """The summary box and the flowchart builder save through homework/drafts.py: the same
    header (course, kind, time), the fields they wrote before, and nothing else in the folder."""
    import json

    from ssd_core.homework.my_flowchart import flowchart_builder
    from ssd_core.homework.summary import summary_box

    language("en")
    box = summary_box(["essence"], folder=tmp_path, lesson=2)
    box.boxes["essence"].value = "默认框"
    builder = flowchart_builder(folder=tmp_path, seed=0)
    builder.pick.value = "match"
    builder.add_button.click()
    summary = json.loads((tmp_path / "drafts" / "summary.json").read_text(encoding="utf-8"))
    chart = json.loads((tmp_path / "drafts" / "flowchart.json").read_text(encoding="utf-8"))
    assert sorted(summary) == ["course", "kind", "saved", "texts"]
    assert sorted(chart) == ["chart", "course", "kind", "saved"]
    assert (summary["course"], summary["kind"], chart["course"], chart["kind"]) == \
        ("ssd-course", "summary draft", "ssd-course", "flowchart draft")
    assert dt.datetime.fromisoformat(chart["saved"]) <= dt.datetime.now()
    assert summary["texts"] == {"essence": "默认框"}
    assert chart["chart"]["stages"] == [{"title": "match default boxes", "key": "match", "note": ""}]
    assert sorted(p.name for p in (tmp_path / "drafts").iterdir()) == ["flowchart.json", "summary.json"]
    assert flowchart_builder(folder=tmp_path).chart.stages[0].key == "match"


def test_a_failed_draft_save_keeps_the_previous_draft_whole(tmp_path, monkeypatch):
    """A draft is replaced atomically: when writing fails (a full disk: here fsync), the previous
    draft stays as it was, no temporary file is left, and the widget says so."""
    from ssd_core.homework.my_flowchart import flowchart_builder
    from ssd_core.homework.summary import summary_box

    box = summary_box(folder=tmp_path)
    box.boxes["essence"].value = "first"
    builder = flowchart_builder(folder=tmp_path, seed=0)
    builder.pick.value = "read"
    builder.add_button.click()
    before = {p.name: p.read_bytes() for p in (tmp_path / "drafts").iterdir()}

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    box.boxes["essence"].value = "second"
    assert "draft not saved" in box.draft_html.value and "No space left" in box.draft_html.value
    builder.pick.value = "match"
    builder.add_button.click()
    assert "No space left" in builder.message.value
    after = {p.name: p.read_bytes() for p in (tmp_path / "drafts").iterdir()}
    assert after == before


BROKEN_DRAFTS = {
    "summary": ("{not json", '{"texts": ["essence"]}'),
    "flowchart": ("{not json", '{"chart": {"stages": [], "arrows": [[0, 3, ""]]}}'),
}


@pytest.mark.parametrize("name, broken", [(n, b) for n, bs in BROKEN_DRAFTS.items() for b in bs])
def test_a_broken_draft_is_kept_aside_not_lost(tmp_path, name, broken):
    """Not JSON, or fields the box cannot read (texts not a mapping, an arrow to a stage that
    does not exist): the box or the builder starts empty, the draft is moved aside, never
    deleted, and a warning says where it went."""
    from ssd_core.homework.drafts import draft_path
    from ssd_core.homework.my_flowchart import flowchart_builder
    from ssd_core.homework.summary import summary_box

    path = draft_path(name, tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(broken, encoding="utf-8")
    with pytest.warns(UserWarning, match="could not be read") as warned:
        if name == "summary":
            assert summary_box(folder=tmp_path).texts == {"essence": "", "weaknesses": "",
                                                          "improvements": ""}
        else:
            assert flowchart_builder(folder=tmp_path).chart.stages == []
    aside = list(path.parent.glob(f"{name}.json.unreadable-*"))
    assert len(aside) == 1 and aside[0].read_text(encoding="utf-8") == broken
    assert not path.exists() and str(aside[0]) in str(warned[0].message)


# ------------------------------------------------------------------ the flowchart


def drawn_stage_order(fig) -> list[str]:
    """Stage keys in reading order: column by column (left to right), top to bottom."""
    boxes = [p for ax in fig.axes for p in ax.patches
             if isinstance(p, FancyBboxPatch) and str(p.get_gid()).startswith("stage:")]
    def key(p):
        x, y = p.get_x() + p.get_width() / 2, p.get_y() + p.get_height() / 2
        return (round(x, 3), -y)
    return [p.get_gid().split(":", 1)[1] for p in sorted(boxes, key=key)]


def test_flowchart_draws_the_stages_in_order_with_their_titles():
    stages = training_stages()
    fig = plot_training_flowchart(stages)
    assert drawn_stage_order(fig) == [s.key for s in stages]
    titles = {t.get_gid(): t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid()}
    for s in stages:
        assert titles[f"title:{s.key}"] == str(s.title)
    # the per-image part is exactly the augmentation's own steps, in its order
    from ssd_core.data import SSDAugmentation
    from ssd_core.viz.pictures import load_sample

    pic = load_sample("coffee")
    traced = [st.name for st in SSDAugmentation(64).trace(pic.image, pic.target_px(), seed=1)]
    image_stages = [s.key for s in stages if s.group == "image"]
    assert image_stages[0] == "read" and image_stages[1:] == traced[1:]      # traced[0]: input


def test_flowchart_order_is_the_order_a_real_training_run_calls_things(tmp_path, monkeypatch):
    """Run two real iterations of ssd_core.train.train with every stage's function wrapped,
    record what was called in which order, and compare with the flowchart."""
    import ssd_core.loss as loss_mod
    import ssd_core.matching as matching_mod
    from ssd_core.data import SSDAugmentation, VOCDataset
    from ssd_core.models import SSD

    train_mod = sys.modules["ssd_core.train"]
    calls: list[str] = []

    def wrap(owner, attr, key):
        original = getattr(owner, attr)

        def wrapper(*args, **kwargs):
            calls.append(key)
            return original(*args, **kwargs)
        monkeypatch.setattr(owner, attr, wrapper)

    original_trace = SSDAugmentation.trace

    def trace(self, *args, **kwargs):
        for step in original_trace(self, *args, **kwargs):
            if step.name != "input":
                calls.append(step.name)
            yield step
    monkeypatch.setattr(SSDAugmentation, "trace", trace)
    wrap(VOCDataset, "__getitem__", "read")
    wrap(train_mod, "collate", "collate")
    wrap(matching_mod, "match", "match")
    wrap(matching_mod, "encode", "encode")
    wrap(SSD, "forward", "forward")
    wrap(train_mod, "multibox_loss", "loss")
    wrap(loss_mod, "hard_negative_mining", "mining")
    wrap(torch.Tensor, "backward", "backward")
    wrap(train_mod, "evaluate", "evaluate")
    wrap(train_mod, "save_checkpoint", "checkpoint")
    from torch.optim.optimizer import register_optimizer_step_post_hook

    handle = register_optimizer_step_post_hook(
        lambda *_: calls.append("step"))
    try:
        settings = train_mod.make_settings(
            "small", dataset="shapes", data_dir=str(tmp_path / "shapes"), shapes_train=4,
            shapes_val=2, epochs=1, iterations=None, batch_size=2, num_workers=0,
            progress=False, run_dir=str(tmp_path / "runs"), name="flow", device="cpu",
            augment=True, val_limit=2)
        # every augmentation step must fire: no step switched off by the preset
        settings.augmentation = {}
        train_mod.train(settings)
    finally:
        handle.remove()
    known = {s.key for s in training_stages()}
    first_seen = list(dict.fromkeys(c for c in calls if c in known))
    assert first_seen == [s.key for s in training_stages()]
    assert drawn_stage_order(plot_training_flowchart()) == first_seen
    # and the loop really loops: two iterations, so read/forward/step happen more than once
    assert calls.count("step") == 2 and calls.count("forward") >= 2


def students_chart():
    """A student's chart: their own order (augmentation after the loss: wrong), a stage of
    their own, notes, arrows and a next-batch loop."""
    from ssd_core.homework import StudentChart

    chart = StudentChart()
    for key in ("read", "flip", "resize", "forward", "match", "loss", "mining", "backward", "step"):
        chart.add(key)
    chart.add("photometric")                          # put last: out of order
    chart.add("记录日志 log the loss")                  # a stage of their own
    chart.set_note(3, "VGG16 + extra layers -> 8732 boxes")
    chart.chain()
    chart.connect(8, 0, "next batch", loop=True)
    return chart


def test_student_chart_is_drawn_as_the_student_built_it():
    from ssd_core.homework import plot_student_chart

    chart = students_chart()
    fig = plot_student_chart(chart)
    ax = fig.axes[0]
    titles = {t.get_gid(): t.get_text() for t in ax.texts if t.get_gid()}
    assert [titles[f"title:{i}"] for i in range(len(chart.stages))] == \
        [f"{i + 1}. {s.title}" for i, s in enumerate(chart.stages)]
    assert titles["title:10"] == "11. 记录日志 log the loss"
    gids = {p.get_gid() for p in ax.patches}
    assert {f"arrow:{i}-{i + 1}" for i in range(10)} <= gids and "loop:8-0" in gids
    assert any("8732 boxes" in t.get_text() for t in ax.texts)
    # moving a stage moves its arrows with it
    chart.move(9, 1)
    arrows = [(a, b) for a, b, _ in chart.arrows]
    assert chart.stages[1].key == "photometric" and chart.stages[2].key == "flip"
    assert (8 + 1, 1) in arrows and (0, 2) in arrows and (1, 10) in arrows   # step->photometric,
    # read->flip and photometric->log moved with their stages


def test_comparison_finds_missing_and_out_of_order_stages():
    from ssd_core.homework import compare_with_reference

    c = compare_with_reference(students_chart())
    assert [s.key for s in c.missing] == ["zoom_out", "iou_crop", "sanitize", "collate",
                                          "encode", "evaluate", "checkpoint"]
    # three swaps of the code's order: flip/resize, forward/match, and photometric last;
    # the fewest stages to move is one of each pair, and photometric
    assert len(c.out_of_order) == 3 and "photometric distortion" in c.out_of_order
    assert len({"horizontal flip", "resize"} & set(c.out_of_order)) == 1
    assert len({"forward pass", "match default boxes"} & set(c.out_of_order)) == 1
    assert c.own == ["记录日志 log the loss"] and c.has_batch_loop and not c.has_epoch_loop
    text = "\n".join(c.lines())
    assert "missing" in text and "out of order" in text and "next epoch" in text
    # the reference itself compares clean
    from ssd_core.homework import StudentChart

    ref = StudentChart()
    for s in training_stages():
        ref.add(s)
    assert compare_with_reference(ref).out_of_order == [] and not compare_with_reference(ref).missing


def test_builder_saves_only_on_request_and_reveals_only_after(tmp_path):
    from ssd_core.homework.my_flowchart import flowchart_builder

    b = flowchart_builder(student="x", folder=tmp_path, seed=0)
    assert b.reveal_button.disabled and not list(tmp_path.glob("lesson*"))
    b.pick.value = b.palette[0].key                             # the value is the stage's key
    b.add_button.click()
    b.pick.value = b.OWN
    b.own.value = "我的阶段"
    b.add_button.click()
    b.chain_button.click()
    assert [s.title for s in b.chart.stages] == [str(b.palette[0].title), "我的阶段"]
    assert not list(tmp_path.glob("lesson*"))                   # building saves no homework
    b.reveal_button.click()
    assert "save your own flowchart first" in b.message.value
    b.save_button.click()
    saved = list(tmp_path.glob("lesson05_flowchart*.png"))
    assert saved == [tmp_path / "lesson05_flowchart.png"] and not b.reveal_button.disabled
    b.reveal_button.click()
    assert b.comparison.own == ["我的阶段"]
    # the draft reopens the same chart in a new builder
    again = flowchart_builder(folder=tmp_path)
    assert [s.title for s in again.chart.stages] == [str(b.palette[0].title), "我的阶段"]


def test_save_student_chart(tmp_path):
    from ssd_core.homework import StudentChart, plot_student_chart, save_student_chart

    with pytest.raises(ValueError, match="no stages"):
        save_student_chart(StudentChart(), student="x", folder=tmp_path)
    chart = students_chart()
    path = save_student_chart(chart, student="x", folder=tmp_path, dpi=40, when=WHEN,
                              device="cpu", quiet=True)
    assert path.name == "lesson05_flowchart.png"
    w, h = (round(v * 40) for v in plot_student_chart(chart).get_size_inches())
    img = pixels(path)
    assert img.shape[1] == w and img.shape[0] > h


# ------------------------------------------------------------------ handing in


def test_pack_zips_the_homework_with_a_manifest_and_keeps_the_old_pack(tmp_path, capsys):
    import hashlib
    import json
    import zipfile

    from ssd_core.homework import pack

    with pytest.raises(ValueError, match="no homework files"):
        pack("李雷", folder=tmp_path)
    a = save_screenshot(red_figure(1, 1), 5, "training_run", student="李雷", folder=tmp_path,
                        dpi=20, when=WHEN, device="cpu", quiet=True)
    b = tmp_path / "lesson03_summary.txt"
    b.write_text("SSD 总结", encoding="utf-8")
    (tmp_path / "drafts").mkdir(exist_ok=True)
    (tmp_path / "drafts" / "summary.json").write_text("{}")      # drafts are not homework
    (tmp_path / "notes.txt").write_text("private")                # nor other files
    first = pack("李雷", folder=tmp_path, when=WHEN)
    out = capsys.readouterr().out
    assert f"packed 2 files into {first}: hand in this zip." in out
    packed = first.read_bytes()
    second = pack("李雷", folder=tmp_path, when=WHEN + dt.timedelta(minutes=1), quiet=True)
    assert first == second == tmp_path / "lesson05_pack.zip"
    assert (tmp_path / "old" / "lesson05_pack_20240506-070809.zip").read_bytes() == packed
    with zipfile.ZipFile(io.BytesIO(packed)) as z:
        names = z.namelist()
        manifest = json.loads(z.read("manifest.json"))
        assert sorted(names) == sorted(["manifest.json", a.name, b.name])
        for entry in manifest["files"]:
            data = z.read(entry["file"])
            assert entry["sha256"] == hashlib.sha256(data).hexdigest()
            assert entry["bytes"] == len(data)
    assert manifest["student"] == "李雷" and manifest["course"] == "ssd-course"
    assert manifest["lessons"] == [3, 5] and manifest["date"] == "2024-05-06T07:08:09"
    assert [(e["lesson"], e["kind"]) for e in manifest["files"]] == [(3, "summary"),
                                                                   (5, "training_run")]
    assert manifest["option"] == "screenshot" and manifest["summary"] == "lesson03_summary.txt"
    # the second pack did not pack the first one, nor anything of old/
    with zipfile.ZipFile(second) as z:
        assert sorted(z.namelist()) == sorted(["manifest.json", a.name, b.name])
def test_test_run_figure_has_the_table_and_the_detections():
    import torch

    from ssd_core.draw import plot_test_run

    images = [torch.rand(3, 40, 60) for _ in range(4)]
    dets = [{"boxes": torch.tensor([[0.1, 0.1, 0.5, 0.5]]), "scores": torch.tensor([0.9]),
             "labels": torch.tensor([1])} for _ in range(4)]
    fig = plot_test_run("class  AP07\ncircle 0.81\nmAP    0.81", images, dets, ["circle"],
                        title="test run")
    table = [t for ax in fig.axes for t in ax.texts if t.get_gid() == "table"]
    assert len(table) == 1 and "circle 0.81" in table[0].get_text()
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 4 and all(len(ax.patches) == 1 for ax in shown)


def test_scratch_folders_of_dead_processes_are_cleared(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    parent = tmp_path / "ssd-course-scratch"
    dead = parent / "lesson5-999999999-abc"          # above any pid_max: no such process
    alive = parent / f"lesson5-{os.getppid()}-xyz"   # our parent process is running
    for folder in (dead, alive):
        folder.mkdir(parents=True)
        (folder / "last.pt").write_bytes(b"x" * 10)
    new = paths.scratch_dir("lesson4")
    assert not dead.exists() and (alive / "last.pt").exists()
    assert new.parent == parent and new.name.startswith(f"lesson4-{os.getpid()}-") and new.is_dir()


# ------------------------------------------------------------------ in Chinese


def test_flowchart_in_chinese_and_in_english(language):
    from .test_l10n_run import CJK, check_chinese, check_english

    english = check_english(plot_training_flowchart())
    assert "SSD training, one iteration after another" in english and "next batch" in english
    language("zh")
    stages = training_stages()
    fig = plot_training_flowchart(stages)
    text = check_chinese(fig, "SSD 的训练过程", "对每张图像（在 DataLoader 中）", "下一个批次",
                         "匹配默认框", "难负样本挖掘", "然后进入下一轮")
    assert all(CJK.search(i18n._(s.title)) and CJK.search(i18n._(s.detail)) for s in stages)
    assert all(i18n._(s.title) in text for s in stages)
    # keys, gids and the order stay: tests and the student's chart find stages by key
    assert drawn_stage_order(fig) == [s.key for s in stages]
    titles = {t.get_gid(): t.get_text() for ax in fig.axes for t in ax.texts if t.get_gid()}
    assert titles["title:match"] == "匹配默认框" and titles["title:mining"] == "难负样本挖掘"


def test_student_chart_and_comparison_in_chinese(language):
    from ssd_core.homework import compare_with_reference, plot_student_chart

    from .test_l10n_run import CJK, check_chinese

    chart = students_chart()                            # picked in English ...
    assert not CJK.search("\n".join(compare_with_reference(chart).lines()).replace(
        "记录日志", ""))
    language("zh")                                      # ... shown in Chinese
    check_chinese(plot_student_chart(chart), "我的 SSD 训练流程图", "1. 读取图像和标注",
                  "11. 记录日志 log the loss", "VGG16 + extra layers -> 8732 boxes")
    lines = compare_with_reference(chart).lines()
    assert lines[0].startswith("缺少的阶段：缩小（zoom out）、按 IoU 随机裁剪")
    assert "光度畸变" in lines[1] and lines[2] == "你自己写的阶段：记录日志 log the loss"
    assert lines[3] == "缺少回到下一轮的循环"
    with pytest.raises(IndexError, match="阶段 20 不存在"):
        chart.set_note(20, "x")


def test_builder_in_chinese(language, tmp_path):
    from ssd_core.homework.my_flowchart import flowchart_builder

    from .test_l10n_run import CJK

    b = flowchart_builder(folder=tmp_path / "en", seed=0)
    words = [label for label, _ in b.pick.options + b.kind.options] + [
        w.description for w in (b.add_button, b.save_button, b.reveal_button, b.pick)]
    assert not CJK.search("\n".join(words + [b.widget.children[0].value]))
    language("zh")
    b = flowchart_builder(student="张三", folder=tmp_path, seed=0)
    labels = dict((value, label) for label, value in b.pick.options)
    assert labels["match"] == "匹配默认框" and labels[b.OWN] == "（自己写）"
    assert b.add_button.description == "添加" and b.reveal_button.description == "查看参考流程图"
    assert [label for label, _ in b.kind.options] == ["箭头", "循环"] and b.kind.value == "arrow"
    assert "我的 SSD 训练流程图" in b.widget.children[0].value
    b.pick.value = "match"
    b.add_button.click()
    assert b.list.options == ("1. 匹配默认框",)
    b.reveal_button.click()
    assert "请先保存你自己的流程图" in b.message.value
    b.save_button.click()
    assert "已保存" in b.message.value and "现在可以查看参考流程图了" in b.message.value
    b.reveal_button.click()
    assert b.comparison.missing and "缺少的阶段" in b.comparison.lines()[0]


def test_summary_in_chinese(language, tmp_path):
    from ssd_core.homework.summary import export_summary, summary_box

    language("zh")
    box = summary_box(student="李雷", folder=tmp_path)
    assert box.save_button.description == "保存作业"
    html = "\n".join(w.value for w in box.widget.children if hasattr(w, "value"))
    assert "SSD 的精髓" in html and "至少 40 字" in html and "每个汉字算 1 个字" in html
    assert "SSD's essence" not in html and "What makes SSD" not in html
    box.boxes["essence"].value = "SSD 是单阶段检测器。" * 5
    assert "草稿已保存" in box.draft_html.value and "合计：40 / 100 字（还差 60 字）" in box.total_html.value
    path = box.export(when=WHEN, quiet=True)
    content = path.read_text(encoding="utf-8")
    assert content.startswith("ssd-course · 第 3 课：匹配策略与损失函数 · 学生：李雷\n")
    assert "字数：40 / 100（还差 60 字）；SSD 的精髓 40/40，SSD 的缺点 0/30，你的改进想法 0/30" in content
    assert "## SSD 的精髓：40 字" in content and "## SSD 的缺点：0 字\n\n（空）" in content
    with pytest.raises(ValueError, match="总结是空的"):
        export_summary(" ", folder=tmp_path)


def test_pack_and_file_messages_in_chinese(language, tmp_path, capsys):
    from ssd_core.homework import pack

    language("zh")
    with pytest.raises(ValueError, match="还没有作业文件"):
        pack("张三", folder=tmp_path)
    save_screenshot(red_figure(1, 1), 5, "curve", student="张三", folder=tmp_path, dpi=20,
                    when=WHEN, device="cpu", quiet=True)
    pack("张三", folder=tmp_path, when=WHEN)
    assert "已把 1 个文件打包成" in capsys.readouterr().out
    with pytest.raises(ValueError, match="name 'two words' 含有文件名中不该有的字符"):
        save_screenshot(red_figure(), 5, "two words", student="x", folder=tmp_path)
    with pytest.raises(ValueError, match="lesson 必须是"):
        caption_lines(7, "x")
    save_screenshot(red_figure(1, 1), 5, "flowchart", student="张三", folder=tmp_path, dpi=20,
                    when=WHEN, device="cpu", quiet=True)
    with pytest.raises(ValueError, match=r"两项作业.*pack\(option='screenshot'\)"):
        pack("张三", folder=tmp_path)
def test_written_files_get_the_usual_permissions_and_nothing_half_written(tmp_path):
    """write_atomically, which every file the package must not leave half-written goes
    through (checkpoints, homework, drafts, make html's pages): the mode a plain open() gives
    (mkstemp's private 0o600 would hide make html's pages from a web server), the old file
    whole when writing fails, and no temporary file left."""
    import stat

    from ssd_core.paths import write_atomically

    old = os.umask(0o022)
    try:
        page = write_atomically(tmp_path / "page.html", "<p>你好</p>")
        assert stat.S_IMODE(page.stat().st_mode) == 0o644
        assert page.read_text(encoding="utf-8") == "<p>你好</p>"
        os.umask(0o077)
        private = write_atomically(tmp_path / "private.bin", b"x")
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
    finally:
        os.umask(old)

    def fails_half_way(f):
        f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(page, fails_half_way)
    assert page.read_text(encoding="utf-8") == "<p>你好</p>"
    with pytest.raises(FileExistsError):
        write_atomically(page, b"new", replace=False)
    assert page.read_text(encoding="utf-8") == "<p>你好</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "private.bin"]
