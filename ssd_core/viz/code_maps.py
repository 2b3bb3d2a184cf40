"""Lesson 4: the two maps from ideas to code, as Markdown tables in the course's language.

* :func:`paper_map_markdown`: where each idea of the paper lives
  (:data:`ssd_core.course.paper_map.PAPER_MAP`);
* :func:`tf_port_markdown`: the TensorFlow port the course reads next to ours
  (balancap/SSD-Tensorflow), function by function, with what each does differently
  (:data:`ssd_core.course.tf_port.TF_PORT`).

The lessons show their output as Markdown cells (``python -m tests.rebuild_maps`` writes them).
"""

from __future__ import annotations

from ..course.paper_map import PAPER_MAP
from ..course.tf_port import TF_PORT, tf_link
from ..i18n import _, pgettext
from .source import source_file

__all__ = ["paper_map_markdown", "tf_port_markdown"]


def paper_map_markdown(link_prefix: str = "../../") -> str:
    """:data:`~ssd_core.course.paper_map.PAPER_MAP` as a Markdown table, each idea in the
    course's language; links are relative to the lesson's folder (``link_prefix`` leads from
    there to the repository)."""
    # TRANSLATORS: the column heads of lesson 4's map from the paper to the code: the paper's
    # section, the idea, the module (a file), the names to look for in it
    heads = (pgettext("paper map", "paper"), pgettext("paper map", "idea"),
             pgettext("paper map", "module"), pgettext("paper map", "key names"))
    lines = ["| " + " | ".join(heads) + " |", "| --- | --- | --- | --- |"]
    for r in PAPER_MAP:
        names = ", ".join(f"`{n}`" for n in r.names)
        lines.append(f"| {_(r.section)} | {_(r.idea)} | [`{r.module}`]({link_prefix}{r.module}) | "
                     f"{names} |")
    return "\n".join(lines)


def tf_port_markdown(link_prefix: str = "../../") -> str:
    """:data:`~ssd_core.course.tf_port.TF_PORT` as a Markdown table: the port's file and lines
    (pinned to one commit), its function, our name (a link relative to the lesson) and what
    differs, in the course's language."""
    # TRANSLATORS: the column heads of lesson 4's function-by-function map of SSD-Tensorflow
    # (the port's file and lines, its function, ours, what differs)
    heads = (pgettext("port map", "SSD-Tensorflow file"), pgettext("port map", "function"),
             "ssd_core", pgettext("port map", "what differs"))
    lines = ["| " + " | ".join(heads) + " |", "| --- | --- | --- | --- |"]
    for r in TF_PORT:
        path = source_file(r.ours)
        lines.append(f"| [`{r.tf_file}` {r.lines}]({tf_link(r.tf_file, r.lines)}) | `{r.tf_name}` | "
                     f"[`{r.ours}`]({link_prefix}{path}) | {_(r.note)} |")
    return "\n".join(lines)
