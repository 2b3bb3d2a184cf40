"""VOC AP on cases small enough to compute by hand, following the devkit's rules."""

import math

import numpy as np
import pytest
import torch

from ssd_core.metrics import coco_map, evaluate_detections, voc_ap


def test_voc_ap_by_hand():
    rec = [0.5, 0.5, 1.0]
    prec = [1.0, 0.5, 2 / 3]
    # 11-point: recall levels 0..0.5 see precision 1 (6 levels), 0.6..1 see 2/3 (5 levels)
    assert voc_ap(rec, prec, True) == pytest.approx((6 * 1 + 5 * 2 / 3) / 11)
    # area: 0.5 of recall at precision 1, then 0.5 at 2/3
    assert voc_ap(rec, prec, False) == pytest.approx(0.5 + 0.5 * 2 / 3)
    assert voc_ap([], [], True) == 0.0


def box(*xyxy):
    return list(map(float, xyxy))


def test_difficult_duplicates_and_false_positives():
    gts = [
        {"boxes": torch.tensor([box(0, 0, 10, 10), box(20, 20, 30, 30)]), "labels": torch.tensor([1, 1]),
         "difficult": torch.tensor([False, True])},
        {"boxes": torch.tensor([box(0, 0, 10, 10)]), "labels": torch.tensor([1])},
    ]
    dets = [
        {"boxes": torch.tensor([box(0, 0, 10, 10), box(0, 0, 10, 10), box(20, 20, 30, 30)]),
         "scores": torch.tensor([0.9, 0.8, 0.7]), "labels": torch.tensor([1, 1, 1])},
        {"boxes": torch.tensor([box(50, 50, 60, 60), box(0, 0, 10, 9)]),
         "scores": torch.tensor([0.6, 0.5]), "labels": torch.tensor([1, 1])},
    ]
    # ranked: TP, duplicate (FP), difficult (ignored), FP, TP; 2 non-difficult objects
    # recall  .5 .5 .5 .5 1 ; precision 1 .5 .5 1/3 .5
    r07 = evaluate_detections(dets, gts, use_07_metric=True)
    assert r07.num_objects[1] == 2
    assert r07.ap[1] == pytest.approx(8.5 / 11)
    np.testing.assert_allclose(r07.recall[1], [0.5, 0.5, 0.5, 0.5, 1.0])
    np.testing.assert_allclose(r07.precision[1], [1, 0.5, 0.5, 1 / 3, 0.5])
    r10 = evaluate_detections(dets, gts, use_07_metric=False)
    assert r10.ap[1] == pytest.approx(0.75)
    assert r10.map == pytest.approx(0.75)
    # the result keeps fractions; the table shows percent, as the paper's tables:
    # 8.5 / 11 = 77.3, 0.75 = 75.0
    lines = r07.table(r10).splitlines()
    assert lines[0].split()[-2:] == ["AP07", "AP10+"]
    assert lines[1].split() == ["1", "2", "77.3", "75.0"]
    assert lines[2].split() == ["mAP", "77.3", "75.0"]


def test_devkit_plus_one_pixel_convention():
    # In inclusive pixel corners the ground truth is 10 x 10 = 100 px and the detection
    # 10 x 5 = 50 px, all inside it: IoU = 0.5, a hit. Read as continuous coordinates the
    # areas are 81 and 36: IoU 0.444, a miss.
    gts = [{"boxes": torch.tensor([box(1, 1, 10, 10)]), "labels": torch.tensor([1])}]
    dets = [{"boxes": torch.tensor([box(1, 1, 10, 5)]), "scores": torch.tensor([0.9]), "labels": torch.tensor([1])}]
    assert evaluate_detections(dets, gts, pixel_inclusive=True).ap[1] == pytest.approx(1.0)
    assert evaluate_detections(dets, gts, pixel_inclusive=False).ap[1] == pytest.approx(0.0)


def test_classes_without_objects_are_left_out_of_the_mean():
    gts = [{"boxes": torch.tensor([box(0, 0, 1, 1)]), "labels": torch.tensor([2])}]
    dets = [{"boxes": torch.tensor([box(0, 0, 1, 1), box(0, 0, 1, 1)]), "scores": torch.tensor([0.9, 0.8]),
             "labels": torch.tensor([2, 1])}]
    r = evaluate_detections(dets, gts, num_classes=4, class_names=["a", "b", "c"])
    assert math.isnan(r.ap[1]) and math.isnan(r.ap[3])
    assert r.ap[2] == pytest.approx(1.0)
    assert r.map == pytest.approx(1.0)
    assert "mAP" in r.table() and "b" in r.table()


def test_missed_objects_lower_recall():
    gts = [{"boxes": torch.tensor([box(0, 0, 1, 1), box(2, 2, 3, 3)]), "labels": torch.tensor([1, 1])}]
    dets = [{"boxes": torch.tensor([box(0, 0, 1, 1)]), "scores": torch.tensor([0.9]), "labels": torch.tensor([1])}]
    r = evaluate_detections(dets, gts)
    # recall reaches 0.5 only: precision 1 at levels 0..0.5 -> 6/11
    assert r.ap[1] == pytest.approx(6 / 11)


def test_coco_map_perfect_and_shifted():
    gts = [{"boxes": torch.tensor([[0.1, 0.1, 0.5, 0.5], [0.6, 0.6, 0.9, 0.9]]), "labels": torch.tensor([1, 2])}]
    perfect = [{"boxes": gts[0]["boxes"].clone(), "scores": torch.tensor([0.9, 0.8]), "labels": torch.tensor([1, 2])}]
    assert coco_map(perfect, gts)["AP"] == pytest.approx(1.0)
    # shift the first box so its IoU is 0.6: it counts at 0.5 but not at 0.75
    shifted = [{"boxes": torch.tensor([[0.1, 0.1, 0.5, 0.5 * 0.6 + 0.1 * 0.4], [0.6, 0.6, 0.9, 0.9]]),
                "scores": torch.tensor([0.9, 0.8]), "labels": torch.tensor([1, 2])}]
    out = coco_map(shifted, gts)
    assert out["AP50"] == pytest.approx(1.0)
    assert out["AP75"] == pytest.approx(0.5)
