"""Rebuild the generated tables of the lessons in both editions: lesson 1's glossary and
lesson 4's two maps. ``python -m tests.rebuild_maps`` after changing
ssd_core/course/glossary.py, paper_map.py or tf_port.py."""

import json
from pathlib import Path

from ssd_core.course.glossary import glossary_markdown
from ssd_core.i18n import set_language
from ssd_core.viz import walkthrough as wt

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
    for cell in nb["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            continue
        if source.startswith(("| paper | idea |", "| 论文 |")):
            cell["source"] = wt.paper_map_markdown().splitlines(keepends=True)
        elif source.startswith(("| SSD-Tensorflow file |", "| SSD-Tensorflow 文件 |")):
            cell["source"] = wt.tf_port_markdown().splitlines(keepends=True)
        elif source.startswith(("| English | 中文 |", "| 英文 | 中文 |")):
            cell["source"] = glossary_markdown(edition).splitlines(keepends=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print("rebuilt", path)


if __name__ == "__main__":
    main()
