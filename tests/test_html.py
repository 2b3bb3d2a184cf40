"""``make html``: a lesson executed (quick, static) and written as a web page a phone can read.

Builds lesson 1 of the Chinese edition the way ``make html`` builds every lesson, then checks
the page: it ran (no traceback), the explorers show their figures as pictures with their
``state:`` lines, the prose is Chinese, and the index links the page.
"""

from __future__ import annotations

import re

import pytest

from ssd_core.html import build_html, lesson_files


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_make_html_writes_lesson_1_with_explorers_as_pictures(tmp_path):
    assert len(lesson_files("zh")) == 5 and len(lesson_files("en")) == 5
    pages = build_html(tmp_path, editions=["zh"], lessons=[1], progress=False)
    assert [p.relative_to(tmp_path).as_posix() for p in pages] == ["zh/01_detection_basics.html"]
    page = pages[0].read_text(encoding="utf-8")
    assert "Traceback" not in page and "Error displaying widget" not in page
    # every explorer of the lesson (IoU, NMS) is a picture with its state line
    assert len(re.findall(r"data:image/png;base64,", page)) >= 5
    assert page.count("state: ") >= 2
    assert "静态页面" in page                       # the note that says how to make it move
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in page) > 2000
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="zh/01_detection_basics.html"' in index
