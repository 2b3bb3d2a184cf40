"""Side by side with the peers: each trains for S seconds on this machine, on the same shapes data
and splits, and is evaluated with the same VOC07 code at the same moments.

    python -m bench.bench_peers --seconds 300
    python -m bench.bench_peers --seconds 20 --only ours yolo11n-short     (any subset)

The contenders (``--only`` names):

1. ``ours``: the run ``python -m ssd_core train`` does with no arguments on a CPU: the ``small``
   preset laid over a time budget (``--minutes``: 5 minutes at S = 300; S/60 otherwise), on
   the bench's clock (its evaluations excluded), in float32 (``--amp off``, what a laptop
   without bf16 units runs; ``--amp`` changes it). Its own evaluations before the last are
   switched off (the bench evaluates every contender itself); its last one, on the 500
   validation images, is part of its budget, so it trains a few seconds less than the others.
2. ``ssdlite``: torchvision's ``ssdlite320_mobilenet_v3_large(weights=None,
   weights_backbone=None)`` (what a user would pick instead), with torchvision's own loss and
   matcher; AdamW 3e-3, batch 8, a 30-step warm-up and a cosine over the time, the flip; it
   resizes the 192-pixel images to 320 itself.
3. ``tinyssd``: TinySSD as d2l.ai's chapter on SSD describes it, written here from that
   description: a base of three down-sampling blocks (16, 32, 64 channels), then blocks of 128
   channels down to a global max-pool: five scales (32, 16, 8, 4, 1 for a 256-pixel input),
   four anchors per cell (sizes 0.2/0.272, 0.37/0.447, 0.54/0.619, 0.71/0.79, 0.88/0.961;
   ratios 1, 2, 0.5), cross-entropy over *all* anchors (no hard negative mining) plus L1 on
   the positives' offsets; SGD with lr 0.2 and weight decay 5e-4 as the chapter trains it.
4. ``yolo11n-default`` and ``yolo11n-short``: Ultralytics YOLO11n from scratch
   (``yolo11n.yaml``, no weights), on the same shapes written in its label format (a temporary
   folder: the images linked, one ``class cx cy w h`` line per box), at the same input size
   (192), with Ultralytics' own time budget (``time=S/3600``: it lays its schedule over the
   time, as ``--minutes`` does ours). ``default`` is its default recipe; ``short`` a recipe for
   short runs: warm-up 0.2 epochs, no mosaic, batch 8, cosine learning rate. Its own
   validation, plots and AMP check are off; the bench gives it the same torch threads as every
   other contender (Ultralytics would set one less than the CPU count: 1 on two cores).
   **An optional extra** (AGPL-3.0; never imported by ``ssd_core``)::

       pip install ultralytics          # into the bench's environment only

   Without it the bench prints one line and skips these two. It is kept offline: no
   weights, no fonts, no update checks, no analytics (``YOLO_OFFLINE``, ``YOLO_AUTOINSTALL``,
   a temporary ``YOLO_CONFIG_DIR``, and its font check replaced by a no-op).
5. ``ours-epochs`` (not in the default list): the ``small`` preset's 10 epochs, stopped when
   its S seconds are spent (what ``python -m ssd_core train`` ran before 2026-12-07).

**The measurement.** A contender's clock is its training time: the wall time less the time
the bench spends evaluating it. At fixed points of that clock (every ``--every`` seconds, and
at S) the bench evaluates the model as it is on the 500 validation images with
``ssd_core.metrics`` (VOC07 11-point mAP at IoU 0.5); the contender's seconds stop meanwhile.
Each contender's line gives images/s, its mAP at S and its **time to mAP07 0.50** (the first
point at or above 0.50), because equal-time mAP flatters whoever warms up fastest; then the
whole table in bench/RESULTS.md's format and ``ratio ours/best-peer`` at S.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import math
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader
from torchvision.models.detection import ssdlite320_mobilenet_v3_large
from torchvision.ops import batched_nms

import ssd_core as ssd
from ssd_core.data import SSDAugmentation, SSDEvalTransform, VOCDataset, collate, ensure_shapes
from ssd_core.metrics import evaluate_detections

from .common import machine

#: The mAP whose time each contender's line reports.
TARGET = 0.50


class TimeUp(KeyboardInterrupt):
    """Raised from a contender's step when its seconds are spent (``ssd_core.train`` stops
    on it as on Ctrl-C)."""


def shapes(size: int, augment: bool):
    root = ensure_shapes()
    transform = (SSDAugmentation(size, photometric=False, zoom_out=False, iou_crop=False)
                 if augment else SSDEvalTransform(size))
    return VOCDataset(root, "train" if augment else "val", transforms=transform,
                      seed=0 if augment else None)


def voc07(detections, truths) -> float:
    return evaluate_detections(detections, truths, use_07_metric=True, num_classes=6).map


# --------------------------------------------------------------------------- the clock
@dataclass
class Stopwatch:
    """A contender's training seconds, and its evaluations at fixed points of them.

    ``evaluate`` (set by the contender once its model exists) returns the model's VOC07 mAP on
    the validation images. :meth:`tick` after every step counts the images, evaluates when a
    point (``every``, ``2 every``, ..., and ``seconds``) has been passed, the clock stopped
    meanwhile, and raises :class:`TimeUp` once ``seconds`` are spent.
    """

    seconds: float
    every: float
    evaluate: Callable[[], float] | None = None
    images: int = 0
    curve: list[tuple[float, float]] = field(default_factory=list)   # (seconds, mAP)
    paused: float = 0.0
    began: float = field(default_factory=time.perf_counter)

    def __call__(self) -> float:
        """Training seconds so far: wall time less the evaluations."""
        return time.perf_counter() - self.began - self.paused

    def next_point(self) -> float:
        done = self.curve[-1][0] if self.curve else 0.0
        return min(self.seconds, (math.floor(done / self.every) + 1) * self.every)

    def tick(self, images: int = 0) -> None:
        self.images += images
        now = self()
        if now >= self.next_point():
            self.measure(now)
        if now >= self.seconds:
            raise TimeUp

    def measure(self, now: float | None = None) -> float:
        """Evaluate now (the clock stopped); returns the mAP."""
        now = self() if now is None else now
        t0 = time.perf_counter()
        value = self.evaluate()
        self.paused += time.perf_counter() - t0
        self.curve.append((now, value))
        return value

    def finish(self) -> None:
        """A contender that stopped on its own: the last point, if it is not yet measured."""
        if not self.curve or self.curve[-1][0] < min(self.seconds, self()):
            self.measure()

    @property
    def final(self) -> float:
        return self.curve[-1][1] if self.curve else float("nan")

    def time_to(self, target: float = TARGET) -> float | None:
        return next((t for t, m in self.curve if m >= target), None)


# --------------------------------------------------------------------------- ours


def run_ours(watch: Stopwatch, minutes: bool = True, amp: str = "off") -> None:
    """The default run: ``--minutes S/60`` on the watch's clock (or the preset's epochs,
    stopped at S seconds), under ``amp``."""
    val = shapes(192, augment=False)
    module = importlib.import_module("ssd_core.train")
    real_step = module.train_step

    # train() does not hand out its network while it runs: the bench wraps the step function
    # it calls, only to get hold of the network for its own evaluations
    def step(net, *args, **kwargs):
        if watch.evaluate is None:
            model = net.module if hasattr(net, "module") else net
            watch.evaluate = lambda: ssd.evaluate(model, val, "cpu", batch_size=32,
                                                  amp=amp)["map07"]
        return real_step(net, *args, **kwargs)

    budget = dict(minutes=watch.seconds / 60) if minutes else {}
    settings = ssd.make_settings("small", run_dir=tempfile.mkdtemp(prefix="bench-peers-"),
                                 name="ours", progress=False, eval_every=10**6, amp=amp,
                                 **budget)
    module.train_step = step
    try:
        ssd.train(settings, on_step=lambda row: watch.tick(settings.batch_size),
                  clock=watch if minutes else time.perf_counter)
    finally:
        module.train_step = real_step
    watch.finish()


# --------------------------------------------------------------------------- torchvision


def run_ssdlite(watch: Stopwatch) -> None:
    torch.manual_seed(0)
    model = ssdlite320_mobilenet_v3_large(weights=None, weights_backbone=None, num_classes=6)
    data = shapes(192, augment=True)
    val = shapes(192, augment=False)
    watch.evaluate = lambda: evaluate_ssdlite(model, val)
    loader = DataLoader(data, batch_size=8, shuffle=True, collate_fn=collate, drop_last=True)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-4)
    step, planned = 0, None
    model.train()
    with contextlib.suppress(TimeUp):
        while True:
            for images, targets in loader:
                px = [{"boxes": t["boxes"] * 192, "labels": t["labels"]} for t in targets]
                losses = model(list(images), px)
                loss = sum(losses.values())
                if planned is None and step == 20:        # plan the cosine for the time at hand
                    planned = int(step * watch.seconds / watch())
                total = planned or 10**9
                lr = 3e-3 * min(1.0, (step + 1) / 30) * (0.02 + 0.49 * (1 + math.cos(math.pi * min(1, step / total))))
                for g in opt.param_groups:
                    g["lr"] = lr
                opt.zero_grad()
                loss.backward()
                opt.step()
                step += 1
                watch.tick(len(images))


@torch.no_grad()
def evaluate_ssdlite(model, val) -> float:
    was = model.training
    model.eval()
    dets, truths = [], []
    for images, targets in DataLoader(val, batch_size=16, collate_fn=collate):
        for out, t in zip(model(list(images)), targets):
            dets.append({"boxes": out["boxes"] / 192, "scores": out["scores"],
                         "labels": out["labels"]})
            truths.append(t)
    model.train(was)
    return voc07(dets, truths)


# --------------------------------------------------------------------------- TinySSD (d2l)


def _down(cin: int, cout: int) -> nn.Sequential:
    """Two 3x3 conv-BN-ReLU, then a 2x2 max-pool: halves the map."""
    layers = []
    for c in (cin, cout):
        layers += [nn.Conv2d(c, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU()]
    return nn.Sequential(*layers, nn.MaxPool2d(2))


class TinySSD(nn.Module):
    """d2l.ai's TinySSD: five blocks, a class and a box predictor (3x3 conv) on each."""

    SIZES = ((0.2, 0.272), (0.37, 0.447), (0.54, 0.619), (0.71, 0.79), (0.88, 0.961))
    RATIOS = (1.0, 2.0, 0.5)

    def __init__(self, num_classes: int):
        super().__init__()
        self.num_classes = num_classes
        a = len(self.SIZES[0]) + len(self.RATIOS) - 1
        self.blocks = nn.ModuleList([
            nn.Sequential(_down(3, 16), _down(16, 32), _down(32, 64)),
            _down(64, 128), _down(128, 128), _down(128, 128), nn.AdaptiveMaxPool2d(1)])
        chans = (64, 128, 128, 128, 128)
        self.cls = nn.ModuleList(nn.Conv2d(c, a * (num_classes + 1), 3, padding=1) for c in chans)
        self.box = nn.ModuleList(nn.Conv2d(c, a * 4, 3, padding=1) for c in chans)

    def forward(self, x):
        cls, box, shapes_ = [], [], []
        for block, c, b in zip(self.blocks, self.cls, self.box):
            x = block(x)
            shapes_.append(x.shape[-1])
            cls.append(c(x).permute(0, 2, 3, 1).flatten(1))
            box.append(b(x).permute(0, 2, 3, 1).flatten(1))
        B = x.shape[0]
        return (torch.cat(box, 1).reshape(B, -1, 4),
                torch.cat(cls, 1).reshape(B, -1, self.num_classes + 1), shapes_)

    @classmethod
    def anchors(cls, shapes_) -> torch.Tensor:
        """cxcywh anchors, cell by cell: (s1, r1), (s2, r1), (s1, r2), (s1, r3) at each cell."""
        out = []
        for f, (s1, s2) in zip(shapes_, cls.SIZES):
            wh = [(s1, s1), (s2, s2)] + [(s1 * math.sqrt(r), s1 / math.sqrt(r)) for r in cls.RATIOS[1:]]
            c = (torch.arange(f) + 0.5) / f
            cy, cx = torch.meshgrid(c, c, indexing="ij")
            for y, x in zip(cy.flatten().tolist(), cx.flatten().tolist()):
                out += [(x, y, w, h) for w, h in wh]
        return torch.tensor(out)


def run_tinyssd(watch: Stopwatch) -> None:
    torch.manual_seed(0)
    model = TinySSD(5)
    data = shapes(256, augment=True)
    val = shapes(256, augment=False)
    loader = DataLoader(data, batch_size=32, shuffle=True, collate_fn=collate, drop_last=True)
    opt = torch.optim.SGD(model.parameters(), lr=0.2, weight_decay=5e-4)
    with torch.no_grad():
        _, _, shapes_ = model(torch.zeros(2, 3, 256, 256))
    priors = TinySSD.anchors(shapes_)
    watch.evaluate = lambda: evaluate_tinyssd(model, priors, val)
    model.train()
    with contextlib.suppress(TimeUp):
        while True:
            for images, targets in loader:
                loc_t, labels = ssd.match_and_encode([t["boxes"] for t in targets],
                                                     [t["labels"] for t in targets], priors)
                loc, conf, _ = model(images)
                pos = (labels > 0).unsqueeze(-1).float()
                loss = (F.cross_entropy(conf.reshape(-1, conf.shape[-1]), labels.reshape(-1))
                        + (F.l1_loss(loc * pos, loc_t * pos, reduction="sum") / max(1.0, float(pos.sum()) * 4)))
                opt.zero_grad()
                loss.backward()
                opt.step()
                watch.tick(len(images))


@torch.no_grad()
def evaluate_tinyssd(model, priors, val) -> float:
    was = model.training
    model.eval()
    dets, truths = [], []
    for images, targets in DataLoader(val, batch_size=32, collate_fn=collate):
        loc, conf, _ = model(images)
        boxes = ssd.decode(loc, priors)           # (B, N, 4) xyxy; priors broadcast
        probs = conf.softmax(-1)[..., 1:]
        for b, p, t in zip(boxes, probs, targets):
            score, label = p.max(-1)
            keep = score > 0.01
            b, score, label = b[keep], score[keep], label[keep] + 1
            k = batched_nms(b, score, label, 0.5)[:200]
            dets.append({"boxes": b[k], "scores": score[k], "labels": label[k]})
            truths.append(t)
    model.train(was)
    return voc07(dets, truths)


# --------------------------------------------------------------------------- YOLO11n (optional)
#: Ultralytics' short-run recipe; the default recipe changes nothing.
YOLO_RECIPES = {"default": {}, "short": dict(warmup_epochs=0.2, mosaic=0.0, batch=8, cos_lr=True)}


def ultralytics_offline():
    """Import Ultralytics so that it fetches nothing: offline (no update checks, analytics or
    downloads), no automatic pip installs, its settings in a temporary folder, and its font
    check (which downloads Arial when plotting labels) replaced by a no-op. None when it
    cannot be imported."""
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ["YOLO_AUTOINSTALL"] = "false"
    os.environ.setdefault("YOLO_CONFIG_DIR", tempfile.mkdtemp(prefix="bench-yolo-config-"))
    os.environ.setdefault("YOLO_VERBOSE", "false")      # its warnings still show
    try:
        import ultralytics
    except Exception:           # not installed, or broken: the bench goes on without it
        return None
    from ultralytics.data import utils as data_utils
    from ultralytics.utils import checks

    checks.check_font = data_utils.check_font = lambda *a, **k: None
    ultralytics.settings.update({"sync": False, **dict.fromkeys(
        ("clearml", "comet", "dvc", "mlflow", "raytune", "tensorboard", "wandb"), False)})
    return ultralytics


def yolo_dataset(folder: Path) -> Path:
    """The shapes in Ultralytics' layout under ``folder``: ``images/<split>`` (links to the
    images), ``labels/<split>/<id>.txt`` (``class cx cy w h``, fractions of the image, the
    class counted from 0 in our class order) and ``shapes.yaml``; returns the yaml."""
    root = ensure_shapes()
    for split in ("train", "val"):
        ds = VOCDataset(root, split)
        (folder / "images" / split).mkdir(parents=True, exist_ok=True)
        (folder / "labels" / split).mkdir(parents=True, exist_ok=True)
        for i in range(len(ds)):
            a = ds.annotation(i)
            h, w = a["orig_size"]
            src = Path(a["path"])
            link = folder / "images" / split / src.name
            if not link.exists():
                link.symlink_to(src.resolve())
            lines = []
            for (x1, y1, x2, y2), c in zip(a["boxes"].tolist(), a["labels"].tolist()):
                lines.append(f"{c - 1} {(x1 + x2) / 2 / w:.6f} {(y1 + y2) / 2 / h:.6f} "
                             f"{(x2 - x1) / w:.6f} {(y2 - y1) / h:.6f}")
            (folder / "labels" / split / f"{src.stem}.txt").write_text("\n".join(lines) + "\n")
    names = "\n".join(f"  {k}: {n}" for k, n in enumerate(ds.classes))
    yaml = folder / "shapes.yaml"
    yaml.write_text(f"path: {folder}\ntrain: images/train\nval: images/val\nnames:\n{names}\n")
    return yaml


@torch.no_grad()
def evaluate_yolo(model, val) -> float:
    """YOLO's detections on our validation images (192 x 192, [0, 1], as its own loader
    gives them: the square images resize without padding), after its validation NMS
    (confidence 0.001, IoU 0.7, 300 per image, several labels per box), scored by ours."""
    from ultralytics.utils.nms import non_max_suppression

    was = model.training
    model.eval()
    dets, truths = [], []
    for images, targets in DataLoader(val, batch_size=32, collate_fn=collate):
        out = non_max_suppression(model(images.float()), 0.001, 0.7, multi_label=True,
                                  max_det=300, end2end=getattr(model, "end2end", False))
        for x, t in zip(out, targets):
            dets.append({"boxes": (x[:, :4] / 192).clamp(0, 1), "scores": x[:, 4],
                         "labels": x[:, 5].long() + 1})
            truths.append(t)
    model.train(was)
    return voc07(dets, truths)


def run_yolo(watch: Stopwatch, recipe: str) -> None:
    """YOLO11n from scratch with one of :data:`YOLO_RECIPES`, stopped at S seconds."""
    work = Path(tempfile.mkdtemp(prefix="bench-yolo-"))
    ultralytics = ultralytics_offline()
    data = yolo_dataset(work / "data")
    val = shapes(192, augment=False)
    threads = torch.get_num_threads()
    watch.began = time.perf_counter()             # its data conversion is the bench's, not its
    model = ultralytics.YOLO("yolo11n.yaml")

    def started(tr):
        torch.set_num_threads(threads)            # as many as every other contender
        watch.evaluate = lambda: evaluate_yolo(tr.ema.ema if tr.ema else tr.model, val)

    def batch_end(tr):
        before = watch.paused
        try:
            watch.tick(tr.batch_size)
        finally:        # its own time budget must not count the bench's evaluations either
            tr.train_time_start += watch.paused - before
            tr.epoch_time_start += watch.paused - before

    model.add_callback("on_train_start", started)
    model.add_callback("on_train_batch_end", batch_end)
    try:
        with contextlib.suppress(TimeUp):
            model.train(data=str(data), imgsz=192, time=watch.seconds / 3600, device="cpu",
                        amp=False, plots=False, val=False, pretrained=False, seed=0,
                        project=str(work / "runs"), name=recipe, exist_ok=True, verbose=False,
                        **YOLO_RECIPES[recipe])
        watch.finish()
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(False)


# --------------------------------------------------------------------------- the table
CONTENDERS: dict[str, tuple[str, Callable[[Stopwatch], None]]] = {
    "ours": ("ours: `python -m ssd_core train` (the `small` preset over a time budget of S s)",
             run_ours),
    "ours-epochs": ("ours: the `small` preset's 10 epochs, stopped at S s",
                    functools.partial(run_ours, minutes=False)),
    "ssdlite": ("torchvision `ssdlite320_mobilenet_v3_large` from random weights, AdamW 3e-3",
                run_ssdlite),
    "tinyssd": ("TinySSD as d2l.ai describes it (SGD 0.2, batch 32, 256 px)", run_tinyssd),
    "yolo11n-default": ("Ultralytics YOLO11n from scratch, its default recipe",
                        lambda w: run_yolo(w, "default")),
    "yolo11n-short": ("Ultralytics YOLO11n from scratch, short-run recipe (warm-up 0.2 epochs, "
                      "no mosaic, batch 8, cosine)", lambda w: run_yolo(w, "short")),
}
DEFAULT = ["ours", "ssdlite", "tinyssd", "yolo11n-default", "yolo11n-short"]


def reached(watch: Stopwatch) -> str:
    t = watch.time_to()
    return f"{t:.0f} s" if t is not None else f"not reached in {watch.seconds:g} s"


def table(results: dict[str, Stopwatch], seconds: float) -> list[str]:
    """bench/RESULTS.md's table: one row per contender, then the ratio at S."""
    s = f"{seconds:g}"
    lines = [f"| contender | images/s | images seen in {s} s | VOC07 mAP@0.5 at {s} s | "
             f"time to mAP07 {TARGET:.2f} |", "| --- | --- | --- | --- | --- |"]
    for key, w in results.items():
        lines.append(f"| {CONTENDERS[key][0]} | {w.images / max(1e-9, w.seconds):.1f} | "
                     f"{w.images:,} | {w.final:.3f} | {reached(w)} |")
    ratio = ratio_line(results)
    return lines + ([ratio] if ratio else [])


def ratio_line(results: dict[str, Stopwatch]) -> str | None:
    ours = next((results[k].final for k in ("ours", "ours-epochs") if k in results), None)
    peers = [w.final for k, w in results.items() if not k.startswith("ours")]
    if ours is None or not peers:
        return None
    return f"ratio ours/best-peer at S: {ours / max(max(peers), 1e-9):.2f}"


def main(argv=None) -> list[str]:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=float, default=300, help="training seconds per contender")
    p.add_argument("--every", type=float, default=30,
                   help="seconds between the evaluations that find the time to mAP 0.50")
    p.add_argument("--only", nargs="+", default=DEFAULT, metavar="NAME",
                   help=f"contenders, any of {', '.join(CONTENDERS)} (commas work too)")
    p.add_argument("--amp", default="off", choices=("off", "bf16", "auto"),
                   help="ours's mixed precision (off: float32, as a laptop without bf16 units)")
    args = p.parse_args(argv)
    only = [n for item in args.only for n in item.split(",") if n]
    unknown = [n for n in only if n not in CONTENDERS]
    if unknown:
        p.error(f"unknown contender(s) {', '.join(unknown)}; choose from {', '.join(CONTENDERS)}")
    ssd.set_language("en")          # a benchmark's lines are for engineers
    every = min(args.every, args.seconds)
    lines = [machine(), f"each contender: {args.seconds:g} s of training on the shapes; VOC07 "
             f"mAP@0.5 on the 500 validation images every {every:g} s and at the end "
             f"(evaluation time not counted); ours with --amp {args.amp}"]
    yolo = [k for k in only if k.startswith("yolo")]
    if yolo and ultralytics_offline() is None:
        lines.append(f"{', '.join(yolo)}: skipped, Ultralytics cannot be imported (an optional "
                     "extra: pip install ultralytics)")
        only = [k for k in only if k not in yolo]
    print("\n".join(lines), flush=True)
    results: dict[str, Stopwatch] = {}
    for key in only:
        watch = Stopwatch(args.seconds, every)
        run = CONTENDERS[key][1]
        if key.startswith("ours"):
            run(watch, amp=args.amp)
        else:
            run(watch)
        results[key] = watch
        curve = ", ".join(f"{t:.0f} s {m:.3f}" for t, m in watch.curve)
        lines.append(f"{key}: {watch.images / max(1e-9, args.seconds):.1f} images/s, mAP07 "
                     f"{watch.final:.3f} after {watch.images:,} images in {args.seconds:g} s; "
                     f"time to {TARGET:.2f}: {reached(watch)} (curve: {curve})")
        print(lines[-1], flush=True)
    rows = table(results, args.seconds)
    print("\n".join(rows), flush=True)
    return lines + rows


if __name__ == "__main__":
    main()
