"""The lessons in a real browser: JupyterLab in Debian's chromium, driven by Playwright.

Headless execution (nbval) runs every cell but never renders a widget, so it cannot see what a
student sees when a widget breaks: "Error displaying widget" in place of an explorer, or a slider
that moves and redraws nothing. This test opens each lesson in JupyterLab, runs all cells with
``SSD_COURSE_QUICK=1`` (Run > Run All Cells, as a student would), and checks that

* every code cell ran and no cell has an error output (an exception, a syntax error: read from
  the notebook's model in the page, the outputs nbval fails on; ``make test`` runs no nbval of
  its own, this is where the lessons are executed), and no output shows "Error displaying
  widget", ipywidgets' broken-widget box ("Click to show javascript error."), "Error rendering
  output" or a Python traceback;
* every explorer (every widget that prints a ``state:`` line) renders its figure and its line,
  and no default setting is an error;
* pressing an arrow key on one of its sliders changes both its ``state:`` line and its figure;
* in a 1280x720 window with the file browser open beside the notebook, every explorer shows
  each control whole: inside the explorer's box, not hidden by any box that clips it (a widget
  box, the output area, the notebook), its label, readout and drop-down text not cut short;
  its figure and text boxes not cut either, and the figure not drawn smaller than its own size
  while the explorer has room for it;
* Run All writes no homework: the homework folder (one per edition, empty at the start) holds
  after Run All what it held before; then, in the kernel Run All left, a student types and
  clicks through the homework (the name, the summary with a kernel restart, the flowchart, the
  pack) and the files and the zip they hand in are checked (``tests/browser_homework.py``).

One test file per edition (``tests/test_browser_zh.py``, ``tests/test_browser_en.py``), each with
its own chromium and JupyterLab server on a port of its own, so that ``make test``'s two workers
run the two editions side by side (``conftest.py`` starts each worker on one of them).

It saves ``artifacts/<lesson>.png`` (the notebook after the checks, its first 15,000 px),
``artifacts/<lesson>-1280.png`` (the same at 1280 px with the file browser open) and
``artifacts/<lesson>-1280-<n>.png`` (explorer ``n`` as a 1280x720 window shows it),
``artifacts/<lesson>-explorers.json`` (each explorer, the key it pressed, the state lines before
and after, what the lesson wrote to stderr), ``artifacts/<edition>-homework-<step>.png`` (each
homework widget after the student's step) and ``artifacts/browser-timings-<edition>.json``
(per lesson: opening it until its kernel is idle, running its cells, the kernel's CPU seconds,
the explorers' checks, the student's homework steps; lesson 3's kernel CPU seconds leave out
the kernel that the student restarts). The browser is the system's chromium, never a download;
``make test`` installs it on Debian, and without it this test fails and says how to install it.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from tests import browser_homework as bh
from tests import browser_support as bs


def lessons(edition: str) -> list[Path]:
    """The lessons of one edition, ``lessons/<edition>/0*.ipynb``, in order."""
    return sorted((bs.LESSONS / edition).glob("0*.ipynb"))


#: Every edition of the lessons (``lessons/zh``, ``lessons/en``, ...): each has its test file.
EDITIONS = sorted({p.parent.name for p in bs.LESSONS.glob("*/0*.ipynb")})


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
    """One chromium and one JupyterLab server for the lessons of one edition; timings for the
    report."""

    def __init__(self, tmp: Path, edition: str):
        self.edition = edition
        self.problem = ""
        self.homework = bh.Homework(tmp / "homework", edition)
        self.timings: dict[str, dict[str, float]] = {}
        self.lab = self.playwright = self.browser = self.context = self._page = None
        self.page_errors: list[str] = []     # uncaught errors and console.error in the page
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
            self.lab = bs.start_lab(tmp, lessons(edition), env_extra=self.homework.env)
            self.playwright = sync_playwright().start()
            self.browser = self.playwright.chromium.launch(executable_path=executable,
                                                           headless=True)
            self.context = self.browser.new_context(viewport=VIEWPORT)
        except BaseException:
            self.close()
            raise
        self.timings["start"] = {"server_s": self.lab.started_s,
                                  "total_s": time.perf_counter() - t0}

    def page(self):
        """The page that the lessons open in, one after another, as a student opens them in
        one JupyterLab (see :func:`_open`); a new one after a lesson failed."""
        if self._page is None:
            self._page = self.context.new_page()
            self._page.on("pageerror", lambda e: self.page_errors.append(f"uncaught: {e}"))
            self._page.on("console", lambda m: self.page_errors.append(m.text)
                          if m.type == "error" else None)
        self.page_errors.clear()
        return self._page

    def drop_page(self) -> None:
        """Close the page (after a failure: the next lesson starts in a fresh JupyterLab)."""
        page, self._page = self._page, None
        if page is not None:
            try:
                page.close()
            except Exception:
                pass

    def close(self) -> None:
        try:
            if self.context is not None:
                self.context.close()
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
    """Prints the timings in pytest's summary, after the progress dots (without xdist: a
    worker's summary is not shown; the timings are in the artifacts either way)."""

    def __init__(self, edition: str, timings: dict[str, dict[str, float]]):
        self.edition, self.timings = edition, timings

    def pytest_terminal_summary(self, terminalreporter):
        terminalreporter.section(f"browser test, edition {self.edition}: seconds")
        for name, t in self.timings.items():
            terminalreporter.write_line(f"{name:>22}: " + "  ".join(
                f"{k}={v}" if isinstance(v, int) else f"{k}={v:.1f}" for k, v in t.items()))


def _open_browser(edition: str, tmp_path_factory, request):
    """The ``browser`` fixture of one edition's test file (see :func:`edition_tests`)."""
    t0 = time.perf_counter()
    b = Browser(tmp_path_factory.mktemp(f"browser-{edition}"), edition)
    try:
        yield b
    finally:
        server_cpu = bs.cpu_seconds([b.lab.process.pid]) if b.lab else 0.0
        b.close()
        if not b.problem:
            b.timings["all"] = {"total_s": time.perf_counter() - t0, "server_cpu_s": server_cpu}
            out = bs.artifacts_dir() / f"browser-timings-{edition}.json"
            out.write_text(json.dumps(b.timings, indent=2) + "\n")
            request.config.pluginmanager.register(_TimingReport(edition, b.timings))


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


def _open(page, lab: bs.Lab, name: str) -> None:
    """Open notebook ``name`` in the page. The first time, JupyterLab loads with a workspace
    of its own (it reopens no other notebook and starts no other kernel); later, the notebook
    opens in that JupyterLab after the last one is closed (one notebook at a time, as the
    checks expect), as a student opens lesson after lesson. Loading JupyterLab anew for each
    lesson cost chromium 4-5 s of CPU time each time (2026-12-07, 2 cores)."""
    if page.url.startswith(lab.base) and page.evaluate(bs.CLOSE_NOTEBOOKS):
        _wait("the last notebook to close",
              lambda: page.locator(".jp-NotebookPanel").count() == 0, 30)
        page.evaluate(bs.OPEN_NOTEBOOK, name)
    else:
        page.goto(lab.url(f"lab/workspaces/{name.replace('/', '-').removesuffix('.ipynb')}"
                          f"/tree/{name}") + "&reset")
    page.wait_for_selector(".jp-NotebookPanel .jp-CodeCell", state="attached", timeout=120_000)


def _run_all(page, lab: bs.Lab, name: str, timing: dict) -> list[str]:
    """Open notebook ``name``, Run > Run All Cells, then wait until its kernel is idle with
    every code cell run. Notes in ``timing`` how long it took to open (page and kernel) and
    to run."""
    t0 = time.perf_counter()
    _open(page, lab, name)
    timing["page_s"] = time.perf_counter() - t0
    # The notebook names the venv's python3 kernel; when Lab asks anyway, take its choice.
    _wait("the kernel to start", lambda: _kernel_ready(page, lab, name), 120,
          describe=lambda: "JupyterLab log:\n" + lab.log_tail())
    timing["open_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    page.click(".lm-MenuBar-itemLabel:text-is('Run')")
    page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")
    panels = page.locator(".jp-NotebookPanel").count()
    assert panels == 1, f"{name}: {panels} notebooks open in the page, expected only this one"
    _wait("Run All Cells to start", lambda: page.evaluate(bs.PROMPTS)[:1] != ["[ ]:"], 30)
    idle_polls = []

    def finished():   # no cell queued or running, and the kernel idle, twice in a row
        prompts = page.evaluate(bs.PROMPTS)
        kernel = _kernel_of(lab, name)
        idle = "[*]:" not in prompts and kernel is not None and \
            kernel["execution_state"] == "idle"
        idle_polls.append(idle)
        return prompts if idle_polls[-2:] == [True, True] else None

    prompts = _wait(f"{name}: all cells to finish", finished, RUN_TIMEOUT, interval=0.5,
                    describe=lambda: f"prompts {page.evaluate(bs.PROMPTS)}")
    timing["run_s"] = time.perf_counter() - t0
    return prompts


def _kernel_of(lab: bs.Lab, name: str) -> dict | None:
    """The kernel of notebook ``name`` (id, execution_state, ...), None while it has none. The
    previous lesson's kernel may still be shutting down: only this one counts."""
    sessions = [s for s in lab.api("sessions") if s["path"].endswith(name)]
    return sessions[0]["kernel"] if sessions else None


def _kernel_ready(page, lab: bs.Lab, name: str) -> bool:
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    if dialog.count():
        dialog.first.click()
        return False
    kernel = _kernel_of(lab, name)
    return kernel is not None and kernel["execution_state"] == "idle" and \
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


def _settle(page, interval: float = 0.2) -> None:
    """Wait until the notebook and its explorers stop moving after a resize or a scroll
    (Lumino lays panels out later) and its pictures have loaded: the same three polls in a
    row."""
    seen = []

    def still():
        seen.append(page.evaluate(bs.EXPLORER_RECTS))
        return len(seen) >= 3 and seen[-1] == seen[-2] == seen[-3]
    _wait("the notebook to settle after a resize", still, 15, interval=interval)


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
    _settle(page, interval=0.1)
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
        _settle(page, interval=0.05)
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


#: Colours and cursor moves in IPython's tracebacks.
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def run_problems(page, name: str, prompts: list[str]) -> list[str]:
    """What went wrong while notebook ``name`` ran, one entry per problem (empty when nothing
    did): code cells that did not run; every error output in the notebook's model (an
    exception or a syntax error in a cell: what nbval fails on, found even where no
    "Traceback" is printed); outputs that show an error in the page (widgets that could not be
    displayed or rendered, a traceback in any output)."""
    problems = []
    not_run = [i for i, p in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", p)]
    if not_run:
        problems.append(f"code cells {not_run} (0-based) did not run; prompts {prompts}")
    raised = page.evaluate(bs.ERROR_OUTPUTS, name)
    if raised is None:
        problems.append(f"cannot read the outputs of {name} from the page: JupyterLab did not "
                        "expose window.jupyterapp (--LabApp.expose_app_in_browser, set by "
                        "tests/browser_support.py), or the notebook is not open")
        raised = []
    for e in raised:
        lines = ANSI.sub("", e["traceback"]).strip().splitlines()
        if len(lines) > 30:
            lines = ["...", *lines[-30:]]
        problems.append(f"cell [{e['count']}] (code cell {e['cell']}) raised {e['ename']}: "
                        f"{e['evalue']}\n    " + "\n    ".join(lines))
    reported = {f"[{e['count']}]:" for e in raised}
    for e in page.evaluate(bs.FIND_ERRORS):
        if e["needle"].startswith("Traceback") and e["prompt"] in reported:
            continue      # the same error as above
        problems.append(f"cell {e['prompt']} {e['needle']}:\n    "
                        + e["text"].replace("\n", "\n    "))
    return problems


def check_lesson(browser: Browser, lesson: Path) -> None:
    """Every check of the module's docstring on one lesson, in ``browser``'s JupyterLab."""
    if browser.problem:
        pytest.fail(browser.problem, pytrace=False)
    t0 = time.perf_counter()
    for old in [f"{tag(lesson)}-failed.png", *(p.name for p in
                bs.artifacts_dir().glob(f"{tag(lesson)}-1280*.png"))]:
        (bs.artifacts_dir() / old).unlink(missing_ok=True)
    timing = browser.timings.setdefault(tag(lesson), {})
    before = set(bs.descendants(browser.lab.process.pid))   # the last lesson's kernel, exiting
    homework = browser.homework.state()
    page = browser.page()
    page_errors = browser.page_errors
    try:
        prompts = _run_all(page, browser.lab, rel(lesson), timing)
        timing["run_all_s"] = time.perf_counter() - t0

        # Widgets render after their cell has run: wait until the page stops changing.
        expected = page.locator(".jp-NotebookPanel .ssd-explorer")
        counts: list[tuple] = []

        def settled():
            counts.append((len(page.evaluate(bs.FIND_EXPLORERS)), expected.count(),
                           page.locator(".jp-NotebookPanel .jupyter-widgets").count()))
            return len(counts) >= 4 and len(set(counts[-4:])) == 1
        _wait(f"{rel(lesson)}: the widgets to render", settled, 60, interval=0.3,
              describe=lambda: f"(state lines, explorers, widget views): {counts[-8:]}")

        problems = run_problems(page, rel(lesson), prompts)
        if problems:
            lines = [f"{rel(lesson)} in JupyterLab:", *("  " + p for p in problems)]
            if page_errors:
                lines.append("  errors in the browser console:\n    " + "\n    ".join(
                    m.splitlines()[0][:300] for m in page_errors[:10]))
            pytest.fail("\n".join(lines), pytrace=False)
        browser.homework.check_untouched(homework, lesson)
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
        t1 = time.perf_counter()
        bh.student_steps(page, browser.lab, lesson, browser.homework)
        timing["homework_s"] = time.perf_counter() - t1
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
        browser.drop_page()
        raise
    finally:
        bs.remember_children(browser.lab)
        timing["kernel_cpu_s"] = bs.cpu_seconds(
            set(bs.descendants(browser.lab.process.pid)) - before)
        browser.lab.shutdown_kernels_later()
        timing["total_s"] = time.perf_counter() - t0


#: Two notebooks with an error in a cell, each a case that a check must catch: an exception
#: that stops Run All (the cells after it do not run), and a syntax error in the last cell
#: (IPython prints no "Traceback" for it: only the notebook's error output tells). Each cell
#: before writes to stderr, which is no error.
PLANTED = {
    "planted/exception.ipynb": (
        ["import sys\nprint('a warning, not an error', file=sys.stderr)", "x = 1",
         "x / 0", "print('after')"],
        ["code cells [3] (0-based) did not run",
         "cell [3] (code cell 2) raised ZeroDivisionError: division by zero"]),
    "planted/syntax_error.ipynb": (
        ["import sys\nprint('a warning, not an error', file=sys.stderr)", "def f(:\n    pass"],
        ["cell [2] (code cell 1) raised SyntaxError: "]),
}


def run_planted(browser: Browser, name: str, sources: list[str]) -> list[str]:
    """Write a notebook of code cells ``sources`` as ``name`` in the server's folder and run it
    as a lesson is (Run All); returns the problems :func:`run_problems` finds."""
    if browser.problem:
        pytest.fail(browser.problem, pytrace=False)
    path = browser.lab.root_dir / name
    path.parent.mkdir(exist_ok=True)
    cells = [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
              "outputs": [], "source": src} for i, src in enumerate(sources)]
    path.write_text(json.dumps({
        "cells": cells, "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}}}))
    page = browser.page()
    try:
        prompts = _run_all(page, browser.lab, name, {})
        return run_problems(page, name, prompts)
    except BaseException:
        browser.drop_page()
        raise
    finally:
        bs.remember_children(browser.lab)
        browser.lab.shutdown_kernels_later()


def check_planted_errors(browser: Browser) -> None:
    """The lessons' checks fail on an error in a cell as nbval would: each ``PLANTED`` notebook,
    run as a lesson is, gives exactly the problems expected (each named by its first line)."""
    for name, (sources, expected) in PLANTED.items():
        problems = run_planted(browser, name, sources)
        firsts = [p.splitlines()[0] for p in problems]
        assert len(firsts) == len(expected) and all(
            f.startswith(e) for f, e in zip(firsts, expected)), (
            f"{name}: expected the problems {expected}, found:\n" + "\n".join(problems))


def edition_tests(edition: str):
    """The ``browser`` fixture and the test ``test_lesson_in_browser`` of one edition's test
    file: ``browser, test_lesson_in_browser = edition_tests("zh")``. The fixture starts one
    chromium and one JupyterLab server (its own port) for the edition; the test runs once per
    lesson."""
    files = lessons(edition)
    assert files, f"no lessons in {bs.LESSONS / edition}"

    @pytest.fixture(scope="module", name="browser")
    def browser(tmp_path_factory, request):
        yield from _open_browser(edition, tmp_path_factory, request)

    @pytest.mark.slow
    @pytest.mark.timeout(RUN_TIMEOUT + 300)
    @pytest.mark.parametrize("lesson", files, ids=[tag(p) for p in files])
    def test_lesson_in_browser(browser: Browser, lesson: Path):
        check_lesson(browser, lesson)

    return browser, test_lesson_in_browser


def missing_test_files() -> list[str]:
    """The editions without their test file ``tests/test_browser_<edition>.py``."""
    here = Path(__file__).parent
    return [f"tests/test_browser_{e}.py" for e in EDITIONS
            if not (here / f"test_browser_{e}.py").exists()]
