"""The course's words: every sentence in the catalog, translated, reviewed, and up to date.

Every sentence a student sees is an English ``msgid`` in the code (``_``, ``N_``, ``ngettext``,
``pgettext``, ``fig``) and its translation in ``ssd_core/locale/<lang>/LC_MESSAGES/
ssd_course.po``. ``tools.catalog.check`` is what ``make check-catalog`` runs; here it runs on
the real catalog (no problem allowed) and on planted faults (each one found).
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

from ssd_core import i18n
from tools import catalog as cat

ROOT = Path(__file__).resolve().parents[1]
ZH = cat.LOCALE / "zh_CN" / "LC_MESSAGES" / "ssd_course.po"
CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.fixture(scope="module")
def template():
    return cat.extract()


def test_the_chinese_catalog_is_complete_reviewed_and_up_to_date(template):
    problems = cat.check(ZH, template)
    assert problems == [], "\n".join(map(str, problems[:40])) + f"\n({len(problems)} in all)"


def test_the_catalog_holds_the_courses_sentences(template):
    catalog = cat.read(ZH)
    messages = [m for m in catalog if m.id]
    assert len(messages) == len([m for m in template if m.id]) > 500
    # every sentence of the catalog is in Chinese where it has words (symbols and code names aside)
    worded = [m for m in messages
              if re.search(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}|`[^`]*`|\w+_\w+", "", str(m.id)))]
    without = [m.id for m in worded if not CJK.search(m.string if isinstance(m.string, str)
                                                     else m.string[0])]
    assert len(without) < 0.1 * len(worded), without


def test_updating_again_changes_nothing(tmp_path, template):
    copy = tmp_path / "ssd_course.po"
    shutil.copy(ZH, copy)
    assert cat.update(copy, template) is False
    assert copy.read_bytes() == ZH.read_bytes()


# ------------------------------------------------------------------ planted faults are found


def planted(tmp_path: Path, edit) -> Path:
    """A copy of the Chinese catalog with ``edit(catalog)`` applied."""
    catalog = cat.read(ZH)
    edit(catalog)
    path = tmp_path / "zh_CN" / "LC_MESSAGES" / "ssd_course.po"
    path.parent.mkdir(parents=True)
    path.write_bytes(cat.render(catalog))
    return path


def first(catalog, pattern: str):
    return next(m for m in catalog if m.id and isinstance(m.id, str) and re.search(pattern, m.id)
                and m.context is None)


def whats(problems) -> list[str]:
    return [p.what for p in problems]


def test_a_changed_english_sentence_makes_its_translation_stale(tmp_path, template):
    """The code's English changes: the catalog is behind; after ``make catalog`` the old
    translation is offered, marked fuzzy, and the check fails until an editor reviews it."""
    path = planted(tmp_path, lambda c: None)
    changed = cat.extract()
    message = first(changed, r"^No installed font draws Chinese")
    changed.delete(message.id)
    changed.add(message.id + " (changed)", None, message.locations)
    before = whats(cat.check(path, changed))
    assert any("not in the catalog" in w for w in before)
    assert any("no longer in the code" in w for w in before)
    assert cat.update(path, changed)
    after = cat.check(path, changed)
    assert [p.msgid for p in after] == [message.id + " (changed)"]
    assert "fuzzy" in after[0].what
    # and an unreviewed translation is never shown
    stale = cat.read(path).get(message.id + " (changed)")
    assert stale.fuzzy and stale.string == cat.read(ZH).get(message.id).string
    i18n._compiled.cache_clear()
    assert i18n._compiled(path, 0).gettext(message.id + " (changed)") == message.id + " (changed)"


def test_a_placeholder_mismatch_is_found(tmp_path, template):
    def edit(c):
        m = first(c, r"\{[a-z_]+[^}]*\}")
        name = re.search(r"\{([a-z_]+)", m.id).group(1)
        m.string = m.string.replace("{" + name, "{" + name + "x", 1)
        edit.id = m.id
    path = planted(tmp_path, edit)
    problems = cat.check(path, template)
    assert [p.msgid for p in problems] == [edit.id]
    assert "placeholders differ" in problems[0].what


def test_a_missing_translation_and_a_forbidden_variant_are_found(tmp_path, template):
    def edit(c):
        a = first(c, r"^default box$")
        a.string = ""
        b = first(c, r"hard negative mining")
        b.string = b.string.replace("难负样本挖掘", "难例挖掘") if "难负样本挖掘" in b.string else b.string + "难例挖掘"
        edit.ids = [a.id, b.id]
    path = planted(tmp_path, edit)
    problems = cat.check(path, template)
    assert sorted(p.msgid for p in problems) == sorted(edit.ids)
    assert sorted(whats(problems)) == sorted(["no translation",
                                              "uses '难例挖掘': the glossary's term is '难负样本挖掘'"])


def test_the_ruled_out_variants_are_found_and_their_neighbours_spared(tmp_path, template):
    """One term per idea: 物体, 学习率计划, 单次检测, a bare epoch are found; 第二阶段 (the second
    stage, not 二阶段 for two-stage) and the gloss 轮（epoch） are not."""
    def edit(c):
        bad = {r"^initial learning rate$": "物体的学习率计划", r"^everything on$": "单次检测，10 个 epoch",
               r"^batch size$": "批大小（第二阶段），3 轮（epoch）"}
        edit.ids = {}
        for pattern, text in bad.items():
            m = first(c, pattern)
            m.string = text
            edit.ids[m.id] = text
    path = planted(tmp_path, edit)
    found = sorted((p.msgid, p.what) for p in cat.check(path, template))
    rules = {bad: term for term, variants in cat.FORBIDDEN["zh"].items() for bad in variants}
    uses = lambda bad: f"uses {bad!r}: the glossary's term is {rules[bad]!r}"
    assert found == sorted([("initial learning rate", uses("物体")),
                            ("initial learning rate", uses("学习率计划")),
                            ("everything on", uses(r"单次(?:多框)?检测")),
                            ("everything on", uses(r"(?<![（(])\b[Ee]pochs?\b(?![）)])"))])


def test_every_ruled_out_variant_is_one_of_the_glossarys_other_names():
    """The glossary is the authority: a Chinese variant the check rules out is one the glossary's
    "also called" column names (so a reader learns it there), and that column names no variant
    the check lets pass as the term itself."""
    from ssd_core.course.glossary import GLOSSARY

    others = "\n".join(t.also for t in GLOSSARY)
    for term, variants in cat.FORBIDDEN["zh"].items():
        for bad in variants:
            if CJK.search(bad):
                assert re.search(bad, others), f"{bad!r} (for {term}) is not in the glossary"
    terms = {t.zh for t in GLOSSARY}
    for term in ("目标", "真实框", "默认框", "骨干网络", "预测头", "宽高比", "步幅", "交并比",
                 "置信度损失", "定位损失", "难负样本挖掘", "空洞卷积", "区域建议网络", "训练方案",
                 "光度畸变"):
        assert term in terms and term in cat.FORBIDDEN["zh"], term


def test_the_glossary_may_name_the_other_names(tmp_path, template):
    """The glossary's "other names" column is where 先验框 belongs; nowhere else."""
    catalog = cat.read(ZH)
    others = [m for m in catalog if m.context == cat.GLOSSARY_CONTEXT]
    assert any("先验框" in m.string for m in others)
    assert cat.check(ZH, template) == []


# ------------------------------------------------------------------ the code side


def package_sources():
    return sorted((ROOT / "ssd_core").rglob("*.py"))


def test_no_text_pairs_are_left():
    pattern = re.compile(r"(?<![.\w])(Text|T)\(")          # widgets.Text( is ipywidgets' text box
    where = [f"{p.relative_to(ROOT)}:{n}" for p in package_sources() + [ROOT / "conftest.py"]
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if pattern.search(line)]
    for nb in sorted((ROOT / "lessons").glob("*/*.ipynb")):
        if pattern.search(nb.read_text(encoding="utf-8")):
            where.append(str(nb.relative_to(ROOT)))
    assert where == []


def docstring_lines(tree: ast.AST) -> set[int]:
    """The lines of the module's, classes' and functions' docstrings."""
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return lines


def chinese_outside_comments(source: str) -> list[int]:
    """Lines whose Chinese is code (a string a student could see), not a comment or a
    docstring (where Chinese explains a Chinese word: 精髓, 字数, 打卡 ...)."""
    import io
    import tokenize

    docs = docstring_lines(ast.parse(source))
    lines = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type != tokenize.COMMENT and CJK.search(tok.string) and tok.start[0] not in docs:
            lines.add(tok.start[0])
    return sorted(lines)


def test_chinese_lives_in_the_catalog_only():
    found = {str(p.relative_to(ROOT)): chinese_outside_comments(p.read_text(encoding="utf-8"))
             for p in package_sources()}
    assert {k: v for k, v in found.items() if v} == {}
    assert chinese_outside_comments('x = 1  # 默认框: the paper\'s "default box"\n') == []
    assert chinese_outside_comments('def f():\n    """Counts 汉字."""\n') == []
    assert chinese_outside_comments('x = "默认框"\n') == [1]
    assert chinese_outside_comments('def f():\n    """Doc."""\n    return "默认框"\n') == [3]


def binds_underscore(tree: ast.AST) -> list[int]:
    """Lines that assign to ``_`` (a loop variable, an unpacking target, a with/except name)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
            out.append(node.lineno)
        elif isinstance(node, ast.ExceptHandler) and node.name == "_":
            out.append(node.lineno)
    return out


def test_no_module_that_translates_with_underscore_rebinds_it():
    bad = {}
    for p in package_sources():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        imports_it = any(isinstance(n, ast.ImportFrom) and any(a.name == "_" for a in n.names)
                         for n in ast.walk(tree))
        if imports_it and binds_underscore(tree):
            bad[str(p.relative_to(ROOT))] = binds_underscore(tree)
    assert bad == {}
    assert binds_underscore(ast.parse("for _ in range(3):\n    pass\n")) == [1]


def test_the_readme_says_how_to_edit_the_words():
    for readme, heading in (("README.md", "修改与翻译课程文字"), ("README.en.md", "Editing the course's text")):
        text = (ROOT / readme).read_text(encoding="utf-8")
        assert heading in text, readme
        assert "make catalog" in text and "make check-catalog" in text, readme
