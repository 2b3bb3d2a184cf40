"""Session 5's homework, option 2: the student's flowchart drawn as they built it, and saved
as homework with the caption strip (:func:`~ssd_core.homework.screenshot.save_screenshot`).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..fonts import fig, new_figure, use_cjk_font
from ..i18n import _
from .screenshot import save_screenshot
from .student_chart import StudentChart, shown_title

__all__ = ["ROWS_PER_COLUMN", "plot_student_chart", "save_student_chart"]

#: Stages per column when the chart is drawn.
ROWS_PER_COLUMN = 7

_OWN_COLOR, _PICKED_COLOR = "#fdf0d8", "#e3eefc"


def _centre(i: int, rows: int) -> tuple[float, float]:
    return i // rows + 0.5, -(i % rows)


def plot_student_chart(chart: StudentChart, title: str | None = None) -> Figure:
    """Draw ``chart`` as its author built it: boxes in their order, column after column;
    solid arrows and dashed loops where they put them; each note under its title. ``title``:
    an English sentence of the catalog, or a text of your own (default: "my SSD training
    flowchart").

    Boxes carry ``gid="stage:<position>"``, arrows ``"arrow:<a>-<b>"``, loops ``"loop:<a>-<b>"``.
    """
    use_cjk_font()                          # your own stages and notes may be in any script
    n = len(chart.stages)
    rows = min(ROWS_PER_COLUMN, max(1, n))
    cols = max(1, -(-n // rows))
    figure = new_figure(figsize=(3.6 * cols + 0.8, 1.05 * rows + 1.2))
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_xlim(-0.1, cols + 0.1)
    ax.set_ylim(-(rows - 1) - 0.75, 1.0)
    ax.set_axis_off()
    shown = fig(title) if title is not None else fig("my SSD training flowchart")
    ax.text(cols / 2, 0.72, shown, ha="center", va="center", fontsize=12, weight="bold")
    if n == 0:
        ax.text(cols / 2, -0.2, fig("no stages yet: add some"), ha="center", va="center",
                fontsize=10)
        return figure
    w, h = 0.86, 0.72
    for i, s in enumerate(chart.stages):
        cx, cy = _centre(i, rows)
        patch = FancyBboxPatch((cx - w / 2, cy - h / 2), w, h,
                               boxstyle="round,pad=0.0,rounding_size=0.08",
                               facecolor=_PICKED_COLOR if s.key else _OWN_COLOR,
                               edgecolor="#445566", linewidth=1.0)
        patch.set_gid(f"stage:{i}")
        ax.add_patch(patch)
        ax.text(cx, cy + (0.16 if s.note else 0), f"{i + 1}. {shown_title(s, fig)}", ha="center",
                va="center", fontsize=9, weight="bold", gid=f"title:{i}")
        if s.note:
            ax.text(cx, cy - 0.14, "\n".join(textwrap.wrap(s.note, 44)[:3]), ha="center",
                    va="center", fontsize=7, color="#333333")

    def edge(a: int, b: int, label: str, gid: str, **style) -> None:
        (xa, ya), (xb, yb) = _centre(a, rows), _centre(b, rows)
        if xa == xb:                                   # same column: bottom to top, or a curve
            start = (xa + (0.1 if ya < yb else 0), ya + (h / 2 if yb > ya else -h / 2))
            end = (xb + (0.1 if ya < yb else 0), yb + (-h / 2 if yb > ya else h / 2))
            rad = 0.0 if abs(a - b) == 1 else (0.6 if yb > ya else -0.6)
        else:
            start = (xa + (w / 2 if xb > xa else -w / 2), ya)
            end = (xb + (-w / 2 if xb > xa else w / 2), yb)
            rad = 0.15 if "linestyle" in style else 0.0
        arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, lw=1.1,
                                connectionstyle=f"arc3,rad={rad}", **style)
        arrow.set_gid(gid)
        ax.add_patch(arrow)
        if label:
            ax.text((start[0] + end[0]) / 2 + 0.06, (start[1] + end[1]) / 2, label, fontsize=7,
                    color=style.get("color", "#223344"), ha="left", va="center")

    for a, b, label in chart.arrows:
        edge(a, b, label, f"arrow:{a}-{b}", color="#223344")
    for a, b, label in chart.loops:
        edge(a, b, label, f"loop:{a}-{b}", color="#aa3322", linestyle="--")
    return figure


def save_student_chart(chart: StudentChart, lesson: int = 5, name: str = "flowchart",
                       student: str | None = None, **kwargs) -> Path:
    """Your chart, drawn by :func:`plot_student_chart`, saved with the caption strip
    (:func:`~ssd_core.homework.screenshot.save_screenshot`). An empty chart is refused."""
    if not chart.stages:
        raise ValueError(_("the flowchart has no stages yet: add the stages of SSD's training "
                           "first."))
    return save_screenshot(plot_student_chart(chart), lesson, name, student, **kwargs)
