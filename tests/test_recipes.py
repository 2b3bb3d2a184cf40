"""One settings story: TrainSettings is the record, the ``train`` options are made from its
fields, lesson 5's choose_settings builds on make_settings, the quick mode's shapes are decided
once, and a class list comes from --classes, a classes.txt, or the annotations.

Nothing here trains; the runs themselves are in test_train.py.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import subprocess
import sys
import typing
from pathlib import Path

import pytest

from ssd_core import recipes
from ssd_core.cli import build_parser, settings_from_args
from ssd_core.recipes import (PRESETS, cpu_budget, TrainSettings, choose_settings, make_datasets,
                              make_settings, resolve_data)

from .data_fixtures import obj, write_folder, xml_with

ROOT = Path(__file__).resolve().parents[1]
FIELDS = {f.name: f for f in dataclasses.fields(TrainSettings)}
HINTS = typing.get_type_hints(TrainSettings)
#: The fields with no command-line option, on purpose (a dict has no flag a person types).
PYTHON_ONLY = {"augmentation"}


def flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def parse(*argv: str) -> TrainSettings:
    return settings_from_args(build_parser().parse_args(["train", *argv]))


def another_value(name: str):
    """``(the words typed, the value the field should then hold)``: a value unlike the default
    preset's, chosen from the field's type alone."""
    default = getattr(make_settings(), name)
    hint = HINTS[name]
    choices = FIELDS[name].metadata.get("choices")
    if hint is bool:
        return ([f"--no-{flag(name)[2:]}"] if default else [flag(name)]), not default
    if name == "pretrained_backbone":
        return [flag(name), "auto"], "auto"
    if typing.get_origin(hint) is tuple:
        return [flag(name), "0.5", "0.75"], (0.5, 0.75)
    if choices:
        value = next(c for c in choices if c != default)
        return [flag(name), value], value
    base = {int, float, str} & {hint, *typing.get_args(hint)}
    if base == {int}:
        value = (default or 2) + 1
    elif base == {float}:
        value = 0.125
    else:
        value = f"typed-{name}"
    return [flag(name), str(value)], value


def test_every_setting_is_an_option_of_train_and_reaches_the_settings():
    """Each field of TrainSettings but the Python-only ones is an option of ``train``; typing
    it changes that field, and only it (a flag mapped by hand to the wrong field, or a field
    left without a flag, fails here)."""
    parser = build_parser()
    train = next(a for a in parser._actions if a.dest == "command").choices["train"]
    options = {a.dest: a for a in train._actions if a.dest != "help"}
    assert set(options) == set(FIELDS) - PYTHON_ONLY
    assert {f.name for f in FIELDS.values() if f.metadata.get("cli") is False} == PYTHON_ONLY
    def plain(given: dict) -> TrainSettings:
        """The preset, laid over a time budget where a CPU run gives no length (cpu_budget)."""
        minutes = cpu_budget("small", given.get("device", make_settings().device), given)
        return make_settings(**({} if minutes is None else {"minutes": minutes}))

    for name in set(FIELDS) - PYTHON_ONLY:
        argv, expected = another_value(name)
        got = parse(*argv)
        assert getattr(got, name) == expected, (argv, getattr(got, name))
        if name != "preset":          # a preset changes the fields it sets; others stay
            base = plain({name: expected})
            changed = {f for f in FIELDS if getattr(got, f) != getattr(base, f)}
            assert changed == {name}, (argv, changed)
    assert parse() == plain({})                               # nothing typed: the preset
    # the older names of flags still work
    assert parse("--workers", "3").num_workers == 3
    assert parse("--no-augment").augment is False
    assert parse("--no-pretrained", "--preset", "ssd300-voc").pretrained_backbone is False
    assert parse("--quiet").progress is False
    assert parse("--preset", "ssd300-voc").iterations == 120_000
    with pytest.raises(SystemExit):
        build_parser().parse_args(["train", "--pretrained-backbone", "maybe"])


def shown(name: str) -> str:
    """How the help writes a field's default (the default preset's value)."""
    value = getattr(make_settings(), name)
    if value is None:
        return FIELDS[name].metadata.get("default_text", "none")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return " ".join(f"{v:g}" for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def test_train_help_lists_every_option_with_its_default():
    """``python -m ssd_core train --help``, as a user runs it: every option of the record,
    its default, and the presets that set another value."""
    env = dict(os.environ, COLUMNS="100", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "ssd_core", "train", "--help"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout[out.stdout.index("options:"):]
    # one block per option: from its line to the next option's
    blocks = {m.group(1): re.sub(r"\s+", " ", m.group(2))
              for m in re.finditer(r"^  (--[a-z-]+)(.*?)(?=^  -|\Z)", text, re.S | re.M)}
    for name in set(FIELDS) - PYTHON_ONLY:
        block = blocks[flag(name)]
        assert f"(default: {shown(name)}" in re.sub(r"\s+", " ", block), (name, block)
    assert "ssd300-voc, ssd512-voc: 120000" in blocks["--iterations"]
    assert "ssd300-voc, ssd512-voc, ssd300-shapes: 32" in blocks["--batch-size"]
    assert "--augment, --no-augment" in text and "--quiet" in text and "--workers" in text


def test_choose_settings_builds_on_make_settings(tmp_path):
    """Lesson 5's settings are make_settings' with what lesson 5 decides on top (the preset,
    the device, the data, the run's folder and name); no default of its own for the fields."""
    assert list(inspect.signature(choose_settings).parameters) == [
        "preset", "quick", "workdir", "fields"]
    empty = tmp_path / "empty"
    empty.mkdir()
    s, _ = choose_settings(device="cpu", quick=False, workdir=tmp_path, data_dir=str(empty),
                           epochs=3, lr=0.01, seed=7)
    plain = make_settings("small", data_dir=str(empty), epochs=3, lr=0.01, seed=7)
    decided = {"dataset", "device", "run_dir", "name"}
    assert {f for f in FIELDS if getattr(s, f) != getattr(plain, f)} == decided
    assert (s.dataset, s.device, s.run_dir) == ("shapes", "cpu", str(tmp_path / "runs"))
    # a preset's own values count: ssd300-voc on a folder of VOC layout
    voc = write_folder(tmp_path / "mine", {"a": (xml_with(obj("cat", 2, 3, 20, 25)), None)},
                       split="train")
    (voc / "ImageSets" / "Main" / "val.txt").write_text("a\n")
    s, _ = choose_settings("ssd300-voc", device="cpu", quick=False, workdir=tmp_path,
                           data_dir=str(voc))
    assert (s.iterations, s.batch_size, s.dataset) == (120_000, 32, "voc")
    with pytest.raises(ValueError, match="unknown training settings"):
        choose_settings(device="cpu", quick=False, workdir=tmp_path, epochz=3)


def test_the_quick_shapes_are_decided_in_one_place(tmp_path, monkeypatch):
    """In the quick mode the shapes' folder and sizes are the same wherever they are asked
    for: the data choice and its reason, lesson 5's settings, and the dataset made."""
    monkeypatch.setattr(recipes, "default_shapes_root", lambda: tmp_path / "generated" / "shapes")
    monkeypatch.setenv(recipes.QUICK_ENV, "1")
    quick_root = tmp_path / "generated" / "shapes-quick"
    settings = make_settings("small", dataset="shapes", shapes_train=6, shapes_val=2)
    choice = resolve_data(settings)
    assert choice.root == str(quick_root.resolve())
    assert f"{recipes.QUICK_ENV}=1: a small shapes dataset (6 + 2 images)" in choice.reasons
    lesson, _ = choose_settings(device="cpu", workdir=tmp_path)
    assert lesson.data_dir == str(quick_root)
    assert (lesson.shapes_train, lesson.shapes_val) == (64, 16)
    assert any("(64 + 16 images)" in r for r in resolve_data(
        make_settings("small", dataset="shapes")).reasons)
    _config, train_set, val_set, _choice = make_datasets(settings, choice)
    assert (len(train_set), len(val_set)) == (6, 2)


def folder_without_a_class_list(root: Path) -> Path:
    """Handwritten digits named as words (not VOC's classes), no classes.txt: train and val."""
    for split, items in (("train", {"t1": [("seven", 2, 3, 20, 25), ("three", 5, 5, 9, 9)],
                                    "t2": [("one", 1, 1, 30, 20)]}),
                         ("val", {"v1": [("three", 2, 2, 12, 12)]})):
        write_folder(root, {i: (xml_with("".join(obj(*o) for o in objs)), (40, 30))
                            for i, objs in items.items()}, split=split)
    return root


def test_a_class_list_from_classes_or_from_the_annotations(tmp_path):
    data = folder_without_a_class_list(tmp_path / "digits")
    # no list: the names the training split uses, sorted, and a reason that lists them
    s = make_settings("small", data_dir=str(data), augment=False)
    _config, train_set, val_set, choice = make_datasets(s, resolve_data(s))
    assert choice.classes == ("one", "seven", "three") == train_set.classes == val_set.classes
    assert train_set.classes_from == "annotations"
    assert choice.reasons[-1].endswith("sorted: one, seven, three")
    # --classes FILE: that list, in its order, read when the data are resolved
    listed = tmp_path / "digits.txt"
    listed.write_text("three\nseven\none\ntwo\n")
    s = parse("--data-dir", str(data), "--classes", str(listed), "--no-augment")
    assert s.classes == str(listed)
    choice = resolve_data(s)
    assert choice.classes == ("three", "seven", "one", "two")
    assert any(str(listed) in r for r in choice.reasons)
    _config, train_set, _val, choice = make_datasets(s, choice)
    assert train_set.classes == ("three", "seven", "one", "two")
    assert train_set.annotation(0)["labels"].tolist() == [2, 1]
    assert not any("sorted" in r for r in choice.reasons)


def test_the_names_found_are_said_in_the_students_language(tmp_path, language):
    data = folder_without_a_class_list(tmp_path / "digits")
    s = make_settings("small", data_dir=str(data), augment=False)
    language("zh")
    reason = make_datasets(s, resolve_data(s))[3].reasons[-1]
    assert "one, seven, three" in reason and re.search(r"[\u4e00-\u9fff]", reason)
    assert "annotations" not in reason


def test_settings_refuse_nonsense_as_they_are_made():
    with pytest.raises(ValueError, match="epochs must be 1 or more"):
        make_settings("small", epochs=0)
    with pytest.raises(ValueError, match="optimizer must be"):
        dataclasses.replace(make_settings(), optimizer="adam")
    assert all(make_settings(p).preset == p for p in PRESETS)


def test_lesson_5_on_a_cpu_trains_within_a_time_budget(tmp_path):
    """Issue 24: lesson 5's CPU cell (small preset, no length given) is a five-minute budget
    run; a length the student gives wins, the quick mode keeps its one epoch, and a GPU preset
    keeps its schedule."""
    from ssd_core.recipes import LESSON_MINUTES

    empty = tmp_path / "empty"
    empty.mkdir()
    s, reasons = choose_settings(device="cpu", quick=False, workdir=tmp_path,
                                 data_dir=str(empty))
    assert LESSON_MINUTES == 5.0 and s.minutes == 5.0
    assert any("5 minutes" in r for r in reasons)
    for given in ({"epochs": 3}, {"iterations": 40}, {"minutes": 2.0}):
        s, _ = choose_settings(device="cpu", quick=False, workdir=tmp_path,
                               data_dir=str(empty), **given)
        assert s.minutes == given.get("minutes"), given
    s, _ = choose_settings(device="cpu", quick=True, workdir=tmp_path)
    assert s.minutes is None and s.epochs == 1
    s, _ = choose_settings("ssd300-shapes", device="cpu", quick=False, workdir=tmp_path,
                           data_dir=str(empty))
    assert s.minutes is None


def test_a_bare_train_on_a_cpu_is_the_lessons_five_minute_budget(monkeypatch):
    """``python -m ssd_core train`` with no length on a CPU runs the budget lesson 5 runs
    (issue 24: a laptop's first run ends on time); a length typed, another preset, a GPU or the
    quick mode keep the preset's own length."""
    monkeypatch.delenv(recipes.QUICK_ENV, raising=False)
    assert parse().minutes == recipes.LESSON_MINUTES == 5.0
    assert parse("--device", "cpu").minutes == 5.0
    for length in (["--epochs", "3"], ["--iterations", "50"], ["--steps", "40"]):
        assert parse(*length).minutes is None, length
    assert parse("--minutes", "2").minutes == 2.0
    assert parse("--preset", "ssd300-voc", "--device", "cpu").minutes is None
    assert cpu_budget("small", "cpu", {}) == 5.0 and cpu_budget("small", "cpu", {"epochs": 2}) is None
    monkeypatch.setenv(recipes.QUICK_ENV, "1")
    assert parse().minutes is None
