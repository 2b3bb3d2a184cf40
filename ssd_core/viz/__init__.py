"""Drawing (``draw``) and, for the lessons, the ipywidgets explorers.

Only :mod:`ssd_core.viz.draw` is imported here: it needs matplotlib and nothing else, so the
training run can write its figures without importing ipywidgets.
"""

from .draw import (
    class_colors,
    draw_boxes,
    image_to_numpy,
    plot_pr_curves,
    plot_training_curves,
    show_detections,
)

__all__ = [
    "class_colors",
    "draw_boxes",
    "image_to_numpy",
    "plot_pr_curves",
    "plot_training_curves",
    "show_detections",
]
