"""Lesson 2: default boxes (section 2.2), and how other detectors place theirs.

* :func:`default_box_explorer`: the scales of section 2.2 (s_min, s_max), the aspect ratios and
  one source map, drawn over a sample photo, with the boxes counted per location, per map and
  in total (8,732 at the paper's settings);
* :func:`scales_table`: equation 4's scales beside the released SSD300's sizes;
* :func:`plot_box_schemes`: Faster R-CNN's anchors, YOLO's grid and SSD's default boxes side by
  side.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from torchvision.transforms.v2 import functional as TF

from ..boxes import cxcywh_to_xyxy
from ..config import SSD300_ASPECT_RATIOS, SSDConfig
from ..default_boxes import boxes_per_map, default_boxes
from ..draw import add_boxes, image_to_numpy
from ..fonts import fig, new_figure
from ..i18n import N_, _, pgettext
from .explorer import Explorer, Impossible
from .pictures import Picture, load_sample, sample_names

__all__ = [
    "SSD300_SOURCES",
    "ratios_for",
    "scales_table",
    "DefaultBoxExplorer",
    "default_box_explorer",
    "box_scheme_counts",
    "plot_box_schemes",
]

#: The source layers of SSD300, largest map first (section 2.1, Fig. 2).
SSD300_SOURCES: tuple[str, ...] = ("conv4_3", "fc7", "conv8_2", "conv9_2", "conv10_2", "conv11_2")


# ============================================================================ default boxes


def ratios_for(two: bool, three: bool, three_everywhere: bool = False) -> tuple[tuple[float, ...], ...]:
    """Aspect ratios per SSD300 map from the explorer's toggles.

    ``two``: r = 2 (and 1/2) on every map; ``three``: r = 3 (and 1/3) where SSD300 uses it
    (fc7, conv8_2, conv9_2), or on every map with ``three_everywhere``.
    """
    out = []
    for base in SSD300_ASPECT_RATIOS:
        rs = []
        if two:
            rs.append(2.0)
        if three and (three_everywhere or 3 in base):
            rs.append(3.0)
        out.append(tuple(rs))
    return tuple(out)


def scales_table(s_min: float = 0.2, s_max: float = 0.9) -> list[dict[str, Any]]:
    """The scales of equation (4) next to the released SSD300's rounded sizes, map by map.

    Each row: ``source``, ``map``, ``s_k`` and ``s_prime`` (``sqrt(s_k s_{k+1})``) from the
    formula, ``orig_s_k`` and ``orig_s_prime`` from :meth:`SSDConfig.ssd300` (pixels / 300).
    Raises ``ValueError`` when ``s_min >= s_max`` (from :meth:`SSDConfig.from_paper`).
    """
    paper = SSDConfig.from_paper(s_min, s_max)
    orig = SSDConfig.ssd300()
    rows = []
    for k, name in enumerate(SSD300_SOURCES):
        rows.append({
            "source": name, "map": paper.feature_maps[k],
            "s_k": paper.min_sizes[k] / paper.image_size,
            "s_prime": math.sqrt(paper.min_sizes[k] * paper.max_sizes[k]) / paper.image_size,
            "orig_s_k": orig.min_sizes[k] / orig.image_size,
            "orig_s_prime": math.sqrt(orig.min_sizes[k] * orig.max_sizes[k]) / orig.image_size,
        })
    return rows


def _location_box_names(ratios: Sequence[float]) -> list[str]:
    names = ["1 (s_k)", "1 (s'_k)"]
    for r in ratios:
        names += [f"{r:g}", f"1/{r:g}"]
    return names


class DefaultBoxExplorer(Explorer):
    """Default boxes of SSD300's six maps, from the formula of section 2.2.

    The figure shows the boxes over a sample photo warped to 300x300; beside it (below it in a
    narrow window) an HTML table (``self.table_html``) puts the formula's scales next to the
    released model's.
    """

    figsize = (5.0, 5.0)

    #: The values of the "show" toggle (its labels are their translations).
    SHOW = (N_("one location"), N_("all centres"), N_("every box, all maps"))

    @property
    def title(self) -> str:
        return _("Default boxes")

    def __init__(self, photo: str = "chelsea", source: int = 2):
        names = sample_names()
        self.table: list[dict[str, Any]] = []
        self.table_html = widgets.HTML()
        super().__init__({
            "scales": widgets.FloatRangeSlider(value=(0.2, 0.9), min=0.0, max=1.0, step=0.01,
                                               description=_("s_min, s_max"), readout_format=".2f",
                                               continuous_update=False),
            "source": widgets.Dropdown(
                options=[(f"{f}×{f} {n}", k) for k, (n, f) in
                         enumerate(zip(SSD300_SOURCES, SSDConfig.ssd300().feature_maps))],
                value=source, description=_("source map")),
            "ratio_2": widgets.ToggleButton(value=True, description=_("ratios 2, 1/2")),
            "ratio_3": widgets.ToggleButton(value=True, description=_("ratios 3, 1/3")),
            "three_everywhere": widgets.Checkbox(value=False, description=_("3, 1/3 on every map")),
            "show": widgets.ToggleButtons(options=[(_(v), v) for v in self.SHOW],
                                          value="one location", description=_("show")),
            "x": widgets.FloatSlider(value=0.5, min=0.0, max=1.0, step=0.01, description=_("location x"),
                                     continuous_update=False),
            "y": widgets.FloatSlider(value=0.4, min=0.0, max=1.0, step=0.01, description=_("location y"),
                                     continuous_update=False),
            "photo": widgets.Dropdown(options=names, value=photo if photo in names else names[0],
                                      description=pgettext("default-box explorer: the sample "
                                                           "photo to draw on", "photo")),
        }, note=_("SSD300's six source maps; the photo is warped to 300x300 as the network "
                  "sees it"))
        # Beside the figure when the window has room, else below it; scrolls rather than
        # spilling out of the explorer in a window narrower than the table.
        self.table_html.layout = widgets.Layout(flex="0 1 auto", max_width="100%",
                                                overflow="auto", margin="0 0 8px 0")
        self.row.children = tuple(self.row.children) + (self.table_html,)

    def compute(self, scales, source, ratio_2, ratio_3, three_everywhere, show, x, y, photo):
        s_min, s_max = float(scales[0]), float(scales[1])
        ratios = ratios_for(ratio_2, ratio_3, three_everywhere)
        try:
            config = SSDConfig.from_paper(s_min, s_max, aspect_ratios=ratios)
            table = scales_table(s_min, s_max)
        except ValueError as e:
            self.table, self.table_html.value = [], ""
            # SSDConfig.from_paper's message, in the course's language
            if not s_min > 0:
                said = fig("SSDConfig.from_paper: s_min must be > 0, got {s_min}", s_min=s_min)
            elif not s_min < s_max:
                said = fig("SSDConfig.from_paper: s_min ({s_min}) must be smaller than s_max "
                           "({s_max})", s_min=s_min, s_max=s_max)
            else:
                said = str(e)
            raise Impossible(said) from None
        per_map = boxes_per_map(config)                                      # [f*f*A, 4] each
        total = int(default_boxes(config).shape[0])
        f = config.feature_maps[source]
        A = config.boxes_per_location[source]
        col, row = min(f - 1, int(x * f)), min(f - 1, int(y * f))
        boxes = per_map[source]
        if show == "every box, all maps":
            drawn = per_map
        else:
            i = (row * f + col) * A
            drawn = [boxes[i:i + A]]
        self._config, self._drawn = config, [cxcywh_to_xyxy(d) for d in drawn]
        self._centres = boxes.reshape(f * f, A, 4)[:, 0, :2]
        self._picture = load_sample(photo)
        for k, r in enumerate(table):
            r["boxes_per_location"] = config.boxes_per_location[k]
            r["boxes"] = r["map"] ** 2 * config.boxes_per_location[k]
        self.table = table
        self.table_html.value = self._table_html(table, source, total, s_min, s_max)
        state = {
            "s_min": s_min, "s_max": s_max, "source": SSD300_SOURCES[source], "map": f"{f}x{f}",
            "ratios": ",".join(f"{r:g}" for r in ratios[source]) or "none",
            "boxes_per_location": A, "boxes_on_map": f * f * A, "total": total,
            "s_k": table[source]["s_k"], "orig_s_k": table[source]["orig_s_k"], "show": show,
            "drawn": int(sum(len(d) for d in drawn)),
        }
        if show != "every box, all maps":
            state["cell"] = (col, row)
        if show == "all centres":
            state["centres"] = f * f
        return state

    @staticmethod
    def _table_html(table, source, total, s_min, s_max) -> str:
        head = [_("k"), _("source"), _("map"), _("s<sub>k</sub>"), _("s'<sub>k</sub>"),
                _("released s<sub>k</sub>"), _("released s'<sub>k</sub>"),
                pgettext("default-box table column", "boxes/loc"),
                pgettext("default-box table column", "boxes")]
        cells = "".join(f"<th style='padding:0 6px'>{h}</th>" for h in head)
        body = []
        for k, r in enumerate(table):
            style = " style='background:#fff3b0'" if k == source else ""
            vals = (k + 1, r["source"], f"{r['map']}×{r['map']}", f"{r['s_k']:.3f}",
                    f"{r['s_prime']:.3f}", f"{r['orig_s_k']:.3f}", f"{r['orig_s_prime']:.3f}",
                    r["boxes_per_location"], f"{r['boxes']:,}")
            body.append(f"<tr{style}>" + "".join(f"<td style='padding:0 6px;text-align:right'>{v}</td>"
                                                  for v in vals) + "</tr>")
        body.append("<tr><td></td><td><b>" + _("total") + "</b></td>" + "<td></td>" * 6
                    + f"<td style='text-align:right'><b>{total:,}</b></td></tr>")
        formula = _("eq. 4: s<sub>k</sub> = {s_min:.2f} + ({s_max:.2f} &minus; {s_min:.2f})"
                    "(k &minus; 1)/5; s'<sub>k</sub> = &radic;(s<sub>k</sub> s<sub>k+1</sub>), "
                    "the extra square box").format(s_min=s_min, s_max=s_max)
        released = _("released = the original SSD300's sizes in pixels / 300: conv4_3 gets 0.1<br>"
                     "(section 3.1), the other five maps 0.2 ... 0.88 in rounded steps.")
        return (f"<div style='font-size:12px'><p>{formula}</p>"
                f"<table><tr>{cells}</tr>{''.join(body)}</table>"
                f"<p>{released}</p></div>")

    def draw(self, figure, s):
        S = self._config.image_size
        k = SSD300_SOURCES.index(s["source"])
        f = self._config.feature_maps[k]
        if s["show"] == "every box, all maps":
            self._draw_every_box(figure, s)
            return
        ax = figure.add_axes((0.01, 0.01, 0.98, 0.91))
        self._photo_axes(ax, S)
        step = S / f
        col, row = s["cell"]
        if s["show"] == "one location":
            lines = [[(i * step, 0), (i * step, S)] for i in range(f + 1)]
            lines += [[(0, i * step), (S, i * step)] for i in range(f + 1)]
            ax.add_collection(LineCollection(lines, colors="white", linewidths=0.3, alpha=0.6))
        else:
            c = self._centres.numpy() * S
            ax.plot(c[:, 0], c[:, 1], "o", ms=1.2 if f > 20 else 3, color="yellow", mec="black",
                    mew=0.3)
        ax.add_patch(Rectangle((col * step, row * step), step, step, color="yellow", alpha=0.8))
        boxes_px = self._drawn[0].numpy() * S
        colors = [f"C{i}" for i in range(len(boxes_px))]
        add_boxes(ax, boxes_px, edgecolors=colors, linewidth=2.0)
        for b, name, c in zip(boxes_px, _location_box_names(self._config.aspect_ratios[k]), colors):
            ax.text(b[2], b[1], name, color=c, fontsize=7, va="bottom", ha="right")
        if s["show"] == "one location":
            title = fig("{map} {source}, cell {cell}: {n} boxes", map=s["map"], source=s["source"],
                        cell=s["cell"], n=s["boxes_per_location"])
        else:
            title = fig("{map} {source}: {centres:,} centres x {per_location} = {n:,} boxes",
                        map=s["map"], source=s["source"], centres=f * f,
                        per_location=s["boxes_per_location"], n=s["boxes_on_map"])
        figure.suptitle(fig("{title}   (total {total:,})", title=title, total=s["total"]),
                        fontsize=10, y=0.985)

    def _photo_axes(self, ax, S):
        ax.imshow(self._picture.square_numpy(S), extent=(0, S, S, 0))
        m = 0.2 * S
        ax.set_xlim(-m, S + m)
        ax.set_ylim(S + m, -m)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.add_patch(Rectangle((0, 0), S, S, fill=False, ec="black", lw=0.8))

    def _draw_every_box(self, figure, s):
        """Six small panels, one per map, every default box drawn (no photo: they would hide it)."""
        S = self._config.image_size
        axes = figure.subplots(2, 3, gridspec_kw=dict(left=0.01, right=0.99, bottom=0.01, top=0.88,
                                                   wspace=0.04, hspace=0.15))
        m = 0.2 * S
        for i, (ax, d) in enumerate(zip(axes.flat, self._drawn)):
            ax.add_patch(Rectangle((0, 0), S, S, fill=False, ec="black", lw=0.8))
            add_boxes(ax, d.numpy() * S, edgecolors=f"C{i}", linewidth=0.5,
                      alpha=0.25 if len(d) > 300 else 1.0)
            ax.set_xlim(-m, S + m)
            ax.set_ylim(S + m, -m)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_aspect("equal")
            f = self._config.feature_maps[i]
            ax.set_title(f"{f}×{f}: {len(d):,}", fontsize=8, pad=2)
        figure.suptitle(fig("every default box: {total:,}", total=s["total"]), fontsize=10, y=0.985)


def default_box_explorer(**kwargs) -> DefaultBoxExplorer:
    """Scales, aspect ratios and maps of SSD300's default boxes over a photo (lesson 2)."""
    return DefaultBoxExplorer(**kwargs)


# ============================================================================ anchors vs grid


def box_scheme_counts(image_hw: tuple[int, int] = (600, 1000)) -> dict[str, int]:
    """How many boxes each detector considers per image.

    * Faster R-CNN: 9 anchors (3 scales x 3 ratios) at every cell of its stride-16 conv5_3
      map, ``ceil(H/16) ceil(W/16) 9`` (about 20,000 for 1000 x 600, as its paper says);
    * YOLO: a 7x7 grid, 2 boxes per cell: 98;
    * SSD300: 8,732 default boxes; SSD512: 24,564.
    """
    h, w = image_hw
    return {"faster_rcnn": math.ceil(h / 16) * math.ceil(w / 16) * 9, "yolo": 7 * 7 * 2,
            "ssd300": SSDConfig.ssd300().num_boxes, "ssd512": SSDConfig.ssd512().num_boxes}


def plot_box_schemes(picture: Picture | str = "astronaut") -> Figure:
    """Three panels over one photo: Faster R-CNN's anchors at one location, YOLO's 7x7 grid,
    SSD300's default boxes at one location of three of its maps."""
    if isinstance(picture, str):
        picture = load_sample(picture)
    # Faster R-CNN: shorter side 600, stride 16, anchors of area 128^2, 256^2, 512^2
    h, w = picture.hw
    f = 600 / min(h, w)
    H, W = round(h * f), round(w * f)
    counts = box_scheme_counts((H, W))
    # the text first: it readies the CJK font before the axes (and their titles) exist
    titles = (fig("Faster R-CNN: 9 anchors per location\n"
                  "{H}x{W} input, stride 16: {n:,} anchors", H=H, W=W, n=counts["faster_rcnn"]),
              fig("YOLO: 7x7 grid on {S}x{S}, 2 boxes per cell\n"
                  "{n} boxes, shapes learned freely", S=448, n=counts["yolo"]),
              fig("SSD300: default boxes on 6 maps\n"
                  "{n:,} boxes, 4 or 6 per location", n=counts["ssd300"]))
    figure = new_figure(figsize=(12, 4.3))
    axes = figure.subplots(1, 3)
    ax = axes[0]
    ax.imshow(_resized(picture, H, W), extent=(0, W, H, 0))
    cy, cx = (H // 32) * 16 + 8, (W // 32) * 16 + 8
    ys, xs = np.meshgrid(np.arange(8, H, 16), np.arange(8, W, 16), indexing="ij")
    ax.plot(xs.ravel(), ys.ravel(), ",", color="white", alpha=0.6)
    anchors = []
    for area in (128, 256, 512):
        for r in (0.5, 1.0, 2.0):                      # r = height / width
            aw, ah = area / math.sqrt(r), area * math.sqrt(r)
            anchors.append([cx - aw / 2, cy - ah / 2, cx + aw / 2, cy + ah / 2])
    add_boxes(ax, np.array(anchors), edgecolors=[f"C{i // 3}" for i in range(9)], linewidth=1.5)
    ax.set_title(titles[0], fontsize=9)
    # YOLO: 448 x 448, 7 x 7 cells, 2 boxes each (no prior shapes)
    ax = axes[1]
    S = 448
    ax.imshow(picture.square_numpy(S), extent=(0, S, S, 0))
    step = S / 7
    lines = [[(i * step, 0), (i * step, S)] for i in range(8)] + [[(0, i * step), (S, i * step)] for i in range(8)]
    ax.add_collection(LineCollection(lines, colors="yellow", linewidths=1))
    ax.add_patch(Rectangle((3 * step, 2 * step), step, step, color="yellow", alpha=0.35))
    ax.set_title(titles[1], fontsize=9)
    # SSD300: one location on 38x38, 10x10 and 3x3
    ax = axes[2]
    S = 300
    ax.imshow(picture.square_numpy(S), extent=(0, S, S, 0))
    config = SSDConfig.ssd300()
    per_map = boxes_per_map(config)
    for k, color in ((0, "tab:red"), (2, "tab:green"), (4, "tab:blue")):
        fk, A = config.feature_maps[k], config.boxes_per_location[k]
        cell = (fk // 2) * fk + fk // 2
        b = cxcywh_to_xyxy(per_map[k][cell * A:(cell + 1) * A]).numpy() * S
        add_boxes(ax, b, edgecolors=color, linewidth=1.2)
        ax.plot([], [], color=color, label=f"{fk}×{fk} ({SSD300_SOURCES[k]})")
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title(titles[2], fontsize=9)
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    figure.tight_layout()
    return figure


def _resized(picture: Picture, H: int, W: int) -> np.ndarray:
    """``picture`` resized to ``H x W`` as ``[H, W, 3]`` floats."""
    return image_to_numpy(TF.resize(picture.image, [H, W], antialias=True))
