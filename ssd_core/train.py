"""Training (section 3): one step, and the run around it.

:func:`train_step` is SSD's training iteration and nothing else: match and encode the batch's
ground truth (section 2.2), predict, the multibox loss with hard negative mining, one
optimizer step. The command line, lesson 3's brief run, lesson 4's batch trace and the
benchmarks all call it.

:func:`train` is the run around it, behind ``python -m ssd_core train`` and lesson 5:

* set-up: the settings (:mod:`ssd_core.recipes`; checked when they were made), the data they
  resolve to (the :class:`~ssd_core.recipes.DataChoice` the caller hands in, or resolved here),
  the model, the optimizer (SGD as in the paper, or AdamW for the small preset), a linear
  warm-up and the paper's step decay (or a cosine);
* a loop over :func:`train_step`; a step whose loss is not finite is skipped with a warning,
  and several in a row stop the run with advice;
* after each epoch (:func:`_end_of_epoch`): VOC07 11-point and area mAP (fractions in [0, 1]
  in ``metrics.csv`` and the history, printed in percent as the paper's tables), ``metrics.csv``,
  ``curves.png``, ``last.pt`` and ``best.pt`` (written atomically); after the last, also
  ``detections.png`` and ``pr_curves.png``. ``run.json`` records the settings and the data
  (it, ``metrics.csv`` and the checkpoints are written atomically);
* an exact resume: the data order and every augmentation draw are functions of
  (seed, epoch, index), so a run stopped at any step and resumed gives the same weights as one
  that never stopped; Ctrl-C saves ``last.pt`` first;
* under ``torchrun`` the run joins the process group itself (NCCL on CUDA, gloo on the CPU;
  :func:`~ssd_core.device.process_group`), each process trains on its share of every epoch
  with DistributedDataParallel, rank 0 alone prints, evaluates and writes, and the group is
  left at the end, after an error or on Ctrl-C. Several machines are ``torchrun``'s own
  rendezvous (``--nnodes``, ``--rdzv-endpoint``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import platform
import random
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, Sampler
from tqdm.auto import tqdm

from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .data import batch_targets, collate
from .device import ProcessGroup, autocast, process_group, resolve_amp
from .draw import plot_detection_grid, plot_pr_curves, plot_training_curves
from .i18n import _
from .inference import evaluate
from .loss import multibox_loss
from .models import WeightsUnavailableError, build_ssd, load_vgg16_imagenet
from .paths import write_atomically
from .recipes import DataChoice, TrainSettings, make_datasets, make_settings, resolve_data

__all__ = ["train_step", "train", "RunState", "RunResult", "TrainingDiverged", "EpochSampler",
           "lr_factor", "make_optimizer"]


class TrainingDiverged(RuntimeError):
    """Raised after too many non-finite losses in a row."""


# --------------------------------------------------------------------------- the step
def train_step(model, optimizer, images: torch.Tensor, targets: Sequence[dict], *,
               priors: torch.Tensor, variances: tuple[float, float] = (0.1, 0.2),
               amp: str = "off", scaler=None, channels_last: bool = False,
               record: dict | None = None) -> dict[str, Any]:
    """One training iteration of SSD on a batch; returns the loss and its parts as numbers.

    ``images`` are ``[B, 3, S, S]`` in [0, 1]; ``targets`` one dict per image with ``boxes``
    (xyxy in [0, 1]) and ``labels``; ``priors`` the default boxes, on the training device.
    ``amp`` is a resolved mixed-precision setting; ``scaler`` a ``GradScaler``: enabled for
    fp16 only, where it scales the loss; a disabled one (the default) passes everything through.
    A loss that is not finite takes no step (``finite`` is False). With ``record`` given,
    the step leaves its tensors there (lesson 4 draws them).
    """
    images = images.to(priors.device, non_blocking=True)                      # [B, 3, S, S]
    if channels_last:
        images = images.contiguous(memory_format=torch.channels_last)
    loc_t, labels = batch_targets(targets, priors, variances)                 # [B, P, 4], [B, P]
    with autocast(priors.device, amp):
        loc, conf = model(images)                                             # [B, P, 4], [B, P, C]
    out = multibox_loss(loc.float(), conf.float(), loc_t, labels)             # scalars, [B, P]
    optimizer.zero_grad(set_to_none=True)
    finite = torch.isfinite(out["loss"]).to(torch.int32)
    if isinstance(model, DistributedDataParallel):   # all processes take the step, or none
        dist.all_reduce(finite, op=dist.ReduceOp.MIN)
    finite = bool(finite)
    if finite:
        scaler = scaler if scaler is not None else torch.amp.GradScaler(enabled=False)
        scaler.scale(out["loss"]).backward()
        scaler.step(optimizer)
        scaler.update()
    if record is not None:
        record.update(images=images, loc_target=loc_t, labels=labels, loc=loc.detach(),
                      conf=conf.detach(), negatives=out["negatives"])
    return {"loss": out["loss"].item(), "loc": out["loc"].item(), "conf": out["conf"].item(),
            "num_pos": int(out["num_pos"]), "finite": finite}


# --------------------------------------------------------------------------- schedule, order
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


def make_optimizer(model: torch.nn.Module, s: TrainSettings) -> torch.optim.Optimizer:
    """SGD with momentum (the paper) or AdamW (the small preset), from the settings."""
    if s.optimizer == "adamw":
        return torch.optim.AdamW(model.parameters(), lr=s.lr, weight_decay=s.weight_decay)
    return torch.optim.SGD(model.parameters(), lr=s.lr, momentum=s.momentum,
                           weight_decay=s.weight_decay)


# --------------------------------------------------------------------------- run state
@dataclass
class RunState:
    """Where a run is: what a checkpoint needs to continue it exactly."""

    epoch: int = 0                  # epochs finished
    step_in_epoch: int = 0          # iterations done in the current epoch
    iteration: int = 0              # iterations done in all
    best_map: float = -1.0
    history: list[dict] = field(default_factory=list)   # one metrics.csv row per epoch
    bad_steps: int = 0              # non-finite losses in a row

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class RunResult:
    """What :func:`train` returns: where the run lives and how it ended."""

    run_dir: Path
    model: Any
    history: list[dict] = field(default_factory=list)
    best_map: float = float("nan")          # the best VOC07 mAP, a fraction in [0, 1]
    interrupted: bool = False
    data: DataChoice | None = None

    @property
    def last(self) -> dict:
        return self.history[-1] if self.history else {}


def _rng_state() -> dict:
    return {"torch": torch.get_rng_state(), "python": random.getstate(),
            "numpy": np.random.get_state()}


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])


@dataclass
class _Run:
    """The objects of one run that its checkpoints and its end-of-epoch work need."""

    settings: TrainSettings
    run_dir: Path
    model: torch.nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any
    scaler: Any
    config: Any
    data: DataChoice
    val_set: Any
    device: torch.device
    amp: str
    main: bool
    state: RunState
    world: int = 1                  # processes training together (a resume needs as many)

    def save(self, name: str) -> None:
        """Write ``run_dir/name`` atomically (rank 0 only)."""
        if not self.main:
            return
        save_checkpoint(self.run_dir / name, {
            "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(), "scaler": self.scaler.state_dict(),
            "config": self.config.to_dict(), "classes": list(self.data.classes),
            "data": self.data.to_dict(), "settings": self.settings.to_dict(),
            "rng": _rng_state(), "world_size": self.world, **self.state.to_dict(),
        })


def _write_history(run_dir: Path, history: list[dict]) -> None:
    """Rewrite metrics.csv from the history, atomically."""
    if not history:
        return
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=list(dict.fromkeys(k for row in history for k in row)))
    writer.writeheader()
    writer.writerows(history)
    write_atomically(run_dir / "metrics.csv", text.getvalue())


def _row_text(row: dict) -> str:
    """The line printed after an epoch, in the course's language; mAP in percent, as the
    paper's tables give it (``metrics.csv`` and the history keep fractions in [0, 1])."""
    text = _("epoch {epoch}: loss {loss:.3f} (loc {loc:.3f}, conf {conf:.3f}), {speed:.1f} img/s"
             ).format(epoch=row["epoch"], loss=row["loss"], loc=row["loc"], conf=row["conf"],
                      speed=row["images_per_s"])
    if row["map07"] != "":
        # TRANSLATORS: continues the line above: ", mAP07 51.2, area mAP 53.0 on 100 validation
        # images"; both in percent, as the paper's tables (the row keeps fractions); "area" is
        # the VOC2010+ AP, the area under the precision/recall curve
        text += _(", mAP07 {map07:.1f}, area mAP {area:.1f}").format(
            map07=100 * float(row["map07"]), area=100 * float(row["map_area"]))
        text += _(" on {n} validation images").format(n=row["val_images"])
    return text


def _end_of_epoch(run: _Run, sums: dict, n_steps: int, n_images: int, seconds: float,
                  last_epoch: bool) -> dict:
    """Close an epoch: evaluate (every ``eval_every`` epochs and at the end), write
    metrics.csv, curves.png and the checkpoints; returns the epoch's metrics row."""
    s, state = run.settings, run.state
    finished = state.epoch
    state.epoch, state.step_in_epoch = state.epoch + 1, 0
    row = {"epoch": finished + 1, "iteration": state.iteration,
           "lr": run.scheduler.get_last_lr()[0],
           **{k: v / max(1, n_steps) for k, v in sums.items()},
           "images_per_s": n_images / max(1e-9, seconds), "seconds": seconds,
           "map07": "", "map_area": "", "val_images": ""}
    improved = False
    if run.main and ((finished + 1) % s.eval_every == 0 or last_epoch):
        limit = s.val_limit                       # the last epoch: the whole validation split
        if s.quick_val and not last_epoch:        # before it: a quick look at its start
            limit = min(s.quick_val, s.val_limit or s.quick_val)
        ev = evaluate(run.model, run.val_set, run.device, batch_size=max(32, s.batch_size),
                      limit=limit, class_names=run.data.classes, amp=run.amp)
        row["map07"], row["map_area"] = ev["map07"], ev["map_area"]
        row["val_images"] = len(ev["detections"])
        improved = ev["map07"] > state.best_map
        state.best_map = max(state.best_map, ev["map07"])
        if last_epoch:
            plot_pr_curves(ev["voc07"], run.run_dir / "pr_curves.png")
            n = min(8, len(ev["detections"]))
            images = [run.val_set[i][0] for i in range(n)]
            plot_detection_grid(images, ev["detections"][:n], run.data.classes,
                                ev["ground_truths"][:n]).savefig(run.run_dir / "detections.png", dpi=90)
    state.history.append(row)
    if run.main:
        _write_history(run.run_dir, state.history)
        run.save("last.pt")
        if improved:
            run.save("best.pt")
        plot_training_curves(state.history, run.run_dir / "curves.png")
    return row


# --------------------------------------------------------------------------- the run
def train(settings: TrainSettings | None = None, *, data: DataChoice | None = None,
          callback: Callable[[dict], None] | None = None,
          on_step: Callable[[dict], None] | None = None, **overrides) -> RunResult:
    """Train an SSD. ``train()`` alone trains the small model on the shapes data.

    Args:
        settings: a :class:`~ssd_core.recipes.TrainSettings`; by default the ``small`` preset.
        data: the :class:`~ssd_core.recipes.DataChoice` the settings resolve to, when the
            caller has made it (the command line prints its reasons first); by default
            :func:`~ssd_core.recipes.resolve_data` makes it here.
        callback: called with each epoch's metrics row (the row of ``metrics.csv``).
        on_step: called after every iteration with ``{"iteration", "total", "epoch", "loss",
            "loc", "conf", "lr", "images_per_s"}`` (lesson 5 draws its live loss curve with it;
            a skipped step reports its non-finite loss). A ``KeyboardInterrupt`` raised there
            stops the run as Ctrl-C does (``last.pt`` is saved; tests stop runs this way).
        **overrides: fields of :class:`~ssd_core.recipes.TrainSettings`, e.g. ``epochs=3``.

    Under ``torchrun`` (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` set) the run joins the process
    group itself and leaves it at the end (:func:`~ssd_core.device.process_group`); a group the
    caller set up is used and left to the caller. ``batch_size`` is the whole batch: each
    process takes its share of it, and its share of every epoch's images
    (:class:`EpochSampler`); rank 0 alone prints, evaluates, calls ``callback`` and
    ``on_step``, and writes the run folder. A resumed run needs as many processes as it had.
    """
    # ---- set-up: settings, device, data, model, optimizer, schedule, where the run lives
    if settings is None:
        settings = make_settings(**overrides)          # checked as it is made
    elif overrides:
        settings = dataclasses.replace(settings, **overrides)
    s = settings
    data = data if data is not None else resolve_data(s)
    with process_group(s.device) as group:
        return _train_in(group, s, data, callback=callback, on_step=on_step)


def _resume_world_error(path: str, saved: int, now: int) -> CheckpointError:
    """A checkpoint made by ``saved`` processes, resumed by ``now``: why not, and the command."""
    if saved == 1:
        how = _("python -m ssd_core train --resume {path} (one process, without torchrun)")
    else:
        how = _("torchrun --nproc_per_node {saved} -m ssd_core train --resume {path} (on several "
                "machines, --nnodes times --nproc_per_node must make {saved})")
    return CheckpointError(_(
        "{path}: this run was trained with world size {saved} (the number of processes) and is "
        "resumed with world size {now}. Each process's share of every epoch depends on that "
        "number, so a run continues exactly only with the world size it began with; resume it "
        "with {how}.")
        .format(path=path, saved=saved, now=now, how=how.format(path=path, saved=saved)))


def _train_in(group: ProcessGroup, s: TrainSettings, asked: DataChoice, *, callback,
              on_step) -> RunResult:
    """:func:`train` in its process group (a group of one process without ``torchrun``)."""
    rank, world, device, main = group.rank, group.world, group.device, group.main
    if s.batch_size % world:
        raise ValueError(_(
            "batch size {batch} does not split evenly between {world} processes (each takes "
            "the same share of every batch); give --batch-size a multiple of {world}, e.g. "
            "{near}.").format(batch=s.batch_size, world=world,
                             near=max(world, s.batch_size // world * world)))
    amp = resolve_amp(s.amp, device)

    # the shapes dataset is made on first use: by rank 0 first, then the others read it
    config, train_set, val_set, data = group.in_turns(lambda: make_datasets(s, asked))
    for reason in data.reasons[len(asked.reasons):] if main else ():
        print(reason)               # the class list, when the annotations gave it
    torch.manual_seed(s.seed)
    random.seed(s.seed)
    np.random.seed(s.seed)
    model = build_ssd(config, num_classes=len(data.classes) + 1)
    # rank 0 alone fetches ImageNet's weights: DDP hands its weights to the others
    if s.pretrained_backbone and s.model != "small" and not s.resume and main:
        try:
            load_vgg16_imagenet(model)
        except WeightsUnavailableError as err:
            if s.pretrained_backbone != "auto":
                raise
            warnings.warn(f"{err}\nTraining starts from fresh weights instead.")
    model.to(device)
    if s.channels_last:
        model.to(memory_format=torch.channels_last)
    priors = model.priors.to(device)
    optimizer = make_optimizer(model, s)
    scaler = torch.amp.GradScaler("cuda", enabled=(amp == "fp16" and device.type == "cuda"))

    per_rank_batch = s.batch_size // world
    sampler = EpochSampler(len(train_set), s.seed, shuffle=True, rank=rank, world=world)
    loader = DataLoader(train_set, batch_size=per_rank_batch, sampler=sampler,
                        num_workers=s.num_workers, collate_fn=collate,
                        pin_memory=device.type == "cuda")
    total = s.iterations or s.epochs * math.ceil(len(sampler) / per_rank_batch)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda it: lr_factor(it, total, s))

    name = s.name or time.strftime(f"{s.preset}-%Y%m%d-%H%M%S")
    if world > 1 and not s.name:            # rank 0's clock names the run for all
        shared = [name]
        dist.broadcast_object_list(shared, src=0)
        name = shared[0]
    run_dir = Path(s.resume).parent if s.resume else Path(s.run_dir) / name
    state = RunState()
    if s.resume:
        saved = load_checkpoint(s.resume, config=config, classes=data.classes, map_location="cpu")
        if saved.get("world_size", 1) != world:
            raise _resume_world_error(s.resume, saved.get("world_size", 1), world)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        scaler.load_state_dict(saved["scaler"])
        state = RunState(**{f.name: saved[f.name] for f in dataclasses.fields(RunState)})
        _set_rng_state(saved["rng"])
    run = _Run(s, run_dir, model, optimizer, scheduler, scaler, config, data, val_set, device,
               amp, main, state, world)
    if main:
        write_atomically(run_dir / "run.json", json.dumps(
            {"settings": s.to_dict(), "data": {**data.to_dict(), "reasons": list(data.reasons)},
             "config": config.to_dict(), "classes": list(data.classes), "device": str(device),
             "amp": amp, "world_size": world, "torch": torch.__version__}, indent=2))
        if world > 1:
            print(_("training in {world} processes ({backend}), {per} images of each batch per "
                    "process; rank 0 on {host} writes {run_dir}").format(
                world=world, backend=group.backend, per=per_rank_batch, host=platform.node(),
                run_dir=run_dir))
    net = model
    if world > 1:   # the others take rank 0's weights here; DDP then averages the gradients
        net = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda"
                                      else None)

    # ---- the loop
    result = RunResult(run_dir, model, state.history, state.best_map, data=data)
    bar = tqdm(total=total, initial=state.iteration, desc=f"{s.preset} on {device.type}",
               dynamic_ncols=True) if main and s.progress else None
    try:
        while state.iteration < total:
            sampler.set_epoch(state.epoch, start=state.step_in_epoch * per_rank_batch)
            train_set.set_epoch(state.epoch)
            sums = {"loss": 0.0, "loc": 0.0, "conf": 0.0}
            n_steps, n_images, t0 = 0, 0, time.perf_counter()
            net.train()
            for images, targets in loader:
                parts = train_step(net, optimizer, images, targets, priors=priors,
                                   variances=config.variances, amp=amp, scaler=scaler,
                                   channels_last=s.channels_last)
                if parts["finite"]:
                    state.bad_steps = 0
                    for k in sums:
                        sums[k] += parts[k]
                    n_steps += 1
                else:
                    state.bad_steps += 1
                    if main:
                        warnings.warn(f"iteration {state.iteration}: loss is {parts['loss']}; "
                                      f"step skipped ({state.bad_steps} in a row)")
                    if state.bad_steps >= s.max_bad_steps:
                        raise TrainingDiverged(
                            f"{state.bad_steps} steps in a row had a non-finite loss (last: "
                            f"{parts['loss']}). Lower the learning rate (now {s.lr:g}, e.g. --lr "
                            f"{s.lr / 10:g}) or lengthen the warm-up (now {s.warmup_iters} "
                            "iterations).")
                scheduler.step()
                state.iteration += 1
                state.step_in_epoch += 1
                n_images += images.shape[0] * world
                if main and (bar is not None or on_step is not None):
                    report = {"iteration": state.iteration, "total": total, "epoch": state.epoch + 1,
                              **{k: parts[k] for k in ("loss", "loc", "conf")},
                              "lr": scheduler.get_last_lr()[0],
                              "images_per_s": n_images / max(1e-9, time.perf_counter() - t0)}
                    if bar is not None:
                        bar.update(1)
                        bar.set_postfix(loss=f"{report['loss']:.3f}", loc=f"{report['loc']:.3f}",
                                        conf=f"{report['conf']:.3f}", lr=f"{report['lr']:.2e}",
                                        img_s=f"{report['images_per_s']:.1f}")
                    if on_step is not None:
                        try:
                            on_step(report)
                        except KeyboardInterrupt:
                            if world == 1:
                                raise
                            group.stop_requested = True     # the others stop with rank 0
                if world > 1 and group.should_stop():   # Ctrl-C: all stop after this step
                    raise KeyboardInterrupt
                if state.iteration >= total:
                    break
            if world > 1:   # the epoch's losses: the mean over every process's share
                totals = torch.tensor(list(sums.values()), dtype=torch.float64, device=device)
                dist.all_reduce(totals)
                sums = dict(zip(sums, (totals / world).tolist()))
            row = _end_of_epoch(run, sums, n_steps, n_images, time.perf_counter() - t0,
                                last_epoch=state.iteration >= total)
            if bar is not None:
                bar.write(_row_text(row))
            if callback is not None and main:
                callback(row)
            group.barrier()         # the others wait while rank 0 evaluates and writes
    except KeyboardInterrupt:
        result.interrupted = True
        run.save("last.pt")
        if main:
            print("\n" + _("interrupted at iteration {iteration}: saved {path}; resume with "
                            "--resume {path}").format(iteration=state.iteration,
                                                      path=run_dir / "last.pt"))
    finally:
        if bar is not None:
            bar.close()
    result.history, result.best_map = state.history, state.best_map
    return result
