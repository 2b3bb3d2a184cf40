from types import SimpleNamespace

import torch
from torchvision.models.detection.ssd import SSD
from torchvision.models.detection._utils import BoxCoder

from ssd_core import cxcywh_to_xyxy, postprocess


def torchvision_postprocess(loc, conf, priors):
    fake_self = SimpleNamespace(
        box_coder=BoxCoder((10.0, 10.0, 5.0, 5.0)),
        score_thresh=0.01,
        topk_candidates=400,
        nms_thresh=0.45,
        detections_per_img=200,
    )
    B = loc.shape[0]
    return SSD.postprocess_detections(
        fake_self,
        {"bbox_regression": loc, "cls_logits": conf},
        [cxcywh_to_xyxy(priors)] * B,
        [(1, 1)] * B,  # normalised coordinates: the "image" is 1 x 1
    )


def test_same_as_torchvision_postprocess_detections(ssd300_priors):
    g = torch.Generator().manual_seed(0)
    B, P, C = 2, len(ssd300_priors), 21
    loc = torch.randn(B, P, 4, generator=g) * 0.5
    conf = torch.randn(B, P, C, generator=g) * 3
    conf[..., 0] += 4  # mostly background, like a trained model
    ours = postprocess(loc, conf, ssd300_priors)
    theirs = torchvision_postprocess(loc, conf, ssd300_priors)
    for a, b in zip(ours, theirs):
        assert len(b["scores"]) == 200  # the cap is reached: the test exercises it
        torch.testing.assert_close(a["scores"], b["scores"], atol=1e-4, rtol=1e-4)
        torch.testing.assert_close(a["boxes"], b["boxes"], atol=1e-4, rtol=1e-4)
        assert torch.equal(a["labels"], b["labels"])


def test_few_confident_objects(ssd300_priors):
    """A sparse case where thresholds and NMS decide everything."""
    g = torch.Generator().manual_seed(4)
    P, C = len(ssd300_priors), 4
    loc = torch.randn(1, P, 4, generator=g) * 0.1
    conf = torch.full((1, P, C), -10.0)
    conf[..., 0] = 10.0
    hot = torch.randint(0, P, (60,), generator=g)
    conf[0, hot, 1 + torch.arange(60) % 3] = 8.0 + 4 * torch.rand(60, generator=g)  # no ties
    ours = postprocess(loc, conf, ssd300_priors)[0]
    theirs = torchvision_postprocess(loc, conf, ssd300_priors)[0]
    assert 0 < len(ours["scores"]) < 200
    torch.testing.assert_close(ours["boxes"], theirs["boxes"], atol=1e-4, rtol=1e-4)
    assert torch.equal(ours["labels"], theirs["labels"])
    assert (ours["scores"][:-1] >= ours["scores"][1:]).all()
    assert (ours["boxes"] >= 0).all() and (ours["boxes"] <= 1).all()
