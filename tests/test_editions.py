"""The two editions of the course: the same lessons, the same code, each in its language.

* Every lesson exists in ``lessons/zh/`` (the default) and ``lessons/en/``, and their code
  cells are identical, cell by cell, but for the one call that picks the language in the
  first cell (``ssd.set_language("zh")`` / ``("en")``).
* Every markdown cell of the Chinese edition is written in Chinese: code, formulas, links and
  the names of functions aside, it has more Chinese characters than English words.
* Both are stored without outputs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
NAMES = sorted(p.name for p in (LESSONS / "en").glob("0*.ipynb"))
LANGUAGE_CALL = re.compile(r'ssd\.set_language\("(zh|en)"\)')


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def code(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in cells(path) if c["cell_type"] == "code"]


def test_five_lessons_in_each_edition():
    assert len(NAMES) == 5
    assert sorted(p.name for p in (LESSONS / "zh").glob("0*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_code_cells_are_identical_in_both_editions(name):
    zh, en = code(LESSONS / "zh" / name), code(LESSONS / "en" / name)
    assert LANGUAGE_CALL.findall(zh[0]) == ["zh"] and LANGUAGE_CALL.findall(en[0]) == ["en"], \
        "the first code cell sets the edition's language with ssd.set_language(...)"
    zh[0], en[0] = (LANGUAGE_CALL.sub("LANGUAGE", c) for c in (zh[0], en[0]))
    assert len(zh) == len(en), f"{name}: {len(zh)} code cells in zh, {len(en)} in en"
    for k, (a, b) in enumerate(zip(zh, en)):
        assert a == b, f"{name}: code cell {k} differs between the editions:\nzh:\n{a}\nen:\n{b}"


_NOT_PROSE = [
    re.compile(r"```.*?```", re.S),              # code blocks
    re.compile(r"`[^`]*`"),                      # inline code, function names
    re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.S),  # formulas
    re.compile(r"\]\([^)]*\)"),                  # link targets
    re.compile(r"<[^>]+>"),                      # HTML tags
    re.compile(r"https?://\S+"),
]


def prose_counts(markdown: str) -> tuple[int, int]:
    """(Chinese characters, English words) of a markdown cell's prose."""
    for pattern in _NOT_PROSE:
        markdown = pattern.sub(" ", markdown)
    han = sum("\u4e00" <= ch <= "\u9fff" for ch in markdown)
    words = len(re.findall(r"[A-Za-z]{2,}", markdown))
    return han, words


def test_the_prose_counter_can_fail():
    # by hand: 用多个特征图上的默认框 (11) + 检测目标 (4); the code and the English are not prose
    assert prose_counts("SSD 用多个特征图上的默认框 `default_boxes` 检测目标。") == (15, 1)
    assert prose_counts("SSD predicts from several maps.") == (0, 5)


@pytest.mark.parametrize("name", NAMES)
def test_every_markdown_cell_of_the_chinese_edition_is_chinese(name):
    for k, cell in enumerate(cells(LESSONS / "zh" / name)):
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        han, words = prose_counts(text)
        assert han > 0 and han >= words, (
            f"{name}, markdown cell {k} ({cell.get('id')}) is not Chinese: {han} 汉字, "
            f"{words} English words:\n{text[:300]}")


@pytest.mark.parametrize("edition", ["zh", "en"])
def test_stored_without_outputs(edition):
    for name in NAMES:
        for cell in cells(LESSONS / edition / name):
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, \
                    f"{edition}/{name} has stored outputs: clear them"
