"""Lesson 5's tools: the detection explorer and the upload detector on a model whose outputs
are set by hand, the VOC "found" rule, the live loss curve, the settings choice, the ablation."""

import datetime as dt
import io
import math
import re

import pytest
import torch
from matplotlib.patches import Rectangle
from PIL import Image
from torch import nn

from ssd_core.config import SSDConfig
from ssd_core.draw import running_mean
from ssd_core.recipes import choose_settings
from ssd_core.viz.detections import count_found, detection_explorer, read_upload, upload_detector
from ssd_core.viz.training import LiveLossPlot, ablation_table, compare_runs

# Three default boxes (cx, cy, w, h). A and B overlap with IoU 0.036 / 0.044 = 0.818; C is apart.
PRIORS = torch.tensor([[0.30, 0.30, 0.2, 0.2],
                       [0.32, 0.30, 0.2, 0.2],
                       [0.70, 0.70, 0.2, 0.2]])
# Softmax probabilities (background, class 1, class 2) of each default box.
PROBS = torch.tensor([[0.1, 0.8, 0.1],       # A: class 1 at 0.8
                      [0.3, 0.6, 0.1],       # B: class 1 at 0.6
                      [0.4, 0.1, 0.5]])      # C: class 2 at 0.5
CLASSES = ("disc", "block")


class FakeSSD(nn.Module):
    """Predicts zero offsets (boxes = default boxes) and the class probabilities above,
    whatever the image; counts its forward passes."""

    def __init__(self):
        super().__init__()
        self.config = SSDConfig("fake", 64, (1,), (64,), (12.8,), (12.8,), ((),))
        self.num_classes = 3
        self.register_buffer("priors", PRIORS.clone())
        self.bias = nn.Parameter(torch.zeros(()))
        self.calls = 0

    def forward(self, images):
        self.calls += 1
        B = images.shape[0]
        assert images.shape[1:] == (3, 64, 64) and images.dtype == torch.float32
        loc = torch.zeros(B, 3, 4) + 0 * self.bias
        conf = PROBS.log().expand(B, 3, 3).clone()
        return loc, conf


class TinyDataset:
    """Two 80 x 60 images; image 0 has a class-1 object at A and a class-2 object at C,
    image 1 only a difficult class-1 object at A."""

    classes = CLASSES

    def __len__(self):
        return 2

    def load_image(self, i):
        return torch.full((3, 60, 80), 100 + 50 * i, dtype=torch.uint8)

    def annotation(self, i):
        scale = torch.tensor([80.0, 60.0, 80.0, 60.0])
        a = torch.tensor([0.2, 0.2, 0.4, 0.4]) * scale
        c = torch.tensor([0.6, 0.6, 0.8, 0.8]) * scale
        if i == 0:
            return {"boxes": torch.stack([a, c]), "labels": torch.tensor([1, 2]),
                    "difficult": torch.tensor([False, False]), "image_id": "img0"}
        return {"boxes": a[None], "labels": torch.tensor([1]), "difficult": torch.tensor([True]),
                "image_id": "img1"}


class ShapesDataset(TinyDataset):
    """:class:`TinyDataset` with two classes of the shapes dataset, which the course shows in
    Chinese (圆形, 正方形)."""

    classes = ("circle", "square")


def rectangles(fig):
    return [p for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle)]


def solid(fig):
    return [r for r in rectangles(fig) if r.get_linestyle() == "-"]


def dashed(fig):
    return [r for r in rectangles(fig) if r.get_linestyle() == "--"]


# ------------------------------------------------------------------ detection explorer


@pytest.mark.parametrize("score, nms, detections, found, candidates", [
    (0.4, 0.45, 2, 2, 3),     # A (0.8) suppresses B (IoU 0.82 > 0.45); C (class 2, 0.5) stays
    (0.4, 0.90, 3, 2, 3),     # B survives NMS at 0.9 (0.82 < 0.9): a duplicate of object 1
    (0.55, 0.45, 1, 1, 2),    # C (0.5) is below the score; A alone
    (0.85, 0.45, 0, 0, 0),    # nothing scores above 0.85
])
def test_detection_explorer_by_hand(score, nms, detections, found, candidates):
    model = FakeSSD()
    e = detection_explorer(model, TinyDataset(), max_images=None)
    s = e.set(score=score, nms=nms, image=0)
    assert (s["detections"], s["found"], s["objects"], s["candidates"]) == (detections, found, 2, candidates)
    assert f"detections={detections}" in e.state_line and e.state_line.startswith("state: image=0")
    assert len(solid(e.figure)) == detections and len(dashed(e.figure)) == 2
    if detections:
        # the best detection is A, drawn in image pixels: x from 0.2 * 80 = 16 to 0.4 * 80 = 32
        xs = sorted(r.get_x() for r in solid(e.figure))
        assert xs[0] == pytest.approx(16.0, abs=1e-4)


def test_detection_explorer_runs_the_network_once_per_image():
    model = FakeSSD()
    e = detection_explorer(model, TinyDataset(), max_images=None)
    for score in (0.1, 0.3, 0.5):
        e.set(score=score)
    assert model.calls == 1
    s = e.set(image=1, score=0.4, truth=False)
    assert model.calls == 2
    # the only object of image 1 is difficult: it does not count, and it is not drawn now
    assert (s["objects"], s["found"]) == (0, 0) and dashed(e.figure) == []
    e.set(image=0)
    assert model.calls == 2 and e.controls["image"].max == 1


def test_detection_explorer_refuses_an_empty_dataset():
    class Empty(TinyDataset):
        def __len__(self):
            return 0

    with pytest.raises(ValueError, match="no images"):
        detection_explorer(FakeSSD(), Empty())


def test_count_found_follows_the_voc_rule():
    truth = {"boxes": torch.tensor([[0.0, 0.0, 0.5, 0.5], [0.5, 0.5, 1.0, 1.0], [0.0, 0.5, 0.5, 1.0]]),
             "labels": torch.tensor([1, 1, 2]), "difficult": torch.tensor([False, False, True])}
    dets = {"boxes": torch.tensor([[0.0, 0.0, 0.5, 0.5],      # object 0: found
                                   [0.0, 0.0, 0.5, 0.5],      # duplicate of object 0
                                   [0.5, 0.5, 1.0, 0.9],      # object 1, IoU 0.8: found
                                   [0.0, 0.5, 0.5, 1.0],      # object 2 is difficult
                                   [0.5, 0.5, 1.0, 1.0]]),    # right place, wrong class
            "scores": torch.tensor([0.9, 0.8, 0.7, 0.6, 0.5]),
            "labels": torch.tensor([1, 1, 1, 2, 2])}
    assert count_found(dets, truth) == 2
    # IoU 0.8 is enough at 0.5, not at 0.85
    assert count_found(dets, truth, iou_threshold=0.85) == 1


# ------------------------------------------------------------------ uploads


def png_bytes(w=40, h=30, color=(10, 200, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, format="PNG")
    return buf.getvalue()


def upload_value(name, data):
    return ({"name": name, "type": "", "size": len(data), "content": memoryview(data),
             "last_modified": dt.datetime(2024, 1, 1)},)


def test_read_upload_reads_images_and_names_bad_files():
    (name, im), = read_upload(upload_value("me.png", png_bytes()))
    assert name == "me.png" and im.size == (40, 30) and im.mode == "RGB"
    # ipywidgets 7's form: {name: {"content": bytes}}
    (name, im), = read_upload({"old.png": {"content": png_bytes(5, 6)}})
    assert name == "old.png" and im.size == (5, 6)
    with pytest.raises(ValueError, match="no file uploaded yet"):
        read_upload(())
    with pytest.raises(ValueError, match="'notes.txt' is not an image.*JPEG or PNG"):
        read_upload(upload_value("notes.txt", b"my notes, not a photo"))
    with pytest.raises(ValueError, match="'empty.jpg' is empty"):
        read_upload(upload_value("empty.jpg", b""))
    with pytest.raises(ValueError, match="'cut.png' is not an image"):
        read_upload(upload_value("cut.png", png_bytes()[:30]))       # a truncated PNG


def test_upload_detector_on_a_photo_a_file_and_garbage(tmp_path):
    model = FakeSSD()
    d = upload_detector(model, CLASSES)
    assert d.state == {"file": "none", "detections": 0} and solid(d.figure) == []
    d.controls["upload"].value = upload_value("drawing.png", png_bytes(100, 50))
    s = d.state
    assert (s["file"], s["size"], s["detections"], s["classes"]) == ("drawing.png", "100x50", 2, "block,disc")
    assert len(solid(d.figure)) == 2
    d.set(nms=0.9)
    assert d.state["detections"] == 3 and model.calls == 1          # thresholds only: no new forward
    path = tmp_path / "photo.png"
    path.write_bytes(png_bytes(20, 20))
    s = d.open(path)
    assert s["file"] == "photo.png" and s["size"] == "20x20" and model.calls == 2
    bad = tmp_path / "readme.md"
    bad.write_text("# not a photo")
    s = d.open(bad)
    assert "error" in s and "'readme.md' is not an image" in s["error"]
    assert 'state: error="' in d.state_line
    with pytest.raises(FileNotFoundError, match="no such file"):
        d.open(tmp_path / "missing.jpg")


# ------------------------------------------------------------------ live curve


def test_running_mean_by_hand():
    assert running_mean([4.0, 2.0, 6.0, 8.0], 2) == pytest.approx([4.0, 3.0, 4.0, 7.0])
    out = running_mean([1.0, float("nan"), 3.0], 3)
    assert out == pytest.approx([1.0, 1.0, 2.0])


def test_live_plot_redraws_at_most_once_per_interval():
    now = [0.0]
    live = LiveLossPlot(interval=1.0, smooth=2, clock=lambda: now[0], display=False)
    rows = [(0.0, 4.0), (0.3, 2.0), (0.6, 6.0), (1.1, 8.0), (1.5, 5.0)]
    for i, (t, loss) in enumerate(rows, start=1):
        now[0] = t
        live.on_step({"iteration": i, "total": 10, "epoch": 1, "loss": loss, "loc": 1.0,
                      "conf": loss - 1.0, "lr": 1e-3, "images_per_s": 5.0})
    assert live.redraws == 2                                  # at t = 0 and t = 1.1
    now[0] = 1.6
    live.on_epoch({"epoch": 1, "loss": 5.0, "map07": 0.25, "map_area": 0.3})
    assert live.redraws == 3
    fig = live.figure
    lines = {l.get_gid(): l for ax in fig.axes for l in ax.lines}
    assert list(lines["loss_raw"].get_ydata()) == [4.0, 2.0, 6.0, 8.0, 5.0]
    assert list(lines["loss"].get_ydata()) == pytest.approx([4.0, 3.0, 4.0, 7.0, 6.5])
    assert list(lines["map07"].get_ydata()) == [25.0]                 # in percent, as the paper
    assert live.epochs[-1]["map07"] == 0.25                             # the row keeps a fraction
    assert live.state_line == "state: iteration=5 total=10 epoch=1 loss=5.000 map07=25.0"


# ------------------------------------------------------------------ settings


def test_choose_settings(tmp_path):
    voc = tmp_path / "with_voc"
    (voc / "VOCdevkit" / "VOC2007").mkdir(parents=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    s, why = choose_settings(device="cpu", quick=False, data_dir=empty, workdir=tmp_path)
    assert (s.preset, s.dataset, s.device) == ("small", "shapes", "cpu")
    assert any("shapes" in w for w in why) and s.run_dir == str(tmp_path / "runs")
    s, why = choose_settings(device="cuda", quick=False, data_dir=voc, workdir=tmp_path)
    assert (s.preset, s.dataset, s.model) == ("ssd300-voc", "voc", "ssd300")
    assert any("released SSD300 schedule" in w for w in why)
    s, _ = choose_settings(device="cpu", quick=False, data_dir=voc, workdir=tmp_path)
    assert (s.preset, s.dataset) == ("small", "voc")
    # a GPU without VOC: the paper's SSD300 on the shapes, ImageNet's VGG16 when it can be had
    s, why = choose_settings(device="cuda", quick=False, data_dir=empty, workdir=tmp_path)
    assert (s.preset, s.dataset, s.model, s.pretrained_backbone) == (
        "ssd300-shapes", "shapes", "ssd300", "auto")
    assert any("ssd300-shapes" in w for w in why)
    s, _ = choose_settings("small", dataset="shapes", device="cpu", augment=False, quick=False,
                           data_dir=voc, workdir=tmp_path)
    assert (s.preset, s.dataset, s.augment) == ("small", "shapes", False) and "-noaug-" in s.name
    # the small preset keeps only the flip; a switch changes one step and keeps the others
    s, _ = choose_settings(device="cpu", quick=False, data_dir=empty, workdir=tmp_path)
    assert s.augmentation == {"photometric": False, "zoom_out": False, "iou_crop": False}
    s, _ = choose_settings(device="cpu", augmentation={"zoom_out": True}, quick=False,
                           data_dir=empty, workdir=tmp_path)
    assert s.augment and "zoom_out" in s.name and "zoom_outoff" not in s.name
    assert s.augmentation == {"photometric": False, "zoom_out": True, "iou_crop": False}


def test_the_settings_say_why_in_chinese_and_in_english(tmp_path, language):
    """Every reason of choose_settings and resolve_data comes in the course's language: which
    data, which splits, which preset, which device; names, paths and commands stay as typed."""
    from ssd_core.recipes import make_settings, resolve_data

    from .data_fixtures import obj, tiny_devkit, write_folder, xml_with
    from .test_l10n_run import CJK

    voc = tmp_path / "with_voc"
    (voc / "VOCdevkit" / "VOC2007").mkdir(parents=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    mine = tmp_path / "mine"
    for split in ("train", "val"):
        write_folder(mine, {f"{split}1": (xml_with(obj("cat", 2, 3, 20, 25)), None)}, split=split)
    devkit = tiny_devkit(tmp_path / "devkit")

    def reasons() -> list[str]:
        out = []
        for device, data in (("cpu", empty), ("cuda", voc), ("cuda", empty), ("cpu", voc)):
            out += choose_settings(device=device, quick=False, data_dir=data, workdir=tmp_path)[1]
        out += choose_settings("small", dataset="shapes", device="cpu", augment=False, quick=False,
                               data_dir=voc, workdir=tmp_path)[1]
        out += choose_settings(device="cpu", quick=True, workdir=tmp_path)[1]
        out += choose_settings(device="cpu", quick=False, workdir=tmp_path)[1]
        for settings in (make_settings("ssd300-voc", data_dir=str(devkit)),
                         make_settings("small", data_dir=str(mine)),
                         make_settings("small", dataset="voc", data_dir=str(mine))):
            out += resolve_data(settings).reasons
        return out

    english = reasons()
    assert not [r for r in english if CJK.search(r)]
    assert any("released SSD300 schedule" in r for r in english)
    assert any(r.startswith("device: cpu; augmentation OFF") for r in english)
    language("zh")
    chinese = reasons()
    assert len(chinese) == len(english)
    assert not [r for r in chinese if not CJK.search(r)]
    # no English sentence is left: what is not Chinese is a name, a path, a number or a command
    words = {"data", "preset", "device", "augmentation", "splits", "the", "for", "with", "and",
             "on", "in", "is", "as", "asked", "found", "empty", "made", "there", "folder", "has",
             "released", "schedule", "trains", "training", "validation", "epochs", "hours",
             "minutes", "tiny", "real", "run", "one", "epoch", "of", "paper", "images", "get"}
    for r in chinese:
        rest = re.sub(r"`[^`]*`|/\S*|'[^']*'|\{[^}]*\}", "", r)
        assert not set(re.findall(r"\b[a-z]+\b", rest)) & words, r
    assert any(r.startswith("预设：ssd300-voc") and "cuda" in r and "发布的 SSD300 训练方案" in r
               for r in chinese)
    assert any(r.startswith("预设：ssd300-shapes") and "cuda" in r for r in chinese)
    assert f"数据：{empty} 是空文件夹，所以在那里生成 shapes 数据集" in chinese
    assert any("07+12 用于训练，2007-test 用于验证（论文的划分" in r for r in chinese)
    assert "数据划分：train 用于训练，val 用于验证（文件夹里有 train 和 val）" in chinese
    assert any(r.startswith("SSD_COURSE_QUICK=1：") for r in chinese)
    assert any(r.startswith("设备：cpu；数据增强：关闭") for r in chinese)
    assert any(r.startswith("设备：cpu；数据增强：开启，各步骤 {'photometric': False") for r in chinese)


def test_quick_settings_stay_in_the_work_folder(tmp_path):
    s, why = choose_settings(device="cpu", quick=True, workdir=tmp_path)
    assert (s.preset, s.dataset, s.epochs, s.iterations) == ("small", "shapes", 1, None)
    assert s.run_dir.startswith(str(tmp_path)) and "QUICK" in why[0]
    assert s.data_dir.endswith("shapes-quick") and s.shapes_train + s.shapes_val <= 80


# ------------------------------------------------------------------ ablation


def test_ablation_table_and_plot():
    on = [{"epoch": 1, "loss": 9.0, "map07": 0.1}, {"epoch": 2, "loss": 7.0, "map07": 0.3}]
    off = [{"epoch": 1, "loss": 8.0, "map07": 0.2}, {"epoch": 2, "loss": 5.0, "map07": ""}]
    table = ablation_table({"augmentation on": on, "augmentation off": off}).splitlines()
    assert table[1].split()[-4:] == ["2", "7.000", "30.0", "30.0"]       # mAP in percent
    assert table[2].split()[-4:] == ["2", "5.000", "20.0", "20.0"]       # last evaluated epoch
    fig = compare_runs({"on": on, "off": off})
    lines = {l.get_gid(): l for ax in fig.axes for l in ax.lines}
    assert list(lines["loss:off"].get_ydata()) == [8.0, 5.0]
    assert list(lines["map:off"].get_xdata()) == [1.0]
    assert math.isclose(lines["map:on"].get_ydata()[1], 30.0)


# ------------------------------------------------------------------ in Chinese, in English


def widget_words(explorer) -> str:
    """The title line and the control labels of an explorer."""
    return "\n".join([explorer.widget.children[0].value]
                     + [w.description for w in explorer.controls.values()])


def test_detection_explorer_in_chinese_and_in_english(language):
    from .test_l10n_run import CJK, check_chinese, check_english

    e = detection_explorer(FakeSSD(), TinyDataset(), max_images=None)
    english_state = e.state_line
    assert "Detections" in widget_words(e) and not CJK.search(widget_words(e))
    check_english(e.figure)
    language("zh")
    e = detection_explorer(FakeSSD(), TinyDataset(), max_images=None)
    words = widget_words(e)
    assert "检测结果查看器" in words and "真实框" in words
    assert [w.description for w in e.controls.values()] == ["图像", "置信度 ≥", "NMS 阈值", "显示真实框"]
    text = check_chinese(e.figure, "img0：2 个检测结果（NMS 之前有 3 个框高于置信度阈值）")
    assert re.search(r"；2 个\w+中找到了 2 个", text), text
    assert e.state_line == english_state                     # keys and values stay as they are
    # the classes of the course are shown in Chinese on the boxes; the state line keeps the data's
    e = detection_explorer(FakeSSD(), ShapesDataset(), max_images=None)
    check_chinese(e.figure, "圆形 0.80", "正方形 0.50")
    assert "classes=circle,square" in e.state_line
    with pytest.raises(ValueError, match="数据集里没有图像"):
        class Empty(TinyDataset):
            def __len__(self):
                return 0
        detection_explorer(FakeSSD(), Empty())


def test_upload_detector_in_chinese_and_in_english(language, tmp_path):
    from .test_l10n_run import CJK, check_chinese, check_english

    d = upload_detector(FakeSSD(), CLASSES)
    assert "No photo yet" in check_english(d.figure) and not CJK.search(widget_words(d))
    d.controls["upload"].value = upload_value("drawing.png", png_bytes(100, 50))
    assert "2 detections at score ≥ 0.40: block, disc" in check_english(d.figure)
    language("zh")
    d = upload_detector(FakeSSD(), CLASSES)
    assert "你的照片" in widget_words(d) and d.controls["upload"].description == "上传"
    check_chinese(d.figure, "还没有照片：点击“上传”")
    d.controls["upload"].value = upload_value("我的画.png", png_bytes(100, 50))
    check_chinese(d.figure, "我的画.png", "置信度不低于 0.40 的检测结果有 2 个：block、disc")
    assert d.state["classes"] == "block,disc"
    d = upload_detector(FakeSSD(), ("circle", "square"))
    d.controls["upload"].value = upload_value("我的画.png", png_bytes(100, 50))
    check_chinese(d.figure, "的检测结果有 2 个：圆形、正方形", "圆形 0.80", "正方形 0.50")
    assert d.state["classes"] == "circle,square"
    with pytest.raises(FileNotFoundError, match="没有这个文件"):
        d.open(tmp_path / "missing.jpg")


def test_live_plot_and_ablation_table_in_chinese(language):
    from .test_l10n_run import CJK, check_chinese, check_english

    def live_plot():
        live = LiveLossPlot(smooth=2, display=False)
        empty = live.figure
        for i in range(1, 5):
            live.on_step({"iteration": i, "total": 10, "epoch": 1, "loss": 5.0 - i, "loc": 1.0,
                          "conf": 4.0 - i, "lr": 1e-3, "images_per_s": 5.0})
        live.on_epoch({"epoch": 1, "loss": 2.0, "map07": 0.25, "map_area": 0.3})
        return empty, live.figure

    runs = {"数据增强开": [{"epoch": 1, "loss": 9.0, "map07": 0.1}],
            "augmentation off": [{"epoch": 1, "loss": 8.0, "map07": 0.2}]}
    empty, fig = live_plot()
    assert "waiting for the first iteration" in check_english(empty)
    assert "iteration 4 of 10, epoch 1: loss 1.000" in check_english(fig)
    assert not CJK.search(ablation_table(runs).splitlines()[0])
    language("zh")
    empty, fig = live_plot()
    check_chinese(empty, "正在等待第一次迭代")
    check_chinese(fig, "迭代 4/10，第 1 轮：损失 1.000，学习率 0.001，5.0 张/秒", "总损失", "迭代次数")
    table = ablation_table(runs).splitlines()
    assert table[0].split() == ["训练", "轮数", "最终损失", "最终", "mAP07", "最佳", "mAP07"]
    assert table[2].split()[-4:] == ["1", "8.000", "20.0", "20.0"]
    # the columns line up on screen: a Chinese character is two columns wide
    width = lambda line: len(line) + len(CJK.findall(line))
    assert len({width(line) for line in table}) == 1
