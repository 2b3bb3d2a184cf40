"""The Chinese edition's lessons in JupyterLab, as a student sees them: every check that
``tests/browser_lessons.py`` describes, on ``lessons/zh/``. A file per edition, so that
``make test``'s two workers run the two editions side by side (``conftest.py``)."""

from tests.browser_lessons import edition_tests

browser, test_lesson_in_browser = edition_tests("zh")
