"""The course's homework, made and handed in from the notebooks.

- :mod:`.files`: where homework goes (``homework/``), the student's name, the caption text,
  and files written atomically that never replace an earlier one;
- :mod:`.screenshot`: :func:`save_screenshot`, a figure or an explorer with a caption strip;
- :mod:`.flowchart`: the stages of SSD's training process and the reference flowchart;
- :mod:`.my_flowchart`: the student's own flowchart, its builder and the comparison;
- :mod:`.summary`: the written summary (essence 精髓, weaknesses 缺点, improvements
  改进想法) counted in words (字数), with drafts;
- :mod:`.pack`: :func:`pack`, one zip of the homework files with a manifest, for the check-in.

:mod:`.summary` and :mod:`.my_flowchart` need ipywidgets and are imported on first use.
"""

from importlib import import_module

from .files import COURSE, LESSON_TITLES, caption_lines, homework_dir, set_student, student_name
from .flowchart import Stage, plot_training_flowchart, training_stages
from .pack import pack
from .screenshot import render_png, save_screenshot

_LAZY = {"summary_box": ".summary", "export_summary": ".summary", "count_characters": ".summary",
         "flowchart_builder": ".my_flowchart", "StudentChart": ".my_flowchart",
         "plot_student_chart": ".my_flowchart", "compare_with_reference": ".my_flowchart",
         "save_student_chart": ".my_flowchart"}

__all__ = ["COURSE", "LESSON_TITLES", "caption_lines", "homework_dir", "set_student",
           "student_name", "Stage", "plot_training_flowchart", "training_stages", "pack",
           "render_png", "save_screenshot", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
