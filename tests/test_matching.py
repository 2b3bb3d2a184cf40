import torch
from torchvision.models.detection._utils import SSDMatcher

from ssd_core import box_iou, cxcywh_to_xyxy, match

from .conftest import random_gt


def test_same_as_torchvision_ssdmatcher(ssd300_priors):
    priors_xyxy = cxcywh_to_xyxy(ssd300_priors)
    matcher = SSDMatcher(0.5)
    g = torch.Generator().manual_seed(0)
    checked = 0
    for n in [1, 2, 3, 5, 8, 12]:
        for _ in range(5):
            gt = random_gt(g, n, 0.03, 0.9)
            labels = torch.randint(1, 21, (n,), generator=g)
            iou = box_iou(gt, priors_xyxy)
            if len(set(iou.argmax(1).tolist())) < n:
                continue  # two objects share a best box: see test_two_objects_one_best_box
            theirs = matcher(iou)
            ours = match(gt, labels, ssd300_priors)
            assert torch.equal(ours.gt_index, theirs)
            expected = torch.where(theirs >= 0, labels[theirs.clamp(min=0)], 0)
            assert torch.equal(ours.labels, expected)
            fg = theirs >= 0
            torch.testing.assert_close(ours.boxes[fg], gt[theirs[fg]])
            checked += 1
    assert checked >= 25


def test_batched_equals_one_image_at_a_time(ssd300_priors):
    g = torch.Generator().manual_seed(3)
    gts = [random_gt(g, n) for n in (4, 0, 1, 9)]
    labels = [torch.randint(1, 5, (len(b),), generator=g) for b in gts]
    batched = match(gts, labels, ssd300_priors)
    assert batched.labels.shape == (4, len(ssd300_priors))
    for i in range(4):
        single = match(gts[i], labels[i], ssd300_priors)
        for a, b in zip(batched, single):
            assert torch.equal(a[i], b)


def test_every_object_owns_a_box_even_tiny_ones(ssd300_priors):
    # 2 px and 1 px objects in a 300 px image: no default box reaches IoU 0.5
    gt = torch.tensor([[0.500, 0.500, 0.507, 0.507], [0.1, 0.8, 0.1033, 0.8033]])
    labels = torch.tensor([3, 7])
    m = match(gt, labels, ssd300_priors)
    assert (m.labels == 3).sum() == 1 and (m.labels == 7).sum() == 1
    assert m.forced.sum() == 2
    assert (m.iou[m.forced] < 0.5).all()


def test_two_objects_one_best_box(ssd300_priors):
    """Two near-identical tiny objects share their best default box. Taking each object's
    argmax (torchvision) gives one of them nothing; the greedy assignment gives both one."""
    gt = torch.tensor([[0.400, 0.400, 0.420, 0.420], [0.401, 0.401, 0.421, 0.421]])
    labels = torch.tensor([1, 2])
    iou = box_iou(gt, cxcywh_to_xyxy(ssd300_priors))
    assert iou[0].argmax() == iou[1].argmax()
    tv = SSDMatcher(0.5)(iou)
    assert (tv == 0).sum() == 0  # torchvision: object 0 lost its only box
    m = match(gt, labels, ssd300_priors)
    assert (m.gt_index == 0).sum() >= 1 and (m.gt_index == 1).sum() >= 1
    # the pair with the larger overlap is assigned first
    best = iou.max()
    g_first = int(iou.max(dim=1).values.argmax())
    assert m.gt_index[iou[g_first].argmax()] == g_first
    assert iou[g_first].max() == best


def test_no_objects_gives_all_background(ssd300_priors):
    m = match(torch.zeros(0, 4), torch.zeros(0, dtype=torch.int64), ssd300_priors)
    assert (m.labels == 0).all() and (m.gt_index == -1).all() and not m.forced.any()
    assert (m.iou == 0).all()


def test_threshold_step(ssd300_priors):
    g = torch.Generator().manual_seed(5)
    gt = random_gt(g, 6)
    m = match(gt, torch.ones(6, dtype=torch.int64), ssd300_priors, iou_threshold=0.5)
    iou = box_iou(gt, cxcywh_to_xyxy(ssd300_priors)).max(dim=0).values
    positive = m.labels > 0
    assert (iou[positive & ~m.forced] >= 0.5).all()
    assert (iou[~positive] < 0.5).all()
    # a lower threshold only adds positives
    looser = match(gt, torch.ones(6, dtype=torch.int64), ssd300_priors, iou_threshold=0.3)
    assert (looser.labels > 0).sum() > positive.sum()
    assert ((looser.labels > 0) | ~positive).all()


def test_batch_targets_is_match_and_encode_of_each_image(ssd300_priors):
    import ssd_core
    from ssd_core import data, encode, matching

    assert ssd_core.batch_targets is data.batch_targets is matching.batch_targets
    g = torch.Generator().manual_seed(5)
    targets = [{"boxes": random_gt(g, n), "labels": torch.randint(1, 21, (n,), generator=g)}
               for n in (3, 0, 7)]
    loc, labels = matching.batch_targets(targets, ssd300_priors)
    assert loc.shape == (3, len(ssd300_priors), 4) and labels.shape == (3, len(ssd300_priors))
    for i, t in enumerate(targets):
        m = match(t["boxes"], t["labels"], ssd300_priors)
        assert torch.equal(labels[i], m.labels)
        torch.testing.assert_close(loc[i], encode(m.boxes, ssd300_priors, (0.1, 0.2)))
