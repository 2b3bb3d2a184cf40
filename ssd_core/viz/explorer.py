"""The base of every explorer: sliders in, one ``state:`` line and one figure out.

An explorer is a small object around ipywidgets:

* ``controls``: the widgets a student moves (named, so tests can move them too);
* :meth:`Explorer.compute` turns their values into a *state*, a flat dict of plain numbers
  and strings; a setting that makes no sense raises :class:`Impossible` with a sentence;
* :meth:`Explorer.draw` draws that state on a fresh matplotlib ``Figure``.

On every change the explorer recomputes, redraws, shows the figure as a PNG in an
``ipywidgets.Image`` and prints exactly one line, ``state: key=value ...``, in its output area.
Students read that line; tests check it. No setting ever raises: an impossible one shows its
message in the figure and ``state: error="..."``.

:meth:`Explorer.set` moves controls from code (a test, a lesson cell) and redraws once.

A redraw runs on one CPU thread (:func:`ssd_core.device.num_threads`): an explorer's arithmetic
is small (one image, at most some ten thousand boxes), and spread over several threads each
small operation pays for waking the others; on a busy laptop a thread that waits for a core
turns a 1 ms match into 80 ms.
"""

from __future__ import annotations

import io
import time
import traceback
from typing import Any

import ipywidgets as widgets
from IPython.display import display
from matplotlib.figure import Figure

from ..device import num_threads

__all__ = ["Explorer", "Impossible", "format_state"]


class Impossible(ValueError):
    """A combination of settings that has no meaningful picture; the message says why."""


def _fmt(v: Any) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return f"{v:.3f}"
    if isinstance(v, (tuple, list)):
        return "(" + ",".join(_fmt(x) for x in v) + ")"
    if isinstance(v, str) and (" " in v or not v):
        return '"' + v.replace('"', "'") + '"'
    return str(v)


def format_state(state: dict[str, Any]) -> str:
    """``{"iou": 0.25, "kept": 3}`` -> ``state: iou=0.250 kept=3``."""
    return "state: " + " ".join(f"{k}={_fmt(v)}" for k, v in state.items())


class Explorer:
    """Base class; subclasses define ``controls`` and implement compute and draw."""

    title = "explorer"
    figsize = (6.0, 4.5)
    dpi = 80

    def __init__(self, controls: dict[str, widgets.Widget], note: str = ""):
        self.controls = controls
        self.output = widgets.Output()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.state: dict[str, Any] = {}
        self.state_line = ""
        self.figure: Figure | None = None
        self.png = b""
        self.seconds = 0.0
        for w in controls.values():
            w.observe(self._changed, names="value")
        header = [widgets.HTML(f"<b>{self.title}</b>" + (f" &mdash; {note}" if note else ""))]
        self.widget = widgets.VBox(
            header + [widgets.HBox([widgets.VBox(list(controls.values())), self.image]), self.output],
            layout=widgets.Layout(border="1px solid #ddd", padding="6px"),
        )
        self.widget.add_class("ssd-explorer")
        self.redraw()

    # -- to implement -------------------------------------------------------------------
    def compute(self, **values) -> dict[str, Any]:
        raise NotImplementedError

    def draw(self, fig: Figure, state: dict[str, Any]) -> None:
        raise NotImplementedError

    # -- machinery ----------------------------------------------------------------------
    @property
    def values(self) -> dict[str, Any]:
        return {k: w.value for k, w in self.controls.items()}

    def _changed(self, _change=None) -> None:
        if not getattr(self, "_holding", False):
            self.redraw()

    def set(self, **values) -> dict[str, Any]:
        """Move controls from code, then redraw once. Returns the new state."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise KeyError(f"{type(self).__name__} has no control(s) {sorted(unknown)}; "
                           f"it has {sorted(self.controls)}")
        self._holding = True
        try:
            for k, v in values.items():
                self.controls[k].value = v
        finally:
            self._holding = False
        self.redraw()
        return self.state

    def redraw(self) -> None:
        """Recompute the state, redraw the figure and print the ``state:`` line (one thread)."""
        with num_threads(1):
            self._redraw()

    def _redraw(self) -> None:
        t0 = time.perf_counter()
        fig = Figure(figsize=self.figsize)
        try:
            state = self.compute(**self.values)
            self.draw(fig, state)
        except Impossible as e:
            state = {"error": str(e)}
            fig.clear()
            fig.text(0.5, 0.5, str(e), ha="center", va="center", wrap=True, fontsize=12)
        except Exception as e:  # a bug must not break the lesson: show it instead
            state = {"error": f"{type(e).__name__}: {e}"}
            fig.clear()
            fig.text(0.5, 0.5, "".join(traceback.format_exception_only(e))[:300], ha="center",
                     va="center", wrap=True, fontsize=9, color="darkred")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=self.dpi)
        self.state, self.figure, self.png = state, fig, buf.getvalue()
        self.state_line = format_state(state)
        self.image.value = self.png
        self.output.clear_output(wait=True)
        with self.output:
            print(self.state_line)
        self.seconds = time.perf_counter() - t0

    def _ipython_display_(self):
        display(self.widget)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.state_line}>"
