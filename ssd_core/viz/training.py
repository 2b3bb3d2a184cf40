"""Lesson 5: watching a training run, and comparing two.

* :class:`LiveLossPlot`: the loss curve, redrawn in the notebook while
  :func:`ssd_core.train.train` runs (its ``on_step`` and ``callback`` hooks), at most once a
  second;
* :func:`compare_runs` and :func:`ablation_table`: runs side by side, for the augmentation
  ablation (Table 2 of the paper).

mAP is shown in percent, as the paper's tables give it; the rows keep fractions in [0, 1].

All curves are drawn by :func:`ssd_core.draw.plot_training_curves`.
"""

from __future__ import annotations

import io
import math
import time
import unicodedata
from typing import Any, Callable, Mapping

from IPython import get_ipython
from IPython.display import Image as IPImage
from IPython.display import display
from matplotlib.figure import Figure

from ..draw import plot_training_curves
from ..fonts import fig
from ..i18n import _
from .explorer import format_state

__all__ = ["LiveLossPlot", "compare_runs", "ablation_table"]


class LiveLossPlot:
    """The training loss, redrawn in the notebook while :func:`ssd_core.train.train` runs.

    ``on_step`` (give it to ``train(on_step=...)``) records every iteration and redraws at
    most every ``interval`` seconds; ``on_epoch`` (``train(callback=...)``) adds each epoch's
    validation mAP. :meth:`finish` draws the last state. Outside a notebook it only records.
    """

    def __init__(self, interval: float = 1.0, smooth: int = 20,
                 clock: Callable[[], float] = time.monotonic, display: bool = True):
        self.interval = interval
        self.smooth = smooth
        self.clock = clock
        self.steps: list[dict] = []
        self.epochs: list[dict] = []
        self.redraws = 0
        self._last = -math.inf
        self._handle = None
        if display:
            self.show()

    def show(self) -> None:
        """Put the (empty) plot in the notebook; later redraws replace it in place."""
        if get_ipython() is None:
            return
        self._handle = display(self._image(), display_id=True)

    def _image(self):
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=80)
        return IPImage(data=buf.getvalue(), format="png")

    def on_step(self, row: Mapping) -> None:
        """Record one iteration (``train``'s ``on_step`` row); redraw if it is time."""
        self.steps.append(dict(row))
        now = self.clock()
        if now - self._last >= self.interval:
            self._last = now
            self.redraw()

    def on_epoch(self, row: Mapping) -> None:
        """Record one epoch (``train``'s ``callback`` row) and redraw."""
        self.epochs.append(dict(row))
        self._last = self.clock()
        self.redraw()

    def finish(self) -> None:
        """Draw the final state."""
        self.redraw()

    def redraw(self) -> None:
        self.redraws += 1
        if self._handle is not None:
            self._handle.update(self._image())

    @property
    def state_line(self) -> str:
        """``state: iteration=... loss=... map07=51.2``: where the run stands, as keys and
        values for a test or a printed line (the last validation mAP in percent, as the
        paper's tables). Neither :attr:`figure` nor a screenshot of it shows this line."""
        if not self.steps:
            return format_state({"iteration": 0})
        last = self.steps[-1]
        state = {"iteration": int(last["iteration"]), "total": int(last.get("total", 0)),
                 "epoch": int(last.get("epoch", 0)), "loss": float(last["loss"])}
        maps = [float(r["map07"]) for r in self.epochs if r.get("map07") not in (None, "")]
        if maps:
            state["map07"] = f"{100 * maps[-1]:.1f}"
        return format_state(state)

    @property
    def figure(self) -> Figure:
        """A new figure of everything recorded so far: the curves and a title in the course's
        language (no ``state:`` line), what a screenshot of the run shows."""
        if not self.steps:
            return plot_training_curves([], x="iteration", epochs=self.epochs,
                                        title=fig("waiting for the first iteration ..."))
        last = self.steps[-1]
        total = last.get("total")
        numbers = dict(iteration=int(last["iteration"]), total=int(total or 0),
                       epoch=int(last.get("epoch", 0)), loss=float(last["loss"]),
                       lr=float(last.get("lr", 0)), speed=float(last.get("images_per_s", 0)))
        if total:
            title = fig("iteration {iteration} of {total}, epoch {epoch}: loss {loss:.3f}, "
                        "lr {lr:.2g}, {speed:.1f} img/s", **numbers)
        else:
            title = fig("iteration {iteration}, epoch {epoch}: loss {loss:.3f}, lr {lr:.2g}, "
                        "{speed:.1f} img/s", **numbers)
        return plot_training_curves(self.steps, x="iteration", smooth=self.smooth,
                                    epochs=self.epochs, xmax=total, title=title)


# ---------------------------------------------------------------------------- ablation


def _history(run) -> list[dict]:
    return list(getattr(run, "history", run))


def _pad(text: str, width: int, left: bool = False) -> str:
    """``text`` padded with spaces to ``width`` columns; a Chinese character takes two."""
    room = width - sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * room if left else " " * room + text


def ablation_table(runs: Mapping[str, Any]) -> str:
    """One line per run: its last epoch's loss and mAP, and its best mAP, in percent as the
    paper's Table 2 (the header in the course's language; columns line up in a monospaced font,
    Chinese characters two wide)."""
    # TRANSLATORS: the column heads of the ablation table (a Chinese character is two columns
    # wide: the table pads them)
    heads = [(_("run"), 28), (_("epochs"), 7), (_("last loss"), 11), (_("last mAP07"), 12),
             (_("best mAP07"), 12)]
    lines = ["".join(_pad(head, w, left=i == 0) for i, (head, w) in enumerate(heads))]
    for name, run in runs.items():
        h = _history(run)
        maps = [float(r["map07"]) for r in h if r.get("map07") not in (None, "")]
        last = h[-1] if h else {}
        lines.append(f"{_pad(str(name), 28, left=True)}{len(h):>7}"
                     f"{float(last.get('loss', math.nan)):>11.3f}"
                     f"{100 * (maps[-1] if maps else math.nan):>12.1f}"
                     f"{100 * (max(maps) if maps else math.nan):>12.1f}")
    return "\n".join(lines)


def compare_runs(runs: Mapping[str, Any]) -> Figure:
    """Training loss and validation mAP per epoch of several runs (``RunResult`` or history
    rows), side by side: the augmentation ablation of lesson 5."""
    return plot_training_curves({name: _history(run) for name, run in runs.items()})
