"""Lesson 5: a real training run, and the detector it produces.

* :func:`choose_settings`: the preset and data for this machine (``small`` on a CPU,
  ``ssd300-voc`` on a GPU when VOC is under ``data/``; shapes when it is not), and a tiny
  but real run under ``SSD_COURSE_QUICK=1``;
* :class:`LiveLossPlot`: the loss curve, redrawn in the notebook while
  :func:`ssd_core.train.train` runs (its ``on_step`` and ``callback`` hooks), at most once a
  second;
* :func:`detection_explorer`: a trained model on validation images, with the score and NMS
  thresholds of section 3 ("Testing") on sliders, ground truth beside the detections;
* :func:`upload_detector`: the same on a photo the student uploads;
* :func:`compare_runs`: two runs side by side, for the augmentation ablation (Table 2 of the
  paper: 65.5 mAP without the data augmentation, 74.3 with it).
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import os
import time
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure
from PIL import Image, UnidentifiedImageError

from ..boxes import box_iou
from ..postprocess import postprocess
from ._speed import OneThreadExplorer
from .draw import draw_boxes, image_to_numpy
from .explorer import Impossible
from ..train import has_voc
from .homework import _repo_root, scratch_dir

__all__ = [
    "choose_settings",
    "running_mean",
    "has_voc",
    "LiveLossPlot",
    "DetectionExplorer",
    "detection_explorer",
    "count_found",
    "read_upload",
    "UploadDetector",
    "upload_detector",
    "compare_runs",
    "ablation_table",
]


# ---------------------------------------------------------------------------- settings


def choose_settings(preset: str = "auto", dataset: str = "auto", device: str = "auto",
                    augment: bool = True, augmentation: Mapping | None = None,
                    quick: bool | None = None, data_dir: str | os.PathLike | None = None,
                    workdir: str | os.PathLike | None = None, **overrides):
    """The training settings lesson 5 runs, and the reasons for each choice.

    * ``preset="auto"``: ``ssd300-voc`` (the paper's SSD300 schedule) on a GPU with VOC found,
      else ``small``;
    * ``dataset="auto"``: ``voc`` when ``data_dir`` (default ``data/``) holds VOCdevkit/VOC2007,
      else ``shapes``;
    * ``quick`` (default: ``$SSD_COURSE_QUICK == "1"``): the small preset on a few dozen shapes
      images in ``workdir`` (default: a :func:`~ssd_core.viz.homework.scratch_dir`), one epoch:
      seconds, and real;
    * runs go to ``runs/`` at the top of the repository (``workdir/runs`` when quick).

    ``augment`` and ``augmentation`` (options of :class:`ssd_core.SSDAugmentation`, such as
    ``{"zoom_out": True}``, merged over the preset's own) are the ablation switches. ``overrides`` go to
    :func:`ssd_core.train.make_settings` as they are. Returns ``(settings, reasons)``.
    """
    from ..data import data_dir as default_data_dir
    from ..train import PRESETS, make_settings, resolve_device

    if quick is None:
        quick = os.environ.get("SSD_COURSE_QUICK") == "1"
    dev = resolve_device(device)
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    voc = has_voc(root)
    reasons = []
    values: dict[str, Any] = dict(device=str(dev), augment=bool(augment))
    if quick:
        # a throwaway run: its scratch folder is deleted once this process is gone
        work = Path(workdir) if workdir is not None else scratch_dir("lesson5")
        preset, kind = "small", "shapes"
        values.update(dataset="shapes", data_dir=str(work / "shapes-quick"), run_dir=str(work / "runs"),
                      shapes_train=24, shapes_val=8, epochs=1, iterations=None, batch_size=8,
                      val_limit=8, num_workers=0)
        reasons.append(f"SSD_COURSE_QUICK=1: a tiny real run (24 shapes images, one epoch) in {work}")
    else:
        if dataset == "auto":
            kind = "voc" if voc else "shapes"
            reasons.append(f"data: PASCAL VOC found in {root}" if voc else
                           f"data: no VOCdevkit/VOC2007 in {root}, so the shapes dataset (get VOC "
                           "with `python -m ssd_core data voc --root data/`, 2.9 GB)")
        else:
            kind = dataset
            reasons.append(f"data: {kind}, as asked")
        if preset == "auto":
            preset = "ssd300-voc" if (dev.type == "cuda" and kind == "voc") else "small"
            if preset == "ssd300-voc":
                reasons.append(f"preset: ssd300-voc on {dev}: the paper's SSD300 schedule")
            elif dev.type == "cuda":
                reasons.append(f"preset: small on {dev} (SSD300 needs VOC; the shapes are for the "
                               "small model)")
            else:
                reasons.append("preset: small, the SSD that trains on a CPU"
                               + (" (on VOC this takes hours: set DATASET = 'shapes' for minutes)"
                                  if kind == "voc" else ""))
        else:
            reasons.append(f"preset: {preset}, as asked")
        values["dataset"] = kind
        if data_dir is not None:
            values["data_dir"] = str(data_dir)
        elif kind == "voc":
            values["data_dir"] = str(root)
        repo = _repo_root()
        values["run_dir"] = str(Path(workdir) / "runs" if workdir is not None
                                else (repo / "runs" if repo is not None else Path("runs")))
    tag = "" if augment and not augmentation else ("-noaug" if not augment else "-aug-" + "-".join(
        f"{k}{'' if v else 'off'}" for k, v in sorted((augmentation or {}).items())))
    values["name"] = f"lesson5-{preset}{tag}-{_dt.datetime.now():%Y%m%d-%H%M%S}"
    # the switches change the preset's augmentation, they do not replace it
    values["augmentation"] = {**PRESETS[preset].get("augmentation", {}), **(augmentation or {})}
    values.update(overrides)
    settings = make_settings(preset, **values)
    reasons.append(f"device: {dev}; augmentation {'on' if settings.augment else 'OFF'}"
                   + (f" with {settings.augmentation}" if settings.augmentation else ""))
    return settings, reasons


# ---------------------------------------------------------------------------- live curve


def running_mean(values, window: int) -> np.ndarray:
    """Mean of the last ``window`` finite values at each position (fewer at the start)."""
    y = np.asarray(values, dtype=float)
    ok = np.isfinite(y)
    csum = np.concatenate([[0.0], np.cumsum(np.where(ok, y, 0.0))])
    ccnt = np.concatenate([[0], np.cumsum(ok)])
    idx = np.arange(len(y))
    lo = np.maximum(0, idx - window + 1)
    n = ccnt[idx + 1] - ccnt[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (csum[idx + 1] - csum[lo]) / np.maximum(n, 1), np.nan)


class LiveLossPlot:
    """The training loss, redrawn in the notebook while :func:`ssd_core.train.train` runs.

    ``on_step`` (give it to ``train(on_step=...)``) records every iteration and redraws at
    most every ``interval`` seconds; ``on_epoch`` (``train(callback=...)``) adds each epoch's
    validation mAP. :meth:`finish` draws the last state. Outside a notebook it only records.
    """

    def __init__(self, interval: float = 1.0, smooth: int = 20,
                 clock: Callable[[], float] = time.monotonic, display: bool = True):
        self.interval = interval
        self.smooth = smooth
        self.clock = clock
        self.steps: list[dict] = []
        self.epochs: list[dict] = []
        self.redraws = 0
        self._last = -math.inf
        self._handle = None
        if display:
            self.show()

    def show(self) -> None:
        """Put the (empty) plot in the notebook; later redraws replace it in place."""
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:          # pragma: no cover - IPython comes with the lessons
            return
        if get_ipython() is None:
            return
        self._handle = display(self._image(), display_id=True)

    def _image(self):
        from IPython.display import Image as IPImage

        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=80)
        return IPImage(data=buf.getvalue(), format="png")

    def on_step(self, row: Mapping) -> None:
        """Record one iteration (``train``'s ``on_step`` row); redraw if it is time."""
        self.steps.append(dict(row))
        now = self.clock()
        if now - self._last >= self.interval:
            self._last = now
            self.redraw()

    def on_epoch(self, row: Mapping) -> None:
        """Record one epoch (``train``'s ``callback`` row) and redraw."""
        self.epochs.append(dict(row))
        self._last = self.clock()
        self.redraw()

    def finish(self) -> None:
        """Draw the final state."""
        self.redraw()

    def redraw(self) -> None:
        self.redraws += 1
        if self._handle is not None:
            self._handle.update(self._image())

    @property
    def state_line(self) -> str:
        """``state: iteration=... loss=...``, the caption line of a screenshot of it."""
        from .explorer import format_state

        if not self.steps:
            return format_state({"iteration": 0})
        last = self.steps[-1]
        state = {"iteration": int(last["iteration"]), "total": int(last.get("total", 0)),
                 "epoch": int(last.get("epoch", 0)), "loss": float(last["loss"])}
        maps = [float(r["map07"]) for r in self.epochs if r.get("map07") not in (None, "")]
        if maps:
            state["map07"] = maps[-1]
        return format_state(state)

    @property
    def figure(self) -> Figure:
        """A new figure of everything recorded so far."""
        fig = Figure(figsize=(10, 3.6))
        ax, ax_map = fig.subplots(1, 2, gridspec_kw=dict(width_ratios=(1.6, 1)))
        if self.steps:
            it = np.array([r["iteration"] for r in self.steps], dtype=float)
            for key, color in (("loss", "tab:blue"), ("loc", "tab:orange"), ("conf", "tab:green")):
                y = np.array([r.get(key, np.nan) for r in self.steps], dtype=float)
                ax.plot(it, y, color=color, alpha=0.25, lw=0.8, gid=f"{key}_raw")
                ax.plot(it, running_mean(y, self.smooth), color=color, lw=1.8,
                        marker="o" if len(y) < 10 else None, ms=3,
                        label=f"{key} (mean of the last {self.smooth})", gid=key)
            last = self.steps[-1]
            total = last.get("total")
            if total:
                ax.set_xlim(0, total)
            ax.set_title(f"iteration {int(last['iteration'])}"
                         + (f" of {int(total)}" if total else "")
                         + f", epoch {int(last.get('epoch', 0))}: loss {float(last['loss']):.3f}, "
                           f"lr {float(last.get('lr', 0)):.2g}, "
                           f"{float(last.get('images_per_s', 0)):.1f} img/s", fontsize=9)
            ax.legend(fontsize=8, loc="upper right")
        else:
            ax.set_title("waiting for the first iteration ...", fontsize=9)
        ax.set_xlabel("iteration")
        ax.set_ylabel("training loss (divided by N)")
        ax.grid(alpha=0.3)
        rows = [r for r in self.epochs if r.get("map07") not in (None, "")]
        if rows:
            ax_map.plot([r["epoch"] for r in rows], [float(r["map07"]) for r in rows], "o-",
                        label="VOC07 11-point", gid="map07")
            if all(r.get("map_area") not in (None, "") for r in rows):
                ax_map.plot([r["epoch"] for r in rows], [float(r["map_area"]) for r in rows], "s--",
                            label="area", gid="map_area")
            ax_map.legend(fontsize=8, loc="lower right")
        ax_map.set_ylim(0, 1)
        ax_map.set_xlabel("epoch")
        ax_map.set_ylabel("validation mAP@0.5")
        ax_map.set_title("after each epoch", fontsize=9)
        ax_map.grid(alpha=0.3)
        fig.tight_layout()
        return fig


# ---------------------------------------------------------------------------- detections


def count_found(detections: Mapping, truth: Mapping, iou_threshold: float = 0.5) -> int:
    """Objects found, by the VOC rule: detections in score order each claim the best
    overlapping unclaimed object of their class (IoU >= 0.5); difficult objects do not count.
    ``truth`` boxes and detection boxes must be in the same units."""
    gt = torch.as_tensor(truth["boxes"]).float().reshape(-1, 4)
    gl = torch.as_tensor(truth["labels"]).reshape(-1)
    diff = torch.as_tensor(truth.get("difficult", torch.zeros(len(gl), dtype=torch.bool))).bool()
    taken = torch.zeros(len(gl), dtype=torch.bool)
    scores = torch.as_tensor(detections["scores"]).reshape(-1)
    boxes = torch.as_tensor(detections["boxes"]).float().reshape(-1, 4)
    labels = torch.as_tensor(detections["labels"]).reshape(-1)
    found = 0
    for d in scores.argsort(descending=True, stable=True).tolist():
        same = (gl == labels[d]).nonzero().flatten()
        if not len(same):
            continue
        iou = box_iou(boxes[d:d + 1], gt[same])[0]
        j = int(iou.argmax())
        if iou[j] < iou_threshold:
            continue
        g = int(same[j])
        if diff[g] or taken[g]:
            continue
        taken[g] = True
        found += 1
    return found


def _model_device(model) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


@torch.no_grad()
def _raw_predictions(model, image: torch.Tensor):
    """``(loc [P, 4], conf [P, C])`` on the CPU for one ``uint8``/float ``[3, H, W]`` image."""
    from torchvision.transforms.v2 import functional as TF

    size = model.config.image_size
    x = image.as_subclass(torch.Tensor)
    x = TF.to_dtype(x, torch.float32, scale=True) if x.dtype == torch.uint8 else x.float()
    x = TF.resize(x, [size, size], antialias=True)[None]
    was_training = model.training
    model.eval()
    try:
        loc, conf = model(x.to(_model_device(model)))
    finally:
        model.train(was_training)
    return loc[0].float().cpu(), conf[0].float().cpu()


def _detect(model, loc, conf, score: float, nms: float, top_k: int = 200) -> dict:
    return postprocess(loc[None], conf[None], model.priors.detach().float().cpu(),
                       conf_threshold=score, nms_threshold=nms, top_k=top_k,
                       variances=model.config.variances)[0]


def _draw_result(fig, image_uint8: torch.Tensor, dets: Mapping, class_names, truth=None,
                 title: str = ""):
    ax = fig.add_axes((0.01, 0.02, 0.98, 0.88))
    arr = image_to_numpy(image_uint8)
    ax.imshow(arr)
    ax.set_axis_off()
    hw = arr.shape[:2]
    if truth is not None and len(truth["boxes"]):
        draw_boxes(ax, truth["boxes"], hw, color="white", linestyle="--", linewidth=1.5,
                   show_text=False)
    if len(dets["boxes"]):
        draw_boxes(ax, dets["boxes"], hw, labels=dets["labels"].tolist(),
                   scores=dets["scores"].tolist(), class_names=class_names)
    ax.set_title(title, fontsize=9)
    return ax


class DetectionExplorer(OneThreadExplorer):
    """A trained model on the images of a dataset, with the test-time thresholds on sliders."""

    title = "Detections, 检测结果"
    figsize = (6.0, 5.4)

    def __init__(self, model, dataset, class_names: Sequence[str] | None = None,
                 max_images: int | None = 100, score: float = 0.4, nms: float = 0.45):
        self.model = model
        self.dataset = dataset
        self.class_names = tuple(class_names if class_names is not None else getattr(dataset, "classes", ()))
        n = len(dataset) if max_images is None else min(max_images, len(dataset))
        if n == 0:
            raise ValueError("detection_explorer: the dataset has no images; give it the "
                             "validation set of the run (make_datasets(settings)[2]).")
        self._cache: dict[int, tuple] = {}
        self.forward_calls = 0
        super().__init__({
            "image": widgets.IntSlider(value=0, min=0, max=n - 1, description="image",
                                       continuous_update=False),
            "score": widgets.FloatSlider(value=score, min=0.05, max=0.95, step=0.05,
                                         description="score ≥", continuous_update=False),
            "nms": widgets.FloatSlider(value=nms, min=0.05, max=0.95, step=0.05,
                                       description="NMS IoU", continuous_update=False),
            "truth": widgets.Checkbox(value=True, description="show ground truth"),
        }, note="solid: detections (class, score); dashed white: ground truth")

    def _load(self, index: int):
        if index not in self._cache:
            image = self.dataset.load_image(index)
            ann = self.dataset.annotation(index)
            h, w = image.shape[-2:]
            scale = torch.tensor([w, h, w, h], dtype=torch.float32)
            truth = {"boxes": ann["boxes"].as_subclass(torch.Tensor).float() / scale,
                     "labels": ann["labels"], "difficult": ann.get("difficult")}
            self.forward_calls += 1
            loc, conf = _raw_predictions(self.model, image)
            self._cache[index] = (image.as_subclass(torch.Tensor), truth, loc, conf,
                                  ann.get("image_id", str(index)))
        return self._cache[index]

    def compute(self, image, score, nms, truth):
        img, gt, loc, conf, image_id = self._load(int(image))
        dets = _detect(self.model, loc, conf, float(score), float(nms))
        probs = torch.softmax(conf, dim=-1)[:, 1:]
        n_obj = int((~gt["difficult"]).sum()) if gt.get("difficult") is not None else len(gt["labels"])
        self._img, self._gt, self._dets, self._show_truth = img, gt, dets, truth
        classes = [self.class_names[int(l) - 1] if 0 < int(l) <= len(self.class_names) else str(int(l))
                   for l in dets["labels"]]
        return {"image": int(image), "id": str(image_id), "score": float(score), "nms": float(nms),
                "candidates": int((probs > score).sum()), "detections": len(dets["scores"]),
                "objects": n_obj, "found": count_found(dets, gt),
                "classes": ",".join(sorted(set(classes))) or "none"}

    def draw(self, fig, s):
        _draw_result(fig, self._img, self._dets, self.class_names,
                     self._gt if self._show_truth else None,
                     f"{s['id']}: {s['detections']} detections ({s['candidates']} boxes above the "
                     f"score before NMS); found {s['found']} of {s['objects']} objects")


def detection_explorer(model, dataset, class_names: Sequence[str] | None = None,
                       **kwargs) -> DetectionExplorer:
    """Browse a trained model's detections on ``dataset`` (a :class:`ssd_core.VOCDataset`,
    usually the run's validation set): image index, score threshold, NMS threshold (lesson 5).

    The network runs once per image (cached); the sliders only re-run the post-processing.
    """
    return DetectionExplorer(model, dataset, class_names, **kwargs)


# ---------------------------------------------------------------------------- uploads

#: Uploads larger than this are refused (a photo is a few MB).
MAX_UPLOAD_BYTES = 30_000_000


def _entries(value) -> list[tuple[str, bytes]]:
    """``(name, bytes)`` of a FileUpload value: ipywidgets 8 (a tuple of dicts) or 7 (a dict)."""
    if not value:
        return []
    if isinstance(value, Mapping):                     # ipywidgets 7: {name: {"content": ...}}
        items = [(name, v.get("content", b"")) for name, v in value.items()]
    else:
        items = [(v.get("name", "upload"), v.get("content", b"")) for v in value]
    return [(str(name), bytes(content)) for name, content in items]


def read_upload(value) -> list[tuple[str, Image.Image]]:
    """The images of an ``ipywidgets.FileUpload`` value as ``(file name, RGB PIL image)``.

    Raises ``ValueError`` naming the file when it is empty, too large or not an image.
    """
    entries = _entries(value)
    if not entries:
        raise ValueError("no file uploaded yet: click 'Upload' and choose a photo (JPEG or PNG).")
    out = []
    for name, data in entries:
        if not data:
            raise ValueError(f"{name!r} is empty (0 bytes); upload the photo again.")
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValueError(f"{name!r} is {len(data) / 1e6:.0f} MB; upload a photo under "
                             f"{MAX_UPLOAD_BYTES / 1e6:.0f} MB (shrink it first).")
        try:
            with Image.open(io.BytesIO(data)) as im:
                im.load()
                out.append((name, im.convert("RGB")))
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as e:
            kind = type(e).__name__
            raise ValueError(f"{name!r} is not an image PIL can read ({kind}); upload a JPEG or "
                             "PNG photo.") from None
    return out


class UploadDetector(OneThreadExplorer):
    """Detection on a photo the student uploads (or opens from a path with :meth:`open`)."""

    title = "Your photo, 你的照片"
    figsize = (6.0, 5.2)

    def __init__(self, model, class_names: Sequence[str], score: float = 0.4, nms: float = 0.45):
        self.model = model
        self.class_names = tuple(class_names)
        self._cache: tuple | None = None
        super().__init__({
            "upload": widgets.FileUpload(accept="image/*", multiple=False, description="Upload"),
            "score": widgets.FloatSlider(value=score, min=0.05, max=0.95, step=0.05,
                                         description="score ≥", continuous_update=False),
            "nms": widgets.FloatSlider(value=nms, min=0.05, max=0.95, step=0.05,
                                       description="NMS IoU", continuous_update=False),
        }, note="upload a JPEG or PNG (上传一张 JPEG 或 PNG 照片); the model sees it warped to "
                "its square input")

    def open(self, path: str | os.PathLike) -> dict:
        """Use the image file at ``path`` as if it had been uploaded; returns the state."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such file; give the path of a JPEG or PNG photo.")
        data = path.read_bytes()
        self.controls["upload"].value = ({"name": path.name, "type": "", "size": len(data),
                                          "content": memoryview(data),
                                          "last_modified": _dt.datetime.now()},)
        return self.state

    def compute(self, upload, score, nms):
        entries = _entries(upload)
        if not entries:
            self._img = None
            return {"file": "none", "detections": 0}
        name, data = entries[0]
        key = (name, len(data), hash(data))
        if self._cache is None or self._cache[0] != key:
            try:
                (_, pil), = read_upload(upload)
            except ValueError as e:
                raise Impossible(str(e)) from None
            image = torch.from_numpy(np.asarray(pil).copy()).permute(2, 0, 1).contiguous()
            loc, conf = _raw_predictions(self.model, image)
            self._cache = (key, image, loc, conf)
        _, image, loc, conf = self._cache
        dets = _detect(self.model, loc, conf, float(score), float(nms))
        self._img, self._dets = image, dets
        classes = [self.class_names[int(l) - 1] if 0 < int(l) <= len(self.class_names) else str(int(l))
                   for l in dets["labels"]]
        h, w = image.shape[-2:]
        return {"file": name, "size": f"{w}x{h}", "score": float(score), "nms": float(nms),
                "detections": len(dets["scores"]), "classes": ",".join(sorted(set(classes))) or "none"}

    def draw(self, fig, s):
        if self._img is None:
            fig.text(0.5, 0.5, "No photo yet: click 'Upload' and choose a JPEG or PNG.",
                     ha="center", va="center", fontsize=11)
            return
        _draw_result(fig, self._img, self._dets, self.class_names, None,
                     f"{s['file']} ({s['size']}): {s['detections']} detections: {s['classes']}")


def upload_detector(model, class_names: Sequence[str], **kwargs) -> UploadDetector:
    """Upload a photo and see what the trained ``model`` finds in it (lesson 5).

    A model trained on the shapes finds shapes (circles, squares, ...), not cats: try a
    drawing or a photo of a sign. ``detector.open(path)`` does the same for a file on disk.
    """
    return UploadDetector(model, class_names, **kwargs)


# ---------------------------------------------------------------------------- ablation


def _history(run) -> list[dict]:
    return list(getattr(run, "history", run))


def ablation_table(runs: Mapping[str, Any]) -> str:
    """One line per run: its last epoch's loss and mAP, and its best mAP."""
    lines = [f"{'run':<28}{'epochs':>7}{'last loss':>11}{'last mAP07':>12}{'best mAP07':>12}"]
    for name, run in runs.items():
        h = _history(run)
        maps = [float(r["map07"]) for r in h if r.get("map07") not in (None, "")]
        last = h[-1] if h else {}
        lines.append(f"{name:<28}{len(h):>7}{float(last.get('loss', math.nan)):>11.3f}"
                     f"{(maps[-1] if maps else math.nan):>12.3f}{(max(maps) if maps else math.nan):>12.3f}")
    return "\n".join(lines)


def compare_runs(runs: Mapping[str, Any]) -> Figure:
    """Training loss and validation mAP per epoch of several runs (``RunResult`` or history
    rows), for the augmentation ablation."""
    fig = Figure(figsize=(10, 3.5))
    ax_loss, ax_map = fig.subplots(1, 2)
    for name, run in runs.items():
        h = _history(run)
        ep = [float(r["epoch"]) for r in h]
        ax_loss.plot(ep, [float(r["loss"]) for r in h], "o-", label=name, gid=f"loss:{name}")
        rows = [r for r in h if r.get("map07") not in (None, "")]
        ax_map.plot([float(r["epoch"]) for r in rows], [float(r["map07"]) for r in rows], "o-",
                    label=name, gid=f"map:{name}")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    ax_loss.set_title("training loss after each epoch", fontsize=9)
    ax_map.set_xlabel("epoch")
    ax_map.set_ylabel("validation mAP07")
    ax_map.set_ylim(0, 1)
    ax_map.set_title("validation mAP after each epoch", fontsize=9)
    for ax in (ax_loss, ax_map):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
