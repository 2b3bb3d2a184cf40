import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torchvision.models.detection._utils import BoxCoder

from ssd_core import box_iou, cxcywh_to_xyxy, decode, encode, xyxy_to_cxcywh
from ssd_core.boxes import MAX_LOG_SCALE

from .conftest import random_gt


def test_conversions_by_hand():
    xyxy = torch.tensor([[0.1, 0.2, 0.5, 0.4]])
    assert xyxy_to_cxcywh(xyxy).tolist()[0] == pytest.approx([0.3, 0.3, 0.4, 0.2])
    assert cxcywh_to_xyxy(torch.tensor([[0.3, 0.3, 0.4, 0.2]])).tolist()[0] == pytest.approx(
        [0.1, 0.2, 0.5, 0.4]
    )


def test_iou_by_hand():
    a = torch.tensor([[0.0, 0.0, 2.0, 2.0]])
    b = torch.tensor([[1.0, 1.0, 3.0, 3.0], [2.0, 2.0, 3.0, 3.0], [0.0, 0.0, 2.0, 2.0]])
    # overlap 1, union 4 + 4 - 1 = 7; touching corners: 0; identical: 1
    assert box_iou(a, b).tolist()[0] == pytest.approx([1 / 7, 0.0, 1.0])


def test_batched_iou_is_per_image_iou():
    g = torch.Generator().manual_seed(0)
    batch = torch.stack([random_gt(g, 5) for _ in range(3)])  # [3, 5, 4]
    other = random_gt(g, 7)
    out = box_iou(batch, other)
    assert out.shape == (3, 5, 7)
    for i in range(3):
        torch.testing.assert_close(out[i], box_iou(batch[i], other))


def test_encode_decode_match_torchvision_boxcoder(ssd300_priors):
    g = torch.Generator().manual_seed(1)
    priors = ssd300_priors
    gt = random_gt(g, len(priors), 0.01, 1.0)
    coder = BoxCoder(weights=(10.0, 10.0, 5.0, 5.0))
    priors_xyxy = cxcywh_to_xyxy(priors)
    torch.testing.assert_close(encode(gt, priors), coder.encode_single(gt, priors_xyxy), atol=1e-4, rtol=1e-4)
    loc = torch.randn(len(priors), 4, generator=g) * 3
    torch.testing.assert_close(decode(loc, priors), coder.decode_single(loc, priors_xyxy), atol=1e-4, rtol=1e-4)


def test_decode_does_not_overflow(ssd300_priors):
    assert torch.isfinite(decode(torch.full((2, len(ssd300_priors), 4), 1e30), ssd300_priors)).all()
    loc = torch.zeros(2, len(ssd300_priors), 4)
    loc[..., 2:] = 1e6
    boxes = decode(loc, ssd300_priors)
    assert torch.isfinite(boxes).all()
    # sizes are capped at exp(MAX_LOG_SCALE) = 62.5 times the default box
    wh = boxes[0, :, 2:] - boxes[0, :, :2]
    torch.testing.assert_close(wh, ssd300_priors[:, 2:] * 62.5, rtol=1e-4, atol=1e-4)
    assert math.exp(MAX_LOG_SCALE) == pytest.approx(62.5)


unit = st.floats(0.0, 1.0, allow_nan=False)
# Sizes within 1:20 of each other: decode caps growth at 62.5x (MAX_LOG_SCALE), so the
# round trip is exact only below that.
size = st.floats(0.05, 1.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(cx=unit, cy=unit, w=size, h=size, pcx=unit, pcy=unit, pw=size, ph=size)
def test_encode_then_decode_returns_the_box(cx, cy, w, h, pcx, pcy, pw, ph):
    box = cxcywh_to_xyxy(torch.tensor([[cx, cy, w, h]], dtype=torch.float64))
    prior = torch.tensor([[pcx, pcy, pw, ph]], dtype=torch.float64)
    back = decode(encode(box, prior), prior)
    torch.testing.assert_close(back, box, atol=1e-9, rtol=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(unit, unit, size, size), min_size=1, max_size=6),
       st.lists(st.tuples(unit, unit, size, size), min_size=1, max_size=6))
def test_iou_is_symmetric_and_bounded(a, b):
    a = cxcywh_to_xyxy(torch.tensor(a, dtype=torch.float64))
    b = cxcywh_to_xyxy(torch.tensor(b, dtype=torch.float64))
    ab, ba = box_iou(a, b), box_iou(b, a)
    torch.testing.assert_close(ab, ba.T)
    assert ((ab >= 0) & (ab <= 1 + 1e-12)).all()
    # a box with itself
    torch.testing.assert_close(box_iou(a, a).diagonal(), torch.ones(len(a), dtype=torch.float64))
