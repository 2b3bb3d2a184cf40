import math

import pytest
import torch
from torchvision.models.detection.anchor_utils import DefaultBoxGenerator

from ssd_core import SSDConfig, clipping_report, default_boxes


def torchvision_boxes(config: SSDConfig, clip: bool) -> torch.Tensor:
    """torchvision's default boxes for the same scales and steps (cxcywh, normalised)."""
    scales = [s / config.image_size for s in config.min_sizes] + [
        config.max_sizes[-1] / config.image_size
    ]
    gen = DefaultBoxGenerator(
        [list(r) for r in config.aspect_ratios], scales=scales, steps=list(config.steps), clip=clip
    )
    grids = [[f, f] for f in config.feature_maps]
    return gen._grid_default_boxes(grids, [config.image_size, config.image_size])


def test_counts():
    assert default_boxes(SSDConfig.ssd300()).shape == (8732, 4)
    assert default_boxes(SSDConfig.ssd512()).shape == (24564, 4)


def test_first_and_last_rows_as_the_original_gives_them(ssd300_priors):
    p = ssd300_priors
    # Row 0: the small square of the first cell of conv4_3: centre 4 px, side 30 px.
    assert p[0].tolist() == pytest.approx([0.013333, 0.013333, 0.1, 0.1], abs=1e-6)
    # Row 1: the extra square, side sqrt(30 * 60) px = sqrt(0.1 * 0.2).
    side = math.sqrt(0.1 * 0.2)
    assert p[1].tolist() == pytest.approx([0.013333, 0.013333, side, side], abs=1e-6)
    # Rows 2 and 3: ratio 2, wide then tall.
    r2 = math.sqrt(2)
    assert p[2, 2:].tolist() == pytest.approx([0.1 * r2, 0.1 / r2], abs=1e-6)
    assert p[3, 2:].tolist() == pytest.approx([0.1 / r2, 0.1 * r2], abs=1e-6)
    # Row 4: the next location is one step (8 px) to the right: x runs fastest.
    assert p[4, :2].tolist() == pytest.approx([12 / 300, 4 / 300], abs=1e-6)
    # Location 38 starts the second row of the map.
    assert p[38 * 4, :2].tolist() == pytest.approx([4 / 300, 12 / 300], abs=1e-6)
    # The last four rows: the single conv11_2 cell at the image centre, s = 264 px.
    s, s_next = 264 / 300, 315 / 300
    last = p[-4:]
    assert last[:, :2].flatten().tolist() == pytest.approx([0.5] * 8)
    assert last[0, 2:].tolist() == pytest.approx([s, s], abs=1e-6)
    assert last[1, 2:].tolist() == pytest.approx([math.sqrt(s * s_next)] * 2, abs=1e-6)
    assert last[2, 2:].tolist() == pytest.approx([s * r2, s / r2], abs=1e-6)
    assert last[3, 2:].tolist() == pytest.approx([s / r2, s * r2], abs=1e-6)


@pytest.mark.parametrize("preset", [SSDConfig.ssd300, SSDConfig.ssd512])
def test_same_as_torchvision_without_clipping(preset):
    config = preset()
    ours = default_boxes(config)
    theirs = torchvision_boxes(config, clip=False)
    assert ours.shape == theirs.shape
    torch.testing.assert_close(ours, theirs, atol=1e-4, rtol=0)


def test_clipping_difference_is_explained():
    """Three conventions, two differences, each located exactly.

    * the original (clip=False) and torchvision's clip=True differ only in the widths and
      heights larger than the image: 18 boxes on the 3x3 map, 2 on the 1x1 map;
    * ours with clip=True clamps (cx, cy, w, h) like ssd.pytorch; against torchvision's
      clip=True, which clamps only (w, h), that moves 114 centres, all on the 10x10 map.
    """
    config = SSDConfig.ssd300()
    original = default_boxes(config)
    tv_clipped = torchvision_boxes(config, clip=True)
    diff = (original - tv_clipped).abs() > 1e-6
    assert not diff[:, :2].any()
    assert int(diff.any(dim=1).sum()) == 20

    ours_clipped = default_boxes(config.replace(clip=True))
    diff = (ours_clipped - tv_clipped).abs() > 1e-6
    assert not diff[:, 2:].any()
    rows = diff.any(dim=1).nonzero().flatten()
    assert len(rows) == 114
    start = 38 * 38 * 4 + 19 * 19 * 6
    assert rows.min() >= start and rows.max() < start + 10 * 10 * 6
    assert clipping_report(config)["10x10"]["centres_moved"] == 114


def test_from_paper_area_and_ratio():
    config = SSDConfig.from_paper(0.2, 0.9)
    boxes = default_boxes(config, dtype=torch.float64)
    offset = 0
    for k, f in enumerate(config.feature_maps):
        s = config.scales[k]
        A = config.boxes_per_location[k]
        cell = boxes[offset : offset + A]  # the first location of map k
        w, h = cell[:, 2], cell[:, 3]
        assert w[0] * h[0] == pytest.approx(s * s)
        for j, r in enumerate(config.aspect_ratios[k]):
            wide, tall = cell[2 + 2 * j], cell[3 + 2 * j]
            assert wide[2] * wide[3] == pytest.approx(s * s)  # area s^2
            assert wide[2] / wide[3] == pytest.approx(r)  # w / h = r
            assert tall[2] / tall[3] == pytest.approx(1 / r)
        # centres at (i + 0.5) / f
        assert cell[0, 0].item() == pytest.approx(0.5 / f)
        offset += f * f * A
    assert offset == len(boxes)


def test_from_paper_against_torchvision_formula():
    """torchvision's min_ratio/max_ratio follow the same formula; it sets s_{m+1} = 1,
    where we continue the step (1.04). Only the last map's extra square box differs."""
    config = SSDConfig.from_paper(0.2, 0.9)
    ours = default_boxes(config)
    gen = DefaultBoxGenerator([list(r) for r in config.aspect_ratios], 0.2, 0.9, clip=False)
    theirs = gen._grid_default_boxes([[f, f] for f in config.feature_maps], [300, 300])
    differs = ((ours - theirs).abs() > 1e-5).any(dim=1).nonzero().flatten().tolist()
    assert differs == [len(ours) - 3]
    assert ours[-3, 2].item() == pytest.approx(math.sqrt(0.9 * 1.04), abs=1e-6)
    assert theirs[-3, 2].item() == pytest.approx(math.sqrt(0.9 * 1.0), abs=1e-6)
