"""The two editions of the course: the same lessons, the same code, each in its language.

* Every lesson exists in ``lessons/zh/`` (the default) and ``lessons/en/``. Their code cells do
  the same thing: cell by cell, the two syntax trees are identical once string constants and
  comments are set aside, so a changed call, number, name or cell fails. A string constant may
  differ only where it is a translation: the Chinese one has a non-ASCII character and the
  English one has no Chinese character; every other string (a key, a file name, a format spec)
  is the same in both. The first cell picks the edition's language with
  ``ssd.set_language("zh")`` / ``("en")``.
* Each edition's code is in its own language: a Chinese code cell has no comment left in
  English, an English code cell has no Chinese character in a string or a comment, and no
  notebook prints through ``T(english, 中文)`` or imports ``Text``.
* Every markdown cell of the Chinese edition is written in Chinese: code, formulas, links and
  the names of functions aside, it has more Chinese characters than English words.
* Both are stored without outputs.
"""

from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "lessons"
NAMES = sorted(p.name for p in (LESSONS / "en").glob("0*.ipynb"))
EDITIONS = ("zh", "en")
#: Chinese characters and the full-width punctuation written with them.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def code_cells(path: Path) -> list[dict]:
    return [c for c in cells(path) if c["cell_type"] == "code"]


def code(path: Path) -> list[str]:
    return ["".join(c["source"]) for c in code_cells(path)]


def python(source: str) -> str:
    """A code cell as plain Python: its IPython ``%`` lines blanked (line numbers kept)."""
    return "\n".join("" if line.lstrip().startswith("%") else line for line in source.split("\n"))


def magics(source: str) -> list[str]:
    return [line.strip() for line in source.split("\n") if line.lstrip().startswith("%")]


def comments(source: str) -> list[tuple[int, str]]:
    """(line, text) of every comment of a code cell."""
    tokens = tokenize.generate_tokens(io.StringIO(python(source)).readline)
    return [(t.start[0], t.string) for t in tokens if t.type == tokenize.COMMENT]


def test_five_lessons_in_each_edition():
    assert len(NAMES) == 5
    assert sorted(p.name for p in (LESSONS / "zh").glob("0*.ipynb")) == NAMES


# ------------------------------------------------------------------ the same code in both


def string_problem(zh: str, en: str) -> str | None:
    """Why two corresponding strings may not stand side by side, or None when they may.

    Equal strings always may. Different ones only as a translation: the Chinese one has a
    non-ASCII character and the English one no Chinese character."""
    if zh == en:
        return None
    if not any(ord(ch) > 127 for ch in zh):
        return f"the string {en!r} is {zh!r} in zh: only a translation may differ"
    if CJK.search(en):
        return f"the English {en!r} (zh {zh!r}) has Chinese in it"
    return None


def _fstring_parts(node: ast.JoinedStr) -> tuple[list[str], list[ast.AST]]:
    """An f-string's literal text between its fields (one more than the fields), and the fields."""
    texts, fields = [""], []
    for value in node.values:
        if isinstance(value, ast.FormattedValue):
            fields.append(value)
            texts.append("")
        else:
            texts[-1] += value.value
    return texts, fields


def _compare(zh, en, where: str, problems: list[str]) -> None:
    if isinstance(zh, list) or isinstance(en, list):
        if not (isinstance(zh, list) and isinstance(en, list)) or len(zh) != len(en):
            problems.append(f"{where}: {_show(zh)} in zh, {_show(en)} in en")
            return
        for k, (a, b) in enumerate(zip(zh, en)):
            _compare(a, b, f"{where}[{k}]", problems)
        return
    if not isinstance(zh, ast.AST) or not isinstance(en, ast.AST):
        if type(zh) is not type(en) or zh != en:
            problems.append(f"{where}: {zh!r} in zh, {en!r} in en")
        return
    if type(zh) is not type(en):
        problems.append(f"{where}: {_show(zh)} in zh, {_show(en)} in en")
        return
    line = f"line {getattr(zh, 'lineno', '?')}"
    if isinstance(zh, ast.Constant) and isinstance(zh.value, str) and isinstance(en.value, str):
        if (problem := string_problem(zh.value, en.value)) is not None:
            problems.append(f"{line}: {problem}")
        return
    if isinstance(zh, ast.JoinedStr):
        (zh_texts, zh_fields), (en_texts, en_fields) = _fstring_parts(zh), _fstring_parts(en)
        if len(zh_fields) != len(en_fields):
            problems.append(f"{line}: an f-string has {len(zh_fields)} fields in zh, "
                            f"{len(en_fields)} in en")
            return
        for a, b in zip(zh_texts, en_texts):
            if (problem := string_problem(a, b)) is not None:
                problems.append(f"{line}: in an f-string, {problem}")
        _compare(zh_fields, en_fields, f"{line}: the fields of an f-string", problems)
        return
    if isinstance(zh, ast.Constant) and (type(zh.value) is not type(en.value) or zh.value != en.value):
        problems.append(f"{line}: {zh.value!r} in zh, {en.value!r} in en")
        return
    for (field, a), (_, b) in zip(ast.iter_fields(zh), ast.iter_fields(en)):
        _compare(a, b, f"{line}: {type(zh).__name__}.{field}", problems)


def _show(node) -> str:
    if isinstance(node, list):
        return f"{len(node)} item(s)"
    if isinstance(node, ast.AST):
        return f"{type(node).__name__} {ast.unparse(node)[:80]!r}" if hasattr(node, "lineno") \
            else type(node).__name__
    return repr(node)


def language_calls(source: str) -> list[object]:
    """The arguments of every ``ssd.set_language(...)`` in a code cell."""
    return [ast.literal_eval(node.args[0]) if node.args else None
            for node in ast.walk(ast.parse(python(source)))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "set_language"
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "ssd"]


def cell_differences(zh: str, en: str) -> list[str]:
    """What makes two corresponding code cells more than two editions of the same code: a
    difference in their syntax trees besides string constants (the rule of
    :func:`string_problem` for those; comments are not in the tree), or in their ``%`` lines."""
    problems: list[str] = []
    if magics(zh) != magics(en):
        problems.append(f"the % lines differ: {magics(zh)} in zh, {magics(en)} in en")
    zh_tree, en_tree = ast.parse(python(zh)), ast.parse(python(en))
    # the one string that differs without being a translation: the edition's language
    for tree, lang in ((zh_tree, "zh"), (en_tree, "en")):
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "set_language" and len(node.args) == 1
                    and isinstance(node.args[0], ast.Constant) and node.args[0].value == lang):
                node.args[0].value = "LANGUAGE"
    _compare(zh_tree, en_tree, "the module", problems)
    return problems


def edition_differences(zh: list[str], en: list[str]) -> list[str]:
    """:func:`cell_differences` for a lesson's code cells, in order; the first one sets the
    edition's language."""
    if len(zh) != len(en):
        return [f"{len(zh)} code cells in zh, {len(en)} in en"]
    problems = []
    for lang, first in (("zh", zh[0]), ("en", en[0])):
        if language_calls(first) != [lang]:
            problems.append(f"the first code cell of the {lang} edition sets the language with "
                            f"ssd.set_language({lang!r}), not {language_calls(first)}")
    for k, (a, b) in enumerate(zip(zh, en)):
        problems += [f"code cell {k}: {p}" for p in cell_differences(a, b)]
    return problems


@pytest.mark.parametrize("name", NAMES)
def test_both_editions_run_the_same_code(name):
    zh, en = code_cells(LESSONS / "zh" / name), code_cells(LESSONS / "en" / name)
    assert [c.get("id") for c in zh] == [c.get("id") for c in en], \
        f"{name}: the code cells are not the same cells, in the same order, in both editions"
    problems = edition_differences(code(LESSONS / "zh" / name), code(LESSONS / "en" / name))
    assert not problems, f"{name}:\n" + "\n".join(problems)


# ------------------------------------------------------------------ each in its own language


def untranslated_comments(source: str) -> list[str]:
    """The comments of a Chinese code cell that are still English: two or more English words
    (runs of three Latin letters or more that are not names the cell's code uses) and no
    Chinese character."""
    code_names = {t.string for t in tokenize.generate_tokens(io.StringIO(python(source)).readline)
                  if t.type == tokenize.NAME}
    found = []
    for line, text in comments(source):
        if CJK.search(text):
            continue
        words = [w for w in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)
                 if re.search(r"[A-Za-z]{3}", w) and w not in code_names]
        if len(words) >= 2:
            found.append(f"line {line}: translate this comment: {text}")
    return found


def chinese_in_english(source: str) -> list[str]:
    """The strings and comments of an English code cell that have Chinese in them."""
    found = [f"line {line}: Chinese in the comment {text}" for line, text in comments(source)
             if CJK.search(text)]
    for node in ast.walk(ast.parse(python(source))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
            found.append(f"line {node.lineno}: Chinese in the string {node.value!r}")
    return found


def text_calls(source: str) -> list[str]:
    """``T(...)`` calls and imports of ``Text`` in a code cell: gone, each edition prints its
    own language with a plain string."""
    found = []
    for node in ast.walk(ast.parse(python(source))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "T":
            found.append(f"line {node.lineno}: {ast.unparse(node)[:80]}")
        if isinstance(node, ast.ImportFrom | ast.Import):
            for alias in node.names:
                if alias.name.split(".")[-1] == "Text" or alias.asname == "T":
                    found.append(f"line {node.lineno}: imports {alias.name}")
    return found


@pytest.mark.parametrize("name", NAMES)
def test_no_comment_of_the_chinese_edition_is_left_in_english(name):
    problems = [f"code cell {k}, {p}" for k, source in enumerate(code(LESSONS / "zh" / name))
                for p in untranslated_comments(source)]
    assert not problems, f"zh/{name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("name", NAMES)
def test_the_english_edition_has_no_chinese_in_its_code(name):
    problems = [f"code cell {k}, {p}" for k, source in enumerate(code(LESSONS / "en" / name))
                for p in chinese_in_english(source)]
    assert not problems, f"en/{name}:\n" + "\n".join(problems)


@pytest.mark.parametrize("edition", EDITIONS)
def test_no_lesson_prints_through_T(edition):
    for name in NAMES:
        for k, cell in enumerate(cells(LESSONS / edition / name)):
            source = "".join(cell["source"])
            if cell["cell_type"] == "code":
                problems = text_calls(source)
            else:
                problems = [f"shows {m}" for m in re.findall(r"\bT\(.{0,40}", source)]
            assert not problems, f"{edition}/{name}, cell {k}: " + "; ".join(problems)


# ------------------------------------------------------------------ the checks can fail

ZH = '''\
from ssd_core.viz.pictures import load_sample

cat = load_sample("chelsea")                # [1, 3, 300, 300]，取值在 [0, 1] 内
iou = ssd.box_iou(cat.boxes, priors)        # [目标数, 8732]
print("{w} × {h} 像素".format(w=cat.hw[1], h=cat.hw[0]))
print(f"缩小后 ×{iou.max():.2f}", iou[0, 2])
'''
EN = '''\
from ssd_core.viz.pictures import load_sample

cat = load_sample("chelsea")                # [1, 3, 300, 300] in [0, 1]
iou = ssd.box_iou(cat.boxes, priors)        # [objects, 8732]
print("{w} x {h} pixels".format(w=cat.hw[1], h=cat.hw[0]))
print(f"zoomed out x{iou.max():.2f}", iou[0, 2])
'''
FIRST_ZH = 'import ssd_core as ssd\n\nssd.set_language("zh")      # 本版的语言\n'
FIRST_EN = 'import ssd_core as ssd\n\nssd.set_language("en")      # this edition\'s language\n'


def test_a_translated_pair_of_cells_passes():
    assert cell_differences(ZH, EN) == []
    assert edition_differences([FIRST_ZH, ZH], [FIRST_EN, EN]) == []
    assert untranslated_comments(ZH) == [] and chinese_in_english(EN) == []
    assert text_calls(ZH) == [] and text_calls(EN) == []


@pytest.mark.parametrize("old, new", [
    ("iou[0, 2]", "iou[0, 1]"),                         # a number
    ("ssd.box_iou(", "ssd.box_giou("),                  # a call
    ("load_sample(", "ssd.load_sample("),               # where a call comes from
    ("cat.boxes, priors", "cat.boxes, default_boxes"),  # a name
    ("w=cat.hw[1]", "width=cat.hw[1]"),                 # a keyword
    ('load_sample("chelsea")', 'load_sample("coffee")'),  # a string that is not a sentence
    (":.2f}", ":.3f}"),                                 # a format spec inside an f-string
    ("{iou.max():.2f}", "{iou.min():.2f}"),             # a field of an f-string
    ('"zoomed out x', '"zoomed out x{cat.hw}'),        # an f-string field more
    ("pixels", "像素 pixels"),                            # Chinese left in the English string
    ("print(f", "display(f"),                           # a renamed call
])
def test_a_planted_difference_is_caught(old, new):
    assert EN.count(old) == 1, old
    planted = EN.replace(old, new)
    assert cell_differences(ZH, planted), f"{old!r} -> {new!r} was not caught"
    assert edition_differences([FIRST_ZH, ZH], [FIRST_EN, planted])


def test_a_planted_cell_or_language_is_caught():
    assert edition_differences([FIRST_ZH, ZH], [FIRST_EN, EN, "print(1)\n"])    # a cell added
    assert edition_differences([FIRST_ZH, ZH], [FIRST_EN])                      # a cell removed
    assert edition_differences([FIRST_ZH, ZH], [FIRST_ZH, EN])                  # en says "zh"
    assert edition_differences([FIRST_EN, ZH], [FIRST_EN, EN])                  # zh says "en"
    assert edition_differences(["%matplotlib inline\n" + FIRST_ZH, ZH], [FIRST_EN, EN])
    assert cell_differences('x = 1\n', 'x = 1\ny = 2\n')                       # a line more
    assert cell_differences('print("a", "b")\n', 'print("a")\n')               # an argument less


def test_the_string_rule_by_hand():
    assert string_problem("chelsea", "chelsea") is None
    assert string_problem("默认框", "default box") is None
    assert string_problem("× {h}", "x {h}") is None           # non-ASCII: a translation
    assert string_problem("chelsea", "coffee")                # ASCII in zh: must be equal
    assert string_problem("默认框", "默认 box")                 # Chinese left in the English


def test_a_planted_english_comment_in_chinese_is_caught():
    planted = ZH.replace("# [目标数, 8732]", "# [objects, 8732]: one row per object")
    assert len(untranslated_comments(planted)) == 1
    assert untranslated_comments("x = 1   # the network alone, no NMS\n")
    # what may stay: shapes, code names, one term, the names the cell uses
    assert untranslated_comments("priors = f(config)   # [8732, 4] cxcywh\n") == []
    assert untranslated_comments("boxes = priors(config)   # priors, config\n") == []
    assert untranslated_comments("x = 1   # 只运行网络本身，不做 NMS\n") == []


def test_planted_chinese_in_english_code_is_caught():
    assert chinese_in_english('STUDENT = ""   # your name, 你的名字\n')
    assert chinese_in_english('print("SSD 用六个特征图预测。")\n')
    assert chinese_in_english('print(f"{n} 字: {text}")\n')
    assert chinese_in_english(EN) == []


def test_planted_T_calls_are_caught():
    assert text_calls('from ssd_core.course import Text as T\n')
    assert text_calls('from ssd_core.course.text import Text\n')
    assert text_calls('print(T("box", "默认框").format(k=1))\n')
    assert text_calls(ZH) == []


# ------------------------------------------------------------------ the Chinese prose

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


@pytest.mark.parametrize("edition", EDITIONS)
def test_stored_without_outputs(edition):
    for name in NAMES:
        for cell in cells(LESSONS / edition / name):
            if cell["cell_type"] == "code":
                assert not cell.get("outputs") and cell.get("execution_count") is None, \
                    f"{edition}/{name} has stored outputs: clear them"
