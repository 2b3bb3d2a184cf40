"""Lesson 1: from R-CNN to SSD, in numbers: the table and the speed/accuracy picture of the
detectors in :data:`ssd_core.course.history.DETECTORS`."""

from __future__ import annotations

import unicodedata
from typing import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..course.history import DETECTORS, SUCCESSORS, SUCCESSORS_VOC, Detector
from ..fonts import fig, new_figure
from ..i18n import _, pgettext

__all__ = ["plot_speed_accuracy", "detectors_table", "successors_table"]


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospaced font (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _cell(text: str) -> str:
    """A cell of the table in the current language: words are messages of the catalog (marked
    in :data:`~ssd_core.course.history.DETECTORS`), numbers pass as they are."""
    return _(text)


def detectors_table(detectors: Sequence[Detector] = DETECTORS) -> str:
    """The numbers as aligned text; ``~`` marks the rows from outside Table 7."""
    head = (_("method"), _("year"), "mAP", _("FPS (batch 1)"), _("FPS (batch 8)"),
            pgettext("detectors table", "boxes"), _("input"))
    rows = []
    for d in detectors:
        mark = "~" if d.approximate else " "
        fps = f"{d.fps:.2f}" if d.fps < 1 else f"{d.fps:g}"
        rows.append((mark + d.name, str(d.year), f"{d.map:.1f}", fps,
                     f"{d.fps_batch8:g}" if d.fps_batch8 else "", _cell(d.boxes), _cell(d.input)))
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths))
    return "\n".join([line(head), "-" * _width(line(head)), *map(line, rows),
                      _("~ not in Table 7: other papers, other GPUs (approximate)")])


#: Where each point's label goes (offset in points, alignment), so that none overlap.
_LABEL_PLACE = {"Faster R-CNN (VGG16)": (-6, 5, "right"), "YOLO (VGG16)": (6, -12, "left"),
                "YOLOv2 416": (6, -10, "left"), "YOLOv2 544": (-6, 4, "right")}


def plot_speed_accuracy(detectors: Sequence[Detector] = DETECTORS,
                        successors: Sequence[Detector] = SUCCESSORS_VOC) -> Figure:
    """mAP against frames per second (log scale). Filled markers: Table 7; hollow grey
    markers: earlier detectors from other sources; hollow green: detectors after SSD whose
    papers give comparable numbers; an arrow from batch 1 to batch 8 where Table 7 gives both."""
    # the text first: it readies the CJK font before the axes (and their labels) exist
    title = fig("Accuracy against speed (filled: SSD paper Table 7; grey: earlier, other "
                "sources; green: after SSD, YOLO9000 Table 3)")
    xlabel = fig("speed: frames per second (log scale)")
    ylabel = fig("VOC2007 test mAP (%)")
    figure = new_figure(figsize=(7.5, 4.4))
    ax = figure.add_subplot()
    for d in list(detectors) + list(successors):
        ssd = d.name.startswith("SSD")
        after = d in successors
        if after:
            ax.plot(d.fps, d.map, "D", ms=7, mfc="none", mec="tab:green", mew=1.5, gid=d.name)
        elif d.approximate:
            ax.plot(d.fps, d.map, "o", ms=8, mfc="none", mec="gray", mew=1.5, gid=d.name)
        else:
            ax.plot(d.fps, d.map, "o", ms=9 if ssd else 7, color="tab:red" if ssd else "tab:blue",
                    gid=d.name)
        label = d.name + (fig(" (approx.)") if d.approximate and not after else "")
        dx, dy, ha = _LABEL_PLACE.get(d.name, (6, 5, "left"))
        ax.annotate(label, (d.fps, d.map), xytext=(dx, dy), textcoords="offset points",
                    fontsize=8, ha=ha, color="tab:green" if after else
                    ("gray" if d.approximate else "black"))
        if d.fps_batch8:
            ax.annotate("", (d.fps_batch8, d.map), (d.fps, d.map),
                        arrowprops=dict(arrowstyle="->", color="tab:red", lw=1))
            ax.text(d.fps_batch8, d.map - 1.6, fig("batch 8"), fontsize=7, color="tab:red",
                    ha="center")
    ax.axvline(30, color="green", ls=":", lw=1)
    ax.text(31, 51, "30 FPS", color="green", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(0.01, 400)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.set_ylim(50, 82)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=8)
    ax.grid(alpha=0.3, which="both")
    figure.tight_layout()
    return figure


def successors_table(successors=SUCCESSORS) -> str:
    """After SSD: year, detector, what it changed, its number and the source, as text."""
    rows = [f"{s.year}  {s.name:<10} {_(s.idea)}\n{'':16}{_(s.result)}  [{s.source}]"
            for s in successors]
    return "\n".join(rows)
