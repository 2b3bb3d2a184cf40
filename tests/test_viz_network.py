"""Lesson 2's explorers and tables, checked against the paper's numbers, hand computation and
torchvision's own default-box generator."""

import io
import math
import re
import unicodedata
import warnings

import numpy as np
import pytest
import torch
from matplotlib.collections import PolyCollection
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator
from torchvision.models.detection.image_list import ImageList

from ssd_core import SSDConfig
from ssd_core.fonts import missing_glyphs
from ssd_core.models import build_ssd
from ssd_core.viz.default_boxes import box_scheme_counts, default_box_explorer, plot_box_schemes
from ssd_core.viz.network import (atrous_explorer, format_layer_table, layer_table,
                                  plot_receptive_field, plot_source_norms, plot_ssd_architecture,
                                  receptive_field_of_stack, source_norms)
from tests.texts import cjk, figure_text, widget_text

SSD300_RATIOS = [[2], [2, 3], [2, 3], [2, 3], [2], [2]]
MAPS = (38, 19, 10, 5, 3, 1)


def polys(fig):
    return [c for ax in fig.axes for c in ax.collections if isinstance(c, PolyCollection)]


def n_paths(fig):
    return sum(len(c.get_paths()) for c in polys(fig))


def torchvision_boxes(s_min=0.2, s_max=0.9, ratios=SSD300_RATIOS):
    """SSD's default boxes from torchvision, xyxy pixels of a 300x300 image."""
    gen = DefaultBoxGenerator(ratios, min_ratio=s_min, max_ratio=s_max, clip=False)
    images = ImageList(torch.zeros(1, 3, 300, 300), [(300, 300)])
    return gen(images, [torch.zeros(1, 1, f, f) for f in MAPS])[0]


# ------------------------------------------------------------------ default-box explorer


def test_paper_defaults_give_8732_boxes():
    e = default_box_explorer()
    s = e.state
    assert (s["s_min"], s["s_max"]) == (0.2, 0.9)
    assert s["total"] == 8732                                      # the paper's number
    assert "total=8732" in e.state_line
    # per map: 38^2*4, 19^2*6, 10^2*6, 5^2*6, 3^2*4, 1*4
    assert [r["boxes"] for r in e.table] == [5776, 2166, 600, 150, 36, 4]
    assert sum(r["boxes"] for r in e.table) == 8732
    # eq. 4 with s_min 0.2, s_max 0.9, m = 6: steps of 0.14
    assert [r["s_k"] for r in e.table] == pytest.approx([0.2, 0.34, 0.48, 0.62, 0.76, 0.9])
    # the released SSD300: 30, 60, 111, 162, 213, 264 px of 300
    assert [r["orig_s_k"] for r in e.table] == pytest.approx([0.1, 0.2, 0.37, 0.54, 0.71, 0.88])
    assert e.table[0]["orig_s_prime"] == pytest.approx(math.sqrt(30 * 60) / 300)
    assert "8,732" in e.table_html.value and "0.370" in e.table_html.value


@pytest.mark.parametrize("source,cell", [(0, (19, 15)), (1, (3, 17)), (2, (5, 4)), (4, (1, 1))])
def test_one_location_matches_torchvision(source, cell):
    f = MAPS[source]
    e = default_box_explorer()
    x, y = (cell[0] + 0.5) / f, (cell[1] + 0.5) / f
    s = e.set(source=source, x=x, y=y, show="one location")
    assert s["cell"] == cell
    A = 4 if source in (0, 4, 5) else 6
    assert s["boxes_per_location"] == A and s["drawn"] == A
    ref = torchvision_boxes()
    start = sum(m * m * a for m, a in zip(MAPS[:source], (4, 6, 6, 6, 4, 4)))
    i = start + (cell[1] * f + cell[0]) * A
    expected = ref[i:i + A].numpy()                                 # [A, 4] xyxy px
    coll = [c for c in polys(e.figure) if len(c.get_paths()) == A][0]
    drawn = np.array([[p.vertices[:, 0].min(), p.vertices[:, 1].min(),
                       p.vertices[:, 0].max(), p.vertices[:, 1].max()] for p in coll.get_paths()])
    assert drawn == pytest.approx(expected, abs=1e-3)


def test_square_box_by_hand():
    # 10x10 map, cell (5, 4): centre (165, 135) px; s_3 = 0.48 -> a 144 px square
    e = default_box_explorer()
    e.set(source=2, x=0.55, y=0.45, show="one location")
    coll = [c for c in polys(e.figure) if len(c.get_paths()) == 6][0]
    v = coll.get_paths()[0].vertices
    assert v[:, 0].min() == pytest.approx(165 - 72) and v[:, 0].max() == pytest.approx(165 + 72)
    assert v[:, 1].min() == pytest.approx(135 - 72)


def test_ratio_toggles_change_the_counts():
    e = default_box_explorer()
    s = e.set(ratio_2=False, ratio_3=False)
    assert s["boxes_per_location"] == 2
    assert s["total"] == 2 * sum(f * f for f in MAPS) == 3880
    s = e.set(ratio_2=True, ratio_3=True, three_everywhere=True)
    assert s["total"] == 6 * sum(f * f for f in MAPS) == 11640
    s = e.set(three_everywhere=False, ratio_3=False)
    assert s["total"] == 4 * sum(f * f for f in MAPS) == 7760
    assert s["ratios"] == "2"


def test_other_scales_follow_equation_4():
    e = default_box_explorer()
    e.set(scales=(0.1, 0.6))
    assert [r["s_k"] for r in e.table] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert e.state["total"] == 8732


def test_every_box_draws_8732_rectangles_and_centres_1444():
    e = default_box_explorer()
    e.set(show="every box, all maps")
    assert n_paths(e.figure) == 8732
    assert sorted(len(c.get_paths()) for c in polys(e.figure)) == sorted([5776, 2166, 600, 150, 36, 4])
    s = e.set(show="all centres", source=0)
    assert s["centres"] == 1444
    dots = [l for ax in e.figure.axes for l in ax.lines if len(l.get_xdata()) == 1444]
    assert len(dots) == 1
    assert dots[0].get_xdata().min() == pytest.approx(0.5 * 300 / 38)


@pytest.mark.parametrize("scales,needle", [((0.5, 0.5), "must be smaller"), ((0.7, 0.7), "must be smaller"),
                                           ((0.0, 0.9), "s_min must be > 0")])
def test_impossible_scales_show_the_message(scales, needle):
    e = default_box_explorer()
    e.set(scales=scales)
    assert e.state_line.startswith("state: error=") and needle in e.state_line
    assert any(needle in t.get_text() for t in e.figure.texts)
    e.set(scales=(0.2, 0.9))                                       # and it recovers
    assert e.state["total"] == 8732


# ------------------------------------------------------------------ the network


@pytest.fixture(scope="module")
def ssd300():
    torch.manual_seed(0)
    return build_ssd(SSDConfig.ssd300(), 21)


def test_layer_table_by_hand(ssd300):
    rows = {r.name: r for r in layer_table(ssd300)}
    assert rows["conv1_1"].params == 3 * 64 * 9 + 64 == 1792
    assert rows["fc6"].params == 512 * 1024 * 9 + 1024
    assert rows["fc7"].params == 1024 * 1024 + 1024
    names = [f"conv{s}_{i}" for s, n in ((1, 2), (2, 2), (3, 3), (4, 3), (5, 3)) for i in range(1, n + 1)]
    vgg_convs = [rows[n] for n in names]
    assert len(vgg_convs) == 13 and sum(r.params for r in vgg_convs) == 14_714_688   # VGG16's convs
    # receptive fields: conv4_3 sees 92 px (3x3 convs and 2x2 pools, by hand), fc6's dilation
    # 6 adds 2 * 6 * 16 = 192 px to pool5's 228
    assert rows["conv4_3"].receptive_field == 92
    assert rows["pool5"].receptive_field == 228 and rows["fc6"].receptive_field == 420
    sources = [r for r in layer_table(ssd300) if r.source]
    assert [r.size for r in sources] == [38, 19, 10, 5, 3, 1]
    assert [r.stride for r in sources] == [8, 16, 32, 64, 64, 64]
    assert sum(r.params for r in layer_table(ssd300)) == sum(p.numel() for p in ssd300.parameters())
    text = format_layer_table(layer_table(ssd300))
    assert "conv4_3" in text and f"{sum(p.numel() for p in ssd300.parameters()):,}" in text
    fig = plot_receptive_field(layer_table(ssd300))
    assert len(fig.axes) == 1


def test_source_norms_l2norm_gives_20(ssd300):
    x = torch.rand(1, 3, 300, 300, generator=torch.Generator().manual_seed(0))
    norms = source_norms(ssd300, x)
    assert [n["name"] for n in norms] == ["conv4_3", "fc7", "conv8_2", "conv9_2", "conv10_2", "conv11_2"]
    # L2Norm makes every location's vector unit length, times the initial scale 20 (section 3.1)
    assert norms[0]["seen"] == pytest.approx(20.0, rel=1e-4)
    raw = ssd300.base.to_conv4_3(ssd300.normalize(x)).norm(dim=1).mean().item()
    assert norms[0]["raw"] == pytest.approx(raw, rel=1e-4)
    for n in norms[1:]:
        assert n["seen"] == pytest.approx(n["raw"])
    assert len(plot_source_norms(norms).axes) == 1


# ------------------------------------------------------------------ the architecture figure

#: The paper's Fig. 2, by hand: each source map's name, side, channels and default boxes per
#: location.
FIG2 = [("conv4_3", 38, 512, 4), ("fc7", 19, 1024, 6), ("conv8_2", 10, 512, 6),
        ("conv9_2", 5, 256, 6), ("conv10_2", 3, 256, 4), ("conv11_2", 1, 256, 4)]


def test_architecture_figure_shows_the_papers_numbers(language, ssd300):
    language("en")
    fig, missing = drawn(lambda: plot_ssd_architecture(model=ssd300))
    assert not missing
    text = figure_text(fig)
    assert not cjk(text)
    # 38²×4 + 19²×6 + 10²×6 + 5²×6 + 3²×4 + 1²×4, the paper's 8,732
    assert 38 * 38 * 4 + 19 * 19 * 6 + 10 * 10 * 6 + 5 * 5 * 6 + 3 * 3 * 4 + 1 * 1 * 4 == 8732
    assert "5,776 + 2,166 + 600 + 150 + 36 + 4 = 8,732" in text
    assert "detections: 8,732 per class" in text
    for name, side, channels, k in FIG2:
        assert name in text
        assert f"{side}×{side}×{channels}" in text                       # the map
        assert f"{side}×{side}×{k} = {side * side * k:,}" in text         # its default boxes
        assert f"3×3×({k}×(21+4))" in text                              # its prediction head
    assert [line for line in text.splitlines() if line.startswith("k = ")] == \
        [f"k = {k}" for *_, k in FIG2]
    # the input, fc6 (atrous, not a source), L2Norm on conv4_3, NMS as postprocess does it
    assert "300×300×3" in text and "fc6" in text and "3×3×1024" in text
    assert "atrous, dilation 6" in text and "L2Norm (learned scale, starts at 20)" in text
    assert "IoU threshold 0.45, at most 200 per image" in text
    assert tuple(fig.get_size_inches() * fig.dpi) == pytest.approx((1200, 620))


def test_architecture_figure_is_read_from_the_model(language):
    """Another model, other numbers: SSD512 (Table 7: 24,564 boxes, seven maps from 64×64)."""
    language("en")
    text = figure_text(plot_ssd_architecture(SSDConfig.ssd512()))
    assert "512×512×3" in text and "64×64×4 = 16,384" in text and "conv12_2" in text
    assert "detections: 24,564 per class" in text and "8,732" not in text


def test_architecture_figure_in_chinese(language):
    language("zh")
    fig, missing = drawn(plot_ssd_architecture)
    assert not missing
    text = chinese_figure(fig)
    for word in ("输入图像", "骨干网络", "源特征图", "预测头", "非极大值抑制", "每个类别 8,732 个",
                 "空洞卷积", "最终检测结果"):
        assert word in text, word
    for _name, side, channels, k in FIG2:
        assert f"{side}×{side}×{channels}" in text and f"{side * side * k:,}" in text


# ------------------------------------------------------------------ atrous convolution


def footprint(dilation, layers):
    """Input cells the centre output depends on, found by autograd (no formula)."""
    n = 41
    x = torch.zeros(1, 1, n, n, requires_grad=True)
    y = x
    for _ in range(layers):
        conv = torch.nn.Conv2d(1, 1, 3, padding=dilation, dilation=dilation, bias=False)
        torch.nn.init.ones_(conv.weight)
        y = conv(y)
    y[0, 0, n // 2, n // 2].backward()
    return x.grad[0, 0] != 0


@pytest.mark.parametrize("dilation,layers", [(1, 1), (2, 1), (6, 1), (2, 2), (1, 3), (4, 3)])
def test_atrous_receptive_field_against_autograd(dilation, layers):
    mask = footprint(dilation, layers)
    ys, xs = mask.nonzero(as_tuple=True)
    side = int(xs.max() - xs.min() + 1)
    assert receptive_field_of_stack(dilation, layers) == side
    e = atrous_explorer()
    s = e.set(dilation=dilation, layers=layers)
    assert s["receptive_field"] == side and f"receptive_field={side}" in e.state_line
    # the right panel fills exactly the cells autograd found
    right = e.figure.axes[1]
    filled = [p for p in right.patches if p.get_fill()]
    assert len(filled) == int(mask.sum())


def test_atrous_impossible_when_the_window_is_larger_than_the_grid():
    e = atrous_explorer()
    e.set(dilation=8, layers=3)                                      # 49 > 27
    assert "error=" in e.state_line and "49x49" in e.state_line


# ------------------------------------------------------------------ anchors, grid, default boxes


def test_box_scheme_counts():
    c = box_scheme_counts((600, 1000))
    assert c["faster_rcnn"] == 38 * 63 * 9 == 21546        # "roughly 20,000" in Faster R-CNN's paper
    assert c["yolo"] == 98 and c["ssd300"] == 8732 and c["ssd512"] == 24564
    fig = plot_box_schemes("astronaut")
    assert len(fig.axes) == 3
    assert sum(len(c.get_paths()) for c in fig.axes[0].collections if isinstance(c, PolyCollection)) == 9
    assert sum(len(c.get_paths()) for c in fig.axes[2].collections if isinstance(c, PolyCollection)) == 4 + 6 + 4


# ------------------------------------------------------------------ both languages


def drawn(make):
    """``make()``, its figure saved as a PNG, and matplotlib's missing-glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = make()
        fig = getattr(out, "figure", out)
        fig.savefig(io.BytesIO(), format="png", dpi=40)
    return out, [str(w.message) for w in caught if "Glyph" in str(w.message)]


def chinese_figure(fig):
    text = figure_text(fig)
    assert cjk(text), text
    assert missing_glyphs(text) == []
    return text


def test_lesson2_explorers_in_chinese(language):
    language("zh")
    e, missing = drawn(default_box_explorer)
    assert not missing and cjk(str(e.title)) and cjk(widget_text(e))
    assert missing_glyphs(widget_text(e)) == []
    assert "默认框" in e.widget.children[0].value and "合计" in e.table_html.value
    assert "个框" in chinese_figure(e.figure)
    # the "show" toggle: Chinese labels, the same values
    show = e.controls["show"]
    assert show.options == (("一个位置", "one location"), ("所有中心点", "all centres"),
                            ("全部特征图的所有框", "every box, all maps"))
    for _, value in show.options:
        s = e.set(show=value)
        assert s["show"] == value and f'show="{value}"' in e.state_line
        chinese_figure(e.figure)
    # words that mean another thing elsewhere in the course (told apart by context)
    assert e.controls["photo"].description == "照片"
    assert "<th style='padding:0 6px'>每个位置的框数</th><th style='padding:0 6px'>框数</th>" \
        in e.table_html.value
    s = e.set(scales=(0.5, 0.5))
    assert "s_min 必须小于 s_max（现在 s_min = 0.5，s_max = 0.5）" in s["error"]
    assert cjk(figure_text(e.figure))
    s = e.set(scales=(0.0, 0.9))
    assert "s_min 必须大于 0（现在是 0.0）" in s["error"]
    assert e.set(scales=(0.2, 0.9))["total"] == 8732

    e, missing = drawn(atrous_explorer)
    assert not missing and cjk(str(e.title)) and cjk(widget_text(e))
    assert "感受野" in chinese_figure(e.figure)
    s = e.set(dilation=8, layers=3)
    assert re.search(r"49[x×]49", s["error"]) and cjk(s["error"]) and missing_glyphs(s["error"]) == []


def test_lesson2_figures_and_table_in_chinese(language, ssd300):
    language("zh")
    x = torch.rand(1, 3, 300, 300, generator=torch.Generator().manual_seed(0))
    rows = layer_table(ssd300)
    for make, word in ((lambda: plot_box_schemes("astronaut"), "锚框"),
                       (lambda: plot_receptive_field(rows), "感受野"),
                       (lambda: plot_source_norms(source_norms(ssd300, x)), "L2 范数")):
        fig, missing = drawn(make)
        assert not missing and word in chinese_figure(fig)
    table = format_layer_table(rows).splitlines()
    assert table[0].split() == ["层", "类型", "输出", "参数量", "步幅", "感受野"]
    assert "参数总数" in table[-1] and f"{sum(p.numel() for p in ssd300.parameters()):,}" in table[-1]
    assert any("conv4_3 上的 loc 预测头" in line for line in table)
    # columns line up in a monospaced font: every line as wide as the header (a Chinese
    # character takes two columns)
    width = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
    assert {width(line) for line in table[:-1]} == {width(table[0])}
    assert [r.name for r in rows if "head" in r.name][0] == "loc head on conv4_3"   # data as is


@pytest.mark.parametrize("scales", [(0.5, 0.5), (0.73, 0.73), (0.0, 0.9), (0.0, 0.0)])
def test_impossible_scales_in_english_are_ssdconfigs_own_message(language, scales):
    language("en")
    e = default_box_explorer()
    s = e.set(scales=scales)
    with pytest.raises(ValueError) as raised:
        SSDConfig.from_paper(*e.controls["scales"].value)
    assert s["error"] == str(raised.value)


def test_lesson2_in_english_has_no_chinese(language, ssd300):
    language("en")
    e = default_box_explorer()
    assert not cjk(widget_text(e)) and not cjk(figure_text(e.figure))
    e.set(show="every box, all maps")
    assert not cjk(figure_text(e.figure))
    e.set(scales=(0.5, 0.5))
    assert "must be smaller" in e.state_line and not cjk(e.state_line)
    e = atrous_explorer()
    assert not cjk(widget_text(e)) and not cjk(figure_text(e.figure))
    rows = layer_table(ssd300)
    x = torch.rand(1, 3, 300, 300, generator=torch.Generator().manual_seed(0))
    for fig in (plot_box_schemes("astronaut"), plot_receptive_field(rows),
                plot_source_norms(source_norms(ssd300, x))):
        assert not cjk(figure_text(fig))
    text = format_layer_table(rows)
    assert not cjk(text) and text.splitlines()[0].split()[:2] == ["layer", "kind"]
