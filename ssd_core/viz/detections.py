"""Lesson 5: the detector a run produced, on the validation images and on your own photo.

* :func:`detection_explorer`: a trained model on a dataset's images, with the score and NMS
  thresholds of section 3 ("Testing") on sliders, ground truth beside the detections;
* :func:`upload_detector`: the same on a photo the student uploads.

The network runs once per image (:func:`ssd_core.inference.raw_predictions`); moving a slider
re-runs only the post-processing. Figures name the classes in the course's language
(:func:`ssd_core.draw.class_label`); the state lines keep the data's English names.
"""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path
from typing import Mapping, Sequence

import ipywidgets as widgets
import torch
from PIL import Image
from torchvision.transforms.v2 import functional as TF

from ..data import decode_image_bytes
from ..draw import class_label, draw_boxes, image_to_numpy
from ..fonts import fig, pfig, use_cjk_font
from ..i18n import SOURCE_LANGUAGE, N_, _, language
from ..inference import map_labels, raw_predictions
from ..metrics import TRUE_POSITIVE, match_detections
from ..postprocess import postprocess
from .explorer import Explorer, Impossible

__all__ = ["DetectionExplorer", "detection_explorer", "count_found", "read_upload",
           "UploadDetector", "upload_detector"]


# ---------------------------------------------------------------------------- detections


def count_found(detections: Mapping, truth: Mapping, iou_threshold: float = 0.5) -> int:
    """Objects found, by the VOC rule (:func:`ssd_core.metrics.match_detections`): detections
    in score order each claim the best overlapping unclaimed object of their class (IoU >=
    0.5); difficult objects do not count. Boxes must be in the same units."""
    verdict = match_detections(detections, truth, iou_threshold)
    return int((verdict == TRUE_POSITIVE).sum())


def _detect(model, loc, conf, score: float, nms: float, top_k: int = 200) -> dict:
    return postprocess(loc[None], conf[None], model.priors.detach().float().cpu(),
                       conf_threshold=score, nms_threshold=nms, top_k=top_k,
                       variances=model.config.variances)[0]


def _draw_result(figure, image_uint8: torch.Tensor, dets: Mapping, class_names, truth=None,
                 title: str = ""):
    ax = figure.add_axes((0.01, 0.02, 0.98, 0.88))
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


class DetectionExplorer(Explorer):
    """A trained model on the images of a dataset, with the test-time thresholds on sliders."""

    title = N_("Detections")
    figsize = (6.0, 5.4)

    def __init__(self, model, dataset, class_names: Sequence[str] | None = None,
                 max_images: int | None = 100, score: float = 0.4, nms: float = 0.45):
        self.model = model
        self.dataset = dataset
        self.class_names = tuple(class_names if class_names is not None else getattr(dataset, "classes", ()))
        # The dataset's own classes, when they are not the model's (the sample photos under
        # the COCO SSD300): its objects are relabelled, and those the model has no class for
        # (a coin, an eye) are left out of the ground truth.
        truth = tuple(getattr(dataset, "classes", ()) or self.class_names)
        self._truth_names = truth if truth != self.class_names else None
        n = len(dataset) if max_images is None else min(max_images, len(dataset))
        if n == 0:
            raise ValueError(_("detection_explorer: the dataset has no images; give it the "
                               "validation set of the run (run.data.open())."))
        self._cache: dict[int, tuple] = {}
        self.forward_calls = 0
        self.title = _(self.title)
        super().__init__({
            "image": widgets.IntSlider(value=0, min=0, max=n - 1, description=_("image"),
                                       continuous_update=False),
            "score": widgets.FloatSlider(value=score, min=0.05, max=0.95, step=0.05,
                                         description=_("score ≥"), continuous_update=False),
            "nms": widgets.FloatSlider(value=nms, min=0.05, max=0.95, step=0.05,
                                       description=_("NMS IoU"), continuous_update=False),
            "truth": widgets.Checkbox(value=True, description=_("show ground truth")),
        }, note=_("solid: detections (class, score); dashed white: ground truth"))

    def _load(self, index: int):
        if index not in self._cache:
            image = self.dataset.load_image(index)
            ann = self.dataset.annotation(index)
            h, w = image.shape[-2:]
            scale = torch.tensor([w, h, w, h], dtype=torch.float32)
            truth = {"boxes": ann["boxes"].as_subclass(torch.Tensor).float() / scale,
                     "labels": ann["labels"], "difficult": ann.get("difficult")}
            if self._truth_names is not None:
                labels, keep = map_labels(truth["labels"], self._truth_names, self.class_names)
                truth = {"boxes": truth["boxes"][keep], "labels": labels[keep],
                         "difficult": None if truth["difficult"] is None else truth["difficult"][keep]}
            self.forward_calls += 1
            loc, conf = raw_predictions(self.model, image)
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

    def draw(self, figure, s):
        _draw_result(figure, self._img, self._dets, self.class_names,
                     self._gt if self._show_truth else None,
                     fig("{id}: {detections} detections ({candidates} boxes above the score "
                         "before NMS); found {found} of {objects} objects",
                         id=s["id"], detections=s["detections"], candidates=s["candidates"],
                         found=s["found"], objects=s["objects"]))


def detection_explorer(model, dataset, class_names: Sequence[str] | None = None,
                       **kwargs) -> DetectionExplorer:
    """Browse a trained model's detections on ``dataset`` (a :class:`ssd_core.VOCDataset`,
    usually the run's validation set): image index, score threshold, NMS threshold (lesson 5;
    lesson 1 browses the COCO SSD300 on the sample photos, whose objects are relabelled to
    COCO's classes, those COCO lacks left out).

    The network runs once per image (cached); the sliders only re-run the post-processing.
    """
    return DetectionExplorer(model, dataset, class_names, **kwargs)


# ---------------------------------------------------------------------------- uploads

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

    Raises ``ValueError`` naming the file when it is empty, too large or not an image
    (:func:`ssd_core.data.decode_image_bytes`).
    """
    entries = _entries(value)
    if not entries:
        raise ValueError(_("no file uploaded yet: click 'Upload' and choose a photo (JPEG or PNG)."))
    return [(name, decode_image_bytes(data, name)) for name, data in entries]


class UploadDetector(Explorer):
    """Detection on a photo the student uploads (or opens from a path with :meth:`open`)."""

    title = N_("Your photo")
    figsize = (6.0, 5.2)

    def __init__(self, model, class_names: Sequence[str], score: float = 0.4, nms: float = 0.45,
                 model_name: str | None = None):
        self.model = model
        self.class_names = tuple(class_names)
        # which detector, in the figure and the state line (and so in a screenshot's caption)
        self.model_name = (model_name if model_name is not None
                           else getattr(model, "weights_name", None))
        self._cache: tuple | None = None
        self.title = _(self.title)
        super().__init__({
            "upload": widgets.FileUpload(accept="image/*", multiple=False,
                                         description=_("Upload")),
            "score": widgets.FloatSlider(value=score, min=0.05, max=0.95, step=0.05,
                                         description=_("score ≥"), continuous_update=False),
            "nms": widgets.FloatSlider(value=nms, min=0.05, max=0.95, step=0.05,
                                       description=_("NMS IoU"), continuous_update=False),
        }, note=_("upload a JPEG or PNG; the model sees it warped to its square input"))

    def open(self, path: str | os.PathLike) -> dict:
        """Use the image file at ``path`` as if it had been uploaded; returns the state."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(_("{path}: no such file; give the path of a JPEG or PNG photo.")
                                    .format(path=path))
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
                (_name, pil), = read_upload(upload)
            except ValueError as e:
                if language() != SOURCE_LANGUAGE:
                    use_cjk_font()         # the explorer draws the message in the figure
                raise Impossible(str(e)) from None
            image = TF.pil_to_tensor(pil)
            loc, conf = raw_predictions(self.model, image)
            self._cache = (key, image, loc, conf)
        _key, image, loc, conf = self._cache
        dets = _detect(self.model, loc, conf, float(score), float(nms))
        self._img, self._dets = image, dets
        classes = [self.class_names[int(l) - 1] if 0 < int(l) <= len(self.class_names) else str(int(l))
                   for l in dets["labels"]]
        h, w = image.shape[-2:]
        named = {"model": self.model_name} if self.model_name else {}
        return {**named, "file": name, "size": f"{w}x{h}", "score": float(score),
                "nms": float(nms), "detections": len(dets["scores"]),
                "classes": ",".join(sorted(set(classes))) or "none"}

    def draw(self, figure, s):
        if self._img is None:
            figure.text(0.5, 0.5, fig("No photo yet: click 'Upload' and choose a JPEG or PNG."),
                        ha="center", va="center", fontsize=11)
            return
        if s["classes"] == "none":
            classes = fig("none")
        else:
            # TRANSLATORS: between the class names of the detections in the upload detector's title
            classes = pfig("between class names", ", ").join(
                class_label(c) for c in s["classes"].split(","))
        # the threshold is in the title, so a slider moved over a photo with nothing found
        # still shows that it was heard
        threshold = "%.2f" % s["score"]
        result = fig("{file} ({size}): {detections} detections at score ≥ {score}: {classes}",
                     file=s["file"], size=s["size"].replace("x", "×"), detections=s["detections"],
                     score=threshold, classes=classes)
        if self.model_name:
            result = fig("{model}: {result}", model=self.model_name, result=result)
        _draw_result(figure, self._img, self._dets, self.class_names, None, result)


def upload_detector(model, class_names: Sequence[str], **kwargs) -> UploadDetector:
    """Upload a photo and see what the trained ``model`` finds in it (lesson 5).

    A model trained on the shapes finds shapes (circles, squares, ...), not cats: try a
    drawing or a photo of a sign; :func:`~ssd_core.inference.pretrained_ssd300` finds COCO's 80
    classes. ``detector.open(path)`` does the same for a file on disk. ``model_name`` (default:
    the model's ``weights_name``) is shown in the figure and the state line, so a screenshot's
    caption says which detector it was.
    """
    return UploadDetector(model, class_names, **kwargs)
