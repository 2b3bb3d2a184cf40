"""The paper's augmentation: the crop's IoU rule, boxes inside the image after every step,
geometric identities, and reproducibility from a seed."""

import pytest
import torch
from torchvision import tv_tensors

from ssd_core.data import CROP_OPTIONS, SSDAugmentation, SSDEvalTransform, collate, sample_iou_crop
from ssd_core.data.transforms import horizontal_flip, resize, sanitize, zoom_out


def iou_by_hand(a, b):
    """IoU of two xyxy boxes (plain floats), written out."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def random_boxes(g, n, W, H, lo=0.03, hi=0.9):
    """``n`` pixel boxes inside a W x H image, sides ``lo`` to ``hi`` of the image."""
    wh = (lo + (hi - lo) * torch.rand(n, 2, generator=g)) * torch.tensor([W, H])
    xy = torch.rand(n, 2, generator=g) * (torch.tensor([W, H]) - wh)
    return torch.cat([xy, xy + wh], 1)


def sample(W=120, H=90, boxes=((10, 20, 50, 70), (60, 5, 110, 40)), labels=(1, 2)):
    """A uint8 image with a gradient (so flips and crops show) and a target."""
    x = torch.arange(W).float()[None, None, :].expand(3, H, W)
    y = torch.arange(H).float()[None, :, None].expand(3, H, W)
    c = torch.tensor([0.0, 80, 160])[:, None, None]
    image = ((x * 2 + y + c) % 256).to(torch.uint8)                          # colourful
    target = {
        "boxes": tv_tensors.BoundingBoxes(torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4),
                                          format="XYXY", canvas_size=(H, W)),
        "labels": torch.tensor(labels, dtype=torch.int64),
        "difficult": torch.tensor([False, True][: len(labels)] + [False] * max(0, len(labels) - 2)),
        "image_id": "x",
    }
    return tv_tensors.Image(image), target


# ---------------------------------------------------------------------------- the crop


@pytest.mark.parametrize("min_iou", [0.1, 0.3, 0.5, 0.7, 0.9, 0.0])
def test_crop_iou_constraint_holds_for_every_option(min_iou):
    g = torch.Generator().manual_seed(int(min_iou * 10))
    W, H = 200, 150
    found = 0
    for trial in range(150):
        # large boxes too, so that even 0.9 finds patches often enough to be tested
        boxes = random_boxes(g, 1 + trial % 5, W, H, lo=0.05 if trial % 2 else 0.5, hi=0.98)
        choice = sample_iou_crop(boxes, (H, W), g, options=(min_iou,))
        if choice["patch"] is None:
            continue  # no patch met the option in 50 tries: the image stays whole
        found += 1
        l, t, r, b = choice["patch"].tolist()
        assert 0 <= l < r <= W and 0 <= t < b <= H
        centre_in = [l <= (x1 + x2) / 2 <= r and t <= (y1 + y2) / 2 <= b
                     for x1, y1, x2, y2 in boxes.tolist()]
        assert choice["keep"].tolist() == centre_in        # only centres in the patch are kept
        kept = [bx for bx, k in zip(boxes.tolist(), centre_in) if k]
        assert kept, "a patch keeps at least one object"
        assert max(iou_by_hand(bx, (l, t, r, b)) for bx in kept) >= min_iou
        assert choice["option"] == min_iou
    assert found >= 20  # the constraint was really exercised


def test_crop_options_are_the_papers_and_the_whole_image_is_one():
    assert CROP_OPTIONS == (None, 0.1, 0.3, 0.5, 0.7, 0.9, 0.0)
    g = torch.Generator().manual_seed(0)
    # an object filling the image: every option finds a patch (0.9 in ~97% of the calls),
    # so each is picked about 1/7 of the time (Caffe picks among the options that succeed)
    boxes = torch.tensor([[0.0, 0, 100, 100]])
    chosen = [sample_iou_crop(boxes, (100, 100), g)["option"] for _ in range(700)]
    for option in CROP_OPTIONS:
        assert 60 < chosen.count(option) < 150
    whole = sample_iou_crop(boxes, (100, 100), g, options=(None,))
    assert whole["patch"] is None and whole["keep"].tolist() == [True]


def test_impossible_option_falls_back_to_whole_image_instead_of_looping():
    g = torch.Generator().manual_seed(0)
    tiny = torch.tensor([[50.0, 50, 52, 52]])  # 2 px: no patch >= 0.3 of the side reaches 0.9
    choice = sample_iou_crop(tiny, (300, 300), g, options=(0.9,))
    assert choice["patch"] is None


def test_patch_sizes_and_aspect_ratios():
    g = torch.Generator().manual_seed(1)
    boxes = torch.tensor([[0.0, 0, 400, 300]])  # the whole image: every patch is centre-in
    for _ in range(200):
        l, t, r, b = sample_iou_crop(boxes, (300, 400), g, options=(0.0,))["patch"].tolist()
        w, h = (r - l) / 400, (b - t) / 300
        assert 0.3 - 0.01 <= (w * h) ** 0.5 <= 1.0
        assert 0.5 - 0.02 <= w / h <= 2.0 + 0.05


def test_images_without_objects_only_take_any_patch_or_the_whole_image():
    g = torch.Generator().manual_seed(2)
    empty = torch.zeros(0, 4)
    options = {sample_iou_crop(empty, (100, 100), g)["option"] for _ in range(100)}
    assert options == {None, 0.0}


# ---------------------------------------------------------------------------- the steps


def test_boxes_stay_inside_the_image_after_every_step():
    aug = SSDAugmentation(96, normalize=False)
    g = torch.Generator().manual_seed(3)
    for seed in range(60):
        boxes = random_boxes(g, 1 + seed % 6, 120, 90)
        image, target = sample(boxes=boxes.tolist(), labels=list(range(1, len(boxes) + 1)))
        for step in aug.trace(image, target, seed=seed):
            H, W = step.image.shape[-2:]
            b = step.target["boxes"]
            assert tuple(b.canvas_size) == (H, W), step.name
            b = b.as_subclass(torch.Tensor)
            assert (b[:, 0] >= 0).all() and (b[:, 1] >= 0).all(), step.name
            assert (b[:, 2] <= W).all() and (b[:, 3] <= H).all(), step.name
            assert len(b) == len(step.target["labels"]) == len(step.target["difficult"])
        assert step.image.shape == (3, 96, 96)
        assert (b[:, 2] - b[:, 0] >= 1).all() and (b[:, 3] - b[:, 1] >= 1).all()


def test_final_boxes_are_normalised_to_unit_square():
    aug = SSDAugmentation(64)
    for seed in range(20):
        image, target = aug(*sample(), seed=seed)
        b = target["boxes"]
        assert type(b) is torch.Tensor and b.dtype == torch.float32
        assert image.shape == (3, 64, 64) and image.dtype == torch.float32
        assert 0 <= image.min() and image.max() <= 1
        assert ((0 <= b) & (b <= 1)).all()


def test_flip_by_hand_and_twice_is_identity():
    image, target = sample()
    flipped, fb = horizontal_flip(image, target["boxes"])
    # W = 120: x -> 120 - x, corners swap
    assert fb.as_subclass(torch.Tensor).tolist() == [[70, 20, 110, 70], [10, 5, 60, 40]]
    assert torch.equal(flipped[..., 0], image[..., -1])
    back, bb = horizontal_flip(flipped, fb)
    assert torch.equal(back, image) and torch.equal(bb, target["boxes"])


def test_resize_by_hand():
    image, target = sample(W=300, H=200, boxes=((30, 60, 90, 120),), labels=(1,))
    small, b = resize(image, target["boxes"], 150)
    assert small.shape == (3, 150, 150)
    assert b.as_subclass(torch.Tensor).tolist() == [[15, 45, 45, 90]]


def test_photometric_steps_leave_boxes_unchanged():
    aug = SSDAugmentation(64, zoom_out=False, iou_crop=False, flip=False, normalize=False)
    changed = 0
    for seed in range(20):
        image, target = sample()
        steps = {s.name: s for s in aug.trace(image, target, seed=seed)}
        assert torch.equal(steps["photometric"].target["boxes"], target["boxes"])
        changed += not torch.allclose(steps["photometric"].image,
                                      steps["input"].image.float() / 255, atol=0.02)
    assert changed >= 12  # the colours did change (each change has probability 1/2)


def test_zoom_out_places_the_image_and_shifts_the_boxes():
    image, target = sample()
    img = image.float() / 255
    g = torch.Generator().manual_seed(0)
    big, boxes, info = zoom_out(img, target["boxes"], g, max_scale=4.0, fill=(0.1, 0.2, 0.3), p=1.0)
    s, l, t = info["scale"], info["left"], info["top"]
    assert 1 <= s <= 4 and big.shape[-2:] == (int(90 * s), int(120 * s))
    assert torch.equal(big[:, t:t + 90, l:l + 120], img)
    shift = torch.tensor([l, t, l, t], dtype=torch.float32)
    assert torch.equal(boxes.as_subclass(torch.Tensor), target["boxes"].as_subclass(torch.Tensor) + shift)
    outside = big.clone()
    outside[:, t:t + 90, l:l + 120] = -1
    corner = outside[:, 0, 0] if (t, l) != (0, 0) else outside[:, -1, -1]
    assert torch.allclose(corner, torch.tensor([0.1, 0.2, 0.3]))


def test_sanitize_drops_small_boxes_with_their_labels():
    image, target = sample(boxes=((10, 10, 10.5, 40), (5, 5, 50, 50)), labels=(3, 4))
    out = sanitize(target, min_size=1.0)
    assert out["labels"].tolist() == [4] and out["difficult"].tolist() == [True]


def test_each_step_switches_off():
    image, target = sample()
    names = [s.name for s in SSDAugmentation(64, photometric=False, zoom_out=False, iou_crop=False,
                                             flip=False).trace(image, target, seed=0)]
    assert names == ["input", "resize", "sanitize"]
    plain, t = SSDAugmentation(60, photometric=False, zoom_out=False, iou_crop=False,
                               flip=False)(image, target, seed=0)
    # only a resize is left: boxes scale by 60/120 and 60/90
    torch.testing.assert_close(t["boxes"], torch.tensor([[10 / 120, 20 / 90, 50 / 120, 70 / 90],
                                                         [60 / 120, 5 / 90, 110 / 120, 40 / 90]]))


# ---------------------------------------------------------------------------- seeds


def test_same_seed_same_result_and_global_rng_untouched():
    aug = SSDAugmentation(64)
    image, target = sample()
    state = torch.random.get_rng_state()
    a_img, a_t = aug(image, target, seed=11)
    b_img, b_t = aug(image, target, generator=torch.Generator().manual_seed(11))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.equal(a_img, b_img) and torch.equal(a_t["boxes"], b_t["boxes"])
    outs = {tuple(aug(image, target, seed=s)[1]["boxes"].flatten().tolist()) for s in range(8)}
    assert len(outs) > 4


def test_switching_photometric_off_keeps_the_geometry():
    image, target = sample()
    on = SSDAugmentation(64)(image, target, seed=4)[1]["boxes"]
    off = SSDAugmentation(64, photometric=False)(image, target, seed=4)[1]["boxes"]
    assert torch.equal(on, off)


def test_eval_transform_has_no_randomness():
    image, target = sample()
    ev = SSDEvalTransform(60)
    a, ta = ev(image, target)
    b, tb = ev(image, target, seed=123)
    assert torch.equal(a, b) and torch.equal(ta["boxes"], tb["boxes"])
    torch.testing.assert_close(ta["boxes"][0], torch.tensor([10 / 120, 20 / 90, 50 / 120, 70 / 90]))
    # top-left pixel of the gradient: (0, 80, 160) / 255
    assert torch.allclose(a[:, 0, 0], torch.tensor([0, 80, 160]) / 255, atol=0.03)


def test_empty_target_goes_through():
    image, target = sample(boxes=(), labels=())
    for seed in range(10):
        out, t = SSDAugmentation(48)(image, target, seed=seed)
        assert out.shape == (3, 48, 48) and t["boxes"].shape == (0, 4)


def test_collate_stacks_and_rejects_mixed_sizes():
    aug = SSDAugmentation(32)
    batch = [aug(*sample(), seed=s) for s in range(3)]
    images, targets = collate(batch)
    assert images.shape == (3, 3, 32, 32) and len(targets) == 3
    with pytest.raises(ValueError, match="different sizes"):
        collate([batch[0], (torch.zeros(3, 16, 16), batch[1][1])])


def test_bytes_are_resized_as_bytes_and_match_pil():
    """With the photometric distortion and the zoom-out off, an image stays uint8 through the
    crop and the resize and becomes floats after (the CPU loader's cheap path). Checked against
    an independent resize: PIL's antialiased bilinear of the same pixels, within one level."""
    import numpy as np
    from PIL import Image

    g = torch.Generator().manual_seed(5)
    pixels = torch.randint(0, 256, (90, 120, 3), dtype=torch.uint8, generator=g)
    pixels = torch.nn.functional.avg_pool2d(pixels.permute(2, 0, 1)[None].float(), 3, 1, 1)
    pixels = pixels[0].permute(1, 2, 0).round().to(torch.uint8).contiguous()   # [H, W, 3]
    image, target = sample()
    image = tv_tensors.Image(pixels.permute(2, 0, 1))       # a view, as VOCDataset reads it
    by_pil = torch.from_numpy(
        np.array(Image.fromarray(pixels.numpy()).resize((64, 64), Image.BILINEAR))
    ).permute(2, 0, 1).float() / 255
    ours, _ = SSDEvalTransform(64)(image, target)
    assert ours.dtype == torch.float32 and ours.shape == (3, 64, 64)
    assert (ours - by_pil).abs().max() <= 1 / 255 + 1e-6
    steps = {s.name: s for s in SSDAugmentation(48, photometric=False, zoom_out=False)
             .trace(image, target, seed=0)}
    assert steps["input"].image.dtype == steps["iou_crop"].image.dtype == torch.uint8
    assert steps["resize"].image.dtype == torch.float32
    with_floats = SSDAugmentation(48, zoom_out=False, iou_crop=False, flip=False)
    photo = {s.name: s for s in with_floats.trace(image, target, seed=0)}
    assert photo["photometric"].image.dtype == torch.float32
