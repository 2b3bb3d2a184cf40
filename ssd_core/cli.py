"""Command line: ``python -m ssd_core <command> ...`` (also installed as ``ssd-course``).

Each command is an argparse sub-parser, registered by an ``add_<name>_command(subparsers)``
function below that sets ``func`` to the function running it (``func(args) -> int``). Errors
a user can fix (bad data, a wrong checkpoint, a diverging run) print one line, not a traceback.
The commands:

    python -m ssd_core data voc --root data/               download and extract PASCAL VOC
    python -m ssd_core data shapes --root data/generated/shapes   make the shapes dataset
    python -m ssd_core data check --root data/samples --split all  read every image and box
    python -m ssd_core train                               the small SSD on shapes, CPU
    python -m ssd_core train --preset ssd300-voc --data-dir data/   the released SSD300 schedule
    python -m ssd_core train --data-dir D --train-split train --val-split val   your own data
    python -m ssd_core evaluate --checkpoint runs/NAME/best.pt      VOC07 + area mAP, COCO AP
    python -m ssd_core detect photo.jpg --checkpoint runs/NAME/best.pt   boxes drawn + JSON
    python -m ssd_core html --out build/html               the lessons as static web pages
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Sequence

from .checkpoint import CheckpointError
from .data import (DatasetError, DownloadError, SSDEvalTransform, VOCDataset, default_shapes_root,
                   download_voc, ensure_shapes, load_rgb, make_shapes)
from .device import resolve_device
from .draw import plot_pr_curves, show_detections
from .html import build_html
from .i18n import _
from .inference import detect_images, evaluate, load_trained, pretrained_ssd300, run_data
from .models import WeightsUnavailableError
from .recipes import PRESETS, make_settings, resolve_data
from .train import TrainingDiverged, train

__all__ = ["build_parser", "main", "add_data_command", "add_train_command",
           "add_evaluate_command", "add_detect_command", "add_html_command"]


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
    settings = make_settings(
        args.preset, data_dir=args.data_dir, dataset=args.dataset, train_split=args.train_split,
        val_split=args.val_split, epochs=args.epochs, iterations=args.iterations,
        batch_size=args.batch_size, lr=args.lr, device=args.device, seed=args.seed, amp=args.amp,
        num_workers=args.workers, name=args.name, run_dir=args.run_dir, resume=args.resume,
        eval_every=args.eval_every, quick_val=args.quick_val,
        augment=False if args.no_augment else None,
        pretrained_backbone=False if args.no_pretrained else None,
        progress=False if args.quiet else None,
    )
    settings.check()
    choice = resolve_data(settings)
    for reason in choice.reasons:
        print(reason)
    print(_("training on {root} ({train}), validating on {val}").format(
        root=choice.root, train=choice.train_split, val=choice.val_split))
    result = train(settings)
    last = result.last
    if last:
        print(_("run: {run_dir}  ({epochs} epochs, best VOC07 mAP {map:.1f})").format(
            run_dir=result.run_dir, epochs=last["epoch"], map=100 * result.best_map))
    return 130 if result.interrupted else 0


def add_train_command(subparsers) -> None:
    """Register ``train``."""
    p = subparsers.add_parser(
        "train", help="train an SSD (default: the small one on shapes, on the CPU)",
        description="Train an SSD. With no arguments: the small SSD on the embedded shapes "
        "dataset (made on first use), evaluated after each epoch, written to runs/<name>/. "
        "--data-dir trains on any folder in PASCAL VOC's layout; --preset ssd300-voc follows "
        "the released SSD300 schedule on PASCAL VOC 07+12.")
    p.add_argument("--preset", default="small", choices=sorted(PRESETS))
    p.add_argument("--data-dir", default=None,
                   help="a VOC-layout folder (Annotations/, JPEGImages/, ImageSets/Main/), a "
                        "folder holding VOCdevkit/, or where to make the shapes dataset")
    p.add_argument("--dataset", default=None, choices=["auto", "shapes", "voc"],
                   help="auto (default): what --data-dir holds; without it VOC in data/ if "
                        "there, else shapes")
    p.add_argument("--train-split", default=None,
                   help="split to train on (a name in ImageSets/Main, e.g. train, trainval, "
                        "2007-trainval, 07+12); default: chosen from what the folder has")
    p.add_argument("--val-split", default=None, help="split to validate on (e.g. val, test, "
                   "2007-test); default: chosen from what the folder has")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--iterations", type=int, default=None, help="count iterations, not epochs")
    p.add_argument("--batch-size", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--device", default=None, help="auto, cpu, cuda, cuda:1 ...")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--amp", default=None, choices=["auto", "bf16", "fp16", "off"],
                   help="mixed precision (default auto: bf16 on CUDA and on CPUs with bf16 "
                        "hardware, else float32; fp16 needs CUDA)")
    p.add_argument("--workers", type=int, default=None, help="DataLoader worker processes")
    p.add_argument("--name", default=None, help="run name (default: preset and time)")
    p.add_argument("--run-dir", default=None, help="parent folder of runs (default: runs)")
    p.add_argument("--resume", default=None, help="a run's last.pt to continue from")
    p.add_argument("--eval-every", type=int, default=None, help="evaluate every N epochs")
    p.add_argument("--quick-val", type=int, default=None, metavar="N",
                   help="before the last epoch, evaluate on the first N validation images only")
    p.add_argument("--no-augment", action="store_true", help="train without augmentation")
    p.add_argument("--no-pretrained", action="store_true",
                   help="do not load VGG16 ImageNet weights (ssd300/ssd512)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
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
