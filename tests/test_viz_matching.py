"""The match explorer against a direct computation with torchvision.ops.box_iou."""

import pytest
import torch
from matplotlib.collections import PolyCollection
from torchvision.ops import box_iou

from ssd_core.viz.matching import match_explorer
from ssd_core.viz.pictures import picture_by_name


def reference(gt, priors_xyxy, threshold):
    """Positives per object by the paper's two steps, written out plainly."""
    iou = box_iou(gt, priors_xyxy)                                   # [G, P]
    best_iou, best_gt = iou.max(dim=0)
    positive = best_iou >= threshold
    owner = best_gt.clone()
    best_prior = iou.argmax(dim=1)                                   # step 1
    assert len(set(best_prior.tolist())) == len(gt), "this case has a collision; pick another"
    forced_only = []
    for g, p in enumerate(best_prior.tolist()):
        owner[p] = g
        if not positive[p]:
            forced_only.append(p)
        positive[p] = True
    counts = torch.bincount(owner[positive], minlength=len(gt))
    return counts.tolist(), forced_only, iou


def collection(fig, gid):
    return next(c for ax in fig.axes for c in ax.collections if isinstance(c, PolyCollection) and c.get_gid() == gid)


@pytest.fixture(scope="module")
def explorer():
    return match_explorer()


@pytest.mark.parametrize("picture", ["chelsea", "coins", "astronaut", "shapes val 0", "shapes val 29"])
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_counts_per_object_against_torchvision(explorer, picture, threshold):
    e = explorer
    s = e.set(picture=picture, threshold=threshold, sources=tuple(range(6)))
    pic = picture_by_name(picture)
    counts, forced, _ = reference(pic.boxes, e.priors_xyxy, threshold)
    assert list(s["per_gt"]) == counts
    assert s["positives"] == sum(counts)
    assert s["forced"] == len(forced)
    assert f"positives={sum(counts)}" in e.state_line
    # the figure: threshold positives and best-match-only boxes, as separate collections
    assert len(collection(e.figure, "positives").get_paths()) == sum(counts) - len(forced)
    assert len(collection(e.figure, "forced").get_paths()) == len(forced)
    assert len(collection(e.figure, "ground_truth").get_paths()) == len(pic.boxes)


def test_a_small_object_gets_only_its_best_match():
    e = match_explorer()
    s = e.set(picture="shapes val 0", threshold=0.5)
    pic = picture_by_name("shapes val 0")
    side = ((pic.boxes[0, 2] - pic.boxes[0, 0]) * (pic.boxes[0, 3] - pic.boxes[0, 1])).sqrt()
    assert side < 0.1                                                 # smaller than conv4_3's 30 px boxes
    _, _, iou = reference(pic.boxes, e.priors_xyxy, 0.5)
    assert iou[0].max() < 0.5                                         # no default box fits it
    assert s["per_gt"][0] == 1 and 0 in s["only_best_match"]
    # the forced box drawn is the one with the largest IoU, in 300 px coordinates
    best = e.priors_xyxy[iou[0].argmax()].numpy() * 300
    v = collection(e.figure, "forced").get_paths()[0].vertices
    assert [v[:, 0].min(), v[:, 1].min(), v[:, 0].max(), v[:, 1].max()] == pytest.approx(best.tolist(), abs=1e-3)
    # it sits on the 38x38 map (index < 5776)
    assert s["per_source"][0] >= 1
    # at a lower threshold it gets real matches too
    s = e.set(threshold=0.2)
    assert s["per_gt"][0] > 1


def test_chelsea_eyes_at_the_paper_threshold():
    e = match_explorer()
    s = e.set(picture="chelsea", threshold=0.5)
    pic = picture_by_name("chelsea")
    assert pic.names() == ["cat", "eye", "eye"]
    counts, _, _ = reference(pic.boxes, e.priors_xyxy, 0.5)
    assert list(s["per_gt"]) == counts and all(c >= 1 for c in counts)


def test_threshold_one_leaves_only_best_matches():
    e = match_explorer()
    s = e.set(picture="shapes val 29", threshold=1.0)
    assert s["positives"] == s["objects"] == s["forced"]
    assert s["per_gt"] == (1,) * s["objects"]


def test_sources_filter_the_drawing_not_the_matching():
    e = match_explorer()
    full = e.set(picture="coins", threshold=0.5)
    s = e.set(sources=(0,))
    assert s["positives"] == full["positives"] and s["per_gt"] == full["per_gt"]
    assert s["shown"] == s["per_source"][0]
    drawn = len(collection(e.figure, "positives").get_paths()) + len(collection(e.figure, "forced").get_paths())
    assert drawn == s["shown"]
    # per source by hand from the reference: boxes of the 38x38 map are the first 5,776
    counts, _, iou = reference(picture_by_name("coins").boxes, e.priors_xyxy, 0.5)
    assert sum(s["per_source"]) == sum(counts)


def test_no_source_chosen_is_a_message():
    e = match_explorer()
    e.set(sources=())
    assert e.state_line.startswith('state: error="No source map chosen')
    assert any("No source map" in t.get_text() for t in e.figure.texts)


# ------------------------------------------------------------------ both languages


def test_match_explorer_in_chinese(language):
    from tests.test_l10n_lesson3 import check_chinese_explorer, glyph_warnings

    language("zh")
    e, missing = glyph_warnings(lambda: match_explorer(picture="shapes val 0"))
    assert not missing, missing
    check_chinese_explorer(e, "正样本", "只靠最佳匹配", "正样本默认框的个数")
    assert "匹配策略" in e.widget.children[0].value
    legend = [t.get_text() for t in e.figure.legends[0].get_texts()]
    assert legend == ["IoU ≥ 0.50", "只靠最佳匹配"]
    assert [w.description for w in e.controls.values()] == ["图片", "IoU 阈值", "显示的特征图"]
    # the state's keys and values stay as they are
    s = e.set(threshold=0.5)
    assert s["per_gt"][0] == 1 and 0 in s["only_best_match"]
    assert e.state_line.startswith("state: picture=\"shapes val 0\" threshold=0.500")
    _, missing = glyph_warnings(lambda: e.set(sources=()))
    assert not missing
    assert e.state_line.startswith('state: error="没有选中任何特征图')
    assert any("显示的特征图" in t.get_text() for t in e.figure.texts)


def test_match_explorer_in_english_has_no_chinese(language):
    from tests.test_l10n_lesson3 import check_english

    language("en")
    e = match_explorer(picture="shapes val 0")
    check_english(e)
    assert e.widget.children[0].value.startswith("<b>Matching strategy</b>")
    e.set(sources=())
    check_english(e)
