"""The mining explorer against a direct computation on the model's own predictions, and the
brief training run behind it."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torchvision.ops import box_iou

from ssd_core.boxes import cxcywh_to_xyxy
from ssd_core.viz.mining import mining_explorer, shapes_batch, small_model, train_briefly
from ssd_core.viz.pictures import shapes_picture


def reference_labels(gt, labels, priors_xyxy, threshold=0.5):
    iou = box_iou(gt, priors_xyxy)
    best_iou, best_gt = iou.max(dim=0)
    out = torch.where(best_iou >= threshold, labels[best_gt], torch.zeros_like(best_gt))
    for g, p in enumerate(iou.argmax(dim=1).tolist()):
        out[p] = labels[g]
    return out


@pytest.fixture(scope="module")
def model():
    return small_model(seed=0).eval()


@pytest.fixture(scope="module")
def explorer(model):
    return mining_explorer(model)


def expected(model, picture, ratio):
    """The k hardest negatives' losses, computed here from the model's raw output."""
    S = model.config.image_size
    with torch.no_grad():
        _, conf = model(picture.square(S)[None])
    labels = reference_labels(picture.boxes, picture.labels, cxcywh_to_xyxy(model.priors))
    ce = F.cross_entropy(conf[0], labels, reduction="none")
    neg = ce[labels == 0].sort(descending=True).values
    n_pos = int((labels > 0).sum())
    k = min(math.floor(ratio * n_pos), len(neg))
    return n_pos, k, neg, ce, labels


@pytest.mark.parametrize("ratio", [0.0, 0.5, 1.0, 3.0, 10.0])
@pytest.mark.parametrize("index", [0, 2, 9])
def test_mined_negatives_against_a_direct_sort(model, explorer, ratio, index):
    pic = shapes_picture(index, "val", image_size=192)
    e = explorer
    s = e.set(picture=pic.name, ratio=ratio)
    n_pos, k, neg, ce, labels = expected(model, pic, ratio)
    assert s["positives"] == n_pos and s["mined"] == k
    assert s["negatives"] == len(neg)
    assert f"mined={k}" in e.state_line
    mined = [c for ax in e.figure.axes for c in ax.collections if c.get_gid() == "mined"][0]
    assert len(mined.get_paths()) == k
    if k:
        assert s["cut_loss"] == pytest.approx(float(neg[k - 1]), rel=1e-5)
        assert s["mined_share"] == pytest.approx(float(neg[:k].sum() / neg.sum()), rel=1e-4)
        cut = [l for ax in e.figure.axes for l in ax.lines if l.get_gid() == "cut"][0]
        assert cut.get_xdata()[0] == pytest.approx(math.log10(float(neg[k - 1])), rel=1e-5)
        # the conf loss the explorer reports is the loss's confidence term for this image
        assert s["conf_loss"] == pytest.approx(float((ce[labels > 0].sum() + neg[:k].sum()) / n_pos), rel=1e-4)
    else:
        assert math.isnan(s["cut_loss"])


def test_positives_drawn_and_hidden(model):
    e = mining_explorer(model)
    s = e.set(picture="shapes val 0", positives=True)
    pos = [c for ax in e.figure.axes for c in ax.collections if c.get_gid() == "positives"]
    assert len(pos) == 1 and len(pos[0].get_paths()) == s["positives"]
    e.set(positives=False)
    assert not [c for ax in e.figure.axes for c in ax.collections if c.get_gid() == "positives"]


def test_a_picture_without_objects_is_a_message(model):
    e = mining_explorer(model)
    assert len(shapes_picture(24, "val", image_size=192).boxes) == 0
    e.set(picture="shapes val 24")
    assert "error=" in e.state_line and "no objects" in e.state_line
    s = e.set(picture="shapes val 1")
    assert s["mined"] == min(3 * s["positives"], s["negatives"])


def test_shapes_batch():
    images, targets = shapes_batch([0, 1], "train", 64)
    assert images.shape == (2, 3, 64, 64) and 0 <= images.min() and images.max() <= 1
    for t in targets:
        assert (t["boxes"] >= 0).all() and (t["boxes"] <= 1).all()
        assert len(t["boxes"]) == len(t["labels"])


def test_train_briefly_learns_and_is_reproducible():
    before = torch.get_num_threads()
    a = train_briefly(steps=2, batch_size=2, num_images=4, seed=1)
    b = train_briefly(steps=2, batch_size=2, num_images=4, seed=1)
    assert torch.get_num_threads() == before
    assert a.steps == 2 and [r["step"] for r in a.history] == [1, 2]
    assert all(np.isfinite(r["loss"]) and r["num_pos"] > 0 for r in a.history)
    assert [r["loss"] for r in a.history] == pytest.approx([r["loss"] for r in b.history], rel=1e-5)
    fresh = small_model(seed=1)
    moved = any(not torch.equal(p, q) for p, q in zip(a.model.parameters(), fresh.parameters()))
    assert moved and not a.model.training
    # alpha = 1 (section 2.2): the loss is the sum of its two terms
    assert a.history[0]["loss"] == pytest.approx(a.history[0]["loc"] + a.history[0]["conf"], rel=1e-5)


def test_train_briefly_draws_only_from_its_seed():
    """The DataLoader's sampler and the flips draw from generators seeded by ``seed``, never
    from the global random state (a DataLoader without a generator would take one draw of it)."""
    state = torch.get_rng_state()
    a = train_briefly(steps=2, batch_size=2, num_images=4, seed=1)
    assert torch.equal(torch.get_rng_state(), state)
    c = train_briefly(steps=2, batch_size=2, num_images=4, seed=2)
    assert [r["loss"] for r in a.history] != [r["loss"] for r in c.history]


def test_plot_brief_run_draws_each_step():
    from ssd_core.viz.mining import BriefRun, plot_brief_run

    run = BriefRun(model=None, history=[{"step": i + 1, "loss": 3.0 - i, "loc": 1.0, "conf": 2.0 - i,
                                         "num_pos": 5} for i in range(3)], seconds=1.5)
    fig = plot_brief_run(run)
    loss = [l for l in fig.axes[0].lines if l.get_gid() == "loss"][0]
    assert list(loss.get_xdata()) == [1, 2, 3] and list(loss.get_ydata()) == [3.0, 2.0, 1.0]


# ------------------------------------------------------------------ both languages


def _brief_run():
    from ssd_core.viz.mining import BriefRun

    return BriefRun(model=None, history=[{"step": i + 1, "loss": 3.0 - i, "loc": 1.0,
                                          "conf": 2.0 - i, "num_pos": 5} for i in range(3)],
                    seconds=1.5)


def test_mining_explorer_and_brief_run_in_chinese(model, language):
    from ssd_core.viz.mining import plot_brief_run
    from tests.test_l10n_lesson3 import check_chinese_explorer, glyph_warnings

    language("zh")
    e, missing = glyph_warnings(lambda: mining_explorer(model))
    assert not missing, missing
    check_chinese_explorer(e, "个正样本", "难负样本", "全部", "背景损失", "默认框个数")
    assert "难负样本挖掘" in e.widget.children[0].value
    assert [w.description for w in e.controls.values()] == ["负 : 正", "图片", "显示正样本"]
    s = e.set(picture="shapes val 1", ratio=3.0)
    assert s["mined"] == min(3 * s["positives"], s["negatives"]) and "mined=" in e.state_line
    _, missing = glyph_warnings(lambda: e.set(picture="shapes val 24"))
    assert not missing
    assert e.state_line.startswith('state: error="“shapes val 24”里没有目标')
    assert any("请换一张图片" in t.get_text() for t in e.figure.texts)
    fig, missing = glyph_warnings(lambda: plot_brief_run(_brief_run()))
    assert not missing and fig.axes[0].get_title() == "3 步，用时 1.5 秒"


def test_mining_explorer_and_brief_run_in_english_have_no_chinese(model, language):
    from ssd_core.viz.mining import plot_brief_run
    from tests.test_l10n_lesson3 import check_english
    from tests.texts import cjk

    language("en")
    e = mining_explorer(model)
    check_english(e)
    e.set(picture="shapes val 24")
    check_english(e)
    assert "Pick another picture" in e.state_line
    title = plot_brief_run(_brief_run()).axes[0].get_title()
    assert title == "3 steps in 1.5 s" and not cjk(title)
