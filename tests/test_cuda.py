"""The same SSD on a GPU: what the CPU computes, CUDA computes too (skipped without CUDA).

CI has no GPU; ``bench/gpu_check.sh`` runs these on a lent one. Each compares the GPU's result
with the CPU's on the same inputs: the model's outputs, matching and encoding, the loss,
post-processing, a training step in bf16 autocast, and evaluation.
"""

from __future__ import annotations

import pytest
import torch

import ssd_core as ssd
from ssd_core.device import autocast
from ssd_core.models import build_ssd

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
CUDA = torch.device("cuda")


def batch(n: int = 2, size: int = 300, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 3, size, size, generator=g)
    targets = []
    for _ in range(n):
        wh = 0.1 + 0.5 * torch.rand(3, 2, generator=g)
        xy = torch.rand(3, 2, generator=g) * (1 - wh)
        targets.append({"boxes": torch.cat([xy, xy + wh], 1),
                        "labels": torch.randint(1, 21, (3,), generator=g)})
    return images, targets


def test_ssd300_outputs_agree_with_the_cpu():
    torch.manual_seed(0)
    model = build_ssd(ssd.SSDConfig.ssd300(), 21).eval()
    images, _ = batch()
    with torch.no_grad():
        loc, conf = model(images)
        loc_g, conf_g = model.to(CUDA)(images.to(CUDA))
    torch.testing.assert_close(loc_g.cpu(), loc, rtol=1e-3, atol=1e-3)
    torch.testing.assert_close(conf_g.cpu(), conf, rtol=1e-3, atol=1e-3)


def test_matching_and_the_loss_agree_with_the_cpu():
    priors = ssd.default_boxes(ssd.SSDConfig.ssd300())
    _, targets = batch()
    loc_t, labels = ssd.match_and_encode([t["boxes"] for t in targets],
                                         [t["labels"] for t in targets], priors)
    loc_tg, labels_g = ssd.match_and_encode([t["boxes"].to(CUDA) for t in targets],
                                            [t["labels"].to(CUDA) for t in targets], priors.to(CUDA))
    assert torch.equal(labels_g.cpu(), labels)
    torch.testing.assert_close(loc_tg.cpu(), loc_t, rtol=1e-5, atol=1e-5)
    g = torch.Generator().manual_seed(1)
    loc, conf = torch.randn(2, len(priors), 4, generator=g), torch.randn(2, len(priors), 21, generator=g)
    out = ssd.multibox_loss(loc, conf, loc_t, labels)
    out_g = ssd.multibox_loss(loc.to(CUDA), conf.to(CUDA), loc_tg, labels_g)
    assert float(out_g["loss"]) == pytest.approx(float(out["loss"]), rel=1e-4)
    assert torch.equal(out_g["negatives"].cpu(), out["negatives"])


def test_postprocess_agrees_with_the_cpu():
    priors = ssd.default_boxes(ssd.SSDConfig.ssd300())
    g = torch.Generator().manual_seed(2)
    loc, conf = torch.randn(1, len(priors), 4, generator=g) * 0.1, torch.randn(1, len(priors), 21, generator=g) * 3
    cpu = ssd.postprocess(loc, conf, priors)[0]
    gpu = ssd.postprocess(loc.to(CUDA), conf.to(CUDA), priors.to(CUDA))[0]
    assert len(gpu["scores"]) == len(cpu["scores"])
    torch.testing.assert_close(gpu["scores"].cpu(), cpu["scores"], rtol=1e-4, atol=1e-4)


def test_a_bf16_training_step_on_the_gpu_learns():
    torch.manual_seed(0)
    model = build_ssd(ssd.SSDConfig.ssd300(), 21).to(CUDA).to(memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=5e-4)
    images, targets = batch()
    targets = [{k: v.to(CUDA) for k, v in t.items()} for t in targets]
    losses = [ssd.train_step(model, optimizer, images, targets, priors=model.priors, amp="bf16",
                             channels_last=True)["loss"] for _ in range(5)]
    assert all(torch.isfinite(torch.tensor(losses))) and losses[-1] < losses[0]
    with torch.no_grad(), autocast(CUDA, "bf16"):
        loc, _ = model(images.to(CUDA))
    assert loc.dtype == torch.bfloat16
    dets = model.detect(images.to(CUDA))
    assert dets[0]["boxes"].dtype == torch.float32


def test_evaluation_on_the_gpu_matches_the_cpu(tmp_path):
    root = ssd.make_shapes(tmp_path / "shapes", num_train=4, num_val=8, image_size=96, workers=1)
    val = ssd.VOCDataset(root, "val", transforms=ssd.SSDEvalTransform(192))
    torch.manual_seed(0)
    model = build_ssd(ssd.SSDConfig.small(), 6).eval()
    cpu = ssd.evaluate(model, val, "cpu")["map07"]
    gpu = ssd.evaluate(model.to(CUDA), val, "cuda")["map07"]
    assert gpu == pytest.approx(cpu, abs=0.02)
