"""VOCDataset against hand-made XML with known numbers, every kind of bad input, the split
names of single folders and devkits, and how the data modules import one another."""

import ast
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision import tv_tensors

from ssd_core.data import (VOC_CLASSES, DatasetError, DataWarning, VOCDataset, is_voc_layout,
                           list_splits, sample_dataset)
from ssd_core.data.voc_xml import px_box_to_voc

from .data_fixtures import obj, save_image, tiny_devkit, write_folder, xml_with

VOC = list(VOC_CLASSES)


def one_image_folder(tmp_path, xml, size=(40, 30), classes=("dog", "cat")):
    """A single VOC folder holding one image "a" with the given XML."""
    return write_folder(tmp_path / "ds", {"a": (xml, size)}, classes=list(classes))


# ---------------------------------------------------------------------------- the numbers


def test_reader_reproduces_the_xml(tmp_path):
    ds = VOCDataset(tiny_devkit(tmp_path), "2007-trainval")
    assert len(ds) == 2 and ds.num_classes == 21
    image, target = ds[0]
    assert isinstance(image, tv_tensors.Image) and image.dtype == torch.uint8
    assert image.shape == (3, 48, 64)
    # colour (200, 30, 60) survives JPEG within a few levels
    assert (image.float().mean(dim=(1, 2)) - torch.tensor([200.0, 30, 60])).abs().max() < 4
    boxes = target["boxes"]
    assert isinstance(boxes, tv_tensors.BoundingBoxes)
    assert boxes.format == tv_tensors.BoundingBoxFormat.XYXY and boxes.canvas_size == (48, 64)
    # xmin-1, ymin-1, xmax, ymax of the three <bndbox>es typed in data_fixtures.py
    expected = torch.tensor([[4.0, 9, 24, 40], [29, 0, 64, 48], [0, 0, 10, 10]])
    assert torch.equal(boxes.as_subclass(torch.Tensor), expected)
    assert target["labels"].tolist() == [VOC.index("dog") + 1, VOC.index("person") + 1,
                                         VOC.index("cat") + 1] == [12, 15, 8]
    assert target["labels"].dtype == torch.int64
    assert target["difficult"].tolist() == [False, True, False]
    assert target["image_id"] == "VOC2007/000001"
    assert target["orig_size"] == (48, 64)


def test_widths_follow_voc_inclusive_pixels(tmp_path):
    # pixels 3, 4, 5, 6, 7 (1-based, inclusive) are 5 wide; the whole 40 x 30 image is 40 x 30
    xml = xml_with(obj("dog", 3, 1, 7, 2) + obj("cat", 1, 1, 40, 30))
    b = VOCDataset(one_image_folder(tmp_path, xml), "trainval").annotation(0)["boxes"]
    b = b.as_subclass(torch.Tensor)
    assert (b[:, 2] - b[:, 0]).tolist() == [5, 40] and (b[:, 3] - b[:, 1]).tolist() == [2, 30]
    assert b[1].tolist() == [0, 0, 40, 30]
    assert px_box_to_voc(2.0, 0.0, 7.0, 2.0) == (3, 1, 7, 2)


def test_iou_equals_the_devkits_plus_one_iou(tmp_path):
    # VOC devkit: iw = min(xmax) - max(xmin) + 1, area = (xmax - xmin + 1) (ymax - ymin + 1).
    # A: x 1..10, y 1..10; B: x 6..15, y 1..10 -> inter 5 * 10 = 50, union 100 + 100 - 50.
    xml = xml_with(obj("dog", 1, 1, 10, 10) + obj("cat", 6, 1, 15, 10))
    ds = VOCDataset(one_image_folder(tmp_path, xml), "trainval")
    b = ds.annotation(0)["boxes"].as_subclass(torch.Tensor)
    from torchvision.ops import box_iou

    assert box_iou(b[:1], b[1:]).item() == pytest.approx(50 / 150)


def test_image_with_no_objects_is_kept(tmp_path):
    ds = VOCDataset(tiny_devkit(tmp_path), "2007-trainval")
    image, target = ds[1]
    assert target["boxes"].shape == (0, 4) and target["labels"].shape == (0,)
    assert target["difficult"].shape == (0,) and image.shape == (3, 32, 32)


def test_07_plus_12_and_the_test_split(tmp_path):
    root = tiny_devkit(tmp_path)
    both = VOCDataset(root, "07+12")
    assert [r.image_id for r in both.records] == ["VOC2007/000001", "VOC2007/000002",
                                                   "VOC2012/2012_000001"]
    assert both.annotation(2)["boxes"].as_subclass(torch.Tensor).tolist() == [[10, 5, 30, 15]]
    test = VOCDataset(root, "2007-test")
    assert len(test) == 1 and test.annotation(0)["labels"].tolist() == [VOC.index("car") + 1]
    # the devkit folder itself and VOC2007 itself work as roots too
    assert len(VOCDataset(root / "VOCdevkit", "2007-test")) == 1
    assert len(VOCDataset(root / "VOCdevkit" / "VOC2007", "test")) == 1


def test_keep_difficult_false_drops_them(tmp_path):
    ds = VOCDataset(tiny_devkit(tmp_path), "2007-trainval", keep_difficult=False)
    assert ds.annotation(0)["labels"].tolist() == [12, 8]


def test_class_list_from_argument_or_classes_txt(tmp_path):
    xml = xml_with(obj("cat", 2, 2, 10, 10) + obj("dog", 3, 3, 20, 20))
    folder = one_image_folder(tmp_path, xml, classes=("dog", "cat"))
    assert VOCDataset(folder, "trainval").annotation(0)["labels"].tolist() == [2, 1]
    ds = VOCDataset(folder, "trainval", classes=["cat", "dog", "cow"])
    assert ds.annotation(0)["labels"].tolist() == [1, 2] and ds.num_classes == 4
    (folder / "classes.txt").unlink()
    assert VOCDataset(folder, "trainval").classes == VOC_CLASSES


def test_classes_txt_beside_the_devkit(tmp_path):
    """The folder a user points at (it holds VOCdevkit/) may keep the class list; the nearest
    one wins, and splits that disagree are an error."""
    root = one_year_devkit(tmp_path / "mine")
    (root / "classes.txt").write_text("car\ncat\ndog\n")
    ds = VOCDataset(root, "train")
    assert ds.classes == ("car", "cat", "dog") and ds.classes_from == "classes.txt"
    assert ds.annotation(0)["labels"].tolist() == [3]
    (root / "VOCdevkit" / "classes.txt").write_text("dog\ncat\ncar\n")     # nearer: VOCdevkit/
    assert VOCDataset(root, "train").classes == ("dog", "cat", "car")
    devkit = tiny_devkit(tmp_path / "two")
    (devkit / "VOCdevkit" / "VOC2007" / "classes.txt").write_text("dog\nperson\ncat\n")
    (devkit / "VOCdevkit" / "VOC2012" / "classes.txt").write_text("cat\ndog\n")
    with pytest.raises(DatasetError, match="different classes.txt"):
        VOCDataset(devkit, "07+12")


def test_classes_from_the_annotations_when_asked(tmp_path):
    """With no list anywhere, names that are not VOC's are an error, as before, unless
    infer_classes: then they are the class list, sorted. VOC's own names keep VOC's 20."""
    xml = xml_with(obj("seven", 2, 2, 10, 10) + obj("three", 3, 3, 20, 20) + obj("seven", 1, 1, 5, 5))
    folder = write_folder(tmp_path / "digits", {"a": (xml, (40, 30))})
    with pytest.raises(DatasetError, match="unknown class 'seven' \\(classes: aeroplane"):
        VOCDataset(folder, "trainval")
    ds = VOCDataset(folder, "trainval", infer_classes=True)
    assert ds.classes == ("seven", "three") and ds.classes_from == "annotations"
    assert ds.annotation(0)["labels"].tolist() == [1, 2, 1]
    voc = VOCDataset(tiny_devkit(tmp_path / "voc"), "2007-trainval", infer_classes=True)
    assert voc.classes == VOC_CLASSES and voc.classes_from == "voc"
    given = VOCDataset(folder, "trainval", classes=["three", "seven"], infer_classes=True)
    assert given.classes_from == "argument" and given.annotation(0)["labels"].tolist() == [2, 1, 2]


def test_problems_are_raised_in_reading_order_or_all_kept(tmp_path):
    """Reading a split collects what is wrong with each image; the first problem in the
    split's order is raised, or, with skip_bad, every one is kept in that order."""
    folder = write_folder(tmp_path / "ds", {
        "a": (xml_with(obj("horse", 2, 2, 9, 9)), (40, 30)),         # unknown class
        "b": ("<annotation>", (40, 30)),                              # does not parse
        "c": (xml_with(obj("dog", 20, 2, 10, 9) + obj("cat", 1, 1, 5, 5)), (40, 30)),
    }, classes=["dog", "cat"])
    (folder / "ImageSets" / "Main" / "trainval.txt").write_text("a\nb\nghost\nc\n")
    with pytest.raises(DatasetError, match=r"a\.xml: unknown class 'horse'"):
        VOCDataset(folder, "trainval")
    with pytest.warns(DataWarning, match="skipped"):
        ds = VOCDataset(folder, "trainval", skip_bad=True)
    assert [Path(p.split(":")[0]).name for p in ds.problems] == ["a.xml", "b.xml", "ghost.xml",
                                                                 "c.xml"]
    assert [r.image_id for r in ds.records] == ["a", "c"]
    assert ds.records[1].labels.tolist() == [2]                      # the broken dog is left out


def test_drop_unknown_keeps_a_subset_of_classes(tmp_path):
    ds = VOCDataset(tiny_devkit(tmp_path), "2007-trainval", classes=["person"], drop_unknown=True)
    assert ds.annotation(0)["labels"].tolist() == [1]
    assert ds.annotation(0)["boxes"].as_subclass(torch.Tensor).tolist() == [[29, 0, 64, 48]]


def test_seeded_transforms_are_reproducible_in_any_order(tmp_path):
    calls = []

    def record(image, target, generator):
        calls.append(int(torch.randint(1 << 30, (), generator=generator)))
        return image, target

    ds = VOCDataset(tiny_devkit(tmp_path), "2007-trainval", transforms=record, seed=5)
    ds[1], ds[0], ds[1]
    assert calls[0] == calls[2] != calls[1]
    ds.set_epoch(1)
    ds[1]
    assert calls[3] != calls[0]


# ---------------------------------------------------------------------------- split names


def one_year_devkit(root, under_devkit=True):
    """``VOC2007`` only (under ``VOCdevkit/`` or directly in ``root``): 000001, 000002 in
    "train", 000003 in "test"."""
    voc07 = root / "VOCdevkit" / "VOC2007" if under_devkit else root / "VOC2007"
    write_folder(voc07, {"000001": (xml_with(obj("dog", 1, 1, 5, 5)), (40, 30)),
                         "000002": (xml_with(obj("cat", 2, 2, 9, 9)), (40, 30))}, split="train")
    write_folder(voc07, {"000003": (xml_with(obj("car", 3, 3, 9, 9)), (40, 30))}, split="test")
    return root


@pytest.mark.parametrize("under_devkit", [True, False], ids=["VOCdevkit/VOC2007", "VOC2007"])
def test_a_devkit_with_one_year_takes_the_plain_split_name(tmp_path, under_devkit):
    root = one_year_devkit(tmp_path / "one", under_devkit)
    plain = [r.image_id for r in VOCDataset(root, "train").records]
    assert plain == ["VOC2007/000001", "VOC2007/000002"]
    assert plain == [r.image_id for r in VOCDataset(root, "2007-train").records]
    assert [r.image_id for r in VOCDataset(root, "test").records] == ["VOC2007/000003"]
    mixed = VOCDataset(root, "train+2007-test")
    assert [r.image_id for r in mixed.records] == ["VOC2007/000001", "VOC2007/000002",
                                                    "VOC2007/000003"]


def test_a_devkit_with_two_years_needs_the_year(tmp_path):
    root = tiny_devkit(tmp_path)
    with pytest.raises(DatasetError) as e:
        VOCDataset(root, "trainval")
    msg = str(e.value)
    assert "It holds VOC2007, VOC2012: name the year, e.g. '2007-trainval'." in msg
    assert "python -m ssd_core data voc --root data/" in msg
    # the year-qualified names and the alias still work
    assert len(VOCDataset(root, "2007-trainval+2012-trainval")) == 3
    assert len(VOCDataset(root, "07+12")) == 3


def test_list_splits_of_a_single_folder(tmp_path):
    folder = write_folder(tmp_path / "ds", {"a": (xml_with(obj("dog", 1, 1, 5, 5)), (40, 30))},
                          split="trainval", classes=["dog"])
    main = folder / "ImageSets" / "Main"
    (main / "test.txt").write_text("a\n")
    (main / "dog_trainval.txt").write_text("a  1\n")  # a per-class file: not a split
    assert list_splits(folder) == ["test", "trainval"]
    assert is_voc_layout(folder)


def test_list_splits_of_devkits(tmp_path):
    two = tiny_devkit(tmp_path / "two")
    assert list_splits(two) == ["2007-test", "2007-trainval", "2012-trainval"]
    assert list_splits(two / "VOCdevkit") == ["2007-test", "2007-trainval", "2012-trainval"]
    one = one_year_devkit(tmp_path / "one")
    assert list_splits(one) == ["2007-test", "2007-train", "test", "train"]
    assert is_voc_layout(two) and is_voc_layout(two / "VOCdevkit") and is_voc_layout(one)


def test_list_splits_of_a_folder_that_is_not_voc(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"")
    (tmp_path / "photos" / "VOCcode").mkdir()  # the devkit's code folder is not a year
    assert list_splits(tmp_path / "photos") == [] and not is_voc_layout(tmp_path / "photos")
    assert list_splits(tmp_path / "nowhere") == [] and not is_voc_layout(tmp_path / "nowhere")


def test_a_missing_split_names_the_splits_there_are(tmp_path):
    with pytest.raises(DatasetError, match=r"val\.txt: the split file is missing \(this folder "
                       r"has: 2007-test, 2007-trainval, 2012-trainval\)\. It lists"):
        VOCDataset(tiny_devkit(tmp_path / "two"), "2007-val")
    with pytest.raises(DatasetError, match=r"\(this folder has: 2007-test, 2007-train, test, "
                       r"train\)"):
        VOCDataset(one_year_devkit(tmp_path / "one"), "val")
    folder = write_folder(tmp_path / "ds", {"a": (xml_with(obj("dog", 1, 1, 5, 5)), (40, 30))},
                          split="all", classes=["dog"])
    with pytest.raises(DatasetError, match=r"\(this folder has: all\)"):
        VOCDataset(folder, "train")


# ---------------------------------------------------------------------------- bad input


def test_missing_folder_shows_layout_and_download_command(tmp_path):
    with pytest.raises(DatasetError) as e:
        VOCDataset(tmp_path / "nowhere", "trainval")
    msg = str(e.value)
    assert "nowhere" in msg and "JPEGImages" in msg and "ImageSets/Main" in msg
    assert "python -m ssd_core data voc --root data/" in msg


def test_missing_year_and_missing_split_file(tmp_path):
    root = tiny_devkit(tmp_path)
    with pytest.raises(DatasetError, match="(?s)no PASCAL VOC 2010 folder.*data voc"):
        VOCDataset(root, "2010-trainval")
    with pytest.raises(DatasetError, match=r"(?s)val\.txt: the split file is missing.*trainval"):
        VOCDataset(root, "2007-val")
    with pytest.raises(DatasetError, match="name the year"):
        VOCDataset(root, "trainval")
    with pytest.raises(DatasetError, match=r"(?s)no ImageSets/Main or Annotations folder here\.\n"
                       "Expected a VOC layout"):
        VOCDataset(tmp_path / "VOCdevkit" / "VOC2007" / "JPEGImages", "trainval")  # no years


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_or_truncated_jpeg(tmp_path, damage):
    folder = write_folder(tmp_path / "ds", {"a": (xml_with(obj("dog", 2, 2, 9, 9), 80, 60), (80, 60)),
                                            "b": (xml_with(obj("cat", 3, 3, 9, 9), 80, 60), (80, 60))},
                          classes=["dog", "cat"])
    jpg = folder / "JPEGImages" / "a.jpg"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (60, 80, 3), dtype=np.uint8)).save(jpg)
    data = jpg.read_bytes()
    jpg.write_bytes(b"not a jpeg at all" if damage == "garbage" else data[: len(data) // 2])
    ds = VOCDataset(folder, "trainval")
    with pytest.raises(DatasetError, match=r"a\.jpg.*(corrupt|truncated)"):
        ds[0]
    lenient = VOCDataset(folder, "trainval", skip_bad=True)
    with pytest.warns(DataWarning, match=r"a\.jpg"):
        image, target = lenient[0]
    assert target["image_id"] == "b"  # the next good image stands in


@pytest.mark.parametrize(
    "xml, what",
    [
        ("<annotation><size><width>40</width>", "does not parse"),
        (xml_with(obj("dog", 2, 2, 9, 9), size=False), "no <size>"),
        (xml_with("<object><name>dog</name></object>"), "no <bndbox>"),
        (xml_with(obj("dog", 20, 2, 20, 9)), "need xmax > xmin"),
        (xml_with(obj("dog", 20, 2, 10, 9)), "need xmax > xmin"),
        (xml_with(obj("dog", 2, 9, 10, 3)), "ymax > ymin"),
        (xml_with(obj("horse", 2, 2, 9, 9)), "unknown class 'horse'"),
        (xml_with("<object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax>"
                  "</bndbox></object>"), "no <ymax>"),
    ],
)
def test_bad_xml_raises_naming_the_file_or_skips(tmp_path, xml, what):
    folder = write_folder(tmp_path / "ds", {"bad": (xml, (40, 30)),
                                            "good": (xml_with(obj("cat", 1, 1, 5, 5)), (40, 30))},
                          classes=["dog", "cat"])
    with pytest.raises(DatasetError) as e:
        VOCDataset(folder, "trainval")
    assert "bad.xml" in str(e.value) and what in str(e.value)
    assert "skip_bad=True" in str(e.value)
    with pytest.warns(DataWarning, match="bad.xml"):
        ds = VOCDataset(folder, "trainval", skip_bad=True)
    good = [r for r in ds.records if r.image_id == "good"][0]
    assert good.labels.tolist() == [2]
    bad = [r for r in ds.records if r.image_id == "bad"]
    assert bad == [] or len(bad[0].labels) == 0  # a broken file is skipped, a broken object too
    assert any("bad.xml" in p for p in ds.problems)


def test_boxes_beyond_the_image_are_clipped_with_a_warning(tmp_path):
    xml = xml_with(obj("dog", -5, 0, 50, 20) + obj("cat", 30, 25, 40, 35), width=40, height=30)
    folder = one_image_folder(tmp_path, xml)
    with pytest.warns(DataWarning, match=r"a\.xml.*beyond the 40 x 30 image"):
        ds = VOCDataset(folder, "trainval")
    # (-5-1, 0-1, 50, 20) -> clipped to [0, 0, 40, 20]; (29, 24, 40, 35) -> [29, 24, 40, 30]
    assert ds.annotation(0)["boxes"].as_subclass(torch.Tensor).tolist() == [
        [0, 0, 40, 20], [29, 24, 40, 30]]


def test_box_wholly_outside_the_image_is_an_error(tmp_path):
    folder = one_image_folder(tmp_path, xml_with(obj("dog", 50, 40, 60, 50), width=40, height=30))
    with pytest.raises(DatasetError, match="wholly outside"):
        VOCDataset(folder, "trainval")


def test_missing_image_and_missing_annotation(tmp_path):
    folder = write_folder(tmp_path / "ds", {"a": (xml_with(obj("dog", 1, 1, 5, 5)), None)},
                          classes=["dog"])
    with pytest.raises(DatasetError, match=r"a\.jpg: the image is missing"):
        VOCDataset(folder, "trainval")
    (folder / "ImageSets" / "Main" / "trainval.txt").write_text("a\nghost\n")
    save_image(folder / "JPEGImages" / "a.jpg", 40, 30)
    with pytest.raises(DatasetError, match=r"ghost\.xml: missing"):
        VOCDataset(folder, "trainval")
    with pytest.warns(DataWarning):
        assert len(VOCDataset(folder, "trainval", skip_bad=True)) == 1


def test_size_that_disagrees_with_the_image(tmp_path):
    folder = one_image_folder(tmp_path, xml_with(obj("dog", 1, 1, 5, 5), width=40, height=30),
                              size=(50, 30))
    with pytest.raises(DatasetError, match=r"<size> says 40 x 30 but .*a\.jpg is 50 x 30"):
        VOCDataset(folder, "trainval")[0]


def test_class_list_errors(tmp_path):
    folder = one_image_folder(tmp_path, xml_with(obj("dog", 1, 1, 5, 5)))
    with pytest.raises(DatasetError, match="listed twice: dog"):
        VOCDataset(folder, "trainval", classes=["dog", "dog"])
    with pytest.raises(DatasetError, match="background"):
        VOCDataset(folder, "trainval", classes=["background", "dog"])


@pytest.mark.parametrize(
    "mode, fill, rgb",
    [
        ("L", 100, (100, 100, 100)),            # grayscale
        ("RGBA", (10, 20, 30, 0), (255, 255, 255)),  # fully transparent -> white
        ("RGBA", (10, 20, 30, 255), (10, 20, 30)),   # opaque: as is
        ("CMYK", (0, 0, 0, 0), (255, 255, 255)),      # no ink is white
        ("CMYK", (0, 255, 255, 0), (255, 0, 0)),      # magenta + yellow is red
        ("I;16", 65535, (255, 255, 255)),            # 16-bit full scale -> 255
        ("I;16", 32896, (128, 128, 128)),            # 32896 / 257 = 128
    ],
)
def test_odd_image_modes_become_rgb(tmp_path, mode, fill, rgb):
    folder = write_folder(tmp_path / "ds", {"a": (xml_with(obj("dog", 1, 1, 5, 5), 12, 8), None)},
                          classes=["dog"])
    ext = ".tif" if mode == "CMYK" else ".png"
    Image.new(mode, (12, 8), fill).save(folder / "JPEGImages" / f"a{ext}")
    image, _ = VOCDataset(folder, "trainval")[0]
    assert image.dtype == torch.uint8 and image.shape == (3, 8, 12)
    assert image[:, 4, 6].tolist() == list(rgb)


# ---------------------------------------------------------------------------- samples


def test_sample_photos():
    ds = sample_dataset()
    ids = {r.image_id: r for r in ds.records}
    assert set(ids) == {"astronaut", "chelsea", "coffee", "coins", "rocket", "camera"}
    assert ids["coins"].labels.tolist() == [ds.classes.index("coin") + 1] * 24
    assert (ds.classes[0], ds.classes[1]) == ("person", "cat")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for i in range(len(ds)):
            image, target = ds[i]
            H, W = image.shape[-2:]
            b = target["boxes"].as_subclass(torch.Tensor)
            assert image.shape[0] == 3 and len(b) >= 1
            assert (b[:, 0] >= 0).all() and (b[:, 2] <= W).all() and (b[:, 1] >= 0).all()
            assert (b[:, 3] <= H).all() and (b[:, 2] > b[:, 0]).all() and (b[:, 3] > b[:, 1]).all()


# ---------------------------------------------------------------------------- the modules

DATA = Path(__file__).resolve().parents[1] / "ssd_core" / "data"


def sibling_imports(module: str) -> set[str]:
    """The modules of ``ssd_core.data`` that ``<module>.py`` imports (relative imports), at
    the top or inside functions."""
    tree = ast.parse((DATA / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {a.name for a in node.names}
    return found


def test_the_voc_modules_import_only_downwards():
    assert sibling_imports("errors") == set()
    assert sibling_imports("voc_xml") == {"errors"}
    assert sibling_imports("images") == {"errors"}
    assert sibling_imports("voc_layout") == {"errors"}
    assert sibling_imports("voc") == {"errors", "images", "voc_layout", "voc_xml"}
    # and no cycle anywhere in the package
    graph = {p.stem: sibling_imports(p.stem) for p in DATA.glob("*.py") if p.stem != "__init__"}
    done: set[str] = set()

    def visit(name, path):
        assert name not in path, f"import cycle: {' -> '.join(path + (name,))}"
        if name not in done:
            for dep in graph.get(name, ()):
                visit(dep, path + (name,))
            done.add(name)

    for name in graph:
        visit(name, ())
