"""Command line: ``python -m ssd_core <command> ...`` (also installed as ``ssd-course``).

Commands are argparse sub-parsers; each module that adds one provides a function
``add_<name>_command(subparsers)`` that registers its parser and sets ``func`` to the function
that runs it (``func(args) -> int``). Today:

    python -m ssd_core data voc --root data/               download and extract PASCAL VOC
    python -m ssd_core data shapes --root data/generated/shapes   make the shapes dataset
    python -m ssd_core data check --root data/samples --split all  read every image and box
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Sequence

__all__ = ["build_parser", "main", "add_data_command"]


# ---------------------------------------------------------------------------- data


def _data_voc(args: argparse.Namespace) -> int:
    """``data voc``: download, check and extract the VOC archives."""
    from .data.download import download_voc

    devkit = download_voc(args.root, which=args.only, extract=not args.no_extract,
                          progress=not args.quiet)
    if not args.no_extract:
        print(f"PASCAL VOC is in {devkit}: VOCDataset({str(args.root)!r}, '07+12') for training, "
              f"VOCDataset({str(args.root)!r}, '2007-test') for testing.")
    return 0


def _data_shapes(args: argparse.Namespace) -> int:
    """``data shapes``: generate the embedded dataset."""
    from .data.shapes import default_shapes_root, ensure_shapes, make_shapes

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
    import warnings

    from .data.voc import DatasetError, VOCDataset

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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the command; known errors print one clear message (exit 1)."""
    from .data.download import DownloadError
    from .data.voc import DatasetError

    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (DatasetError, DownloadError, FileExistsError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; run the same command again to resume", file=sys.stderr)
        return 130
