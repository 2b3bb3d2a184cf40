"""What lesson 3 prints, in both languages: the paper's facts (their citations and phrase values)
and the sentences of the lesson's own ``print(T(en, zh))`` calls.

In Chinese a citation keeps the paper's ``Table 2``, ``§3.2`` and ``Fig. 2`` and translates the
words around them; in English everything reads as before (``Fact.source``, ``Fact.value``).
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from ssd_core.course.facts import PAPER_FACTS, Fact, facts_text
from ssd_core.course.text import Text

ROOT = Path(__file__).resolve().parents[1]
LESSON = "03_matching_and_loss.ipynb"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
#: The citations a source is made of, kept as the paper writes them in both languages.
CITATION = re.compile(r"Table \d+|Fig\. \d+|§\d+(?:\.\d+)?|eq\. \d+")
#: Names a Chinese citation keeps in English: papers, models, files, hardware, data splits.
NAMES = re.compile(r"SSD|YOLO9000|Faster R-CNN|Caffe|ParseNet|ssd_pascal\.py|Titan X|VOC"
                   r"|test-dev2015|“Base network”|zoom out")


def words(text: str) -> list[str]:
    """The English words (three letters or more) of ``text`` besides citations and names."""
    return re.findall(r"[A-Za-z]{3,}", NAMES.sub(" ", CITATION.sub(" ", text)))


def test_the_word_counter_can_fail():
    assert words("Table 2, §3.2 (about 20% slower)") == ["about", "slower"]
    assert words("Table 2, §3.2（速度慢约 20%）") == []


@pytest.mark.parametrize("key", sorted(PAPER_FACTS))
def test_a_citation_in_chinese_has_no_english_words_and_keeps_the_citations(key):
    f = PAPER_FACTS[key]
    zh, en = f.cite("zh"), f.cite("en")
    assert en == f.source
    assert words(zh) == [], f"{key}: English words in the Chinese citation {zh!r}"
    if words(f.source):
        assert f.source_zh and CJK.search(zh), f"{key}: {f.source!r} needs a Chinese form"
    assert CITATION.findall(zh) == CITATION.findall(en), f"{key}: {zh!r} lost a citation of {en!r}"


def test_every_chinese_citation_belongs_to_a_fact():
    from ssd_core.course.facts import _SOURCE_ZH

    assert set(_SOURCE_ZH) <= {f.source for f in PAPER_FACTS.values()}


@pytest.mark.parametrize("key", sorted(PAPER_FACTS))
def test_a_value_prints_as_itself_or_as_a_phrase_in_each_language(key):
    f = PAPER_FACTS[key]
    assert f.value_text("en") == str(f.value)
    if isinstance(f.value, str):
        zh = f.value_text("zh")
        assert CJK.search(zh) and words(zh) == [], zh
        # the phrase keeps the numbers: 40k, 1e-3, 80k ...
        number = re.compile(r"\d+(?:e-\d+|k)")
        assert set(number.findall(zh)) == set(number.findall(f.value))
    else:
        assert f.value_text("zh") == str(f.value)


def test_cite_and_value_text_follow_the_language(language):
    f = PAPER_FACTS["released_schedule"]
    language("zh")
    assert f.cite() == f.source_zh and f.value_text() == f.value_zh
    assert "作者发布的 Caffe 模型" in f.cite() and "学习率乘以 0.1" in f.value_text()
    language("en")
    assert f.cite() == f.source and f.value_text() == f.value
    assert not CJK.search(f.cite() + f.value_text())


def test_a_facts_fields_in_an_f_string(language):
    """``f.what`` formats in the current language; ``f.value`` and ``f.source`` are the
    English originals."""
    f = PAPER_FACTS["lr"]
    language("zh")
    assert f"{f.what}: {f.value}\n    source: {f.source}" == \
        "初始学习率: 0.001\n    source: §3 (base network)"
    language("en")
    assert f"{f.what}: {f.value}\n    source: {f.source}" == \
        "initial learning rate: 0.001\n    source: §3 (base network)"
    # a Fact built as before (three fields) still works
    plain = Fact(1, "Table 9", Text("one", "一"))
    assert plain.cite("zh") == "Table 9" and plain.value_text("zh") == "1"


def test_the_lines_lessons_1_3_and_5_print_for_facts(language):
    """facts_text: one ``what: value  [source]`` line per fact, all three in the language asked
    for (a full-width colon in Chinese); written out by hand here."""
    assert facts_text("lr", "ssd300_map07", lang="en") == (
        "initial learning rate: 0.001  [§3 (base network)]\n"
        "SSD300 on VOC2007 test, trained on 07+12: 74.3  [Table 1, Table 7]")
    assert facts_text("lr", "ssd300_map07", lang="zh") == (
        "初始学习率：0.001  [§3（“Base network”一段）]\n"
        "SSD300，07+12 训练，VOC2007 测试：74.3  [Table 1, Table 7]")
    language("zh")
    f = PAPER_FACTS["released_schedule"]
    assert facts_text("released_schedule") == f"{f.what.zh}：{f.value_zh}  [{f.source_zh}]"
    language("en")
    assert facts_text("released_schedule") == f"{f.what.en}: {f.value}  [{f.source}]"


def test_the_what_of_the_facts_lesson_3_prints_is_chinese():
    for key in ("lr", "paper_schedule", "released_schedule", "table2_full", "table2_no_atrous",
                "table3_maps", "ssd300_map07", "ssd300_zoomout_map07"):
        what = PAPER_FACTS[key].what
        assert CJK.search(what.get("zh")) and not CJK.search(what.get("en")), key
    # the speed is in the citation (Table 2, §3.2), not twice in the Chinese line
    assert "20%" not in PAPER_FACTS["table2_no_atrous"].what.get("zh")


# ------------------------------------------------------------------ the lesson's own T(...)

def lesson_texts(edition: str) -> list[tuple[str, str]]:
    """Every ``T("english", "中文")`` in the lesson's code cells, as (en, zh)."""
    cells = json.loads((ROOT / "lessons" / edition / LESSON).read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        src = "\n".join(l for l in "".join(cell["source"]).splitlines() if not l.startswith("%"))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "T":
                en, zh = (ast.literal_eval(a) for a in node.args)
                found.append((en, zh))
    return found


#: What the Chinese sentences keep in English: code names, units, citations, terms glossed.
KEPT = {"IoU", "cx", "cy", "w", "h", "t", "ssd_core", "ssd300-voc", "zoom", "out", "warm-up",
        "Table", "SSD300", "VOC2007", "mAP"}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("edition", ["zh", "en"])
def test_every_sentence_lesson_3_prints_comes_in_both_languages(edition):
    texts = lesson_texts(edition)
    assert len(texts) >= 15, "lesson 3 prints its sentences with T(english, 中文)"
    for en, zh in texts:
        assert CJK.search(zh), f"no Chinese in {zh!r}"
        assert not CJK.search(en.replace("字", "")), f"Chinese in the English {en!r}"
        assert fields(en) == fields(zh), f"the placeholders differ: {en!r} / {zh!r}"
        left = set(re.findall(r"[A-Za-z][\w.-]*", re.sub(r"\{[^}]*\}", " ", zh))) - KEPT
        assert not left, f"English left in {zh!r}: {sorted(left)}"


def test_lesson_3_prints_no_english_name_of_a_fact():
    code = (ROOT / "lessons" / "zh" / LESSON).read_text(encoding="utf-8")
    assert ".what.en" not in code and ".source}" not in code


def test_the_texts_print_in_the_chosen_language(language):
    texts = lesson_texts("zh")
    language("zh")
    assert all(CJK.search(str(Text(en, zh))) for en, zh in texts)
    language("en")
    assert not any(CJK.search(str(Text(en, zh)).replace("字", "")) for en, zh in texts)
