"""Lesson 2's homework: a summary of SSD written in the notebook, with a live character count.

:func:`count_characters` is the rule the course uses for "at least 100 characters":

* every character counts one, whatever the script: a Chinese character (汉字) is one, a Latin
  letter is one, a punctuation mark is one;
* whitespace (spaces, tabs, line breaks) does not count, so padding does not help and English
  and Chinese are measured alike (Chinese is written without spaces);
* the text is first put in Unicode NFC form, so an accented letter typed as two code points
  ("e" + a combining accent) still counts one.

:func:`summary_box` shows a text area under the bilingual prompt; the count below it updates
as the student types. Exporting the text is the homework tools' job (``ssd_core.viz.homework``).
"""

from __future__ import annotations

import unicodedata
from html import escape

import ipywidgets as widgets

__all__ = ["count_characters", "SUMMARY_PROMPT_EN", "SUMMARY_PROMPT_ZH", "MIN_CHARACTERS",
           "SummaryBox", "summary_box"]

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


class SummaryBox:
    """A text area with the bilingual prompt above and the live count below."""

    def __init__(self, value: str = "", min_chars: int = MIN_CHARACTERS):
        self.min_chars = min_chars
        self.text = widgets.Textarea(value=value, placeholder="SSD ...",
                                     layout=widgets.Layout(width="95%", height="220px"))
        self.count_html = widgets.HTML()
        self.text.observe(lambda _change: self._update(), names="value")
        prompt = widgets.HTML(f"<p><b>Homework.</b> {escape(SUMMARY_PROMPT_EN)}</p>"
                              f"<p><b>作业。</b>{escape(SUMMARY_PROMPT_ZH)}</p>")
        self.widget = widgets.VBox([prompt, self.text, self.count_html])
        self._update()

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
        from IPython.display import display

        display(self.widget)


def summary_box(value: str = "", min_chars: int = MIN_CHARACTERS) -> SummaryBox:
    """The summary homework's text area with its live character count (lesson 2)."""
    return SummaryBox(value, min_chars)
