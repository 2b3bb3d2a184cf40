"""The lessons in a real browser: JupyterLab in Debian's chromium, driven by Playwright.

Headless execution (nbval) runs every cell but never renders a widget, so it cannot see what a
student sees when a widget breaks: "Error displaying widget" in place of an explorer, or a slider
that moves and redraws nothing. This test opens each lesson in JupyterLab, runs all cells with
``SSD_COURSE_QUICK=1`` (Run > Run All Cells, as a student would), and checks that

* every code cell ran, and no output shows "Error displaying widget", ipywidgets' broken-widget
  box ("Click to show javascript error."), "Error rendering output" or a Python traceback;
* every explorer (every widget that prints a ``state:`` line) renders its figure and its line,
  and no default setting is an error;
* pressing an arrow key on one of its sliders changes both its ``state:`` line and its figure;
* in a 1280x720 window with the file browser open beside the notebook, every explorer shows
  each control whole: inside the explorer's box, not hidden by any box that clips it (a widget
  box, the output area, the notebook), its label, readout and drop-down text not cut short;
  its figure and text boxes not cut either, and the figure not drawn smaller than its own size
  while the explorer has room for it.

It saves ``artifacts/<lesson>.png`` (the notebook after the checks, its first 15,000 px),
``artifacts/<lesson>-1280.png`` (the same at 1280 px with the file browser open) and
``artifacts/<lesson>-1280-<n>.png`` (explorer ``n`` as a 1280x720 window shows it),
``artifacts/<lesson>-explorers.json`` (each explorer, the key it pressed, the state lines before
and after, what the lesson wrote to stderr) and ``artifacts/browser-timings.json``. The browser is the system's chromium, never a download;
``make test`` installs it on Debian, and without it this test fails and says how to install it.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from tests import browser_support as bs

LESSON_FILES = sorted(bs.LESSONS.glob("*/0*.ipynb"))


def tag(lesson: Path) -> str:
    """``zh-01_detection_basics``: the edition and the lesson, for artifacts and test ids."""
    return f"{lesson.parent.name}-{lesson.stem}"


def rel(lesson: Path) -> str:
    """``zh/01_detection_basics.ipynb``: the lesson's path inside the server's folder."""
    return f"{lesson.parent.name}/{lesson.name}"


#: Seconds a lesson may take to run all its cells (lesson 5 trains a small model).
RUN_TIMEOUT = float(os.environ.get("SSD_COURSE_BROWSER_TIMEOUT", "300"))
#: Seconds an explorer may take to redraw after a key press (median is ~0.15 s here).
REDRAW_TIMEOUT = 30.0
VIEWPORT = {"width": 1400, "height": 1000}
#: The smallest window the explorers are made for: a 1280x720 laptop screen, with JupyterLab's
#: file browser open beside the notebook.
NARROW = {"width": 1280, "height": 720}
#: Pixels a control may be cut or stick out by (rounding, borders).
SLACK = 2


class Browser:
    """One chromium and one JupyterLab server for all lessons; timings for the report."""

    def __init__(self, tmp: Path):
        self.problem = ""
        self.timings: dict[str, dict[str, float]] = {}
        self.lab = self.playwright = self.browser = None
        t0 = time.perf_counter()
        try:
            executable = bs.find_chromium()
        except AssertionError as e:
            self.problem = str(e)
            return
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as e:   # pinned in requirements.txt; `make test` installs it
            self.problem = f"the playwright package is missing ({e}); run `make env`"
            return
        try:
            self.lab = bs.start_lab(tmp, LESSON_FILES)
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=executable,
                                                           headless=True)
        except BaseException:
            self.close()
            raise
        self.timings["start"] = {"server_s": self.lab.started_s,
                                  "total_s": time.perf_counter() - t0}

    def close(self) -> None:
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            try:
                if self.playwright is not None:
                    self.playwright.stop()
            finally:
                if self.lab is not None:
                    bs.stop_lab(self.lab)


class _TimingReport:
    """Prints the timings in pytest's summary, after the progress dots."""

    def __init__(self, timings: dict[str, dict[str, float]]):
        self.timings = timings

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.section("browser test: seconds")
        for name, t in self.timings.items():
            terminalreporter.write_line(f"{name:>22}: " + "  ".join(
                f"{k}={v}" if isinstance(v, int) else f"{k}={v:.1f}" for k, v in t.items()))


@pytest.fixture(scope="module")
def browser(tmp_path_factory, request):
    t0 = time.perf_counter()
    b = Browser(tmp_path_factory.mktemp("browser"))
    try:
        yield b
    finally:
        b.close()
        if not b.problem:
            b.timings["all"] = {"total_s": time.perf_counter() - t0}
            out = bs.artifacts_dir() / "browser-timings.json"
            out.write_text(json.dumps(b.timings, indent=2) + "\n")
            request.config.pluginmanager.register(_TimingReport(b.timings))


def _wait(what: str, condition, timeout: float, interval: float = 0.25, describe=None):
    """Poll ``condition()`` until it returns something truthy; fail with ``describe()``."""
    t0 = time.perf_counter()
    while True:
        value = condition()
        if value:
            return value
        if time.perf_counter() - t0 > timeout:
            detail = describe() if describe else ""
            pytest.fail(f"{what}: not after {timeout:.0f} s. {detail}", pytrace=False)
        time.sleep(interval)


def _run_all(page, lab: bs.Lab, name: str) -> list[str]:
    """Run > Run All Cells, then wait until the kernel is idle with every code cell run."""
    # A workspace of its own per lesson: Lab reopens no other lesson (and starts no other kernel).
    page.goto(lab.url(f"lab/workspaces/{name.replace('/', '-').removesuffix('.ipynb')}/tree/{name}")
              + "&reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", state="attached", timeout=120_000)
    # The notebook names the venv's python3 kernel; when Lab asks anyway, take its choice.
    _wait("the kernel to start", lambda: _kernel_ready(page, lab, name), 120,
          describe=lambda: "JupyterLab log:\n" + lab.log_tail())
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    panels = page.locator(".jp-NotebookPanel").count()
    assert panels == 1, f"{name}: {panels} notebooks open in the page, expected only this one"
    _wait("Run All Cells to start", lambda: page.evaluate(bs.PROMPTS)[:1] != ["[ ]:"], 30)
    idle_polls = []

    def finished():   # no cell queued or running, and the kernel idle, twice in a row
        prompts = page.evaluate(bs.PROMPTS)
        idle = "[*]:" not in prompts and all(
            k["execution_state"] == "idle" for k in lab.api("kernels"))
        idle_polls.append(idle)
        return prompts if idle_polls[-2:] == [True, True] else None

    prompts = _wait(f"{name}: all cells to finish", finished, RUN_TIMEOUT, interval=1.0,
                    describe=lambda: f"prompts {page.evaluate(bs.PROMPTS)}")
    return prompts


def _kernel_ready(page, lab: bs.Lab, name: str) -> bool:
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    if dialog.count():
        dialog.first.click()
        return False
    sessions = [s for s in lab.api("sessions") if s["path"].endswith(name)]
    return bool(sessions) and sessions[0]["kernel"]["execution_state"] == "idle" and \
        page.locator(".jp-NotebookPanel .jp-Notebook-ExecutionIndicator[data-status='idle']").count() > 0


def _read(page, index: int) -> dict:
    return _wait(f"explorer {index} to show its figure",
                 lambda: (lambda r: r if r and r["hash"] else None)(
                     page.evaluate(bs.READ_EXPLORER, index)), REDRAW_TIMEOUT)


def _nudge(page, explorer: dict) -> dict:
    """Press an arrow key on the first slider that can move; return what changed."""
    index = explorer["index"]
    root = page.locator(f"[data-bt-explorer='{index}']")
    root.scroll_into_view_if_needed()
    before = _read(page, index)
    for n, label in enumerate(explorer["sliders"]):
        slider = page.evaluate(bs.SLIDER, [index, n])
        if slider is None or slider["disabled"]:
            continue
        key = "ArrowRight" if slider["now"] < slider["max"] else "ArrowLeft"
        handle = root.locator(".widget-slider").nth(n).locator(".noUi-handle").first
        handle.focus()
        t0 = time.perf_counter()
        page.keyboard.press(key)
        moved = _wait(f"slider '{label}' of explorer {index} to move on {key}",
                      lambda: (lambda s: s if s and s["readout"] != slider["readout"] else None)(
                          page.evaluate(bs.SLIDER, [index, n])), 10)

        def redrawn():
            now = page.evaluate(bs.READ_EXPLORER, index)
            return now if now and now["hash"] and now["lines"] == 1 and \
                now["state"] != before["state"] and now["hash"] != before["hash"] else None

        def why():
            now = page.evaluate(bs.READ_EXPLORER, index) or {}
            return (f"The slider moved ({slider['readout']} -> {moved['readout']}), but "
                    f"state line changed: {now.get('state') != before['state']}, figure changed: "
                    f"{now.get('hash') != before['hash']}.\n  before: {before['state']}\n"
                    f"  now:    {now.get('state')}")

        after = _wait(f"explorer {index} ({explorer['title']!r}) to redraw after '{label}' "
                      f"moved", redrawn, REDRAW_TIMEOUT, interval=0.1, describe=why)
        return {"slider": label, "key": key, "from": slider["readout"], "to": moved["readout"],
                "before": before["state"], "after": after["state"],
                "redraw_s": time.perf_counter() - t0}
    pytest.fail(f"explorer {index} ({explorer['title']!r}) has no slider that can move: "
                f"{explorer['sliders']}", pytrace=False)


def _open_side_bar(page) -> dict:
    """Open the file browser in the left side bar (a fresh workspace shows it already)."""
    if not page.evaluate(bs.SIDE_BAR)["filebrowser"]:
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id='filebrowser']").first.click()
    return _wait("the file browser to open in the left side bar",
                 lambda: (lambda s: s if s["filebrowser"] and s["width"] > 100 else None)(
                     page.evaluate(bs.SIDE_BAR)), 10)


def _close_side_bar(page) -> None:
    if page.evaluate(bs.SIDE_BAR)["width"]:
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").first.click()
        _wait("the left side bar to close", lambda: not page.evaluate(bs.SIDE_BAR)["width"], 10)


def _settle(page) -> None:
    """Wait until the explorers stop moving after a resize (Lumino lays panels out later)."""
    seen = []

    def still():
        seen.append(page.evaluate(bs.EXPLORER_RECTS))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]
    _wait("the explorers to settle after a resize", still, 15, interval=0.2)


def _screenshot(page, path: Path, viewport: dict = VIEWPORT, side_bar: bool = False) -> list:
    """The whole notebook in one picture: the window as wide as ``viewport`` and as tall as
    the notebook (up to 15,000 px), with the file browser open or hidden. Returns the
    pictures drawn wider than their pixels (``bs.UPSCALED``), read at that size."""
    if side_bar:
        _open_side_bar(page)
    else:
        _close_side_bar(page)
    height = page.evaluate(
        "() => { const s = document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer');"
        " return s ? s.scrollHeight : 0; }")
    page.set_viewport_size({"width": viewport["width"],
                            "height": max(viewport["height"], min(int(height) + 200, 15000))})
    page.evaluate("() => { const s = document.querySelector('.jp-NotebookPanel "
                  ".jp-WindowedPanel-outer'); if (s) s.scrollTop = 0; }")
    page.wait_for_timeout(500)
    page.screenshot(path=str(path))
    upscaled = page.evaluate(bs.UPSCALED)
    page.set_viewport_size(VIEWPORT)
    return upscaled


def _layout_problems(m: dict) -> list[str]:
    """What a student cannot see of one explorer (``bs.LAYOUT``'s measurements), one line
    per control or part; empty when everything shows whole. A part (label, readout, ...) of a
    control already reported as cut or sticking out is reported only when its text is cut
    short."""
    problems, placed_badly = [], set()
    for it in m["items"]:
        subject = f"the {it['part']} of {it['what']}" if it["part"] else it["what"]
        issues = []
        if it["part"] is None or it["what"] not in placed_badly:
            cut = it["left"] + it["right"]
            if cut > SLACK:
                sides = " and ".join(f"{n} px on the {side}" for side, n in
                                     (("left", it["left"]), ("right", it["right"])) if n)
                issues.append(f"is cut by {cut} px: {it['visible']} of its {it['width']} px "
                              f"show, {sides} hidden by {it['by']}")
            if it["outside"] > SLACK:
                issues.append(f"sticks out of the explorer's box by {it['outside']} px")
            if issues and it["part"] is None:
                placed_badly.add(it["what"])
        if it["clipped"] > SLACK:
            issues.append(f"is {it['clipped']} px too narrow for its text {it['text']!r}")
        if issues:
            problems.append(f"{subject} " + "; ".join(issues))
    f = m["figure"]
    if f and f["width"] < min(f["natural"], f["room"]) - SLACK:
        problems.append(f"the figure is drawn {f['width']} px wide, not its {f['natural']} px, "
                        f"though its row is {f['room']} px wide")
    return problems


def _check_layout(page, lesson: Path, explorers: list[dict]) -> tuple[str, dict]:
    """At ``NARROW`` with the file browser open: measure every explorer, screenshot each one
    (``<lesson>-1280-<n>.png``). Returns the failure message ("" when all show whole) and the
    measurements for the artifacts."""
    page.set_viewport_size(NARROW)
    side = _open_side_bar(page)
    _settle(page)
    lines, layout = [], {}
    for e in explorers:
        m = page.evaluate(bs.LAYOUT, [e["index"], bs.CONTROLS])
        problems = _layout_problems(m)
        shot = bs.artifacts_dir() / f"{tag(lesson)}-1280-{e['index']}.png"
        page.evaluate("i => document.querySelector(`[data-bt-explorer='${i}']`)"
                      ".scrollIntoView({block: 'start'})", e["index"])
        page.wait_for_timeout(150)
        page.screenshot(path=str(shot))
        layout[e["index"]] = {"root": m["root"], "figure": m["figure"], "problems": problems}
        if problems:
            lines.append(f"  explorer {e['index']} {e['title'].split(' — ')[0]!r} "
                         f"(screenshot {shot}):\n    " + "\n    ".join(problems))
    page.set_viewport_size(VIEWPORT)
    if not lines:
        return "", layout
    return (f"{tag(lesson)}: in a {NARROW['width']}x{NARROW['height']} window with the file "
            f"browser open ({side['width']:.0f} px), {len(lines)} of {len(explorers)} explorers "
            f"do not show their controls whole:\n" + "\n".join(lines)), layout


@pytest.mark.slow
@pytest.mark.timeout(RUN_TIMEOUT + 300)
@pytest.mark.parametrize("lesson", LESSON_FILES, ids=[tag(p) for p in LESSON_FILES])
def test_lesson_in_browser(browser: Browser, lesson: Path):
    if browser.problem:
        pytest.fail(browser.problem, pytrace=False)
    t0 = time.perf_counter()
    for old in [f"{tag(lesson)}-failed.png", *(p.name for p in
                bs.artifacts_dir().glob(f"{tag(lesson)}-1280*.png"))]:
        (bs.artifacts_dir() / old).unlink(missing_ok=True)
    timing = browser.timings.setdefault(tag(lesson), {})
    context = browser.browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page_errors: list[str] = []     # uncaught errors and console.error in the page
    page.on("pageerror", lambda e: page_errors.append(f"uncaught: {e}"))
    page.on("console", lambda m: page_errors.append(m.text) if m.type == "error" else None)
    try:
        prompts = _run_all(page, browser.lab, rel(lesson))
        timing["run_all_s"] = time.perf_counter() - t0

        # Widgets render after their cell has run: wait until the page stops changing.
        expected = page.locator(".jp-NotebookPanel .ssd-explorer")
        counts: list[tuple] = []

        def settled():
            counts.append((len(page.evaluate(bs.FIND_EXPLORERS)), expected.count(),
                           page.locator(".jp-NotebookPanel .jupyter-widgets").count()))
            return len(counts) >= 4 and len(set(counts[-4:])) == 1
        _wait(f"{rel(lesson)}: the widgets to render", settled, 60, interval=0.5,
              describe=lambda: f"(state lines, explorers, widget views): {counts[-8:]}")

        not_run = [i for i, p in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", p)]
        errors = page.evaluate(bs.FIND_ERRORS)
        if errors or not_run:
            lines = [f"{rel(lesson)} in JupyterLab:"]
            if not_run:
                lines.append(f"  code cells {not_run} (0-based) did not run; prompts {prompts}")
            for e in errors:
                lines.append(f"  cell {e['prompt']} {e['needle']}:\n    "
                             + e["text"].replace("\n", "\n    "))
            if page_errors:
                lines.append("  errors in the browser console:\n    " + "\n    ".join(
                    m.splitlines()[0][:300] for m in page_errors[:10]))
            pytest.fail("\n".join(lines), pytrace=False)
        explorers = page.evaluate(bs.FIND_EXPLORERS)
        if "_explorer(" in lesson.read_text():
            assert explorers, f"{rel(lesson)} creates explorers, but none shows a state: line"
        assert len(explorers) == expected.count(), (
            f"{rel(lesson)}: {expected.count()} explorers on the page, but {len(explorers)} "
            f"state: lines")
        for e in explorers:
            assert e["complete"], f"{rel(lesson)}: a state: line without its figure or slider: {e}"
            assert "error=" not in e["state"], f"{rel(lesson)}: explorer {e['title']!r}: {e['state']}"
            shown = _read(page, e["index"])
            assert shown["width"] > 0 and shown["size"] > 0, f"explorer {e['title']!r} has no image"

        moves = [_nudge(page, e) for e in explorers]
        for e, m in zip(explorers, moves):
            assert "error=" not in m["after"], \
                f"{rel(lesson)}: explorer {e['title']!r} after {m['slider']} {m['key']}: {m['after']}"
        timing["explorers"] = len(explorers)
        timing["explorers_s"] = time.perf_counter() - t0 - timing["run_all_s"]
        t1 = time.perf_counter()
        cut, layout = _check_layout(page, lesson, explorers) if explorers else ("", {})
        if explorers:
            _screenshot(page, bs.artifacts_dir() / f"{tag(lesson)}-1280.png", NARROW,
                        side_bar=True)
        timing["layout_s"] = time.perf_counter() - t1
        upscaled = _screenshot(page, bs.artifacts_dir() / f"{tag(lesson)}.png")
        (bs.artifacts_dir() / f"{tag(lesson)}-explorers.json").write_text(
            json.dumps({"explorers": explorers, "moves": moves, "layout_1280": layout,
                        "page_errors": page_errors, "stderr": page.evaluate(bs.STDERR)},
                       indent=2, ensure_ascii=False) + "\n")
        if cut:
            pytest.fail(cut, pytrace=False)
        assert not upscaled, (
            f"{rel(lesson)}: pictures stretched wider than their pixels (blurry), by cell: "
            + "; ".join(f"{u['prompt']} {u['natural']} px shown {u['shown']} px" for u in upscaled))
    except BaseException:
        try:   # the picture of the failure helps more than any message
            page.screenshot(path=str(bs.artifacts_dir() / f"{tag(lesson)}-failed.png"))
        except Exception:
            pass
        raise
    finally:
        context.close()
        bs.remember_children(browser.lab)
        browser.lab.shutdown_kernels()
        timing["total_s"] = time.perf_counter() - t0
