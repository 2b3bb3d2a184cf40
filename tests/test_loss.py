from types import SimpleNamespace

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torchvision.models.detection.ssd import SSD
from torchvision.models.detection._utils import BoxCoder, SSDMatcher

from ssd_core import box_iou, cxcywh_to_xyxy, encode, hard_negative_mining, match, multibox_loss

from .conftest import random_gt


def test_same_as_torchvision_compute_loss(ssd300_priors):
    g = torch.Generator().manual_seed(0)
    B, P, C = 3, len(ssd300_priors), 21
    priors_xyxy = cxcywh_to_xyxy(ssd300_priors)
    targets = []
    for n in (3, 1, 6):
        targets.append({"boxes": random_gt(g, n), "labels": torch.randint(1, C, (n,), generator=g)})
    loc = torch.randn(B, P, 4, generator=g)
    conf = torch.randn(B, P, C, generator=g) * 2
    matched = [SSDMatcher(0.5)(box_iou(t["boxes"], priors_xyxy)) for t in targets]
    fake_self = SimpleNamespace(box_coder=BoxCoder((10.0, 10.0, 5.0, 5.0)), neg_to_pos_ratio=3)
    theirs = SSD.compute_loss(
        fake_self, targets, {"bbox_regression": loc, "cls_logits": conf}, [priors_xyxy] * B, matched
    )

    m = match([t["boxes"] for t in targets], [t["labels"] for t in targets], ssd300_priors)
    assert all(torch.equal(m.gt_index[i], matched[i]) for i in range(B))
    ours = multibox_loss(loc, conf, encode(m.boxes, ssd300_priors), m.labels)
    torch.testing.assert_close(ours["loc"], theirs["bbox_regression"], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(ours["conf"], theirs["classification"], atol=1e-4, rtol=1e-4)
    assert ours["num_pos"] == sum(int((x >= 0).sum()) for x in matched)


def test_mining_by_hand():
    loss = torch.tensor([[0.1, 0.9, 0.5, 0.3, 2.0, 0.7, 0.2, 0.0]])
    labels = torch.tensor([[0, 0, 0, 0, 4, 0, 0, 0]])  # one positive, with the largest loss
    mask = hard_negative_mining(loss, labels, neg_pos_ratio=3)
    # the three hardest negatives: 0.9, 0.7, 0.5; never the positive
    assert mask.tolist() == [[False, True, True, False, False, True, False, False]]


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 60),
    st.floats(0.0, 1.0),
    st.sampled_from([1, 2, 3, 5]),
    st.integers(0, 2**31 - 1),
)
def test_mining_never_picks_a_positive_nor_too_many(B, P, pos_frac, ratio, seed):
    g = torch.Generator().manual_seed(seed)
    loss = torch.rand(B, P, generator=g)
    labels = (torch.rand(B, P, generator=g) < pos_frac).long() * torch.randint(1, 5, (B, P), generator=g)
    mask = hard_negative_mining(loss, labels, ratio)
    assert not (mask & (labels > 0)).any()
    pos = (labels > 0).sum(1)
    neg = (labels == 0).sum(1)
    assert torch.equal(mask.sum(1), torch.minimum(ratio * pos, neg))
    # the mined ones are the hardest: none left out is harder than one taken
    for b in range(B):
        taken = loss[b][mask[b]]
        left = loss[b][(labels[b] == 0) & ~mask[b]]
        if len(taken) and len(left):
            assert taken.min() >= left.max()


def test_image_without_objects(ssd300_priors):
    P = len(ssd300_priors)
    m = match([torch.zeros(0, 4)], [torch.zeros(0, dtype=torch.int64)], ssd300_priors)
    loc = torch.randn(1, P, 4, requires_grad=True)
    conf = torch.randn(1, P, 21, requires_grad=True)
    out = multibox_loss(loc, conf, encode(m.boxes, ssd300_priors), m.labels)
    assert torch.isfinite(out["loss"])
    assert out["loc"].item() == 0.0
    assert out["num_pos"].item() == 0
    out["loss"].backward()
    assert torch.isfinite(loc.grad).all() and torch.isfinite(conf.grad).all()


def test_unmined_negatives_get_no_gradient(ssd300_priors):
    g = torch.Generator().manual_seed(2)
    gt = random_gt(g, 2)
    m = match([gt], [torch.tensor([1, 2])], ssd300_priors)
    conf = torch.randn(1, len(ssd300_priors), 21, generator=g, requires_grad=True)
    loc = torch.zeros(1, len(ssd300_priors), 4, requires_grad=True)
    out = multibox_loss(loc, conf, encode(m.boxes, ssd300_priors), m.labels)
    out["loss"].backward()
    used = (m.labels > 0) | out["negatives"]
    assert (conf.grad[0][~used[0]] == 0).all()
    assert (conf.grad[0][used[0]].abs().sum(-1) > 0).all()
    assert out["negatives"].sum() == 3 * out["num_pos"]


def test_bad_shapes_are_reported():
    with pytest.raises(ValueError, match="shapes disagree"):
        multibox_loss(torch.zeros(1, 5, 4), torch.zeros(1, 6, 3), torch.zeros(1, 5, 4), torch.zeros(1, 5, dtype=torch.long))
