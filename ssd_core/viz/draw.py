"""Pictures: boxes over images, training curves, precision/recall curves.

Everything draws on a ``matplotlib.figure.Figure`` made without pyplot, so it works on a
headless machine, in a training run and in a notebook alike (a Figure displays inline once
``%matplotlib inline`` has run, as the lessons do first).
Boxes come in ``ssd_core``'s convention, xyxy in [0, 1]; they are scaled to the image here.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import torch
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

__all__ = [
    "class_colors",
    "image_to_numpy",
    "draw_boxes",
    "show_detections",
    "plot_training_curves",
    "plot_pr_curves",
]


def class_colors(n: int) -> list[tuple[float, float, float, float]]:
    """``n`` distinct colours (tab10, then tab20)."""
    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(n)]


def image_to_numpy(image) -> np.ndarray:
    """A ``[3, H, W]`` tensor in [0, 1] (or uint8), a PIL image or an array -> ``[H, W, 3]``."""
    if isinstance(image, torch.Tensor):
        arr = image.detach().cpu()
        if arr.dtype == torch.uint8:
            arr = arr.float() / 255
        arr = arr.clamp(0, 1).permute(1, 2, 0).numpy()
        return arr
    arr = np.asarray(image)
    return arr.astype(np.float32) / 255 if arr.dtype == np.uint8 else arr


def draw_boxes(
    ax,
    boxes,
    image_hw: tuple[int, int],
    labels: Sequence[int] | None = None,
    scores: Sequence[float] | None = None,
    class_names: Sequence[str] | None = None,
    color=None,
    linewidth: float = 2.0,
    linestyle: str = "-",
    alpha: float = 1.0,
    show_text: bool = True,
) -> None:
    """Draw xyxy boxes in [0, 1] on ``ax`` over an image of size ``image_hw``.

    ``labels`` pick colours and names (label 0 is the background, so name ``labels - 1``).
    """
    h, w = image_hw
    boxes = torch.as_tensor(boxes, dtype=torch.float32).reshape(-1, 4).tolist()
    n_colors = (max(labels) if labels is not None and len(labels) else 0) + 1
    palette = class_colors(max(n_colors, len(class_names or []) + 1))
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        label = int(labels[i]) if labels is not None else None
        c = color if color is not None else palette[label if label is not None else 1]
        ax.add_patch(Rectangle((x1 * w, y1 * h), (x2 - x1) * w, (y2 - y1) * h, fill=False,
                               edgecolor=c, linewidth=linewidth, linestyle=linestyle, alpha=alpha))
        if not show_text or (label is None and scores is None):
            continue
        text = ""
        if label is not None:
            text = class_names[label - 1] if class_names and 0 < label <= len(class_names) else str(label)
        if scores is not None:
            text += f" {float(scores[i]):.2f}"
        ax.text(x1 * w, y1 * h, text.strip(), fontsize=8, color="white", va="bottom",
                bbox=dict(facecolor=c, alpha=0.8, pad=1, edgecolor="none"))


def show_detections(
    image,
    detections: Mapping | None = None,
    class_names: Sequence[str] | None = None,
    score_threshold: float = 0.3,
    ground_truth: Mapping | None = None,
    ax=None,
    title: str | None = None,
):
    """An image with its detections (solid) and, optionally, ground truth (dashed white)."""
    arr = image_to_numpy(image)
    fig = None
    if ax is None:
        fig = Figure(figsize=(5, 5))
        ax = fig.add_subplot()
    ax.imshow(arr)
    ax.set_axis_off()
    hw = arr.shape[:2]
    if ground_truth is not None:
        draw_boxes(ax, ground_truth["boxes"], hw, color="white", linestyle="--", linewidth=1.5,
                   show_text=False)
    if detections is not None:
        keep = torch.as_tensor(detections["scores"]) >= score_threshold
        draw_boxes(ax, torch.as_tensor(detections["boxes"])[keep], hw,
                   labels=torch.as_tensor(detections["labels"])[keep].tolist(),
                   scores=torch.as_tensor(detections["scores"])[keep].tolist(),
                   class_names=class_names)
    if title:
        ax.set_title(title, fontsize=9)
    return fig if fig is not None else ax.figure


def _read_metrics(metrics) -> list[dict]:
    if isinstance(metrics, (str, Path)):
        with open(metrics, newline="") as f:
            return list(csv.DictReader(f))
    return list(metrics)


def plot_training_curves(metrics, path: str | Path | None = None) -> Figure:
    """Loss parts and validation mAP against epochs, from ``metrics.csv`` rows."""
    rows = _read_metrics(metrics)
    fig = Figure(figsize=(10, 3.6))
    ax_loss, ax_map = fig.subplots(1, 2)

    def col(name):
        return [float(r[name]) if r.get(name) not in (None, "") else math.nan for r in rows]

    epochs = col("epoch")
    for name, style in (("loss", "-"), ("loc", "--"), ("conf", ":")):
        if rows and name in rows[0]:
            ax_loss.plot(epochs, col(name), style, label=name)
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("training loss")
    ax_loss.legend()
    ax_loss.grid(alpha=0.3)
    for name in ("map07", "map_area"):
        if rows and name in rows[0]:
            ax_map.plot(epochs, col(name), "o-", label={"map07": "VOC07 11-point", "map_area": "area"}[name])
    ax_map.set_xlabel("epoch")
    ax_map.set_ylabel("validation mAP@0.5")
    ax_map.set_ylim(0, 1)
    ax_map.legend()
    ax_map.grid(alpha=0.3)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig


def plot_pr_curves(result, path: str | Path | None = None) -> Figure:
    """Precision against recall per class from an :class:`ssd_core.evaluate.EvalResult`."""
    fig = Figure(figsize=(6, 5))
    ax = fig.add_subplot()
    colors = class_colors(len(result.ap) + 1)
    for c in sorted(result.ap):
        if result.num_objects[c] == 0:
            continue
        name = result.class_names[c - 1] if result.class_names else str(c)
        rec, prec = result.recall[c], result.precision[c]
        ax.plot(np.concatenate([[0], rec]), np.concatenate([[1], prec]), color=colors[c],
                label=f"{name} (AP {result.ap[c]:.3f})")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_title(f"mAP {result.map:.3f}")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=100)
    return fig
