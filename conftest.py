"""Settings for every test run, the lessons' notebooks included.

``SSD_COURSE_QUICK=1`` shrinks data and epochs so each lesson runs in seconds on a CPU; it is
set here, before nbval starts any kernel, so the kernels inherit it.
"""

import atexit
import os
import shutil
import tempfile

import pytest

os.environ.setdefault("SSD_COURSE_QUICK", "1")
# Homework and drafts never go to the repository's homework/ (a student's, perhaps) during a
# test run: each test process (and the kernels it starts) gets a folder of its own, removed at
# its end. The quick mode does not move homework (ssd_core.homework.files).
_HOMEWORK = tempfile.mkdtemp(prefix="ssd-course-test-homework-")
os.environ["SSD_COURSE_HOMEWORK"] = _HOMEWORK
atexit.register(shutil.rmtree, _HOMEWORK, True)
# Tests read figure and widget text in English unless they switch to Chinese themselves (the
# `language` fixture of tests/conftest.py); the lessons set their language in their first cell.
os.environ.setdefault("SSD_COURSE_LANG", "en")
# Idle OpenMP threads spin by default; on a shared 2-core machine that slows small ops 10x.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
# One PyTorch thread per process (set before anything imports torch; the lessons' kernels and
# the tests' subprocesses inherit it): `make test` runs two workers on two cores, each with its
# JupyterLab kernels, and a process's second thread only waits for a core that another holds.
# Measured (2026-12-07, 2 cores): lesson 5's kernel took 29 CPU s with two threads, 15 with
# one; the whole run 272 s against 257 s.
os.environ.setdefault("OMP_NUM_THREADS", "1")


def _runs_first(scope: str) -> bool:
    """The browser test's files (``tests/test_browser_<edition>.py``): the longest by far."""
    return os.path.basename(scope).startswith("test_browser_")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``make test`` (``-n 2 --dist loadfile``): each worker starts with a browser test file of
    its own (one edition each, minutes long), and the other files fill in behind them.

    xdist alone hands out files by their number of tests, so the two browser files (five tests
    each) came last and could both land on one worker, one after the other. Here a worker that
    asks for work while a browser file waits gets one unless it already has one; while it has
    one, the next waiting browser file is left for another worker."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class BrowserFilesFirst(LoadFileScheduling):
        def _assign_work_unit(self, node):
            waiting = [scope for scope in self.workqueue if _runs_first(scope)]
            if waiting:
                mine = self.assigned_work.get(node, {})
                has_one = any(_runs_first(scope) and not all(tests.values())
                              for scope, tests in mine.items())
                if not has_one:
                    self.workqueue.move_to_end(waiting[0], last=False)
                elif len(waiting) < len(self.workqueue):
                    for scope in waiting:
                        self.workqueue.move_to_end(scope)
            super()._assign_work_unit(node)

    return BrowserFilesFirst(config, log)
