"""The English edition's lessons in JupyterLab, as a student sees them: every check that
``tests/browser_lessons.py`` describes, on ``lessons/en/``; and that those checks catch an error
in a cell, as nbval would (``make test`` runs the lessons here, not under nbval), and homework
that Run All writes."""

import pytest

from tests import browser_homework as bh
from tests import browser_lessons as bl

browser, test_lesson_in_browser = bl.edition_tests("en")


@pytest.mark.slow
def test_an_error_in_a_cell_fails(browser):
    bl.check_planted_errors(browser)


@pytest.mark.slow
def test_homework_written_by_run_all_fails(browser, tmp_path):
    bh.check_planted_homework(browser, tmp_path / "homework")


def test_every_edition_has_a_browser_test_file():
    missing = bl.missing_test_files()
    assert not missing, (
        f"lessons/ has editions without a browser test: create {', '.join(missing)} as "
        "tests/test_browser_zh.py is (one line: edition_tests(\"<edition>\"))")
