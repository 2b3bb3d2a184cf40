"""Lesson 4's helpers: the two maps (files and names exist, nothing missing), shape traces
against the paper's numbers and hand-computed cases, and one batch traced from file to loss."""

import copy
import importlib
import math
import re
from pathlib import Path

import nbformat
import pytest
import torch

import ssd_core as ssd
from ssd_core.course.paper_map import PAPER_MAP
from ssd_core.course.tf_port import TF_PORT
from ssd_core.homework import training_stages
from ssd_core.viz.batch_trace import plot_batch, trace_batch
from ssd_core.viz.code_maps import paper_map_markdown, tf_port_markdown
from ssd_core.viz.data_pictures import folder_tree, plot_pictures
from ssd_core.viz.source import resolve, show_source
from ssd_core.viz.traces import shape_of, trace_labels, trace_loss, trace_network

REPO = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ the maps


def test_paper_map_names_real_files_and_names():
    for row in PAPER_MAP:
        path = REPO / row.module
        assert path.is_file(), row.module
        module = importlib.import_module(row.module.removesuffix(".py").replace("/", "."))
        for name in row.names:
            assert hasattr(module, name), f"{row.module} has no {name}"
            # the name is defined in that file, not just imported there
            text = path.read_text()
            assert re.search(rf"^\s*(def|class) {name}\b|^{name}\s*[:=]", text, re.M), (row.module, name)


def test_paper_map_misses_no_module_of_the_core():
    listed = {row.module for row in PAPER_MAP}
    # the top layer (the lessons' explorers and homework) and the course text are not the paper
    core = {p.relative_to(REPO).as_posix() for p in (REPO / "ssd_core").rglob("*.py")
            if p.name not in ("__init__.py", "__main__.py")
            and not {"viz", "homework", "course"} & set(p.parts)}
    assert core - listed == set(), "add these modules to ssd_core.course.paper_map.PAPER_MAP"


def test_paper_map_links_resolve_from_the_lessons_folder():
    md = paper_map_markdown()
    links = re.findall(r"\]\((\.\./[^)]+)\)", md)
    assert len(links) == len(PAPER_MAP)
    for link in links:
        assert (REPO / "lessons" / "zh" / link).resolve().is_file(), link


def test_tf_port_map():
    files = {r.tf_file for r in TF_PORT}
    for required in ("nets/ssd_vgg_300.py", "nets/ssd_common.py",
                     "preprocessing/ssd_vgg_preprocessing.py"):
        assert required in files
    for row in TF_PORT:
        obj = resolve(row.ours)
        assert obj is not None and row.note
    md = tf_port_markdown()
    for link in re.findall(r"\]\((\.\./[^)]+)\)", md):
        assert (REPO / "lessons" / "en" / link).resolve().is_file(), link
    with pytest.raises(AttributeError):
        resolve("loss.no_such_function")


@pytest.mark.parametrize("edition", ["zh", "en"])
def test_lesson_4_shows_both_maps_as_they_are_now(edition, language):
    """Each edition shows the maps in its own language, exactly as the functions write them
    (rebuild the cells with `python -m tests.rebuild_maps` after changing a map)."""
    path = REPO / "lessons" / edition / "04_code_walkthrough.ipynb"
    if not path.exists():
        pytest.skip(f"no {edition} edition of lesson 4 yet")
    language(edition)
    nb = nbformat.read(str(path), as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert paper_map_markdown() in text, f"rebuild lesson 4 ({edition}): PAPER_MAP changed"
    assert tf_port_markdown() in text, f"rebuild lesson 4 ({edition}): TF_PORT changed"


# ------------------------------------------------------------------ source


def test_show_source_finds_the_real_lines():
    view = show_source(ssd.hard_negative_mining, docstring=False)
    lines = (REPO / "ssd_core" / "loss.py").read_text().splitlines()
    def_line = next(i for i, l in enumerate(lines, start=1) if l.startswith("def hard_negative_mining"))
    assert view.first_line == def_line and view.path == "ssd_core/loss.py"
    assert "topk" in view.source and "Pick, per image" not in view.source
    assert "Pick, per image" in show_source(ssd.hard_negative_mining).source
    assert view._repr_markdown_().startswith("**`hard_negative_mining`** in `ssd_core/loss.py`")


# ------------------------------------------------------------------ traces


def test_shape_of_by_hand():
    assert shape_of(torch.zeros(2, 3)) == "[2, 3]"
    assert shape_of([torch.zeros(3, 4), torch.zeros(1, 4)]) == "[3, 4] + [1, 4]"
    assert shape_of(torch.tensor(2.5)) == "2.5"


def test_trace_network_on_ssd300_gives_the_papers_shapes():
    torch.manual_seed(0)
    model = ssd.build_ssd(ssd.SSDConfig.ssd300(), num_classes=21).eval()
    trace, loc, conf = trace_network(model, torch.rand(1, 3, 300, 300), keep=True)
    shapes = trace.shapes
    # Fig. 2 of the paper: the six source maps of SSD300
    expected = {"conv4_3": (1, 512, 38, 38), "fc7": (1, 1024, 19, 19), "conv8_2": (1, 512, 10, 10),
                "conv9_2": (1, 256, 5, 5), "conv10_2": (1, 256, 3, 3), "conv11_2": (1, 256, 1, 1)}
    for name, shape in expected.items():
        step = next(s for s in shapes if s.endswith(name) and not s.startswith("head"))
        assert shapes[step] == shape, name
    # boxes per location 4, 6, 6, 6, 4, 4: loc channels 4 x that, conf channels 21 x that
    for name, boxes, side in zip(expected, (4, 6, 6, 6, 4, 4), (38, 19, 10, 5, 3, 1)):
        assert shapes[f"head.loc on {name}"] == (1, 4 * boxes, side, side)
        assert shapes[f"head.conf on {name}"] == (1, 21 * boxes, side, side)
    assert loc.shape == (1, 8732, 4) and conf.shape == (1, 8732, 21)
    assert 38 * 38 * 4 + 19 * 19 * 6 + 10 * 10 * 6 + 5 * 5 * 6 + 3 * 3 * 4 + 4 == 8732
    assert "5776" in str(trace) and "-> [1, 4, 21]" in str(trace)
    # L2Norm: every location's 512-vector has length 20 (the initial scale), whatever came in
    seen = trace.find("l2norm")
    assert seen.norm(dim=1).flatten() == pytest.approx(torch.full((38 * 38,), 20.0), rel=1e-4)
    with pytest.raises(KeyError, match="no kept step"):
        trace.find("nothing like this")


def test_trace_labels_by_hand():
    priors = torch.tensor([[0.50, 0.5, 0.2, 0.2],      # the object itself: IoU 1
                           [0.55, 0.5, 0.2, 0.2],      # IoU 0.03 / 0.05 = 0.6: positive
                           [0.10, 0.1, 0.1, 0.1]])     # far away: background
    targets = [{"boxes": torch.tensor([[0.4, 0.4, 0.6, 0.6]]), "labels": torch.tensor([3])}]
    trace, loc_t, labels, m = trace_labels(targets, priors)
    assert labels.tolist() == [[3, 3, 0]]
    # centre offset of prior 1: (0.5 - 0.55) / (0.2 * 0.1) = -2.5; sizes equal: log 1 / 0.2 = 0
    assert loc_t[0, 0].tolist() == pytest.approx([0, 0, 0, 0], abs=1e-6)
    assert loc_t[0, 1].tolist() == pytest.approx([-2.5, 0, 0, 0], abs=1e-5)
    text = str(trace)
    assert "positives per image [2], by step 1 only [0]" in text
    assert "best IoU per object 1.00" in text
    assert trace.stages == ["match", "encode"]


def test_trace_loss_by_hand():
    # one image, three default boxes, two classes (background, 1)
    labels = torch.tensor([[1, 0, 0]])
    loc = torch.zeros(1, 3, 4)
    loc_t = torch.tensor([[[2.0, 0, 0, 0], [9.0, 9, 9, 9], [9.0, 9, 9, 9]]])   # negatives' targets are ignored
    conf = torch.tensor([[[0.0, 0.0],       # positive: -log(1/2)
                          [0.0, 0.0],       # negative, loss log 2 = 0.693: the hardest
                          [2.0, 0.0]]])     # negative, loss log(1 + e^-2) = 0.127
    trace, parts = trace_loss(loc, conf, loc_t, labels, neg_pos_ratio=1)
    smooth_l1 = 2.0 - 0.5                    # |x| - 0.5 for |x| >= 1
    assert float(parts["loc"]) == pytest.approx(smooth_l1)
    assert float(parts["conf"]) == pytest.approx(2 * math.log(2), rel=1e-5)
    assert float(parts["loss"]) == pytest.approx(smooth_l1 + 2 * math.log(2), rel=1e-5)
    assert parts["negatives"].tolist() == [[False, True, False]]
    assert "N = 1 matched default boxes" in str(trace) and "per image [1]" in str(trace)
    # with ratio 3, both negatives (only two exist)
    _, parts3 = trace_loss(loc, conf, loc_t, labels, neg_pos_ratio=3)
    assert float(parts3["conf"]) == pytest.approx(2 * math.log(2) + math.log(1 + math.exp(-2)), rel=1e-5)


def test_trace_batch_follows_the_training_stages_and_gives_training_loss():
    from ssd_core.data import SSDAugmentation, batch_targets, collate
    from ssd_core.viz.mining import small_model

    samples = ssd.sample_dataset()
    index = {samples.annotation(i)["image_id"]: i for i in range(len(samples))}
    pick = [index["coffee"], index["chelsea"]]
    model = small_model(num_classes=len(samples.classes) + 1).eval()
    before = copy.deepcopy(model)
    bt = trace_batch(samples, pick, model, seed=5)
    order = [s.key for s in training_stages()]
    assert bt.trace.stages == [k for k in order if k in bt.trace.stages]
    assert bt.trace.stages[:2] == ["read", "photometric"] and bt.trace.stages[-2:] == ["backward", "step"]
    # it took one training step: the weights moved
    assert any(not torch.equal(p, q) for p, q in zip(model.parameters(), before.parameters()))
    model = before                                   # the loss below is the one before the step
    S = model.config.image_size
    assert bt.images.shape == (2, 3, S, S) and bt.loc.shape == (2, len(model.priors), 4)
    # the same batch built here directly: augmentation seeds 5 and 6, collate, match, loss
    aug = SSDAugmentation(S)
    direct = [aug(samples.load_image(i), samples.annotation(i), seed=5 + k) for k, i in enumerate(pick)]
    images, targets = collate(direct)
    loc_t, labels = batch_targets(targets, model.priors)
    with torch.no_grad():
        loc, conf = model(images)
    assert torch.equal(images, bt.images) and torch.equal(labels, bt.labels)
    ref = ssd.multibox_loss(loc, conf, loc_t, labels)
    assert float(bt.loss["loss"]) == pytest.approx(float(ref["loss"]), rel=1e-5)
    assert bt.image_ids == ["coffee", "chelsea"]
    fig = plot_batch(bt)
    pos = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "positives0"][0]
    assert len(pos.get_paths()) == int((labels[0] > 0).sum())


# ------------------------------------------------------------------ data pictures


def test_folder_tree_by_hand(tmp_path):
    root = tmp_path / "toy"
    (root / "Annotations").mkdir(parents=True)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    for n in ("a", "b", "c", "d"):
        (root / "Annotations" / f"{n}.xml").write_text("x")
    (root / "ImageSets" / "Main" / "train.txt").write_text("a\n")
    (root / "classes.txt").write_text("cat\n")
    assert folder_tree(root) == "\n".join([
        "toy/",
        "    Annotations/  (4 files)",
        "        a.xml, b.xml, c.xml, ...",
        "    ImageSets/",
        "        Main/  (1 file)",
        "            train.txt",
        "    classes.txt",
    ])


def test_plot_pictures_puts_boxes_in_pixels():
    image = torch.zeros(3, 20, 40, dtype=torch.uint8)
    image[:, 0, 0] = 255
    image[0, 0, 1] = 51
    fig = plot_pictures([(image, torch.tensor([[1.0, 2.0, 11.0, 7.0]]), "toy")])
    # uint8 is shown as floats in [0, 1]: 255 -> 1, 51 -> 0.2
    shown = fig.axes[0].images[0].get_array()
    assert shown.shape == (20, 40, 3) and shown[0, 0].tolist() == [1.0, 1.0, 1.0]
    assert shown[0, 1].tolist() == pytest.approx([0.2, 0, 0])
    boxes = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "boxes0"][0]
    corners = boxes.get_paths()[0].vertices[:4]
    assert corners.min(axis=0).tolist() == [1.0, 2.0] and corners.max(axis=0).tolist() == [11.0, 7.0]
    assert "40 x 20 px, 1 box(es)" in fig.axes[0].get_title()


def test_batch_and_picture_figures_in_chinese_and_in_english(language):
    from ssd_core.viz.mining import small_model

    from .test_l10n_run import check_chinese, check_english

    samples = ssd.sample_dataset()
    index = {samples.annotation(i)["image_id"]: i for i in range(len(samples))}
    model = small_model(num_classes=len(samples.classes) + 1).eval()
    bt = trace_batch(samples, [index["coffee"]], model, seed=5)
    positives = int((bt.labels[0] > 0).sum())
    image = torch.zeros(3, 20, 40, dtype=torch.uint8)
    box = torch.tensor([[1.0, 2.0, 11.0, 7.0]])
    assert f"coffee: {positives} positives" in check_english(plot_batch(bt))
    assert "toy\n40 x 20 px, 1 box(es)" in check_english(plot_pictures([(image, box, "toy")]))
    language("zh")
    check_chinese(plot_batch(bt), f"coffee：{positives} 个正样本，挖掘出")
    # the title as the lesson writes it, in the course's language
    check_chinese(plot_pictures([(image, box, "玩具")]), "玩具\n40×20 像素，1 个框")
    # a title given as a plain string is shown as it is
    check_chinese(plot_pictures([(image, torch.zeros(0, 4), "coffee")]),
                  "coffee\n40×20 像素，0 个框")


# ------------------------------------------------------------------ the tables in both languages


def _width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def assert_aligned(trace) -> str:
    """Assert that every column of a printed trace starts at the display column of its head (a
    Chinese character two wide), the rule as long as the head; returns the text."""
    text = str(trace)
    lines = text.splitlines()[1 if trace.title else 0:]
    head, rule, body = lines[0], lines[1], lines[2:]
    heads = re.split(r"\s{2,}", head)
    assert len(heads) == 4, head
    starts = [_width(head[:head.index(h)]) for h in heads]
    assert set(rule) == {"-"} and len(rule) == _width(head)
    assert len(body) == len(trace.rows)
    for line, (_, step, shape, note) in zip(body, trace.rows):
        end = len(line)
        if note:
            assert line.endswith(note), (line, note)
            end = len(line) - len(note)
            assert _width(line[:end]) == starts[3], (line, note)
        if shape:
            end = line.rfind(shape, 0, end)
            assert _width(line[:end]) == starts[2], (line, shape)
        i = line.rfind(step, 0, end)
        assert i > 0 and _width(line[:i]) == starts[1], (line, step)
    return text


def test_traces_print_in_chinese_aligned_and_in_english(tmp_path, language):
    """The trace tables in the course's language: titles, heads, stages, row labels and notes;
    code names (head.loc on conv4_3, ssd_core.multibox_loss, the augmentation steps) as they
    are; the columns line up in both languages; the keys of shapes, tensors and stages do not
    depend on the language."""
    from ssd_core.viz.mining import small_model

    from .test_l10n_run import CJK

    samples = ssd.sample_dataset()
    index = {samples.annotation(i)["image_id"]: i for i in range(len(samples))}
    priors = torch.tensor([[0.50, 0.5, 0.2, 0.2], [0.55, 0.5, 0.2, 0.2], [0.10, 0.1, 0.1, 0.1]])
    targets = [{"boxes": torch.tensor([[0.4, 0.4, 0.6, 0.6]]), "labels": torch.tensor([3])}]
    conf = torch.tensor([[[0.0, 0.0, 0, 0], [0.0, 0.0, 0, 0], [2.0, 0.0, 0, 0]]])
    root = tmp_path / "toy"
    (root / "Annotations").mkdir(parents=True)
    (root / "Annotations" / "a.xml").write_text("x")
    (root / "Annotations" / "b.xml").write_text("x")
    torch.manual_seed(0)
    ssd300 = ssd.build_ssd(ssd.SSDConfig.ssd300(), num_classes=21).eval()

    def traces():
        net, _, _ = trace_network(ssd300, torch.rand(1, 3, 300, 300), detail=True, keep=True)
        labels_trace, loc_t, labels, _ = trace_labels(targets, priors)
        loss_trace, _ = trace_loss(torch.zeros(1, 3, 4), conf, loc_t, labels, neg_pos_ratio=1)
        model = small_model(num_classes=len(samples.classes) + 1).eval()
        batch = trace_batch(samples, [index["coffee"]], model, seed=5)
        return net, labels_trace, loss_trace, batch.trace

    english = traces()
    for trace in english:
        text = assert_aligned(trace)
        assert not CJK.search(text), text
    assert "atrous: dilation 6" in str(english[0]) and "source map conv4_3" in str(english[0])
    assert "Annotations/  (2 files)" in folder_tree(root)

    language("zh")
    chinese = traces()
    for zh, en in zip(chinese, english):
        text = assert_aligned(zh)
        title, head = text.splitlines()[:2]
        assert CJK.search(title) and head.split() == ["阶段", "步骤", "形状", "说明"], text
        # every row says something in Chinese, but for rows of code names and numbers only
        plain = [r for r in zh.rows if not CJK.search("".join(r))]
        assert all(re.fullmatch(r"[\w.:/ ()\[\],+\-*=]*", "".join(r[1:])) for r in plain), plain
        assert len(plain) < len(zh.rows) / 2, plain
        # the same keys as in English: code that reads a trace works in both languages
        assert zh.stages == en.stages and list(zh.shapes) == list(en.shapes)
    net, labels_trace, loss_trace, batch = (str(t) for t in chinese)
    assert "空洞卷积：膨胀率 6" in net and "源特征图 conv4_3" in net and "预测头  head.loc on conv4_3" in net
    assert "-> [1, 5776, 4]（38×38 个位置 × 每个位置 4 个框）" in net
    assert "每张图像的正样本 [2]，仅靠第 1 步得到的 [0]" in labels_trace
    assert "匹配  默认框（priors）" in labels_trace and "编码  定位目标" in labels_trace
    assert "N = 2 个匹配上的默认框" in loss_trace and "每张图像 [1] = min(1 × 正样本数，负样本数)" in loss_trace
    assert "ssd_core.multibox_loss" in loss_trace
    for stage in ("读取", "组批", "匹配", "编码", "前向传播", "损失", "挖掘", "反向传播", "更新"):
        assert re.search(rf"^{stage} ", batch, re.M), stage
    assert re.search(r"^zoom_out +图像 0 ", batch, re.M) and "coffee.jpg" in batch
    # find() takes a step's key or its label as shown
    assert torch.equal(chinese[0].find("图像"), chinese[0].find("images"))
    assert chinese[1].shapes["default boxes (priors)"] == (3, 4)
    assert "Annotations/  （2 个文件）" in folder_tree(root)
