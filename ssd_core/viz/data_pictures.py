"""Lesson 4: what a dataset is on disk and in memory.

* :func:`folder_tree`: a dataset folder as an indented tree (VOC's layout at a glance);
* :func:`plot_pictures`: images side by side with their boxes in pixels.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import torch
from matplotlib.figure import Figure

from ..data import to_float_image
from ..draw import add_boxes
from ..fonts import fig, new_figure
from ..i18n import ngettext

__all__ = ["folder_tree", "plot_pictures"]


def folder_tree(root: str | Path, show: int = 3) -> str:
    """A dataset folder as an indented tree: each folder with its number of files and the
    first ``show`` names (VOC's layout at a glance)."""
    root = Path(root)
    lines = [f"{root.name}/"]

    def walk(folder: Path, depth: int) -> None:
        entries = sorted(folder.iterdir(), key=lambda p: (p.is_file(), p.name))
        files = [p for p in entries if p.is_file()]
        for sub in (p for p in entries if p.is_dir()):
            n = sum(1 for p in sub.iterdir() if p.is_file())
            count = ngettext("({n} file)", "({n} files)", n).format(n=n)
            lines.append("    " * (depth + 1) + f"{sub.name}/" + (f"  {count}" if n else ""))
            walk(sub, depth + 1)
        if files and depth >= 0:
            names = ", ".join(p.name for p in files[:show]) + (", ..." if len(files) > show else "")
            if depth == 0:
                for p in files:
                    lines.append("    " + p.name)
            else:
                lines.append("    " * (depth + 1) + names)

    walk(root, 0)
    return "\n".join(lines)


def plot_pictures(panels: Sequence[tuple], size: float = 3.6) -> Figure:
    """Images side by side with their boxes: each panel is ``(image [3, H, W], boxes_px [N, 4],
    title)``; images are uint8 or float in [0, 1]. A title is shown as it is given (the
    caller writes it in the course's language)."""
    figure = new_figure(figsize=(size * len(panels), size * 0.95))
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for k, (ax, (image, boxes_px, title)) in enumerate(zip(axes, panels)):
        arr = to_float_image(image.as_subclass(torch.Tensor) if isinstance(image, torch.Tensor)
                             else torch.as_tensor(image))
        H, W = arr.shape[-2:]
        ax.imshow(arr.clamp(0, 1).permute(1, 2, 0).numpy(), extent=(0, W, H, 0))
        b = torch.as_tensor(boxes_px.as_subclass(torch.Tensor) if isinstance(boxes_px, torch.Tensor)
                            else boxes_px, dtype=torch.float32).reshape(-1, 4)
        add_boxes(ax, b.numpy(), edgecolors="yellow", linewidth=1.5).set_gid(f"boxes{k}")
        ax.set_xlim(0, W)
        ax.set_ylim(H, 0)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(fig("{title}\n{w} x {h} px, {n} box(es)", title=title, w=W, h=H, n=len(b)),
                     fontsize=9)
    figure.tight_layout()
    return figure
