"""Command line: ``python -m ssd_core <command> ...`` (also installed as ``ssd-course``).

Each command is an argparse sub-parser, registered by an ``add_<name>_command(subparsers)``
function below that sets ``func`` to the function running it (``func(args) -> int``). Errors
a user can fix (bad data, a wrong checkpoint, a diverging run) print one line, not a traceback.
``train``'s options are not declared here: :func:`add_settings_arguments` makes one per field
of :class:`~ssd_core.recipes.TrainSettings`, and :func:`settings_from_args` reads them back.
The commands:

    python -m ssd_core data voc --root data/               download and extract PASCAL VOC
    python -m ssd_core data shapes --root data/generated/shapes   make the shapes dataset
    python -m ssd_core data check --root data/samples --split all  read every image and box
    python -m ssd_core train                               the small SSD on shapes, CPU
    python -m ssd_core train --preset ssd300-voc --data-dir data/   the released SSD300 schedule
    python -m ssd_core train --data-dir D --train-split train --val-split val   your own data
    python -m ssd_core train --data-dir D --classes names.txt      ... with its class list
    python -m ssd_core train --help                        every setting, with its default
    python -m ssd_core evaluate --checkpoint runs/NAME/best.pt      VOC07 + area mAP, COCO AP
    python -m ssd_core detect photo.jpg --checkpoint runs/NAME/best.pt   boxes drawn + JSON
    python -m ssd_core html --out build/html               the lessons as static web pages
    python -m ssd_core homework review packs/ --out review/   the teacher's review of the packs
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
import types
import typing
import warnings
from pathlib import Path
from typing import Any, Sequence

from .checkpoint import CheckpointError
from .data import (DatasetError, DownloadError, SSDEvalTransform, VOCDataset, default_shapes_root,
                   download_voc, ensure_shapes, load_rgb, make_shapes)
from .device import is_main_process, resolve_device
from .draw import plot_pr_curves, show_detections
from .homework.class_review import SIMILARITY, review
from .html import build_html
from .i18n import _, ngettext
from .inference import detect_images, evaluate, load_trained, pretrained_ssd300
from .models import WeightsUnavailableError
from .recipes import PRESETS, TrainSettings, cpu_budget, make_settings, resolve_data, run_data
from .train import TrainingDiverged, train

__all__ = ["build_parser", "main", "add_data_command", "add_train_command",
           "add_settings_arguments", "settings_from_args", "add_evaluate_command",
           "add_detect_command", "add_html_command", "add_homework_command"]


# ---------------------------------------------------------------------------- data


def _data_voc(args: argparse.Namespace) -> int:
    """``data voc``: download, check and extract the VOC archives."""
    devkit = download_voc(args.root, which=args.only, extract=not args.no_extract,
                          progress=not args.quiet)
    if not args.no_extract:
        print(f"PASCAL VOC is in {devkit}: VOCDataset({str(args.root)!r}, '07+12') for training, "
              f"VOCDataset({str(args.root)!r}, '2007-test') for testing.")
    return 0


def _data_shapes(args: argparse.Namespace) -> int:
    """``data shapes``: generate the embedded dataset."""
    root = args.root or default_shapes_root()
    kwargs = dict(num_train=args.num_train, num_val=args.num_val, image_size=args.image_size,
                  seed=args.seed, workers=args.workers, progress=not args.quiet)
    start = time.perf_counter()
    if args.force:
        make_shapes(root, overwrite=True, **kwargs)
    else:
        ensure_shapes(root, **kwargs)
    print(f"shapes dataset in {root} ({args.num_train} train + {args.num_val} val images, "
          f"{time.perf_counter() - start:.1f} s)")
    return 0


def _data_check(args: argparse.Namespace) -> int:
    """``data check``: read every annotation and decode every image; report problems."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ds = VOCDataset(args.root, args.split, classes=args.classes, skip_bad=True)
        bad = 0
        for i in range(len(ds)):
            try:
                ds.load_image(i)
            except DatasetError as e:
                bad += 1
                print(f"  {e}")
    print(ds)
    for name, count in ds.class_counts().items():
        print(f"  {name:>16}: {count}")
    for w in caught:
        print(f"warning: {w.message}")
    problems = len(ds.problems) + bad
    print(f"{problems} problem(s)" if problems else "no problems found")
    return 1 if problems else 0


def add_data_command(subparsers) -> None:
    """Register ``data`` with its sub-commands ``voc``, ``shapes`` and ``check``."""
    data = subparsers.add_parser("data", help="get or make datasets")
    sub = data.add_subparsers(dest="data_command", metavar="{voc,shapes,check}", required=True)

    voc = sub.add_parser("voc", help="download VOC2007 trainval+test and VOC2012 trainval",
                         description="Download (resuming), check the MD5 of and extract the "
                         "PASCAL VOC archives of the paper (about 2.9 GB).")
    voc.add_argument("--root", default="data", help="folder for downloads/ and VOCdevkit/")
    voc.add_argument("--only", nargs="+", default=["2007-trainval", "2007-test", "2012-trainval"],
                     choices=["2007-trainval", "2007-test", "2012-trainval"],
                     help="which archives (default: all three)")
    voc.add_argument("--no-extract", action="store_true", help="download and check only")
    voc.add_argument("--quiet", action="store_true", help="no progress bar")
    voc.set_defaults(func=_data_voc)

    shapes = sub.add_parser("shapes", help="make the embedded shapes dataset",
                            description="Draw the synthetic shapes dataset in VOC layout; "
                            "reuses an existing one made with the same settings.")
    shapes.add_argument("--root", default=None,
                        help="dataset folder (default: data/generated/shapes)")
    shapes.add_argument("--num-train", type=int, default=2000)
    shapes.add_argument("--num-val", type=int, default=500)
    shapes.add_argument("--image-size", type=int, default=256)
    shapes.add_argument("--seed", type=int, default=0)
    shapes.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
    shapes.add_argument("--force", action="store_true", help="regenerate even if present")
    shapes.add_argument("--quiet", action="store_true", help="no progress bar")
    shapes.set_defaults(func=_data_shapes)

    check = sub.add_parser("check", help="read a VOC-layout dataset and report problems")
    check.add_argument("--root", required=True)
    check.add_argument("--split", default="trainval")
    check.add_argument("--classes", default=None, help="a classes.txt (default: beside the data)")
    check.set_defaults(func=_data_check)


# ---------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    """The ``ssd_core`` parser with every command registered."""
    parser = argparse.ArgumentParser(
        prog="python -m ssd_core",
        description="SSD: Single Shot MultiBox Detector, the ssd-course implementation.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    add_data_command(subparsers)
    add_train_command(subparsers)
    add_evaluate_command(subparsers)
    add_detect_command(subparsers)
    add_html_command(subparsers)
    add_homework_command(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command; known errors print one clear message (exit 1)."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DatasetError, DownloadError, CheckpointError, TrainingDiverged, FileExistsError,
            WeightsUnavailableError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 130


# ---------------------------------------------------------------------------- train


def _train(args: argparse.Namespace) -> int:
    """``train``: the small SSD on shapes by default; presets for the paper's runs."""
    settings = settings_from_args(args)           # checked as it is made
    choice = resolve_data(settings)               # once: train() takes it as it is
    main = is_main_process()        # under torchrun, rank 0 alone prints
    for reason in choice.reasons if main else ():
        print(reason)
    if main:
        print(_("training on {root} ({train}), validating on {val}").format(
            root=choice.root, train=choice.train_split, val=choice.val_split))
    result = train(settings, data=choice)
    last = result.last
    if last and main:
        print(_("run: {run_dir}  ({epochs} epochs, best VOC07 mAP {map:.1f})").format(
            run_dir=result.run_dir, epochs=last["epoch"], map=100 * result.best_map))
    return 130 if result.interrupted else 0


def _flag_kind(hint: Any) -> Any:
    """What a flag reads for a field of type ``hint``: ``int``, ``float``, ``str``, ``bool``,
    ``tuple[...]`` (several values), or None when the type alone does not say
    (``bool | str``, ``dict``)."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return _flag_kind(args[0]) if len(args) == 1 else None
    if typing.get_origin(hint) is tuple or hint in (int, float, str, bool):
        return hint
    return None


def _shown(value: Any) -> str:
    """A setting's value as ``--help`` shows it."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (tuple, list)):
        return " ".join(_shown(v) for v in value)
    return str(value)


def _default_help(f: dataclasses.Field, base: TrainSettings) -> str:
    """``(default: ...)``: the value of the default preset (what a run with no flags uses),
    and of the presets that set another."""
    value = getattr(base, f.name)
    text = f.metadata.get("default_text", "none") if value is None else _shown(value)
    others: dict[str, list[str]] = {}
    for name, preset in PRESETS.items():
        if f.name in preset and preset[f.name] != value:
            others.setdefault(_shown(preset[f.name]), []).append(name)
    text += "".join(f"; {', '.join(names)}: {shown}" for shown, names in others.items())
    return f"(default: {text})"


def _parse_with(parse):
    """A field's ``parse`` function as an argparse type (its ValueError says what to type)."""
    def read(text: str):
        try:
            return parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    return read


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """One option per field of :class:`~ssd_core.recipes.TrainSettings`, made from the field.

    ``data_dir`` becomes ``--data-dir``; the field's type gives what it reads (a yes/no field
    is ``--augment``/``--no-augment``, a tuple takes several values); its metadata give the
    help, the choices, older names (``--workers``) and flags that switch it off (``--quiet``);
    the help ends with the default (the default preset's value, and the other presets' where
    they differ). A field marked ``cli=False`` has no option; a field whose type no option
    can read raises TypeError here, so a new field cannot be left out by mistake. Every
    option's own default is None, "not given": the preset decides (:func:`settings_from_args`).
    """
    hints = typing.get_type_hints(TrainSettings)
    base = make_settings()
    for f in dataclasses.fields(TrainSettings):
        md = f.metadata
        if md.get("cli", True) is False:
            continue
        flag = "--" + f.name.replace("_", "-")
        kind = _flag_kind(hints[f.name])
        kw: dict[str, Any] = dict(dest=f.name, default=None,
                                  help=f"{md['help']} {_default_help(f, base)}".replace("%", "%%"))
        if "parse" in md:
            kw.update(type=_parse_with(md["parse"]), metavar=md.get("metavar"))
        elif kind is bool:
            kw.update(action=argparse.BooleanOptionalAction)
        elif typing.get_origin(kind) is tuple:
            kw.update(nargs="+", type=typing.get_args(kind)[0], metavar=md.get("metavar"))
        elif kind in (int, float, str):
            kw.update(type=kind, choices=md.get("choices"), metavar=md.get("metavar"))
        else:
            raise TypeError(f"TrainSettings.{f.name} ({hints[f.name]}): no option reads this "
                            "type; give the field a parse function, or cli=False")
        parser.add_argument(flag, *md.get("aliases", ()), **kw)
        for off in md.get("off", ()):
            same = f"--no-{flag[2:]}" if kind is bool else f"{flag} no"
            parser.add_argument(off, dest=f.name, action="store_const", const=False,
                                default=None, help=f"the same as {same}")


def settings_from_args(args: argparse.Namespace) -> TrainSettings:
    """The :class:`~ssd_core.recipes.TrainSettings` a ``train`` command line asks for: its
    preset, with the options given (several values become a tuple)."""
    given = {f.name: getattr(args, f.name, None) for f in dataclasses.fields(TrainSettings)}
    given = {k: tuple(v) if isinstance(v, list) else v for k, v in given.items()}
    given = {k: v for k, v in given.items() if v is not None}
    preset = given.get("preset", "small")
    minutes = cpu_budget(preset, given.get("device", make_settings(preset).device), given)
    return make_settings(**given, **({"minutes": minutes} if minutes is not None else {}))


def add_train_command(subparsers) -> None:
    """Register ``train``."""
    p = subparsers.add_parser(
        "train", help="train an SSD (default: the small one on shapes, on the CPU)",
        description="Train an SSD. With no arguments: the small SSD on the embedded shapes "
        "dataset (made on first use), evaluated after each epoch, written to runs/<name>/. "
        "--data-dir trains on any folder in PASCAL VOC's layout; --preset ssd300-voc follows "
        "the released SSD300 schedule on PASCAL VOC 07+12. Each option is a field of "
        "ssd_core.recipes.TrainSettings; the preset sets those not given.")
    add_settings_arguments(p)
    p.set_defaults(func=_train)


# ---------------------------------------------------------------------------- evaluate


def _evaluate(args: argparse.Namespace) -> int:
    """``evaluate``: VOC07 and VOC2010+ AP per class, COCO AP, PR curves, on the data the
    checkpoint's run validated on (or the folder and split given)."""

    device = resolve_device(args.device)
    model, state = load_trained(args.checkpoint, device)
    data = run_data(state)
    root = args.data_dir or data.root
    split = args.split or data.val_split
    dataset = VOCDataset(root, split, classes=state["classes"],
                         transforms=SSDEvalTransform(model.config.image_size))
    out = evaluate(model, dataset, device, batch_size=args.batch_size, limit=args.limit,
                   class_names=state["classes"], coco=True)
    r07, r10 = out["voc07"], out["voc10"]
    n = len(dataset) if args.limit is None else min(args.limit, len(dataset))
    print(f"{n} images of {root} ({split})")
    print(r07.table(r10))
    coco = out["coco"]
    print(f"COCO-style: AP@[.5:.95] {coco['AP']:.4f}, AP50 {coco['AP50']:.4f}, AP75 {coco['AP75']:.4f}")
    out_dir = Path(args.out) if args.out else Path(args.checkpoint).resolve().parent
    out_dir.mkdir(parents=True, exist_ok=True)
    plot_pr_curves(r07, out_dir / "pr_curves.png")
    summary = {"checkpoint": str(args.checkpoint), "data": str(root), "split": split,
               "map07": r07.map, "map_area": r10.map, "coco": coco,
               "ap07": {state["classes"][c - 1]: r07.ap[c] for c in r07.ap},
               "ap_area": {state["classes"][c - 1]: r10.ap[c] for c in r10.ap}}
    (out_dir / "evaluation.json").write_text(json.dumps(summary, indent=2))
    print(f"wrote {out_dir / 'pr_curves.png'} and {out_dir / 'evaluation.json'}")
    return 0


def add_evaluate_command(subparsers) -> None:
    """Register ``evaluate``."""
    p = subparsers.add_parser("evaluate", help="VOC mAP (07 11-point and area) and COCO AP",
                              description="Evaluate a checkpoint: per-class AP with the VOC07 "
                              "11-point and VOC2010+ area metrics, COCO-style AP, PR curves.")
    p.add_argument("--checkpoint", required=True, help="a run's best.pt or last.pt")
    p.add_argument("--data-dir", default=None, help="dataset folder (default: the run's, as "
                   "stored in the checkpoint)")
    p.add_argument("--split", default=None, help="split (default: the run's validation split)")
    p.add_argument("--device", default="auto")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--limit", type=int, default=None, help="only the first N images")
    p.add_argument("--out", default=None, help="folder for pr_curves.png (default: the run's)")
    p.set_defaults(func=_evaluate)


# ---------------------------------------------------------------------------- detect


def _detect(args: argparse.Namespace) -> int:
    """``detect``: draw the detections on each image; write them as JSON too."""
    device = resolve_device(args.device)
    if args.checkpoint:
        model, state = load_trained(args.checkpoint, device)
        classes = state["classes"]
    elif args.pretrained or args.weights:
        model = pretrained_ssd300(args.weights, device)
        classes = model.class_names
    else:
        print("error: give --checkpoint runs/NAME/best.pt (a model you trained), or --pretrained "
              "(torchvision's SSD300 trained on COCO) or --weights FILE (the same from a file)",
              file=sys.stderr)
        return 2
    out_dir = Path(args.out)
    out_dir.mkdir(parents=True, exist_ok=True)
    records = []
    for path in args.images:
        try:
            image = load_rgb(path)
        except (DatasetError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 1
        det = detect_images(model, [image], device, score_threshold=args.score_threshold)[0]
        fig = show_detections(image, det, class_names=classes, score_threshold=args.score_threshold,
                              title=f"{Path(path).name}: {len(det['scores'])} detections")
        png = out_dir / f"{Path(path).stem}_detections.png"
        fig.savefig(png, dpi=100)
        w, h = image.size
        scale = [w, h, w, h]
        records.append({"image": str(path), "width": w, "height": h, "detections": [
            {"label": classes[int(l) - 1], "score": round(float(s), 4),
             "box_px": [round(float(v) * k, 1) for v, k in zip(b, scale)],
             "box": [round(float(v), 5) for v in b]}
            for b, s, l in zip(det["boxes"], det["scores"], det["labels"])]})
        print(f"{path}: {len(det['scores'])} detections -> {png}")
    (out_dir / "detections.json").write_text(json.dumps(records, indent=2))
    print(f"wrote {out_dir / 'detections.json'}")
    return 0


def add_detect_command(subparsers) -> None:
    """Register ``detect``."""
    p = subparsers.add_parser("detect", help="detect objects in images with a checkpoint or "
                              "the trained SSD300",
                              description="Draw the detections on each image and write them as "
                              "JSON, with a model you trained (--checkpoint) or with torchvision's "
                              "SSD300 trained on COCO (--pretrained, or --weights FILE offline).")
    p.add_argument("images", nargs="+", help="image files (JPEG, PNG, ...)")
    p.add_argument("--checkpoint", default=None, help="a run's best.pt or last.pt")
    p.add_argument("--pretrained", action="store_true",
                   help="torchvision's SSD300 trained on COCO (136 MB, downloaded once)")
    p.add_argument("--weights", default=None, help="the same weights from a file "
                   "(ssd300_vgg16_coco-b556d3b4.pth)")
    p.add_argument("--out", default="runs/detect", help="folder for the PNGs and detections.json")
    p.add_argument("--score-threshold", type=float, default=0.4)
    p.add_argument("--device", default="auto")
    p.set_defaults(func=_detect)


# ---------------------------------------------------------------------------- html


def _html(args: argparse.Namespace) -> int:
    """``html``: every lesson executed (quick, static) and written as a web page."""
    pages = build_html(args.out, args.edition, args.lesson)
    print(f"wrote {len(pages)} lesson page(s) and {Path(args.out) / 'index.html'}")
    return 0


def add_html_command(subparsers) -> None:
    """Register ``html``."""
    p = subparsers.add_parser("html", help="the lessons as static web pages (make html)",
                              description="Execute each lesson in the quick mode, explorers as "
                              "pictures, and write it as HTML: readable without a kernel.")
    p.add_argument("--out", default="build/html", help="output folder (default build/html)")
    p.add_argument("--edition", nargs="+", default=None,
                   help="only these editions, e.g. zh en (default: every lessons/<language>/)")
    p.add_argument("--lesson", nargs="+", type=int, default=None, help="only these lessons (1-5)")
    p.set_defaults(func=_html)


# ---------------------------------------------------------------------------- homework


def _homework_review(args: argparse.Namespace) -> int:
    """``homework review``: every pack read and checked; index.html and grades.csv written."""
    try:
        result = review(args.packs, args.out, similarity=args.similarity, lang=args.lang)
    except OSError as e:                     # the review's folder, not a pack (those are rows)
        print(_("error: cannot write the review into {out}: {error}").format(
            out=args.out, error=e), file=sys.stderr)
        return 1
    print(ngettext("reviewed {packs} pack: {rows} rows, {flagged} flagged; open {index} "
                   "(the table: {grades})",
                   "reviewed {packs} packs: {rows} rows, {flagged} flagged; open {index} "
                   "(the table: {grades})", result.packs)
          .format(packs=result.packs, rows=len(result.rows), flagged=len(result.flagged),
                  index=result.index, grades=result.grades))
    return 0


def add_homework_command(subparsers) -> None:
    """Register ``homework`` with its sub-command ``review``."""
    homework = subparsers.add_parser("homework", help="the teacher's side of the homework")
    sub = homework.add_subparsers(dest="homework_command", metavar="{review}", required=True)
    p = sub.add_parser("review", help="review a class's packs: index.html and grades.csv",
                       description="Read every pack (lesson05_pack.zip) given or found in the "
                       "folders, check each file's SHA-256 against its manifest, count the "
                       "summaries' words, flag missing, changed, shared and near-identical "
                       "homework, and write OUT/index.html and OUT/grades.csv. The packs are "
                       "only read, never extracted.")
    p.add_argument("packs", nargs="+", help="pack zips, or folders of them (with subfolders)")
    p.add_argument("--out", required=True, help="folder for index.html, grades.csv and images/")
    p.add_argument("--similarity", type=float, default=SIMILARITY,
                   help=f"flag summaries at least this alike, 0-1 (default {SIMILARITY})")
    p.add_argument("--lang", default=None,
                   help="language of the page and the table (default: the course's, "
                   "$SSD_COURSE_LANG or zh)")
    p.set_defaults(func=_homework_review)
