"""Session 5's homework, option 2: a flowchart of SSD's training process, drawn from your own
understanding (按照自我理解绘制).

You build the chart: pick stages from a shuffled palette (the stages of the real pipeline,
:func:`~ssd_core.homework.flowchart.training_stages`) or write your own, put them in the order
you believe, add the arrows and the loops (the next batch, the next epoch) you believe in, and
a note on each stage. :func:`plot_student_chart` draws *your* chart and
:func:`save_student_chart` saves it with the caption strip. Only after that does the builder
let you reveal the reference chart, with :func:`compare_with_reference` listing the stages you
left out, those out of the order the code runs them (and why the order matters), and which
reference stage each stage of your own words stands for.

What you type is checked as you add it (:func:`~.student_chart.check_text`): a name too long,
a character no font draws (an emoji), a stage already in the chart are refused with a sentence
under the buttons saying what to change; nothing is cut or added silently.

Nothing is saved as homework by itself: only the save button writes
``homework/lesson05_flowchart.png`` (saving again replaces it; the earlier one is kept in
``homework/old/``), and only with your name (:func:`~.files.require_student`: without one the
button says how to give it). A draft of the chart is kept as you build it
(``homework/drafts/flowchart.json``, :mod:`.drafts`), so a kernel restart loses nothing.

Everything the builder and the charts say is in the course's language (the catalog's,
:mod:`ssd_core.i18n`); a stage picked from the palette shows the reference stage's title in that
language, whatever language it was picked in.

The chart itself is :mod:`.student_chart`; its drawing :mod:`.chart_figure`; the comparison
:mod:`.chart_comparison`. This module is the builder, the widget of lesson 5.
"""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

import ipywidgets as widgets
from IPython.display import display
from matplotlib.figure import Figure

from ..i18n import _
from ..viz.explorer import show_static, static_mode
from .chart_comparison import compare_with_reference
from .chart_figure import glyph_warnings_hidden, plot_student_chart, save_student_chart
from .drafts import load_draft, save_draft
from .flowchart import plot_training_flowchart
from .screenshot import render_png
from .student_chart import StudentChart, shown_title, shuffled_palette

__all__ = ["FlowchartBuilder", "flowchart_builder"]

#: The name of the builder's draft (:mod:`.drafts`): ``homework/drafts/flowchart.json``.
DRAFT = "flowchart"


def _read_chart(data: dict) -> StudentChart:
    return StudentChart.from_dict(data["chart"])


class FlowchartBuilder:
    """Build your own flowchart in the notebook: stages, order, arrows, loops, notes; then save
    it, and only then reveal the reference and the comparison.

    The stage drop-down's values are the reference stages' keys (``"match"``) and :attr:`OWN`
    for a stage you write yourself; its labels are the titles in the course's language.
    """

    OWN = "(own)"

    def __init__(self, student: str | None = None, folder=None, seed: int | None = None,
                 lesson: int = 5, draft: bool = True):
        self.student, self.folder, self.lesson, self.draft = student, folder, lesson, draft
        saved = load_draft(DRAFT, _read_chart, folder) if draft else None
        self.chart = saved if saved is not None else StudentChart()
        self.palette = shuffled_palette(seed)
        self.saved: list[Path] = []
        lay = widgets.Layout(width="auto")
        self.pick = widgets.Dropdown(
            options=[(_(s.title), s.key) for s in self.palette]
            + [(_("(write your own)"), self.OWN)],
            description=_("stage"), layout=widgets.Layout(width="340px"))
        self.own = widgets.Text(placeholder=_("your own stage"),
                                layout=widgets.Layout(width="260px"))
        self.add_button = widgets.Button(description=_("add"), layout=lay)
        self.list = widgets.Select(options=[], rows=8, layout=widgets.Layout(width="340px"))
        # TRANSLATORS: buttons that move the selected stage in the list, and remove it
        self.up = widgets.Button(description=_("up"), layout=lay)
        self.down = widgets.Button(description=_("down"), layout=lay)
        self.remove = widgets.Button(description=_("remove"), layout=lay)
        self.note = widgets.Text(placeholder=_("note on the selected stage"),
                                 layout=widgets.Layout(width="340px"))
        self.note_button = widgets.Button(description=_("set note"), layout=lay)
        # TRANSLATORS: an arrow goes from one stage to another
        self.source = widgets.Dropdown(options=[], description=_("from"),
                                       layout=widgets.Layout(width="250px"))
        self.target = widgets.Dropdown(options=[], description=_("to"),
                                       layout=widgets.Layout(width="250px"))
        self.kind = widgets.ToggleButtons(options=[(_("arrow"), "arrow"), (_("loop"), "loop")],
                                          layout=lay)
        self.label = widgets.Text(placeholder=_("label, e.g. next batch"),
                                  layout=widgets.Layout(width="200px"))
        self.connect_button = widgets.Button(description=_("connect"), layout=lay)
        self.chain_button = widgets.Button(description=_("arrows in order"), layout=lay)
        self.save_button = widgets.Button(description=_("save my flowchart"), icon="save",
                                          layout=lay)
        self.reveal_button = widgets.Button(description=_("reveal the reference"), disabled=True,
                                            layout=lay)
        # its own pixel size, not stretched to the box's width (an empty chart is small)
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%",
                                                                       align_self="flex-start"))
        self.message = widgets.HTML()
        self.reference = widgets.Output()
        for button, action in ((self.add_button, self._add), (self.up, lambda: self._move(-1)),
                               (self.down, lambda: self._move(1)), (self.remove, self._remove),
                               (self.note_button, self._set_note), (self.connect_button, self._connect),
                               (self.chain_button, self._chain), (self.save_button, self._save),
                               (self.reveal_button, self._reveal)):
            button.on_click(lambda _b, action=action: self._safely(action))
        self.widget = widgets.VBox([
            widgets.HTML(_("<b>My SSD training flowchart</b> &mdash; pick stages (shuffled) or "
                           "write your own, order them, connect them, note them.")),
            widgets.HBox([self.pick, self.own, self.add_button]),
            widgets.HBox([self.list, widgets.VBox([self.up, self.down, self.remove])]),
            widgets.HBox([self.note, self.note_button]),
            widgets.HBox([self.source, self.target, self.kind]),
            widgets.HBox([self.label, self.connect_button, self.chain_button]),
            self.image, widgets.HBox([self.save_button, self.reveal_button]), self.message,
            self.reference,
        ], layout=widgets.Layout(border="1px solid #ddd", padding="6px"))
        self._refresh()

    # -- actions -------------------------------------------------------------------------
    def _safely(self, action) -> None:
        if "color:#b00" in self.message.value:  # the last click's error is done with; a note
            self.message.value = ""             # that the chart was saved stays
        try:
            action()
        except (ValueError, IndexError, OSError) as e:
            self.message.value = f"<span style='color:#b00'>{escape(str(e))}</span>"

    def _changed(self) -> None:
        if self.draft:
            save_draft(DRAFT, {"chart": self.chart.to_dict()}, self.folder)
        self._refresh()

    def _add(self) -> None:
        if self.pick.value == self.OWN:
            self.chart.add(self.own.value)
            self.own.value = ""
        else:
            self.chart.add(next(s for s in self.palette if s.key == self.pick.value))
        self._changed()
        self.list.index = len(self.chart.stages) - 1

    def _selected(self) -> int:
        if self.list.index is None:
            raise ValueError(_("select a stage in the list first."))
        return self.list.index

    def _move(self, step: int) -> None:
        i = self._selected()
        j = min(max(i + step, 0), len(self.chart.stages) - 1)
        self.chart.move(i, j)
        self._changed()
        self.list.index = j

    def _remove(self) -> None:
        self.chart.remove(self._selected())
        self._changed()

    def _set_note(self) -> None:
        self.chart.set_note(self._selected(), self.note.value)
        self.note.value = ""
        self._changed()

    def _connect(self) -> None:
        if self.source.index is None or self.target.index is None:
            raise ValueError(_("add at least two stages first."))
        self.chart.connect(self.source.index, self.target.index, self.label.value,
                           loop=self.kind.value == "loop")
        self.label.value = ""
        self._changed()

    def _chain(self) -> None:
        self.chart.chain()
        self._changed()

    def _save(self) -> None:
        path = save_student_chart(self.chart, self.lesson, student=self.student,
                                  folder=self.folder, quiet=True)
        self.saved.append(path)
        self.reveal_button.disabled = False
        saved = _("saved {path}; you may now reveal the reference.").format(path=path)
        self.message.value = f"<span style='color:green'>{escape(saved)}</span>"

    def _reveal(self) -> None:
        if not self.saved:
            raise ValueError(_("save your own flowchart first."))
        comparison = compare_with_reference(self.chart)
        self.reference.clear_output()
        with self.reference:
            display(widgets.HTML("<br>".join(escape(line) for line in comparison.lines())))
            display(widgets.Image(value=_png(plot_training_flowchart()), format="png",
                                  layout=widgets.Layout(max_width="100%")))
        self.comparison = comparison

    def _refresh(self) -> None:
        names = [f"{i + 1}. {shown_title(s)}" for i, s in enumerate(self.chart.stages)]
        self.list.options = names
        self.source.options = [(n, i) for i, n in enumerate(names)]
        self.target.options = [(n, i) for i, n in enumerate(names)]
        self.image.value = _png(plot_student_chart(self.chart))

    def _ipython_display_(self):
        if static_mode():
            show_static(self.widget.children[0].value, self.image.value)
        else:
            display(self.widget)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    with glyph_warnings_hidden():
        render_png(fig, dpi=80).save(buf, format="PNG")
    return buf.getvalue()


def flowchart_builder(student: str | None = None, folder=None, seed: int | None = None,
                      lesson: int = 5) -> FlowchartBuilder:
    """The flowchart builder of lesson 5 (homework option 2); it reopens your draft."""
    return FlowchartBuilder(student, folder, seed, lesson)
