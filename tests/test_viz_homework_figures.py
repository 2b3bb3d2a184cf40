"""The figures that become lesson 5's homework screenshots: the test run (evaluation table and
detections), the training curves of a run and the live loss plot.

- Detection labels never overlap: they are placed beside their boxes (above, below, inside,
  shifted) and the lowest scores are left out when there is no room, never piled up;
- a history with one evaluation is drawn as a point on a sensible axis (epochs 0 to 2 around
  epoch 1, mAP 0 to 100), not 0.96 to 1.04;
- in the Chinese edition the figures speak Chinese (class names too) and carry no ``state:``
  debug line.
"""

from __future__ import annotations

import itertools
import re

import pytest
import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg

from ssd_core.draw import place_labels, plot_test_run, plot_training_curves, show_detections
from ssd_core.viz.training import LiveLossPlot
from tests.texts import figure_texts

# ------------------------------------------------------------------ placing labels, by hand

AREA = (0.0, 0.0, 100.0, 100.0)       # display units, y up
BOX = (20.0, 20.0, 50.0, 40.0)        # x0, y0, x1, y1


def test_labels_go_above_then_below_then_inside_the_box():
    # three labels of 10 x 4 for one box: the first above its top-left corner (bottom at
    # y = 40), the second below it (top at y = 20), the third inside along the top (36 to 40,
    # touching the first, which is allowed)
    assert place_labels([(10, 4)] * 3, [BOX] * 3, AREA) == [(20.0, 40.0), (20.0, 16.0),
                                                             (20.0, 36.0)]


def test_a_label_stays_inside_the_image():
    # a box at the top edge: "above" would leave the image, so the label is shifted down to
    # 96 .. 100, inside the box along its top; a box at the right edge: the label moves left
    top = (20.0, 90.0, 50.0, 100.0)
    right = (95.0, 50.0, 100.0, 60.0)
    assert place_labels([(10, 4), (10, 4)], [top, right], AREA) == [(20.0, 96.0), (90.0, 60.0)]


def test_a_label_without_room_is_left_out():
    # the area holds exactly one label: the second (lower score) is dropped, not piled up
    one = (0, 0, 10, 4)
    assert place_labels([(10, 4), (10, 4)], [one, one], one) == [(0.0, 0.0), None]


def test_a_label_is_not_placed_far_from_its_box():
    # every spot within one label height of the box is taken by labels before it: the next one
    # is dropped rather than drawn where it would seem to name another box
    spots = place_labels([(10, 4)] * 40, [BOX] * 40, AREA)
    kept = [s for s in spots if s is not None]
    assert 4 < len(kept) < 40 and spots[len(kept):] == [None] * (40 - len(kept))
    for x, y in kept:
        gap_x = max(0.0, BOX[0] - (x + 10), x - BOX[2])
        gap_y = max(0.0, BOX[1] - (y + 4), y - BOX[3])
        assert (gap_x ** 2 + gap_y ** 2) ** 0.5 <= 4 + 1e-9, (x, y)


# ------------------------------------------------------------------ placing labels in a figure


def drawn(figure):
    """Draw ``figure`` with Agg; its renderer."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def shown_labels(ax, renderer):
    """The box labels drawn on ``ax``: ``(text, extent)`` of the visible ones."""
    return [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts
            if t.get_gid() == "box_label" and t.get_visible()]


def intersect(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def crowded(n=30, seed=0):
    """``n`` overlapping detections of three classes in the middle of an image, with
    distinct scores from 0.50 to 0.99."""
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(n, 2, generator=g) * 0.3 + 0.2
    wh = torch.rand(n, 2, generator=g) * 0.3 + 0.1
    scores = torch.linspace(0.5, 0.99, n)[torch.randperm(n, generator=g)]
    return {"boxes": torch.cat([xy, xy + wh], 1), "scores": scores,
            "labels": torch.randint(1, 4, (n,), generator=g)}


@pytest.mark.parametrize("inches", [3.0, 5.0])
def test_thirty_overlapping_detections_get_labels_that_do_not_overlap(inches):
    dets = crowded()
    figure = show_detections(torch.rand(3, 120, 160), dets, ["circle", "square", "triangle"])
    figure.set_size_inches(inches, inches)
    renderer = drawn(figure)
    ax = figure.axes[0]
    labels = shown_labels(ax, renderer)
    assert 3 <= len(labels) < 30                     # crowded: some are left out
    for (a, ea), (b, eb) in itertools.combinations(labels, 2):
        assert not intersect(ea, eb), (a, b)
    # inside the image, and the three best detections keep their labels
    box = ax.bbox
    assert all(e.x0 >= box.x0 - 0.5 and e.x1 <= box.x1 + 0.5 and e.y0 >= box.y0 - 0.5
               and e.y1 <= box.y1 + 0.5 for _t, e in labels)
    best = [f"{s:.2f}" for s in sorted(dets["scores"].tolist(), reverse=True)[:3]]
    texts = [t for t, _e in labels]
    assert all(any(t.endswith(" " + s) for t in texts) for s in best), (best, texts)
    # every box is still drawn, labelled or not
    assert len(ax.patches) == 30


def test_the_lowest_scores_are_left_out_first():
    """Thirty detections of one class on one box: identical labels, so the ones shown are
    exactly the best scores, however many fit."""
    n = 30
    shuffle = torch.randperm(n, generator=torch.Generator().manual_seed(1))
    scores = torch.linspace(0.40, 0.98, n)[shuffle]
    dets = {"boxes": torch.tensor([[0.3, 0.3, 0.6, 0.6]]).repeat(n, 1), "scores": scores,
            "labels": torch.ones(n, dtype=torch.long)}
    figure = show_detections(torch.rand(3, 100, 100), dets, ["circle"], score_threshold=0.0)
    figure.set_size_inches(3, 3)
    labels = shown_labels(figure.axes[0], drawn(figure))
    shown = sorted((float(t.split()[-1]) for t, _e in labels), reverse=True)
    best = sorted((round(s, 2) for s in scores.tolist()), reverse=True)[:len(shown)]
    assert 3 <= len(shown) < n and shown == pytest.approx(best)


def test_labels_are_placed_again_when_drawn_again():
    """A second draw (a notebook shows the figure, then a screenshot saves it) gives the same
    places and leaves the figure unchanged (an interactive backend would draw it again)."""
    figure = show_detections(torch.rand(3, 120, 160), crowded(), ["circle", "square", "triangle"])
    renderer = drawn(figure)
    first = shown_labels(figure.axes[0], renderer)
    assert not figure.stale
    again = shown_labels(figure.axes[0], drawn(figure))
    assert [t for t, _e in again] == [t for t, _e in first]
    for (_t, a), (_u, b) in zip(again, first):
        assert a.bounds == pytest.approx(b.bounds, abs=1e-6)


# ------------------------------------------------------------------ one evaluation


def one_epoch():
    return [{"epoch": 1, "loss": 7.25, "loc": 2.5, "conf": 4.75, "map07": 0.25, "map_area": 0.3}]


def test_one_evaluation_is_a_point_on_a_sensible_axis():
    figure = plot_training_curves(one_epoch())
    drawn(figure)
    loss_ax, map_ax = figure.axes
    lines = {l.get_gid(): l for l in map_ax.lines}
    # the point: epoch 1, 25 % (the row keeps 0.25), drawn with a marker
    assert list(lines["map07"].get_xdata()) == [1.0] and list(lines["map07"].get_ydata()) == [25.0]
    assert lines["map07"].get_marker() not in (None, "None", "", " ")
    assert map_ax.get_ylim() == (0.0, 100.0) and map_ax.get_xlim() == (0.0, 2.0)
    # whole epochs on the axis: no 0.96 ... 1.04
    ticks = [t.get_text() for t in map_ax.get_xticklabels() if t.get_text()]
    assert ticks and all(re.fullmatch(r"\d+", t) for t in ticks), ticks
    # the loss panel: the same epoch axis, from 0 to above the largest loss, with markers
    loss = {l.get_gid(): l for l in loss_ax.lines}
    assert loss_ax.get_xlim() == (0.0, 2.0)
    bottom, top = loss_ax.get_ylim()
    assert bottom == 0.0 and 7.25 < top < 10
    assert all(loss[k].get_marker() not in (None, "None", "", " ") for k in ("loss", "loc", "conf"))


def test_the_live_plot_after_one_evaluation():
    live = LiveLossPlot(display=False)
    for i in range(1, 5):
        live.on_step({"iteration": i, "total": 4, "epoch": 1, "loss": 5.0 - i / 2, "loc": 1.0,
                      "conf": 4.0 - i / 2, "lr": 1e-3, "images_per_s": 8.0})
    live.on_epoch({"epoch": 1, "loss": 3.0, "map07": 0.1, "map_area": 0.12})
    figure = live.figure
    drawn(figure)
    loss_ax, map_ax = figure.axes
    assert map_ax.get_xlim() == (0.0, 2.0) and map_ax.get_ylim() == (0.0, 100.0)
    assert loss_ax.get_xlim() == (0.0, 4.0)            # the run's length, as before


def test_many_epochs_keep_their_own_axis():
    rows = [{"epoch": e, "loss": 9.0 - e, "loc": 2.0, "conf": 7.0 - e, "map07": 0.1 * e,
             "map_area": 0.1 * e} for e in range(1, 6)]
    figure = plot_training_curves(rows)
    drawn(figure)
    loss_ax, map_ax = figure.axes
    lo, hi = map_ax.get_xlim()
    assert lo <= 1 and 5 <= hi < 6 and lo > 0          # matplotlib's margins around 1 ... 5
    assert loss_ax.get_ylim()[0] > 0                    # the loss axis is not forced to 0


# ------------------------------------------------------------------ in Chinese, no debug line

#: Latin words a Chinese figure may show: names of metrics, numbers' units, the run's title.
ALLOWED = {"mAP", "AP07", "AP10", "VOC07", "N", "NMS"}


def english_words(texts) -> set[str]:
    return {w for t in texts for w in re.findall(r"[A-Za-z][A-Za-z0-9]*", t)} - ALLOWED


def voc_test_run():
    """Two images, each with four detections of VOC classes spread out, evaluated against
    ground truth that has an object of each of the 20 classes (so every AP is a number)."""
    from ssd_core.data import VOC_CLASSES
    from ssd_core.metrics import evaluate_detections

    images = [torch.rand(3, 120, 160, generator=torch.Generator().manual_seed(i)) for i in range(2)]
    boxes = torch.tensor([[0.05, 0.1, 0.3, 0.4], [0.55, 0.1, 0.95, 0.4],
                          [0.05, 0.6, 0.3, 0.9], [0.55, 0.6, 0.95, 0.9]])
    dets = [{"boxes": boxes, "scores": torch.tensor([0.9, 0.8, 0.7, 0.6]),
             "labels": torch.tensor(labels)} for labels in ([1, 15, 16, 20], [11, 8, 2, 5])]
    truths = [{"boxes": boxes.repeat(3, 1)[:10], "labels": torch.arange(1, 11) + 10 * i}
              for i in range(2)]
    table = evaluate_detections(dets, truths, class_names=VOC_CLASSES).table()
    return plot_test_run(table, images, dets, VOC_CLASSES, title=""), VOC_CLASSES


def test_the_test_run_names_voc_and_shapes_classes_in_chinese(language):
    language("zh")
    figure, _classes = voc_test_run()
    renderer = drawn(figure)
    labels = [t for ax in figure.axes[1:] for t, _e in shown_labels(ax, renderer)]
    # aeroplane, person, pottedplant, tvmonitor; diningtable, cat, bicycle, bottle
    assert labels == ["飞机 0.90", "人 0.80", "盆栽植物 0.70", "电视/显示器 0.60",
                      "餐桌 0.90", "猫 0.80", "自行车 0.70", "瓶子 0.60"]
    images = [torch.rand(3, 80, 80)]
    dets = [{"boxes": torch.tensor([[0.1, 0.1, 0.4, 0.4], [0.6, 0.6, 0.9, 0.9]]),
             "scores": torch.tensor([0.9, 0.5]), "labels": torch.tensor([1, 5])}]
    figure = plot_test_run("", images, dets, ("circle", "square", "triangle", "star", "cross"))
    renderer = drawn(figure)
    labels = [t for t, _e in shown_labels(figure.axes[1], renderer)]
    assert labels == ["圆形 0.90", "十字形 0.50"]


def test_the_homework_figures_in_chinese_have_no_english_and_no_state_line(language):
    from .test_l10n_run import check_chinese

    language("zh")
    live = LiveLossPlot(display=False)
    for i in range(1, 9):
        live.on_step({"iteration": i, "total": 8, "epoch": 1, "loss": 9 - 0.3 * i, "loc": 3.0,
                      "conf": 6 - 0.3 * i, "lr": 1e-3, "images_per_s": 12.5})
    live.on_epoch({"epoch": 1, "loss": 6.6, "map07": 0.04, "map_area": 0.05})
    assert live.state_line.startswith("state: iteration=8")       # the printed line has it ...
    figures = {"live": live.figure, "history": plot_training_curves(one_epoch()),
               "test_run": voc_test_run()[0]}
    for name, figure in figures.items():
        text = check_chinese(figure)
        assert "state" not in text and "=" not in text, (name, text)   # ... the figure does not
        words = english_words(t for t in figure_texts(figure))
        assert not words, (name, words)
    assert "迭代 8/8" in "\n".join(figure_texts(figures["live"]))


def test_the_test_run_in_english_keeps_english_class_names():
    figure, _classes = voc_test_run()
    renderer = drawn(figure)
    labels = [t for ax in figure.axes[1:] for t, _e in shown_labels(ax, renderer)]
    assert labels[:4] == ["aeroplane 0.90", "person 0.80", "pottedplant 0.70", "tvmonitor 0.60"]
