"""SSD300 / SSD512 on VGG16, checked against the original's numbers, hand computation and
torchvision's own ssd300_vgg16. Batch 1 and few forward passes: SSD300 costs ~1 s per image
forward on a 2-core CPU."""

import unicodedata

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from ssd_core import SSDConfig, default_boxes
from ssd_core.models import build_ssd, count_macs, describe, walk_geometry
from ssd_core.models.describe import LayerGeometry


@pytest.fixture(scope="module")
def ssd300():
    torch.manual_seed(0)
    return build_ssd(SSDConfig.ssd300(), 21)


@pytest.fixture(scope="module")
def ssd300_run(ssd300):
    """One forward pass with gradients: (source maps, loc, conf)."""
    x = torch.rand(1, 3, 300, 300, generator=torch.Generator().manual_seed(0))
    maps = ssd300.sources(x)
    loc, conf = ssd300.head(maps)
    return maps, loc, conf


def test_ssd300_has_the_originals_parameter_count(ssd300):
    # Caffe SSD300 VOC0712 (21 classes), L2Norm scale included.
    assert sum(p.numel() for p in ssd300.parameters()) == 26_285_486


def test_ssd300_output_shapes(ssd300, ssd300_run):
    maps, loc, conf = ssd300_run
    assert loc.shape == (1, 8732, 4)
    assert conf.shape == (1, 8732, 21)
    # Fig. 2 of the paper: 38, 19, 10, 5, 3, 1 with 512, 1024, 512, 256, 256, 256 channels.
    assert [tuple(m.shape[1:]) for m in maps] == [
        (512, 38, 38), (1024, 19, 19), (512, 10, 10), (256, 5, 5), (256, 3, 3), (256, 1, 1)
    ]
    assert ssd300.source_names == ("conv4_3", "fc7", "conv8_2", "conv9_2", "conv10_2", "conv11_2")
    assert torch.equal(ssd300.priors, default_boxes(SSDConfig.ssd300()))
    assert "8732" in repr(ssd300) and "26,285,486" in repr(ssd300)


def test_backward_reaches_every_parameter(ssd300, ssd300_run):
    _, loc, conf = ssd300_run
    (loc.square().mean() + conf.logsumexp(dim=-1).mean()).backward()
    starved = [n for n, p in ssd300.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert starved == []
    ssd300.zero_grad(set_to_none=True)


def test_ssd512_gives_24564_boxes():
    model = build_ssd(SSDConfig.ssd512(), 21)
    with torch.no_grad():
        loc, conf = model(torch.rand(1, 3, 512, 512))
    # 64^2*4 + 32^2*6 + 16^2*6 + 8^2*6 + 4^2*6 + 2^2*4 + 1*4, by hand
    assert 64 * 64 * 4 + 32 * 32 * 6 + 16 * 16 * 6 + 8 * 8 * 6 + 4 * 4 * 6 + 2 * 2 * 4 + 4 == 24564
    assert loc.shape == (1, 24564, 4) and conf.shape == (1, 24564, 21)
    assert model.source_names[-1] == "conv12_2"


def test_ssd300_multiply_accumulates():
    # Counted with torch.utils.flop_counter on shape-only tensors: no arithmetic is done.
    model = build_ssd(SSDConfig.ssd300(), 21).to("meta")
    counter = FlopCounterMode(display=False)
    with counter, torch.no_grad():
        model(torch.zeros(1, 3, 300, 300, device="meta"))
    macs = counter.get_total_flops() / 2
    assert macs == pytest.approx(31.37e9, rel=0.01)
    assert count_macs(build_ssd(SSDConfig.ssd300(), 21)) == pytest.approx(31.37e9, rel=0.01)


def test_input_normalisation_is_caffe_style(ssd300):
    # 255 x - (123, 117, 104): the statistics the VGG16 weights were trained with (RGB order).
    ones = ssd300.normalize(torch.ones(1, 3, 1, 1)).flatten()
    zeros = ssd300.normalize(torch.zeros(1, 3, 1, 1)).flatten()
    assert ones.tolist() == pytest.approx([132.0, 138.0, 151.0], abs=0.01)
    assert zeros.tolist() == pytest.approx([-123.0, -117.0, -104.0], abs=0.01)
    with pytest.raises(TypeError, match="float"):
        ssd300.normalize(torch.zeros(1, 3, 4, 4, dtype=torch.uint8))
    with pytest.raises(ValueError, match=r"\[B, 3, H, W\]"):
        ssd300(torch.zeros(3, 300, 300))


# ----------------------------------------------------------------- receptive fields, describe
def test_fc6_is_dilated_by_6(ssd300):
    """Which input cells one fc6 output sees: 3x3 taps, 6 cells apart (by hand: 6, 12, 18)."""
    fc6 = ssd300.base.to_fc7.fc6
    x = torch.zeros(1, 512, 25, 25, requires_grad=True)
    fc6(x)[0, 0, 12, 12].backward()
    seen = x.grad[0].abs().sum(dim=0) > 0                                  # [25, 25]
    assert seen.any(dim=1).nonzero().flatten().tolist() == [6, 12, 18]
    assert seen.any(dim=0).nonzero().flatten().tolist() == [6, 12, 18]
    assert int(seen.sum()) == 9


def test_receptive_field_rule_agrees_with_a_gradient_probe():
    """A stride-2 conv, a 3x3 pool (as pool5) and a 3x3 conv with dilation 6 (as fc6).

    By hand: 3 px, then + 2 * 2 = 7, then + 12 * 2 = 31 px; with holes: three runs of 7 px.
    """
    chain = nn.Sequential(
        nn.Conv2d(1, 1, 3, stride=2, padding=1, bias=False),
        nn.AvgPool2d(3, stride=1, padding=1),
        nn.Conv2d(1, 1, 3, padding=6, dilation=6, bias=False),
        nn.ReLU(),
        nn.Conv2d(1, 1, 1, bias=False),
    )
    for m in chain:
        if isinstance(m, nn.Conv2d):
            nn.init.ones_(m.weight)
    x = torch.ones(1, 1, 64, 64, requires_grad=True)
    y = chain(x)
    assert y.shape[-1] == 32
    y[0, 0, 16, 16].backward()
    cols = (x.grad[0, 0] != 0).any(dim=0).nonzero().flatten()
    extent = int(cols.max() - cols.min() + 1)
    g = walk_geometry(chain, LayerGeometry(size=64, jump=1, receptive_field=1, channels=1))
    assert extent == 31 and g.receptive_field == 31
    assert len(cols) == 21
    assert (g.size, g.jump) == (32, 2)


def test_describe_ssd300(ssd300, ssd300_run):
    table = describe(ssd300)
    maps = ssd300_run[0]
    assert [r.map_size for r in table] == [m.shape[-1] for m in maps]
    assert [r.channels for r in table] == [m.shape[1] for m in maps]
    assert [r.boxes_per_location for r in table] == [4, 6, 6, 6, 4, 4]
    assert [r.boxes for r in table] == [5776, 2166, 600, 150, 36, 4]
    assert table.total_boxes == 8732
    assert [r.stride for r in table] == [8, 16, 32, 64, 64, 64]
    # VGG16's conv4_3 sees 92 px; fc7, by hand: 92 + 8 (pool4) + 3*2*16 (conv5) + 2*16
    # (pool5) + 12*16 (fc6, dilation 6) = 420.
    assert [r.receptive_field for r in table][:2] == [92, 420]
    text = str(table)
    assert "8,732" in text and "conv11_2" in text and "receptive field" in text


def _columns(text: str) -> int:
    """Display columns of ``text`` in a monospaced font (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def test_describe_in_chinese_is_aligned(ssd300, language):
    language("zh")
    lines = str(describe(ssd300)).splitlines()
    assert lines[0] == "ssd300：输入 300×300"
    assert lines[1].split() == ["源特征图", "通道数", "尺寸", "步幅", "中心间距", "感受野",
                                "每位置框数", "默认框数"]
    assert lines[-1].split() == ["合计", "8,732"]
    # the head, the rules and every row take the same columns ...
    assert len({_columns(line) for line in lines[1:]}) == 1
    # ... and each head ends over its column's numbers (right-aligned)
    conv4_3 = lines[3]
    for head, value in (("通道数", "512"), ("步幅", " 8"), ("感受野", "92"), ("默认框数", "5,776")):
        end = _columns(lines[1][:lines[1].index(head) + len(head)])
        assert _columns(conv4_3[:conv4_3.index(value) + len(value)]) == end, head
    # the numbers are those of the English table
    language("en")
    english = str(describe(ssd300)).splitlines()
    assert [line.split()[1:] for line in english[3:-2]] == [line.split()[1:] for line in lines[3:-2]]


def test_describe_in_english_has_no_chinese(ssd300, language):
    language("en")
    text = str(describe(ssd300))
    assert not any("\u4e00" <= c <= "\u9fff" or unicodedata.east_asian_width(c) in "WF"
                   for c in text)
    lines = text.splitlines()
    assert lines[0] == "ssd300: 300x300 input" and lines[1].split()[:3] == ["source", "channels", "map"]
    assert lines[-1].split() == ["total", "8,732"] and len({len(line) for line in lines[1:]}) == 1


# ---------------------------------------------------------------------------- build checks
def test_build_names_the_source_that_disagrees():
    bad = SSDConfig.ssd300().replace(feature_maps=(38, 19, 10, 4, 3, 1))
    with pytest.raises(ValueError, match=r"conv9_2.*5x5.*4x4"):
        build_ssd(bad, 21)


def test_build_refuses_unknown_backbones_and_source_counts():
    with pytest.raises(ValueError, match="backbone"):
        build_ssd(SSDConfig.ssd300().replace(backbone="resnet"), 21)
    with pytest.raises(ValueError, match="6 source maps"):
        build_ssd(SSDConfig.from_paper(feature_maps=(38, 19, 10, 5, 3)), 21)
    with pytest.raises(ValueError, match="num_classes"):
        build_ssd(SSDConfig.ssd300(), 1)
