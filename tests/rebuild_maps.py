"""Rebuild the generated tables of the lessons in both editions: lesson 1's glossary and
lesson 4's two maps, each found by its head line, alone in its cell or inside it (a folded
<details> block). ``python -m tests.rebuild_maps`` after changing
ssd_core/course/glossary.py, paper_map.py or tf_port.py, or their sentences in the catalog."""

import json
from pathlib import Path

from ssd_core.course.glossary import glossary_markdown
from ssd_core.i18n import set_language
from ssd_core.viz.code_maps import paper_map_markdown, tf_port_markdown

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    for edition in ("zh", "en"):
        rebuild(ROOT / "lessons" / edition / "01_detection_basics.ipynb", edition)
        rebuild(ROOT / "lessons" / edition / "04_code_walkthrough.ipynb", edition)


def rebuild(path: Path, edition: str) -> None:
    """Replace the generated tables found in ``path`` by the functions' output in ``edition``."""
    if not path.exists():
        return
    set_language(edition)
    nb = json.loads(path.read_text(encoding="utf-8"))
    tables = ((("| paper | idea |", "| 论文 |"), paper_map_markdown),
              (("| SSD-Tensorflow file |", "| SSD-Tensorflow 文件 |"), tf_port_markdown),
              (("| English | 中文 |", "| 英文 | 中文 |"), lambda: glossary_markdown(edition)))
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for starts, table in tables:
            spliced = splice(source, starts, table)
            if spliced is not None:
                cell["source"] = spliced.splitlines(keepends=True)
                break
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("rebuilt", path)


def splice(source: str, starts: tuple[str, ...], table) -> str | None:
    """``source`` with its table whose head line starts with one of ``starts`` replaced by
    ``table()``, or None when it has no such table. The table may be the whole cell or sit
    inside it (a folded ``<details>`` block of 延伸阅读): it runs from its head line to the
    last of the lines that follow it and start with ``|``."""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if line.startswith(starts):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            return "\n".join(lines[:i] + table().split("\n") + lines[j:])
    return None


if __name__ == "__main__":
    main()
