"""The embedded shapes dataset: VOC layout, determinism, what the pictures hold, atomic writes."""

import json

import numpy as np
import pytest
import torch

from ssd_core.data import SHAPE_CLASSES, VOCDataset, ensure_shapes, make_shapes
from ssd_core.data import shapes as shapes_module
from ssd_core.data.shapes import ShapesSpec, draw_shapes_image

SMALL = dict(num_train=24, num_val=8, image_size=96, workers=1)


@pytest.fixture(scope="module")
def small_set(tmp_path_factory):
    """32 small shapes images, seed 3."""
    return make_shapes(tmp_path_factory.mktemp("shapes") / "set", seed=3, **SMALL)


def test_voc_layout_read_by_the_voc_reader(small_set):
    for part in ("JPEGImages", "Annotations", "ImageSets/Main/train.txt", "ImageSets/Main/val.txt",
                 "ImageSets/Main/trainval.txt", "classes.txt", "shapes.json"):
        assert (small_set / part).exists(), part
    train = VOCDataset(small_set, "train")
    val = VOCDataset(small_set, "val")
    assert (len(train), len(val), len(VOCDataset(small_set, "trainval"))) == (24, 8, 32)
    assert train.classes == SHAPE_CLASSES == ("circle", "square", "triangle", "star", "cross")
    image, target = train[0]
    assert image.shape == (3, 96, 96) and image.dtype == torch.uint8
    assert json.loads((small_set / "shapes.json").read_text())["seed"] == 3


def test_same_seed_same_bytes_different_seed_different(small_set, tmp_path):
    again = make_shapes(tmp_path / "again", seed=3, **SMALL)
    other = make_shapes(tmp_path / "other", seed=4, **SMALL)
    for name in ("JPEGImages/train00005.jpg", "Annotations/train00005.xml", "Annotations/val00002.xml"):
        assert (again / name).read_bytes() == (small_set / name).read_bytes()
    assert (other / "JPEGImages/train00005.jpg").read_bytes() != (
        small_set / "JPEGImages/train00005.jpg").read_bytes()


def test_workers_do_not_change_the_pictures(small_set, tmp_path):
    parallel = make_shapes(tmp_path / "par", seed=3, **dict(SMALL, workers=2))
    for name in ("JPEGImages/train00011.jpg", "Annotations/val00007.xml"):
        assert (parallel / name).read_bytes() == (small_set / name).read_bytes()


def test_what_the_pictures_hold():
    """Over 300 images: empty ones exist, counts stay within 0..6, sizes span 4% to 80% of
    the side, every class appears, boxes lie inside the image and bound visible pixels."""
    spec = ShapesSpec(num_train=300, image_size=128, seed=0)
    counts, sides, names = [], [], set()
    for i in range(300):
        picture, objects = draw_shapes_image(spec, "train", i)
        assert picture.size == (128, 128) and picture.mode == "RGB"
        counts.append(len(objects))
        for o in objects:
            x1, y1, x2, y2 = o.box_px
            assert 0 <= x1 < x2 <= 128 and 0 <= y1 < y2 <= 128
            assert all(v == int(v) for v in o.box_px)  # whole pixels
            sides.append(((x2 - x1) * (y2 - y1)) ** 0.5 / 128)
            names.add(o.name)
    assert 0 in counts and max(counts) <= 6 and np.mean(counts) > 2
    assert names == set(SHAPE_CLASSES)
    sides = np.array(sides)
    assert sides.min() < 0.08 and sides.max() > 0.6
    assert 0.02 < (sides < 0.1).mean() < 0.3  # small objects, but not too many


def test_boxes_fit_the_drawn_object_on_a_plain_background(monkeypatch):
    """With a flat background and no noise, the pixels that differ from the background lie
    inside the union of the boxes, and every box edge touches such a pixel."""
    monkeypatch.setattr(shapes_module, "_background",
                        lambda rng, size: np.full((size, size, 3), 128, dtype=np.float32))
    spec = ShapesSpec(image_size=96, seed=1, max_objects=1, empty_fraction=0.0,
                      noise_sigma=(0.0, 0.0))
    checked = 0
    for i in range(20):
        picture, objects = draw_shapes_image(spec, "train", i)
        a = np.asarray(picture).astype(int)
        changed = np.abs(a - 128).max(axis=2) > 40
        if not objects or objects[0].truncated:
            continue
        x1, y1, x2, y2 = (int(v) for v in objects[0].box_px)
        outside = changed.copy()
        outside[max(0, y1 - 2):y2 + 2, max(0, x1 - 2):x2 + 2] = False  # blur may bleed 1-2 px
        assert not outside.any()
        inner = changed[y1:y2, x1:x2]
        assert inner[:, :3].any() and inner[:, -3:].any() and inner[:3].any() and inner[-3:].any()
        checked += 1
    assert checked >= 8


def test_interrupted_generation_leaves_nothing_that_looks_complete(tmp_path, monkeypatch):
    calls = {"n": 0}
    real = shapes_module._write_one

    def flaky(args):
        calls["n"] += 1
        if calls["n"] == 10:
            raise KeyboardInterrupt
        return real(args)

    monkeypatch.setattr(shapes_module, "_write_one", flaky)
    with pytest.raises(KeyboardInterrupt):
        make_shapes(tmp_path / "set", **SMALL)
    assert list(tmp_path.iterdir()) == []  # neither the set nor its temporary folder


def test_ensure_shapes_makes_once_then_reuses(tmp_path, monkeypatch):
    root = tmp_path / "gen"
    ensure_shapes(root, num_train=6, num_val=2, image_size=64, workers=1)
    stamp = (root / "shapes.json").stat().st_mtime_ns
    monkeypatch.setattr(shapes_module, "make_shapes",
                        lambda *a, **k: pytest.fail("regenerated a complete dataset"))
    assert ensure_shapes(root, num_train=6, num_val=2, image_size=64) == root
    assert (root / "shapes.json").stat().st_mtime_ns == stamp
    monkeypatch.undo()
    ensure_shapes(root, num_train=5, num_val=2, image_size=64, workers=1)  # other settings
    assert len(VOCDataset(root, "train")) == 5


def test_two_processes_making_the_same_set_at_once(tmp_path, monkeypatch):
    """Two notebooks (or test workers) ask for the same missing set at the same time: the one
    that finishes second keeps the first one's copy (which may already be in use) and neither
    fails; ``--force`` on a complete set still replaces it."""
    root = tmp_path / "gen"
    real_jobs = shapes_module._run_jobs
    first = {}

    def the_other_process_finishes_first(jobs, workers, progress):
        monkeypatch.setattr(shapes_module, "_run_jobs", real_jobs)
        make_shapes(root, **SMALL)                        # the other process, start to end
        first["stamp"] = (root / "shapes.json").stat().st_mtime_ns
        first["inode"] = root.stat().st_ino
        return real_jobs(jobs, workers, progress)

    monkeypatch.setattr(shapes_module, "_run_jobs", the_other_process_finishes_first)
    assert ensure_shapes(root, **SMALL) == root
    assert root.stat().st_ino == first["inode"]              # not swapped under the reader
    assert (root / "shapes.json").stat().st_mtime_ns == first["stamp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gen"]     # no partial folder left
    make_shapes(root, overwrite=True, **SMALL)                # --force: a fresh copy
    assert root.stat().st_ino != first["inode"]


def test_refuses_to_overwrite(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="not a complete shapes dataset"):
        ensure_shapes(tmp_path / "mine", num_train=2, num_val=0, image_size=64)
    with pytest.raises(FileExistsError, match="overwrite=True"):
        make_shapes(tmp_path / "mine", num_train=2, num_val=0, image_size=64)
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_bad_settings():
    with pytest.raises(ValueError, match="cannot draw"):
        ShapesSpec(classes=("circle", "dragon"))
    with pytest.raises(ValueError, match="min_side"):
        ShapesSpec(min_side=0.5, max_side=0.4)
