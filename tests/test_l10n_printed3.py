"""What lesson 3 prints, in both languages: the paper's facts (their citations and phrase values)
and the sentences of the lesson's own ``print(T(en, zh))`` calls.

In Chinese a citation keeps the paper's ``Table 2``, ``§3.2`` and ``Fig. 2`` and translates the
words around them; in English everything reads as before (``Fact.source``, ``Fact.value``). The
Chinese comes from the catalog (the facts' sentences are its messages).
"""

from __future__ import annotations

import ast
import json
import re
import string
from pathlib import Path

import pytest

from ssd_core.course.facts import PAPER_FACTS, Fact, facts_text
from ssd_core.i18n import using_language

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
        assert CJK.search(zh), f"{key}: {f.source!r} needs a Chinese form"
    else:
        assert zh == en, f"{key}: a bare citation {en!r} stays as the paper writes it"
    assert CITATION.findall(zh) == CITATION.findall(en), f"{key}: {zh!r} lost a citation of {en!r}"


def test_every_worded_citation_is_a_message_of_the_catalog():
    """A citation with words is marked for the catalog where it is written (facts.py), so the
    catalog holds it; a bare one (Table 7, §2.2) is not marked, and reads the same everywhere."""
    from tools.catalog import PACKAGE, extract

    marked = {m.id for m in extract(PACKAGE / "course") if m.id}
    sources = {f.source for f in PAPER_FACTS.values()}
    assert {s for s in sources if words(s)} <= marked
    assert not {s for s in sources if not words(s)} & marked


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
    assert f.cite() == "作者发布的 Caffe 模型（ssd_pascal.py），训练时用了 §3.6 的缩小（zoom out）增强"
    assert f.value_text() == "共 120k 次迭代，在第 80k 和 100k 次时学习率乘以 0.1"
    assert f.cite("en") == f.source and f.value_text("en") == f.value      # lang= wins
    assert f.cite() != f.source                                           # and is undone after
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
    plain = Fact(1, "Table 9", "one")
    assert plain.cite("zh") == "Table 9" and plain.value_text("zh") == "1"
    assert plain.what == "one"                     # a sentence the catalog lacks reads as written


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
    assert facts_text("released_schedule") == f"{f.what}：{f.value_text()}  [{f.cite()}]"
    assert facts_text("released_schedule").startswith("发布的 SSD300 的训练方案：共 120k 次迭代")
    assert facts_text("lr", lang="en") == "initial learning rate: 0.001  [§3 (base network)]"
    language("en")
    assert facts_text("released_schedule") == f"{f.what_msgid}: {f.value}  [{f.source}]"
    assert f.what == f.what_msgid


def test_the_what_of_the_facts_lesson_3_prints_is_chinese():
    for key in ("lr", "paper_schedule", "released_schedule", "table2_full", "table2_no_atrous",
                "table3_maps", "ssd300_map07", "ssd300_zoomout_map07"):
        f = PAPER_FACTS[key]
        with using_language("zh"):
            assert CJK.search(f.what), key
        with using_language("en"):
            assert not CJK.search(f.what), key
    # the speed is in the citation (Table 2, §3.2), not twice in the Chinese line
    with using_language("zh"):
        assert "20%" not in PAPER_FACTS["table2_no_atrous"].what
        assert "20%" in PAPER_FACTS["table2_no_atrous"].cite()


# ------------------------------------------------------------------ the lesson's own sentences

def printed_strings(edition: str) -> list[str]:
    """The strings of every ``print(...)`` in the edition's code cells, in order (format specs
    such as ``.3f`` aside)."""
    cells = json.loads((ROOT / "lessons" / edition / LESSON).read_text(encoding="utf-8"))["cells"]
    found = []
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        src = "\n".join(l for l in "".join(cell["source"]).splitlines() if not l.startswith("%"))
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                specs = {id(n) for sub in ast.walk(node)
                         if isinstance(sub, ast.FormattedValue) and sub.format_spec is not None
                         for n in ast.walk(sub.format_spec)}
                found += [sub.value for sub in ast.walk(node) if isinstance(sub, ast.Constant)
                          and isinstance(sub.value, str) and id(sub) not in specs]
    return found


def lesson_texts() -> list[tuple[str, str]]:
    """The sentences lesson 3 prints, as (en, zh): the strings where the two editions' prints
    differ (each edition prints its own language with a plain string)."""
    en, zh = printed_strings("en"), printed_strings("zh")
    assert len(en) == len(zh), "the two editions print different things (tests/test_editions.py)"
    return [(e, z) for e, z in zip(en, zh) if e != z]


#: What the Chinese sentences keep in English: code names, units, citations, terms glossed.
KEPT = {"IoU", "cx", "cy", "w", "h", "t", "ssd_core", "ssd300-voc", "zoom", "out", "warm-up",
        "Table", "SSD300", "VOC2007", "mAP"}


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_sentence_lesson_3_prints_comes_in_both_languages():
    texts = lesson_texts()
    assert len(texts) >= 15, "lesson 3 prints its sentences in each edition's language"
    for en, zh in texts:
        assert CJK.search(zh), f"no Chinese in {zh!r}"
        assert not CJK.search(en.replace("字", "")), f"Chinese in the English {en!r}"
        assert fields(en) == fields(zh), f"the placeholders differ: {en!r} / {zh!r}"
        left = set(re.findall(r"[A-Za-z][\w.-]*", re.sub(r"\{[^}]*\}", " ", zh))) - KEPT
        assert not left, f"English left in {zh!r}: {sorted(left)}"


def test_lesson_3_prints_no_english_name_of_a_fact():
    code = (ROOT / "lessons" / "zh" / LESSON).read_text(encoding="utf-8")
    assert ".what.en" not in code and ".what_msgid" not in code and ".source}" not in code
