"""Figures that need only matplotlib: boxes over images, training curves, precision/recall.

Everything draws on a ``matplotlib.figure.Figure`` made without pyplot, so it works on a
headless machine, in a training run and in a notebook alike (a Figure displays inline once
``%matplotlib inline`` has run, as the lessons do first). The training run writes its
figures with these functions; the lessons' explorers (:mod:`ssd_core.viz`) draw with them.

Boxes come in ``ssd_core``'s convention, xyxy in [0, 1], and are scaled to the image by
:func:`draw_boxes`; :func:`add_boxes` takes pixel boxes (``boxes_px``) and draws thousands of
them as one artist.

Axis labels and legends are English sentences of the catalog (:mod:`ssd_core.i18n`), shown in
the course's language when a figure is drawn; with no installed font that draws Chinese,
:func:`ssd_core.fonts.fig` keeps them English. A ``title`` given to a function is shown as it
is (the caller writes it in the course's language).

**Class names** are the data's English names (``classes.txt``, checkpoints, ``metrics.csv``);
a figure shows each through :func:`class_label`, in the course's language (三角形 for
``triangle``). **mAP and AP** are fractions in [0, 1] in every result and file
(:class:`~ssd_core.metrics.EvalResult`, ``metrics.csv``, a run's ``history``); figures show
them in percent, as the paper's tables do (mAP 75.7, not 0.757).
"""

from __future__ import annotations

import contextlib
import csv
import math
import unicodedata
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import torch
from matplotlib import colormaps, font_manager, rc_context
from matplotlib.artist import Artist
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator

from .data.images import to_float_image
from .fonts import cjk_font, fig, new_figure, pfig

__all__ = [
    "class_label",
    "percent",
    "class_colors",
    "image_to_numpy",
    "draw_boxes",
    "place_labels",
    "BoxLabels",
    "box_vertices",
    "add_boxes",
    "show_detections",
    "plot_detection_grid",
    "plot_test_run",
    "running_mean",
    "plot_training_curves",
    "plot_pr_curves",
]


def class_label(name) -> str:
    """A class's name as a student reads it: the catalog's translation in the context
    ``"class name"`` (the shapes, VOC's 20 classes, the sample photos' and COCO's 80 are
    marked: :func:`ssd_core.data.shapes.shape_class_labels`,
    :func:`ssd_core.data.voc.voc_class_labels`, :func:`ssd_core.viz.pictures.sample_class_labels`,
    :func:`ssd_core.inference.coco_class_labels`), or the name as it is (a student's own class,
    or a figure in Chinese with no CJK font installed). The data keeps the English names."""
    return pfig("class name", str(name))


def percent(value) -> float:
    """An AP or mAP (a fraction in [0, 1], as results and files keep it) in percent, as the
    paper's tables and the course's figures and printed lines show it: 0.757 -> 75.7."""
    return 100.0 * float(value)


def class_colors(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` distinct colours (tab10, then tab20)."""
    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def image_to_numpy(image) -> np.ndarray:
    """An image as ``imshow`` takes it, ``[H, W, 3]`` floats in [0, 1]: from a ``[3, H, W]``
    tensor (uint8, or float in [0, 1]; clamped), a PIL image or an ``[H, W, 3]`` array (uint8,
    or float, kept as it is)."""
    if isinstance(image, torch.Tensor):
        arr = to_float_image(image.detach().cpu().as_subclass(torch.Tensor))   # [3, H, W]
        return arr.clamp(0, 1).permute(1, 2, 0).numpy()                         # [H, W, 3]
    arr = np.array(image)
    return to_float_image(torch.from_numpy(arr)).numpy() if arr.dtype == np.uint8 else arr


def draw_boxes(
    ax,
    boxes,
    image_hw: tuple[int, int],
    labels: Sequence[int] | None = None,
    scores: Sequence[float] | None = None,
    class_names: Sequence[str] | None = None,
    color=None,
    linewidth: float = 2.0,
    linestyle: str = "-",
    alpha: float = 1.0,
    show_text: bool = True,
) -> None:
    """Draw xyxy boxes in [0, 1] on ``ax`` over an image of size ``image_hw``.

    ``labels`` pick colours and names (label 0 is the background, so name ``labels - 1``);
    the names are shown in the course's language (:func:`class_label`). The labels are placed
    when the figure is drawn (:class:`BoxLabels`): none overlaps another, and those that find
    no free place are left out, the lowest scores first (their boxes stay).
    """
    h, w = image_hw
    boxes = torch.as_tensor(boxes, dtype=torch.float32).reshape(-1, 4).tolist()
    n_colors = (max(labels) if labels is not None and len(labels) else 0) + 1
    palette = class_colors(max(n_colors, len(class_names or []) + 1))
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        label = int(labels[i]) if labels is not None else None
        c = color if color is not None else palette[label if label is not None else 1]
        ax.add_patch(Rectangle((x1 * w, y1 * h), (x2 - x1) * w, (y2 - y1) * h, fill=False,
                               edgecolor=c, linewidth=linewidth, linestyle=linestyle, alpha=alpha))
        if not show_text or (label is None and scores is None):
            continue
        text = ""
        if label is not None:
            text = (class_label(class_names[label - 1]) if class_names and 0 < label <= len(class_names)
                    else str(label))
        score = float(scores[i]) if scores is not None else None
        if score is not None:
            text += f" {score:.2f}"
        artist = ax.text(x1 * w, y1 * h, text.strip(), fontsize=8, color="white", va="bottom",
                         ha="left", gid="box_label",
                         bbox=dict(facecolor=c, alpha=0.8, pad=_LABEL_PAD, edgecolor="none"))
        BoxLabels.of(ax).add(artist, (x1 * w, y1 * h, x2 * w, y2 * h), score)


#: Points of coloured background around a box's label, and between two labels.
_LABEL_PAD = 1.0
_LABEL_GAP = 1.0


def _label_spots(size: tuple[float, float], box, area) -> np.ndarray:
    """Where a label of ``size`` (w, h) may go beside ``box``, as ``[C, 4]`` rectangles
    (x0, y0, x1, y1; y up) inside ``area``, the nearest to the box's outline first: above the
    box, below it, inside along its top, inside along its bottom, at its left or right end,
    then shifted along the box and one label's height away from it (no further: a label far
    from its box would seem to name another). Ties keep that order."""
    w, h = size
    bx0, by0, bx1, by1 = box
    ax0, ay0, ax1, ay1 = area
    ys = [by1, by0 - h, by1 - h, by0, by1 + h, by0 - 2 * h, by1 - 2 * h, by0 + h]
    xs = [bx0, bx1 - w] + [bx0 + k * w / 2 for k in (-1, 1, 2, -2, 3, 4)]
    spots = np.array([(x, y) for x in xs for y in ys], dtype=float)
    # shifted into the area (a label wider than it starts at its left edge)
    spots[:, 0] = np.clip(spots[:, 0], ax0, max(ax0, ax1 - w))
    spots[:, 1] = np.clip(spots[:, 1], ay0, max(ay0, ay1 - h))
    rects = np.concatenate([spots, spots + (w, h)], axis=1)
    # distance to the box's outline: the gap outside it, or the depth inside it
    dx = np.maximum.reduce([np.zeros(len(rects)), bx0 - rects[:, 2], rects[:, 0] - bx1])
    dy = np.maximum.reduce([np.zeros(len(rects)), by0 - rects[:, 3], rects[:, 1] - by1])
    depth = np.minimum.reduce([rects[:, 0] - bx0, bx1 - rects[:, 2], rects[:, 1] - by0,
                               by1 - rects[:, 3]])
    distance = np.round(np.where((dx > 0) | (dy > 0), np.hypot(dx, dy), np.maximum(depth, 0.0)), 3)
    near = distance <= h
    return rects[near][np.argsort(distance[near], kind="stable")]


def _overlaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``[A, B]``: whether rectangle ``a[i]`` overlaps ``b[j]`` (x0, y0, x1, y1; touching
    does not count)."""
    a, b = a[:, None, :], b[None, :, :]
    return ((a[..., 0] < b[..., 2]) & (b[..., 0] < a[..., 2])
            & (a[..., 1] < b[..., 3]) & (b[..., 1] < a[..., 3]))


def place_labels(sizes, boxes, area) -> list[tuple[float, float] | None]:
    """Places for labels that never overlap: the lower-left corner of each, or None for a label
    left out.

    ``sizes`` are the labels' ``(w, h)``, ``boxes`` the ``(x0, y0, x1, y1)`` each belongs to,
    and ``area`` the rectangle they must stay in, all in one unit with y up (display pixels).
    Labels are placed in the order given (the highest score first): each takes the first spot
    of :func:`_label_spots` that no label placed before it overlaps (touching is allowed), and
    is left out when there is none, so a label is dropped only for labels that come before it.
    """
    placed = np.empty((0, 4))
    out: list[tuple[float, float] | None] = []
    for size, box in zip(sizes, boxes):
        spots = _label_spots(size, box, area)
        free = np.flatnonzero(~_overlaps(spots, placed).any(axis=1))
        if len(free) == 0:
            out.append(None)
            continue
        spot = spots[free[0]]
        placed = np.vstack([placed, spot])
        out.append((float(spot[0]), float(spot[1])))
    return out


class BoxLabels(Artist):
    """The labels of the boxes on one axes, placed each time the figure is drawn (then the
    axes' size on screen, the fonts and the resolution are known): :func:`place_labels` in
    display pixels, the highest score first, each label with its coloured background and a gap
    kept clear of the others and inside the axes. A label with no free place is hidden.

    It draws nothing itself: it runs after the boxes and before the labels (zorder 2.9; texts
    are at 3). :meth:`of` gives an axes' one instance, so labels added by several calls of
    :func:`draw_boxes` are placed together.
    """

    def __init__(self):
        super().__init__()
        self.set_zorder(2.9)
        self.set_in_layout(False)
        self.labels: list[tuple[object, tuple[float, float, float, float], float | None]] = []

    @classmethod
    def of(cls, ax) -> BoxLabels:
        """The axes' labels placer (made and added on first use)."""
        for artist in ax.artists:
            if isinstance(artist, cls):
                return artist
        return ax.add_artist(cls())

    def add(self, text, box_data, score: float | None = None) -> None:
        """Place the text artist ``text`` beside ``box_data`` (x0, y0, x1, y1 in data units);
        ``score`` ranks it (higher first; labels without a score come after, in order)."""
        self.labels.append((text, box_data, score))

    def _order(self) -> list[int]:
        return sorted(range(len(self.labels)), key=lambda i: (
            self.labels[i][2] is None, -(self.labels[i][2] or 0.0), i))

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self.labels or self.axes is None:
            return
        ax = self.axes
        to_px = ax.transData.transform
        margin = renderer.points_to_pixels(_LABEL_PAD) + renderer.points_to_pixels(_LABEL_GAP) / 2
        sizes, boxes = [], []
        order = self._order()
        for i in order:
            text, (x0, y0, x1, y1), _score = self.labels[i]
            with _quietly(text):
                text.set_visible(True)         # a hidden text measures 1 x 1
                extent = text.get_window_extent(renderer)
            sizes.append((extent.width + 2 * margin, extent.height + 2 * margin))
            (px0, py0), (px1, py1) = to_px([(x0, y0), (x1, y1)])
            boxes.append((min(px0, px1), min(py0, py1), max(px0, px1), max(py0, py1)))
        spots = place_labels(sizes, boxes, ax.bbox.extents)
        to_data = ax.transData.inverted().transform
        for i, spot in zip(order, spots):
            text = self.labels[i][0]
            with _quietly(text):
                text.set_visible(spot is not None)
                if spot is not None:
                    text.set_horizontalalignment("left")
                    text.set_verticalalignment("bottom")
                    text.set_position(tuple(to_data((spot[0] + margin, spot[1] + margin))))


@contextlib.contextmanager
def _quietly(artist):
    """Change ``artist`` without marking its figure as changed: placing the labels is part of
    drawing it, and an interactive backend would otherwise draw the figure again, and again."""
    callback, artist.stale_callback = artist.stale_callback, None
    try:
        yield artist
    finally:
        artist.stale_callback = callback


def box_vertices(boxes_px) -> np.ndarray:
    """``[N, 4]`` xyxy -> ``[N, 4, 2]`` corners (top-left, top-right, bottom-right, bottom-left)."""
    b = np.asarray(boxes_px, dtype=np.float64).reshape(-1, 4)
    return np.stack([b[:, [0, 1]], b[:, [2, 1]], b[:, [2, 3]], b[:, [0, 3]]], axis=1)


def add_boxes(ax, boxes_px, edgecolors="tab:blue", linewidth: float = 1.0, linestyle="-",
              alpha: float | None = None, label: str | None = None, zorder: float = 2) -> PolyCollection:
    """Draw ``[N, 4]`` pixel boxes as one ``PolyCollection`` (outlines only) and return it.

    One artist for all 8,732 default boxes of SSD300 keeps a redraw fast, and a test can count
    its paths. Above 100 boxes antialiasing is switched off: thin lines look the same and the
    boxes draw several times faster.
    """
    verts = box_vertices(boxes_px)
    coll = PolyCollection(verts, facecolors="none", edgecolors=edgecolors, linewidths=linewidth,
                          linestyles=linestyle, antialiaseds=len(verts) <= 100, alpha=alpha,
                          label=label, zorder=zorder)
    ax.add_collection(coll)
    return coll


def show_detections(
    image,
    detections: Mapping | None = None,
    class_names: Sequence[str] | None = None,
    score_threshold: float = 0.3,
    ground_truth: Mapping | None = None,
    ax=None,
    title: str | None = None,
):
    """An image with its detections (solid) and, optionally, ground truth (dashed white), and
    ``title`` above it as it is given."""
    arr = image_to_numpy(image)
    figure = None
    if ax is None:
        figure = new_figure(figsize=(5, 5))
        ax = figure.add_subplot()
    ax.imshow(arr)
    ax.set_axis_off()
    hw = arr.shape[:2]
    if ground_truth is not None:
        draw_boxes(ax, ground_truth["boxes"], hw, color="white", linestyle="--", linewidth=1.5,
                   show_text=False)
    if detections is not None:
        keep = torch.as_tensor(detections["scores"]) >= score_threshold
        draw_boxes(ax, torch.as_tensor(detections["boxes"])[keep], hw,
                   labels=torch.as_tensor(detections["labels"])[keep].tolist(),
                   scores=torch.as_tensor(detections["scores"])[keep].tolist(),
                   class_names=class_names)
    if title:
        ax.set_title(title, fontsize=9)
    return figure if figure is not None else ax.figure


def plot_detection_grid(images, detections: Sequence[Mapping], class_names=None,
                        ground_truths: Sequence[Mapping] | None = None,
                        score_threshold: float = 0.4, columns: int = 4) -> Figure:
    """Several images with their detections (and dashed ground truth), in a grid."""
    n = len(detections)
    rows = max(1, math.ceil(n / columns))
    figure = new_figure(figsize=(3 * columns, 3.2 * rows))
    axes = figure.subplots(rows, columns, squeeze=False).flatten()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i < n:
            show_detections(images[i], detections[i], class_names=class_names,
                            score_threshold=score_threshold, ax=ax,
                            ground_truth=ground_truths[i] if ground_truths is not None else None)
    figure.tight_layout()
    return figure


#: A monospaced font whose Chinese characters are exactly two columns wide (installed with
#: Debian's fonts-noto-cjk): with it the evaluation table's Chinese class names line up.
_MONO_CJK = "Noto Sans Mono CJK SC"


def _table_fonts() -> list[str]:
    """Fonts for a text table in a figure: a CJK monospaced font when one is installed (every
    column lines up), else DejaVu Sans Mono with the CJK font behind it for Chinese."""
    found = cjk_font()
    if found and any(f.name == _MONO_CJK for f in font_manager.fontManager.ttflist):
        return [_MONO_CJK, "DejaVu Sans Mono"]
    return ["DejaVu Sans Mono"] + ([found] if found else [])


class _UnhintedText(Text):
    """A text drawn without font hinting. Hinting rounds each glyph's advance to whole pixels:
    two Latin columns of the CJK monospaced font then come out a pixel wider than one Chinese
    character (14 against 13 at 9.5 points and 100 dpi), and a table's columns drift right of
    its Chinese names. Unhinted, both are exactly one em."""

    def draw(self, renderer) -> None:
        with rc_context({"text.hinting": "no_hinting"}):
            super().draw(renderer)


def _table_inches(table: str, fontsize: float) -> float:
    """Inches a monospaced text table takes across (a Chinese character is two columns, a
    column at most 0.6 of the font size), with a little room; at least 2.4."""
    columns = max((sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
                   for line in table.splitlines()), default=0)
    return max(2.4, columns * 0.6 * fontsize / 72 + 0.4)


def plot_test_run(table: str, images, detections: Sequence[Mapping], class_names=None,
                  ground_truths: Sequence[Mapping] | None = None, title: str = "",
                  score_threshold: float = 0.4, columns: int = 3) -> Figure:
    """A test run in one picture: the evaluation table on the left (per-class AP,
    mAP), the detector's output on test images on the right (dashed: ground truth), ``title``
    above them as it is given.

    ``table`` is the text of :meth:`ssd_core.metrics.EvalResult.table` (AP in percent, class
    names in the course's language); the detections' class names are shown as
    :func:`class_label` gives them. Lesson 5 saves this figure as the homework's test-run
    screenshot.
    """
    n = min(len(detections), 2 * columns)
    rows = max(1, math.ceil(n / columns))
    mono = _table_fonts()
    size = 9.5 if mono[0] == _MONO_CJK else 8
    table_width = _table_inches(table, size)
    figure = new_figure(figsize=(table_width + 2.6 * columns, max(3.2, 2.6 * rows) + 0.5))
    grid = figure.add_gridspec(rows, columns + 1, left=0.01, right=0.99, top=0.9, bottom=0.02,
                               wspace=0.05, hspace=0.12,
                               width_ratios=[table_width] + [2.6] * columns)
    ax_text = figure.add_subplot(grid[:, 0])
    ax_text.set_axis_off()
    ax_text._add_text(_UnhintedText(0.0, 1.0, table, family=mono, fontsize=size, linespacing=1.35,
                                    va="top", ha="left", transform=ax_text.transAxes, gid="table"))
    for i in range(rows * columns):
        ax = figure.add_subplot(grid[i // columns, 1 + i % columns])
        ax.set_axis_off()
        if i < n:
            show_detections(images[i], detections[i], class_names=class_names,
                            score_threshold=score_threshold, ax=ax,
                            ground_truth=ground_truths[i] if ground_truths is not None else None)
    if title:
        figure.suptitle(title, fontsize=10)
    return figure


def _finish(figure: Figure, path: str | Path | None) -> Figure:
    """Lay the figure out, save it to ``path`` (PNG) when given, and return it."""
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=100)
    return figure


def _x_label(x: str) -> str:
    """The loss panel's x-axis, by the column it reads (another column: its name)."""
    if x == "epoch":
        return fig("epoch")
    if x == "iteration":
        return fig("iteration")
    if x == "step":
        # TRANSLATORS: x-axis of a training curve: the number of optimizer steps
        return pfig("training curve axis", "step")
    return x


def _legend(key: str) -> str:
    """The loss panel's legend, by line (the gids stay ``loss``, ``loc``, ``conf``)."""
    if key == "loss":
        # TRANSLATORS: legend of the total loss, the sum of the two below
        return pfig("loss curve", "loss")
    # TRANSLATORS: legends of the two terms of the loss: localisation, confidence
    return fig("loc") if key == "loc" else fig("conf")


def running_mean(values, window: int) -> np.ndarray:
    """Mean of the last ``window`` finite values at each position (fewer at the start)."""
    y = np.asarray(values, dtype=float)
    ok = np.isfinite(y)
    csum = np.concatenate([[0.0], np.cumsum(np.where(ok, y, 0.0))])
    ccnt = np.concatenate([[0], np.cumsum(ok)])
    idx = np.arange(len(y))
    lo = np.maximum(0, idx - window + 1)
    n = ccnt[idx + 1] - ccnt[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (csum[idx + 1] - csum[lo]) / np.maximum(n, 1), np.nan)


def _rows(metrics) -> list[dict]:
    """Rows of a ``metrics.csv`` (a path) or a list of dicts (a run's ``history``)."""
    if isinstance(metrics, (str, Path)):
        with open(metrics, newline="") as f:
            return list(csv.DictReader(f))
    return list(getattr(metrics, "history", metrics))


def _column(rows: Sequence[Mapping], key: str) -> np.ndarray:
    """One column as floats; a missing or empty value (no evaluation that epoch) is NaN."""
    return np.array([float(r[key]) if r.get(key) not in (None, "") else math.nan for r in rows])


#: The columns that count (whole numbers along the x-axis).
_COUNTS = ("epoch", "iteration", "step")


def _count_axis(ax, counts: bool = True, from_zero: bool = False) -> None:
    """An x-axis that counts (epochs, iterations, steps; ``counts``) has whole-number ticks;
    around a single value (one evaluation, the first iteration) any x-axis spans one unit
    either side, not matplotlib's few percent (0.96 ... 1.04 around epoch 1). With
    ``from_zero``, a panel whose lines have that one x value starts its y-axis at 0 (one loss
    value alone has no scale to show)."""
    if counts:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    xs = np.concatenate([np.asarray(l.get_xdata(), dtype=float) for l in ax.lines] or [[]])
    xs = np.unique(xs[np.isfinite(xs)])
    if len(xs) != 1:
        return
    ax.set_xlim(xs[0] - 1, xs[0] + 1)
    ys = np.concatenate([np.asarray(l.get_ydata(), dtype=float) for l in ax.lines])
    top = np.nanmax(ys) if np.isfinite(ys).any() else math.nan
    if from_zero and top > 0:
        ax.set_ylim(0, 1.15 * top)


def plot_training_curves(runs, path: str | Path | None = None, *, x: str = "epoch",
                         smooth: int = 0, epochs=None, xmax: float | None = None,
                         title: str | None = None) -> Figure:
    """The training loss and the validation mAP: of one run, or of several side by side.

    Args:
        runs: one run's rows (``metrics.csv``, its path, a :class:`~ssd_core.train.RunResult`
            or its ``history``), or a dict ``{name: rows}`` to compare runs (then each run
            draws its total loss and its VOC07 mAP).
        path: also save the figure there (PNG).
        x: the column along the loss panel's x-axis: ``"epoch"`` for ``metrics.csv`` rows,
            ``"iteration"`` for :func:`~ssd_core.train.train`'s ``on_step`` rows, ``"step"``.
        smooth: with 2 or more, draw the mean of the last ``smooth`` values over the raw
            values (drawn faint); for per-iteration losses, which are noisy.
        epochs: the rows that carry ``map07``/``map_area`` when they are not ``runs`` itself
            (the per-epoch rows of a live run). The mAP panel is drawn when any row has a
            ``map07`` column or ``epochs`` is given.
        xmax: the end of the loss panel's x-axis (the run's last iteration, say).
        title: the loss panel's title, shown as it is given.

    The mAP panel is in percent (0 to 100), as the paper's tables give it; the rows keep
    fractions. Epochs and iterations are whole numbers on the axes; a run with one row (one
    evaluation) is a marked point with one epoch either side, its loss on an axis from 0. Lines
    carry gids for tests: ``loss``, ``loc``, ``conf`` (and ``loss_raw`` ... when smoothed),
    ``map07``, ``map_area``; when comparing, ``loss:<name>`` and ``map:<name>``.
    """
    compare = isinstance(runs, Mapping)
    named = {k: _rows(v) for k, v in runs.items()} if compare else {"": _rows(runs)}
    map_rows = {k: (_rows(epochs) if epochs is not None else v) for k, v in named.items()}
    with_map = epochs is not None or any("map07" in r for v in map_rows.values() for r in v)
    figure = new_figure(figsize=(10, 3.6) if with_map else (6, 3.2))
    axes = figure.subplots(1, 2, gridspec_kw=dict(width_ratios=(1.6, 1))) if with_map else [figure.add_subplot()]
    ax = axes[0]
    for name, rows in named.items():
        xs = _column(rows, x)
        parts = [("loss", "-")] if compare else [("loss", "-"), ("loc", "--"), ("conf", ":")]
        for i, (key, style) in enumerate(parts):
            if not rows or key not in rows[0]:
                continue
            ys = _column(rows, key)
            gid, label = (f"loss:{name}", name) if compare else (key, _legend(key))
            color = f"C{len(ax.lines) if compare else i}"
            if smooth > 1:
                ax.plot(xs, ys, color=color, alpha=0.25, lw=0.8, gid=f"{gid}_raw")
                ys, label = running_mean(ys, smooth), fig("{label} (mean of the last {n})",
                                                               label=label, n=smooth)
            marker = "o" if compare or len(xs) < 10 else None
            ax.plot(xs, ys, linestyle=style, marker=marker, ms=6 if len(xs) == 1 else 3,
                    color=color, gid=gid, label=label)
    ax.set_xlabel(_x_label(x))
    ax.set_ylabel(fig("training loss (divided by N)"))
    _count_axis(ax, counts=x in _COUNTS, from_zero=True)
    if xmax:
        ax.set_xlim(0, xmax)
    if title:
        ax.set_title(title, fontsize=9)
    if ax.lines:
        ax.legend(fontsize=8, loc="best")
    ax.grid(alpha=0.3)
    if with_map:
        ax_map = axes[1]
        for name, rows in map_rows.items():
            done = [r for r in rows if r.get("map07") not in (None, "")]
            ep = _column(done, "epoch")
            keys = ("map07",) if compare else ("map07", "map_area")
            for key in keys:
                if done and all(r.get(key) not in (None, "") for r in done):
                    label = name if compare else (fig("VOC07 11-point") if key == "map07"
                                                  else fig("area"))
                    ax_map.plot(ep, 100.0 * _column(done, key), "o-" if key == "map07" else "s--",
                                label=label, gid=f"map:{name}" if compare else key)
        ax_map.set_xlabel(fig("epoch"))
        ax_map.set_ylabel(fig("validation mAP@0.5 (%)"))
        _count_axis(ax_map)
        ax_map.set_ylim(0, 100)
        ax_map.set_title(fig("after each evaluated epoch"), fontsize=9)
        if ax_map.lines:
            ax_map.legend(fontsize=8, loc="best")          # a few points: "best" is quick
        ax_map.grid(alpha=0.3)
    return _finish(figure, path)


def plot_pr_curves(result, path: str | Path | None = None) -> Figure:
    """Precision against recall per class from an :class:`ssd_core.metrics.EvalResult`; the
    legend gives each class's AP and the title the mAP, in percent."""
    figure = new_figure(figsize=(6, 5))
    ax = figure.add_subplot()
    colors = class_colors(len(result.ap) + 1)
    for c in sorted(result.ap):
        if result.num_objects[c] == 0:
            continue
        name = class_label(result.class_names[c - 1]) if result.class_names else str(c)
        rec, prec = result.recall[c], result.precision[c]
        ax.plot(np.concatenate([[0], rec]), np.concatenate([[1], prec]), color=colors[c],
                label=fig("{name} (AP {ap:.1f})", name=name, ap=percent(result.ap[c])))
    ax.set_xlabel(pfig("precision-recall curve", "recall"))
    ax.set_ylabel(pfig("precision-recall curve", "precision"))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(fig("mAP {map:.1f}", map=percent(result.map)))
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    return _finish(figure, path)
