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
from ssd_core import paths
from ssd_core.homework import files, screenshot
from ssd_core.homework import (caption_lines, plot_training_flowchart, save_screenshot,
                               training_stages)

REPO = Path(__file__).resolve().parents[1]
WHEN = dt.datetime(2024, 5, 6, 7, 8, 9)


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


def test_an_explorer_is_saved_with_its_state_line(tmp_path):
    from ssd_core.viz.iou_nms import iou_explorer

    e = iou_explorer()
    e.set(a_x=(0.0, 0.5), a_y=(0.0, 0.5), b_x=(0.25, 0.75), b_y=(0.25, 0.75))
    path = save_screenshot(e, 1, "iou", student="x", folder=tmp_path, dpi=60, when=WHEN,
                           device="cpu", quiet=True)
    lines = Image.open(path).text["Caption"].split("\n")
    assert lines[2] == e.state_line and "iou=0.143" in lines[2]
    w, h = (round(v * 60) for v in e.figsize)
    img = pixels(path)
    assert img.shape[1] == w and img.shape[0] > h
    buf = io.BytesIO()
    e.figure.savefig(buf, format="png", dpi=60)
    assert (np.asarray(Image.open(buf).convert("RGB")).astype(int) == img[:h]).all()


def test_a_png_file_can_be_captioned(tmp_path):
    src = tmp_path / "shot.png"
    Image.new("RGB", (123, 45), (0, 200, 0)).save(src)
    path = save_screenshot(src, 4, "tests", student="x", folder=tmp_path / "hw", dpi=72,
                           when=WHEN, device="cpu", quiet=True)
    img = pixels(path)
    assert img.shape[1] == 123 and img.shape[0] > 45
    assert (img[:45] == [0, 200, 0]).all()


def test_never_overwrites_and_leaves_no_temporary_files(tmp_path):
    first = save_screenshot(red_figure(), 4, "same", student="x", folder=tmp_path, dpi=30,
                            when=WHEN, device="cpu", quiet=True)
    assert first.name == "lesson04_same_20240506-070809.png"
    before = first.read_bytes()
    second = save_screenshot(red_figure(2, 2), 4, "same", student="x", folder=tmp_path, dpi=30,
                             when=WHEN, device="cpu", quiet=True)
    assert second.name == "lesson04_same_20240506-070809-2.png"
    assert first.read_bytes() == before
    # a file someone put there by hand is not replaced either
    (tmp_path / "lesson04_same_20240506-070809-3.png").write_bytes(b"mine")
    third = save_screenshot(red_figure(), 4, "same", student="x", folder=tmp_path, dpi=30,
                            when=WHEN, device="cpu", quiet=True)
    assert third.name.endswith("-4.png")
    assert (tmp_path / "lesson04_same_20240506-070809-3.png").read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    def boom(src, dst):
        raise RuntimeError("disk full")

    monkeypatch.setattr(files.os, "link", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        save_screenshot(red_figure(), 5, "fail", student="x", folder=tmp_path, dpi=30,
                        when=WHEN, device="cpu", quiet=True)
    assert list(tmp_path.iterdir()) == []


def test_without_hard_links_the_file_is_still_written_whole(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(files.os, "link", no_links)
    path = save_screenshot(red_figure(), 5, "nolink", student="x", folder=tmp_path, dpi=30,
                           when=WHEN, device="cpu", quiet=True)
    assert Image.open(path).size == (120, pixels(path).shape[0])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


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


def test_student_name_sources(monkeypatch):
    monkeypatch.setattr(files, "_student", None)
    monkeypatch.delenv(files.STUDENT_ENV, raising=False)
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
    monkeypatch.setenv("SSD_COURSE_QUICK", "1")
    quick = hw.homework_dir()
    assert REPO not in quick.parents                       # tests never write into the repository
    monkeypatch.setenv("SSD_COURSE_QUICK", "0")
    assert paths.repo_root() == REPO                       # the default: <repository>/homework
    monkeypatch.setattr(files, "repo_root", lambda: tmp_path)
    assert hw.homework_dir() == tmp_path / "homework" and (tmp_path / "homework").is_dir()


# ------------------------------------------------------------------ lesson 2's summary


def test_summary_export_writes_a_new_utf8_file_each_time(tmp_path):
    from ssd_core.homework.summary import export_summary, summary_box

    text = "SSD 是单阶段检测器。" * 12
    box = summary_box(text, student="李雷", folder=tmp_path)
    a = box.export(when=WHEN, quiet=True)
    b = export_summary(box, "李雷", folder=tmp_path, when=WHEN, quiet=True)
    assert a.name == "lesson02_summary_20240506-070809.txt" and b.name.endswith("-2.txt")
    content = a.read_text(encoding="utf-8")
    assert content.endswith(text + "\n")
    header = content.split("-" * 60)[0]
    # "SSD 是单阶段检测器。": S, S, D and 是单阶段检测器。 (8) = 11 without the space; 12 times: 132
    assert "characters: 132 (enough" in header and "student: 李雷" in header
    assert "lesson 2: the SSD architecture" in header and "2024-05-06 07:08" in header


def test_summary_export_refuses_an_empty_text_and_the_button_says_so(tmp_path):
    from ssd_core.homework.summary import export_summary, summary_box

    with pytest.raises(ValueError, match="empty"):
        export_summary(" \n\t", folder=tmp_path)
    box = summary_box("", folder=tmp_path)
    box.save_button.click()
    assert "empty" in box.save_status.value and list(tmp_path.iterdir()) == []
    box.text.value = "short"
    box.save_button.click()
    assert "saved" in box.save_status.value and len(list(tmp_path.iterdir())) == 1
    content = next(tmp_path.iterdir()).read_text(encoding="utf-8")
    assert "characters: 5 (95 short of the 100 asked" in content


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
        assert titles[f"title:{s.key}"] == s.title
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


def test_save_flowchart(tmp_path):
    path = hw.save_flowchart(student="x", folder=tmp_path, dpi=40, when=WHEN, device="cpu",
                             quiet=True)
    assert path.name == "lesson04_flowchart_20240506-070809.png"
    fig = plot_training_flowchart()
    w, h = (round(v * 40) for v in fig.get_size_inches())
    img = pixels(path)
    assert img.shape[1] == w and img.shape[0] > h


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
