"""Running a trained SSD: on a dataset (detections, mAP), on images, from a checkpoint.

* :func:`predict` and :func:`evaluate`: a model over a dataset, then the VOC metrics of
  :mod:`ssd_core.metrics` (the numbers of the paper's tables) and, if asked, COCO's AP;
* :func:`load_trained`: a run's checkpoint as a model, with the data it was trained on
  (read it with :func:`ssd_core.recipes.run_data`);
* :func:`to_model_input`, :func:`raw_predictions` and :func:`detect_images`: photos of any
  size in, the network's raw outputs or the detections out;
* :func:`pretrained_ssd300`: the paper's detector trained for real (torchvision's SSD300 on
  COCO), to see what SSD does on photos; :func:`pretrained_or_none` for a lesson cell that
  goes on without it; :func:`time_detection`: seconds per photo on this machine.

The network always sees the image warped to its square input (the paper's "warp"); boxes
come back xyxy in [0, 1] of the original image, which a resize does not change.
"""

from __future__ import annotations

import math
import os
import time
import urllib.error
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import torch
from PIL import Image
from torch.utils.data import DataLoader, Subset
from torchvision.models.detection import SSD300_VGG16_Weights
from torchvision.transforms.v2 import functional as TF

from .checkpoint import load_checkpoint
from .config import SSDConfig
from .data import collate, to_float_image
from .device import autocast, eval_mode, resolve_amp, resolve_device
from .metrics import coco_map, evaluate_detections
from .course.facts import PAPER_FACTS
from .i18n import N_, _, pgettext
from .models import SSD, WeightsUnavailableError, build_ssd, from_torchvision
from .recipes import quick_mode

__all__ = ["predict", "evaluate", "load_trained", "to_model_input",
           "raw_predictions", "detect_images", "pretrained_ssd300", "COCO_CLASSES",
           "coco_class_labels",
           "coco_weights_file", "map_labels", "pretrained_or_none", "time_detection",
           "DetectionTiming", "PRETRAINED_NAME", "WOULD_SHOW"]


# --------------------------------------------------------------------------- on a dataset
@torch.no_grad()
def predict(model: SSD, dataset, device="cpu", batch_size: int = 32, num_workers: int = 0,
            limit: int | None = None, amp: str = "off", **postprocess_kwargs):
    """Detections and ground truths for a dataset (no augmentation), in dataset order.

    ``amp`` ("off", "bf16", "fp16", "auto") runs the network under autocast; boxes are
    decoded and suppressed in float32 either way.
    """
    device = resolve_device(device)
    amp = resolve_amp(amp, device)
    if limit is not None:
        dataset = Subset(dataset, range(min(limit, len(dataset))))
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, num_workers=num_workers,
                        collate_fn=collate)
    detections, truths = [], []
    with eval_mode(model):
        for images, targets in loader:
            with autocast(device, amp):
                dets = model.detect(images.to(device), **postprocess_kwargs)
            detections += [{k: v.cpu() for k, v in d.items()} for d in dets]
            truths += [{k: t[k] for k in ("boxes", "labels", "difficult") if k in t} for t in targets]
    return detections, truths


def evaluate(model: SSD, dataset, device="auto", batch_size: int = 32, num_workers: int = 0,
             limit: int | None = None, class_names: Sequence[str] | None = None,
             coco: bool = False, amp: str = "off") -> dict[str, Any]:
    """VOC07 11-point and area mAP (and COCO AP if ``coco``) of ``model`` on ``dataset``.

    Returns ``map07``, ``map_area``, the two :class:`~ssd_core.metrics.EvalResult` (``voc07``,
    ``voc10``; ``.table()`` prints one), the ``detections`` and ``ground_truths``, and
    ``coco`` (AP, AP50, AP75) when asked. The APs are fractions in [0, 1]; show a student
    ``100 * map07`` (:func:`ssd_core.draw.percent`), as the paper's tables give mAP (74.3).
    """
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


# --------------------------------------------------------------------------- a trained run
def load_trained(path: str | os.PathLike, device="auto") -> tuple[SSD, dict]:
    """``(model, checkpoint)`` from a run's ``best.pt``/``last.pt``, in eval mode on ``device``.

    A missing, truncated or foreign file raises :class:`~ssd_core.checkpoint.CheckpointError`
    with what to do.
    """
    state = load_checkpoint(path)
    config = SSDConfig.from_dict(state["config"])
    model = build_ssd(config, num_classes=len(state["classes"]) + 1, state_dict=state["model"])
    model.load_state_dict(state["model"])
    return model.to(resolve_device(device)).eval(), state


# --------------------------------------------------------------------------- on images
def to_model_input(image, size: int) -> torch.Tensor:
    """A PIL image, or a ``uint8``/float ``[3, H, W]`` tensor, as the network's input:
    ``[3, size, size]`` float in [0, 1], warped to the square (aspect ratio not kept)."""
    if isinstance(image, Image.Image):
        image = TF.pil_to_tensor(image.convert("RGB"))
    x = image.as_subclass(torch.Tensor)
    x = TF.resize(x, [size, size], antialias=True)     # bytes resized as bytes, as in evaluation
    return to_float_image(x)                                            # [3, S, S]


@torch.no_grad()
def raw_predictions(model: SSD, image) -> tuple[torch.Tensor, torch.Tensor]:
    """The network's raw outputs for one image: ``(loc [P, 4], conf [P, C])``, float32 on the
    CPU. The explorers keep them and re-run only the post-processing when a slider moves."""
    device = next(model.parameters()).device
    x = to_model_input(image, model.config.image_size)[None].to(device)  # [1, 3, S, S]
    with eval_mode(model):
        loc, conf = model(x)                                              # [1, P, 4], [1, P, C]
    return loc[0].float().cpu(), conf[0].float().cpu()


@torch.no_grad()
def detect_images(model: SSD, images, device=None, score_threshold: float = 0.0,
                  **postprocess_kwargs) -> list[dict[str, torch.Tensor]]:
    """Detections for PIL images or ``[3, H, W]`` tensors of any size, one dict per image
    (``boxes`` xyxy in [0, 1] of the original image, ``scores``, ``labels``), on the CPU.
    The images go to ``device`` (default: where the model is)."""
    device = next(model.parameters()).device if device is None else resolve_device(device)
    size = model.config.image_size
    batch = torch.stack([to_model_input(image, size) for image in images])  # [B, 3, S, S]
    dets = model.detect(batch.to(device), **postprocess_kwargs)
    out = []
    for d in dets:
        keep = d["scores"] >= score_threshold
        out.append({k: v[keep].cpu() for k, v in d.items()})
    return out


# --------------------------------------------------------------------------- the trained SSD300
#: torchvision's COCO class names (91 slots: background, the 80 classes, unused ids "N/A").
COCO_CLASSES: tuple[str, ...] = tuple(SSD300_VGG16_Weights.COCO_V1.meta["categories"])


def coco_class_labels() -> dict[str, str]:
    """Each of COCO's 80 classes as a student reads it (on detections, in titles), in the
    course's language: the catalog's translation in the context ``"class name"``, which
    :func:`ssd_core.draw.class_label` looks up. :data:`COCO_CLASSES` (torchvision's metadata)
    and ``model.class_names`` keep the English names; the unused ids (``"N/A"``) and the
    background are not shown and not translated."""
    return {
        "person": pgettext("class name", "person"),
        "bicycle": pgettext("class name", "bicycle"),
        "car": pgettext("class name", "car"),
        "motorcycle": pgettext("class name", "motorcycle"),
        "airplane": pgettext("class name", "airplane"),
        "bus": pgettext("class name", "bus"),
        "train": pgettext("class name", "train"),
        "truck": pgettext("class name", "truck"),
        "boat": pgettext("class name", "boat"),
        "traffic light": pgettext("class name", "traffic light"),
        "fire hydrant": pgettext("class name", "fire hydrant"),
        "stop sign": pgettext("class name", "stop sign"),
        "parking meter": pgettext("class name", "parking meter"),
        "bench": pgettext("class name", "bench"),
        "bird": pgettext("class name", "bird"),
        "cat": pgettext("class name", "cat"),
        "dog": pgettext("class name", "dog"),
        "horse": pgettext("class name", "horse"),
        "sheep": pgettext("class name", "sheep"),
        "cow": pgettext("class name", "cow"),
        "elephant": pgettext("class name", "elephant"),
        "bear": pgettext("class name", "bear"),
        "zebra": pgettext("class name", "zebra"),
        "giraffe": pgettext("class name", "giraffe"),
        "backpack": pgettext("class name", "backpack"),
        "umbrella": pgettext("class name", "umbrella"),
        "handbag": pgettext("class name", "handbag"),
        "tie": pgettext("class name", "tie"),
        "suitcase": pgettext("class name", "suitcase"),
        "frisbee": pgettext("class name", "frisbee"),
        "skis": pgettext("class name", "skis"),
        "snowboard": pgettext("class name", "snowboard"),
        "sports ball": pgettext("class name", "sports ball"),
        "kite": pgettext("class name", "kite"),
        "baseball bat": pgettext("class name", "baseball bat"),
        "baseball glove": pgettext("class name", "baseball glove"),
        "skateboard": pgettext("class name", "skateboard"),
        "surfboard": pgettext("class name", "surfboard"),
        "tennis racket": pgettext("class name", "tennis racket"),
        "bottle": pgettext("class name", "bottle"),
        "wine glass": pgettext("class name", "wine glass"),
        "cup": pgettext("class name", "cup"),
        "fork": pgettext("class name", "fork"),
        "knife": pgettext("class name", "knife"),
        "spoon": pgettext("class name", "spoon"),
        "bowl": pgettext("class name", "bowl"),
        "banana": pgettext("class name", "banana"),
        "apple": pgettext("class name", "apple"),
        "sandwich": pgettext("class name", "sandwich"),
        "orange": pgettext("class name", "orange"),
        "broccoli": pgettext("class name", "broccoli"),
        "carrot": pgettext("class name", "carrot"),
        "hot dog": pgettext("class name", "hot dog"),
        "pizza": pgettext("class name", "pizza"),
        "donut": pgettext("class name", "donut"),
        "cake": pgettext("class name", "cake"),
        "chair": pgettext("class name", "chair"),
        "couch": pgettext("class name", "couch"),
        "potted plant": pgettext("class name", "potted plant"),
        "bed": pgettext("class name", "bed"),
        "dining table": pgettext("class name", "dining table"),
        "toilet": pgettext("class name", "toilet"),
        "tv": pgettext("class name", "tv"),
        "laptop": pgettext("class name", "laptop"),
        "mouse": pgettext("class name", "mouse"),
        "remote": pgettext("class name", "remote"),
        "keyboard": pgettext("class name", "keyboard"),
        "cell phone": pgettext("class name", "cell phone"),
        "microwave": pgettext("class name", "microwave"),
        "oven": pgettext("class name", "oven"),
        "toaster": pgettext("class name", "toaster"),
        "sink": pgettext("class name", "sink"),
        "refrigerator": pgettext("class name", "refrigerator"),
        "book": pgettext("class name", "book"),
        "clock": pgettext("class name", "clock"),
        "vase": pgettext("class name", "vase"),
        "scissors": pgettext("class name", "scissors"),
        "teddy bear": pgettext("class name", "teddy bear"),
        "hair drier": pgettext("class name", "hair drier"),
        "toothbrush": pgettext("class name", "toothbrush"),
    }


#: About the size of the weights file, for the messages.
COCO_WEIGHTS_SIZE = "136 MB"
#: How figures and screenshot captions name the pretrained detector.
PRETRAINED_NAME = "SSD300 (COCO, torchvision)"


def coco_weights_file() -> tuple[str, Path]:
    """``(url, path)``: torchvision's SSD300 COCO weights and where torch hub keeps them."""
    url = SSD300_VGG16_Weights.COCO_V1.url
    return url, Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


def pretrained_ssd300(weights: str | os.PathLike | None = None, device="auto",
                      download: bool | None = None, progress: bool = True) -> SSD:
    """The SSD300 torchvision trained on COCO, as an ``ssd_core`` model in eval mode.

    The weights are torchvision's ``SSD300_VGG16_Weights.COCO_V1`` (about 136 MB, 25.1 box mAP
    on COCO val2017 by torchvision's own measure), converted with
    :func:`~ssd_core.models.from_torchvision`. They come from ``weights`` (a file: for students
    whose network cannot reach the download, copied from the course's share), else from torch
    hub's cache, downloaded into it once when ``download`` allows (default: except in the quick
    test run). ``model.class_names`` are COCO's names for labels 1..90 (``"N/A"`` for unused ids).

    Raises :class:`~ssd_core.models.WeightsUnavailableError` with what to do, in the course's
    language, when the weights cannot be had or the file is not SSD300's.
    """
    url, cached = coco_weights_file()
    fmt = dict(size=COCO_WEIGHTS_SIZE, url=url, file=cached.name, path=cached)
    if weights is not None:
        path = Path(weights).expanduser()
        if not path.is_file():
            raise WeightsUnavailableError(_(
                "{path}: no such weights file; give the path of {file} (torchvision's SSD300 "
                "trained on COCO).").format(**{**fmt, "path": path}))
    elif cached.is_file():
        path = cached
    else:
        if download is None:
            download = not quick_mode()
        if not download:
            raise WeightsUnavailableError(_(
                "the quick test run does not download ({size}); the cell goes on without the "
                "trained SSD300.").format(**fmt))
        try:
            torch.hub.load_state_dict_from_url(url, map_location="cpu", progress=progress,
                                               check_hash=True, weights_only=True)
        except (urllib.error.URLError, OSError, RuntimeError) as err:
            raise WeightsUnavailableError(_(
                "Could not download the trained SSD300 weights ({size}) from {url} ({error}).\n"
                "Offline? Copy the file {file} (from the course's share, or downloaded on a "
                "machine that is online) to\n    {path}\nkeeping its name, or give its path: "
                "pretrained_ssd300(weights=\"...\").").format(**fmt, error=err)) from None
        path = cached
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:      # truncated, or not a torch file at all
        raise WeightsUnavailableError(_(
            "{path}: not a weights file torch can read ({error}); it may be cut short: copy or "
            "download it again.").format(path=path, error=f"{type(err).__name__}: {err}")
        ) from None
    try:
        model = from_torchvision(state)
    except (ValueError, TypeError) as err:
        raise WeightsUnavailableError(_(
            "{path}: these are not the weights of torchvision's ssd300_vgg16 ({error}).").format(
                path=path, error=err)) from None
    if model.num_classes != len(COCO_CLASSES):
        raise WeightsUnavailableError(_(
            "{path}: these are not the weights of torchvision's ssd300_vgg16 ({error}).").format(
                path=path, error=f"{model.num_classes} classes, COCO has {len(COCO_CLASSES)}"))
    model.class_names = list(COCO_CLASSES[1:])
    model.weights_name = PRETRAINED_NAME
    return model.to(resolve_device(device)).eval()


def map_labels(labels: torch.Tensor, names: Sequence[str],
               to: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
    """Labels of class list ``names`` (label k is ``names[k - 1]``) as labels of ``to``:
    ``(new labels, keep)``, where ``keep`` marks the objects whose class ``to`` has.

    The sample photos' person, cat, cup and spoon are COCO classes; their coins are not.
    """
    index = {n: k + 1 for k, n in enumerate(to)}
    mapped = torch.tensor([index.get(names[int(l) - 1], 0) for l in labels.reshape(-1)],
                          dtype=torch.int64)
    return mapped, mapped > 0


#: What each lesson cell with the trained SSD300 shows, said when it cannot run (English
#: messages of the catalog, translated when printed).
WOULD_SHOW: dict[str, str] = {
    "lesson1_outputs": N_(
        "with the weights, this cell prints the raw output for one photo: 8,732 boxes, each with 4 "
        "offsets and 91 scores (background, COCO's 80 classes, 10 unused ids)"),
    "lesson1_detections": N_(
        "with the weights, this cell shows SSD300's detections on the six sample photos, with the "
        "score threshold on a slider"),
    "lesson1_speed": N_(
        "with the weights, this cell times SSD300 on this machine, per photo"),
    "lesson3_mining": N_(
        "with the weights, this cell shows which default boxes the trained SSD300 finds hardest "
        "among the negatives of a real photo"),
    "lesson5_photo": N_(
        "with the weights, this cell runs the trained SSD300 on your own photo, and its figure can "
        "be your test-run screenshot"),
}

_LOADED: dict[tuple, SSD] = {}
_TOLD: set[str] = set()


def pretrained_or_none(shows: str, **kwargs) -> SSD | None:
    """:func:`pretrained_ssd300` for a lesson cell: the model, or None after printing why, what
    to do, and what the cell would have shown (``shows``: a key of
    :data:`WOULD_SHOW`). The lesson goes on either way.

    Several cells of a lesson share one loaded model (the same arguments give the same object),
    and a reason already printed is not printed again: later cells say only what they would
    show.
    """
    would = WOULD_SHOW[shows]                        # a wrong key fails even with the weights
    key = tuple(sorted((k, str(v)) for k, v in kwargs.items()))
    if key in _LOADED:
        return _LOADED[key]
    try:
        model = pretrained_ssd300(**kwargs)
    except WeightsUnavailableError as err:
        if str(err) not in _TOLD:
            _TOLD.add(str(err))
            print(err)
        print(_("(no trained SSD300 here: {what})").format(what=_(would)))
        return None
    _LOADED[key] = model
    return model


@dataclass
class DetectionTiming:
    """Seconds per photo of :func:`detect_images`, one photo at a time, on one device."""

    seconds_per_image: float
    device: str
    threads: int
    images: int
    model: str = "SSD"

    def __str__(self) -> str:
        paper = PAPER_FACTS["ssd300_fps"]              # Table 7, Titan X, batch 1
        return _(
            "{model} on {device} ({threads} threads), one photo at a time: {seconds:.2f} s per "
            "photo ({fps:.1f} photos/s). The paper: {paper_fps} photos/s on one Titan X GPU "
            "(Table 7, batch 1).").format(
            model=self.model, device=self.device, threads=self.threads,
            seconds=self.seconds_per_image, fps=1.0 / self.seconds_per_image,
            paper_fps=paper.value)


@torch.no_grad()
def time_detection(model: SSD, images: Sequence, repeats: int = 2) -> DetectionTiming:
    """How long :func:`detect_images` takes per photo (the warp, the network, decoding and
    NMS) on the model's device, one photo at a time as a student's photos come: the best of
    ``repeats`` passes over ``images``, after one photo to warm up."""
    if not len(images):
        raise ValueError("time_detection: give at least one image")
    device = next(model.parameters()).device
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    detect_images(model, images[:1])
    best = math.inf
    for _pass in range(max(1, repeats)):
        sync()
        start = time.perf_counter()
        for image in images:
            detect_images(model, [image])
        sync()
        best = min(best, (time.perf_counter() - start) / len(images))
    return DetectionTiming(best, str(device), torch.get_num_threads(), len(images),
                           getattr(model, "weights_name", None) or model.config.name)
