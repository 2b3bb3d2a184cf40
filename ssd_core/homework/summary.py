"""Lesson 2's homework: a summary of SSD written in the notebook, with a live character count.

:func:`count_characters` is the rule the course uses for "at least 100 characters":

* every character counts one, whatever the script: a Chinese character (汉字) is one, a Latin
  letter is one, a punctuation mark is one;
* whitespace (spaces, tabs, line breaks) does not count, so padding does not help and English
  and Chinese are measured alike (Chinese is written without spaces);
* the text is first put in Unicode NFC form, so an accented letter typed as two code points
  ("e" + a combining accent) still counts one.

:func:`summary_box` shows a text area under the bilingual prompt; the count below it updates
as the student types, and a button saves the text to ``homework/`` (:func:`export_summary`, which
writes through :mod:`ssd_core.homework.files`: a new file every time, written atomically).
"""

from __future__ import annotations

import datetime as _dt
import os
import unicodedata
from html import escape
from pathlib import Path

import ipywidgets as widgets
from IPython.display import display

from .files import caption_lines, write_homework_file

__all__ = ["count_characters", "SUMMARY_PROMPT_EN", "SUMMARY_PROMPT_ZH", "MIN_CHARACTERS",
           "SummaryBox", "summary_box", "summary_file_text", "export_summary"]

#: The course asks for at least this many characters (:func:`count_characters`).
MIN_CHARACTERS = 100

SUMMARY_PROMPT_EN = (
    "Write a summary of SSD in your own words, in three parts: (1) its essence: what makes it a "
    "single-shot detector and how default boxes on several feature maps replace region "
    "proposals; (2) its weaknesses, with the paper's own evidence where you can (small objects, "
    "for example); (3) at least one idea to improve it, and why you expect it to help. "
    "English or Chinese; at least 100 characters."
)
SUMMARY_PROMPT_ZH = (
    "用你自己的话总结 SSD，分三部分：(1) 核心思想：它为什么是单阶段（single-shot）检测器，多个特征图上的"
    "默认框如何取代候选区域（region proposals）；(2) 它的不足，尽量引用论文中的证据（例如小目标）；"
    "(3) 至少一个改进思路，并说明你认为它为什么有效。中英文均可，不少于 100 个字符。"
)


def count_characters(text: str) -> int:
    """Characters of ``text`` that are not whitespace, after NFC normalisation.

    >>> count_characters("SSD 很快")
    5
    """
    return sum(not ch.isspace() for ch in unicodedata.normalize("NFC", text))


def summary_file_text(text: str, student: str | None = None, when: _dt.datetime | None = None,
                      lesson: int = 2, min_chars: int = MIN_CHARACTERS) -> str:
    """What :func:`export_summary` writes: a header (course, lesson, student, date, version,
    the character count), a rule, then the text as typed."""
    n = count_characters(text)
    header = caption_lines(lesson, student, when, with_device=False)
    verdict = "enough" if n >= min_chars else f"{min_chars - n} short of the {min_chars} asked"
    header.append(f"characters: {n} ({verdict}; whitespace does not count)")
    return "\n".join(header) + "\n" + "-" * 60 + "\n" + text.rstrip("\n") + "\n"


def export_summary(text, student: str | None = None, *, lesson: int = 2, name: str = "summary",
                   folder: str | os.PathLike | None = None, when: _dt.datetime | None = None,
                   min_chars: int = MIN_CHARACTERS, quiet: bool = False) -> Path:
    """Save the summary (a string or a :class:`SummaryBox`) as
    ``homework/lesson02_summary_<date-time>.txt`` (UTF-8) and return the path.

    An empty summary is refused; a short one is saved with a note. Earlier files are never
    overwritten.
    """
    if isinstance(text, SummaryBox):
        text = text.value
    if not isinstance(text, str):
        raise TypeError(f"export_summary: give the text or the summary box, not a {type(text).__name__}")
    if count_characters(text) == 0:
        raise ValueError("the summary is empty: write it in the box first (at least "
                         f"{min_chars} characters), then save. 总结为空：请先在文本框中写好再保存。")
    when = when or _dt.datetime.now()
    body = summary_file_text(text, student, when, lesson, min_chars)
    path = write_homework_file(body.encode("utf-8"), lesson, name, ".txt", when, folder)
    if not quiet:
        n = count_characters(text)
        print(f"saved {path} ({n} characters)" + ("" if n >= min_chars else
              f"; note: the homework asks for at least {min_chars}"))
    return path


class SummaryBox:
    """A text area with the bilingual prompt above, the live count and a save button below."""

    def __init__(self, value: str = "", min_chars: int = MIN_CHARACTERS,
                 student: str | None = None, folder: str | os.PathLike | None = None):
        self.min_chars = min_chars
        self.student = student
        self.folder = folder
        self.saved: list[Path] = []
        self.text = widgets.Textarea(value=value, placeholder="SSD ...",
                                     layout=widgets.Layout(width="95%", height="220px"))
        self.count_html = widgets.HTML()
        self.text.observe(lambda _change: self._update(), names="value")
        prompt = widgets.HTML(f"<p><b>Homework.</b> {escape(SUMMARY_PROMPT_EN)}</p>"
                              f"<p><b>作业。</b>{escape(SUMMARY_PROMPT_ZH)}</p>")
        self.save_button = widgets.Button(description="Save to homework/ 保存", icon="save",
                                          layout=widgets.Layout(width="auto"))
        self.save_status = widgets.HTML()
        self.save_button.on_click(lambda _b: self._save_clicked())
        self.widget = widgets.VBox([prompt, self.text, self.count_html,
                                    widgets.HBox([self.save_button, self.save_status])])
        self._update()

    def export(self, student: str | None = None, **kwargs) -> Path:
        """Save the text now (:func:`export_summary`); returns the new file's path."""
        kwargs.setdefault("folder", self.folder)
        path = export_summary(self.value, student if student is not None else self.student,
                              min_chars=self.min_chars, **kwargs)
        self.saved.append(path)
        self.save_status.value = f"<span style='color:green'>saved {escape(str(path))}</span>"
        return path

    def _save_clicked(self) -> None:
        try:
            self.export(quiet=True)
        except (ValueError, OSError) as e:       # empty text, a folder we cannot write to
            self.save_status.value = f"<span style='color:#b00'>{escape(str(e))}</span>"

    @property
    def value(self) -> str:
        return self.text.value

    @property
    def count(self) -> int:
        return count_characters(self.text.value)

    @property
    def enough(self) -> bool:
        return self.count >= self.min_chars

    def _update(self) -> None:
        n = self.count
        if n >= self.min_chars:
            msg = f"<span style='color:green'>{n} characters: enough (&ge; {self.min_chars}). 已达到要求。</span>"
        else:
            msg = (f"<span style='color:#b00'>{n} characters; {self.min_chars - n} more to go "
                   f"(need &ge; {self.min_chars}). 还差 {self.min_chars - n} 个字符。</span>")
        self.count_html.value = msg + "<br><small>Every character counts one (a 汉字 too); spaces and line breaks do not.</small>"

    def _ipython_display_(self):
        display(self.widget)


def summary_box(value: str = "", min_chars: int = MIN_CHARACTERS, student: str | None = None,
                folder: str | os.PathLike | None = None) -> SummaryBox:
    """The summary homework's text area with its live character count and a button that saves
    it to ``homework/`` (lesson 2)."""
    return SummaryBox(value, min_chars, student, folder)
