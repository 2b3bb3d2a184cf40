"""The training run: exact resume, robustness, checkpoints, the schedule, DDP and the CLI.

Everything runs the small model on a tiny shapes dataset on the CPU.
"""

import importlib
import json
import math
import os
import shutil
import socket
import warnings
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from ssd_core import SSDConfig
from ssd_core.checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from ssd_core.cli import main as cli
from ssd_core.recipes import make_settings
from ssd_core.train import TrainingDiverged, lr_factor, train


@pytest.fixture(scope="module")
def shapes_root(tmp_path_factory):
    from ssd_core.data import make_shapes

    return make_shapes(tmp_path_factory.mktemp("data") / "shapes", num_train=16, num_val=4,
                       image_size=96, seed=1, workers=1)


def tiny(shapes_root, run_dir, **kw):
    base = dict(preset="small", dataset="shapes", data_dir=str(shapes_root), run_dir=str(run_dir),
                shapes_train=16, shapes_val=4, epochs=2, batch_size=8, warmup_iters=2,
                progress=False, seed=3)
    base.update(kw)
    return make_settings(**base)


@pytest.fixture(scope="module")
def full_run(shapes_root, tmp_path_factory):
    """One run of the tiny settings (two epochs, four iterations), shared by the tests that only
    read it: its result, every step's report, and a copy of last.pt after each epoch."""
    runs = tmp_path_factory.mktemp("runs")
    snapshots = tmp_path_factory.mktemp("snapshots")
    steps = []

    def keep_epoch_checkpoint(row):
        shutil.copy(runs / "full" / "last.pt", snapshots / f"epoch{row['epoch']}.pt")

    result = train(tiny(shapes_root, runs, name="full"), callback=keep_epoch_checkpoint,
                   on_step=steps.append)
    return SimpleNamespace(result=result, run=runs / "full", steps=steps, snapshots=snapshots)


def stop_at(iteration):
    """An ``on_step`` that presses Ctrl-C after ``iteration``."""
    def on_step(report):
        if report["iteration"] == iteration:
            raise KeyboardInterrupt
    return on_step


def same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    return all(torch.equal(sa[k], sb[k]) for k in sa)


def test_interrupted_and_resumed_equals_uninterrupted(shapes_root, full_run, tmp_path):
    full = full_run.result
    assert len(full.history) == 2 and not full.interrupted

    # Ctrl-C in the middle of epoch 2 (iteration 3 of 4), then --resume
    part = train(tiny(shapes_root, tmp_path / "b", name="cut"), on_step=stop_at(3))
    assert part.interrupted and len(part.history) == 1
    state = load_checkpoint(tmp_path / "b" / "cut" / "last.pt")
    assert (state["epoch"], state["step_in_epoch"], state["iteration"]) == (1, 1, 3)
    resumed = train(tiny(shapes_root, tmp_path / "b", resume=str(tmp_path / "b" / "cut" / "last.pt")))
    assert same_weights(full.model, resumed.model)

    # killed without warning during epoch 2: resume from the checkpoint of epoch 1
    killed = tmp_path / "c" / "killed"
    killed.mkdir(parents=True)
    shutil.copy(full_run.snapshots / "epoch1.pt", killed / "last.pt")
    again = train(tiny(shapes_root, tmp_path / "c", resume=str(killed / "last.pt")))
    assert same_weights(full.model, again.model)
    assert [r["loss"] for r in again.history] == [r["loss"] for r in full.history]
    # and the comparison can fail: one step fewer gives other weights
    assert not same_weights(full.model, part.model)


def test_on_step_reports_every_iteration(full_run):
    steps, result = full_run.steps, full_run.result
    # 16 images, batch 8, 2 epochs: 4 iterations, numbered 1..4, two per epoch
    assert [s["iteration"] for s in steps] == [1, 2, 3, 4]
    assert [s["epoch"] for s in steps] == [1, 1, 2, 2] and {s["total"] for s in steps} == {4}
    for row in result.history:   # the epoch row's loss is the mean of its steps' losses
        mine = [s["loss"] for s in steps if s["epoch"] == row["epoch"]]
        assert math.isclose(row["loss"], sum(mine) / len(mine), rel_tol=1e-6)
        assert all(math.isclose(s["loss"], s["loc"] + s["conf"], rel_tol=1e-5) for s in steps)


def test_run_folder_contents(full_run, shapes_root):
    result, run = full_run.result, full_run.run
    for name in ("last.pt", "best.pt", "metrics.csv", "curves.png", "detections.png",
                 "pr_curves.png", "run.json"):
        assert (run / name).stat().st_size > 0, name
    header = (run / "metrics.csv").read_text().splitlines()[0].split(",")
    assert {"epoch", "loss", "loc", "conf", "map07", "map_area", "images_per_s"} <= set(header)
    assert 0.0 <= result.best_map <= 1.0
    assert not list(run.glob("*.tmp")) and not list(run.glob(".*.tmp"))
    stored = json.loads((run / "run.json").read_text())
    written = (shapes_root / "classes.txt").read_text().split()         # the data's own list
    assert stored["classes"] == written == stored["data"]["classes"]
    assert stored["settings"]["epochs"] == 2 and stored["world_size"] == 1


def test_non_finite_steps_are_skipped_then_stop(shapes_root, tmp_path, monkeypatch):
    tr = importlib.import_module("ssd_core.train")  # the module: ssd_core.train is the function

    real = tr.multibox_loss
    calls = {"n": 0}

    def sometimes_nan(*a, **k):
        out = real(*a, **k)
        calls["n"] += 1
        if calls["n"] == 2:
            out["loss"] = out["loss"] * float("nan")
        return out

    monkeypatch.setattr(tr, "multibox_loss", sometimes_nan)
    with pytest.warns(UserWarning, match="step skipped"):
        result = train(tiny(shapes_root, tmp_path, name="one-nan", epochs=1))
    assert not result.interrupted and len(result.history) == 1

    def always_nan(*a, **k):
        out = real(*a, **k)
        out["loss"] = out["loss"] + float("inf")
        return out

    monkeypatch.setattr(tr, "multibox_loss", always_nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(TrainingDiverged, match="learning rate"):
            train(tiny(shapes_root, tmp_path, name="all-nan", epochs=3, max_bad_steps=3))


def test_checkpoints_refuse_the_wrong_model_and_survive_failed_writes(tmp_path, monkeypatch,
                                                                      language):
    path = tmp_path / "ck.pt"
    config = SSDConfig.small()
    save_checkpoint(path, {"config": config.to_dict(), "classes": ["a", "b"], "model": {}})
    assert load_checkpoint(path, config=config, classes=["a", "b"])["classes"] == ["a", "b"]
    with pytest.raises(CheckpointError, match="made for config 'small'; this run's config 'ssd300' "
                                              "differs from it in .*image_size 192 / 300"):
        load_checkpoint(path, config=SSDConfig.ssd300())
    # the same preset with other default boxes (a small SSD saved before 2026-12-07): the
    # message names what differs, not two whole configs
    older = config.replace(aspect_ratios=((2,),) + config.aspect_ratios[1:])
    with pytest.raises(CheckpointError) as refused:
        load_checkpoint(path, config=older)
    message = str(refused.value)
    assert "aspect_ratios" in message and "min_sizes" not in message
    with pytest.raises(CheckpointError, match="made for classes a, b, not a, c"):
        load_checkpoint(path, classes=["a", "c"])
    language("zh")
    with pytest.raises(CheckpointError, match="本次训练的配置 'ssd300' 与它在这些地方不同：.*image_size 192 / 300"):
        load_checkpoint(path, config=SSDConfig.ssd300())
    with pytest.raises(CheckpointError, match="没有找到检查点文件"):
        load_checkpoint(tmp_path / "missing.pt")
    language("en")
    # a crash in the middle of writing leaves the old checkpoint whole
    before = path.read_bytes()

    def crash(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", crash)
    with pytest.raises(OSError):
        save_checkpoint(path, {"config": {}, "classes": []})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.pt"]
    monkeypatch.undo()
    # truncated and foreign files get a clear message
    (tmp_path / "cut.pt").write_bytes(before[: len(before) // 2])
    with pytest.raises(CheckpointError, match="cannot be read"):
        load_checkpoint(tmp_path / "cut.pt")
    torch.save({"weights": 1}, tmp_path / "foreign.pt")
    with pytest.raises(CheckpointError, match="not an ssd_core checkpoint"):
        load_checkpoint(tmp_path / "foreign.pt")


def test_resume_refuses_another_class_list(shapes_root, full_run, tmp_path):
    ck = load_checkpoint(full_run.run / "last.pt")
    ck["classes"] = ["apple", "pear"]
    save_checkpoint(tmp_path / "r" / "other.pt", ck)
    with pytest.raises(CheckpointError, match="made for classes"):
        train(tiny(shapes_root, tmp_path, resume=str(tmp_path / "r" / "other.pt")))


def test_paper_schedule_by_hand():
    s = make_settings("ssd300-voc")
    assert (s.lr, s.momentum, s.weight_decay, s.batch_size, s.iterations) == (1e-3, 0.9, 5e-4, 32, 120_000)
    total = s.iterations
    assert lr_factor(0, total, s) == pytest.approx(1 / 1000)           # warm-up starts low
    assert lr_factor(999, total, s) == pytest.approx(1.0)
    assert lr_factor(79_999, total, s) == pytest.approx(1.0)
    assert lr_factor(80_000, total, s) == pytest.approx(0.1)           # x0.1 at 80k
    assert lr_factor(99_999, total, s) == pytest.approx(0.1)
    assert lr_factor(100_000, total, s) == pytest.approx(0.01)         # and at 100k
    assert lr_factor(119_999, total, s) == pytest.approx(0.01)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_ddp_on_two_gloo_processes(shapes_root, tmp_path):
    """A caller's own process group (not torchrun's): train() trains in it and leaves it.

    The two processes are forked from a server that imported torch and ssd_core once (7 s on
    two cores, against 18 s for two spawned processes that import everything each)."""
    import multiprocessing

    from tests.ddp_worker import train_in_own_group

    multiprocessing.set_forkserver_preload(["tests.ddp_worker"])
    settings = tiny(shapes_root, tmp_path / "runs", name="ddp", epochs=1)
    torch.multiprocessing.start_processes(
        train_in_own_group, args=(2, _free_port(), settings, str(tmp_path)), nprocs=2,
        join=True, start_method="forkserver")
    r0, r1 = torch.load(tmp_path / "rank0.pt"), torch.load(tmp_path / "rank1.pt")
    assert torch.equal(r0["weights"], r1["weights"])   # gradients were averaged: one model
    assert r0["group_kept"] and r1["group_kept"]       # the caller's group, left to the caller
    run = tmp_path / "runs" / "ddp"
    assert (run / "last.pt").is_file() and (run / "metrics.csv").is_file()
    rows = (run / "metrics.csv").read_text().splitlines()
    assert len(rows) == 2                          # written once, by rank 0
    state = load_checkpoint(run / "last.pt")
    # 16 images, 2 ranks of 4 per step: 2 iterations per epoch
    assert state["iteration"] == 2 and state["world_size"] == 2
    # resumed by one process, the run says why not and how, before it writes anything
    before = sorted(p.name for p in run.iterdir())
    with pytest.raises(CheckpointError) as refused:
        train(tiny(shapes_root, tmp_path / "runs", resume=str(run / "last.pt")))
    message = str(refused.value)
    assert str(run / "last.pt") in message and "world size 2" in message
    assert "world size 1" in message and "torchrun --nproc_per_node 2" in message
    assert sorted(p.name for p in run.iterdir()) == before


def test_cli_train_evaluate_detect(shapes_root, tmp_path, capsys):
    code = cli(["train", "--dataset", "shapes", "--data-dir", str(shapes_root), "--epochs", "1",
                "--batch-size", "8", "--run-dir", str(tmp_path), "--name", "cli", "--quiet"])
    assert code == 0
    ck = tmp_path / "cli" / "last.pt"
    assert cli(["evaluate", "--checkpoint", str(ck)]) == 0
    out = capsys.readouterr().out
    assert "mAP" in out and "AP50" in out and "circle" in out
    assert (tmp_path / "cli" / "evaluation.json").is_file()
    image = next((shapes_root / "JPEGImages").glob("*.jpg"))
    assert cli(["detect", str(image), "--checkpoint", str(ck), "--out", str(tmp_path / "det"),
                "--score-threshold", "0.0"]) == 0
    assert (tmp_path / "det" / f"{image.stem}_detections.png").stat().st_size > 0
    import json

    records = json.loads((tmp_path / "det" / "detections.json").read_text())
    assert records[0]["width"] == 96 and isinstance(records[0]["detections"], list)
    # a bad checkpoint path is one clear line, not a traceback
    assert cli(["evaluate", "--checkpoint", str(tmp_path / "nope.pt")]) == 1
    assert "no such checkpoint" in capsys.readouterr().err


def test_cpu_bf16_is_read_from_the_flags(tmp_path):
    from ssd_core.device import cpu_has_bf16

    zen4 = tmp_path / "zen4"
    zen4.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\n\n")
    spr = tmp_path / "spr"
    spr.write_text("processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f amx_tile amx_bf16\n")
    old = tmp_path / "old"
    old.write_text("processor\t: 0\nmodel name\t: bf16 in the name does not count\n"
                   "flags\t\t: fpu sse2 avx2 avx512f avx512bw\n")
    assert cpu_has_bf16(zen4) and cpu_has_bf16(spr)
    assert not cpu_has_bf16(old)
    assert not cpu_has_bf16(tmp_path / "missing")


def test_resolve_amp(monkeypatch):
    module = importlib.import_module("ssd_core.device")
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    monkeypatch.setattr(module, "cpu_has_bf16", lambda: True)
    assert module.resolve_amp("auto", cpu) == "bf16"
    monkeypatch.setattr(module, "cpu_has_bf16", lambda: False)
    assert module.resolve_amp("auto", cpu) == "off"
    assert module.resolve_amp("auto", cuda) == "bf16"
    assert module.resolve_amp("bf16", cpu) == "bf16" and module.resolve_amp("off", cuda) == "off"
    with pytest.raises(ValueError, match="needs CUDA"):
        module.resolve_amp("fp16", cpu)
    with pytest.raises(ValueError, match="'auto', 'bf16'"):
        module.resolve_amp("half", cpu)


def test_bf16_inference_decodes_in_float32_close_to_float32():
    from ssd_core.models import build_ssd
    from ssd_core.device import autocast

    torch.manual_seed(0)
    model = build_ssd(SSDConfig.small(), 6).eval()
    images = torch.rand(2, 3, 192, 192)
    cpu = torch.device("cpu")
    with torch.no_grad():
        loc32, conf32 = model(images)
        with autocast(cpu, "bf16"):
            loc16, conf16 = model(images)
            dets = model.detect(images)
    assert loc16.dtype == torch.bfloat16            # autocast really ran in bf16 ...
    assert all(d["boxes"].dtype == torch.float32 and d["scores"].dtype == torch.float32
               for d in dets)                        # ... and decoding did not
    # bf16 keeps 8 bits of mantissa: the raw outputs agree to about 1 % of their range
    for a, b in ((loc16, loc32), (conf16, conf32)):
        assert (a.float() - b).abs().max() <= 0.03 * b.abs().max()


# ------------------------------------------------------------------ your own data


def digits_folder(root, names=("bar", "block"), classes_txt=None):
    """A VOC-layout folder as a new user has one: train/val splits only (no trainval.txt), a
    classes.txt listing ``names`` in ``classes_txt`` (default: the folder itself; False: none),
    wide boxes of ``names[0]`` and tall ones of ``names[1]`` drawn on noise, XML typed as text."""
    import numpy as np
    from PIL import Image, ImageDraw

    from tests.data_fixtures import obj, xml_with

    rng = np.random.default_rng(0)
    (root / "ImageSets" / "Main").mkdir(parents=True)
    (root / "Annotations").mkdir()
    (root / "JPEGImages").mkdir()
    if classes_txt is not False:
        ((classes_txt or root) / "classes.txt").write_text("\n".join(names) + "\n")
    splits = {"train": [f"t{i:03d}" for i in range(16)], "val": [f"v{i:03d}" for i in range(4)]}
    for split, ids in splits.items():
        (root / "ImageSets" / "Main" / f"{split}.txt").write_text("\n".join(ids) + "\n")
        for image_id in ids:
            img = Image.fromarray(rng.integers(0, 80, (96, 96, 3), dtype=np.uint8))
            draw = ImageDraw.Draw(img)
            x, y = (int(v) for v in rng.integers(4, 40, 2))
            w, h = (int(v) for v in rng.integers(20, 50, 2))
            name = names[0] if w > h else names[1]
            draw.rectangle([x, y, x + w - 1, y + h - 1],
                           fill=(230, 200, 40) if name == names[0] else (40, 200, 230))
            img.save(root / "JPEGImages" / f"{image_id}.jpg")
            xml = xml_with(obj(name, x + 1, y + 1, x + w, y + h), width=96, height=96)
            (root / "Annotations" / f"{image_id}.xml").write_text(xml)
    return root


def test_own_data_a_missing_split_names_the_ones_there(tmp_path, capsys):
    data = digits_folder(tmp_path / "digits")
    code = cli(["train", "--data-dir", str(data), "--train-split", "trainval", "--epochs", "1",
                "--run-dir", str(tmp_path / "runs"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "trainval.txt" in err and "train, val" in err
    assert "--train-split" in err and "Traceback" not in err


def train_and_evaluate_from_the_cli(data, runs, name, capsys):
    """``train`` (tiny) then ``evaluate`` from the command line; ``(train's output, run.json,
    the checkpoint, evaluate's output)``."""
    assert cli(["train", "--data-dir", str(data), "--epochs", "1", "--batch-size", "8",
                "--run-dir", str(runs), "--name", name, "--quiet"]) == 0
    trained = capsys.readouterr().out
    run = runs / name
    assert cli(["evaluate", "--checkpoint", str(run / "last.pt")]) == 0
    return (trained, json.loads((run / "run.json").read_text()), load_checkpoint(run / "last.pt"),
            capsys.readouterr().out)


def test_own_classes_txt_beside_the_devkit(tmp_path, capsys):
    """Handwritten digits in a one-year devkit, their classes.txt beside VOCdevkit/, in the
    folder --data-dir names (it used to fail: "unknown class 'three' (classes: aeroplane...").
    The plain split names of the one year are taken; the file's order is the labels' order."""
    data = tmp_path / "digits"
    digits_folder(data / "VOCdevkit" / "VOC2007", names=("three", "seven"), classes_txt=data)
    assert [p.relative_to(data) for p in data.rglob("classes.txt")] == [Path("classes.txt")]
    out, stored, ck, evaluated = train_and_evaluate_from_the_cli(data, tmp_path / "runs", "dk",
                                                                    capsys)
    assert (stored["data"]["train_split"], stored["data"]["val_split"]) == ("train", "val")
    assert stored["classes"] == ["three", "seven"] == stored["data"]["classes"]     # not sorted
    assert ck["classes"] == ["three", "seven"] == ck["data"]["classes"]
    assert "4 images of" in evaluated and "three" in evaluated and "seven" in evaluated
    assert "names the training split's annotations use" not in out


def test_own_data_without_a_class_list_through_the_cli(tmp_path, capsys):
    """Your own folder, no split named and no classes.txt anywhere, names that are not VOC's:
    the run takes the folder's train/val and says so; the class list is the sorted names of
    the training split's annotations, printed, stored in run.json and the checkpoint with the
    rest of the data choice, and used by evaluate (on the val split) and detect."""
    data = digits_folder(tmp_path / "digits", names=("three", "seven"), classes_txt=False)
    out, stored, ck, evaluated = train_and_evaluate_from_the_cli(data, tmp_path / "runs", "found",
                                                                    capsys)
    assert "splits: train for training, val for validation" in out
    assert "the training split's annotations use, sorted: seven, three" in out
    assert stored["data"]["kind"] == "voc" and stored["data"]["root"] == str(data.resolve())
    assert (stored["data"]["train_split"], stored["data"]["val_split"]) == ("train", "val")
    assert stored["classes"] == ["seven", "three"] == stored["data"]["classes"]
    assert ck["classes"] == ["seven", "three"] == ck["data"]["classes"]
    assert ck["data"]["val_split"] == "val"
    assert f"4 images of {data.resolve()} (val)" in evaluated
    assert "seven" in evaluated and "three" in evaluated
    run = tmp_path / "runs" / "found"
    assert json.loads((run / "evaluation.json").read_text())["split"] == "val"
    image = next((data / "JPEGImages").glob("v*.jpg"))
    assert cli(["detect", str(image), "--checkpoint", str(tmp_path / "runs" / "found" / "last.pt"),
                "--out", str(tmp_path / "det"), "--score-threshold", "0.0"]) == 0
    labels = {d["label"] for r in json.loads((tmp_path / "det" / "detections.json").read_text())
              for d in r["detections"]}
    assert labels and labels <= {"seven", "three"}


def test_epochs_zero_is_refused(tmp_path, capsys):
    assert cli(["train", "--epochs", "0", "--run-dir", str(tmp_path)]) == 1
    assert "epochs must be 1 or more" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())                 # nothing was started or written


def test_resolve_data_by_hand(tmp_path):
    from ssd_core.recipes import resolve_data

    data = digits_folder(tmp_path / "digits")
    choice = resolve_data(make_settings("small", data_dir=str(data)))
    assert (choice.kind, choice.train_split, choice.val_split) == ("voc", "train", "val")
    # the user's splits win, even for the small preset (it used to swap in 07+12)
    choice = resolve_data(make_settings("small", data_dir=str(data), train_split="val",
                                        val_split="train"))
    assert (choice.train_split, choice.val_split) == ("val", "train")
    # the paper's devkit: 07+12 for training, 2007-test for testing
    from tests.data_fixtures import tiny_devkit

    choice = resolve_data(make_settings("ssd300-voc", data_dir=str(tiny_devkit(tmp_path / "voc"))))
    assert (choice.kind, choice.train_split, choice.val_split) == ("voc", "07+12", "2007-test")
    # an empty folder gets the shapes; a missing one is an error, not a dataset made there
    (tmp_path / "empty").mkdir()
    assert resolve_data(make_settings("small", data_dir=str(tmp_path / "empty"))).kind == "shapes"
    from ssd_core.data import DatasetError

    with pytest.raises(DatasetError, match="no such folder"):
        resolve_data(make_settings("small", data_dir=str(tmp_path / "typo")))


def test_the_data_choice_explains_itself_in_both_languages(tmp_path, language):
    """Each wrong data folder gets a sentence saying what is wrong and the flag that fixes it,
    in the course's language; paths and flags stay as they are typed."""
    from ssd_core.data import DatasetError
    from ssd_core.recipes import DataChoice, _default_splits, _open_split, resolve_data

    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "cat.jpg").write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    data = digits_folder(tmp_path / "digits")
    choice = DataChoice("voc", str(data), "trainval", "val")

    def messages():
        out = []
        for settings in (make_settings("small", data_dir=str(tmp_path / "typo")),
                         make_settings("small", data_dir=str(tmp_path / "photos")),
                         make_settings("small", dataset="voc", data_dir=str(tmp_path / "empty"))):
            with pytest.raises(DatasetError) as e:
                resolve_data(settings)
            out.append(str(e.value))
        for splits in (["a", "b"], []):
            with pytest.raises(DatasetError) as e:
                _default_splits(data, splits)
            out.append(str(e.value))
        with pytest.raises(DatasetError) as e:
            _open_split(choice, "trainval", "train")
        out.append(str(e.value))
        return out

    typo, photos, empty, ab, none, split = messages()
    assert typo.startswith(f"{tmp_path / 'typo'}: no such folder") and "--data-dir" in typo
    assert "no dataset in VOC layout" in photos and "--dataset shapes" in photos
    assert "no PASCAL VOC there" in empty and f"data voc --root {tmp_path / 'empty'}" in empty
    assert "it has a, b." in ab and "--train-split NAME --val-split NAME" in ab
    assert "no split files (ImageSets/Main/<split>.txt)" in none
    assert "trainval.txt" in split and "choose another with --train-split NAME" in split
    language("zh")
    typo, photos, empty, ab, none, split = messages()
    assert typo.startswith(f"{tmp_path / 'typo'}：没有这个文件夹") and "--data-dir" in typo
    assert "这里没有 VOC 目录结构的数据集" in photos and "--dataset shapes" in photos
    assert "这里没有 PASCAL VOC" in empty and f"data voc --root {tmp_path / 'empty'}" in empty
    assert "这里有 a, b。" in ab and "--train-split NAME --val-split NAME" in ab
    assert "没有划分文件（ImageSets/Main/<split>.txt）" in none
    assert "trainval.txt" in split and "请用 --train-split NAME 另选一个" in split


def test_imagenet_weights_auto_falls_back_to_fresh_weights(tmp_path, monkeypatch):
    """"auto" (the GPU preset ssd300-shapes) trains on when VGG16's ImageNet weights cannot be
    had; True stops with the message that says where to put the file."""
    from ssd_core.models import WeightsUnavailableError

    tr = importlib.import_module("ssd_core.train")
    tried = []

    def offline(model, *a, **k):
        tried.append(type(model).__name__)
        raise WeightsUnavailableError("no VGG16 weights here (put the file in the hub cache)")

    monkeypatch.setattr(tr, "load_vgg16_imagenet", offline)
    from ssd_core.data import make_shapes

    two = make_shapes(tmp_path / "two", num_train=2, num_val=1, image_size=96, seed=1, workers=1)
    kw = dict(model="ssd300", epochs=1, batch_size=2, shapes_train=2, shapes_val=1)
    with pytest.raises(WeightsUnavailableError, match="hub cache"):
        train(tiny(two, tmp_path, name="strict", pretrained_backbone=True, **kw))
    with pytest.warns(UserWarning, match="fresh weights"):           # one SSD300 step
        result = train(tiny(two, tmp_path, name="auto", pretrained_backbone="auto", **kw))
    assert tried == ["SSD", "SSD"] and len(result.history) == 1


def test_quick_val_looks_at_a_few_images_until_the_last_epoch(shapes_root, full_run, tmp_path):
    """quick_val: epochs before the last evaluate the first N validation images, the last one
    all of them (4 here); metrics.csv says how many each row used."""
    result = train(tiny(shapes_root, tmp_path, name="q", epochs=3, quick_val=2))
    assert [row["val_images"] for row in result.history] == [2, 2, 4]
    assert [row["val_images"] for row in full_run.result.history] == [4, 4]   # without it


def test_the_epoch_line_in_both_languages(language):
    tr = importlib.import_module("ssd_core.train")
    row = {"epoch": 3, "loss": 2.5, "loc": 1.0, "conf": 1.5, "images_per_s": 80.0,
           "map07": 0.5, "map_area": 0.52, "val_images": 100}
    language("zh")
    zh = tr._row_text(row)
    # mAP in percent, as the paper's tables (the row keeps fractions)
    assert zh.startswith("第 3 轮") and "损失 2.500" in zh and "80.0 张/秒" in zh
    assert "，mAP07 50.0，曲线下面积 mAP 52.0" in zh and "0.500" not in zh and "100 张验证图像" in zh
    assert "area" not in zh
    language("en")
    en = tr._row_text(row)
    assert en == ("epoch 3: loss 2.500 (loc 1.000, conf 1.500), 80.0 img/s, mAP07 50.0, area mAP "
                  "52.0 on 100 validation images")
    en = tr._row_text({**row, "map07": "", "map_area": "", "val_images": ""})
    assert en == "epoch 3: loss 2.500 (loc 1.000, conf 1.500), 80.0 img/s"


# ------------------------------------------------------------------ torchrun


def test_torchrun_launches_one_run_of_two_processes(shapes_root, tmp_path):
    """The README's command (`torchrun` is `python -m torch.distributed.run`; the test adds its
    tiny data and a scratch run folder), on two CPU processes (gloo): `train` joins the group
    itself, each process trains on its half of every epoch, DDP keeps one model, and rank 0
    alone prints and writes. What each process read, wrote and held at the end is recorded
    from outside ssd_core (tests/torchrun_probe/sitecustomize.py: audit hooks)."""
    import json
    import subprocess
    import sys
    from collections import Counter
    from hashlib import sha256
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    probe, runs = tmp_path / "probe", tmp_path / "runs"
    probe.mkdir()
    env = {**os.environ, "SSD_TEST_PROBE": str(probe), "PYTHONPATH": os.pathsep.join(
        [str(root / "tests" / "torchrun_probe"), str(root), os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone",
               "--nproc_per_node", "2", "-m", "ssd_core", "train", "--device", "cpu",
               "--epochs", "2", "--batch-size", "8", "--name", "cpu2",
               "--data-dir", str(shapes_root), "--run-dir", str(runs)]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]

    run = runs / "cpu2"
    assert json.loads((run / "run.json").read_text())["world_size"] == 2
    assert [p.name for p in runs.iterdir()] == ["cpu2"]
    ranks = [json.loads((probe / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert [(p["rank"], p["world"]) for p in ranks] == [(0, 2), (1, 2)]

    # one model: both processes hold the weights rank 0 saved in last.pt
    saved = load_checkpoint(run / "last.pt")
    assert saved["world_size"] == 2 and saved["iteration"] == 4     # 16 images, 8 a step, 2 epochs
    assert ranks[0]["weights"] and ranks[0]["names"] == ranks[1]["names"]
    h = sha256()
    for name in ranks[0]["names"]:
        h.update(saved["model"][name].contiguous().numpy().tobytes())
    assert ranks[0]["weights"] == ranks[1]["weights"] == h.hexdigest()

    # every epoch, the two halves are the training set, each image once, and the halves change
    train_ids = (shapes_root / "ImageSets" / "Main" / "train.txt").read_text().split()
    read = [[Path(p).stem for p in r["images"] if Path(p).stem in train_ids] for r in ranks]
    assert [len(r) for r in read] == [16, 16]                     # 8 images a process an epoch
    halves = [[r[:8], r[8:]] for r in read]
    for epoch in (0, 1):
        assert Counter(halves[0][epoch] + halves[1][epoch]) == Counter(train_ids)
    assert set(halves[0][0]) != set(halves[0][1])

    # rank 0 alone wrote the run (and nothing else wrote into the data) and printed
    def wrote(r, under):
        return [p for p in ranks[r]["written"] if Path(p).is_relative_to(under.resolve())]

    assert wrote(1, runs) == [] and wrote(1, shapes_root) == [] and wrote(0, shapes_root) == []
    assert str((run / "run.json").resolve()) in wrote(0, runs)
    assert str((run / "last.pt").resolve()) in wrote(0, runs)
    for line in ("training on ", "training in 2 processes (gloo)", "epoch 1: loss", "epoch 2: loss",
                 "run: "):
        assert done.stdout.count(line) == 1, (line, done.stdout)
