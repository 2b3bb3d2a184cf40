"""The course's homework, made and handed in from the notebooks.

- :mod:`.files`: where homework goes (``homework/``), the student's name (asked once, kept in
  ``homework/student.json``), the caption text, and one file per homework kind, written
  atomically; the version a save replaces is kept in ``homework/old/``;
- :mod:`.screenshot`: :func:`save_screenshot`, a figure or an explorer with a caption strip;
- :mod:`.buttons`: what the student clicks to write homework (Run All only shows): the name
  box, a screenshot's save button, the pack box;
- :mod:`.flowchart`: the stages of SSD's training process and the reference flowchart;
- the student's own flowchart: :mod:`.student_chart` (the chart: stages, arrows, loops,
  notes), :mod:`.chart_figure` (drawn and saved), :mod:`.chart_comparison` (against the
  reference), :mod:`.my_flowchart` (the builder, lesson 5's widget);
- :mod:`.summary`: the written summary (essence 精髓, weaknesses 缺点, improvements
  改进想法) counted in words (字数), and its boxes;
- :mod:`.drafts`: the one way a draft (the summary's, the flowchart's) is saved and restored;
- :mod:`.pack`: :func:`pack`, one zip of the newest file of each homework kind with a manifest,
  for the check-in, holding the lesson-5 option the student hands in;
- the teacher's side: :mod:`.class_review` (:func:`review`: a class's packs read as untrusted
  input and checked) and :mod:`.review_page` (its ``index.html`` and ``grades.csv``).

:mod:`.summary`, :mod:`.buttons` and :mod:`.my_flowchart` need ipywidgets and are imported on
first use.
"""

from importlib import import_module

from .chart_comparison import compare_with_reference
from .chart_figure import plot_student_chart, save_student_chart
from .files import (COURSE, LESSON_TITLES, caption_lines, homework_dir, homework_kind,
                    require_student, set_student, student_name)
from .flowchart import Stage, plot_training_flowchart, training_stages
from .pack import pack
from .screenshot import render_png, save_screenshot
from .student_chart import StudentChart, shuffled_palette

_LAZY = {"summary_box": ".summary", "export_summary": ".summary", "count_characters": ".summary",
         "flowchart_builder": ".my_flowchart", "name_box": ".buttons",
         "screenshot_button": ".buttons", "pack_box": ".buttons", "review": ".class_review"}

__all__ = ["COURSE", "LESSON_TITLES", "caption_lines", "homework_dir", "homework_kind",
           "require_student", "set_student", "student_name", "Stage", "plot_training_flowchart", "training_stages", "pack",
           "render_png", "save_screenshot", "StudentChart", "shuffled_palette",
           "plot_student_chart", "save_student_chart", "compare_with_reference", *_LAZY]


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
