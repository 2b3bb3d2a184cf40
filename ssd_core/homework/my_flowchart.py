"""Session 5's homework, option 2: a flowchart of SSD's training process, drawn from your own
understanding (按照自我理解绘制).

You build the chart: pick stages from a shuffled palette (the stages of the real pipeline,
:func:`~ssd_core.homework.flowchart.training_stages`) or write your own, put them in the order
you believe, add the arrows and the loops (the next batch, the next epoch) you believe in, and
a note on each stage. :func:`plot_student_chart` draws *your* chart and
:func:`save_student_chart` saves it with the caption strip. Only after that does the builder
let you reveal the reference chart, with :func:`compare_with_reference` listing the stages you
left out and those out of the order the code runs them.

Nothing is saved as homework by itself; a draft of the chart is kept as you build it
(``homework/drafts/flowchart.json``), so a kernel restart loses nothing.

Everything the builder and the charts say is in the course's language (the catalog's,
:mod:`ssd_core.i18n`); a stage picked from the palette shows the reference stage's title in that
language, whatever language it was picked in.
"""

from __future__ import annotations

import datetime as _dt
import io
import json
import os
import random
import textwrap
from dataclasses import asdict, dataclass, field
from html import escape
from pathlib import Path
from typing import Sequence

import ipywidgets as widgets
from IPython.display import display
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..fonts import fig, new_figure, use_cjk_font
from ..i18n import _, pgettext
from ..paths import write_atomically
from ..viz.explorer import show_static, static_mode
from .files import homework_dir
from .flowchart import Stage, plot_training_flowchart, training_stages
from .screenshot import render_png, save_screenshot

__all__ = ["ChartStage", "StudentChart", "plot_student_chart", "ChartComparison",
           "compare_with_reference", "save_student_chart", "shuffled_palette",
           "FlowchartBuilder", "flowchart_builder"]

#: Stages per column when the chart is drawn.
ROWS_PER_COLUMN = 7


@dataclass
class ChartStage:
    """One box of the student's chart: a reference stage's ``key`` (None for one you wrote),
    its title (a reference stage's: as shown when it was picked), and your note on it."""

    title: str
    key: str | None = None
    note: str = ""


@dataclass
class StudentChart:
    """Your flowchart: stages in your order, arrows and loops between them (by position)."""

    stages: list[ChartStage] = field(default_factory=list)
    arrows: list[tuple[int, int, str]] = field(default_factory=list)
    loops: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, stage: str | Stage | ChartStage, note: str = "") -> int:
        """Add a stage at the end: a reference :class:`Stage`, its key (``"match"``), or a
        title of your own. Returns its position."""
        if isinstance(stage, ChartStage):
            item = stage
        elif isinstance(stage, Stage):
            item = ChartStage(_(stage.title), stage.key, note)
        else:
            text = str(stage).strip()
            if not text:
                raise ValueError(_("a stage needs a title; write what happens there, e.g. "
                                   "'match'."))
            ref = {s.key: s for s in training_stages()}.get(text)
            item = (ChartStage(_(ref.title), ref.key, note) if ref
                    else ChartStage(text, None, note))
        self.stages.append(item)
        return len(self.stages) - 1

    def _check(self, *positions: int) -> None:
        for i in positions:
            if not 0 <= i < len(self.stages):
                raise IndexError(_("stage {i} does not exist; the chart has stages 0 to {last}")
                                 .format(i=i, last=len(self.stages) - 1))

    def move(self, i: int, j: int) -> None:
        """Move stage ``i`` to position ``j``; arrows and loops keep their stages."""
        self._check(i, j)
        order = list(range(len(self.stages)))
        order.insert(j, order.pop(i))
        new_pos = {old: new for new, old in enumerate(order)}
        self.stages = [self.stages[k] for k in order]
        self.arrows = [(new_pos[a], new_pos[b], t) for a, b, t in self.arrows]
        self.loops = [(new_pos[a], new_pos[b], t) for a, b, t in self.loops]

    def remove(self, i: int) -> None:
        """Remove stage ``i`` and the arrows and loops that touch it."""
        self._check(i)
        del self.stages[i]
        shift = lambda k: k - (k > i)
        self.arrows = [(shift(a), shift(b), t) for a, b, t in self.arrows if i not in (a, b)]
        self.loops = [(shift(a), shift(b), t) for a, b, t in self.loops if i not in (a, b)]

    def connect(self, a: int, b: int, label: str = "", loop: bool = False) -> None:
        """An arrow from stage ``a`` to stage ``b`` (a dashed loop with ``loop=True``)."""
        self._check(a, b)
        if a == b:
            raise ValueError(_("an arrow needs two different stages"))
        (self.loops if loop else self.arrows).append((a, b, str(label)))

    def chain(self) -> None:
        """Arrows between every pair of neighbouring stages (those not yet joined)."""
        have = {(a, b) for a, b, _label in self.arrows}
        for i in range(len(self.stages) - 1):
            if (i, i + 1) not in have:
                self.arrows.append((i, i + 1, ""))

    def set_note(self, i: int, note: str) -> None:
        """Your note on stage ``i`` (what it does, the shapes, the paper's numbers)."""
        self._check(i)
        self.stages[i].note = str(note)

    def to_dict(self) -> dict:
        return {"stages": [asdict(s) for s in self.stages],
                "arrows": [list(a) for a in self.arrows], "loops": [list(a) for a in self.loops]}

    @classmethod
    def from_dict(cls, d: dict) -> "StudentChart":
        chart = cls([ChartStage(**s) for s in d.get("stages", [])],
                    [tuple(a) for a in d.get("arrows", [])], [tuple(a) for a in d.get("loops", [])])
        chart._check(*[k for a, b, _label in chart.arrows + chart.loops for k in (a, b)])
        return chart


def _shown_title(stage: ChartStage, show=_) -> str:
    """What a box says: a reference stage's title in the current language (``show``: ``_``, or
    ``fig`` in a figure), or your own title."""
    ref = {s.key: s for s in training_stages()}.get(stage.key) if stage.key else None
    return show(ref.title) if ref is not None else stage.title


def shuffled_palette(seed: int | None = None) -> list[Stage]:
    """The reference stages in a shuffled order: what you pick from (the order is yours to find)."""
    stages = training_stages()
    random.Random(seed).shuffle(stages)
    return stages


# ---------------------------------------------------------------------------- drawing


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
        ax.text(cx, cy + (0.16 if s.note else 0), f"{i + 1}. {_shown_title(s, fig)}", ha="center",
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


# ---------------------------------------------------------------------------- comparison


@dataclass
class ChartComparison:
    """Your chart against the reference: what is missing, what is out of order, what is yours."""

    missing: list[Stage]
    out_of_order: list[str]            # titles (as shown) of picked stages out of the code's order
    own: list[str]                     # titles of stages you wrote yourself
    has_batch_loop: bool
    has_epoch_loop: bool

    def lines(self) -> list[str]:
        """The comparison as sentences, in the course's language."""
        # TRANSLATORS: between the stages of a list (Chinese: the enumeration comma)
        join = pgettext("list of stages", ", ").join
        out = []
        if self.missing:
            out.append(_("missing: {stages}").format(
                stages=join(_(s.title) for s in self.missing)))
        else:
            out.append(_("no stage of the reference is missing"))
        if self.out_of_order:
            out.append(_("out of order: {stages}").format(stages=join(self.out_of_order)))
        else:
            out.append(_("your stages are in the order the code runs them"))
        if self.own:
            out.append(_("your own stages: {stages}").format(stages=join(self.own)))
        if not self.has_batch_loop:
            out.append(_("no loop back for the next batch"))
        if not self.has_epoch_loop:
            out.append(_("no loop back for the next epoch"))
        return out


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence of ``values``."""
    best: list[list[int]] = []
    for i, v in enumerate(values):
        candidates = [seq for seq in best if values[seq[-1]] < v]
        chain = max(candidates, key=len, default=[]) + [i]
        best.append(chain)
    return set(max(best, key=len, default=[]))


def compare_with_reference(chart: StudentChart,
                           reference: Sequence[Stage] | None = None) -> ChartComparison:
    """Compare ``chart`` with the reference stages (the order the code runs them).

    Out of order are the picked stages outside a longest run that follows the reference order
    (the fewest stages to move). A loop counts as "next batch" when it goes back from a batch
    stage to an image stage or to the start, and as "next epoch" when it leaves an epoch stage.
    """
    reference = list(reference if reference is not None else training_stages())
    rank = {s.key: k for k, s in enumerate(reference)}
    group = {s.key: s.group for s in reference}
    picked = [(i, s) for i, s in enumerate(chart.stages) if s.key in rank]
    keep = _longest_increasing([rank[s.key] for _i, s in picked])
    out_of_order = [_shown_title(s) for j, (_i, s) in enumerate(picked) if j not in keep]
    present = {s.key for _i, s in picked}
    key_at = {i: s.key for i, s in enumerate(chart.stages)}

    def back(a: int, b: int) -> bool:
        return b <= a
    batch_loop = any(back(a, b) and group.get(key_at[a]) in ("batch", None)
                     and group.get(key_at[b]) in ("image", None) for a, b, _label in chart.loops)
    epoch_loop = any(back(a, b) and group.get(key_at[a]) == "epoch"
                     for a, b, _label in chart.loops)
    return ChartComparison([s for s in reference if s.key not in present], out_of_order,
                           [_shown_title(s) for s in chart.stages if s.key is None], batch_loop,
                           epoch_loop)


def save_student_chart(chart: StudentChart, lesson: int = 5, name: str = "flowchart",
                       student: str | None = None, **kwargs) -> Path:
    """Your chart, drawn by :func:`plot_student_chart`, saved with the caption strip
    (:func:`~ssd_core.homework.screenshot.save_screenshot`). An empty chart is refused."""
    if not chart.stages:
        raise ValueError(_("the flowchart has no stages yet: add the stages of SSD's training "
                           "first."))
    return save_screenshot(plot_student_chart(chart), lesson, name, student, **kwargs)


# ---------------------------------------------------------------------------- drafts


def _draft_path(folder) -> Path:
    return homework_dir(folder) / "drafts" / "flowchart.json"


def _save_draft(chart: StudentChart, folder) -> None:
    path = _draft_path(folder)
    write_atomically(path, json.dumps({"saved": _dt.datetime.now().isoformat(timespec="seconds"),
                                       "chart": chart.to_dict()}, ensure_ascii=False, indent=1))


def _load_draft(folder) -> StudentChart:
    path = _draft_path(folder)
    if not path.is_file():
        return StudentChart()
    try:
        return StudentChart.from_dict(json.loads(path.read_text(encoding="utf-8"))["chart"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        os.replace(path, path.with_name(f"{path.name}.unreadable-{_dt.datetime.now():%Y%m%d-%H%M%S}"))
        return StudentChart()


# ---------------------------------------------------------------------------- the builder


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
        self.chart = _load_draft(folder) if draft else StudentChart()
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
        try:
            action()
        except (ValueError, IndexError, OSError) as e:
            self.message.value = f"<span style='color:#b00'>{escape(str(e))}</span>"

    def _changed(self) -> None:
        if self.draft:
            _save_draft(self.chart, self.folder)
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
        names = [f"{i + 1}. {_shown_title(s)}" for i, s in enumerate(self.chart.stages)]
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
    render_png(fig, dpi=80).save(buf, format="PNG")
    return buf.getvalue()


def flowchart_builder(student: str | None = None, folder=None, seed: int | None = None,
                      lesson: int = 5) -> FlowchartBuilder:
    """The flowchart builder of lesson 5 (homework option 2); it reopens your draft."""
    return FlowchartBuilder(student, folder, seed, lesson)
