"""Session 5's homework, option 2: the student's flowchart drawn as they built it, and saved
as homework with the caption strip (:func:`~ssd_core.homework.screenshot.save_screenshot`).

The drawing is laid out in inches: one unit of the axes is one inch, the same both ways, so a
text's size in points says how much room it takes. Every name and note is wrapped to its box's
width as the font measures it (:func:`wrap_text`: Chinese between any two characters, other
scripts between words) and each box is as tall as its text needs, so a long name stays inside
its box and inside the picture. Arrows between neighbours of a column are straight, and so is
an arrow to the next column. A loop, or an arrow that skips a stage, runs in the gutter right
of its column; one back to an earlier column (the next batch, the next epoch) or over a column
runs down its gutter, along a channel below the boxes and up the other column's gutter. Each
runs on a lane and a channel of its own (the shortest nearest the boxes, a gutter as wide as
its lanes need), with its label on the middle of its own lane or channel, where no other line
passes (:class:`_Edge`).

matplotlib warns in English (``Glyph 128640 (\\N{ROCKET}) missing from font(s) ...``) when a
text has a character no font draws. The chart's texts are checked when they are typed
(:func:`~ssd_core.homework.student_chart.check_text`), but a draft of an earlier version may
still hold one: the figure shows it as :data:`NO_GLYPH` (what a missing glyph looks like
anyway, without the warning, wherever the figure is drawn later), and drawing and saving happen
inside :func:`glyph_warnings_hidden` too, so no such warning reaches the notebook.
"""

from __future__ import annotations

import contextlib
import unicodedata
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path as MplPath

from ..fonts import fig, font_families, missing_glyphs, new_figure
from ..i18n import _
from .files import require_student
from .screenshot import save_screenshot
from .student_chart import ChartStage, StudentChart, shown_title

__all__ = ["ROWS_PER_COLUMN", "NO_GLYPH", "plot_student_chart", "save_student_chart",
           "wrap_text", "glyph_warnings_hidden"]

#: Stages per column when the chart is drawn.
ROWS_PER_COLUMN = 7

#: Sizes in inches: a box's width; the gutter right of each column (loops and their labels);
#: the margin left of the first column; the gap between two boxes of a column; the padding
#: inside a box; the least height of a box; the space above the boxes (the chart's title) and
#: below them; the width an arrow's label wraps to.
BOX_W, GUTTER, LEFT, GAP, PAD = 2.9, 1.3, 0.3, 0.42, 0.12
MIN_BOX_H, TOP, BOTTOM, LABEL_W = 0.62, 0.8, 0.35, 1.2
#: Font sizes in points: a stage's name, its note, an arrow's label, the chart's title.
NAME_PT, NOTE_PT, LABEL_PT, HEADING_PT = 9.0, 7.0, 7.0, 12.0

_OWN_COLOR, _PICKED_COLOR = "#fdf0d8", "#e3eefc"
_ARROW_COLOR, _LOOP_COLOR = "#223344", "#aa3322"

#: What the chart shows for a character no installed font draws (an old draft's emoji).
NO_GLYPH = "\u25a1"
#: matplotlib's warning for a character no font draws.
_GLYPH_WARNING = r"Glyph \d+ .*missing from font"


@contextlib.contextmanager
def glyph_warnings_hidden():
    """Within the block, matplotlib's "Glyph ... missing from font(s)" warnings are not shown
    (other warnings are)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_GLYPH_WARNING)
        yield


# -- measuring and wrapping text ---------------------------------------------------------------

def _font(points: float, bold: bool = False) -> FontProperties:
    return FontProperties(family=font_families(), size=points, weight="bold" if bold else "normal")


class _Ruler:
    """Measures texts in inches, as the Agg renderer lays them out (at 72 dpi, a pixel is a
    point)."""

    def __init__(self):
        self.figure = Figure(dpi=72)
        FigureCanvasAgg(self.figure)
        self.renderer = self.figure.canvas.get_renderer()

    def width(self, text: str, prop: FontProperties) -> float:
        w, _h, _d = self.renderer.get_text_width_height_descent(text, prop, ismath=False)
        return w / 72

    def height(self, lines: list[str], prop: FontProperties) -> float:
        """The height of ``lines`` drawn as one text (matplotlib's line spacing)."""
        if not lines:
            return 0.0
        text = self.figure.text(0, 0, "\n".join(lines), fontproperties=prop, parse_math=False)
        height = text.get_window_extent(self.renderer).height / 72
        text.remove()
        return height


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


#: Punctuation that never starts a line (it stays with the character before it).
_NO_BREAK_BEFORE = set("，。、：；！？）》」』】〉”’,.:;!?)]}%")


def _pieces(text: str) -> list[str]:
    """``text`` cut where a line may break: spaces, around every wide (CJK) character, never
    before closing punctuation."""
    pieces: list[str] = []
    for ch in text:
        joins = pieces and not pieces[-1].isspace() and not ch.isspace() and (
            ch in _NO_BREAK_BEFORE or not (_wide(ch) or _wide(pieces[-1][-1])))
        if joins:
            pieces[-1] += ch
        elif ch.isspace() and pieces and pieces[-1].isspace():
            continue
        else:
            pieces.append(" " if ch.isspace() else ch)
    return pieces


def wrap_text(text: str, width: float, prop: FontProperties, ruler: _Ruler | None = None
              ) -> list[str]:
    """``text`` in lines no wider than ``width`` inches in the font ``prop``: broken between
    words, and between any two Chinese characters; a word wider than a line is cut."""
    ruler = ruler or _Ruler()
    fits = lambda s: ruler.width(s, prop) <= width
    lines: list[str] = []
    current = ""
    for piece in _pieces(text):
        if fits((current + piece).rstrip()):
            current += piece
            continue
        if current.strip():
            lines.append(current.rstrip())
        current = "" if piece.isspace() else piece
        while len(current) > 1 and not fits(current):         # a word wider than a line
            cut = max([k for k in range(2, len(current)) if fits(current[:k])], default=1)
            lines.append(current[:cut])
            current = current[cut:]
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _drawable(chart: StudentChart) -> StudentChart:
    """``chart``, or a copy of it whose texts show :data:`NO_GLYPH` for every character no
    installed font draws."""
    texts = [t for s in chart.stages for t in (s.title, s.note)]
    texts += [t for _a, _b, t in chart.arrows + chart.loops]
    missing = missing_glyphs("".join(texts))
    if not missing:
        return chart
    fix = lambda text: text.translate(str.maketrans({c: NO_GLYPH for c in missing}))
    return StudentChart([ChartStage(fix(s.title), s.key, fix(s.note)) for s in chart.stages],
                        [(a, b, fix(t)) for a, b, t in chart.arrows],
                        [(a, b, fix(t)) for a, b, t in chart.loops])


# -- the layout -----------------------------------------------------------------------------

@dataclass
class _Box:
    """Where a stage's box is (inches; y grows upwards, the figure's top is 0), and its text
    in lines."""

    column: int
    top: float
    height: float
    name: list[str]
    note: list[str]
    name_h: float
    note_h: float
    x0: float = 0.0                     # set once the widths of the gutters are known

    @property
    def x1(self) -> float:
        return self.x0 + BOX_W

    @property
    def cx(self) -> float:
        return self.x0 + BOX_W / 2

    @property
    def bottom(self) -> float:
        return self.top - self.height

    @property
    def cy(self) -> float:
        return self.top - self.height / 2


@dataclass
class _Edge:
    """An arrow (or a loop) from box ``a`` to box ``b``, its label in lines, and its route:

    * ``"down"``: between neighbours of a column, straight (an arrow up runs beside it);
    * ``"across"``: to the next column, straight across the gutter between them;
    * ``"gutter"``: in the same column, out of ``a``'s right side to a lane of the gutter
      (:class:`_Run`), along it, into ``b``'s right side;
    * ``"under"``: to another column, out to a lane of ``a``'s gutter, down to a channel below
      the boxes (``channel_y``), along it, up a lane of ``b``'s gutter into ``b``'s right side.

    ``ya``, ``yb``: the heights where a gutter or channel route leaves ``a`` and enters ``b``.
    """

    a: int
    b: int
    loop: bool
    label: list[str]
    label_w: float
    label_h: float
    route: str = "down"
    ya: float = 0.0
    yb: float = 0.0
    channel_y: float = 0.0
    runs: list["_Run"] = field(default_factory=list)

    @property
    def gid(self) -> str:
        return f"{'loop' if self.loop else 'arrow'}:{self.a}-{self.b}"


@dataclass
class _Run:
    """A stretch of an edge along a lane of a column's gutter, from height ``lo`` to ``hi``;
    ``lane``: how far right of the boxes (inches), set by :func:`_lanes`. A gutter route's run
    carries its label on its middle."""

    edge: _Edge
    column: int
    lo: float
    hi: float
    labelled: bool
    lane: float = 0.0

    @property
    def label_span(self) -> tuple[float, float] | None:
        """The heights its label covers, a little margin included (None: no label here)."""
        if not (self.labelled and self.edge.label):
            return None
        middle = (self.lo + self.hi) / 2
        return middle - self.edge.label_h / 2 - LANE_GAP, middle + self.edge.label_h / 2 + LANE_GAP

    @property
    def half_w(self) -> float:
        """Half its label's width, its frame included (0 without a label here)."""
        return self.edge.label_w / 2 + 0.05 if self.label_span else 0.0


#: Lanes in a gutter (inches): the first one's distance from the boxes, the least space between
#: two lanes (or a lane and a label), and between two ends of lanes on a box's side. Channels
#: below the boxes: the first one's distance from the lowest box, and the least space between
#: two (their labels included).
LANE0, LANE_GAP, END_GAP = 0.25, 0.08, 0.1
CHANNEL0, CHANNEL_GAP = 0.3, 0.14


def _layout(chart: StudentChart, rows: int, ruler: _Ruler) -> list[_Box]:
    """Each stage's box: its column, its top and its height (as tall as its text needs)."""
    name_font, note_font = _font(NAME_PT, bold=True), _font(NOTE_PT)
    room = BOX_W - 2 * PAD
    boxes: list[_Box] = []
    for i, stage in enumerate(chart.stages):
        column, row = divmod(i, rows)
        name = wrap_text(f"{i + 1}. {shown_title(stage, fig)}", room, name_font, ruler)
        note = wrap_text(stage.note, room, note_font, ruler) if stage.note else []
        name_h, note_h = ruler.height(name, name_font), ruler.height(note, note_font)
        height = max(MIN_BOX_H, 2 * PAD + name_h + (PAD / 2 + note_h if note else 0))
        top = -TOP if row == 0 else boxes[-1].bottom - GAP
        boxes.append(_Box(column, top, height, name, note, name_h, note_h))
    return boxes


def _adjacent(a: _Box, b: _Box) -> bool:
    upper, lower = (a, b) if a.top > b.top else (b, a)
    return a.column == b.column and abs(upper.bottom - GAP - lower.top) < 1e-9


def _route(a: _Box, b: _Box, loop: bool) -> str:
    if a.column == b.column:
        return "down" if not loop and _adjacent(a, b) else "gutter"
    return "across" if b.column == a.column + 1 else "under"


def _edges(chart: StudentChart, boxes: list[_Box], ruler: _Ruler) -> list[_Edge]:
    """The chart's arrows, then its loops: their labels wrapped, their routes chosen, their
    ends on the boxes' sides spread out where several meet one box, the channels below the
    boxes given out (the shortest nearest the boxes) and their gutter runs made."""
    label_font = _font(LABEL_PT)
    edges = []
    for a, b, label, loop in ([(a, b, t, False) for a, b, t in chart.arrows]
                              + [(a, b, t, True) for a, b, t in chart.loops]):
        lines = wrap_text(label, LABEL_W, label_font, ruler) if label else []
        width = max([ruler.width(line, label_font) for line in lines], default=0.0)
        edges.append(_Edge(a, b, loop, lines, width, ruler.height(lines, label_font),
                           _route(boxes[a], boxes[b], loop)))
    ends: dict[int, list[tuple[_Edge, str]]] = {}
    for edge in edges:
        if edge.route in ("gutter", "under"):
            ends.setdefault(edge.a, []).append((edge, "ya"))
            ends.setdefault(edge.b, []).append((edge, "yb"))
    for box, here in ends.items():
        for k, (edge, end) in enumerate(here):
            setattr(edge, end, boxes[box].cy + (k - (len(here) - 1) / 2) * END_GAP)
    y = min([box.bottom for box in boxes] + [-TOP]) - CHANNEL0
    under = [e for e in edges if e.route == "under"]
    for edge in sorted(under, key=lambda e: abs(boxes[e.a].column - boxes[e.b].column)):
        edge.channel_y = y - edge.label_h / 2
        y = edge.channel_y - edge.label_h / 2 - CHANNEL_GAP
    for edge in edges:
        if edge.route == "gutter":
            edge.runs = [_Run(edge, boxes[edge.a].column, min(edge.ya, edge.yb),
                              max(edge.ya, edge.yb), labelled=True)]
        elif edge.route == "under":
            edge.runs = [_Run(edge, boxes[edge.a].column, edge.channel_y, edge.ya, False),
                         _Run(edge, boxes[edge.b].column, edge.channel_y, edge.yb, False)]
    return edges


def _overlap(p: tuple[float, float] | None, q: tuple[float, float] | None) -> bool:
    return p is not None and q is not None and p[0] <= q[1] and q[0] <= p[1]


def _lanes(runs: list[_Run]) -> float:
    """Give each run in one column's gutter a lane, the shortest nearest the boxes: no lane
    crosses a label, and no label another lane or label. Returns how far the gutter reaches."""
    placed: list[_Run] = []
    for run in sorted(runs, key=lambda r: r.hi - r.lo):
        lane = max(LANE0, run.half_w + LANE_GAP)         # its label clear of the boxes
        for other in placed:
            if _overlap((run.lo, run.hi), (other.lo, other.hi)):
                lane = max(lane, other.lane + LANE_GAP)
            if _overlap((run.lo, run.hi), other.label_span):
                lane = max(lane, other.lane + other.half_w + LANE_GAP)
            if _overlap(run.label_span, (other.lo, other.hi)):
                lane = max(lane, other.lane + run.half_w + LANE_GAP)
            if _overlap(run.label_span, other.label_span):
                lane = max(lane, other.lane + other.half_w + run.half_w + LANE_GAP)
        run.lane = lane
        placed.append(run)
    return max([r.lane + r.half_w for r in placed], default=0.0)


def _place_columns(boxes: list[_Box], edges: list[_Edge], columns: int) -> float:
    """Set each box's left side, each gutter as wide as its lanes need (at least
    :data:`GUTTER`); returns the figure's width."""
    runs = [run for edge in edges for run in edge.runs]
    x = LEFT
    for column in range(columns):
        reach = _lanes([run for run in runs if run.column == column])
        for box in boxes:
            if box.column == column:
                box.x0 = x
        x += BOX_W + max(GUTTER, reach + 0.2)
    return x


def _draw_box(ax, i: int, box: _Box, picked: bool) -> None:
    patch = FancyBboxPatch((box.x0, box.bottom), BOX_W, box.height,
                           boxstyle="round,pad=0.0,rounding_size=0.08",
                           facecolor=_PICKED_COLOR if picked else _OWN_COLOR,
                           edgecolor="#445566", linewidth=1.0)
    patch.set_gid(f"stage:{i}")
    ax.add_patch(patch)
    content = box.name_h + (PAD / 2 + box.note_h if box.note else 0)
    top = box.cy + content / 2                        # the text block, centred in its box
    ax.text(box.cx, top, "\n".join(box.name), ha="center", va="top", multialignment="center",
            fontproperties=_font(NAME_PT, bold=True), parse_math=False, gid=f"title:{i}")
    if box.note:
        ax.text(box.cx, top - box.name_h - PAD / 2, "\n".join(box.note), ha="center", va="top",
                multialignment="center", fontproperties=_font(NOTE_PT), color="#333333",
                parse_math=False, gid=f"note:{i}")


def _path(edge: _Edge, a: _Box, b: _Box) -> tuple[list[tuple[float, float]], tuple]:
    """The corners of a gutter or channel route, and where its label goes (the middle of its
    lane, or of its channel)."""
    if edge.route == "gutter":
        x = a.x1 + edge.runs[0].lane
        return [(a.x1, edge.ya), (x, edge.ya), (x, edge.yb), (b.x1, edge.yb)], \
            (x, (edge.ya + edge.yb) / 2)
    xa, xb = a.x1 + edge.runs[0].lane, b.x1 + edge.runs[1].lane
    y = edge.channel_y
    return [(a.x1, edge.ya), (xa, edge.ya), (xa, y), (xb, y), (xb, edge.yb), (b.x1, edge.yb)], \
        ((xa + xb) / 2, y)


def _draw_edge(ax, edge: _Edge, a: _Box, b: _Box) -> None:
    """The edge along its route (:class:`_Edge`), its label on its middle, over the line; beside
    it for a short straight arrow between neighbours."""
    color = _LOOP_COLOR if edge.loop else _ARROW_COLOR
    style = {"arrowstyle": "-|>", "mutation_scale": 11, "lw": 1.1, "color": color,
             "linestyle": "--" if edge.loop else "-"}
    on_line = True
    if edge.route in ("gutter", "under"):
        corners, where = _path(edge, a, b)
        codes = [MplPath.MOVETO] + [MplPath.LINETO] * (len(corners) - 1)
        arrow = FancyArrowPatch(path=MplPath(corners, codes), **style)
    elif edge.route == "down":
        down = b.top < a.top
        x = a.cx if down else a.cx + 0.3                # up: beside the arrow coming down
        start, end = (x, a.bottom if down else a.top), (x, b.top if down else b.bottom)
        arrow = FancyArrowPatch(start, end, **style)
        where, on_line = (x + 0.07, (start[1] + end[1]) / 2), False
    else:                                               # across, to the next column
        start, end = (a.x1, a.cy), (b.x0, b.cy)
        arrow = FancyArrowPatch(start, end, **style)
        where = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    arrow.set_gid(edge.gid)
    ax.add_patch(arrow)
    if edge.label:
        frame = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": color,
                 "linewidth": 0.6}
        ax.text(*where, "\n".join(edge.label), ha="center" if on_line else "left",
                va="center", multialignment="center", fontproperties=_font(LABEL_PT),
                color=color, parse_math=False, gid=f"label:{edge.gid}",
                bbox=frame if on_line else None)


def plot_student_chart(chart: StudentChart, title: str | None = None) -> Figure:
    """Draw ``chart`` as its author built it: boxes in their order, column after column;
    solid arrows and dashed loops where they put them; each note under its name. ``title``:
    an English sentence of the catalog, or a text of your own (default: "my SSD training
    flowchart").

    Boxes carry ``gid="stage:<position>"``, their names ``"title:<position>"`` and notes
    ``"note:<position>"``; arrows ``"arrow:<a>-<b>"``, loops ``"loop:<a>-<b>"``, and a label
    ``"label:"`` followed by its arrow's gid.
    """
    ruler = _Ruler()
    chart = _drawable(chart)
    with glyph_warnings_hidden():
        n = len(chart.stages)
        rows = min(ROWS_PER_COLUMN, max(1, n))
        columns = max(1, -(-n // rows))
        boxes = _layout(chart, rows, ruler)
        edges = _edges(chart, boxes, ruler)
        width = _place_columns(boxes, edges, columns)
        lowest = min([b.bottom for b in boxes] + [e.channel_y - e.label_h / 2 for e in edges
                                                   if e.route == "under"] + [-TOP - 0.5])
        height = -lowest + BOTTOM
        figure = new_figure(figsize=(width, height))
        ax = figure.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, width)
        ax.set_ylim(-height, 0)
        ax.set_axis_off()
        heading = fig(title) if title is not None else fig("my SSD training flowchart")
        heading_font = _font(HEADING_PT, bold=True)
        ax.text(width / 2, -TOP / 2, "\n".join(wrap_text(heading, width - 0.4, heading_font,
                                                          ruler)),
                ha="center", va="center", multialignment="center", fontproperties=heading_font,
                parse_math=False)
        if n == 0:
            ax.text(width / 2, -TOP - 0.25, fig("no stages yet: add some"), ha="center",
                    va="center", fontsize=10)
            return figure
        for i, (stage, box) in enumerate(zip(chart.stages, boxes)):
            _draw_box(ax, i, box, picked=stage.key is not None)
        for edge in edges:
            _draw_edge(ax, edge, boxes[edge.a], boxes[edge.b])
    return figure


def save_student_chart(chart: StudentChart, lesson: int = 5, name: str = "flowchart",
                       student: str | None = None, **kwargs) -> Path:
    """Your chart, drawn by :func:`plot_student_chart`, saved with the caption strip
    (:func:`~ssd_core.homework.screenshot.save_screenshot`) as ``homework/lesson05_flowchart.png``:
    saving again replaces it, and the version it replaces is kept in ``homework/old/``.

    An empty chart is refused, and so is a chart without your name
    (:func:`~ssd_core.homework.files.require_student`), each with a :class:`ValueError` that
    says what to do. ``kwargs`` go to :func:`save_screenshot` (``folder``, ``dpi``, ``when``,
    ``device``, ``quiet``).
    """
    if not chart.stages:
        raise ValueError(_("the flowchart has no stages yet: add the stages of SSD's training "
                           "first."))
    who = require_student(student, kwargs.get("folder"))
    with glyph_warnings_hidden():
        return save_screenshot(plot_student_chart(chart), lesson, name, who, **kwargs)
