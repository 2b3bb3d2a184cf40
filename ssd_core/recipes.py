"""Recipes: the settings of a training run, its presets, and which data it uses.

* :class:`TrainSettings` is the one record of a run's settings. Each field carries the help
  that its command-line flag shows (``python -m ssd_core train --help`` is generated from the
  fields), and the record checks itself when it is made. :data:`PRESETS` fill it in:
  ``small`` (the CPU model on the shapes data, minutes on a laptop), ``ssd300-voc`` and
  ``ssd512-voc`` (the released model's schedule on PASCAL VOC, a GPU's job), ``ssd300-shapes``
  (the paper's network on the shapes, a GPU without VOC); :func:`make_settings` is a preset
  with some fields changed.
* :func:`resolve_data` is the one place that decides which data a run uses: the kind
  (``"shapes"`` or ``"voc"``, which is any folder in VOC's layout), the folder, the training
  and validation splits, and the class list (``--classes FILE``; else read with the training
  split: :func:`make_datasets`). It says why in ``reasons``. The training run takes this
  :class:`DataChoice` as it is made, once, and stores it in ``run.json`` and in every
  checkpoint, so that ``evaluate`` and ``detect`` use exactly what training used
  (:func:`run_data` reads it back).
* :func:`quick_mode` reads ``$SSD_COURSE_QUICK``: ``1`` (set by the test run) shrinks the
  data and the runs so that every lesson runs in seconds on a CPU.
* :func:`choose_settings`: the run lesson 5 starts, for the machine at hand, built on
  :func:`make_settings`.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from .config import SSDConfig
from .data import (DatasetError, MissingSplitError, SSDAugmentation, SSDEvalTransform,
                   VOCDataset, data_dir, default_shapes_root, ensure_shapes, is_voc_layout,
                   list_splits, read_classes)
from .device import resolve_device
from .i18n import _
from .paths import repo_root, scratch_dir

__all__ = ["TrainSettings", "PRESETS", "make_settings", "quick_mode", "QUICK_ENV", "DataChoice",
           "resolve_data", "make_datasets", "run_data", "has_voc", "choose_settings",
           "LESSON_MINUTES", "cpu_budget", "budget_reason"]

#: Environment variable of the quick mode (the test run sets it to ``1``).
QUICK_ENV = "SSD_COURSE_QUICK"


def quick_mode() -> bool:
    """Whether ``$SSD_COURSE_QUICK`` is ``1``: tiny data, one short epoch, scratch folders.

    The lessons read it in their first cell; CI and the browser test set it so that every
    lesson runs in seconds. Without it the lessons do the real thing.
    """
    return os.environ.get(QUICK_ENV) == "1"


# --------------------------------------------------------------------------- presets
_SSD300_VOC: dict[str, Any] = dict(
    model="ssd300", dataset="voc", iterations=120_000, epochs=None, batch_size=32,
    optimizer="sgd", lr=1e-3, momentum=0.9, weight_decay=5e-4, warmup_iters=1000,
    milestones=(80_000 / 120_000, 100_000 / 120_000), schedule="step", num_workers=8,
    pretrained_backbone=True, eval_every=10)

#: The recipes: the fields each one sets; :class:`TrainSettings` gives the rest.
PRESETS: dict[str, dict[str, Any]] = {
    # A laptop CPU: the small SSD on the embedded shapes data, a few minutes (on a CPU with no
    # length given, a 5-minute budget: cpu_budget). Measured on 2 float32 cores
    # (bench/RESULTS.md, 2026-12-07): in 5 minutes batch 16 gives 1.18x the images/s of batch 8
    # with enough steps left (72.1-75.4 mAP against 71.5), batch 32 too few steps (67.1); an
    # evaluation of all 500 validation images costs about 5 s, so those before the last look
    # at 100 (quick_val). In a run this short the paper's full augmentation slows learning
    # more than it prevents over-fitting (10 epochs with the SSD crop: mAP 0.54 against 0.73
    # without), so only the flip is on by default.
    "small": dict(model="small", dataset="auto", epochs=10, batch_size=16, optimizer="adamw",
                  lr=4e-3, weight_decay=1e-4, warmup_iters=30, schedule="cosine",
                  augmentation=dict(photometric=False, zoom_out=False, iou_crop=False),
                  num_workers=0, quick_val=100),
    # The released SSD300 schedule (the original's ssd_pascal.py, the model of section 3.6
    # with zoom-out, 77.2 mAP): SGD, lr 1e-3, momentum 0.9, weight decay 5e-4, batch 32,
    # lr x0.1 at 80k and 100k of 120k iterations; plus a linear warm-up of ours. Section 3.1
    # trained the 74.3 model for 40k iterations at 1e-3, then 10k at 1e-4 and 10k at 1e-5.
    # The splits are chosen from the data: "07+12" and "2007-test" for the full devkit.
    "ssd300-voc": _SSD300_VOC,
    # SSD512: the same recipe on the larger network.
    "ssd512-voc": {**_SSD300_VOC, "model": "ssd512"},
    # A GPU without VOC (lesson 5's default there): the paper's SSD300 network and optimiser on
    # the data at hand, ImageNet's VGG16 when it can be had; 40 epochs of the 2,000 shapes
    # images, the full augmentation, a cosine decay. Sized for well under 15 minutes on one
    # current GPU; not yet measured on one (no GPU was lent to the sessions so far).
    "ssd300-shapes": {**_SSD300_VOC, "dataset": "auto", "iterations": None, "epochs": 40,
                      "warmup_iters": 300, "schedule": "cosine", "pretrained_backbone": "auto",
                      "eval_every": 5},
}


# --------------------------------------------------------------------------- settings
def _yes_no_auto(text: str) -> bool | str:
    """``--pretrained-backbone``'s value: yes (True), no (False) or auto."""
    value = {"yes": True, "true": True, "no": False, "false": False, "auto": "auto"}.get(
        text.strip().lower())
    if value is None:
        raise ValueError(f"give yes, no or auto (got {text!r})")
    return value


def _setting(default: Any = None, help: str = "", *, factory=None, **flag) -> Any:
    """A field of :class:`TrainSettings` with the help its command-line flag shows.

    ``flag`` tells :mod:`ssd_core.cli` how to make the flag where the field's type does not
    say it all: ``choices``, ``metavar``, ``parse`` (a function from the text typed),
    ``aliases`` (older names of the flag), ``off`` (flags that set the field to False),
    ``default_text`` (what an unset default means), ``cli=False`` (no flag at all).
    """
    metadata = {"help": help, **flag}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class TrainSettings:
    """Everything a run needs. Presets fill in sensible values; any field can be overridden.

    Each field is a flag of ``python -m ssd_core train`` (``data_dir`` is ``--data-dir``),
    except those marked ``cli=False``. Made with values that would run nothing or make no
    sense, the record refuses them (:meth:`check`). The length of a run is ``epochs``, or
    ``iterations``, or a time budget: ``minutes`` (the steps are planned from the measured
    speed, :class:`ssd_core.train.TimeBudget`), which ``steps`` replays without the clock.
    """

    preset: str = _setting("small", "the recipe that sets the fields not given",
                           choices=tuple(PRESETS))
    model: str = _setting("small", "the network: an SSDConfig preset",
                          choices=("small", "ssd300", "ssd512"))
    dataset: str = _setting("auto", "auto: what --data-dir holds; without it VOC in data/ if "
                            "there, else shapes", choices=("auto", "shapes", "voc"))
    data_dir: str | None = _setting(
        None, "a VOC-layout folder (Annotations/, JPEGImages/, ImageSets/Main/), a folder "
        "holding VOCdevkit/, or where to make the shapes dataset", metavar="DIR",
        default_text="data/ for VOC, data/generated/shapes for the shapes")
    classes: str | None = _setting(
        None, "a classes.txt: the class names, one per line", metavar="FILE",
        default_text="the classes.txt beside the data: in its folder, in VOCdevkit/ or in "
        "--data-dir; without one, VOC's 20 classes, or the names the training annotations use "
        "when they are not VOC's")
    train_split: str | None = _setting(
        None, "split to train on (a name in ImageSets/Main, e.g. train, trainval, "
        "2007-trainval, 07+12)", metavar="NAME", default_text="chosen from what the folder has")
    val_split: str | None = _setting(
        None, "split to validate on (e.g. val, test, 2007-test)", metavar="NAME",
        default_text="chosen from what the folder has")
    run_dir: str = _setting("runs", "parent folder of runs", metavar="DIR")
    name: str | None = _setting(None, "run name", default_text="preset and time")
    epochs: int | None = _setting(10, "epochs to train")
    iterations: int | None = _setting(None, "count iterations instead of epochs",
                                      default_text="epochs count")
    minutes: float | None = _setting(
        None, "a time budget in minutes, evaluation included: the run measures its own speed and "
        "plans its steps so that training and the final evaluation on the validation set end "
        "within it (instead of --epochs; run.json records the steps taken)", metavar="M",
        default_text="no budget: --epochs or --iterations count")
    steps: int | None = _setting(
        None, "replay a --minutes run exactly, without the clock: N steps laid out as a budget "
        "run lays them (the learning rate holds, then decays over the last half); N is "
        "run.json's budget.steps", metavar="N", default_text="none")
    batch_size: int = _setting(32, "images per step (all processes together)")
    optimizer: str = _setting("sgd", "sgd (the paper) or adamw", choices=("sgd", "adamw"))
    lr: float = _setting(1e-3, "learning rate after the warm-up")
    momentum: float = _setting(0.9, "SGD's momentum")
    weight_decay: float = _setting(5e-4, "weight decay")
    warmup_iters: int = _setting(500, "iterations of linear warm-up")
    milestones: tuple[float, ...] = _setting(       # fractions of the run (80k/120k, 100k/120k)
        (2 / 3, 5 / 6), "where the step schedule multiplies the learning rate by --gamma, as "
        "fractions of the run", metavar="FRACTION")
    gamma: float = _setting(0.1, "the step schedule's factor")
    schedule: str = _setting("step", "learning-rate schedule after the warm-up",
                             choices=("step", "cosine"))
    device: str = _setting("auto", "auto, cpu, cuda, cuda:1 ...")
    seed: int = _setting(0, "seed of the weights, the data order and every augmentation draw")
    amp: str = _setting("auto", "mixed precision (auto: bf16 on CUDA and on CPUs with bf16 "
                        "hardware, else float32; fp16 needs CUDA)",
                        choices=("auto", "bf16", "fp16", "off"))
    channels_last: bool = _setting(True, "channels-last memory: faster convolutions on CPU and "
                                   "CUDA (bench/)")
    num_workers: int = _setting(0, "DataLoader worker processes", aliases=("--workers",))
    eval_every: int = _setting(1, "evaluate every N epochs (and after the last)", metavar="N")
    max_bad_steps: int = _setting(5, "steps in a row with a non-finite loss that stop the run",
                                  metavar="N")
    augment: bool = _setting(True, "the preset's data augmentation (--no-augment: resize only)")
    augmentation: dict = _setting(   # SSDAugmentation options, e.g. max_zoom (Python only)
        help="options of SSDAugmentation, e.g. {'zoom_out': True}", factory=dict, cli=False)
    resume: str | None = _setting(None, "a run's last.pt to continue from", metavar="FILE",
                                  default_text="a new run")
    pretrained_backbone: bool | str = _setting(
        False, "VGG16's ImageNet weights for ssd300/ssd512 (auto: when they can be had, else "
        "fresh weights)", parse=_yes_no_auto, metavar="{yes,no,auto}",
        off=("--no-pretrained",))
    shapes_train: int = _setting(2000, "training images of the shapes dataset, when it is made")
    shapes_val: int = _setting(500, "validation images of the shapes dataset, when it is made")
    val_limit: int | None = _setting(None, "evaluate on the first N validation images only",
                                     metavar="N", default_text="all")
    quick_val: int | None = _setting(None, "before the last epoch, evaluate on the first N "
                                     "validation images only", metavar="N", default_text="all")
    progress: bool = _setting(True, "a progress bar", off=("--quiet",))

    def __post_init__(self) -> None:
        self.check()

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def check(self) -> None:
        """Refuse settings that would run nothing or make no sense, saying which and why."""
        if self.minutes is not None and not self.minutes > 0:
            raise ValueError(f"minutes must be a positive number, got {self.minutes}")
        if self.steps is not None and self.steps < 1:
            raise ValueError(f"steps must be 1 or more, got {self.steps}")
        budgeted = self.minutes is not None or self.steps is not None
        if not budgeted and self.iterations is None and (self.epochs is None or self.epochs < 1):
            raise ValueError(f"epochs must be 1 or more (got {self.epochs}): with none, the run "
                             "would train nothing. Give --epochs N, or --iterations N.")
        if self.iterations is not None and self.iterations < 1:
            raise ValueError(f"iterations must be 1 or more, got {self.iterations}")
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be 1 or more, got {self.batch_size}")
        if not self.lr > 0:
            raise ValueError(f"lr must be a positive number, got {self.lr}")
        if self.optimizer not in ("sgd", "adamw"):
            raise ValueError(f"optimizer must be 'sgd' or 'adamw', got {self.optimizer!r}")
        if self.schedule not in ("step", "cosine"):
            raise ValueError(f"schedule must be 'step' or 'cosine', got {self.schedule!r}")
        if self.dataset not in ("auto", "shapes", "voc"):
            raise ValueError(f"dataset must be 'shapes', 'voc' or 'auto', got {self.dataset!r}")
        if self.eval_every < 1:
            raise ValueError(f"eval_every must be 1 or more, got {self.eval_every}")


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


# --------------------------------------------------------------------------- which data
@dataclass(frozen=True)
class DataChoice:
    """The data a run uses, resolved: what :func:`resolve_data` decided, and why.

    ``classes`` is ``None`` until the training split has been read (:func:`make_datasets`
    fills it in), unless ``--classes FILE`` gave them; ``reasons`` are sentences for the log,
    in the course's language.
    """

    kind: str                              # "shapes" or "voc"
    root: str
    train_split: str
    val_split: str
    classes: tuple[str, ...] | None = None
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """What ``run.json`` and the checkpoints store."""
        return {"kind": self.kind, "root": self.root, "train_split": self.train_split,
                "val_split": self.val_split,
                "classes": list(self.classes) if self.classes is not None else None}

    @classmethod
    def from_dict(cls, d: Mapping) -> "DataChoice":
        classes = d.get("classes")
        return cls(d["kind"], str(d["root"]), d["train_split"], d["val_split"],
                   tuple(classes) if classes is not None else None)

    def open(self, split: str | None = None, transforms=None, seed: int | None = None) -> VOCDataset:
        """The dataset of ``split`` (default: the validation split) with this choice's classes."""
        return VOCDataset(self.root, split or self.val_split, classes=self.classes,
                          transforms=transforms, seed=seed)


def has_voc(root: str | os.PathLike) -> bool:
    """Whether ``root`` holds PASCAL VOC 2007 (``VOCdevkit/VOC2007`` or ``VOC2007``)."""
    root = Path(root)
    return (root / "VOCdevkit" / "VOC2007").is_dir() or (root / "VOC2007").is_dir()


_SPLIT_PAIRS = (("trainval", "test"), ("train", "val"), ("train", "test"))


def _default_splits(root: Path, splits: Sequence[str]) -> tuple[str, str, str]:
    """``(train, val, why)`` from the splits a VOC-layout folder offers."""
    have = set(splits)
    if {"2007-trainval", "2012-trainval", "2007-test"} <= have:
        return "07+12", "2007-test", _("the paper's split: VOC2007+2012 trainval, VOC2007 test")
    years = sorted({s.split("-", 1)[0] for s in splits if "-" in s}, reverse=True)
    for prefix in [""] + [f"{y}-" for y in years]:
        for train, val in _SPLIT_PAIRS:
            if prefix + train in have and prefix + val in have:
                return prefix + train, prefix + val, _("the folder has {train} and {val}").format(
                    train=prefix + train, val=prefix + val)
    raise DatasetError(_(
        "{folder}: cannot tell which splits to train and validate on; it has {splits}. Choose them "
        "with --train-split NAME --val-split NAME (in Python: train_split=..., val_split=...)."
    ).format(folder=root, splits=", ".join(splits) or _("no split files (ImageSets/Main/<split>.txt)")))


def _shapes_source(s: TrainSettings, quick: bool) -> tuple[Path, int, int]:
    """Where the shapes dataset of ``s`` lives and how many images it gets (training,
    validation): ``data_dir`` when given, else ``data/generated/shapes``; in the quick mode,
    without a folder given, a small one (64 + 16 images) in ``data/generated/shapes-quick``.
    The one place that decides it."""
    if s.data_dir:
        return Path(s.data_dir).expanduser(), s.shapes_train, s.shapes_val
    if quick:
        return (default_shapes_root().with_name("shapes-quick"), min(s.shapes_train, 64),
                min(s.shapes_val, 16))
    return default_shapes_root(), s.shapes_train, s.shapes_val


def _kind_and_root(s: TrainSettings) -> tuple[str, Path, list[str]]:
    """The kind of data (``"shapes"`` or ``"voc"``) and its folder, with the reasons."""
    reasons: list[str] = []
    given = Path(s.data_dir).expanduser() if s.data_dir else None
    kind = s.dataset
    if kind == "auto" and given is not None:
        if (given / "shapes.json").is_file():
            kind = "shapes"
        elif is_voc_layout(given):
            kind = "voc"
        elif given.is_dir() and not any(given.iterdir()):
            kind = "shapes"
            reasons.append(_("data: {folder} is empty, so the shapes dataset is made there")
                           .format(folder=given))
        elif not given.exists():
            raise DatasetError(_(
                "{folder}: no such folder. Point --data-dir at a folder in VOC's layout "
                "(Annotations/, JPEGImages/, ImageSets/Main/), or at an empty folder to make the "
                "shapes dataset there.").format(folder=given))
        else:
            raise DatasetError(_(
                "{folder}: no dataset in VOC layout there (no ImageSets/Main, Annotations or "
                "VOCdevkit). Point --data-dir at a VOC-layout folder, or add --dataset shapes to "
                "make the shapes dataset in an empty folder.").format(folder=given))
        if not reasons:
            reasons.append((_("data: the shapes dataset in {folder}") if kind == "shapes"
                            else _("data: VOC layout in {folder}")).format(folder=given))
    elif kind == "auto":
        kind = "voc" if has_voc(data_dir()) else "shapes"
        reasons.append((_("data: PASCAL VOC found in {folder}") if kind == "voc" else
                        _("data: no VOCdevkit/VOC2007 in {folder}, so the shapes dataset (get VOC "
                          "with `python -m ssd_core data voc --root data/`, 2.9 GB)"))
                       .format(folder=data_dir()))
    else:
        reasons.append(_("data: {kind}, as asked").format(kind=kind))

    if kind == "shapes":
        root, n_train, n_val = _shapes_source(s, quick_mode())
        if given is None and quick_mode():
            reasons.append(_("{env}=1: a small shapes dataset ({train} + {val} images)")
                           .format(env=QUICK_ENV, train=n_train, val=n_val))
        return kind, root, reasons
    root = given if given is not None else data_dir()
    if not is_voc_layout(root):
        raise DatasetError(_(
            "{folder}: no PASCAL VOC there. Download it with `python -m ssd_core data voc --root "
            "{folder}` (2.9 GB), or point --data-dir at a folder in VOC's layout.").format(folder=root))
    return kind, root, reasons


def resolve_data(s: TrainSettings) -> DataChoice:
    """Which data the run with settings ``s`` uses, and why. Reads folders; writes nothing.

    * ``dataset="auto"``: with ``data_dir`` given, the data in that folder (a shapes dataset,
      or any folder in VOC's layout; an empty folder gets the shapes); without it, PASCAL VOC
      when ``data/`` holds a devkit, else the embedded shapes dataset (made on first use by
      :func:`make_datasets`).
    * ``dataset="shapes"``: the shapes dataset in ``data_dir``, else ``data/generated/shapes``;
      a small one (64 + 16 images, ``data/generated/shapes-quick``) in the quick mode.
    * ``dataset="voc"``: the VOC-layout folder ``data_dir``, else ``data/``.
    * Splits: the ones asked for, else ``train``/``val`` for the shapes; for VOC layout,
      ``07+12``/``2007-test`` for the paper's devkit, else the first of trainval/test,
      train/val, train/test the folder has.
    * Classes: those of ``s.classes`` (a ``classes.txt``) when given; else ``None`` here, and
      :func:`make_datasets` takes them from the training split.
    """
    kind, root, reasons = _kind_and_root(s)
    train, val = s.train_split, s.val_split
    if kind == "shapes":
        train, val = train or "train", val or "val"
    elif train is None or val is None:
        d_train, d_val, why = _default_splits(root, list_splits(root))
        train, val = train or d_train, val or d_val
        reasons.append(_("splits: {train} for training, {val} for validation ({why})")
                       .format(train=train, val=val, why=why))
    classes = None
    if s.classes:
        classes = tuple(read_classes(Path(s.classes).expanduser()))
        reasons.append(_("classes: {names} (from {file})").format(
            names=", ".join(classes), file=s.classes))
    return DataChoice(kind, str(root.resolve()), train, val, classes, tuple(reasons))


def _open_split(choice: DataChoice, split: str, which: str, **kwargs) -> VOCDataset:
    """``VOCDataset`` of one split; a missing split names the flag that chooses another."""
    try:
        return VOCDataset(choice.root, split, **kwargs)
    except MissingSplitError as e:
        # TRANSLATORS: added below the dataset's own message ({error}); {which} is train or val
        raise DatasetError(_("{error}\nThe {which} split is {split!r}; choose another with "
                             "--{which}-split NAME (in Python: {which}_split=...).")
                           .format(error=e, which=which, split=split)) from None


def make_datasets(s: TrainSettings, choice: DataChoice | None = None):
    """``(config, train_set, val_set, choice)`` for the settings, the shapes made if needed.

    The training set is augmented (:class:`~ssd_core.data.SSDAugmentation` with the settings'
    options, seeded per sample from ``s.seed``), the validation set only resized. The
    returned choice carries the class list: the one it had (``--classes``), else the
    ``classes.txt`` beside the data, else VOC's 20 classes, else, when the training split's
    annotations use names that are not VOC's, those names sorted (with one more reason that
    lists them). Difficult objects stay in training, as in the original
    (``use_difficult_gt: true``); evaluation ignores them.
    """
    choice = choice or resolve_data(s)
    config = SSDConfig.preset(s.model)
    if choice.kind == "shapes" and not (Path(choice.root) / "ImageSets").is_dir():
        _root, n_train, n_val = _shapes_source(s, quick_mode())
        ensure_shapes(choice.root, num_train=n_train, num_val=n_val)
    size = config.image_size
    augment = SSDAugmentation(size, **s.augmentation) if s.augment else SSDEvalTransform(size)
    train_set = _open_split(choice, choice.train_split, "train", classes=choice.classes,
                            transforms=augment, seed=s.seed, infer_classes=True)
    reasons = choice.reasons
    if train_set.classes_from == "annotations":
        reasons += (_("classes: no class list (a classes.txt beside the data, or --classes "
                      "FILE), so the names the training split's annotations use, sorted: {names}")
                    .format(names=", ".join(train_set.classes)),)
    choice = dataclasses.replace(choice, classes=tuple(train_set.classes), reasons=reasons)
    val_set = _open_split(choice, choice.val_split, "val", classes=choice.classes,
                          transforms=SSDEvalTransform(size))
    return config, train_set, val_set, choice


def run_data(state: Mapping) -> DataChoice:
    """The data a checkpoint's run trained and validated on.

    Checkpoints store the resolved :class:`DataChoice`; for older ones it is rebuilt from
    their settings as those runs chose it.
    """
    if state.get("data"):
        return DataChoice.from_dict(state["data"])
    s = state.get("settings", {})
    voc = s.get("dataset") == "voc" or (s.get("dataset") == "auto" and has_voc(s.get("data_dir") or data_dir()))
    root = s.get("data_dir") or (data_dir() if voc else default_shapes_root())
    return DataChoice("voc" if voc else "shapes", str(root), s.get("train_split") or "train",
                      s.get("val_split") or "val", tuple(state["classes"]))


# --------------------------------------------------------------------------- lesson 5
#: Lesson 5's training cell on a CPU (the small preset, no length given): a run laid over this
#: many minutes (:attr:`TrainSettings.minutes`), so a slow laptop and a fast one both finish a
#: whole run, its curve and its final evaluation, in the same time.
LESSON_MINUTES = 5.0

#: The fields that say how long a run is; with none of them given, a CPU run of the small preset
#: is a budget of :data:`LESSON_MINUTES` (:func:`cpu_budget`).
LENGTH_FIELDS = ("epochs", "iterations", "minutes", "steps")


def cpu_budget(preset: str, device: str, given: dict, quick: bool | None = None) -> float | None:
    """The time budget (minutes) of a run of ``preset`` on ``device`` with the fields ``given``
    (those not None): :data:`LESSON_MINUTES` for the small preset on a CPU when no length is
    given (``epochs``, ``iterations``, ``minutes``, ``steps``), else None (the preset's own
    length; also in the quick mode, ``quick`` or else :func:`quick_mode`, whose runs are one
    tiny epoch). Lesson 5's cell and ``python -m ssd_core train`` both ask here, so a laptop's
    first run ends in five minutes whichever way it starts. A device that cannot be used
    gives None here: the settings' own check says what is wrong with it."""
    quick = quick_mode() if quick is None else quick
    if quick or preset != "small" or any(given.get(k) is not None for k in LENGTH_FIELDS):
        return None
    try:
        cpu = resolve_device(device).type == "cpu"
    except (RuntimeError, ValueError):
        return None
    return LESSON_MINUTES if cpu else None


def budget_reason(minutes: float) -> str:
    """The line that says a run is laid over a time budget of ``minutes``."""
    return (_("time budget: {minutes:g} minutes, the final evaluation included: the run plans "
              "its steps from this machine's speed (`train --minutes`)").format(minutes=minutes))


def choose_settings(preset: str = "auto", *, quick: bool | None = None,
                    workdir: str | os.PathLike | None = None,
                    **fields) -> tuple[TrainSettings, list[str]]:
    """The training settings lesson 5 runs, and the reasons for each choice.

    ``fields`` are :class:`TrainSettings` fields as :func:`make_settings` takes them
    (``dataset``, ``device``, ``augment``, ``data_dir``, ``epochs``, ...): what they leave out
    comes from the preset and the record's defaults. On top of :func:`make_settings`:

    * ``preset="auto"``: on a GPU, ``ssd300-voc`` (the released SSD300 schedule) with VOC
      found, else ``ssd300-shapes`` (the paper's SSD300 on the shapes); on a CPU ``small``; the
      data follow :func:`resolve_data`; the device is resolved (``"auto"`` becomes ``"cpu"`` or
      ``"cuda"``);
    * on a CPU with the small preset and no length given (``epochs``, ``iterations``,
      ``minutes``, ``steps``): a time budget of :data:`LESSON_MINUTES` minutes;
    * ``quick`` (default: :func:`quick_mode`): the small preset for one epoch on the quick
      shapes data, its run in a scratch folder (``workdir``): seconds, and real;
    * runs go to ``runs/`` at the top of the repository (``workdir/runs`` when given);
    * ``augmentation`` (options of :class:`ssd_core.SSDAugmentation`, such as
      ``{"iou_crop": True}``) is merged over the preset's own: with ``augment``, the ablation
      switches; the run's name says which.

    Returns ``(settings, reasons)``.
    """
    quick = quick_mode() if quick is None else quick
    fields = {k: v for k, v in fields.items() if v is not None}
    reasons: list[str] = []
    if quick:
        work = Path(workdir) if workdir is not None else scratch_dir("lesson5")
        preset = "small"
        run = dict(run_dir=str(work / "runs"), epochs=1, iterations=None, batch_size=8,
                   val_limit=8, num_workers=0)
        reasons.append(_("{env}=1: a tiny real run (one epoch of the small model) in {work}")
                       .format(env=QUICK_ENV, work=work))
    else:
        repo = repo_root()
        run = dict(run_dir=str(Path(workdir) / "runs" if workdir is not None
                               else (repo / "runs" if repo is not None else Path("runs"))))
    values = {**run, **fields}                      # the caller's fields win
    asked = make_settings("small" if preset == "auto" else preset, **values)
    dev = resolve_device(asked.device)
    if quick and asked.dataset == "auto":
        asked = dataclasses.replace(asked, dataset="shapes")
    if quick and asked.dataset == "shapes" and asked.data_dir is None:
        root, n_train, n_val = _shapes_source(asked, quick=True)
        values.update(data_dir=str(root), shapes_train=n_train, shapes_val=n_val)
        asked = dataclasses.replace(asked, data_dir=str(root))
    kind, _root, why = _kind_and_root(asked)
    reasons += why
    if preset == "auto":
        preset = ("ssd300-voc" if kind == "voc" else "ssd300-shapes") if dev.type == "cuda" else "small"
        if preset == "ssd300-voc":
            reasons.append(_("preset: ssd300-voc on {dev}: the released SSD300 schedule").format(dev=dev))
        elif dev.type == "cuda":
            reasons.append(_("preset: ssd300-shapes on {dev}: the paper's SSD300 on the shapes, "
                             "{epochs} epochs (get VOC for the paper's own run)")
                           .format(dev=dev, epochs=PRESETS["ssd300-shapes"]["epochs"]))
        else:
            reasons.append(_("preset: small, the SSD that trains on a CPU")
                           + (_(" (on VOC this takes hours: set DATASET = 'shapes' for minutes)")
                              if kind == "voc" else ""))
    elif not quick:
        reasons.append(_("preset: {preset}, as asked").format(preset=preset))
    minutes = cpu_budget(preset, str(dev), fields, quick=quick)
    if minutes is not None:
        values["minutes"] = minutes
        reasons.append(budget_reason(minutes))
    switches = fields.get("augmentation") or {}
    tag = "" if asked.augment and not switches else ("-noaug" if not asked.augment else "-aug-" + "-".join(
        f"{k}{'' if v else 'off'}" for k, v in sorted(switches.items())))
    settings = make_settings(preset, **{
        **values, "dataset": kind, "device": str(dev),
        "name": values.get("name") or f"lesson5-{preset}{tag}-{_dt.datetime.now():%Y%m%d-%H%M%S}",
        # the switches change the preset's augmentation, they do not replace it
        "augmentation": {**PRESETS[preset].get("augmentation", {}), **switches}})
    # TRANSLATORS: the state of the data augmentation, in "device: cpu; augmentation {state}"
    state = _("on") if settings.augment else _("OFF")
    reasons.append(_("device: {dev}; augmentation {state}").format(dev=dev, state=state)
                   + (_(" with {aug}").format(aug=settings.augmentation) if settings.augmentation
                      else ""))
    return settings, reasons
