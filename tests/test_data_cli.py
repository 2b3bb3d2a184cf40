"""``python -m ssd_core data ...``: the sub-commands, their messages, and a clean import."""

import os
import subprocess
import sys
from pathlib import Path

from ssd_core.cli import build_parser, main
from ssd_core.data import VOCDataset

from .data_fixtures import obj, write_folder, xml_with

ROOT = Path(__file__).resolve().parents[1]


def test_data_shapes_makes_then_reuses(tmp_path, capsys):
    args = ["data", "shapes", "--root", str(tmp_path / "s"), "--num-train", "6", "--num-val", "2",
            "--image-size", "64", "--workers", "1", "--quiet"]
    assert main(args) == 0
    assert len(VOCDataset(tmp_path / "s", "train")) == 6
    stamp = (tmp_path / "s" / "shapes.json").stat().st_mtime_ns
    assert main(args) == 0
    assert (tmp_path / "s" / "shapes.json").stat().st_mtime_ns == stamp
    assert "6 train + 2 val" in capsys.readouterr().out


def test_data_check_on_the_samples_and_on_bad_data(tmp_path, capsys):
    assert main(["data", "check", "--root", str(ROOT / "data" / "samples"), "--split", "all"]) == 0
    out = capsys.readouterr().out
    assert "6 images, 42 objects" in out and "coin: 24" in out and "no problems" in out
    folder = write_folder(tmp_path / "bad", {"a": (xml_with(obj("dog", 9, 2, 3, 9)), (40, 30))},
                          classes=["dog"])
    assert main(["data", "check", "--root", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "a.xml" in out and "xmax > xmin" in out and "1 problem(s)" in out


def test_missing_dataset_is_one_clear_error(tmp_path, capsys):
    assert main(["data", "check", "--root", str(tmp_path / "none")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "python -m ssd_core data voc --root data/" in err


def test_parser_has_room_for_more_commands():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert "data" in sub.choices
    args = parser.parse_args(["data", "voc", "--root", "x", "--only", "2007-test"])
    assert args.only == ["2007-test"] and callable(args.func)


def test_module_entry_point_and_import_without_side_effects(tmp_path):
    env = dict(os.environ, SSD_COURSE_DATA=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    code = ("import ssd_core.data, ssd_core.cli, runpy, sys; sys.argv = ['ssd_core', '--help'];"
            "runpy.run_module('ssd_core', run_name='__main__')")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "data" in out.stdout
    assert list(tmp_path.iterdir()) == []  # importing wrote nothing
