"""The course's homework, made and handed in from the notebooks.

- :mod:`.files`: where homework goes (``homework/``), the student's name, the caption text,
  and files written atomically that never replace an earlier one;
- :mod:`.screenshot`: :func:`save_screenshot`, a figure or an explorer with a caption strip;
- :mod:`.flowchart`: the stages of SSD's training process and their flowchart;
- :mod:`.summary`: the written summary with its live count (needs ipywidgets, imported on
  first use of :func:`summary_box` or :func:`export_summary`).
"""

from importlib import import_module

from .files import COURSE, LESSON_TITLES, caption_lines, homework_dir, set_student, student_name
from .flowchart import Stage, plot_training_flowchart, save_flowchart, training_stages
from .screenshot import render_png, save_screenshot

_LAZY = {"summary_box": ".summary", "export_summary": ".summary", "count_characters": ".summary"}

__all__ = ["COURSE", "LESSON_TITLES", "caption_lines", "homework_dir", "set_student",
           "student_name", "Stage", "plot_training_flowchart", "save_flowchart",
           "training_stages", "render_png", "save_screenshot", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
