"""The trained SSD300 (torchvision's COCO weights), loaded from files the tests write: nothing
downloads. The converted model must give torchvision's own outputs; a missing, broken or foreign
file, or no network, must give one clear message saying which file goes where."""

from __future__ import annotations

import json
from pathlib import Path
import urllib.error

import pytest
import torch
from torchvision.models.detection import ssd300_vgg16

import ssd_core.inference as inference
from ssd_core.cli import main as cli
from ssd_core.models import WeightsUnavailableError, from_torchvision
from ssd_core.inference import COCO_CLASSES, map_labels, pretrained_ssd300


@pytest.fixture(scope="module")
def coco_like(tmp_path_factory):
    """A randomly initialised ssd300_vgg16 with COCO's 91 classes, and its weights on disk."""
    torch.manual_seed(0)
    tv = ssd300_vgg16(weights=None, weights_backbone=None, num_classes=91).eval()
    path = tmp_path_factory.mktemp("weights") / "ssd300_vgg16_coco-b556d3b4.pth"
    torch.save(tv.state_dict(), path)
    return tv, path


def test_loads_a_file_and_gives_torchvisions_outputs(coco_like):
    tv, path = coco_like
    model = pretrained_ssd300(weights=path, device="cpu")
    assert not model.training and model.num_classes == 91
    assert model.class_names[:3] == ["person", "bicycle", "car"] and len(model.class_names) == 90
    assert model.class_names[COCO_CLASSES.index("cat") - 1] == "cat"
    x = torch.rand(1, 3, 300, 300)
    with torch.no_grad():
        # torchvision's raw head outputs on the same input (its own transform normalises; ours too)
        features = list(tv.backbone(tv.transform(list(x))[0].tensors).values())
        head = tv.head(features)
        loc, conf = model(x)
    torch.testing.assert_close(loc, head["bbox_regression"], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(conf, head["cls_logits"], rtol=1e-4, atol=1e-4)
    assert loc.shape == (1, 8732, 4) and conf.shape == (1, 8732, 91)


def test_loads_from_torch_hubs_cache_without_downloading(coco_like, tmp_path, monkeypatch):
    _, path = coco_like
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    url, cached = inference.coco_weights_file()
    assert cached.is_relative_to(tmp_path) and cached.name == url.rsplit("/", 1)[-1]
    with pytest.raises(WeightsUnavailableError, match="quick test run does not download"):
        pretrained_ssd300()                                   # not cached, no download in tests
    cached.parent.mkdir(parents=True)
    cached.write_bytes(path.read_bytes())
    assert pretrained_ssd300(download=False).num_classes == 91


def test_offline_the_message_says_which_file_goes_where(tmp_path, monkeypatch, language):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))

    def offline(*a, **k):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(torch.hub, "load_state_dict_from_url", offline)
    _, cached = inference.coco_weights_file()
    with pytest.raises(WeightsUnavailableError) as err:
        pretrained_ssd300(download=True)
    text = str(err.value)
    assert "Offline?" in text and str(cached) in text and "pretrained_ssd300(weights=" in text
    language("zh")
    with pytest.raises(WeightsUnavailableError, match="没有网络") as err:
        pretrained_ssd300(download=True)
    assert str(cached) in str(err.value)


def test_missing_broken_and_foreign_files(coco_like, tmp_path):
    _, path = coco_like
    with pytest.raises(WeightsUnavailableError, match="no such weights file"):
        pretrained_ssd300(weights=tmp_path / "nope.pth")
    cut = tmp_path / "cut.pth"
    cut.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(WeightsUnavailableError, match="cut short"):
        pretrained_ssd300(weights=cut)
    foreign = tmp_path / "vgg.pth"
    torch.save({"features.0.weight": torch.zeros(1)}, foreign)
    with pytest.raises(WeightsUnavailableError, match="not the weights of torchvision's ssd300_vgg16"):
        pretrained_ssd300(weights=foreign)
    voc = tmp_path / "voc.pth"          # an SSD300 for 21 classes is not the COCO model
    torch.save(ssd300_vgg16(weights=None, weights_backbone=None, num_classes=21).state_dict(), voc)
    with pytest.raises(WeightsUnavailableError, match="21 classes"):
        pretrained_ssd300(weights=voc)


def test_detect_from_the_command_line(coco_like, tmp_path, capsys):
    _, path = coco_like
    image = tmp_path / "photo.png"
    from PIL import Image

    Image.new("RGB", (64, 48), (120, 80, 40)).save(image)
    assert cli(["detect", str(image), "--weights", str(path), "--out", str(tmp_path / "det"),
                "--score-threshold", "0.0", "--device", "cpu"]) == 0
    records = json.loads((tmp_path / "det" / "detections.json").read_text())
    assert records[0]["width"] == 64 and records[0]["detections"]
    assert {d["label"] for d in records[0]["detections"]} <= set(COCO_CLASSES[1:])
    assert (tmp_path / "det" / "photo_detections.png").stat().st_size > 0
    # without weights: one clear line, not a traceback
    assert cli(["detect", str(image), "--weights", str(tmp_path / "nope.pth")]) == 1
    err = capsys.readouterr().err
    assert "no such weights file" in err and "Traceback" not in err
    assert cli(["detect", str(image)]) == 2


def test_map_labels_by_hand():
    names = ["person", "cat", "coin", "cup"]
    labels = torch.tensor([2, 3, 1, 4])
    mapped, keep = map_labels(labels, names, COCO_CLASSES[1:])
    assert keep.tolist() == [True, False, True, True]
    assert mapped[keep].tolist() == [COCO_CLASSES.index("cat"), COCO_CLASSES.index("person"),
                                     COCO_CLASSES.index("cup")]


def test_conversion_of_the_state_dict_is_from_torchvision(coco_like):
    tv, path = coco_like
    a = pretrained_ssd300(weights=path)
    b = from_torchvision(tv)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)


def test_the_upload_detector_names_the_pretrained_model_in_the_screenshot(coco_like, tmp_path):
    """Lesson 5's test-run screenshot with the trained SSD300: the figure's title says which
    detector (the caption is the course's: lesson, student, date, versions)."""
    from PIL import Image

    from ssd_core.data import sample_dataset
    from ssd_core.homework import save_screenshot
    from ssd_core.viz.detections import upload_detector

    model = pretrained_ssd300(weights=coco_like[1], device="cpu")
    detector = upload_detector(model, model.class_names, score=0.05)
    photo = sample_dataset().annotation(0)["path"]
    state = detector.open(photo)
    assert state["model"] == inference.PRETRAINED_NAME and state["file"] == Path(photo).name
    png = save_screenshot(detector, lesson=5, name="test_run_ssd300", student="李雷",
                          folder=tmp_path, quiet=True)
    caption = Image.open(png).text["Caption"]
    assert "李雷" in caption and "state:" not in caption
    titles = [t.get_text() for t in detector.figure.findobj(lambda a: hasattr(a, "get_text"))]
    assert any(inference.PRETRAINED_NAME in t for t in titles), titles
    # a model of one's own has no name unless given one
    assert "model" not in upload_detector(model, model.class_names, score=0.05,
                                          model_name="").open(photo)


def test_the_sample_photos_in_cocos_classes():
    """COCO's category ids, by hand: person 1, cat 17, cup 47, spoon 50; coins, eyes, helmets,
    rockets, flags, towers, cameras, tripods and saucers are not COCO classes."""
    from ssd_core.viz.pictures import samples_in_classes

    got = {p.name: p.labels.tolist() for p in samples_in_classes(COCO_CLASSES[1:])}
    assert got == {"astronaut": [1], "chelsea": [17], "coffee": [47, 50], "camera": [1]}


def test_the_detection_explorer_relabels_the_sample_photos(coco_like):
    from ssd_core.data import sample_dataset
    from ssd_core.viz.detections import detection_explorer

    model = pretrained_ssd300(weights=coco_like[1], device="cpu")
    samples = sample_dataset()
    explorer = detection_explorer(model, samples, model.class_names)
    ids = [samples.annotation(i)["image_id"] for i in range(len(samples))]
    for name, labels in {"chelsea": [17], "coffee": [47, 50], "coins": []}.items():
        _, truth, loc, conf, _ = explorer._load(ids.index(name))
        assert truth["labels"].tolist() == labels and len(truth["boxes"]) == len(labels)
        assert loc.shape == (8732, 4) and conf.shape == (8732, 91)
    # the shapes model on its own data is not relabelled
    assert explorer._truth_names == tuple(samples.classes)


def test_a_lesson_cell_goes_on_without_the_weights(tmp_path, monkeypatch, capsys, language):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    language("zh")
    monkeypatch.setattr(inference, "_TOLD", set())
    assert inference.pretrained_or_none("lesson1_detections") is None
    out = capsys.readouterr().out
    assert "快速测试模式不下载权重" in out and "六张示例照片" in out
    # the next cell says only what it would show
    assert inference.pretrained_or_none("lesson1_speed") is None
    out = capsys.readouterr().out
    assert "快速测试模式" not in out and "处理每张照片的时间" in out
    with pytest.raises(KeyError):
        inference.pretrained_or_none("lesson9")


def test_time_detection_says_what_it_measured(coco_like):
    model = pretrained_ssd300(weights=coco_like[1], device="cpu")
    photo = torch.randint(0, 256, (3, 200, 300), dtype=torch.uint8)
    t = inference.time_detection(model, [photo], repeats=1)
    assert t.seconds_per_image > 0 and t.images == 1 and t.device == "cpu"
    line = str(t)
    assert inference.PRETRAINED_NAME in line and "46" in line and f"{t.seconds_per_image:.2f}" in line
    with pytest.raises(ValueError):
        inference.time_detection(model, [])


def test_the_cells_of_a_lesson_share_one_model(coco_like, monkeypatch):
    monkeypatch.setattr(inference, "_LOADED", {})
    a = inference.pretrained_or_none("lesson1_outputs", weights=coco_like[1], device="cpu")
    b = inference.pretrained_or_none("lesson1_speed", weights=coco_like[1], device="cpu")
    assert a is b and a.num_classes == 91
