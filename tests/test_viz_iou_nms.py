"""Lesson 1's explorers, driven headlessly: state lines and figures against hand computation."""

import io
import warnings

import pytest
import torch
from matplotlib.patches import Rectangle
from PIL import Image

from ssd_core.viz.iou_nms import iou_explorer, nms_candidates, nms_explorer
from ssd_core.viz.explorer import format_state
from tests.texts import cjk, figure_text, widget_text


def rectangles(fig):
    return [p for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle)]


def png_size(png: bytes):
    return Image.open(io.BytesIO(png)).size


def test_state_line_format():
    assert format_state({"iou": 0.25, "kept": 3, "ok": True, "msg": "a b"}) == 'state: iou=0.250 kept=3 ok=true msg="a b"'


def test_iou_explorer_by_hand(capsys):
    e = iou_explorer()
    # A = [0, 0.5] x [0, 0.5], B = [0.25, 0.75] x [0.25, 0.75]: overlap 0.0625, union 0.4375
    state = e.set(a_x=(0.0, 0.5), a_y=(0.0, 0.5), b_x=(0.25, 0.75), b_y=(0.25, 0.75))
    assert state["iou"] == pytest.approx(0.0625 / 0.4375)
    assert e.state_line.startswith("state: iou=0.143 intersection=0.062 union=0.438")
    assert "state: iou=0.143" in capsys.readouterr().out
    # two box outlines and the shaded intersection, at the right place
    rects = rectangles(e.figure)
    assert len(rects) == 3
    shaded = [r for r in rects if r.get_fill()][0]
    assert shaded.get_xy() == pytest.approx((0.25, 0.25)) and shaded.get_width() == pytest.approx(0.25)
    assert png_size(e.png)[0] > 200
    # disjoint boxes: no shaded area, IoU 0
    state = e.set(b_x=(0.6, 0.9), b_y=(0.6, 0.9))
    assert state["iou"] == 0 and len(rectangles(e.figure)) == 2
    # identical boxes: IoU 1 and a match
    state = e.set(b_x=(0.0, 0.5), b_y=(0.0, 0.5))
    assert state["iou"] == pytest.approx(1.0) and state["match_at_0.5"] is True


def test_iou_explorer_impossible_setting_shows_a_message():
    e = iou_explorer()
    e.set(a_x=(0.3, 0.3), a_y=(0.2, 0.2), b_x=(0.5, 0.5), b_y=(0.1, 0.1))
    assert e.state_line.startswith('state: error="Both boxes have zero area')
    texts = [t.get_text() for t in e.figure.texts]
    assert any("zero area" in t for t in texts)


def greedy_nms(boxes, scores, threshold):
    """Reference NMS written out the slow way."""
    order = sorted(range(len(scores)), key=lambda i: -float(scores[i]))
    kept = []
    for i in order:
        ok = True
        for j in kept:
            x1 = max(boxes[i][0], boxes[j][0]); y1 = max(boxes[i][1], boxes[j][1])
            x2 = min(boxes[i][2], boxes[j][2]); y2 = min(boxes[i][3], boxes[j][3])
            inter = max(0.0, x2 - x1) * max(0.0, y2 - y1)
            area = lambda b: (b[2] - b[0]) * (b[3] - b[1])
            if inter / (area(boxes[i]) + area(boxes[j]) - inter) > threshold:
                ok = False
                break
        if ok:
            kept.append(i)
    return kept


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.45, 0.7, 0.95])
def test_nms_explorer_against_slow_nms(threshold):
    e = nms_explorer()
    state = e.set(nms_threshold=threshold, score_threshold=0.0, seed=3)
    boxes, scores, _ = nms_candidates(3)
    expected = greedy_nms(boxes.tolist(), scores.tolist(), threshold)
    assert state["kept"] == len(expected)
    assert state["candidates"] == len(boxes) == state["kept"] + state["suppressed"]
    solid = [r for r in rectangles(e.figure) if r.get_linestyle() == "-"]
    assert len(solid) == len(expected)
    assert f"kept={len(expected)}" in e.state_line


def test_nms_explorer_threshold_is_monotone_and_impossible_score():
    e = nms_explorer()
    kept = [e.set(nms_threshold=t)["kept"] for t in (0.1, 0.3, 0.5, 0.7, 0.9)]
    assert kept == sorted(kept) and kept[0] < kept[-1]
    e.set(score_threshold=1.0)
    assert "error=" in e.state_line


def test_nms_candidates_are_reproducible():
    a, b = nms_candidates(5), nms_candidates(5)
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    boxes = a[0]
    assert (boxes[:, 2:] >= boxes[:, :2]).all() and (boxes >= 0).all() and (boxes <= 1).all()


# ------------------------------------------------------------------ both languages


def glyph_warnings(make):
    """``make()``'s result and the messages of matplotlib's missing-glyph warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = make()
    return out, [str(w.message) for w in caught if "Glyph" in str(w.message)]


def check_chinese(e):
    from ssd_core.fonts import missing_glyphs

    drawn = figure_text(e.figure)
    assert cjk(str(e.title)) and cjk(widget_text(e)) and cjk(drawn), drawn
    assert missing_glyphs(drawn + widget_text(e)) == []


def test_explorers_in_chinese(language):
    language("zh")
    e, missing = glyph_warnings(iou_explorer)
    assert not missing
    check_chinese(e)
    assert "交集" in e.figure.axes[0].get_title() and "交并比" in e.widget.children[0].value
    _, missing = glyph_warnings(lambda: e.set(a_x=(0.3, 0.3), a_y=(0.2, 0.2), b_x=(0.5, 0.5),
                                              b_y=(0.1, 0.1)))
    assert not missing and e.state_line.startswith('state: error="两个框的面积都是 0')
    assert any("没有定义" in t.get_text() for t in e.figure.texts)
    e, missing = glyph_warnings(nms_explorer)
    assert not missing
    check_chinese(e)
    assert "保留" in e.figure.axes[0].get_title()
    assert [w.description for w in e.controls.values()] == ["IoU 阈值", "最低得分", "随机种子"]
    state = e.set(score_threshold=1.0)
    assert "最低得分" in state["error"]
    # the state's keys and numbers stay as they are
    state = e.set(score_threshold=0.3, nms_threshold=0.45, seed=0)
    assert list(state) == ["nms_threshold", "score_threshold", "seed", "candidates", "kept",
                           "suppressed"]


def test_explorers_in_english_have_no_chinese(language):
    language("en")
    for e in (iou_explorer(), nms_explorer()):
        assert not cjk(widget_text(e)) and not cjk(figure_text(e.figure))
    e = nms_explorer()
    e.set(score_threshold=1.0)
    assert "lower 'score min'" in e.state_line and not cjk(figure_text(e.figure))
