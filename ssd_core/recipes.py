"""Recipes: the settings of a training run, its presets, and which data it uses.

* :class:`TrainSettings` holds everything a run needs; :data:`PRESETS` fills in a recipe:
  ``small`` (the CPU model on the shapes data, minutes on a laptop), ``ssd300-voc`` and
  ``ssd512-voc`` (the released model's schedule on PASCAL VOC, a GPU's job).
* :func:`resolve_data` is the one place that decides which data a run uses: the kind
  (``"shapes"`` or ``"voc"``, which is any folder in VOC's layout), the folder, the training
  and validation splits, and (once read) the class list. It says why in ``reasons``. The
  training run stores its :class:`DataChoice` in ``run.json`` and in every checkpoint, so that
  ``evaluate`` and ``detect`` use exactly what training used.
* :func:`quick_mode` reads ``$SSD_COURSE_QUICK``: ``1`` (set by the test run) shrinks the
  data and the runs so that every lesson runs in seconds on a CPU.
* :func:`choose_settings`: the run lesson 5 starts, for the machine at hand.
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
                   list_splits)
from .device import resolve_device
from .i18n import _
from .paths import repo_root, scratch_dir

__all__ = ["TrainSettings", "PRESETS", "make_settings", "quick_mode", "QUICK_ENV", "DataChoice",
           "resolve_data", "make_datasets", "has_voc", "choose_settings"]

#: Environment variable of the quick mode (the test run sets it to ``1``).
QUICK_ENV = "SSD_COURSE_QUICK"


def quick_mode() -> bool:
    """Whether ``$SSD_COURSE_QUICK`` is ``1``: tiny data, one short epoch, scratch folders.

    The lessons read it in their first cell; CI and the browser test set it so that every
    lesson runs in seconds. Without it the lessons do the real thing.
    """
    return os.environ.get(QUICK_ENV) == "1"


# --------------------------------------------------------------------------- settings
@dataclass
class TrainSettings:
    """Everything a run needs. Presets fill in sensible values; any field can be overridden."""

    preset: str = "small"
    model: str = "small"                  # an SSDConfig preset: "small", "ssd300" or "ssd512"
    dataset: str = "auto"                 # "shapes", "voc" or "auto" (see resolve_data)
    data_dir: str | None = None           # a VOC-layout folder or devkit, or where shapes go
    train_split: str | None = None        # None: chosen from what the folder has
    val_split: str | None = None
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
    pretrained_backbone: bool | str = False   # VGG16 ImageNet weights: True, False or "auto"
                                              # ("auto": when they can be had, else fresh)
    shapes_train: int = 2000
    shapes_val: int = 500
    val_limit: int | None = None          # evaluate on the first N validation images
    quick_val: int | None = None          # before the last epoch, only the first N of them
    progress: bool = True

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def check(self) -> None:
        """Refuse settings that would run nothing or make no sense, saying which and why."""
        if self.iterations is None and (self.epochs is None or self.epochs < 1):
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


_SSD300_VOC: dict[str, Any] = dict(
    model="ssd300", dataset="voc", iterations=120_000, epochs=None, batch_size=32,
    optimizer="sgd", lr=1e-3, momentum=0.9, weight_decay=5e-4, warmup_iters=1000,
    milestones=(80_000 / 120_000, 100_000 / 120_000), schedule="step", num_workers=8,
    pretrained_backbone=True, eval_every=10)

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
    fills it in); ``reasons`` are sentences for the log, in the course's language.
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


def _kind_and_root(s: TrainSettings) -> tuple[str, Path, list[str]]:
    """The kind of data (``"shapes"`` or ``"voc"``) and its folder, with the reasons."""
    reasons: list[str] = []
    given = Path(s.data_dir).expanduser() if s.data_dir else None
    kind = s.dataset
    if kind not in ("auto", "shapes", "voc"):
        raise ValueError(f"dataset must be 'shapes', 'voc' or 'auto', got {s.dataset!r}")
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
        if given is not None:
            return kind, given, reasons
        if quick_mode():
            reasons.append(_("{env}=1: a small shapes dataset (64 + 16 images)").format(env=QUICK_ENV))
            return kind, default_shapes_root().with_name("shapes-quick"), reasons
        return kind, default_shapes_root(), reasons
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
    return DataChoice(kind, str(root.resolve()), train, val, None, tuple(reasons))


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
    returned choice carries the class list read from the training split. Difficult objects
    stay in training, as in the original (``use_difficult_gt: true``); evaluation ignores them.
    """
    choice = choice or resolve_data(s)
    config = SSDConfig.preset(s.model)
    if choice.kind == "shapes" and not (Path(choice.root) / "ImageSets").is_dir():
        n_train, n_val = s.shapes_train, s.shapes_val
        if quick_mode() and not s.data_dir:
            n_train, n_val = min(n_train, 64), min(n_val, 16)
        ensure_shapes(choice.root, num_train=n_train, num_val=n_val)
    size = config.image_size
    augment = SSDAugmentation(size, **s.augmentation) if s.augment else SSDEvalTransform(size)
    train_set = _open_split(choice, choice.train_split, "train", classes=choice.classes,
                            transforms=augment, seed=s.seed)
    choice = dataclasses.replace(choice, classes=tuple(train_set.classes))
    val_set = _open_split(choice, choice.val_split, "val", classes=choice.classes,
                          transforms=SSDEvalTransform(size))
    return config, train_set, val_set, choice


# --------------------------------------------------------------------------- lesson 5
def choose_settings(preset: str = "auto", dataset: str = "auto", device: str = "auto",
                    augment: bool = True, augmentation: Mapping | None = None,
                    quick: bool | None = None, data_dir: str | os.PathLike | None = None,
                    workdir: str | os.PathLike | None = None, **overrides):
    """The training settings lesson 5 runs, and the reasons for each choice.

    * ``preset="auto"``: on a GPU, ``ssd300-voc`` (the released SSD300 schedule) with VOC
      found, else ``ssd300-shapes`` (the paper's SSD300 on the shapes); on a CPU ``small``; the
      data follow :func:`resolve_data`;
    * ``quick`` (default: :func:`quick_mode`): the small preset for one epoch on the quick
      shapes data, its run in a scratch folder (``workdir``): seconds, and real;
    * runs go to ``runs/`` at the top of the repository (``workdir/runs`` when given).

    ``augment`` and ``augmentation`` (options of :class:`ssd_core.SSDAugmentation`, such as
    ``{"iou_crop": True}``, merged over the preset's own) are the ablation switches.
    ``overrides`` go to :func:`make_settings` as they are. Returns ``(settings, reasons)``.
    """
    quick = quick_mode() if quick is None else quick
    dev = resolve_device(device)
    values: dict[str, Any] = dict(device=str(dev), augment=bool(augment), dataset=dataset,
                                  data_dir=str(data_dir) if data_dir is not None else None)
    reasons: list[str] = []
    if quick:
        work = Path(workdir) if workdir is not None else scratch_dir("lesson5")
        preset = "small"
        if dataset == "auto":
            values["dataset"] = "shapes"
        if values["dataset"] == "shapes" and data_dir is None:
            values.update(data_dir=str(default_shapes_root().with_name("shapes-quick")),
                          shapes_train=64, shapes_val=16)
        values.update(run_dir=str(work / "runs"), epochs=1, iterations=None, batch_size=8,
                      val_limit=8, num_workers=0)
        reasons.append(_("{env}=1: a tiny real run (one epoch of the small model) in {work}")
                       .format(env=QUICK_ENV, work=work))
    else:
        repo = repo_root()
        values["run_dir"] = str(Path(workdir) / "runs" if workdir is not None
                                else (repo / "runs" if repo is not None else Path("runs")))
    kind, _root, why = _kind_and_root(make_settings("small", **values))
    reasons += why
    values["dataset"] = kind
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
    tag = "" if augment and not augmentation else ("-noaug" if not augment else "-aug-" + "-".join(
        f"{k}{'' if v else 'off'}" for k, v in sorted((augmentation or {}).items())))
    values["name"] = f"lesson5-{preset}{tag}-{_dt.datetime.now():%Y%m%d-%H%M%S}"
    # the switches change the preset's augmentation, they do not replace it
    values["augmentation"] = {**PRESETS[preset].get("augmentation", {}), **(augmentation or {})}
    values.update(overrides)
    settings = make_settings(preset, **values)
    # TRANSLATORS: the state of the data augmentation, in "device: cpu; augmentation {state}"
    state = _("on") if settings.augment else _("OFF")
    reasons.append(_("device: {dev}; augmentation {state}").format(dev=dev, state=state)
                   + (_(" with {aug}").format(aug=settings.augmentation) if settings.augmentation
                      else ""))
    return settings, reasons
