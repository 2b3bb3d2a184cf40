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
* a time budget (``--minutes``, :class:`TimeBudget`): the run measures its own speed and the
  cost of its evaluations, and plans its number of steps so that training and the final
  evaluation end in time; the learning rate holds, then decays over the last part of the plan
  (:class:`BudgetSchedule`), so it never jumps up when the plan changes. ``run.json`` records
  the steps taken, and ``--steps N`` replays them exactly, without the clock;
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
from collections import deque
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
           "lr_factor", "make_optimizer", "BudgetSchedule", "TimeBudget", "BUDGET_DECAY",
           "BUDGET_REGROW"]


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


#: The last part of a budget run (``--minutes``) over which the cosine decays. Until then the
#: learning rate holds and the plan follows the clock; from then on the plan is fixed.
BUDGET_DECAY = 0.5
#: A fixed plan grows again only when this much more (5 %) fits: a slow spell that has passed,
#: not the wobble of the measured speed.
BUDGET_REGROW = 0.05


class BudgetSchedule:
    """The learning-rate multiplier of a run whose number of steps is planned as it goes.

    A run with a time budget (``--minutes``) learns how many steps fit only while it runs
    (:class:`TimeBudget`). Laying a cosine over ``step / planned_steps`` would make the rate
    jump whenever the plan grows, and would make the run impossible to repeat from its number
    of steps alone. So the schedule is cut in two:

    * after the usual linear warm-up (``warmup_iters``) the rate **holds**, until the decay
      begins at ``decay_begins(T)`` for a plan of ``T`` steps: ``round((1 - BUDGET_DECAY) * T)``
      for the cosine, ``round(m * T)`` for the step schedule's first milestone ``m``. While it
      holds the rate does not depend on the plan, which :meth:`update` may change after every
      step as the measured speed changes;
    * the plan is fixed once the decay begins, and the decay's progress ``q`` runs from 0 at
      step ``D = decay_begins(T)`` to 1 after the last step: ``q += (1 - q) / steps_left``
      after each step (with a fixed plan, ``q = (step - D) / (T - D)``). The cosine falls
      from 1 to 0.02 with ``q`` (the step schedule multiplies by ``gamma`` at each milestone's
      place in it), so the rate reaches its end with the last step;
    * if the machine slows down during the decay so much that the fixed plan would overrun the
      budget, the plan is shortened (``revisions``: ``[step, new total]``); ``q`` then advances
      faster, still only up, and still reaches 1 with the last step;
    * if, once fixed, ``BUDGET_REGROW`` more steps fit than planned (the machine is fast again
      after a slow spell), the plan grows to them (a revision too); ``q`` then advances more
      slowly, still only up. Without this, a slow spell of half a minute on a laptop (another
      program, the host of a virtual machine) could fix the plan at half the steps the budget
      holds: measured 2026-12-07, a run fixed at 430 steps in 139 s of its 300.

    Warm-up, hold, decay is the shape of the "warmup-stable-decay" schedules, which train as
    well as a cosine over the whole run when the decay is a large enough part of it (Hägele et
    al. 2024, arXiv 2405.18392, for language models; measured for this detector in
    bench/RESULTS.md). A run of ``N`` steps (``--steps N``) goes through the same code with the
    plan ``N`` from the start, so it takes exactly the learning rates of a budget run that
    took ``N`` steps (without revisions). ``LambdaLR`` calls the object with the iteration; its state is plain
    numbers, saved with the scheduler's in every checkpoint.
    """

    def __init__(self, s: TrainSettings, total: int | None = None):
        self.warmup = s.warmup_iters
        self.shape = s.schedule
        self.milestones = sorted(s.milestones) or [1.0]
        self.gamma = s.gamma
        self.total = total                  # the plan: steps in all (None: not yet planned)
        self.decay_start: int | None = None  # D, once the plan is fixed
        self.progress = 0.0                 # q: how far the decay is, for the next step
        self.revisions: list[list[int]] = []

    def decay_begins(self, total: int) -> int:
        """The step at which the decay begins in a plan of ``total`` steps (non-decreasing in
        ``total``, by at most one step per step)."""
        first = 1 - BUDGET_DECAY if self.shape == "cosine" else self.milestones[0]
        return round(first * total)

    def __call__(self, it: int) -> float:
        """The multiplier of the learning rate for iteration ``it``."""
        warm = min(1.0, (it + 1) / self.warmup) if self.warmup > 0 else 1.0
        q = self.progress
        if self.shape == "cosine":
            return warm * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * q)))
        first = self.milestones[0]
        places = [(m - first) / max(1e-12, 1 - first) for m in self.milestones]
        return warm * self.gamma ** sum(q > place for place in places)

    def update(self, done: int, fits: int, limit: int | None = None) -> None:
        """Plan the run after ``done`` steps, before the rate of the next is set: ``fits``
        steps fit the budget; ``limit`` (default ``fits``) is the most that still end in time.

        While the rate holds the plan becomes ``fits``; when the next step would be past the
        decay's beginning, the plan is fixed (at the nearest total whose decay begins at the
        step just taken). Once fixed, it changes only when it exceeds ``limit``.
        """
        limit = fits if limit is None else limit
        fits = max(fits, done)                            # the steps taken stay taken
        if self.decay_start is None:
            self.total = fits
            if done > self.decay_begins(fits):           # the next rate depends on the plan
                total = fits
                while self.decay_begins(total) < done - 1:
                    total += 1
                self.total, self.decay_start = total, done - 1
        elif self.total > max(limit, done):              # running late: shorten the decay
            self.total = fits
            self.revisions.append([done, fits])
        elif fits > self.total * (1 + BUDGET_REGROW):    # fast again: lengthen it
            self.total = fits
            self.revisions.append([done, fits])
        if self.decay_start is not None and done > self.decay_start:
            self.progress += (1.0 - self.progress) / max(1, self.total - done + 1)


class TimeBudget:
    """How many steps fit in a time budget: the planner of a ``--minutes`` run.

    The budget runs from ``start`` (when :func:`train` was called) for ``seconds``; the plan
    aims ``reserve`` (1 s + 2% of the budget) before its end, for what follows the final
    evaluation and for the errors of the estimates. As the run goes it measures:

    * the seconds of a training step: the mean of the last ``WINDOW`` steps (loading the data
      included, the ends of epochs not), or the median of the last ``RECENT`` when that is
      longer, so that a machine that slows down (a laptop's CPU getting hot) is noticed within a
      few steps while a single slow step is not; the run's first step is left out (it pays for
      setting up the kernels) unless it is the only one;
    * the seconds per evaluated image: from a first evaluation of one batch of validation
      images right after the first step, then from every evaluation at an epoch's end. An
      untrained network finds boxes everywhere, which makes its evaluation several times
      slower than a trained one's; so when the plan is about to be fixed and the only
      measure is still that first one, one batch is evaluated again (``untrained``);
    * the seconds an epoch's end takes besides evaluating (``metrics.csv``, the checkpoints,
      ``curves.png``): ``END_GUESS`` until the first has been measured.

    :meth:`plan` gives the largest number of steps whose training, the ends of the epochs it
    crosses (with their evaluations) and the final evaluation (its images at the cost per
    image, plus three ends' worth for its figures) end ``reserve`` before the budget's end.
    """

    WINDOW = 100
    RECENT = 9
    END_GUESS = 1.0

    def __init__(self, seconds: float, start: float):
        self.seconds, self.start = float(seconds), float(start)
        self.reserve = 1.0 + 0.02 * self.seconds
        self.first_step: float | None = None
        self.recent: deque[float] = deque(maxlen=self.WINDOW)
        self.per_image: float | None = None
        self.untrained = False          # per_image is the untrained network's
        self.end_cost = self.END_GUESS

    @property
    def end(self) -> float:
        """The clock's reading at which the budget is spent."""
        return self.start + self.seconds

    def step_took(self, seconds: float) -> None:
        """One training step took ``seconds``."""
        if self.first_step is None:
            self.first_step = seconds
        else:
            self.recent.append(seconds)

    def step_seconds(self) -> float:
        """The expected seconds of the next training step."""
        if not self.recent:
            return self.first_step or 0.0
        last = sorted(list(self.recent)[-self.RECENT:])
        return max(sum(self.recent) / len(self.recent), last[len(last) // 2])

    def evaluated(self, seconds: float, images: int, untrained: bool = False) -> None:
        """An evaluation of ``images`` validation images took ``seconds`` (``untrained``: of
        the network before it has learnt anything)."""
        self.per_image = seconds / max(1, images)
        self.untrained = untrained

    def epoch_ended(self, seconds: float, evaluating: float) -> None:
        """An epoch's end took ``seconds``, ``evaluating`` of them in the evaluation."""
        self.end_cost = max(0.0, seconds - evaluating)

    def seconds_needed(self, now: float, done: int, total: int, *, epoch_steps: int,
                       eval_every: int, eval_images: int, final_images: int) -> float:
        """The clock's reading at which a plan of ``total`` steps would end, ``done`` taken:
        the steps left, the ends of epochs before the last step (an epoch ``j`` ends after
        step ``j * epoch_steps``; it evaluates ``eval_images`` when ``j`` is a multiple of
        ``eval_every``), then the final evaluation."""
        per_image = self.per_image or 0.0
        first = max(1, -(-done // epoch_steps))          # the next epoch's end still to come
        last = -(-total // epoch_steps) - 1              # the last one before the final
        ends = max(0, last - first + 1)
        evals = max(0, last // eval_every - (first - 1) // eval_every)
        return (now + (total - done) * self.step_seconds() + ends * self.end_cost
                + evals * eval_images * per_image
                + final_images * per_image + 3 * self.end_cost)

    def plan(self, now: float, done: int, **costs) -> tuple[int, int]:
        """``(fits, limit)``: the most steps in all that end ``reserve`` before the budget's
        end, and the most that end by the end itself (a fixed plan is shortened only beyond
        that, so that the wobble of the measured speed does not revise it). ``costs`` are
        :meth:`seconds_needed`'s."""
        return (self._most(now, done, self.end - self.reserve, costs),
                self._most(now, done, self.end, costs))

    def _most(self, now: float, done: int, deadline: float, costs: dict) -> int:
        """The largest total (at least ``done``) that ends by ``deadline``: a binary search,
        the time needed growing with the total."""
        lo, hi = done, done + 1
        while self.seconds_needed(now, done, hi, **costs) <= deadline and hi - done < 10**9:
            lo, hi = hi, done + 2 * (hi - done)
        while hi - lo > 1:          # needed(lo) fits (or lo == done), needed(hi) does not
            mid = (lo + hi) // 2
            if self.seconds_needed(now, done, mid, **costs) <= deadline:
                lo = mid
            else:
                hi = mid
        return lo


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
    elapsed: float = 0.0            # seconds since the run began (a budget continues from it)

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
    clock: Callable[[], float] = time.perf_counter
    start: float = 0.0              # the clock when the run began
    budget: TimeBudget | None = None        # a --minutes run's planner (rank 0)
    skip_evals: bool = False        # a late budget run: no evaluation before the last, for now
    evals_skipped: int = 0          # epochs' ends that did not evaluate because it was late

    def save(self, name: str) -> None:
        """Write ``run_dir/name`` atomically (rank 0 only)."""
        if not self.main:
            return
        self.state.elapsed = self.clock() - self.start
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
    began, evaluating = run.clock(), 0.0
    due = last_epoch or (finished + 1) % s.eval_every == 0
    if due and run.skip_evals and not last_epoch:
        run.evals_skipped += 1
        due = False
    if run.main and due:
        ev, evaluating = _evaluate(run, _eval_images(run, last_epoch))
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
    if run.budget is not None:
        run.budget.epoch_ended(run.clock() - began, evaluating)
    return row


def _eval_images(run: _Run, last: bool) -> int:
    """How many validation images an evaluation takes: at the end of the run the whole split
    (``val_limit`` aside); before it, ``quick_val`` of them when set."""
    s, n = run.settings, len(run.val_set)
    limit = s.val_limit
    if s.quick_val and not last:
        limit = min(s.quick_val, s.val_limit or s.quick_val)
    return n if limit is None else min(limit, n)


def _evaluate(run: _Run, images: int, untrained: bool = False) -> tuple[dict, float]:
    """Evaluate the model on the first ``images`` validation images: ``(result, seconds)``;
    a budget run learns from it what an image costs."""
    began = run.clock()
    ev = evaluate(run.model, run.val_set, run.device, batch_size=max(32, run.settings.batch_size),
                  limit=images, class_names=run.data.classes, amp=run.amp)
    seconds = run.clock() - began
    if run.budget is not None:
        run.budget.evaluated(seconds, len(ev["detections"]), untrained=untrained)
    return ev, seconds


# --------------------------------------------------------------------------- the run
def train(settings: TrainSettings | None = None, *, data: DataChoice | None = None,
          callback: Callable[[dict], None] | None = None,
          on_step: Callable[[dict], None] | None = None,
          clock: Callable[[], float] = time.perf_counter, **overrides) -> RunResult:
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
        clock: the seconds the run measures its time with (``time.perf_counter``): a time
            budget (``minutes``) is planned by it, and the speeds reported are measured with it.
            Tests hand in a fake clock.
        **overrides: fields of :class:`~ssd_core.recipes.TrainSettings`, e.g. ``epochs=3``.

    With ``minutes`` the run has a time budget, counted from this call: it plans its steps
    as it goes (:class:`TimeBudget`, :class:`BudgetSchedule`), always ends with the evaluation
    on the whole validation split, and records the steps it took in ``run.json``
    (``budget.steps``); ``steps=N`` replays exactly those steps without reading the clock.

    Under ``torchrun`` (``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` set) the run joins the process
    group itself and leaves it at the end (:func:`~ssd_core.device.process_group`); a group the
    caller set up is used and left to the caller. ``batch_size`` is the whole batch: each
    process takes its share of it, and its share of every epoch's images
    (:class:`EpochSampler`); rank 0 alone prints, evaluates, calls ``callback`` and
    ``on_step``, and writes the run folder. A resumed run needs as many processes as it had.
    """
    # ---- set-up: settings, device, data, model, optimizer, schedule, where the run lives
    start = clock()                 # a time budget counts from here
    if settings is None:
        settings = make_settings(**overrides)          # checked as it is made
    elif overrides:
        settings = dataclasses.replace(settings, **overrides)
    s = settings
    data = data if data is not None else resolve_data(s)
    with process_group(s.device) as group:
        return _train_in(group, s, data, callback=callback, on_step=on_step, clock=clock,
                         start=start)


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
              on_step, clock: Callable[[], float], start: float) -> RunResult:
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
    # a resumed run is rebuilt as it was saved (the small model's widths included)
    saved = (load_checkpoint(s.resume, config=config, classes=data.classes, map_location="cpu")
             if s.resume else None)
    model = build_ssd(config, num_classes=len(data.classes) + 1,
                      state_dict=saved["model"] if saved else None)
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
    epoch_steps = math.ceil(len(sampler) / per_rank_batch)
    budgeted = s.minutes is not None or s.steps is not None
    if budgeted:                    # the plan is made as the run goes (or replayed: steps)
        schedule = BudgetSchedule(s, total=s.steps)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    else:
        total = s.iterations or s.epochs * epoch_steps
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda it: lr_factor(it, total, s))

    name = s.name or time.strftime(f"{s.preset}-%Y%m%d-%H%M%S")
    if world > 1 and not s.name:            # rank 0's clock names the run for all
        shared = [name]
        dist.broadcast_object_list(shared, src=0)
        name = shared[0]
    run_dir = Path(s.resume).parent if s.resume else Path(s.run_dir) / name
    state = RunState()
    if saved is not None:
        if saved.get("world_size", 1) != world:
            raise _resume_world_error(s.resume, saved.get("world_size", 1), world)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        scheduler.load_state_dict(saved["scheduler"])
        scaler.load_state_dict(saved["scaler"])
        state = RunState(**{f.name: saved[f.name] for f in dataclasses.fields(RunState)
                            if f.name in saved})
        _set_rng_state(saved["rng"])
        start -= state.elapsed      # a budget continues where the run stopped
    if budgeted:
        total = schedule.total      # None until the first plan of a --minutes run
    # rank 0 plans a --minutes run; --steps replays one without the clock
    budget = TimeBudget(60 * s.minutes, start) if s.minutes and not s.steps and main else None
    run = _Run(s, run_dir, model, optimizer, scheduler, scaler, config, data, val_set, device,
               amp, main, state, world, clock=clock, start=start, budget=budget)
    info = {"settings": s.to_dict(), "data": {**data.to_dict(), "reasons": list(data.reasons)},
            "config": config.to_dict(), "classes": list(data.classes), "device": str(device),
            "amp": amp, "world_size": world, "torch": torch.__version__}
    if main:
        write_atomically(run_dir / "run.json", json.dumps(info, indent=2))
        if budget is not None:
            print(_("time budget: {minutes:g} min, the final evaluation on {n} validation images "
                    "included; the run plans its steps from its own speed").format(
                minutes=s.minutes, n=_eval_images(run, last=True)))
        elif s.steps:
            print(_("{steps} steps laid out as a time-budget run lays them (the clock is not "
                    "read)").format(steps=s.steps))
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
    mark = clock()                  # when the step now running began
    try:
        while total is None or state.iteration < total:
            sampler.set_epoch(state.epoch, start=state.step_in_epoch * per_rank_batch)
            train_set.set_epoch(state.epoch)
            sums = {"loss": 0.0, "loc": 0.0, "conf": 0.0}
            n_steps, n_images, t0 = 0, 0, clock()
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
                state.iteration += 1
                state.step_in_epoch += 1
                n_images += images.shape[0] * world
                if budgeted:        # plan the steps left before the next rate is set
                    _plan(run, schedule, mark, epoch_steps)
                    total, mark = schedule.total, clock()
                    if bar is not None and bar.total != total:
                        bar.total = total
                        bar.refresh()
                scheduler.step()
                if main and (bar is not None or on_step is not None):
                    report = {"iteration": state.iteration, "total": total, "epoch": state.epoch + 1,
                              **{k: parts[k] for k in ("loss", "loc", "conf")},
                              "lr": scheduler.get_last_lr()[0],
                              "images_per_s": n_images / max(1e-9, clock() - t0)}
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
            row = _end_of_epoch(run, sums, n_steps, n_images, clock() - t0,
                                last_epoch=state.iteration >= total)
            if bar is not None:
                bar.write(_row_text(row))
            if callback is not None and main:
                callback(row)
            group.barrier()         # the others wait while rank 0 evaluates and writes
            mark = clock()
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
    if main:
        info["steps"] = state.iteration
        if budgeted:
            info["budget"] = _budget_record(run, schedule, interrupted=result.interrupted)
            if budget is not None:
                print(_budget_text(info["budget"]))
        write_atomically(run_dir / "run.json", json.dumps(info, indent=2))
    result.history, result.best_map = state.history, state.best_map
    return result


# --------------------------------------------------------------------------- a time budget
def _plan(run: _Run, schedule: BudgetSchedule, step_began: float, epoch_steps: int) -> None:
    """After a step of a budgeted run, before the rate of the next is set: rank 0 measures
    the step (and, after the first, an evaluation of one batch) and plans the steps that fit
    (:class:`TimeBudget`); every process takes rank 0's plan. ``--steps N`` plans ``N``.

    A fixed plan that would overrun first gives up the evaluations before the last (they
    change no weight, so the run stays the one ``--steps`` replays), and takes them up again
    once they fit with the reserve to spare (a slow spell that has passed; measured
    2026-12-07: a run that dropped them for good ended 16 s early with a curve of 7 points of
    13); only if that is not enough is the plan shortened (:meth:`BudgetSchedule.update`)."""
    s, budget, done = run.settings, run.budget, run.state.iteration
    fits = limit = s.steps or 0
    if budget is not None:
        budget.step_took(run.clock() - step_began)
        one_batch = min(len(run.val_set), max(32, s.batch_size))
        first = budget.per_image is None
        if first:
            _evaluate(run, one_batch, untrained=True)
        fits, limit = _fits(run, done, epoch_steps)
        if first and fits <= done:
            tqdm.write(_("the time budget leaves no time to train: the evaluation at the end "
                         "alone needs about {seconds:.0f} s here (give more --minutes, or "
                         "evaluate fewer images with --val-limit N)").format(
                seconds=budget.per_image * _eval_images(run, last=True)))
        if (schedule.decay_start is None and budget.untrained
                and done > schedule.decay_begins(max(fits, done))):
            _evaluate(run, one_batch)   # the plan is about to be fixed: measure the trained net
            fits, limit = _fits(run, done, epoch_steps)
        if schedule.decay_start is not None:
            with_evals = _fits(run, done, epoch_steps, evals=True)
            late, early = schedule.total > with_evals[1], schedule.total <= with_evals[0]
            if late and not run.skip_evals:
                run.skip_evals = True
                tqdm.write(_("running late: the evaluations before the last one are left out "
                             "until the run is on time again"))
            elif early and run.skip_evals:
                run.skip_evals = False
                tqdm.write(_("on time again: the evaluations at the epochs' ends resume"))
            fits, limit = with_evals if not run.skip_evals else _fits(run, done, epoch_steps)
            if run.skip_evals:          # the time the evaluations free is not for more steps
                fits = min(fits, schedule.total)
    if s.minutes and not s.steps and run.world > 1:       # every process: rank 0's plan
        agreed = torch.tensor([fits, limit], dtype=torch.int64, device=run.device)
        dist.broadcast(agreed, src=0)
        fits, limit = agreed.tolist()
    schedule.update(done, fits, limit)


def _fits(run: _Run, done: int, epoch_steps: int, evals: bool | None = None) -> tuple[int, int]:
    """:meth:`TimeBudget.plan` for this run, now; ``evals``: with the evaluations before the
    last (default: unless the run is skipping them)."""
    evals = not run.skip_evals if evals is None else evals
    return run.budget.plan(
        run.clock(), done, epoch_steps=epoch_steps, eval_every=run.settings.eval_every,
        eval_images=_eval_images(run, last=False) if evals else 0,
        final_images=_eval_images(run, last=True))


def _budget_record(run: _Run, schedule: BudgetSchedule, interrupted: bool) -> dict:
    """What ``run.json`` records of a budgeted run: the steps taken, the plan, and how to
    replay it (``--steps N``; not when the plan was revised during the decay, or the run
    was stopped before its end)."""
    steps = run.state.iteration
    exact = not schedule.revisions and not interrupted and steps == schedule.total
    return {"minutes": run.settings.minutes, "steps": steps, "planned": schedule.total,
            "decay_start": schedule.decay_start, "revisions": schedule.revisions,
            "evaluations_skipped": run.evals_skipped,
            "seconds": round(run.clock() - run.start, 3),
            "replay": {"steps": steps} if exact else None}


def _budget_text(record: dict) -> str:
    """The line a --minutes run ends with, in the course's language."""
    text = _("time budget: {steps} steps in {seconds:.0f} s of {budget:.0f} s").format(
        steps=record["steps"], seconds=record["seconds"], budget=60 * record["minutes"])
    if record["replay"]:
        return text + _("; --steps {steps} repeats exactly these steps").format(
            steps=record["steps"])
    if record["revisions"]:
        return text + _("; the machine's speed changed during the decay, so the plan was "
                        "revised (run.json lists where)")
    return text

