"""The student's side of the homework (issue 25): nothing is written unless the student clicks;
a save replaces the previous version and keeps it in old/; the name is asked once and kept in
student.json; the pack takes the newest file of each kind and one of lesson 5's two options;
字数 counts a token such as conv4_3 or 3:1 as one word; the partial lesson shows its part only.
"""

import datetime as dt
import hashlib
import json
import os
import zipfile

import pytest
from matplotlib.figure import Figure
from PIL import Image

from ssd_core.homework import buttons, files
from ssd_core.homework.pack import homework_files, newest_by_kind, pack
from ssd_core.homework.screenshot import save_screenshot
from ssd_core.homework.summary import count_characters, export_summary, summary_box

WHEN = dt.datetime(2024, 5, 6, 7, 8, 9)

#: The sentence that fixes a missing name (files.require_student), in English.
FIX_NAME = "type your name in the name box"


@pytest.fixture(autouse=True)
def no_student(monkeypatch):
    """No name in this process or the environment at the start of each test; a name a test
    keeps is forgotten after it (a new kernel, as far as the module is concerned)."""
    monkeypatch.setattr(files, "_student", None)
    monkeypatch.delenv(files.STUDENT_ENV, raising=False)


def new_kernel(monkeypatch):
    """What a new kernel knows of the name: nothing but what is on the disk."""
    monkeypatch.setattr(files, "_student", None)


def figure(color=(1.0, 0.0, 0.0)) -> Figure:
    return Figure(figsize=(1.0, 1.0), facecolor=color)


def written(folder) -> list[str]:
    """Every file under the folder, as relative paths (folders left out)."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def touch(path, text: str, when: dt.datetime):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


def manifest_of(path) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(path) as z:
        return (json.loads(z.read("manifest.json")),
                {n: z.read(n) for n in z.namelist() if n != "manifest.json"})


# ------------------------------------------------------------------ the name


def test_the_name_is_kept_in_student_json_for_the_next_kernel(tmp_path, monkeypatch):
    box = buttons.name_box(folder=tmp_path)
    assert box.ask.layout.display != "none" and box.known.layout.display == "none"
    box.text.value = "  李雷  "
    box.save_button.click()
    data = json.loads((tmp_path / "student.json").read_text(encoding="utf-8"))
    assert data["student"] == "李雷" and data["course"] == "ssd-course"
    new_kernel(monkeypatch)                       # lesson 3, another day: a new process
    assert files.student_name(folder=tmp_path) == "李雷"
    later = buttons.name_box(folder=tmp_path)     # it does not ask again: it shows the name
    assert later.ask.layout.display == "none" and later.known.layout.display != "none"
    assert "李雷" in later.shown.value and "student.json" in later.shown.value
    # changing it: the box asks, with the name filled in, and keeps the new one
    later.change_button.click()
    assert later.ask.layout.display != "none" and later.text.value == "李雷"
    later.text.value = "Li Lei"
    later.save_button.click()
    new_kernel(monkeypatch)
    assert files.student_name(folder=tmp_path) == "Li Lei"


def test_a_bad_name_is_refused_in_the_box_and_nothing_is_kept(tmp_path):
    box = buttons.name_box(folder=tmp_path)
    box.text.value = "   "
    box.save_button.click()
    assert "empty" in box.message.value and "#b00" in box.message.value
    assert not (tmp_path / "student.json").exists()
    box.text.value = "Li\tLei"
    box.save_button.click()
    assert "control characters" in box.message.value
    assert written(tmp_path) == []


def test_an_unreadable_student_json_makes_the_box_ask_again(tmp_path):
    (tmp_path / "student.json").write_text("{not json", encoding="utf-8")
    box = buttons.name_box(folder=tmp_path)
    assert box.ask.layout.display != "none"
    assert (tmp_path / "student.json").read_text(encoding="utf-8") == "{not json"   # left as is


def test_without_a_name_screenshot_summary_and_pack_are_refused(tmp_path):
    """The sentence that fixes it, and nothing written: no file says "name not set"."""
    with pytest.raises(ValueError, match=FIX_NAME):
        save_screenshot(figure(), 5, "training_run", folder=tmp_path, quiet=True)
    with pytest.raises(ValueError, match=FIX_NAME):
        export_summary("SSD 很快", folder=tmp_path, quiet=True)
    (tmp_path / "lesson03_summary.txt").write_text("SSD", encoding="utf-8")
    with pytest.raises(ValueError, match=FIX_NAME):
        pack(folder=tmp_path, quiet=True)
    assert written(tmp_path) == ["lesson03_summary.txt"]
    # the buttons show the same sentence in red and write nothing either
    shot = buttons.screenshot_button(figure(), 5, "training_run", folder=tmp_path)
    shot.button.click()
    assert FIX_NAME in shot.message.value and "#b00" in shot.message.value
    box = buttons.pack_box(folder=tmp_path)
    box.button.click()
    assert FIX_NAME in box.message.value
    assert written(tmp_path) == ["lesson03_summary.txt"]


def test_the_saved_name_is_in_every_caption_and_pack(tmp_path, monkeypatch):
    files.set_student("王芳", tmp_path)
    new_kernel(monkeypatch)
    path = save_screenshot(figure(), 5, "training_run", folder=tmp_path, dpi=20, when=WHEN,
                           device="cpu", quiet=True)
    assert Image.open(path).text["Caption"].split("\n")[0].endswith("student: 王芳")
    assert manifest_of(pack(folder=tmp_path, quiet=True))[0]["student"] == "王芳"


# ------------------------------------------------------------------ buttons: only a click writes


def test_showing_the_widgets_writes_nothing(tmp_path, monkeypatch):
    """What Run All does with the lesson's homework cells: build and show every widget."""
    shown = []
    monkeypatch.setattr(buttons, "display", shown.append)
    files.set_student("x", tmp_path)
    before = written(tmp_path)
    widgets = [buttons.name_box(folder=tmp_path),
               buttons.screenshot_button(figure(), 5, "training_run", folder=tmp_path),
               buttons.pack_box(folder=tmp_path), summary_box(folder=tmp_path),
               summary_box(["essence"], folder=tmp_path, lesson=2)]
    for w in widgets[:3]:
        w._ipython_display_()
    assert len(shown) == 3 and written(tmp_path) == before == ["student.json"]
    # the screenshot's preview is the figure (before any click), at the preview resolution
    preview = Image.open(__import__("io").BytesIO(widgets[1].preview.value))
    assert preview.size == (80, 80) and preview.convert("RGB").getpixel((40, 40)) == (255, 0, 0)


def test_the_screenshot_button_saves_on_click_and_keeps_the_old_version(tmp_path):
    files.set_student("x", tmp_path)
    source = figure()
    button = buttons.screenshot_button(source, 5, "training_run", folder=tmp_path, dpi=20,
                                       device="cpu")
    assert button.button.description.endswith("lesson05_training_run.png")
    assert button.save() == tmp_path / "lesson05_training_run.png"
    first = (tmp_path / "lesson05_training_run.png").read_bytes()
    assert button.preview.value == first                     # the preview is the saved file
    assert "saved" in button.message.value and str(tmp_path / "old") in button.message.value
    source.set_facecolor((0.0, 0.0, 1.0))                     # the figure changed: save again
    os.utime(tmp_path / "lesson05_training_run.png", (WHEN.timestamp(), WHEN.timestamp()))
    button.button.click()
    assert written(tmp_path) == ["lesson05_training_run.png",
                                 "old/lesson05_training_run_20240506-070809.png", "student.json"]
    assert (tmp_path / "old" / "lesson05_training_run_20240506-070809.png").read_bytes() == first
    blue = Image.open(tmp_path / "lesson05_training_run.png").convert("RGB").getpixel((10, 10))
    assert blue == (0, 0, 255)
    # a new button for the same kind says that a version is saved already
    again = buttons.screenshot_button(figure(), 5, "training_run", folder=tmp_path)
    assert "saved before" in again.message.value


def test_on_a_static_page_the_widgets_show_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("SSD_COURSE_STATIC", "1")
    calls = []
    monkeypatch.setattr(buttons, "show_static", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr(buttons, "display", lambda w: pytest.fail("a widget on a static page"))
    buttons.name_box(folder=tmp_path)._ipython_display_()
    buttons.screenshot_button(figure(), 5, "test_run", folder=tmp_path)._ipython_display_()
    buttons.pack_box(folder=tmp_path)._ipython_display_()
    assert "student.json" in calls[0][0][0]
    html, png = calls[1][0]
    assert "lesson05_test_run.png" in html and png.startswith(b"\x89PNG")   # the figure too
    assert "lesson05_pack.zip" in calls[2][0][0]
    assert written(tmp_path) == []


# ------------------------------------------------------------------ the pack


def test_pack_takes_the_newest_of_each_kind_including_old_dated_names(tmp_path):
    """Dated names of earlier versions of the course count as their kind; the newest by time
    counts; old/ and drafts/ never go in."""
    t = WHEN
    touch(tmp_path / "lesson03_summary_20240101-090000.txt", "old summary", t)
    newest = touch(tmp_path / "lesson03_summary_20240102-090000-2.txt", "new summary",
                   t + dt.timedelta(days=1))
    touch(tmp_path / "lesson03_summary_20240103-090000.txt", "edited before", t - dt.timedelta(1))
    touch(tmp_path / "lesson05_training_run.png", "run 2", t + dt.timedelta(hours=2))
    touch(tmp_path / "lesson05_training_run_20240101-080000.png", "run 1", t)
    touch(tmp_path / "old" / "lesson03_summary_20990101-000000.txt", "in old/", t + dt.timedelta(9))
    touch(tmp_path / "drafts" / "summary.json", "{}", t + dt.timedelta(9))
    touch(tmp_path / "lesson05_pack.zip", "an earlier pack", t + dt.timedelta(9))
    picked = newest_by_kind(homework_files(tmp_path))
    assert [(f.path.name, f.name) for f in picked] == [
        (newest.name, "lesson03_summary.txt"),
        ("lesson05_training_run.png", "lesson05_training_run.png")]
    manifest, members = manifest_of(pack("x", folder=tmp_path, when=WHEN, quiet=True))
    assert members == {"lesson03_summary.txt": b"new summary",
                       "lesson05_training_run.png": b"run 2"}
    assert manifest["summary"] == "lesson03_summary.txt"
    assert manifest["files"] == [
        {"file": "lesson03_summary.txt", "lesson": 3, "kind": "summary", "bytes": 11,
         "sha256": hashlib.sha256(b"new summary").hexdigest()},
        {"file": "lesson05_training_run.png", "lesson": 5, "kind": "training_run", "bytes": 5,
         "sha256": hashlib.sha256(b"run 2").hexdigest()}]


@pytest.fixture
def both_options(tmp_path):
    """A homework folder with the summary, lesson 4's screenshot, lesson 5's two screenshots
    and the flowchart."""
    for name in ("lesson03_summary.txt", "lesson04_tests.png", "lesson05_training_run.png",
                 "lesson05_test_run.png", "lesson05_flowchart.png"):
        touch(tmp_path / name, name, WHEN)
    return tmp_path


def packed(folder, **kwargs) -> tuple[str | None, list[str]]:
    manifest, members = manifest_of(pack("x", folder=folder, quiet=True, **kwargs))
    assert sorted(members) == sorted(e["file"] for e in manifest["files"])
    return manifest["option"], sorted(members)


def test_pack_asks_which_option_when_both_are_saved(both_options):
    with pytest.raises(ValueError, match=r"both options.*pack\(option='screenshot'\) or "
                                         r"pack\(option='flowchart'\)"):
        pack("x", folder=both_options, quiet=True)
    assert not (both_options / "lesson05_pack.zip").exists()
    assert packed(both_options, option="screenshot") == ("screenshot", [
        "lesson03_summary.txt", "lesson04_tests.png", "lesson05_test_run.png",
        "lesson05_training_run.png"])
    assert packed(both_options, option="flowchart") == ("flowchart", [
        "lesson03_summary.txt", "lesson04_tests.png", "lesson05_flowchart.png"])
    with pytest.raises(ValueError, match="'screenshot' or 'flowchart', got 'both'"):
        pack("x", folder=both_options, option="both")


def test_pack_takes_the_one_option_saved(both_options):
    (both_options / "lesson05_flowchart.png").unlink()
    assert packed(both_options) == ("screenshot", [
        "lesson03_summary.txt", "lesson04_tests.png", "lesson05_test_run.png",
        "lesson05_training_run.png"])
    with pytest.raises(ValueError, match="none is saved yet"):
        pack("x", folder=both_options, option="flowchart")
    for name in ("lesson05_training_run.png", "lesson05_test_run.png"):
        (both_options / name).unlink()
    touch(both_options / "lesson05_flowchart.png", "chart", WHEN)
    assert packed(both_options) == ("flowchart", [
        "lesson03_summary.txt", "lesson04_tests.png", "lesson05_flowchart.png"])
    (both_options / "lesson05_flowchart.png").unlink()
    assert packed(both_options) == (None, ["lesson03_summary.txt", "lesson04_tests.png"])


def test_the_pack_box_lists_asks_and_packs_the_option_chosen(both_options, monkeypatch):
    files.set_student("x", both_options)
    box = buttons.pack_box(folder=both_options)
    assert box.choice.value is None and "both options" in box.contents.value
    box.button.click()
    assert "both options" in box.message.value and not (both_options / "lesson05_pack.zip").exists()
    box.choice.value = "flowchart"
    assert "lesson05_flowchart.png" in box.contents.value
    assert "lesson05_training_run.png" not in box.contents.value
    box.button.click()
    assert manifest_of(both_options / "lesson05_pack.zip")[0]["option"] == "flowchart"
    assert "lesson05_pack.zip" in box.message.value and "lesson05_flowchart.png" in box.message.value


# ------------------------------------------------------------------ the summary


@pytest.mark.parametrize("text, n", [
    ("3:1", 1), ("conv4_3", 1), ("8,732", 1), ("74.3", 1),           # one token, one word
    ("3:1 的比例", 4),                                                # 3:1 + 的 比 例
    ("conv4_3 和 fc7", 3),                                            # conv4_3 + 和 + fc7
    ("正负样本比例为3:1", 8),                                          # 7 汉字 + 3:1
    ("__init__", 1), ("a__b", 1),                                     # a run of _ inside
    ("SSD: fast", 2), ("x_ y", 2),                                    # not inside: two words
    ("3：1", 2),                                                      # full-width colon splits
    ("http://x.org", 3),                                              # http, x, org
    ("multi-scale SSD's", 2), ("state-of-the-art", 1),                # hyphens, apostrophes
    ("mAP 74.3 on 8,732 boxes", 5),
])
def test_count_characters_counts_a_token_as_word_and_wps_do(text, n):
    assert count_characters(text) == n


def test_the_partial_lesson_shows_its_part_not_the_total(tmp_path):
    """Lesson 2 asks for the essence only: its count line, and no total of the whole summary
    ("in all ... short") that it does not ask for."""
    box = summary_box(["essence"], folder=tmp_path, lesson=2)
    box.boxes["essence"].value = "默认框" * 11                      # 33 of 40

    def shown(widget):
        return [widget] + [w for c in getattr(widget, "children", ()) for w in shown(c)]

    texts = " ".join(str(getattr(w, "value", "")) for w in shown(box.widget))
    assert "in all" not in texts and "of 100" not in texts and "/ 100" not in texts
    assert "33 / 40 words (7 short)" in box.counts["essence"].value
    assert box.total_html not in shown(box.widget)
    whole = summary_box(folder=tmp_path)
    assert whole.total_html in shown(whole.widget) and "in all: 33 / 100" in whole.total_html.value


# ------------------------------------------------------------------ in Chinese


def test_the_widgets_in_chinese(language, tmp_path):
    """The name box says what the issue asks for: 你的名字：X（已保存在 …/student.json）."""
    language("zh")
    box = buttons.name_box(folder=tmp_path)
    assert box.save_button.description == "保存名字"
    box.text.value = "李雷"
    box.save_button.click()
    assert f"你的名字：李雷（已保存在 {tmp_path / 'student.json'}）" in box.shown.value
    assert box.change_button.description == "修改"
    shot = buttons.screenshot_button(figure(), 5, "training_run", folder=tmp_path, dpi=20)
    assert shot.button.description == "保存为作业：lesson05_training_run.png"
    shot.button.click()
    assert "已保存" in shot.message.value and "homework/old" not in shot.message.value
    assert str(tmp_path / "old") in shot.message.value
    pack_ = buttons.pack_box(folder=tmp_path)
    assert pack_.button.description == "打包作业"
    assert [label for label, _key in pack_.choice.options] == ["运行截图（训练过程或测试过程）",
                                                               "SSD 训练流程图"]
