"""Checks for understanding as radio buttons: a click gives its answer at once.

The questions of every lesson are data in :mod:`ssd_core.course.quiz`, English messages of
the catalog; the widget shows them in the current language (:func:`ssd_core.i18n.language`).
:func:`check_answer` is the whole feedback logic; :func:`quiz_widget` puts it behind radio
buttons. A prediction question tells, once answered, which cell to run to check the prediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Sequence

import ipywidgets as widgets
from IPython.display import display

from ..course.quiz import QUIZZES, Question
from ..i18n import _
from .explorer import show_static, static_mode

__all__ = ["Feedback", "check_answer", "Quiz", "quiz_widget"]


@dataclass(frozen=True)
class Feedback:
    """What a student sees after answering: right or not, and the sentence for the choice."""

    correct: bool
    message: str


def check_answer(question: Question, choice: int | None) -> Feedback:
    """Feedback for picking ``choice`` (an index) in ``question``; ``None`` means no answer.

    A prediction question adds what to run next (its ``then``)."""
    if choice is None:
        return Feedback(False, _("Pick an answer."))
    if not 0 <= choice < len(question.choices):
        raise IndexError(f"choice {choice} out of range for {len(question.choices)} choices")
    c = question.choices[choice]
    verdict = _("Correct.") if c.correct else _("Not quite.")
    message = f"{verdict} {c.why}"
    if question.then is not None:
        message += f" {question.then}"
    return Feedback(c.correct, message)


class Quiz:
    """Radio buttons per question, with feedback that appears as soon as one is clicked.

    ``quiz.answer(i, choice)`` clicks from code (tests do); ``quiz.score`` counts right answers.
    """

    def __init__(self, questions: Sequence[Question] = QUIZZES[1]):
        self.questions = tuple(questions)
        self.buttons: list[widgets.RadioButtons] = []
        self.feedback: list[widgets.HTML] = []
        self.total = widgets.HTML()
        boxes = []
        for i, q in enumerate(self.questions):
            radio = widgets.RadioButtons(options=[(c.text, k) for k, c in enumerate(q.choices)],
                                         value=None, layout=widgets.Layout(width="auto"))
            note = widgets.HTML()
            radio.observe(lambda change, i=i: self._update(i), names="value")
            self.buttons.append(radio)
            self.feedback.append(note)
            where = (' <span style="color:#666">{}</span>'.format(
                escape(_("(paper §{section})").format(section=q.section))) if q.section else "")
            boxes.append(widgets.VBox([
                widgets.HTML(f"<b>{i + 1}. {escape(q.prompt)}</b>{where}"), radio, note]))
        self._update_total()
        self.widget = widgets.VBox(boxes + [self.total])

    def _update(self, i: int) -> None:
        fb = check_answer(self.questions[i], self.buttons[i].value)
        color = "green" if fb.correct else "#b00"
        self.feedback[i].value = f"<span style='color:{color}'>{escape(fb.message)}</span>"
        self._update_total()

    def _update_total(self) -> None:
        answered = sum(b.value is not None for b in self.buttons)
        score = _("{score} / {total} correct ({answered} answered)").format(
            score=self.score, total=len(self.questions), answered=answered)
        self.total.value = "<b>" + escape(score) + "</b>"

    @property
    def score(self) -> int:
        return sum(b.value is not None and q.choices[b.value].correct
                   for q, b in zip(self.questions, self.buttons))

    def answer(self, i: int, choice: int | None) -> Feedback:
        """Pick ``choice`` in question ``i`` as a click would; returns its feedback."""
        self.buttons[i].value = choice
        return check_answer(self.questions[i], choice)

    def _ipython_display_(self):
        if static_mode():
            show_static("".join(
                f"<p><b>{i + 1}. {escape(q.prompt)}</b></p><ol type='A'>"
                + "".join(f"<li>{escape(c.text)}</li>" for c in q.choices) + "</ol>"
                for i, q in enumerate(self.questions)))
        else:
            display(self.widget)


def quiz_widget(lesson: int = 1, questions: Sequence[Question] | None = None) -> Quiz:
    """The checks for understanding of ``lesson`` (1 to 5), or the ``questions`` given."""
    if questions is None:
        if lesson not in QUIZZES:
            raise ValueError(f"lesson must be one of {sorted(QUIZZES)}, got {lesson!r}")
        questions = QUIZZES[lesson]
    return Quiz(questions)
