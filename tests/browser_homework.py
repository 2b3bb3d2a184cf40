"""The student's homework in the browser test (``tests/browser_lessons.py``): Run All writes
none of it, and what a student types and clicks ends in the one zip they hand in.

Done in the JupyterLab that the lessons' checks run in, in the kernel each lesson's Run All
leaves: no lesson runs twice, so ``make test`` takes hardly longer for it.

* **Run All writes nothing** (every edition, every lesson): the edition's homework folder
  (its JupyterLab's ``$SSD_COURSE_HOMEWORK``, a folder of its own that starts empty) holds
  after Run All exactly what it held before: no ``lessonNN_*`` file, no zip, no ``old/``;
  ``student.json`` and ``drafts/`` only as the student's clicks left them
  (:meth:`Homework.check_untouched`).
* **The student's clicks** (:class:`Student`; the Chinese edition does them all, the others
  save the name only), each checked against the files it must write:

  1. lesson 1: types the name into the name box and saves it: ``student.json``;
  2. lesson 2: the name box shows the name; the student writes the summary's essence (a draft
     only: no homework file; the box counts the essence's 字数 and shows no total);
  3. lesson 3: the summary box holds the essence written in lesson 2; the student writes the
     weaknesses and the improvements, sees each part's 字数 and the total change as they type,
     saves (``lesson03_summary.txt``), restarts the kernel (``notebook:restart-kernel``, the
     dialog accepted), runs the lesson's first cell and the summary's cell again (not Run
     All), finds the three parts in the boxes, changes the improvements and saves again:
     ``old/`` keeps the first version, ``lesson03_summary.txt`` holds the second;
  4. lesson 5: saves the training run's screenshot (option A), builds a flowchart (option B:
     stages from the palette and one in their own words, arrows in order, a loop back with
     its label), saves it and reveals the reference (the comparison takes their own stage for
     the reference's loss, and the loop for the next batch's); the pack box refuses to pack
     before an option is chosen; with the flowchart chosen it packs: the one zip in the
     folder, whose manifest names the student of ``student.json`` (lesson 5's kernel never set
     a name), option "flowchart", the final summary (the file's text) and the flowchart, and
     no screenshot.

Each step's widget is saved as ``artifacts/<edition>-homework-<step>.png`` as a 1280 px window
with the file browser open shows it (what a student on a laptop sees: look at them); its
controls must show whole (the explorers' check, ``browser_lessons._layout_problems``), and in
the Chinese edition its text must hold no English phrase (two English words in a row outside
a path, a file name or a gloss in full-width brackets).

This module and ``browser_lessons`` import each other; each uses the other's names only inside
functions, so either may be imported first.
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from ssd_core.homework.files import HOMEWORK_ENV
from ssd_core.homework.flowchart import training_stages
from ssd_core.i18n import _, pgettext, using_language
from tests import browser_lessons as bl
from tests import browser_support as bs

#: Han characters: each counts one word (字) in the summary's count.
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")

#: Seconds the kernel may take to answer a click (a screenshot or the flowchart renders).
CLICK_TIMEOUT = 60.0


# ---------------------------------------------------------------------------- the student


@dataclass(frozen=True)
class Part:
    """A part of the summary as the student writes it, and its word count counted by hand."""

    text: str
    #: its English words and tokens, counted by hand ("conv4_3", "3:1": one each)
    latin_words: int

    @property
    def words(self) -> int:
        """The 字数 a Chinese word processor shows: one per Han character, one per English
        word; punctuation counts nothing."""
        return len(CJK.findall(self.text)) + self.latin_words


@dataclass(frozen=True)
class Student:
    """What one student types: a name, and (``full``) the summary and the flowchart."""

    name: str
    full: bool = False
    essence: Part | None = None
    weaknesses: Part | None = None
    improvements: Part | None = None
    #: the improvements as rewritten after the kernel restart: what is handed in
    revised: Part | None = None
    #: the flowchart's stages: keys of the palette (``training_stages``), or a stage written
    #: in the student's own words (one that names the reference's "loss"); a loop goes from
    #: the last back to the first
    stages: tuple[str, ...] = ()
    loop_label: str = ""


ZH = Student(
    name="李雷", full=True,
    essence=Part("SSD 的精髓是单次检测：在 conv4_3 等六个不同尺度的特征图上铺设默认框，每个位置"
                 "直接预测各类别的置信度和边框偏移，不再需要候选区域网络，一次前向传播就得到全部"
                 "检测结果，所以速度快。", 2),
    weaknesses=Part("SSD 对小目标的检测效果较差：浅层特征图的语义信息不足，深层特征图的分辨率"
                    "又太低。论文的实验表明，去掉数据增强中的缩小操作后，小目标的平均精度明显"
                    "下降。", 1),
    improvements=Part("可以借鉴特征金字塔网络，把深层的语义信息自上而下传回浅层特征图，让浅层"
                      "既有高分辨率又有语义，预计能提高小目标的召回率。", 0),
    revised=Part("可以借鉴特征金字塔网络，把深层的语义信息自上而下融合到 conv4_3 等浅层特征图；"
                 "挖掘难负样本时仍按 3:1 的比例，但为小目标多铺一些默认框，预计能提高小目标的"
                 "召回率。", 2),
    stages=("read", "match", "encode", "forward", "计算损失：平滑L1加交叉熵", "backward", "step"),
    loop_label="下一个批次",
)

#: The student of each edition; an edition not named here saves the English name only.
STUDENTS = {"zh": ZH, "en": Student(name="Li Lei")}


def say(edition: str, msgid: str, **fields) -> str:
    """What the lessons show for ``msgid`` in ``edition`` (its catalog), formatted."""
    with using_language(edition):
        text = _(msgid)
    return text.format(**fields) if fields else text


# ---------------------------------------------------------------------------- the folder


def folder_state(folder: Path) -> dict[str, tuple[int, int] | None]:
    """Everything in ``folder``, by path inside it: a file's (size, modification time in ns);
    a folder's None (``drafts/``)."""
    if not folder.is_dir():
        return {}
    state = {}
    for p in sorted(folder.rglob("*")):
        name = p.relative_to(folder).as_posix()
        if p.is_dir():
            state[name + "/"] = None
        else:
            st = p.stat()
            state[name] = (st.st_size, st.st_mtime_ns)
    return state


def changes(before: dict, after: dict) -> list[str]:
    """What differs between two :func:`folder_state`'s, one line each."""
    return ([f"new: {k}" for k in after if k not in before]
            + [f"rewritten: {k}" for k in after if k in before and after[k] != before[k]]
            + [f"removed: {k}" for k in before if k not in after])


class Homework:
    """The homework folder of one edition's JupyterLab, and what its student has done so far
    (a later lesson's steps need an earlier one's)."""

    def __init__(self, folder: Path, edition: str):
        self.folder, self.edition = folder, edition
        self.student = STUDENTS.get(edition, STUDENTS["en"])
        self.tried: set[str] = set()            # the steps begun: "name", "summary", ...
        self.done: set[str] = set()             # the steps that passed

    @property
    def env(self) -> dict[str, str]:
        """The environment that sends the lessons' homework into this folder."""
        return {HOMEWORK_ENV: str(self.folder)}

    def state(self) -> dict:
        return folder_state(self.folder)

    def check_untouched(self, before: dict, lesson: Path) -> None:
        """Fail when the folder changed since ``before`` (:meth:`state`, taken before Run All)."""
        found = changes(before, self.state())
        if found:
            pytest.fail(f"{bl.tag(lesson)}: Run All wrote into the homework folder "
                        f"{self.folder} (homework is written only when the student clicks):\n  "
                        + "\n  ".join(found), pytrace=False)

    def ready(self, lesson: Path, needs: tuple[str, ...]) -> bool:
        """Whether the earlier steps ``needs`` that ``lesson``'s steps build on were done. It
        fails when one of them was tried and failed; when one never ran (its lesson was not
        chosen, ``-k``), it warns and returns False: the lesson's own checks still count."""
        failed = [step for step in needs if step in self.tried and step not in self.done]
        if failed:
            pytest.fail(f"{bl.tag(lesson)}: the student's steps build on the steps {failed} of "
                        "an earlier lesson, which failed (see that lesson's test)", pytrace=False)
        missing = [step for step in needs if step not in self.done]
        if missing:
            warnings.warn(f"{bl.tag(lesson)}: the student's homework steps were left out: they "
                          f"build on the steps {missing} of lessons that did not run")
        return not missing

    def top_files(self) -> set[str]:
        return {p.name for p in self.folder.iterdir() if p.is_file()}

    def wait_file(self, name: str, what: str, check=lambda p: True) -> Path:
        """Wait for ``name`` in the folder (and ``check(path)``); returns its path."""
        path = self.folder / name
        return bl._wait(f"{what}: {path}", lambda: path if path.is_file() and check(path)
                        else None, CLICK_TIMEOUT, describe=lambda: f"the folder holds "
                        f"{sorted(self.state())}")


# ---------------------------------------------------------------------------- the page


#: Mark the code cell whose source holds ``needle`` (``data-bt-cell=<mark>``) and its widget's
#: outermost box (``data-bt-explorer=<mark>``, what ``bs.LAYOUT`` measures); returns the
#: indices of the cells that hold it, null without the notebook.
MARK_CELL = r"""
([needle, mark]) => {
  const app = window.jupyterapp;
  const panel = app && [...app.shell.widgets('main')].find(w => w.content && w.content.model);
  if (!panel) return null;
  const found = [];
  panel.content.widgets.forEach((cell, i) => {
    if (cell.model.type === 'code' && cell.model.sharedModel.getSource().includes(needle)) {
      found.push(i);
    }
  });
  if (found.length === 1) {
    const node = panel.content.widgets[found[0]].node;
    node.setAttribute('data-bt-cell', mark);
    const box = node.querySelector('.jp-OutputArea-output .widget-box');
    if (box) box.setAttribute('data-bt-explorer', mark);
  }
  return found;
}
"""

#: Run the cell ``index`` of the open notebook (as Ctrl+Enter does; not waiting for it).
RUN_CELL = r"""
(index) => {
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(w => w.content && w.content.model);
  panel.content.activeCellIndex = index;
  panel.content.deselectAll();
  app.commands.execute('notebook:run-cell');
  return true;
}
"""

#: The execution count of cell ``index`` (null before it ran) and its prompt ("[*]:" while it
#: runs).
CELL_RUN = r"""
(index) => {
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(w => w.content && w.content.model);
  const cell = panel.content.widgets[index];
  const prompt = cell.node.querySelector('.jp-InputPrompt');
  return {count: cell.model.executionCount, prompt: prompt ? prompt.textContent.trim() : ''};
}
"""

#: Restart the notebook's kernel as Kernel > Restart Kernel does (a dialog asks first), and
#: note every status of its session in ``window.btKernelStatus``.
RESTART_KERNEL = r"""
() => {
  const app = window.jupyterapp;
  const panel = [...app.shell.widgets('main')].find(w => w.content && w.content.model);
  window.btKernelStatus = [];
  panel.sessionContext.statusChanged.connect((_, s) => window.btKernelStatus.push(s));
  app.commands.execute('notebook:restart-kernel');
  return true;
}
"""

#: Two English words in a row (a phrase a Chinese page should not show).
ENGLISH = re.compile(r"\b[A-Za-z]{2,}\s+[A-Za-z]{2,}\b")
#: What may hold English in a Chinese page: a path or file name (ASCII around a slash, or a
#: point before a letter or digit), a gloss in full-width brackets ("缩小（zoom out）").
NOT_PROSE = re.compile(r"[\w~-]*(?:[/\\]|\.\w)[\w./\\~-]*|（[^）]*）", re.ASCII)


class Desk:
    """The notebook a lesson left open, as a student works in it: cells found by their code,
    controls by what they say; screenshots of each step."""

    def __init__(self, page, lab: bs.Lab, lesson: Path, homework: Homework):
        self.page, self.lab, self.lesson, self.hw = page, lab, lesson, homework
        self.edition = lesson.parent.name
        self.problems: list[str] = []          # layout and language, reported at the end

    def say(self, msgid: str, **fields) -> str:
        return say(self.edition, msgid, **fields)

    def cell(self, needle: str, mark: str):
        """The code cell whose source holds ``needle`` (there must be one), its widget
        rendered."""
        found = self.page.evaluate(MARK_CELL, [needle, mark])
        assert found is not None and len(found) == 1, (
            f"{bl.rel(self.lesson)}: expected one code cell with {needle!r}, found cells {found}")
        cell = self.page.locator(f"[data-bt-cell='{mark}']")
        bl._wait(f"{bl.rel(self.lesson)}: the widget of the cell with {needle!r} to show",
                 lambda: cell.locator(".jp-OutputArea-output .widget-box").count(), 30)
        self.page.evaluate(MARK_CELL, [needle, mark])        # now that the widget is there
        return cell

    def button(self, cell, msgid: str, **fields):
        """The button that says ``msgid`` (by its text: an icon's glyph is in its accessible
        name)."""
        return cell.locator("button").filter(has_text=re.compile(
            rf"^\s*{re.escape(self.say(msgid, **fields))}\s*$"))

    def shows(self, cell, text: str, what: str, timeout: float = CLICK_TIMEOUT) -> str:
        """Wait until the cell's output shows ``text``; returns the output's text."""
        out = cell.locator(".jp-Cell-outputArea")

        def shown():
            now = out.inner_text()
            return now if text in now else None
        return bl._wait(f"{bl.rel(self.lesson)}: {what} ({text!r})", shown, timeout,
                        describe=lambda: f"it shows: {out.inner_text()[:1500]!r}")

    def run(self, needles: list[str]) -> list[int]:
        """Run the cells with ``needles`` one after the other (as a student runs them with
        Ctrl+Enter); returns their execution counts."""
        counts = []
        for needle in needles:
            found = self.page.evaluate(MARK_CELL, [needle, "run"])
            assert found and len(found) == 1, f"one cell with {needle!r}: {found}"
            self.page.evaluate(RUN_CELL, found[0])
            counts.append(bl._wait(
                f"{bl.rel(self.lesson)}: the cell with {needle!r} to run",
                lambda: self._ran(found[0]), bl.RUN_TIMEOUT))
        return counts

    def _ran(self, index: int) -> int | None:
        """The execution count of cell ``index`` once it has run and the kernel is idle."""
        run = self.page.evaluate(CELL_RUN, index)
        kernel = bl._kernel_of(self.lab, bl.rel(self.lesson))
        done = run["count"] and "*" not in run["prompt"] and kernel is not None and \
            kernel["execution_state"] == "idle"
        return run["count"] if done else None

    def restart_kernel(self) -> None:
        """Kernel > Restart Kernel, and accept the dialog; wait until the kernel is back."""
        self.page.evaluate(RESTART_KERNEL)
        self.page.locator(".jp-Dialog .jp-mod-accept").click(timeout=30_000)

        def statuses() -> list[str]:
            return self.page.evaluate("() => window.btKernelStatus")
        bl._wait(f"{bl.rel(self.lesson)}: the kernel to restart",
                 lambda: "restarting" in statuses() and statuses()[-1] == "idle", 120,
                 describe=lambda: f"its statuses: {statuses()}")

    def shot(self, cell, step: str) -> Path:
        """Save the cell's widget as ``<edition>-homework-<step>.png``, the window 1280 px wide
        with the file browser open and as tall as the widget; note what of it a student cannot
        see whole and (Chinese) any English phrase in it."""
        page = self.page
        box = cell.locator("[data-bt-explorer]").first
        height = box.bounding_box()["height"]
        page.set_viewport_size({"width": bl.NARROW["width"],
                                "height": max(bl.NARROW["height"], min(int(height) + 120, 4000))})
        box.scroll_into_view_if_needed()
        bl._settle(page, interval=0.05)
        path = bs.artifacts_dir() / f"{self.edition}-homework-{step}.png"
        box.screenshot(path=str(path))
        mark = box.get_attribute("data-bt-explorer")
        measured = page.evaluate(bs.LAYOUT, [mark, bs.CONTROLS])
        self.problems += [f"{step} ({path.name}): {p}" for p in bl._layout_problems(measured)]
        if self.edition == "zh":
            english = ENGLISH.findall(NOT_PROSE.sub(" ", box.inner_text()))
            if english:
                self.problems.append(f"{step} ({path.name}): English in the Chinese edition: "
                                     f"{english}")
        page.set_viewport_size(bl.NARROW)
        return path

    def check(self) -> None:
        """Fail with every layout and language problem the screenshots found."""
        if self.problems:
            pytest.fail(f"{bl.tag(self.lesson)}: the homework widgets, as a 1280 px window with "
                        "the file browser open shows them:\n  " + "\n  ".join(self.problems),
                        pytrace=False)


# ---------------------------------------------------------------------------- the steps


def name_step(desk: Desk) -> None:
    """Lesson 1: type the name, save it: ``student.json`` holds it."""
    hw, name = desk.hw, desk.hw.student.name
    cell = desk.cell("name_box()", "name")
    cell.locator(".widget-text input").fill(name)
    desk.button(cell, "Save my name").click()
    desk.shows(cell, desk.say("Saved: every lesson now finds your name."), "the name box's note")
    saved = hw.wait_file("student.json", "the name box to save the name")
    assert json.loads(saved.read_text(encoding="utf-8"))["student"] == name, saved.read_text()
    assert hw.top_files() == {"student.json"}, f"saving the name wrote {hw.top_files()}"
    desk.shot(cell, "name")


def name_shown(desk: Desk) -> None:
    """A later lesson's name box shows the saved name (and does not ask again)."""
    cell = desk.cell("name_box()", "name")
    desk.shows(cell, desk.hw.student.name, "the name box to show the saved name", 10)
    assert not cell.locator(".widget-text input").is_visible(), \
        f"{bl.rel(desk.lesson)}: the name box asks for the name again, though it is saved"


def _type(desk: Desk, cell, parts: list[tuple[int, Part]]) -> None:
    """Type each part into its box (``(index of the box, part)``) and wait for its 字数."""
    areas = cell.locator(".widget-textarea textarea")
    for i, part in parts:
        areas.nth(i).fill(part.text)
        count = cell.locator(".widget-textarea").nth(i).locator("xpath=following-sibling::div[1]")
        bl._wait(f"{bl.rel(desk.lesson)}: the 字数 of box {i} to show {part.words}",
                 lambda: count.inner_text().strip().startswith(f"{part.words} /"), 20,
                 describe=lambda: f"it shows {count.inner_text()!r}")


def essence_step(desk: Desk) -> None:
    """Lesson 2: write the essence; a draft only, and the box counts only the essence."""
    hw, student = desk.hw, desk.hw.student
    name_shown(desk)
    cell = desk.cell("summary_box(", "essence")
    assert cell.locator(".widget-textarea textarea").count() == 1, "lesson 2 asks for the essence"
    _type(desk, cell, [(0, student.essence)])
    desk.shows(cell, "summary.json", "the draft's note")
    in_all = desk.say("in all: {n} / {minimum} words ({verdict})").split("{")[0]
    text = cell.locator(".jp-Cell-outputArea").inner_text()
    assert in_all not in text, f"lesson 2 shows a total ({in_all!r}) for the essence alone: {text}"
    draft = hw.folder / "drafts" / "summary.json"
    assert json.loads(draft.read_text(encoding="utf-8"))["texts"]["essence"] == \
        student.essence.text
    assert hw.top_files() == {"student.json"}, f"writing the essence wrote {hw.top_files()}"
    desk.shot(cell, "essence")


def summary_step(desk: Desk) -> None:
    """Lesson 3: finish the summary, save it, restart the kernel, find it, revise, save."""
    hw, s = desk.hw, desk.hw.student
    name_shown(desk)
    cell = desk.cell("summary_box(", "summary")
    areas = cell.locator(".widget-textarea textarea")
    assert areas.count() == 3, f"lesson 3's summary has {areas.count()} boxes, not 3"
    assert areas.nth(0).input_value() == s.essence.text, "lesson 3 lost the essence of lesson 2"
    _type(desk, cell, [(1, s.weaknesses), (2, s.improvements)])
    total = s.essence.words + s.weaknesses.words + s.improvements.words
    desk.shows(cell, desk.say("in all: {n} / {minimum} words ({verdict})", n=total, minimum=100,
                              verdict=desk.say("enough")), "the total 字数")
    desk.shot(cell, "summary-typed")
    assert "lesson03_summary.txt" not in hw.top_files(), "typing wrote the summary's file"

    desk.button(cell, "Save homework").click()
    first = hw.wait_file("lesson03_summary.txt", "the save button to write the summary")
    first_text = first.read_text(encoding="utf-8")
    for part in (s.name, s.essence.text, s.weaknesses.text, s.improvements.text):
        assert part in first_text, f"{first}: {part!r} is not in it:\n{first_text}"
    assert hw.top_files() == {"student.json", "lesson03_summary.txt"}, hw.top_files()
    desk.shows(cell, "lesson03_summary.txt", "the save button's note")
    desk.shot(cell, "summary-saved")

    desk.restart_kernel()
    counts = desk.run(["set_language(", "summary_box("])
    assert counts == [1, 2], f"after the restart the cells ran as {counts}, not [1, 2]"
    cell = desk.cell("summary_box(", "summary")
    areas = cell.locator(".widget-textarea textarea")
    bl._wait("the restored boxes", lambda: areas.count() == 3, 30)
    shown = [areas.nth(i).input_value() for i in range(3)]
    assert shown == [s.essence.text, s.weaknesses.text, s.improvements.text], (
        f"after a kernel restart the summary box shows {shown}, not the draft")
    desk.shot(cell, "summary-restored")

    _type(desk, cell, [(2, s.revised)])
    desk.button(cell, "Save homework").click()
    final = hw.wait_file("lesson03_summary.txt", "the second save",
                         lambda p: s.revised.text in p.read_text(encoding="utf-8"))
    old = sorted((hw.folder / "old").glob("lesson03_summary_*.txt"))
    assert len(old) == 1 and old[0].read_text(encoding="utf-8") == first_text, (
        f"old/ should keep the first summary, holds {old}")
    assert s.improvements.text not in final.read_text(encoding="utf-8")
    desk.shows(cell, "lesson03_summary.txt", "the save button's note")
    desk.shot(cell, "summary-resaved")


def flowchart_step(desk: Desk, cell) -> None:
    """Lesson 5, option B: build a flowchart, save it, reveal the reference."""
    hw, s = desk.hw, desk.hw.student
    titles = {st.key: desk.say(st.title) for st in training_stages()}
    own = desk.say("(write your own)")

    def dropdown(label: str):
        return cell.locator(".widget-dropdown").filter(
            has=desk.page.locator(".widget-label", has_text=re.compile(
                rf"^\s*{re.escape(desk.say(label))}\s*$"))).locator("select")

    stages = cell.locator(".widget-select select option")
    for n, stage in enumerate(s.stages, 1):
        if stage in titles:
            dropdown("stage").select_option(value=titles[stage])
        else:
            dropdown("stage").select_option(value=own)
            cell.get_by_placeholder(desk.say("your own stage"), exact=True).fill(stage)
        desk.button(cell, "add").click()
        bl._wait(f"stage {n} ({stage}) to be added", lambda: stages.count() == n, CLICK_TIMEOUT,
                 describe=lambda: cell.locator(".jp-Cell-outputArea").inner_text()[-500:])
    image = cell.locator("img.widget-image").first
    before = image.get_attribute("src")
    desk.button(cell, "arrows in order").click()
    bl._wait("the arrows to be drawn", lambda: image.get_attribute("src") != before, CLICK_TIMEOUT)
    dropdown("from").select_option(index=len(s.stages) - 1)
    dropdown("to").select_option(index=0)
    desk.button(cell, "loop").click()
    label = cell.get_by_placeholder(desk.say("label, e.g. next batch"), exact=True)
    label.fill(s.loop_label)
    before = image.get_attribute("src")
    desk.button(cell, "connect").click()
    bl._wait("the loop to be drawn", lambda: image.get_attribute("src") != before
             and not label.input_value(), CLICK_TIMEOUT,
             describe=lambda: cell.locator(".jp-Cell-outputArea").inner_text()[-500:])
    assert "lesson05_flowchart.png" not in hw.top_files(), "building the chart saved it"
    desk.button(cell, "save my flowchart").click()
    saved = hw.wait_file("lesson05_flowchart.png", "the flowchart's save button")
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{saved} is not a PNG"
    desk.shows(cell, "lesson05_flowchart.png", "the flowchart's note")
    desk.button(cell, "reveal the reference").click()
    bl._wait("the reference to show", lambda: cell.locator(".widget-output img").count(),
             CLICK_TIMEOUT)
    desk.shot(cell, "flowchart")
    # The comparison reads the student's own stage as the reference's loss, and the loop back
    # from the last stage to reading the images as the next batch's.
    compared = cell.locator(".widget-output").inner_text()
    own = next(st for st in s.stages if st not in titles)
    with using_language(desk.edition):
        loss = pgettext("a stage's title in a sentence", "'{title}'").format(title=titles["loss"])
    named = desk.say("your stage '{title}' counts as {stages}", title=own, stages=loss)
    assert named in compared, f"the comparison does not say {named!r}:\n{compared}"
    no_loop = desk.say("no loop back for the next batch")
    assert no_loop not in compared, f"the comparison misses the loop back:\n{compared}"


def pack_step(desk: Desk) -> None:
    """Lesson 5: a screenshot, the flowchart, and the pack of the flowchart option."""
    hw, s = desk.hw, desk.hw.student
    name_shown(desk)
    shot_cell = desk.cell("screenshot_button(live", "screenshot")
    desk.button(shot_cell, "Save as homework: {file}", file="lesson05_training_run.png").click()
    hw.wait_file("lesson05_training_run.png", "the screenshot button")
    desk.shot(shot_cell, "screenshot")

    flowchart_step(desk, desk.cell("flowchart_builder()", "flowchart"))
    summary = (hw.folder / "lesson03_summary.txt").read_bytes()
    flowchart = (hw.folder / "lesson05_flowchart.png").read_bytes()

    cell = desk.cell("pack_box()", "pack")
    desk.button(cell, "Pack my homework").click()           # both options saved, none chosen
    desk.shows(cell, "pack(option='flowchart')", "the pack box to ask for an option")
    assert not list(hw.folder.rglob("*.zip")), "the pack box packed without an option chosen"
    option = desk.say("your flowchart of SSD's training")
    cell.get_by_role("radio", name=option, exact=True).click()
    desk.shows(cell, "lesson05_flowchart.png", "the pack box to list the flowchart")
    desk.button(cell, "Pack my homework").click()
    zipped = hw.wait_file("lesson05_pack.zip", "the pack button")
    desk.shows(cell, "lesson05_pack.zip", "the pack box's note")
    desk.shot(cell, "pack")

    zips = sorted(p.relative_to(hw.folder).as_posix() for p in hw.folder.rglob("*.zip"))
    assert zips == ["lesson05_pack.zip"], f"the homework folder holds the zips {zips}"
    with zipfile.ZipFile(zipped) as z:
        members = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    assert manifest["student"] == s.name, f"the pack is {manifest['student']!r}'s, not {s.name}"
    assert manifest["option"] == "flowchart", manifest
    assert set(members) == {"lesson03_summary.txt", "lesson05_flowchart.png"}, sorted(members)
    assert members["lesson03_summary.txt"] == summary
    assert s.revised.text in summary.decode("utf-8") and \
        s.improvements.text not in summary.decode("utf-8"), "the pack holds an old summary"
    assert members["lesson05_flowchart.png"] == flowchart
    listed = {f["file"]: f["sha256"] for f in manifest["files"]}
    assert listed == {n: hashlib.sha256(b).hexdigest() for n, b in members.items()}, listed


@dataclass(frozen=True)
class Step:
    """The student's step in one lesson: its name, what it does, the earlier steps it builds
    on, and whether every edition's student does it (else only a ``full`` one)."""

    name: str
    run: Callable[[Desk], None]
    needs: tuple[str, ...] = ()
    everyone: bool = False


#: The student's step in each lesson, by the lesson's number.
STEPS = {1: Step("name", name_step, everyone=True),
         2: Step("essence", essence_step, needs=("name",)),
         3: Step("summary", summary_step, needs=("name", "essence")),
         5: Step("pack", pack_step, needs=("name", "summary"))}


def student_steps(page, lab: bs.Lab, lesson: Path, homework: Homework) -> None:
    """The student's step of ``lesson`` (module docstring), in the kernel its Run All left, in
    a 1280x720 window with the file browser open. A student who only saves a name finds it
    shown in the later lessons."""
    step = STEPS.get(int(lesson.name[:2]))
    desk = Desk(page, lab, lesson, homework)
    if step is None:
        return
    if not (step.everyone or homework.student.full):
        if "name" in homework.done and page.evaluate(MARK_CELL, ["name_box()", "name"]):
            name_shown(desk)
        return
    if not homework.ready(lesson, step.needs):
        return
    homework.tried.add(step.name)
    page.set_viewport_size(bl.NARROW)
    bl._open_side_bar(page)
    try:
        step.run(desk)
    finally:
        page.set_viewport_size(bl.VIEWPORT)
    desk.check()
    homework.done.add(step.name)


def check_planted_homework(browser: bl.Browser, folder: Path) -> None:
    """:meth:`Homework.check_untouched` fails on a notebook whose Run All writes homework (as
    lessons 3 and 5 did before issue 25), naming each thing written. The notebook writes into
    ``folder`` (it sets ``$SSD_COURSE_HOMEWORK`` in its kernel), not the edition's homework
    folder, which its lessons' checks watch."""
    sources = [f"import os\nos.environ[{HOMEWORK_ENV!r}] = {str(folder)!r}",
               ("from ssd_core.homework import pack, set_student\n"
                "from ssd_core.homework.summary import export_summary"),
               "set_student('Planted')",
               "export_summary({'essence': 'SSD 很快'}, quiet=True)",
               "pack(quiet=True)"]
    homework = Homework(folder, browser.edition)
    before = homework.state()
    lesson = Path("planted/writes_homework.ipynb")
    problems = bl.run_planted(browser, lesson.as_posix(), sources)
    assert not problems, "\n".join(problems)
    with pytest.raises(pytest.fail.Exception) as failed:
        homework.check_untouched(before, lesson)
    wrote = str(failed.value).splitlines()[1:]
    assert [line.strip() for line in wrote] == [
        "new: lesson03_summary.txt", "new: lesson05_pack.zip", "new: student.json"], \
        str(failed.value)
