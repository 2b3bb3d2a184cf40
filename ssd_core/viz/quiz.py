"""Lesson 1's homework self-check: a short multiple-choice quiz on the SSD paper.

The questions are data (:data:`QUESTIONS`): each has its prompt in English and Chinese, and
choices of which exactly one is right; every choice carries the sentence a student sees after
picking it. :func:`check_answer` is the whole feedback logic; :func:`quiz_widget` puts it
behind radio buttons, so a click gives its answer at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Sequence

import ipywidgets as widgets

__all__ = ["Choice", "Question", "QUESTIONS", "Feedback", "check_answer", "Quiz", "quiz_widget"]


@dataclass(frozen=True)
class Choice:
    """One answer: its text, whether it is right, and why (shown after it is picked)."""

    text: str
    correct: bool
    why: str


@dataclass(frozen=True)
class Question:
    """A prompt in both languages and its choices (exactly one correct)."""

    en: str
    zh: str
    choices: tuple[Choice, ...]
    section: str = ""

    @property
    def answer(self) -> int:
        """Index of the correct choice."""
        right = [i for i, c in enumerate(self.choices) if c.correct]
        if len(right) != 1:
            raise ValueError(f"question {self.en!r} has {len(right)} correct choices, needs 1")
        return right[0]


QUESTIONS: tuple[Question, ...] = (
    Question(
        "For one 300x300 image, how many default boxes does SSD300 score?",
        "对一张 300x300 的图像，SSD300 一共对多少个默认框（default box）进行打分？",
        (
            Choice("98", False, "98 = 7 x 7 x 2 is YOLO's number of boxes."),
            Choice("about 2,000", False, "About 2,000 is what Selective Search proposes for R-CNN."),
            Choice("8,732", True, "Right: 38x38x4 + 19x19x6 + 10x10x6 + 5x5x6 + 3x3x4 + 1x1x4 = 8,732."),
            Choice("24,564", False, "24,564 is SSD512, which adds a seventh map and a bigger input."),
        ),
        "2.2",
    ),
    Question(
        "Which default boxes become positives during matching (matching strategy)?",
        "在匹配策略（matching strategy）中，哪些默认框成为正样本？",
        (
            Choice("Only the single best default box of each object", False,
                   "That is MultiBox's rule, and only SSD's first step. SSD keeps more boxes."),
            Choice("Each object's best box, plus every box with IoU >= 0.5 with some object", True,
                   "Right: two steps. The first makes sure every object has a box; the second "
                   "lets several boxes predict the same object, which simplifies learning."),
            Choice("Every box whose centre lies inside an object", False,
                   "Centres are not used for matching; the Jaccard overlap (IoU, 交并比) is."),
            Choice("The boxes with the highest predicted scores", False,
                   "Matching uses only the ground truth and the default boxes, never predictions."),
        ),
        "2.2",
    ),
    Question(
        "Why does SSD use hard negative mining?",
        "SSD 为什么要使用难例挖掘（hard negative mining）？",
        (
            Choice("To find objects that the annotators missed", False,
                   "The mined boxes are background by definition; no label is changed."),
            Choice("Because almost all default boxes are negatives: it keeps the highest-loss "
                   "ones, at most 3 per positive", True,
                   "Right: thousands of easy negatives would swamp the few positives. The paper "
                   "reports faster optimisation and more stable training."),
            Choice("To make non-maximum suppression faster at test time", False,
                   "Mining happens only in the training loss; inference never sees it."),
            Choice("To pick which feature map predicts each object", False,
                   "That is decided by the default boxes' scales and by matching."),
        ),
        "2.2",
    ),
    Question(
        "Which source feature map of SSD300 is responsible for the smallest objects?",
        "SSD300 中哪个特征图（feature map）负责检测最小的目标？",
        (
            Choice("conv4_3, the 38x38 map", True,
                   "Right: its cells are 8 px apart and its default boxes are the smallest "
                   "(0.1 of the image in the released model)."),
            Choice("fc7, the 19x19 map", False, "fc7 comes second; its boxes are twice as big."),
            Choice("conv11_2, the 1x1 map", False, "The 1x1 map holds the boxes for objects that fill the image."),
            Choice("All maps alike: every map predicts every size", False,
                   "Each map gets its own scale s_k, so sizes are spread over the maps."),
        ),
        "2.1",
    ),
    Question(
        "What does SSD do differently from YOLO (the 2016 version)?",
        "与 YOLO（2016 年版本）相比，SSD 的不同之处是什么？",
        (
            Choice("It needs region proposals first", False,
                   "Neither needs proposals; both are single-shot detectors."),
            Choice("It predicts from several feature maps, with default boxes of several aspect "
                   "ratios, using small convolutional filters", True,
                   "Right: YOLO predicts from one 7x7 grid with fully connected layers; SSD "
                   "predicts with 3x3 convolutions on six maps of decreasing size."),
            Choice("It uses a larger input image (448x448)", False,
                   "SSD300 uses a smaller input, 300x300; YOLO uses 448x448."),
            Choice("It predicts fewer boxes per image", False, "8,732 boxes against YOLO's 98: many more."),
        ),
        "1, 4",
    ),
    Question(
        "What does atrous convolution (空洞卷积) give SSD's fc6 layer?",
        "空洞卷积（atrous convolution）给 SSD 的 fc6 层带来了什么？",
        (
            Choice("A wider view with the weights of a 3x3 kernel: its taps are 6 cells apart", True,
                   "Right: a 3x3 kernel with dilation 6 spans 13x13 cells of the 19x19 map. The "
                   "paper reports that keeping the full VGG16 top instead gives about the same "
                   "accuracy but is about 20% slower."),
            Choice("A smaller output map, like pooling", False,
                   "Dilation does not reduce the map: fc6 stays 19x19."),
            Choice("More parameters than a fully connected layer", False,
                   "Fewer: the converted fc6 has 3x3x512x1024 weights."),
            Choice("Normalised features, like L2Norm", False,
                   "L2Norm is a separate layer, used on conv4_3 only."),
        ),
        "3",
    ),
)


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
    return Feedback(c.correct, ("Correct. 正确。 " if c.correct else "Not quite. 再想一想。 ") + c.why)


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
            radio = widgets.RadioButtons(options=[(c.text, k) for k, c in enumerate(q.choices)],
                                         value=None, layout=widgets.Layout(width="auto"))
            note = widgets.HTML()
            radio.observe(lambda change, i=i: self._update(i), names="value")
            self.buttons.append(radio)
            self.feedback.append(note)
            where = f" <i>(section {q.section})</i>" if q.section else ""
            boxes.append(widgets.VBox([
                widgets.HTML(f"<b>{i + 1}. {escape(q.en)}</b>{where}<br>{escape(q.zh)}"), radio, note]))
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
        from IPython.display import display

        display(self.widget)


def quiz_widget(questions: Sequence[Question] = QUESTIONS) -> Quiz:
    """The self-check quiz of lesson 1 (display it, or its ``.widget``)."""
    return Quiz(questions)
