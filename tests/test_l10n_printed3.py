"""What lesson 3 prints, in both languages: the paper's facts (their citations and phrase values)
and the sentences of the lesson's own ``print(T(en, zh))`` calls.

Every citation is a message of the catalog: in Chinese ``Table 2`` reads 表 2, ``Fig. 2`` 图 2,
``eq. 4`` 公式 4, ``§3.2`` stays, and the words around them are Chinese; in English everything
reads as written (``Fact.source``, ``Fact.value``).
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
#: The citations a source is made of, as the paper writes them (English) ...
CITATION = re.compile(r"Table (\d+)|Fig\. (\d+)|(§\d+(?:\.\d+)?)|eq\. (\d+)")
#: ... and as a Chinese textbook writes them.
CITATION_ZH = re.compile(r"表 (\d+)|图 (\d+)|(§\d+(?:\.\d+)?)|公式 (\d+)")
#: Names a Chinese citation keeps in Latin letters: papers, models, files, hardware, data splits.
NAMES = re.compile(r"SSD|YOLO9000|Faster R-CNN|Caffe|ParseNet|ssd_pascal\.py|Titan X|VOC"
                   r"|test-dev2015|“Base network”|zoom out")


def words(text: str) -> list[str]:
    """The English words (three letters or more) of ``text`` besides names and § numbers."""
    return re.findall(r"[A-Za-z]{3,}", NAMES.sub(" ", text))


def cited(text: str, pattern: re.Pattern = CITATION) -> list[str]:
    """The citations of ``text`` in one notation: T2 (a table), F4 (a figure), §3.2, E4 (an
    equation), in order."""
    return [f"T{t}" if t else f"F{f}" if f else sec if sec else f"E{e}"
            for t, f, sec, e in pattern.findall(text)]


def test_the_word_counter_and_the_citations_can_fail():
    assert words("Table 2, §3.2 (about 20% slower)") == ["Table", "about", "slower"]
    assert words("表 2，§3.2（速度慢约 20%）") == []
    assert cited("Table 2; the speed: §3.2, Fig. 4, eq. 1") == ["T2", "§3.2", "F4", "E1"]
    assert cited("表 2；速度见 §3.2，图 4，公式 1", CITATION_ZH) == ["T2", "§3.2", "F4", "E1"]
    assert cited("表 2；速度见 §3.2", CITATION_ZH) != cited("Table 3, §3.2")


@pytest.mark.parametrize("key", sorted(PAPER_FACTS))
def test_a_citation_in_chinese_is_chinese_and_keeps_the_citations(key):
    f = PAPER_FACTS[key]
    zh, en = f.cite("zh"), f.cite("en")
    assert en == f.source
    assert words(zh) == [], f"{key}: English words in the Chinese citation {zh!r}"
    if re.search(r"[A-Za-z]", f.source):
        assert zh != en, f"{key}: {f.source!r} needs its Chinese form (表 7, not Table 7)"
    assert cited(zh, CITATION_ZH) == cited(en), f"{key}: {zh!r} does not cite what {en!r} cites"
    assert not re.search(r"Table|Fig\.|eq\.|et al", zh), zh


def test_every_citation_is_a_message_of_the_catalog():
    """Every citation is marked for the catalog where it is written (facts.py), bare ones such as
    ``Table 7`` too, so the Chinese edition reads 表 7."""
    from tools.catalog import PACKAGE, extract

    marked = {m.id for m in extract(PACKAGE / "course") if m.id}
    assert {f.source for f in PAPER_FACTS.values()} <= marked


def test_an_inference_is_marked_as_one():
    """§3.1 says "10k iterations with 1e-4 and 1e-5": 10k at each rate is the course's reading."""
    f = PAPER_FACTS["paper_schedule"]
    assert "inference" in f.source and "the paper does not say" in f.source
    assert "论文未明说" in f.cite("zh") and "推断" in f.cite("zh")
    assert "60k" in f.cite("zh")


def test_table_3_rows_and_what_they_take_away():
    """Table 3 takes the coarse maps away first (conv11_2), and every row keeps about 8,732 boxes
    by tiling more scales on the maps that are left: the rows are not "about 8,700" each."""
    maps, boxes = PAPER_FACTS["table3_maps"], PAPER_FACTS["table3_boxes"]
    assert maps.value == (74.3, 74.6, 73.8, 70.7, 64.2, 62.4)
    assert boxes.value == (8732, 8764, 8942, 9864, 9025, 8664)
    assert "conv11_2 first" in maps.what_msgid
    with using_language("zh"):
        assert "conv11_2" in maps.what and "最粗" in maps.what and "8,732" in boxes.what


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
    assert f.cite() == "作者发布的 Caffe 模型（ssd_pascal.py），训练时使用了 §3.6 的缩小（zoom out）增强"
    assert f.value_text() == "共 120k 次迭代，学习率在第 80k 和 100k 次时各乘以 0.1"
    assert f.cite("en") == f.source and f.value_text("en") == f.value      # lang= wins
    assert f.cite() != f.source                                           # and is undone after
    assert PAPER_FACTS["ssd300_boxes"].cite() == "图 2、表 7"
    assert PAPER_FACTS["s_min"].cite() == "§2.2，公式 4"
    language("en")
    assert f.cite() == f.source and f.value_text() == f.value
    assert not CJK.search(f.cite() + f.value_text())
    assert PAPER_FACTS["ssd300_boxes"].cite() == "Fig. 2 and Table 7"


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
        "初始学习率：0.001  [§3 的“Base network”一段]\n"
        "SSD300（07+12 训练）在 VOC2007 测试集上的 mAP：74.3  [表 1、表 7]")
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
    # the speed is in the citation, and it is §3.2's text, not Table 2's
    with using_language("zh"):
        assert "20%" not in PAPER_FACTS["table2_no_atrous"].what
        assert re.search(r"表 2；.*§3\.2.*20%", PAPER_FACTS["table2_no_atrous"].cite())
    assert re.search(r"Table 2;.*§3\.2.*20%", PAPER_FACTS["table2_no_atrous"].source)


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
