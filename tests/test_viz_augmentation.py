"""The augmentation explorer: boxes after each step checked by hand and with torchvision."""

import numpy as np
import pytest
import torch
from matplotlib.collections import PolyCollection
from torchvision.ops import box_iou

from ssd_core.viz.augmentation import CROP_CHOICES, augmentation_explorer, augmented_sizes
from ssd_core.viz.pictures import Picture, picture_by_name


def boxes_in(fig, i):
    """xyxy of the boxes drawn in panel ``i``."""
    coll = next(c for c in fig.axes[i].collections if isinstance(c, PolyCollection))
    return np.array([[p.vertices[:, 0].min(), p.vertices[:, 1].min(), p.vertices[:, 0].max(),
                      p.vertices[:, 1].max()] for p in coll.get_paths()]).reshape(-1, 4)


@pytest.fixture(scope="module")
def explorer():
    return augmentation_explorer()


OFF = dict(photometric=False, zoom_out=False, iou_crop=False, flip=False, crop="random")


def test_all_steps_off_only_resizes(explorer):
    s = explorer.set(picture="chelsea", seed=3, **OFF)
    assert s["steps"] == "none" and s["objects_after"] == s["objects_before"] == 3
    expected = picture_by_name("chelsea").boxes.numpy() * 300                 # warp to 300x300
    assert boxes_in(explorer.figure, 2) == pytest.approx(expected, abs=0.05)


def test_flip_mirrors_the_boxes(explorer):
    flipped = None
    for seed in range(10):
        s = explorer.set(picture="chelsea", seed=seed, **{**OFF, "flip": True})
        if s["flipped"]:
            flipped = seed
            break
    assert flipped is not None
    b = picture_by_name("chelsea").boxes.numpy() * 300
    expected = np.stack([300 - b[:, 2], b[:, 1], 300 - b[:, 0], b[:, 3]], 1)
    assert boxes_in(explorer.figure, 2) == pytest.approx(expected, abs=0.05)


def test_zoom_out_shrinks_objects_by_the_drawn_factor(explorer):
    zoomed = 0
    for seed in range(8):
        s = explorer.set(picture="coffee", seed=seed, **{**OFF, "zoom_out": True})
        if s["zoom"] == 1.0:
            continue
        zoomed += 1
        before = picture_by_name("coffee").boxes.numpy()
        after = boxes_in(explorer.figure, 2) / 300
        w0, w1 = before[:, 2] - before[:, 0], after[:, 2] - after[:, 0]
        # the canvas is s times the photo, rounded to whole pixels (photo shrunk to 320 px)
        assert w1 * s["zoom"] == pytest.approx(w0, abs=2 * s["zoom"] / 320)
    assert zoomed >= 2


@pytest.mark.parametrize("option", [0.1, 0.3, 0.5, 0.7])
def test_crop_patch_meets_its_minimum_iou(explorer, option):
    for seed in range(4):
        s = explorer.set(picture="astronaut", seed=seed, **{**OFF, "iou_crop": True, "crop": option})
        assert s["crop_met"] and s["crop"] == f"min IoU {option:g}"
        pic = picture_by_name("astronaut").shrunk(320)
        h, w = pic.hw
        gt = pic.boxes * torch.tensor([w, h, w, h])
        patch = torch.tensor(s["patch"], dtype=torch.float32)[None]
        centres = (gt[:, :2] + gt[:, 2:]) / 2
        inside = ((centres > patch[0, :2]) & (centres < patch[0, 2:])).all(1)
        assert inside.any() and s["objects_after"] == int(inside.sum())
        assert box_iou(patch, gt[inside]).max() >= option - 1e-6
        # the patch drawn in the middle panel is the one reported
        rect = [p for p in explorer.figure.axes[1].patches if p.get_gid() == "patch"][0]
        assert rect.get_x() == s["patch"][0] and rect.get_width() == s["patch"][2] - s["patch"][0]


def test_impossible_crop_keeps_the_whole_image_with_a_message(explorer):
    # every coin is under 70 px of a 384 px photo; a patch covers at least 0.3 of each side,
    # so no patch overlaps any coin with IoU 0.9
    s = explorer.set(picture="coins", seed=0, **{**OFF, "iou_crop": True, "crop": 0.9})
    assert s["crop_met"] is False and "patch" not in s and s["objects_after"] == 24
    assert any("no patch in 50 tries" in t.get_text() for t in explorer.figure.axes[1].texts)
    assert "crop_met=false" in explorer.state_line


def test_every_choice_and_seed_draws(explorer):
    for _, choice in CROP_CHOICES:
        for seed in (0, 7):
            s = explorer.set(picture="shapes val 29", seed=seed, photometric=True, zoom_out=True,
                             iou_crop=True, flip=True, crop=choice)
            assert "error" not in s
            assert len(boxes_in(explorer.figure, 2)) == s["objects_after"]
            assert len(explorer.figure.axes) == 3


def test_zoom_out_makes_small_training_objects():
    # one object filling the image: without zoom-out a crop can only cut it to the patch, so it
    # always fills the output (size 1); zoom-out shrinks it by up to 4x
    full = Picture("full", torch.zeros(3, 60, 80, dtype=torch.uint8), torch.tensor([[0.0, 0.0, 1.0, 1.0]]),
                   torch.tensor([1]), ("thing",))
    plain = augmented_sizes(full, draws=30, zoom_out=False)
    zoomed = augmented_sizes(full, draws=30, zoom_out=True)
    assert plain == pytest.approx(np.ones(len(plain)), abs=0.03)
    assert zoomed.min() >= 0.25 - 0.03 and (zoomed < 0.9).any()


# ------------------------------------------------------------------ both languages


def _sizes():
    full = Picture("full", torch.zeros(3, 60, 80, dtype=torch.uint8), torch.tensor([[0.0, 0.0, 1.0, 1.0]]),
                   torch.tensor([1]), ("thing",))
    return (augmented_sizes(full, draws=5, zoom_out=True), augmented_sizes(full, draws=5, zoom_out=False))


def test_augmentation_explorer_and_sizes_in_chinese(language):
    from ssd_core.viz.augmentation import plot_augmented_sizes
    from tests.test_l10n_lesson3 import check_chinese_explorer, check_chinese_figure, glyph_warnings

    language("zh")
    e, missing = glyph_warnings(lambda: augmentation_explorer(picture="chelsea", seed=3))
    assert not missing, missing
    check_chinese_explorer(e, "原图", "步骤：光度畸变、缩小、IoU 裁剪、翻转", "随机种子 3", "个目标")
    assert "数据增强" in e.widget.children[0].value
    assert [w.description for w in e.controls.values()] == [
        "图片", "光度畸变", "缩小（zoom out）", "IoU 裁剪", "水平翻转", "裁剪方式", "随机种子"]
    # the crop's labels are Chinese, its values those of CROP_CHOICES (what set() takes)
    crop = e.controls["crop"]
    assert [v for _, v in crop.options] == [v for _, v in CROP_CHOICES]
    assert [label for label, _ in crop.options][:3] == ["随机选，和训练时一样", "整张图像", "最小 IoU 0.1"]
    # the state keeps its English values; the figure says them in Chinese
    s = e.set(picture="astronaut", seed=0, **{**OFF, "iou_crop": True, "crop": 0.5})
    assert s["crop"] == "min IoU 0.5" and s["steps"] == "iou_crop"
    assert e.figure.axes[1].get_title() == "待裁剪的图像，裁剪方式：最小 IoU 0.5"
    _, missing = glyph_warnings(lambda: e.set(picture="coins", seed=0,
                                              **{**OFF, "iou_crop": True, "crop": 0.9}))
    assert not missing and e.state["crop_met"] is False and 'crop="whole image"' in e.state_line
    assert any("试了 50 次" in t.get_text() and "最小 IoU 0.9" in t.get_text()
               for t in e.figure.axes[1].texts)
    fig, missing = glyph_warnings(lambda: plot_augmented_sizes(*_sizes(), name="full"))
    assert not missing
    check_chinese_figure(fig, "用缩小：5 个目标", "最小的默认框", "目标个数", "：full")


def test_augmentation_explorer_and_sizes_in_english_have_no_chinese(language):
    from ssd_core.viz.augmentation import plot_augmented_sizes
    from tests.test_l10n_lesson3 import check_english
    from tests.texts import figure_text

    language("en")
    e = augmentation_explorer(picture="chelsea", seed=3)
    check_english(e)
    assert [label for label, _ in e.controls["crop"].options] == [label for label, _ in CROP_CHOICES]
    assert e.figure.texts[0].get_text() == "steps: photometric,zoom_out,iou_crop,flip   seed 3"
    e.set(picture="coins", seed=0, **{**OFF, "iou_crop": True, "crop": 0.9})
    check_english(e)
    assert e.figure.axes[1].get_title() == "before the crop, crop: whole image"
    fig = plot_augmented_sizes(*_sizes(), name="full")
    check_english(fig)
    assert "with zoom-out (5 objects)" in figure_text(fig)
