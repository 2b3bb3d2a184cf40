"""Weights that port: torchvision's ssd300_vgg16 converted, and VGG16's ImageNet features.

Nothing here downloads: the weight files are written by the tests, and torch hub's download
function is replaced by one that fails."""

import urllib.error

import pytest
import torch
import torchvision
from torchvision.models import VGG16_Weights
from torchvision.models.detection import ssd300_vgg16

from ssd_core import SSDConfig, default_boxes, postprocess
from ssd_core.models import (
    WeightsUnavailableError,
    build_ssd,
    from_torchvision,
    load_vgg16_imagenet,
    torchvision_ssd300_config,
)


@pytest.fixture
def no_downloads(monkeypatch):
    def refuse(*args, **kwargs):
        raise urllib.error.URLError("tests never download")

    monkeypatch.setattr(torch.hub, "download_url_to_file", refuse)


def _randomise(model: torch.nn.Module, seed: int) -> None:
    """Random non-zero biases and L2 scales, and heads small enough that scores do not tie."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith("scale_weight"):
                p.copy_(10 + 20 * torch.rand(p.shape, generator=g))
            else:
                p.mul_(1 + 0.1 * torch.randn(p.shape, generator=g))
        for m in model.head.classification_head.module_list:
            m.weight.mul_(0.02)
        for m in model.head.regression_head.module_list:
            m.weight.mul_(0.05)


@pytest.mark.slow
def test_converted_torchvision_ssd300_gives_the_same_outputs_and_detections():
    torch.manual_seed(0)
    tv = ssd300_vgg16(weights=None, weights_backbone=None, num_classes=21).eval()
    _randomise(tv, seed=1)
    ours = from_torchvision(tv).eval()
    assert ours.num_classes == 21

    raw = {}
    tv.head.register_forward_hook(lambda module, inputs, output: raw.update(output))
    image = torch.rand(3, 300, 300, generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        tv_det = tv([image])[0]                                   # pixels
        loc, conf = ours(image[None])
    torch.testing.assert_close(loc, raw["bbox_regression"], atol=1e-4, rtol=0)
    torch.testing.assert_close(conf, raw["cls_logits"], atol=1e-4, rtol=0)

    det = postprocess(loc, conf, ours.priors)[0]
    assert len(det["labels"]) == len(tv_det["labels"]) > 0
    assert torch.equal(det["labels"], tv_det["labels"])
    torch.testing.assert_close(det["scores"], tv_det["scores"], atol=1e-5, rtol=0)
    torch.testing.assert_close(det["boxes"] * 300, tv_det["boxes"], atol=1e-3, rtol=0)
    # detect() is the same pipeline in one call
    again = ours.detect(image[None])[0]
    assert torch.equal(again["labels"], det["labels"])


def test_torchvision_default_boxes_are_ours_in_the_same_order():
    # torchvision clamps box sizes to 1; SSDConfig does not. By hand only the wide and the
    # tall box of the 1x1 map exceed 1 (0.87 * sqrt 2 = 1.23): the last location's boxes
    # are 8728..8731 in the order [s, s', wide, tall].
    model = from_torchvision(ssd300_vgg16(weights=None, weights_backbone=None, num_classes=3))
    ours = default_boxes(torchvision_ssd300_config())
    differ = ((model.priors - ours).abs() > 1e-5).any(dim=1).nonzero().flatten().tolist()
    assert differ == [8730, 8731]
    assert model.priors[8730].tolist() == pytest.approx([0.5, 0.5, 1.0, 0.87 / 2**0.5], abs=1e-5)


@pytest.fixture(scope="module")
def coco_like():
    """A 91-class ssd300_vgg16 (the COCO model's layout), randomly initialised."""
    torch.manual_seed(3)
    return ssd300_vgg16(weights=None, weights_backbone=None)


def test_from_a_saved_state_dict_with_91_classes(coco_like, tmp_path):
    path = tmp_path / "ssd300_vgg16_coco.pth"
    torch.save(coco_like.state_dict(), path)
    model = from_torchvision(path)
    assert model.num_classes == 91
    assert model.head.conf[0].out_channels == 4 * 91
    bb = coco_like.backbone
    # Layer by layer, indices read off torchvision's SSDFeatureExtractorVGG by hand.
    assert torch.equal(model.base.to_conv4_3.conv1_1.weight, bb.features[0].weight)
    assert torch.equal(model.base.to_conv4_3.conv4_3.bias, bb.features[21].bias)
    assert torch.equal(model.base.to_fc7.conv5_3.weight, bb.extra[0][5].weight)
    assert torch.equal(model.base.to_fc7.fc6.weight, bb.extra[0][7][1].weight)
    assert torch.equal(model.base.to_fc7.fc7.bias, bb.extra[0][7][3].bias)
    assert torch.equal(model.extras[3].conv11_2.weight, bb.extra[4][2].weight)
    assert torch.equal(model.base.l2norm.scale, bb.scale_weight)
    assert torch.equal(model.head.loc[5].weight, coco_like.head.regression_head.module_list[5].weight)
    assert torch.equal(model.head.conf[2].bias, coco_like.head.classification_head.module_list[2].bias)
    # a training checkpoint of torchvision's reference scripts works too
    wrapped = from_torchvision({"model": coco_like.state_dict(), "epoch": 3})
    assert torch.equal(wrapped.head.conf[0].weight, model.head.conf[0].weight)
    # the converted boxes travel with the weights
    rebuilt = build_ssd(model.config, 91)
    rebuilt.load_state_dict(model.state_dict())
    assert torch.equal(rebuilt.priors, model.priors)


def test_from_torchvision_refuses_other_models(coco_like):
    lite = torchvision.models.detection.ssdlite320_mobilenet_v3_large(
        weights=None, weights_backbone=None, num_classes=3
    )
    with pytest.raises(TypeError, match="ssd300_vgg16"):
        from_torchvision(lite)
    with pytest.raises(ValueError, match="not a state dict of torchvision's ssd300_vgg16"):
        from_torchvision(lite.state_dict())
    cut = {k: v for k, v in coco_like.state_dict().items() if not k.startswith("backbone.extra.4")}
    with pytest.raises(ValueError, match="missing: backbone.extra.4"):
        from_torchvision(cut)
    with pytest.raises(TypeError):
        from_torchvision(42)


# ------------------------------------------------------------------------ VGG16 ImageNet
def _write_fake_vgg16(path):
    """torchvision's VGG16 ``features`` (random) saved as the IMAGENET1K_FEATURES file is."""
    from torchvision.models.vgg import cfgs, make_layers

    torch.manual_seed(4)
    features = make_layers(cfgs["D"])
    state = {f"features.{k}": v for k, v in features.state_dict().items()}
    state["classifier.0.weight"] = torch.full((8, 8), float("nan"))   # the real file has NaNs here
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(state, path)
    return features


def test_vgg16_imagenet_weights_from_the_hub_cache(tmp_path, monkeypatch, no_downloads):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    file_name = VGG16_Weights.IMAGENET1K_FEATURES.url.rsplit("/", 1)[-1]
    features = _write_fake_vgg16(tmp_path / "hub" / "checkpoints" / file_name)
    model = build_ssd(SSDConfig.ssd300(), 21)
    fc6 = model.base.to_fc7.fc6.weight.clone()
    load_vgg16_imagenet(model)
    assert torch.equal(model.base.to_fc7.conv5_3.weight, features[28].weight)
    assert torch.equal(model.base.to_fc7.fc6.weight, fc6)               # no ImageNet fc6
    # Same numbers as torchvision's VGG16 up to conv4_3 (64 px: pool3's rounding is moot).
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        torch.testing.assert_close(model.base.to_conv4_3(x), features[:23](x))


def test_vgg16_imagenet_weights_from_a_path(tmp_path, no_downloads):
    features = _write_fake_vgg16(tmp_path / "vgg.pth")
    model = build_ssd(SSDConfig.ssd300(), 21)
    load_vgg16_imagenet(model.base, path=tmp_path / "vgg.pth")
    assert torch.equal(model.base.to_conv4_3.conv1_1.bias, features[0].bias)
    with pytest.raises(WeightsUnavailableError, match="no file"):
        load_vgg16_imagenet(model, path=tmp_path / "missing.pth")


def test_vgg16_offline_error_says_where_to_put_the_file(tmp_path, monkeypatch, no_downloads):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    model = build_ssd(SSDConfig.ssd300(), 21)
    with pytest.raises(WeightsUnavailableError) as info:
        load_vgg16_imagenet(model)
    message = str(info.value)
    assert "vgg16_features-amdegroot-88682ab5.pth" in message
    assert str(tmp_path / "hub" / "checkpoints") in message
