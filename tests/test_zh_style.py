"""The Chinese edition is written as Chinese (``shared/zh-style.md``): checked on every zh
lesson's markdown, on the Chinese message catalog and on README.md.

The rules, each a function below that returns what it found (and a unit test that plants a
case to show it fails):

* ``cjk_line_breaks``: no line break between two Chinese characters, nor beside Chinese
  punctuation, inside a paragraph. Chromium (JupyterLab, ``make html``) shows such a break as a space:
  ``默认框的尺度⏎由公式决定`` reads ``默认框的尺度 由公式决定``. Breaks between paragraphs,
  list items, table rows, headings, HTML tag lines and inside code fences are fine.
* ``chinese_italics``: no ``*斜体*`` or ``_斜体_`` around Chinese (Chinese has no italic).
* ``cjk_spaces``: no space between two Chinese characters, nor after Chinese punctuation
  (``把握全貌。 读摘要``): the full-width mark has its own space.
* ``unrendered_bold``: no ``**`` left over once the markdown is rendered. CommonMark does not
  close ``**把握全貌。**读摘要`` (a closing ``**`` after punctuation needs a space or punctuation
  after it): write ``**把握全貌**。读摘要``, the mark outside the bold.
* ``halfwidth_punctuation``: no half-width ``, ; : ? !`` right after a Chinese character or
  Chinese punctuation (code, inline code, formulas and link targets set aside).
* ``main_path_hanzi``: a lesson's main path, the 汉字 of its markdown outside
  ``<details>…</details>`` (延伸阅读), is at most ``MAIN_PATH_LIMIT``: about 30 minutes of reading.
* ``forbidden_terms``: the glossary's ruled-out variants (``tools.catalog.FORBIDDEN["zh"]``)
  appear nowhere in the zh prose but in lesson 1's generated glossary (its "other names").
* ``english_citations``: no ``Table 2``, ``Fig. 4``, ``et al.``: 表 2、图 4、Liu 等人.

The catalog's Chinese (``msgstr``) is held to the punctuation rule, to the italics rule and to
the line-break rule; there a line break that the English ``msgid`` also has is the figure's own
(a two-line title in matplotlib), so only breaks the translation adds are counted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import mistune
import pytest

from tools.catalog import FORBIDDEN, catalogs, read

ROOT = Path(__file__).resolve().parents[1]
ZH_LESSONS = sorted((ROOT / "lessons" / "zh").glob("0*.ipynb"))
MAIN_PATH_LIMIT = 6000

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"                   # 汉字
CJK_PUNCT = "\u3000-\u303f\uff00-\uffef"                          # 、。《》「」 ，：；？！（）
#: What a Chinese line is made of at its ends: 汉字, Chinese punctuation, and the quotes,
#: ellipsis and dash that Chinese uses (“” ‘’ …… ——).
SHARED = "\u2018\u2019\u201c\u201d\u2026\u2014"
WIDE = HAN + CJK_PUNCT + SHARED
#: The first line of the generated glossary table in lesson 1 (tests/rebuild_maps.py finds it
#: by the same start): its "other names" column names the ruled-out variants on purpose.
GLOSSARY_HEADS = ("| 英文 | 中文 |", "| English | 中文 |")

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}#{1,6}(\s|$)")
_TABLE = re.compile(r"^\s*\|")
_TAG = re.compile(r"^\s*</?[A-Za-z!]")
_ITEM = re.compile(r"^\s*([-*+]|\d{1,3}[.)])(\s|$)")
_QUOTE = re.compile(r"^\s{0,3}>\s?")
_LINK_END = re.compile(r"\]\([^()\s]*(\([^()]*\))?[^()]*\)$")


def _strip_quote(line: str) -> tuple[int, str]:
    """The depth of blockquote markers before ``line``'s text, and the text."""
    depth = 0
    while (m := _QUOTE.match(line)):
        depth, line = depth + 1, line[m.end():]
    return depth, line


def _code_lines(lines: list[str]) -> list[bool]:
    """Which lines are code: fence lines and the lines between them."""
    out, fence = [], None
    for line in lines:
        m = _FENCE.match(_strip_quote(line)[1])
        if fence is None and m:
            fence = m.group(1)[0] * 3
            out.append(True)
        elif fence is not None:
            out.append(True)
            if m and m.group(1).startswith(fence):
                fence = None
        else:
            out.append(False)
    return out


def _last_visible(line: str) -> str:
    """The last character a reader sees on ``line``: closing emphasis and a link's target
    set aside (``**交并比**``, ``[术语表](01.ipynb)`` end with 比 and 表)."""
    line = line.rstrip()
    for _ in range(3):
        line = _LINK_END.sub("]", line).rstrip("*_~]")
    return line[-1:] if line else ""


def _first_visible(line: str) -> str:
    line = line.lstrip().lstrip("*_~[")
    return line[:1]


def _seen_as_space(last: str, first: str) -> bool:
    """A line break between ``last`` and ``first`` shows as a stray space: between two Chinese
    characters, or beside Chinese punctuation (``，⏎SSD`` reads ``， SSD``). The quotes,
    ellipsis and dash English shares (“” ‘’ … —) count only beside a Chinese character."""
    if not last or not first:
        return False
    both = re.match(f"[{WIDE}]", last) and re.match(f"[{WIDE}]", first)
    shared = re.match(f"[{SHARED}]", last) and re.match(f"[{SHARED}]", first)
    return bool((both and not shared) or re.match(f"[{CJK_PUNCT}]", last)
                or re.match(f"[{CJK_PUNCT}]", first))


def cjk_line_breaks(markdown: str) -> list[str]:
    """Each line break inside a paragraph (or list item, or quote) between two Chinese
    characters, as ``前文⏎后文``."""
    lines = markdown.split("\n")
    code = _code_lines(lines)
    found = []
    for i in range(len(lines) - 1):
        if code[i] or code[i + 1]:
            continue
        qa, a = _strip_quote(lines[i])
        qb, b = _strip_quote(lines[i + 1])
        if qa != qb or not a.strip() or not b.strip():
            continue                                        # a new block or a blank line
        if any(p.match(x) for p in (_HEADING, _TABLE, _TAG) for x in (a, b)) or _ITEM.match(b):
            continue
        if a.strip().startswith("$$") or b.strip().startswith("$$"):
            continue
        if a.endswith(("  ", "\\")):                        # a hard break (<br>), not a space
            continue
        if _seen_as_space(_last_visible(a), _first_visible(b)):
            found.append(f"{a.strip()[-12:]}⏎{b.strip()[:12]}")
    return found


_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
_DISPLAY_MATH = re.compile(r"\$\$.+?\$\$", re.S)
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<![\s\\])\$")
_LINK = re.compile(r"(!?)\[([^\]\n]*)\]\([^()\s]*(?:\([^()]*\))?[^()]*\)")
_URL = re.compile(r"<?https?://[^\s)>]+>?")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|%(\([^)]*\))?[-#0 +]*\d*(\.\d+)?[sdifgexr%]")
_HIDDEN = "\u2063"                      # stands for what was set aside: neither Chinese nor Latin


def prose(markdown: str) -> str:
    """``markdown`` as a reader reads it: fenced code, inline code, formulas, comments and link
    targets replaced by a neutral mark (a link keeps its text); line breaks kept."""
    lines = markdown.split("\n")
    code = _code_lines(lines)
    text = "\n".join("" if c else line for line, c in zip(lines, code))
    text = _COMMENT.sub(_HIDDEN, text)
    text = _DISPLAY_MATH.sub(lambda m: _HIDDEN + "\n" * m.group(0).count("\n"), text)
    text = _INLINE_CODE.sub(_HIDDEN, text)
    text = _INLINE_MATH.sub(_HIDDEN, text)
    text = _LINK.sub(lambda m: m.group(2), text)
    return _URL.sub(_HIDDEN, text)


_ITALIC = re.compile(r"(?<![*\\])(\*{3}|\*)(?![\s*])((?:(?!\n\s*\n)[^*]|\*\*)+?)(?<![\s*])\1(?!\*)"
                     r"|(?<![A-Za-z0-9_\\])(_{3}|_)(?![\s_])((?:(?!\n\s*\n)[^_])+?)(?<![\s_])\3(?![A-Za-z0-9_])")


def chinese_italics(markdown: str) -> list[str]:
    """Each ``*…*``, ``***…***`` or ``_…_`` whose text has a Chinese character."""
    text = prose(markdown)
    found = []
    for m in _ITALIC.finditer(text):
        body = m.group(2) if m.group(2) is not None else m.group(4)
        if re.search(f"[{HAN}]", body):
            found.append(m.group(0)[:40])
    return found


def halfwidth_punctuation(text: str, markdown: bool = True) -> list[str]:
    """Each half-width ``, ; : ? !`` right after a Chinese character or Chinese punctuation
    (``默认框,``), emphasis marks between them aside (``**交并比**:``)."""
    text = prose(text) if markdown else _PLACEHOLDER.sub(_HIDDEN, text)
    return [text[max(0, m.start() - 10):m.end()]
            for m in re.finditer(f"[{HAN}{CJK_PUNCT}][*_]*[,;:?!]", text)]


def cjk_spaces(markdown: str) -> list[str]:
    """Each space between two Chinese characters, or right after Chinese punctuation, in the
    prose (code, formulas and table rows set aside: a table's cells are padded with spaces)."""
    text = "\n".join(line for line in prose(markdown).split("\n") if not _TABLE.match(line))
    pattern = f"[{HAN}][*_]*[ \t\u3000]+[*_]*[{HAN}]|[{CJK_PUNCT}][*_]*[ \t]+[*_]*\\S"
    return [text[max(0, m.start() - 8):m.end() + 4] for m in re.finditer(pattern, text)]


def unrendered_bold(markdown: str) -> list[str]:
    """Each ``**`` that nbconvert's renderer (mistune, CommonMark's emphasis rules, as
    JupyterLab's) leaves as two asterisks on the page."""
    found = []
    for line in prose(markdown).split("\n\n"):
        text = re.sub(r"<[^>]+>", "", mistune.html(line))
        marks = list(re.finditer(r"\*\*", text))[::2]           # one for each pair
        found += [text[max(0, m.start() - 4):m.end() + 16].strip() for m in marks]
    return found


def han_count(text: str) -> int:
    return len(re.findall(f"[{HAN}]", text))


def without_details(markdown: str) -> str:
    """``markdown`` less every ``<details>…</details>`` block (延伸阅读), nested ones too."""
    out, depth = [], 0
    for piece in re.split(r"(<details\b[^>]*>|</details\s*>)", markdown, flags=re.I):
        if re.fullmatch(r"<details\b[^>]*>", piece, flags=re.I):
            depth += 1
        elif re.fullmatch(r"</details\s*>", piece, flags=re.I):
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(piece)
    return "".join(out)


def main_path_hanzi(cells: list[str]) -> int:
    """The 汉字 of a lesson's main path: its markdown cells' prose outside ``<details>``."""
    return sum(han_count(prose(without_details(c))) for c in cells)


def forbidden_terms(text: str, language: str = "zh") -> list[str]:
    """Each ruled-out variant of a glossary term (``FORBIDDEN``) found in ``text``'s prose."""
    words = prose(text)
    return [f"{bad} (write {term})" for term, variants in FORBIDDEN.get(language, {}).items()
            for bad in variants if re.search(bad, words)]


_ENGLISH_CITATION = re.compile(r"\b(?:Tables?\s*\d|Fig(?:ure)?s?\.?\s*\d|et\s+al\b\.?)")


def english_citations(markdown: str) -> list[str]:
    """Each ``Table 2``, ``Fig. 4``/``Figure 4``, ``et al.`` in the prose."""
    return [m.group(0) for m in _ENGLISH_CITATION.finditer(prose(markdown))]


# ------------------------------------------------------------------------ the checkers can fail

def test_line_breaks_between_chinese_characters_are_found():
    assert cjk_line_breaks("默认框的尺度\n由公式决定。") == ["默认框的尺度⏎由公式决定。"]
    assert cjk_line_breaks("它的**交并比**\n（IoU）很高") != []            # emphasis aside
    assert cjk_line_breaks("见[术语表](01.ipynb#术语表)\n里的说明") != []   # a link's target aside
    assert cjk_line_breaks("1. 准确说出检测器，\n   并用两种格式") != []   # inside a list item
    assert cjk_line_breaks("> 请读论文的第 5 版，\n> 本课程引用它。") != []  # inside a quote
    # breaks a reader does not see as a space
    assert cjk_line_breaks("第一段。\n\n第二段。") == []
    assert cjk_line_breaks("# 标题\n正文。") == []
    assert cjk_line_breaks("本课你将：\n1. 读论文；\n2. 写总结。") == []
    assert cjk_line_breaks("- 第一项；\n- 第二项。") == []
    assert cjk_line_breaks("| 中文 | 说明 |\n| 中文 | 说明 |") == []
    assert cjk_line_breaks("```\n中文\n中文\n```") == []
    assert cjk_line_breaks("<details><summary>延伸阅读：历史</summary>\n\n正文。\n\n</details>") == []
    assert cjk_line_breaks("SSD: Single Shot\nMultiBox Detector") == []
    assert cjk_line_breaks("先读论文 SSD\n再读代码") == []                 # a Latin end: optional space
    assert cjk_line_breaks("的部分；\n§3 中一段") != []                  # beside Chinese punctuation
    assert cjk_line_breaks("见论文 SSD\n，再读代码") != []
    assert cjk_line_breaks("“Matching strategy”\n“Training”") == []       # English's quotes


def test_italics_on_chinese_are_found():
    assert chinese_italics("这是*更低*的分数") == ["*更低*"]
    assert chinese_italics("这是_更低_的分数") == ["_更低_"]
    assert chinese_italics("***粗斜体***") != []
    assert chinese_italics("*ssd-course 第 1 次课，\n论文导读*") != []      # over a line break
    assert chinese_italics("**加粗**可以，`a*b*c` 也可以，$x_i y_j$ 也可以，conv4_3 和 *y* 轴也可以") == []
    assert chinese_italics("* 第一项\n* 第二项") == []


def test_spaces_between_chinese_and_unrendered_bold_are_found():
    assert cjk_spaces("**把握全貌。** 读摘要") != []
    assert cjk_spaces("保留 3N + 批大小 个负样本") != []
    assert cjk_spaces("以及 模型") != []
    assert cjk_spaces("用 `make lab` 打开，SSD 在 2016 年；见“表 2”。") == []
    assert cjk_spaces("| 中文 | 说明 |") == [] and cjk_spaces("```\n中文 中文\n```") == []
    assert unrendered_bold("**把握全貌。**读摘要") == ["**把握全貌。**读摘要"]
    assert unrendered_bold("正文。**把握全貌。**读摘要") != []
    assert unrendered_bold("中文**（注）**中文") != []
    assert unrendered_bold("**把握全貌**。读摘要；**交并比**（IoU）；`a**b`") == []


def test_halfwidth_punctuation_after_chinese_is_found():
    for mark in ",;:?!":
        assert halfwidth_punctuation(f"默认框{mark}真实框") != [], mark
    assert halfwidth_punctuation("（见上文）, 然后") != []
    assert halfwidth_punctuation("**交并比**: 两框之比") != []
    assert halfwidth_punctuation("[术语表](a.ipynb): 见此") != []
    ok = "默认框，真实框：见 `f(a, b)`、$\\min(a, b)$、[链接](https://x.org/?a=1:2)、SSD300: 74.3"
    assert halfwidth_punctuation(ok) == []
    assert halfwidth_punctuation("{name}: 正样本{count}", markdown=False) == []
    assert halfwidth_punctuation("正样本数, 负样本数", markdown=False) != []


def test_main_path_counts_the_hanzi_outside_details():
    folded = "<details><summary>延伸阅读：历史</summary>\n\n" + "汉" * 50 + "\n\n</details>"
    assert main_path_hanzi(["正文十个汉字在这里呀", folded, "```\n# 代码里的注释\n```"]) == 10
    assert main_path_hanzi(["汉" * (MAIN_PATH_LIMIT + 1)]) > MAIN_PATH_LIMIT
    nested = "<details>外<details>内</details>外</details>留"
    assert main_path_hanzi([nested]) == 1


def test_forbidden_variants_and_english_citations_are_found():
    assert forbidden_terms("SSD 的先验框") == ["先验框 (write 默认框)"]
    assert forbidden_terms("训练 40 个 epoch") != []
    assert forbidden_terms("训练 40 轮（epoch）；`epochs=40`") == []
    assert forbidden_terms("主干网络") and forbidden_terms("检测头")
    assert english_citations("见 Table 2 和 Fig. 4，Liu et al. 写道") == ["Table 2", "Fig. 4", "et al."]
    assert english_citations("见表 2 和图 4，Liu 等人写道；`Table 2`") == []


# ------------------------------------------------------------------------ the real files

def _markdown_cells(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]


def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{where}: {len(items)}: " + " | ".join(i.replace("\n", "⏎") for i in items[:8])
                     + (" ..." if len(items) > 8 else "")
                     for where, items in found.items() if items)


@pytest.mark.parametrize("lesson", ZH_LESSONS, ids=lambda p: p.stem)
def test_zh_lesson_is_written_as_chinese(lesson):
    cells = _markdown_cells(lesson)
    found = {"line break inside a Chinese paragraph": [], "italics on Chinese": [],
             "space between Chinese or after Chinese punctuation": [],
             "bold the renderer leaves as ** (write **标题**。)": [],
             "half-width punctuation after Chinese": [], "ruled-out term": [],
             "English citation": []}
    for cell in cells:
        found["line break inside a Chinese paragraph"] += cjk_line_breaks(cell)
        found["space between Chinese or after Chinese punctuation"] += cjk_spaces(cell)
        found["bold the renderer leaves as ** (write **标题**。)"] += unrendered_bold(cell)
        found["italics on Chinese"] += chinese_italics(cell)
        found["half-width punctuation after Chinese"] += halfwidth_punctuation(cell)
        found["English citation"] += english_citations(cell)
        if not cell.lstrip().startswith(GLOSSARY_HEADS):
            found["ruled-out term"] += forbidden_terms(cell)
    if any(found.values()):
        pytest.fail(f"{lesson.name}:\n{_report(found)}", pytrace=False)


@pytest.mark.parametrize("lesson", ZH_LESSONS, ids=lambda p: p.stem)
def test_zh_lesson_main_path_is_one_session_of_reading(lesson):
    count = main_path_hanzi(_markdown_cells(lesson))
    if count > MAIN_PATH_LIMIT:
        pytest.fail(f"{lesson.name}: {count} 汉字 on the main path (limit {MAIN_PATH_LIMIT}): move "
                    "detail into a folded <details><summary>延伸阅读：…</summary> block", pytrace=False)


def test_zh_catalog_is_written_as_chinese():
    catalog = read(catalogs()["zh_CN"])
    found = {"line break the English does not have": [], "half-width punctuation after Chinese": [],
             "italics on Chinese": []}
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        for s in ([m.string] if isinstance(m.string, str) else list(m.string)):
            if not s:
                continue
            text = _PLACEHOLDER.sub(_HIDDEN, s)
            if s.count("\n") > max(i.count("\n") for i in ids):
                found["line break the English does not have"] += cjk_line_breaks(text)
            found["half-width punctuation after Chinese"] += halfwidth_punctuation(s, markdown=False)
            found["italics on Chinese"] += chinese_italics(text)
    if any(found.values()):
        pytest.fail("ssd_course.po (zh_CN):\n" + _report(found), pytrace=False)


@pytest.mark.parametrize("name", ["README.md", "lessons/README.md"])
def test_readme_has_no_line_break_inside_a_chinese_paragraph(name):
    readme = (ROOT / name).read_text(encoding="utf-8")
    found = {"line break inside a Chinese paragraph": cjk_line_breaks(readme),
             "italics on Chinese": chinese_italics(readme),
             "half-width punctuation after Chinese": halfwidth_punctuation(readme),
             "space between Chinese or after Chinese punctuation": cjk_spaces(readme),
             "bold the renderer leaves as **": unrendered_bold(readme)}
    if any(found.values()):
        pytest.fail(f"{name}:\n" + _report(found), pytrace=False)
