"""The course's message catalogs: bring them up to date with the code, and check them.

    python -m tools.catalog update    # make catalog: new sentences in, removed ones out
    python -m tools.catalog check     # make check-catalog: what tests/test_catalog.py checks

``update`` is ``pybabel extract`` followed by ``pybabel update``, through Babel's API so that
the catalogs only change where the sentences did: a new English sentence arrives with an empty
translation; a changed one arrives marked *fuzzy* with the old translation as a suggestion
(an editor reviews it and removes the mark); a removed one goes. Locations name the file only,
so moving code does not touch the catalog.

``check`` lists every problem in words: a message without translation, a fuzzy (unreviewed)
one, placeholders that differ between the English and the translation, a catalog behind the
code, and a term the glossary has ruled out (``FORBIDDEN``).
"""

from __future__ import annotations

import io
import re
import string
import sys
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "ssd_core"
LOCALE = PACKAGE / "locale"
DOMAIN = "ssd_course"
#: Babel's keywords (``_``, ``N_``, ``ngettext``, ``pgettext`` ...) and the figures' ``fig``
#: and ``pfig`` (``ssd_core.fonts``: ``fig(msgid, ...)``, ``pfig(context, msgid, ...)``).
KEYWORDS = {**DEFAULT_KEYWORDS, "fig": None, "pfig": ((1, "c"), 2)}
#: Comments above a marked sentence that start so go to the translator.
COMMENT_TAGS = ("TRANSLATORS:",)
WIDTH = 100

#: Words a catalog must not use, per language: the glossary's term for the idea, then the
#: variants ruled out (regular expressions; placeholders are set aside before they are read).
#: The glossary's "other names" column (``ssd_core/course/glossary.py``) names them, and only
#: there may they appear: one term per idea in every message (tests/test_zh_style.py holds the
#: zh lessons to the same table). 锚框 is not here: it is the right word for Faster R-CNN's and
#: YOLOv2's anchors, a neighbouring idea the course also names.
FORBIDDEN: dict[str, dict[str, tuple[str, ...]]] = {
    "zh": {
        "目标": ("物体",),
        "真实框": ("标注框",),
        "默认框": ("先验框",),
        "骨干网络": ("主干", "基础网络"),
        "预测头": ("检测头",),
        "宽高比": ("纵横比",),
        "步幅": ("步长",),
        "交并比": ("Jaccard 重叠",),
        "置信度损失": ("分类损失",),
        "定位损失": ("回归损失",),
        "难负样本挖掘": ("难例挖掘",),
        "空洞卷积": ("膨胀卷积", "扩张卷积"),
        "区域建议网络": ("候选区域网络",),
        "RoI 池化": ("感兴趣区域池化",),
        # single shot is 单阶段 (d2l's 单发多框检测 and 单次检测 are other names)
        "单阶段": (r"(?<!第)一阶段", r"单次(?:多框)?检测", "单发"),
        "两阶段": (r"(?<!第)二阶段",),
        "光度畸变": ("光度失真",),
        "训练方案": ("学习率计划",),
        "精确率": ("查准率",),
        "召回率": ("查全率",),
        # an English gloss in brackets, 轮（epoch）, is how a term is introduced
        "轮": (r"(?<![（(])\b[Ee]pochs?\b(?![）)])",),
    },
}
#: Messages that may name a ruled-out variant: the glossary's "other names" column.
GLOSSARY_CONTEXT = "glossary: other names"


def catalogs() -> dict[str, Path]:
    """Each catalog of the package: its folder's language name (``zh_CN``) -> ``.po``."""
    return {p.parent.parent.name: p for p in sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def extract(root: Path = PACKAGE) -> Catalog:
    """Every marked sentence of ``root``'s Python files, as a template (``.pot``) would hold."""
    template = Catalog(project="ssd-course", domain=DOMAIN, fuzzy=False)
    method_map = [("**.py", "python")]
    for filename, lineno, message, comments, context in extract_from_dir(
            root, method_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS, strip_comment_tags=True):
        path = (root / filename).relative_to(ROOT).as_posix()
        template.add(message, None, [(path, lineno)], auto_comments=comments, context=context)
    return template


def read(path: Path) -> Catalog:
    with open(path, "rb") as f:
        return read_po(f, abort_invalid=True)


def render(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=WIDTH, include_lineno=False, ignore_obsolete=True,
             sort_by_file=False)
    return out.getvalue()


def _key(message) -> tuple:
    msgid = message.id if isinstance(message.id, str) else tuple(message.id)
    return (message.context, msgid)


def _locations(message) -> list[str]:
    return sorted({path for path, _ in message.locations})


def update(path: Path, template: Catalog | None = None) -> bool:
    """Bring the catalog at ``path`` up to date with the code; True when it changed."""
    template = template or extract()
    before = path.read_bytes()
    catalog = read(path)
    created = catalog.creation_date
    catalog.update(template, no_fuzzy_matching=False, update_header_comment=False)
    catalog.obsolete.clear()
    catalog.creation_date = created          # the sentences are what counts, not when we looked
    after = render(catalog)
    if after == before:
        return False
    tmp = path.with_suffix(".po.tmp")
    tmp.write_bytes(after)
    tmp.replace(path)
    return True


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a catalog, said so that an editor can fix it."""

    catalog: str
    msgid: str
    what: str
    context: str | None = None

    def __str__(self) -> str:
        where = f" (context {self.context!r})" if self.context else ""
        return f"{self.catalog}: {self.what}: {self.msgid!r}{where}"


def _fields(text: str) -> list[str]:
    try:
        return sorted(f"{{{name}{':' + spec if spec else ''}{'!' + conv if conv else ''}}}"
                      for _, name, spec, conv in string.Formatter().parse(text) if name is not None)
    except ValueError as e:                           # an unmatched brace
        return [f"<bad braces: {e}>"]


def _percent(text: str) -> list[str]:
    return sorted(re.findall(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdifgeEx%r]", text))


def check(path: Path, template: Catalog | None = None, language: str | None = None) -> list[Problem]:
    """Every problem of the catalog at ``path``; an empty list when it is complete, reviewed,
    consistent with the code and with the glossary."""
    name = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)
    language = language or path.parent.parent.name.split("_")[0]
    template = extract() if template is None else template
    catalog = read(path)
    problems: list[Problem] = []
    have = {_key(m): m for m in catalog if m.id}
    want = {_key(m): m for m in template if m.id}
    for key in want.keys() - have.keys():
        problems.append(Problem(name, str(key[1]), "in the code but not in the catalog (make catalog)",
                                key[0]))
    for key in have.keys() - want.keys():
        problems.append(Problem(name, str(key[1]), "in the catalog but no longer in the code (make catalog)",
                                key[0]))
    for key in want.keys() & have.keys():
        if _locations(want[key]) != _locations(have[key]):
            problems.append(Problem(name, str(key[1]), "its places in the code changed (make catalog)",
                                    key[0]))
    for m in catalog.obsolete.values():
        problems.append(Problem(name, str(m.id), "obsolete entry left in the catalog (make catalog)"))
    forbidden = FORBIDDEN.get(language, {})
    for m in catalog:
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strs = [m.string] if isinstance(m.string, str) else list(m.string)
        label = ids[0]
        if m.fuzzy:
            problems.append(Problem(name, label, "fuzzy: its English changed and the translation was "
                                                 "not reviewed since (fix it, then delete the fuzzy mark)", m.context))
        if not all(strs):
            problems.append(Problem(name, label, "no translation", m.context))
            continue
        for s in strs:
            if _fields(s) != _fields(ids[0]) and (len(ids) < 2 or _fields(s) != _fields(ids[1])):
                problems.append(Problem(name, label, f"placeholders differ: {_fields(ids[0])} in "
                                                     f"English, {_fields(s)} in the translation", m.context))
            if _percent(s) != _percent(ids[0]) and (len(ids) < 2 or _percent(s) != _percent(ids[1])):
                problems.append(Problem(name, label, "%-placeholders differ", m.context))
            if m.context == GLOSSARY_CONTEXT:
                continue
            words = re.sub(r"\{[^{}]*\}", " ", s)
            for term, variants in forbidden.items():
                for bad in variants:
                    if re.search(bad, words):
                        problems.append(Problem(name, label, f"uses {bad!r}: the glossary's term "
                                                             f"is {term!r}", m.context))
    return problems


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    template = extract()
    if command == "update":
        for lang, path in catalogs().items():
            print(f"{path.relative_to(ROOT)}: {'updated' if update(path, template) else 'up to date'}")
        return 0
    if command == "check":
        problems = [p for path in catalogs().values() for p in check(path, template)]
        for p in problems:
            print(p)
        print(f"{len(problems)} problem(s) in {len(catalogs())} catalog(s)")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
