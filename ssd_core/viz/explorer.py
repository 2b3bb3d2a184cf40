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
import os
import time
import traceback
import unicodedata
from typing import Any

import ipywidgets as widgets
from IPython.display import HTML, Image, display
from matplotlib.figure import Figure

from ..device import num_threads
from ..fonts import new_figure
from ..i18n import _

__all__ = ["Explorer", "Impossible", "format_state", "static_mode", "STATIC_ENV", "show_static"]

#: Environment variable of the static mode: ``make html`` sets it to ``1``.
STATIC_ENV = "SSD_COURSE_STATIC"


def static_mode() -> bool:
    """Whether ``$SSD_COURSE_STATIC`` is ``1``: the lesson is being written out as a static page
    (``make html``), where widgets cannot run; explorers then show their figure as a picture."""
    return os.environ.get(STATIC_ENV) == "1"


def show_static(html: str = "", png: bytes = b"", text: str = "") -> None:
    """What a widget shows on a static page: some HTML, a picture, a line of text, and a note
    that the page is static."""
    if html:
        display(HTML(html))
    if png:
        display(Image(data=png, format="png"))
    if text:
        print(text)
    note = _("Static page: run the notebook (Run > Run All Cells) to move the controls.")
    display(HTML(f"<p><i>{note}</i></p>"))


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


#: ipywidgets' default width of a control's description label, and of a slider, drop-down or
#: check box (``--jp-widgets-inline-label-width`` and ``--jp-widgets-inline-width``).
_LABEL_PX, _CONTROL_PX = 80, 300
_FIXED_WIDTH = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider,
                widgets.IntRangeSlider, widgets.FloatRangeSlider, widgets.SelectionSlider,
                widgets.SelectionRangeSlider, widgets.Dropdown, widgets.Checkbox, widgets.Text,
                widgets.IntText, widgets.FloatText, widgets.BoundedIntText,
                widgets.BoundedFloatText)
#: A generous width of one character of a description (13 px sans-serif; CJK counts twice).
_CHAR_PX = 7.5


def _text_px(text: str) -> int:
    wide = sum(unicodedata.east_asian_width(c) in "WF" for c in text)
    return round((len(text) + wide) * _CHAR_PX) + 4


def _fit_descriptions(controls: list[widgets.Widget]) -> None:
    """Widen the description column of every control so the longest description shows whole
    (ipywidgets cuts it at 80 px with an ellipsis); the controls widen by as much, so the
    sliders keep their length. Labels a subclass sized itself are left alone."""
    labelled = [w for w in controls if hasattr(getattr(w, "style", None), "description_width")
                and not isinstance(w, (widgets.ToggleButton, widgets.Checkbox))]
    need = max((_text_px(w.description) for w in labelled if w.description), default=0)
    if need <= _LABEL_PX:
        return
    for w in labelled + [w for w in controls if isinstance(w, widgets.Checkbox) and w.indent]:
        if w.style.description_width:
            continue
        w.style.description_width = f"{need}px"
        if w.layout.width is None and isinstance(w, _FIXED_WIDTH):
            w.layout.width = f"{_CONTROL_PX + need - _LABEL_PX}px"


def _layout(controls: dict[str, widgets.Widget], image: widgets.Image):
    """The explorer's row: a column of controls, then the figure (and whatever a subclass
    appends), wrapping onto the next line when they do not fit beside each other.

    The controls never shrink (a control cut short is of no use), and the figure is never
    drawn smaller than its own size to stay beside them: when the window (a laptop with the
    file browser open) has no room for both, the figure moves below the controls at full
    size, and shrinks only when the explorer itself is narrower than the figure.
    """
    _fit_descriptions(list(controls.values()))
    column = widgets.VBox(list(controls.values()), layout=widgets.Layout(
        flex="0 0 auto", width="min-content", overflow="visible", margin="0 16px 8px 0"))
    column.add_class("ssd-explorer-controls")
    image.layout = widgets.Layout(flex="0 1 auto", max_width="100%", min_width="0",
                                  margin="0 16px 8px 0")
    row = widgets.HBox([column, image], layout=widgets.Layout(
        flex_flow="row wrap", align_items="flex-start", overflow="visible"))
    return column, row


class Explorer:
    """Base class; subclasses define ``controls`` and implement compute and draw.

    ``widget`` shows the title, then ``row``: the controls in a column that never shrinks
    (``controls_box``) and the figure beside it, or below it at full size when the window is
    too narrow for both (see :func:`_layout`); then the ``state:`` line.
    """

    title = "explorer"
    figsize = (6.0, 4.5)
    dpi = 80

    def __init__(self, controls: dict[str, widgets.Widget], note: str = ""):
        self.controls = controls
        self.output = widgets.Output()
        self.image = widgets.Image(format="png")
        self.state: dict[str, Any] = {}
        self.state_line = ""
        self.figure: Figure | None = None
        self.png = b""
        self.seconds = 0.0
        for w in controls.values():
            w.observe(self._changed, names="value")
        header = [widgets.HTML(f"<b>{self.title}</b>" + (f" &mdash; {note}" if note else ""))]
        self.controls_box, self.row = _layout(controls, self.image)
        self.widget = widgets.VBox(
            header + [self.row, self.output],
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
        fig = new_figure(figsize=self.figsize)
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
        if static_mode():
            show_static(f"<b>{self.title}</b>", self.png, self.state_line)
        else:
            display(self.widget)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.state_line}>"
