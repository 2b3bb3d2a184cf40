"""Drawing (``draw``), the homework tools (``homework``) and, for the lessons, the ipywidgets
explorers.

``draw`` and ``homework`` need matplotlib and Pillow and nothing else, so the training run can
write its figures without importing ipywidgets; they are imported here. The names that need
ipywidgets (``detection_explorer``, ``upload_detector``, ``summary_box``, ``export_summary``)
are imported on first use.
"""

from importlib import import_module

from .draw import (
    class_colors,
    draw_boxes,
    image_to_numpy,
    plot_pr_curves,
    plot_training_curves,
    show_detections,
)
from .homework import (
    homework_dir,
    plot_training_flowchart,
    save_flowchart,
    save_screenshot,
    set_student,
    training_stages,
)

_LAZY = {
    "detection_explorer": ".detection",
    "upload_detector": ".detection",
    "summary_box": ".summary",
    "export_summary": ".summary",
}

__all__ = [
    "class_colors",
    "draw_boxes",
    "image_to_numpy",
    "plot_pr_curves",
    "plot_training_curves",
    "show_detections",
    "homework_dir",
    "plot_training_flowchart",
    "save_flowchart",
    "save_screenshot",
    "set_student",
    "training_stages",
    *_LAZY,
]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
