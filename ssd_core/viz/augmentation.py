"""Lesson 3: data augmentation, one step at a time.

:func:`augmentation_explorer` runs :class:`ssd_core.data.SSDAugmentation` through its
``trace`` with each step switched on or off, the crop's minimum-IoU option chosen by hand (or
drawn at random, as in training) and a seed, and shows three pictures: the photo with its
boxes, the zoomed-out canvas with the patch the crop chose, and the 300x300 result.

:func:`augmented_sizes` answers the question "why does zoom-out help small objects?" with
numbers: the sizes of the objects that come out of the pipeline, with and without it.
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..data.transforms import CROP_OPTIONS, SSDAugmentation
from ..draw import add_boxes
from ..fonts import fig, new_figure, pfig
from ..i18n import N_, _, pgettext
from .explorer import Explorer
from .pictures import Picture, picture_by_name, sample_names

__all__ = ["CROP_CHOICES", "AugmentationExplorer", "augmentation_explorer", "augmented_sizes",
           "plot_augmented_sizes"]

#: The crop control: the paper's random choice, or one option of :data:`CROP_OPTIONS`.
CROP_CHOICES: tuple[tuple[str, object], ...] = (
    ("random, as in training", "random"),
    ("whole image", None),
    *((f"min IoU {o:g}", o) for o in CROP_OPTIONS if o not in (None, 0.0)),
    ("any patch", 0.0),
)


#: The steps' names in the figure's steps line (the ``state:`` line keeps the code's names).
_STEP_NAMES = {"photometric": N_("photometric"), "zoom_out": N_("zoom_out"),
               "iou_crop": N_("iou_crop"), "flip": N_("flip"), "none": N_("none")}


def _crop_options(choice) -> tuple:
    return tuple(CROP_OPTIONS) if choice == "random" else (choice,)


def _option_text(option) -> str:
    """The crop option as the ``state:`` line says it (always in English)."""
    if option is None:
        return "whole image"
    if option == 0.0:
        return "any patch"
    return f"min IoU {option:g}"


def _option_label(option, say=_) -> str:
    """The crop option in the course's language: ``say`` is ``_`` for a widget label,
    :func:`ssd_core.fonts.fig` for a figure."""
    if option == "random":
        return say(N_("random, as in training"))
    if option is None:
        return say(N_("whole image"))
    if option == 0.0:
        return say(N_("any patch"))
    return say(N_("min IoU {o:g}")).format(o=option)


class AugmentationExplorer(Explorer):
    """The training augmentation of section 2.2 on one photo, step by step."""

    figsize = (9.6, 3.6)
    #: Photos are shrunk to this longer side first: the output is 300x300 anyway, and a 4x
    #: zoom-out canvas of a 512 px photo (2048 px) would make every redraw slow.
    max_side = 320

    @property
    def title(self) -> str:
        return _("Data augmentation")

    def __init__(self, picture: str = "coffee", seed: int = 0, size: int = 300):
        self.size = size
        names = list(sample_names()) + ["shapes val 29"]
        super().__init__({
            "picture": widgets.Dropdown(options=names, value=picture,
                                        description=_("picture")),
            "photometric": widgets.ToggleButton(value=True, description=_("photometric")),
            "zoom_out": widgets.ToggleButton(value=True, description=_("zoom out")),
            "iou_crop": widgets.ToggleButton(
                value=True, description=pgettext("augmentation switch", "IoU crop")),
            "flip": widgets.ToggleButton(value=True,
                                         description=pgettext("augmentation switch", "flip")),
            # the labels in the course's language, the values those of CROP_CHOICES
            "crop": widgets.Dropdown(
                options=[(_option_label(v), v) for _en, v in CROP_CHOICES], value="random",
                description=_("crop")),
            "seed": widgets.IntSlider(value=seed, min=0, max=99, description=_("seed"),
                                      continuous_update=False),
        }, note=_("each seed is one draw of the training pipeline"))

    def compute(self, picture, photometric, zoom_out, iou_crop, flip, crop, seed):
        pic = picture_by_name(picture).shrunk(self.max_side)
        aug = SSDAugmentation(self.size, photometric=photometric, zoom_out=zoom_out,
                              iou_crop=iou_crop, flip=flip, crop_options=_crop_options(crop),
                              normalize=False)
        steps = {st.name: st for st in aug.trace(pic.image, pic.target_px(), seed=seed)}
        out = steps["sanitize"]
        before_crop = steps.get("zoom_out", steps.get("photometric", steps["input"]))
        state = {"picture": picture, "seed": seed,
                 "steps": ",".join(n for n in ("photometric", "zoom_out", "iou_crop", "flip")
                                   if n in steps) or "none"}
        if "photometric" in steps:
            state["photometric"] = ",".join(k for k in ("brightness", "contrast", "saturation", "hue")
                                            if k in steps["photometric"].params) or "none"
        zoom = steps.get("zoom_out")
        state["zoom"] = float(zoom.params["scale"]) if zoom is not None and zoom.params else 1.0
        patch = None
        if "iou_crop" in steps:
            p = steps["iou_crop"].params
            wanted = _crop_options(crop)
            patch = p["patch"]
            state["crop"] = _option_text(p["option"])
            self._crop_option = p["option"]
            state["crop_met"] = not (crop not in ("random", None) and p["option"] is None)
            if patch is not None:
                state["patch"] = tuple(int(v) for v in patch.tolist())
            self._crop_message = "" if state["crop_met"] else fig(
                "no patch in 50 tries\nmet '{option}':\nthe whole image is kept",
                option=_option_label(wanted[0], fig))
        else:
            self._crop_message = ""
        if "flip" in steps:
            state["flipped"] = bool(steps["flip"].params["flipped"])
        state["objects_before"] = int(len(pic.boxes))
        state["objects_after"] = int(len(out.target["boxes"]))
        self._pic, self._before, self._patch, self._out = pic, before_crop, patch, out
        return state

    def draw(self, figure, s):
        # the text first: it readies the CJK font before the axes (and their titles) exist
        titles = [pfig("augmentation figure", "photo"),
                  fig("zoom out x{zoom:.2f}", zoom=s["zoom"]) if s["zoom"] > 1
                  else fig("before the crop"),
                  fig("{size}x{size} result: {n} object(s)", size=self.size, n=s["objects_after"])]
        if "crop" in s:
            titles[1] = fig("{title}, crop: {crop}", title=titles[1],
                            crop=_option_label(self._crop_option, fig))
        if s.get("flipped"):
            titles[2] = fig("{title}, flipped", title=titles[2])
        # TRANSLATORS: what separates the steps' names in "steps: photometric,zoom_out,flip"
        separator = fig(",")
        steps = separator.join(fig(_STEP_NAMES[n]) for n in s["steps"].split(","))
        suptitle = fig("steps: {steps}   seed {seed}", steps=steps, seed=s["seed"])
        axes = figure.subplots(1, 3, gridspec_kw=dict(left=0.01, right=0.99, bottom=0.02,
                                                      top=0.86, wspace=0.05))
        pic = self._pic
        h, w = pic.hw
        panels = [
            (pic.image, pic.boxes.numpy() * np.array([w, h, w, h]), titles[0]),
            (self._before.image, self._before.target["boxes"].as_subclass(torch.Tensor).numpy(),
             titles[1]),
            (self._out.image, self._out.target["boxes"].as_subclass(torch.Tensor).numpy(),
             titles[2]),
        ]
        for i, (ax, (image, boxes, title)) in enumerate(zip(axes, panels)):
            arr = image.as_subclass(torch.Tensor)
            if arr.dtype != torch.uint8:
                arr = (arr.clamp(0, 1) * 255).to(torch.uint8)
            H, W = arr.shape[-2:]
            if max(H, W) > 400:                       # draw big canvases at screen size
                step = math.ceil(max(H, W) / 400)
                arr = arr[:, ::step, ::step]
            ax.imshow(arr.permute(1, 2, 0).numpy(), extent=(0, W, H, 0))
            add_boxes(ax, boxes, edgecolors="yellow", linewidth=1.5).set_gid(f"boxes{i}")
            ax.set_xlim(0, W)
            ax.set_ylim(H, 0)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_title(title, fontsize=9)
        if self._patch is not None:
            x1, y1, x2, y2 = self._patch.tolist()
            r = Rectangle((x1, y1), x2 - x1, y2 - y1, fill=False, ec="cyan", lw=2, ls="--")
            r.set_gid("patch")
            axes[1].add_patch(r)
        if self._crop_message:
            axes[1].text(0.5, 0.5, self._crop_message, transform=axes[1].transAxes, ha="center",
                         va="center", fontsize=8, color="white",
                         bbox=dict(facecolor="darkred", alpha=0.85, edgecolor="none"))
        figure.suptitle(suptitle, fontsize=9, y=0.99)


def augmentation_explorer(**kwargs) -> AugmentationExplorer:
    """Switch the augmentation steps on and off, pick the crop, change the seed (lesson 3)."""
    return AugmentationExplorer(**kwargs)


def augmented_sizes(picture: Picture | str, draws: int = 200, zoom_out: bool = True,
                    seed: int = 0, canvas: int = 96) -> np.ndarray:
    """Sizes of the objects leaving the training pipeline, ``sqrt(w h)`` as a fraction of the
    output side, over ``draws`` seeds.

    Only geometry matters here, so the pipeline runs on a blank ``canvas``-pixel image of the
    photo's shape, without photometric changes or flips: fast, and the boxes move exactly as
    they would on the photo (up to whole-pixel rounding of the crop).
    """
    pic = picture_by_name(picture) if isinstance(picture, str) else picture
    h, w = pic.hw
    f = canvas / max(h, w)
    H, W = max(8, round(h * f)), max(8, round(w * f))
    blank = Picture(pic.name, torch.zeros(3, H, W, dtype=torch.uint8), pic.boxes, pic.labels,
                    pic.class_names)
    aug = SSDAugmentation(canvas, photometric=False, zoom_out=zoom_out, flip=False)
    sizes = []
    for k in range(draws):
        _image, target = aug(blank.image, blank.target_px(), seed=seed * 100_003 + k)
        b = target["boxes"]
        sizes.append(torch.sqrt((b[:, 2] - b[:, 0]).clamp(min=0) * (b[:, 3] - b[:, 1]).clamp(min=0)))
    return torch.cat(sizes).numpy() if sizes else np.zeros(0)


def plot_augmented_sizes(with_zoom: np.ndarray, without_zoom: np.ndarray,
                         smallest_box: float = 0.1, name: str = "") -> Figure:
    """Histograms of :func:`augmented_sizes` with and without zoom-out, and the side of
    SSD300's smallest default box (0.1 of the image: 30 px on conv4_3)."""
    # the text first: it readies the CJK font before the axes (and their labels) exist
    without_label = fig("without zoom-out ({n} objects)", n=len(without_zoom))
    with_label = fig("with zoom-out ({n} objects)", n=len(with_zoom))
    smallest = fig(" smallest default box")
    xlabel = fig("object size after augmentation, sqrt(w h) / image side")
    ylabel = fig("objects")
    title = (fig("what the network is trained on: {name}", name=name) if name
             else fig("what the network is trained on"))
    figure = new_figure(figsize=(7, 3.2))
    ax = figure.add_subplot()
    bins = np.linspace(0, 1, 41)
    ax.hist(without_zoom, bins=bins, alpha=0.6, label=without_label)
    ax.hist(with_zoom, bins=bins, alpha=0.6, label=with_label)
    ax.axvline(smallest_box, color="black", ls="--", lw=1)
    ax.text(smallest_box, ax.get_ylim()[1] * 0.9, smallest, fontsize=8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    figure.tight_layout()
    return figure
