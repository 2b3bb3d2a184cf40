"""``make html``: a lesson executed (quick, static) and written as a web page a phone can read.

Builds lesson 1 of the Chinese edition the way ``make html`` builds every lesson, then checks
the page: it ran (no traceback), the explorers show their figures as pictures with their
``state:`` lines, the prose is Chinese, the page loads nothing from the network (MathJax is a
local copy from an installed package, linked relatively), it has a phone's viewport and a
Chinese font stack, and the index gives the lesson's title and one-line summary.
"""

from __future__ import annotations

import json
import re

import pytest

from ssd_core.html import (FONT_STACK, build_html, join_cjk_lines, lesson_files, lesson_summary,
                           lesson_title, mathjax_source)


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

    # offline: no script, style or font from the network; MathJax is the local copy
    assert not re.findall(r"<script[^>]*\bsrc=[\"']?(https?:)?//", page, flags=re.I)
    assert not re.findall(r"<link[^>]*\bhref=[\"']?(https?:)?//", page, flags=re.I)
    assert not re.search(r"@import\s+url\(\s*[\"']?(https?:)?//", page)
    scripts = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", page)
    assert scripts == ["../static/mathjax/tex-svg-full.js"], scripts
    copy = tmp_path / "static" / "mathjax" / "tex-svg-full.js"
    assert copy.is_file() and copy.stat().st_size == mathjax_source().stat().st_size
    assert "window.MathJax" in page and "$$" in page                 # formulas left for MathJax
    assert "application/vnd.jupyter.widget-state+json" not in page  # no sliders' state to carry

    # a phone's page: viewport, readable column, Chinese fonts, the language, no prompts
    assert 'name="viewport"' in page and "width=device-width" in page
    assert "max-width: 46rem" in page and "line-height: 1.75" in page
    assert FONT_STACK in page and '"Noto Sans CJK SC"' in FONT_STACK and '"PingFang SC"' in FONT_STACK
    assert '<html lang="zh-CN">' in page
    assert "<title>第 1 课" in page
    assert "In&nbsp;[" not in page

    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert 'href="zh/01_detection_basics.html"' in index
    notebook = lesson_files("zh")[0]
    title, summary = lesson_title(notebook), lesson_summary(notebook)
    assert title.startswith("第 1 课") and f">{title}</a>" in index
    assert summary and sum("\u4e00" <= ch <= "\u9fff" for ch in summary) >= 10 and summary in index
    assert ">01_detection_basics<" not in index                       # not the bare file name
    assert 'name="viewport"' in index and FONT_STACK in index and 'lang="zh-CN"' in index
    assert not re.findall(r"(src|href)=[\"']?(https?:)?//", index)


def test_lesson_titles_and_summaries_come_from_the_notebooks():
    for edition in ("zh", "en"):
        for i, notebook in enumerate(lesson_files(edition), start=1):
            title, summary = lesson_title(notebook), lesson_summary(notebook)
            assert str(i) in title and not title.startswith("#"), (notebook, title)
            assert summary and "\n" not in summary and "*" not in summary, (notebook, summary)
            if edition == "zh":
                assert sum("\u4e00" <= ch <= "\u9fff" for ch in summary) >= 10, (notebook, summary)


def test_summary_is_the_metadata_field_when_the_lesson_sets_it(tmp_path):
    cell = {"cell_type": "markdown", "metadata": {}, "source": "# 第 9 课 · 试验\n\n*署名行*\n\n"
            "> 提示框。\n\n第一句是摘要。第二句不是。\n\n## 1. 第一节\n\n正文。"}
    nb = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "09_x.ipynb"
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert lesson_title(path) == "第 9 课 · 试验"
    assert lesson_summary(path) == "第一句是摘要。"           # byline and quote passed over
    nb["metadata"]["ssd_course"] = {"summary": "作者写的**一句话**摘要。"}
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    assert lesson_summary(path) == "作者写的一句话摘要。"


def test_line_breaks_inside_chinese_paragraphs_are_joined_for_the_page():
    assert join_cjk_lines("默认框的尺度\n由公式决定。") == "默认框的尺度由公式决定。"
    assert join_cjk_lines("它的**交并比**\n（IoU）很高") == "它的**交并比**（IoU）很高"
    assert join_cjk_lines("1. 准确说出，\n   并用两种格式") == "1. 准确说出，并用两种格式"
    assert join_cjk_lines("> 第一行，\n> 第二行。") == "> 第一行，第二行。"
    assert join_cjk_lines("的部分；\n§3 中") == "的部分；§3 中"
    kept = ["第一段。\n\n第二段。", "# 标题\n正文。", "本课你将：\n1. 读论文；\n2. 写总结。",
            "| 中文 | 说明 |\n| 中文 | 说明 |", "```\n中文\n中文\n```", "先读 SSD\n再读代码",
            "the “Matching”\n“Training” part", "SSD: Single Shot\nMultiBox Detector",
            "<summary>延伸阅读</summary>\n正文"]
    for text in kept:
        assert join_cjk_lines(text) == text, text


def test_a_missed_wake_up_costs_one_slice_and_a_silent_kernel_still_times_out():
    """``sliced_wait``: a channel that misses the wake-up for a message already there (it
    sleeps its whole timeout, then says Empty, as the stalls seen in ``make html`` did) is
    asked again after one slice and gives the message; one that has nothing keeps raising
    Empty until the whole timeout has passed."""
    import asyncio
    import queue
    import time

    from ssd_core.html import sliced_wait

    asked = []

    async def misses_the_first_wake_up(timeout=None):
        asked.append(timeout)
        if len(asked) == 1:
            await asyncio.sleep(timeout)
            raise queue.Empty
        return {"msg": "reply"}

    t0 = time.monotonic()
    got = asyncio.run(sliced_wait(misses_the_first_wake_up, slice_s=0.2)(timeout=20))
    assert got == {"msg": "reply"} and asked == [0.2, 0.2]
    assert time.monotonic() - t0 < 5           # one slice, not the 20 s of the timeout

    async def silent(timeout=None):
        await asyncio.sleep(timeout)
        raise queue.Empty

    t0 = time.monotonic()
    with pytest.raises(queue.Empty):
        asyncio.run(sliced_wait(silent, slice_s=0.2)(timeout=0.7))
    assert 0.65 < time.monotonic() - t0 < 3

    asked.clear()                               # no timeout: it waits as long as it takes
    assert asyncio.run(sliced_wait(misses_the_first_wake_up, slice_s=0.1)()) == {"msg": "reply"}
    assert asked == [0.1, 0.1]
