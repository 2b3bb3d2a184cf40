"""Lesson 1's self-check quiz as radio buttons: a click gives its answer at once.

The questions are data in :mod:`ssd_core.course.quiz`. :func:`check_answer` is the whole
feedback logic; :func:`quiz_widget` puts it behind radio buttons.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Sequence

import ipywidgets as widgets
from IPython.display import display

from ..course.quiz import QUESTIONS, Question

__all__ = ["Feedback", "check_answer", "Quiz", "quiz_widget"]


@dataclass(frozen=True)
class Feedback:
    """What a student sees after answering: right or not, and the sentence for the choice."""

    correct: bool
    message: str


def check_answer(question: Question, choice: int | None) -> Feedback:
    """Feedback for picking ``choice`` (an index) in ``question``; ``None`` means no answer."""
    if choice is None:
        return Feedback(False, "Pick an answer. 请选择一个答案。")
    if not 0 <= choice < len(question.choices):
        raise IndexError(f"choice {choice} out of range for {len(question.choices)} choices")
    c = question.choices[choice]
    return Feedback(c.correct, ("Correct. 正确。 " if c.correct else "Not quite. 再想一想。 ") + str(c.why))


class Quiz:
    """Radio buttons per question, with feedback that appears as soon as one is clicked.

    ``quiz.answer(i, choice)`` clicks from code (tests do); ``quiz.score`` counts right answers.
    """

    def __init__(self, questions: Sequence[Question] = QUESTIONS):
        self.questions = tuple(questions)
        self.buttons: list[widgets.RadioButtons] = []
        self.feedback: list[widgets.HTML] = []
        self.total = widgets.HTML()
        boxes = []
        for i, q in enumerate(self.questions):
            radio = widgets.RadioButtons(options=[(str(c.text), k) for k, c in enumerate(q.choices)],
                                         value=None, layout=widgets.Layout(width="auto"))
            note = widgets.HTML()
            radio.observe(lambda change, i=i: self._update(i), names="value")
            self.buttons.append(radio)
            self.feedback.append(note)
            where = f" <i>(section {q.section})</i>" if q.section else ""
            boxes.append(widgets.VBox([
                widgets.HTML(f"<b>{i + 1}. {escape(q.prompt.en)}</b>{where}<br>{escape(q.prompt.zh or '')}"),
                radio, note]))
        self._update_total()
        self.widget = widgets.VBox(boxes + [self.total])

    def _update(self, i: int) -> None:
        fb = check_answer(self.questions[i], self.buttons[i].value)
        color = "green" if fb.correct else "#b00"
        self.feedback[i].value = f"<span style='color:{color}'>{escape(fb.message)}</span>"
        self._update_total()

    def _update_total(self) -> None:
        answered = sum(b.value is not None for b in self.buttons)
        self.total.value = (f"<b>{self.score} / {len(self.questions)} correct</b> "
                            f"({answered} answered) &mdash; 答对 {self.score} / {len(self.questions)}")

    @property
    def score(self) -> int:
        return sum(b.value is not None and q.choices[b.value].correct
                   for q, b in zip(self.questions, self.buttons))

    def answer(self, i: int, choice: int | None) -> Feedback:
        """Pick ``choice`` in question ``i`` as a click would; returns its feedback."""
        self.buttons[i].value = choice
        return check_answer(self.questions[i], choice)

    def _ipython_display_(self):
        display(self.widget)


def quiz_widget(questions: Sequence[Question] = QUESTIONS) -> Quiz:
    """The self-check quiz of lesson 1 (display it, or its ``.widget``)."""
    return Quiz(questions)
