"""Training (section 3) and evaluation runs: the loop behind ``python -m ssd_core train``.

One function, :func:`train`, serves the command line and lesson 5. It

* builds the model and data from a preset (``small`` on a laptop CPU, ``ssd300-voc`` and
  ``ssd512-voc`` for the paper's schedule on GPUs);
* matches and encodes each batch on the training device (batched: see ``bench/``);
* runs the forward pass in bf16 where that is fast (CUDA, and CPUs with bf16 hardware);
* steps SGD (or AdamW for the small preset) with a linear warm-up and the paper's step decay;
* evaluates after each epoch (VOC07 11-point and area mAP) and writes ``runs/<name>/``:
  ``last.pt``/``best.pt`` (written atomically), ``metrics.csv``, ``curves.png``,
  ``detections.png``, ``pr_curves.png`` and ``run.json`` (the settings used);
* resumes exactly: the data order and every augmentation draw are functions of
  (seed, epoch, index), so a run stopped at any step and resumed gives the same weights as one
  that never stopped;
* survives trouble: a step whose loss is not finite is skipped with a warning, several in a
  row stop the run with advice, and Ctrl-C saves ``last.pt`` before leaving;
* scales out: under ``torchrun`` it uses DistributedDataParallel, logging and saving on rank 0.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import math
import os
import random
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import DataLoader, Sampler

from .checkpoint import load_checkpoint, save_checkpoint
from .config import SSDConfig
from .evaluate import coco_map, evaluate_detections
from .loss import multibox_loss

__all__ = ["TrainSettings", "PRESETS", "train", "evaluate", "TrainingDiverged", "RunResult"]


class TrainingDiverged(RuntimeError):
    """Raised after too many non-finite losses in a row."""


# --------------------------------------------------------------------------- settings
@dataclass
class TrainSettings:
    """Everything a run needs. Presets fill in sensible values; any field can be overridden."""

    preset: str = "small"
    model: str = "small"                  # "small", "ssd300" or "ssd512"
    dataset: str = "auto"                 # "shapes", "voc" or "auto" (VOC if found, else shapes)
    data_dir: str | None = None           # VOCdevkit folder, or where shapes are generated
    train_split: str = "train"
    val_split: str = "val"
    run_dir: str = "runs"
    name: str | None = None
    epochs: int | None = 10
    iterations: int | None = None         # if set, counts iterations instead of epochs
    batch_size: int = 32
    optimizer: str = "sgd"                # "sgd" (the paper) or "adamw"
    lr: float = 1e-3
    momentum: float = 0.9
    weight_decay: float = 5e-4
    warmup_iters: int = 500
    milestones: tuple[float, ...] = (2 / 3, 5 / 6)   # fractions of the run (80k/120k, 100k/120k)
    gamma: float = 0.1
    schedule: str = "step"                # "step" or "cosine"
    device: str = "auto"
    seed: int = 0
    amp: str = "auto"                     # "auto": bf16 on CUDA and on CPUs with bf16 units
    channels_last: bool = True            # faster convolutions on CPU and CUDA (bench/)
    num_workers: int = 0
    eval_every: int = 1
    max_bad_steps: int = 5
    augment: bool = True
    augmentation: dict = field(default_factory=dict)   # SSDAugmentation options, e.g. max_zoom
    resume: str | None = None
    pretrained_backbone: bool = False     # VGG16 ImageNet weights (downloads once)
    shapes_train: int = 2000
    shapes_val: int = 500
    val_limit: int | None = None          # evaluate on the first N validation images
    progress: bool = True

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


PRESETS: dict[str, dict[str, Any]] = {
    # A laptop CPU: the small SSD on the embedded shapes data, a few minutes.
    # Measured on 2 cores (bench/RESULTS.md): batch 8 beats 32 at equal images (4x the
    # steps at the same images/s), and in a run this short the paper's full augmentation
    # slows learning more than it prevents over-fitting (10 epochs with the SSD crop: mAP
    # 0.54 against 0.73 without), so only the flip is on by default.
    "small": dict(model="small", dataset="auto", epochs=10, batch_size=8, optimizer="adamw",
                  lr=4e-3, weight_decay=1e-4, warmup_iters=30, schedule="cosine",
                  augmentation=dict(photometric=False, zoom_out=False, iou_crop=False),
                  num_workers=0),
    # The paper: SGD, lr 1e-3, momentum 0.9, weight decay 5e-4, batch 32, lr x0.1 at 80k
    # and 100k of 120k iterations, plus a linear warm-up.
    "ssd300-voc": dict(model="ssd300", dataset="voc", iterations=120_000, epochs=None,
                       batch_size=32, optimizer="sgd", lr=1e-3, momentum=0.9,
                       weight_decay=5e-4, warmup_iters=1000, milestones=(80_000 / 120_000, 100_000 / 120_000),
                       schedule="step", train_split="07+12-trainval", val_split="2007-test",
                       num_workers=8, pretrained_backbone=True, eval_every=10),
    "ssd512-voc": dict(model="ssd512", dataset="voc", iterations=120_000, epochs=None,
                       batch_size=32, optimizer="sgd", lr=1e-3, momentum=0.9,
                       weight_decay=5e-4, warmup_iters=1000, milestones=(80_000 / 120_000, 100_000 / 120_000),
                       schedule="step", train_split="07+12-trainval", val_split="2007-test",
                       num_workers=8, pretrained_backbone=True, eval_every=10),
}


def make_settings(preset: str = "small", **overrides) -> TrainSettings:
    """Settings of a preset, with ``overrides`` (``None`` values are ignored)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {sorted(PRESETS)}")
    values = {"preset": preset, **PRESETS[preset]}
    values.update({k: v for k, v in overrides.items() if v is not None})
    unknown = set(values) - {f.name for f in dataclasses.fields(TrainSettings)}
    if unknown:
        raise ValueError(f"unknown training settings: {sorted(unknown)}")
    return TrainSettings(**values)


# --------------------------------------------------------------------------- plumbing
def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"``: CUDA if available, else CPU."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def _dist_info() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


class EpochSampler(Sampler):
    """Yields dataset indices in an order fixed by (seed, epoch).

    ``start`` skips the first samples of an epoch (for an exact resume); under DDP every rank
    sees the same permutation and takes its own stride of it. The augmentation of each sample
    is seeded by the dataset from (seed, epoch, index) (``VOCDataset(seed=...)``), so neither
    the order nor the pictures depend on where a run was stopped.
    """

    def __init__(self, n: int, seed: int, shuffle: bool = True, rank: int = 0, world: int = 1):
        self.n, self.seed, self.shuffle, self.rank, self.world = n, seed, shuffle, rank, world
        self.epoch = 0
        self.start = 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.epoch, self.start = epoch, start

    def _order(self) -> list[int]:
        if not self.shuffle:
            order = list(range(self.n))
        else:
            g = torch.Generator().manual_seed(self.seed * 1000 + self.epoch)
            order = torch.randperm(self.n, generator=g).tolist()
        if self.world > 1:
            order += order[: (-len(order)) % self.world]   # pad to a multiple of the world
            order = order[self.rank :: self.world]
        return order

    def __iter__(self) -> Iterator[int]:
        return iter(self._order()[self.start :])

    def __len__(self) -> int:
        return len(self._order()) - self.start


def has_voc(root: str | os.PathLike) -> bool:
    """Whether ``root`` holds PASCAL VOC 2007 (``VOCdevkit/VOC2007`` or ``VOC2007``)."""
    root = Path(root)
    return (root / "VOCdevkit" / "VOC2007").is_dir() or (root / "VOC2007").is_dir()


def make_datasets(s: TrainSettings):
    """``(config, train_set, val_set, classes)`` for the settings.

    ``dataset="auto"`` takes PASCAL VOC when ``data_dir`` (default ``data/``) holds a
    VOCdevkit, and otherwise the shapes dataset, generated on first use.
    """
    from .data import (SSDAugmentation, SSDEvalTransform, VOCDataset, data_dir,
                       default_shapes_root, ensure_shapes)

    config = {"small": SSDConfig.small, "ssd300": SSDConfig.ssd300,
              "ssd512": SSDConfig.ssd512}[s.model]()
    root = Path(s.data_dir) if s.data_dir else None
    kind = s.dataset
    if kind == "auto":
        kind = "voc" if has_voc(root or data_dir()) else "shapes"
    size = config.image_size
    augment = SSDAugmentation(size, **s.augmentation) if s.augment else SSDEvalTransform(size)
    if kind == "shapes":
        if root is None or not (root / "ImageSets").is_dir():
            # The embedded dataset, generated on first use (a given folder that already
            # holds a dataset in VOC layout is used as it is).
            n_train, n_val = s.shapes_train, s.shapes_val
            if root is None:
                root = default_shapes_root()
                if os.environ.get("SSD_COURSE_QUICK") == "1":     # CI and quick lesson runs
                    root = root.with_name("shapes-quick")
                    n_train, n_val = min(n_train, 64), min(n_val, 16)
            root = ensure_shapes(root, num_train=n_train, num_val=n_val)
        train_split, val_split = "train", "val"
    elif kind == "voc":
        root = root or data_dir()
        train_split, val_split = s.train_split, s.val_split
        if s.preset == "small":
            train_split, val_split = "07+12", "2007-test"
    else:
        raise ValueError(f"dataset must be 'shapes', 'voc' or 'auto', got {s.dataset!r}")
    # Difficult objects stay in training, as in the original (use_difficult_gt: true);
    # evaluation ignores them.
    train_set = VOCDataset(root, train_split, transforms=augment, seed=s.seed)
    val_set = VOCDataset(root, val_split, classes=train_set.classes,
                         transforms=SSDEvalTransform(size))
    return config, train_set, val_set, list(train_set.classes)


def lr_factor(it: int, total: int, s: TrainSettings) -> float:
    """Learning-rate multiplier at iteration ``it``: linear warm-up, then step or cosine."""
    warm = min(1.0, (it + 1) / s.warmup_iters) if s.warmup_iters > 0 else 1.0
    if s.schedule == "cosine":
        progress = min(1.0, it / max(1, total))
        return warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))
    decay = 1.0
    for m in s.milestones:
        if it >= round(m * total):
            decay *= s.gamma
    return warm * decay


def cpu_has_bf16(cpuinfo: str | os.PathLike = "/proc/cpuinfo") -> bool:
    """Whether this CPU computes bfloat16 in hardware (x86 AVX512-BF16 or AMX), read from
    the ``flags`` line of ``cpuinfo`` (Linux; False where there is no such file).

    There, oneDNN trains the small model about 1.6x faster in bf16 than in float32
    (``bench/bench_train.py``, (e)); elsewhere bf16 is emulated and slower, so
    ``amp="auto"`` keeps float32.
    """
    try:
        with open(cpuinfo) as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def resolve_amp(amp: str, device: torch.device) -> str:
    """``"auto"`` -> ``"bf16"`` on CUDA and on CPUs with bf16 hardware, else ``"off"``."""
    if amp not in ("auto", "bf16", "fp16", "off"):
        raise ValueError(f"amp must be 'auto', 'bf16', 'fp16' or 'off', got {amp!r}")
    if amp == "auto":
        return "bf16" if device.type == "cuda" or (device.type == "cpu" and cpu_has_bf16()) else "off"
    if amp == "fp16" and device.type != "cuda":
        raise ValueError("amp='fp16' needs CUDA; use amp='bf16' or 'off' on the CPU")
    return amp


def _autocast(device: torch.device, amp: str):
    """Mixed precision for the forward pass: bf16 or fp16 convolutions, float32 elsewhere."""
    if amp == "off" or device.type not in ("cuda", "cpu"):
        return torch.autocast(device.type, enabled=False)
    dtype = torch.float16 if amp == "fp16" else torch.bfloat16
    return torch.autocast(device.type, dtype=dtype)


# --------------------------------------------------------------------------- evaluation
@torch.no_grad()
def predict(model, dataset, device="cpu", batch_size: int = 32, num_workers: int = 0,
            limit: int | None = None, amp: str = "off", **postprocess_kwargs):
    """Detections and ground truths for a dataset (no augmentation), in dataset order.

    ``amp`` ("off", "bf16", "fp16", "auto") runs the network under autocast; boxes are
    decoded and suppressed in float32 either way.
    """
    from .data import collate

    device = resolve_device(device)
    if limit is not None:
        dataset = torch.utils.data.Subset(dataset, range(min(limit, len(dataset))))
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=num_workers,
                        collate_fn=collate)
    was_training = model.training
    amp = resolve_amp(amp, device)
    model.eval()
    detections, truths = [], []
    try:
        for images, targets in loader:
            with _autocast(device, amp):
                dets = model.detect(images.to(device), **postprocess_kwargs)
            detections += [{k: v.cpu() for k, v in d.items()} for d in dets]
            truths += [{k: t[k] for k in ("boxes", "labels", "difficult") if k in t} for t in targets]
    finally:
        model.train(was_training)
    return detections, truths


def evaluate(model, dataset, device="auto", batch_size: int = 32, num_workers: int = 0,
             limit: int | None = None, class_names: Sequence[str] | None = None,
             coco: bool = False, amp: str = "off") -> dict[str, Any]:
    """VOC07 11-point and area mAP (and COCO AP if ``coco``) of ``model`` on ``dataset``."""
    detections, truths = predict(model, dataset, device, batch_size, num_workers, limit, amp)
    num_classes = model.num_classes
    r07 = evaluate_detections(detections, truths, use_07_metric=True, num_classes=num_classes,
                              class_names=class_names)
    r10 = evaluate_detections(detections, truths, use_07_metric=False, num_classes=num_classes,
                              class_names=class_names)
    out = {"map07": r07.map, "map_area": r10.map, "voc07": r07, "voc10": r10,
           "detections": detections, "ground_truths": truths}
    if coco:
        out["coco"] = coco_map(detections, truths)
    return out


# --------------------------------------------------------------------------- the run
@dataclass
class RunResult:
    """What :func:`train` returns: where the run lives and how it ended."""

    run_dir: Path
    model: Any
    history: list[dict] = field(default_factory=list)
    best_map: float = float("nan")
    interrupted: bool = False

    @property
    def last(self) -> dict:
        return self.history[-1] if self.history else {}


def _write_history(run_dir: Path, history: list[dict]) -> None:
    """Rewrite metrics.csv from the history, atomically."""
    if not history:
        return
    tmp = run_dir / ".metrics.csv.tmp"
    with open(tmp, "w", newline="") as f:
        fields = list(dict.fromkeys(k for row in history for k in row))
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(history)
    os.replace(tmp, run_dir / "metrics.csv")


def _rng_state() -> dict:
    return {"torch": torch.get_rng_state(), "python": random.getstate(),
            "numpy": np.random.get_state()}


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])


def train(settings: TrainSettings | None = None, *, callback: Callable[[dict], None] | None = None,
          on_step: Callable[[dict], None] | None = None, stop_after: int | None = None,
          **overrides) -> RunResult:
    """Train an SSD. ``train()`` alone trains the small model on the shapes data.

    Args:
        settings: a :class:`TrainSettings`; by default the ``small`` preset.
        callback: called with each epoch's metrics row (the row of ``metrics.csv``).
        on_step: called after every iteration with ``{"iteration", "total", "epoch", "loss",
            "loc", "conf", "lr", "images_per_s"}`` (lesson 5 draws its live loss curve with it;
            a skipped step reports its non-finite loss).
        stop_after: stop as if interrupted after this many iterations of this call (tests use
            it to simulate a kill; ``last.pt`` is saved as on Ctrl-C).
        **overrides: fields of :class:`TrainSettings`, e.g. ``epochs=3``.
    """
    from .data import batch_targets, collate   # data and models sit beside train, not below it
    from .models import build_ssd

    if settings is None:
        settings = make_settings(overrides.pop("preset", "small"), **overrides)
    elif overrides:
        settings = dataclasses.replace(settings, **overrides)
    s = settings
    rank, world = _dist_info()
    main = rank == 0
    device = resolve_device(s.device)
    if device.type == "cuda" and world > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    amp = resolve_amp(s.amp, device)

    # ---- data and model
    config, train_set, val_set, classes = make_datasets(s)
    torch.manual_seed(s.seed)
    random.seed(s.seed)
    np.random.seed(s.seed)
    model = build_ssd(config, num_classes=len(classes) + 1)
    if s.pretrained_backbone and s.model != "small" and not s.resume:
        from .models import load_vgg16_imagenet
        load_vgg16_imagenet(model)
    model.to(device)
    if s.channels_last:
        model.to(memory_format=torch.channels_last)
    priors = model.priors.to(device)

    if s.optimizer == "adamw":
        optimizer = torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    elif s.optimizer == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=s.lr, momentum=s.momentum,
                                    weight_decay=s.weight_decay)
    else:
        raise ValueError(f"optimizer must be 'sgd' or 'adamw', got {s.optimizer!r}")
    scaler = torch.amp.GradScaler("cuda", enabled=(amp == "fp16" and device.type == "cuda"))

    per_rank_batch = max(1, s.batch_size // world)
    sampler = EpochSampler(len(train_set), s.seed, shuffle=True, rank=rank, world=world)
    loader = DataLoader(train_set, batch_size=per_rank_batch, sampler=sampler,
                        num_workers=s.num_workers, collate_fn=collate, drop_last=False,
                        pin_memory=device.type == "cuda",
                        persistent_workers=False)
    steps_per_epoch = math.ceil(len(sampler) / per_rank_batch)
    total = s.iterations if s.iterations else s.epochs * steps_per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda it: lr_factor(it, total, s))

    # ---- where the run lives
    name = s.name or time.strftime(f"{s.preset}-%Y%m%d-%H%M%S")
    run_dir = Path(s.resume).parent if s.resume else Path(s.run_dir) / name
    if main:
        run_dir.mkdir(parents=True, exist_ok=True)

    epoch, step_in_epoch, iteration, best, history, bad = 0, 0, 0, -1.0, [], 0
    if s.resume:
        state = load_checkpoint(s.resume, config=config, classes=classes, map_location="cpu")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        scaler.load_state_dict(state["scaler"])
        epoch, step_in_epoch, iteration = state["epoch"], state["step_in_epoch"], state["iteration"]
        best, history, bad = state["best_map"], state["history"], state["bad_steps"]
        _set_rng_state(state["rng"])
    if main:
        (run_dir / "run.json").write_text(json.dumps(
            {"settings": s.to_dict(), "config": config.to_dict(), "classes": list(classes),
             "device": str(device), "amp": amp, "world_size": world, "torch": torch.__version__},
            indent=2))

    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(
            model, device_ids=[device.index] if device.type == "cuda" else None)

    def checkpoint(path_name: str) -> None:
        if not main:
            return
        save_checkpoint(run_dir / path_name, {
            "model": model.state_dict(), "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(), "scaler": scaler.state_dict(),
            "config": config.to_dict(), "classes": list(classes), "settings": s.to_dict(),
            "epoch": epoch, "step_in_epoch": step_in_epoch, "iteration": iteration,
            "best_map": best, "history": history, "bad_steps": bad, "rng": _rng_state(),
        })

    result = RunResult(run_dir, model, history, best)
    bar = None
    if main and s.progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=total, initial=iteration, desc=f"{s.preset} on {device.type}",
                   dynamic_ncols=True)
    this_call = 0
    try:
        while iteration < total:
            sampler.set_epoch(epoch, start=step_in_epoch * per_rank_batch)
            train_set.set_epoch(epoch)
            sums = {"loss": 0.0, "loc": 0.0, "conf": 0.0}
            n_steps, n_images, t0 = 0, 0, time.perf_counter()
            net.train()
            for images, targets in loader:
                images = images.to(device, non_blocking=True)
                if s.channels_last:
                    images = images.contiguous(memory_format=torch.channels_last)
                loc_t, labels = batch_targets(targets, priors, config.variances)  # [B, P, 4], [B, P]
                with _autocast(device, amp):
                    loc, conf = net(images)
                out = multibox_loss(loc.float(), conf.float(), loc_t, labels)
                loss = out["loss"]
                optimizer.zero_grad(set_to_none=True)
                if not torch.isfinite(loss):
                    bad += 1
                    warnings.warn(f"iteration {iteration}: loss is {loss.item()}; step skipped "
                                  f"({bad} in a row)")
                    if bad >= s.max_bad_steps:
                        raise TrainingDiverged(
                            f"{bad} steps in a row had a non-finite loss (last: {loss.item()}). "
                            f"Lower the learning rate (now {s.lr:g}, e.g. --lr {s.lr / 10:g}) or "
                            f"lengthen the warm-up (now {s.warmup_iters} iterations).")
                else:
                    bad = 0
                    scaler.scale(loss).backward()
                    scaler.step(optimizer)
                    scaler.update()
                    for k in sums:
                        sums[k] += out[k].item()
                    n_steps += 1
                scheduler.step()
                iteration += 1
                step_in_epoch += 1
                this_call += 1
                n_images += images.shape[0] * world
                if (bar is not None or on_step is not None) and main:
                    now = {k: out[k].item() for k in ("loss", "loc", "conf")}
                    rate = n_images / max(1e-9, time.perf_counter() - t0)
                    lr_now = scheduler.get_last_lr()[0]
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{now['loss']:.3f}", loc=f"{now['loc']:.3f}",
                                    conf=f"{now['conf']:.3f}", lr=f"{lr_now:.2e}", img_s=f"{rate:.1f}")
                if on_step is not None and main:
                    on_step({"iteration": iteration, "total": total, "epoch": epoch + 1, **now,
                             "lr": lr_now, "images_per_s": rate})
                if stop_after is not None and this_call >= stop_after:
                    raise KeyboardInterrupt
                if iteration >= total:
                    break
            # ---- end of an epoch
            seconds = time.perf_counter() - t0
            finished_epoch = epoch
            epoch, step_in_epoch = epoch + 1, 0
            row = {"epoch": finished_epoch + 1, "iteration": iteration,
                   "lr": scheduler.get_last_lr()[0],
                   **{k: v / max(1, n_steps) for k, v in sums.items()},
                   "images_per_s": n_images / max(1e-9, seconds), "seconds": seconds,
                   "map07": "", "map_area": ""}
            last_epoch = iteration >= total
            improved = False
            if main and ((finished_epoch + 1) % s.eval_every == 0 or last_epoch):
                ev = evaluate(model, val_set, device, batch_size=max(32, s.batch_size),
                              limit=s.val_limit, class_names=classes, amp=amp)
                row["map07"], row["map_area"] = ev["map07"], ev["map_area"]
                improved = ev["map07"] > best
                best = max(best, ev["map07"])
                if last_epoch:
                    _final_figures(run_dir, model, val_set, ev, classes)
            history.append(row)
            if main:
                _write_history(run_dir, history)
                checkpoint("last.pt")
                if improved:
                    checkpoint("best.pt")
                _curves(run_dir, history)
                if bar is not None:
                    bar.write(_row_text(row))
            if callback is not None and main:
                callback(row)
            if world > 1:
                dist.barrier()
    except KeyboardInterrupt:
        result.interrupted = True
        checkpoint("last.pt")
        if main:
            print(f"\ninterrupted at iteration {iteration}: saved {run_dir / 'last.pt'}; "
                  f"resume with --resume {run_dir / 'last.pt'}")
    finally:
        if bar is not None:
            bar.close()
    result.history, result.best_map = history, best
    return result


def _row_text(row: dict) -> str:
    text = (f"epoch {row['epoch']}: loss {row['loss']:.3f} (loc {row['loc']:.3f}, "
            f"conf {row['conf']:.3f}), {row['images_per_s']:.1f} img/s")
    if row["map07"] != "":
        text += f", mAP07 {row['map07']:.3f}, area {row['map_area']:.3f}"
    return text


def _curves(run_dir: Path, history: list[dict]) -> None:
    from .viz.draw import plot_training_curves

    plot_training_curves(history, run_dir / "curves.png")


def _final_figures(run_dir: Path, model, val_set, ev: dict, classes) -> None:
    """Example detections and PR curves of the finished model."""
    from matplotlib.figure import Figure

    from .viz.draw import plot_pr_curves, show_detections

    plot_pr_curves(ev["voc07"], run_dir / "pr_curves.png")
    n = min(8, len(ev["detections"]))
    fig = Figure(figsize=(12, 6.4))
    axes = fig.subplots(2, 4).flatten()
    for i, ax in enumerate(axes):
        ax.set_axis_off()
        if i >= n:
            continue
        image, _ = val_set[i]
        show_detections(image, ev["detections"][i], class_names=classes, score_threshold=0.4,
                        ground_truth=ev["ground_truths"][i], ax=ax)
    fig.tight_layout()
    fig.savefig(run_dir / "detections.png", dpi=90)


# --------------------------------------------------------------------------- using a run
def load_trained(path, device="auto"):
    """``(model, checkpoint)`` from a run's ``best.pt``/``last.pt``, in eval mode on ``device``."""
    from .models import build_ssd

    state = load_checkpoint(path)
    config = SSDConfig.from_dict(state["config"])
    model = build_ssd(config, num_classes=len(state["classes"]) + 1)
    model.load_state_dict(state["model"])
    return model.to(resolve_device(device)).eval(), state


@torch.no_grad()
def detect_images(model, images, device="auto", score_threshold: float = 0.0, **postprocess_kwargs):
    """Detections for PIL images or ``[3, H, W]`` tensors of any size.

    Each image is resized to the model's input (no other change); boxes come back in [0, 1]
    of the original image, which a resize does not change.
    """
    from torchvision.transforms.v2 import functional as TF

    device = resolve_device(device)
    size = model.config.image_size
    batch = []
    for image in images:
        t = image if isinstance(image, torch.Tensor) else TF.pil_to_tensor(image.convert("RGB"))
        t = TF.to_dtype(t, torch.float32, scale=True)
        batch.append(TF.resize(t, [size, size], antialias=True))
    dets = model.detect(torch.stack(batch).to(device), **postprocess_kwargs)
    out = []
    for d in dets:
        keep = d["scores"] >= score_threshold
        out.append({k: v[keep].cpu() for k, v in d.items()})
    return out
