import math

import pytest

from ssd_core import SSDConfig, paper_scales


def test_ssd300_preset_is_the_originals():
    c = SSDConfig.ssd300()
    assert c.feature_maps == (38, 19, 10, 5, 3, 1)
    assert c.steps == (8, 16, 32, 64, 100, 300)
    assert c.min_sizes == (30, 60, 111, 162, 213, 264)
    assert c.max_sizes == (60, 111, 162, 213, 264, 315)
    assert c.boxes_per_location == (4, 6, 6, 6, 4, 4)
    assert c.variances == (0.1, 0.2)
    assert c.num_boxes == 8732


def test_ssd512_box_count():
    assert SSDConfig.ssd512().num_boxes == 24564


def test_paper_formula_scales():
    # Section 2.2, eq. 4 with s_min = 0.2, s_max = 0.9 and m = 6, by hand:
    # step = 0.7 / 5 = 0.14.
    s = paper_scales(0.2, 0.9, 6)
    assert s[:6] == pytest.approx([0.2, 0.34, 0.48, 0.62, 0.76, 0.9])
    assert s[6] == pytest.approx(1.04)
    c = SSDConfig.from_paper(0.2, 0.9)
    assert c.scales == pytest.approx((0.2, 0.34, 0.48, 0.62, 0.76, 0.9))
    assert c.num_boxes == 8732
    # centres at (i + 0.5) / f: the step is image_size / f
    assert c.steps[0] == pytest.approx(300 / 38)


@pytest.mark.parametrize(
    "make, field",
    [
        (lambda: SSDConfig.from_paper(s_min=0.9, s_max=0.2), "s_min"),
        (lambda: SSDConfig.from_paper(s_min=0.5, s_max=0.5), "s_min"),
        (lambda: SSDConfig.from_paper(feature_maps=()), "feature_maps"),
        (lambda: SSDConfig.ssd300().replace(aspect_ratios=((2,), (2, 0), (2,), (2,), (2,), (2,))), "aspect_ratios"),
        (lambda: SSDConfig.ssd300().replace(aspect_ratios=((-1,), (2,), (2,), (2,), (2,), (2,))), "aspect_ratios"),
        (lambda: SSDConfig.ssd300().replace(feature_maps=(), steps=(), min_sizes=(), max_sizes=(), aspect_ratios=()), "feature_maps"),
        (lambda: SSDConfig.ssd300().replace(steps=(8, 16)), "steps"),
        (lambda: SSDConfig.ssd300().replace(variances=(0.1, 0.0)), "variances"),
        (lambda: SSDConfig.ssd300().replace(image_size=0), "image_size"),
    ],
)
def test_nonsense_configs_name_the_field(make, field):
    with pytest.raises(ValueError, match=field):
        make()


def test_config_round_trips_through_a_dict():
    c = SSDConfig.ssd512()
    assert SSDConfig.from_dict(c.to_dict()) == c
    assert "24564" in repr(c)


def test_from_paper_sqrt_rule_for_extra_box():
    c = SSDConfig.from_paper(0.2, 0.9)
    # the extra square box of map k has side sqrt(s_k s_k+1)
    assert math.sqrt(c.min_sizes[1] * c.max_sizes[1]) / 300 == pytest.approx(math.sqrt(0.34 * 0.48))


def test_ssd300_aspect_ratios_are_written_once():
    # Caffe's ssd_pascal.py: aspect_ratios = [[2], [2, 3], [2, 3], [2, 3], [2], [2]] (section 3.1:
    # conv4_3, conv10_2 and conv11_2 have no 3 and 1/3)
    from ssd_core.config import SSD300_ASPECT_RATIOS
    from ssd_core.models.torchvision_port import torchvision_ssd300_config
    from ssd_core.viz.default_boxes import ratios_for

    by_hand = ((2.0,), (2.0, 3.0), (2.0, 3.0), (2.0, 3.0), (2.0,), (2.0,))
    assert SSD300_ASPECT_RATIOS == by_hand
    assert SSDConfig.ssd300().aspect_ratios == by_hand
    assert SSDConfig.from_paper().aspect_ratios == by_hand
    assert torchvision_ssd300_config().aspect_ratios == by_hand
    assert ratios_for(two=True, three=True) == by_hand
