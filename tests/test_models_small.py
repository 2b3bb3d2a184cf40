"""The CPU-sized SSD: shapes, budget, gradients, and that it learns a drawn box."""

import pytest
import torch

from ssd_core import SSDConfig, box_iou, default_boxes, match_and_encode, multibox_loss
from ssd_core.models import build_ssd, count_macs, describe


@pytest.fixture(scope="module")
def small():
    torch.manual_seed(0)
    return build_ssd(SSDConfig.small(), 4)


def test_small_preset_matches_its_network(small):
    c = SSDConfig.small()
    assert c.image_size == 192 and c.backbone == "small"
    # by hand: 48^2*2 + 24^2*4 + 12^2*6 + 6^2*6 + 3^2*4 + 1*4
    assert c.num_boxes == 4608 + 2304 + 864 + 216 + 36 + 4 == 8032
    loc, conf = small(torch.rand(2, 3, 192, 192))
    assert loc.shape == (2, 8032, 4) and conf.shape == (2, 8032, 4)
    assert len(default_boxes(c)) == 8032
    assert describe(small).total_boxes == 8032
    # The smallest objects (4% of 192 px = 8 px) have default boxes of their size.
    assert c.min_sizes[0] == 8


def test_small_fits_a_two_core_cpu(small):
    params = sum(p.numel() for p in small.parameters())
    assert 0.5e6 < params < 2e6
    assert count_macs(small) < 0.35e9                                  # SSD300: 31.37 G


def test_small_backward_reaches_every_parameter(small):
    small.zero_grad(set_to_none=True)
    loc, conf = small(torch.rand(2, 3, 192, 192))
    (loc.square().mean() + conf.logsumexp(dim=-1).mean()).backward()
    starved = [n for n, p in small.named_parameters() if p.grad is None or not p.grad.abs().sum() > 0]
    assert starved == []
    small.zero_grad(set_to_none=True)


def test_a_single_image_in_training_mode_works(small):
    loc, conf = small(torch.rand(1, 3, 192, 192))                      # BatchNorm, 1x1 map
    assert loc.shape == (1, 8032, 4)


def test_build_names_the_small_source_that_disagrees():
    with pytest.raises(ValueError, match=r"conv2_3.*56x56.*48x48"):
        build_ssd(SSDConfig.small().replace(image_size=224), 4)


def _drawn_boxes(n: int, gen: torch.Generator):
    """``n`` grey images with one bright rectangle each (class 1 or 2, by colour)."""
    images = torch.full((n, 3, 192, 192), 0.4)
    boxes, labels = [], []
    for i in range(n):
        w, h = (0.15 + 0.4 * torch.rand(2, generator=gen)).tolist()
        x, y = (torch.rand(2, generator=gen) * torch.tensor([1 - w, 1 - h])).tolist()
        label = 1 + i % 2
        x1, y1, x2, y2 = (round(v * 192) for v in (x, y, x + w, y + h))
        colour = [0.9, 0.1, 0.1] if label == 1 else [0.1, 0.1, 0.9]
        images[i, :, y1:y2, x1:x2] = torch.tensor(colour)[:, None, None]
        boxes.append(torch.tensor([[x1, y1, x2, y2]], dtype=torch.float32) / 192)
        labels.append(torch.tensor([label]))
    return images, boxes, labels


@pytest.mark.slow
def test_small_learns_a_drawn_box():
    torch.manual_seed(0)
    model = build_ssd(SSDConfig.small(), 3)
    images, boxes, labels = _drawn_boxes(4, torch.Generator().manual_seed(0))
    loc_t, labels_t = match_and_encode(boxes, labels, model.priors)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    first = None
    for _ in range(60):
        loc, conf = model(images)
        loss = multibox_loss(loc, conf, loc_t, labels_t)["loss"]
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 0.25 * first
    model.train()
    detections = model.detect(images, conf_threshold=0.3)
    assert model.training                                              # mode restored
    for det, gt, label in zip(detections, boxes, labels):
        assert det["boxes"].min() >= 0 and det["boxes"].max() <= 1
        best = det["scores"].argmax()
        assert det["labels"][best] == label[0]
        assert box_iou(det["boxes"][best : best + 1], gt)[0, 0] > 0.5


def test_a_run_saved_with_other_widths_loads_with_them(tmp_path):
    """The default widths changed on 2026-12-07: a checkpoint of the earlier small model (16,
    48, 64, 128, 256) still loads, rebuilt with its own widths, and predicts as it did."""
    from ssd_core.checkpoint import save_checkpoint
    from ssd_core.inference import load_trained
    from ssd_core.models import build_small_ssd, small_widths

    torch.manual_seed(0)
    old = build_small_ssd(SSDConfig.small(), 4, widths=(16, 48, 64, 128, 256)).eval()
    assert small_widths(old.state_dict()) == (16, 48, 64, 128, 256)
    assert small_widths(build_ssd(SSDConfig.small(), 4).state_dict()) == (16, 32, 48, 96, 192)
    assert small_widths({"conv.weight": torch.zeros(1)}) is None
    path = tmp_path / "best.pt"
    save_checkpoint(path, {"model": old.state_dict(), "config": SSDConfig.small().to_dict(),
                           "classes": ["a", "b", "c"]})
    model, _state = load_trained(path, device="cpu")
    x = torch.rand(1, 3, 192, 192)
    with torch.no_grad():
        torch.testing.assert_close(model(x)[1], old(x)[1])
