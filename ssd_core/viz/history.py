"""Lesson 1: from R-CNN to SSD, in numbers.

:data:`DETECTORS` holds each method's PASCAL VOC2007 test mAP and speed. Five rows are the SSD
paper's own comparison of speed and accuracy (Table 7: all measured on one Titan X with cuDNN
v4 and an Intel Xeon E5-2667v3 @ 3.20 GHz, VOC2007 test). R-CNN and Fast R-CNN are not in
Table 7; their rows come from other papers, on other hardware, and are marked approximate.
:func:`plot_speed_accuracy` draws them all, speed against accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

__all__ = ["Detector", "DETECTORS", "plot_speed_accuracy", "detectors_table"]


@dataclass(frozen=True)
class Detector:
    """One method's VOC2007 test result.

    Attributes:
        name: the method (and its base network).
        year: year of publication.
        map: mAP (%) on PASCAL VOC2007 test.
        fps: frames per second at batch size 1 (including proposals where a method needs them).
        boxes: how many boxes it scores per image (text: proposals are approximate).
        input: input resolution.
        source: where the numbers come from.
        in_table7: True for the rows of the SSD paper's Table 7, False for other sources.
        fps_batch8: frames per second at batch size 8 (Table 7 gives it for SSD only).
    """

    name: str
    year: int
    map: float
    fps: float
    boxes: str
    input: str
    source: str
    in_table7: bool
    fps_batch8: float | None = None

    @property
    def approximate(self) -> bool:
        """Numbers from outside Table 7: other hardware, other papers."""
        return not self.in_table7


_T7 = "SSD paper, Table 7 (Titan X)"

#: Detection on PASCAL VOC2007 test, oldest first.
DETECTORS: tuple[Detector, ...] = (
    Detector("R-CNN (VGG16)", 2014, 66.0, 1 / 47, "~2000 proposals", "each proposal warped to 224x224",
             "R-CNN paper (VGG16 result); 47 s/image on a K40 per the Fast R-CNN paper; approximate",
             False),
    Detector("Fast R-CNN (VGG16)", 2015, 70.0, 0.5, "~2000 proposals", "~1000x600",
             "Fast R-CNN paper (07+12 training); 0.5 FPS with Selective Search proposals, "
             "per the YOLO paper; approximate", False),
    Detector("Faster R-CNN (VGG16)", 2015, 73.2, 7, "~6000", "~1000x600", _T7, True),
    Detector("Fast YOLO", 2016, 52.7, 155, "98", "448x448", _T7, True),
    Detector("YOLO (VGG16)", 2016, 66.4, 21, "98", "448x448", _T7, True),
    Detector("SSD300", 2016, 74.3, 46, "8732", "300x300", _T7, True, fps_batch8=59),
    Detector("SSD512", 2016, 76.8, 19, "24564", "512x512", _T7, True, fps_batch8=22),
)


def detectors_table(detectors: Sequence[Detector] = DETECTORS) -> str:
    """The numbers as aligned text; ``~`` marks the rows from outside Table 7."""
    head = ("method", "year", "mAP", "FPS (batch 1)", "FPS (batch 8)", "boxes", "input")
    rows = []
    for d in detectors:
        mark = "~" if d.approximate else " "
        fps = f"{d.fps:.2f}" if d.fps < 1 else f"{d.fps:g}"
        rows.append((mark + d.name, str(d.year), f"{d.map:.1f}", fps,
                     f"{d.fps_batch8:g}" if d.fps_batch8 else "", d.boxes, d.input))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) for c, w in zip(r, widths))
    return "\n".join([line(head), "-" * len(line(head)), *map(line, rows),
                      "~ not in Table 7: other papers, other GPUs (approximate)"])


#: Where each point's label goes (offset in points, alignment), so that none overlap.
_LABEL_PLACE = {"Faster R-CNN (VGG16)": (-6, 5, "right"), "YOLO (VGG16)": (6, -12, "left")}


def plot_speed_accuracy(detectors: Sequence[Detector] = DETECTORS) -> Figure:
    """mAP against frames per second (log scale). Filled markers: Table 7; hollow grey
    markers: other sources; an arrow from batch 1 to batch 8 where Table 7 gives both."""
    fig = Figure(figsize=(7.5, 4.2))
    ax = fig.add_subplot()
    for d in detectors:
        ssd = d.name.startswith("SSD")
        if d.approximate:
            ax.plot(d.fps, d.map, "o", ms=8, mfc="none", mec="gray", mew=1.5, gid=d.name)
        else:
            ax.plot(d.fps, d.map, "o", ms=9 if ssd else 7, color="tab:red" if ssd else "tab:blue",
                    gid=d.name)
        label = d.name + (" (approx.)" if d.approximate else "")
        dx, dy, ha = _LABEL_PLACE.get(d.name, (6, 5, "left"))
        ax.annotate(label, (d.fps, d.map), xytext=(dx, dy), textcoords="offset points",
                    fontsize=8, ha=ha, color="gray" if d.approximate else "black")
        if d.fps_batch8:
            ax.annotate("", (d.fps_batch8, d.map), (d.fps, d.map),
                        arrowprops=dict(arrowstyle="->", color="tab:red", lw=1))
            ax.text(d.fps_batch8, d.map - 1.6, "batch 8", fontsize=7, color="tab:red", ha="center")
    ax.axvline(30, color="green", ls=":", lw=1)
    ax.text(31, 51, "30 FPS", color="green", fontsize=8)
    ax.set_xscale("log")
    ax.set_xlim(0.01, 400)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_ylim(50, 80)
    ax.set_xlabel("speed: frames per second (log scale)")
    ax.set_ylabel("VOC2007 test mAP (%)")
    ax.set_title("Accuracy against speed (filled: SSD paper Table 7; hollow: other sources)",
                 fontsize=9)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
