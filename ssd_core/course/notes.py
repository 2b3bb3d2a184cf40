"""Notes a student reads beside the widgets, in both languages."""

from __future__ import annotations

from .text import Text

__all__ = ["WIDGET_NOTE"]

#: Why a reopened notebook shows "Error displaying widget", and what to do.
WIDGET_NOTE = Text(
    en=(
        'A saved notebook shows "Error displaying widget" in place of each explorer until its '
        "cells run again: run all cells first (Run > Run All Cells), set the sliders, then take "
        "the screenshot."
    ),
    zh=(
        "保存后重新打开的 notebook 会在每个交互控件处显示 “Error displaying widget”，直到重新运行单元格："
        "请先运行全部单元格（Run > Run All Cells），调好滑块，再截图。"
    ),
)
