"""Lesson 1's self-check quiz on the SSD paper, as data in two languages.

Each :class:`Question` has its prompt, its choices (exactly one right) and, for every choice,
the sentence a student sees after picking it; the section of the paper it tests. The widget
that asks them is :mod:`ssd_core.viz.quiz`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .text import Text

__all__ = ["Choice", "Question", "QUESTIONS"]


@dataclass(frozen=True)
class Choice:
    """One answer: its text, whether it is right, and why (shown after it is picked)."""

    text: Text
    correct: bool
    why: Text


@dataclass(frozen=True)
class Question:
    """A prompt and its choices (exactly one correct), and the paper's section it tests."""

    prompt: Text
    choices: tuple[Choice, ...]
    section: str = ""

    @property
    def answer(self) -> int:
        """Index of the correct choice."""
        right = [i for i, c in enumerate(self.choices) if c.correct]
        if len(right) != 1:
            raise ValueError(f"question {self.prompt.en!r} has {len(right)} correct choices, needs 1")
        return right[0]


QUESTIONS: tuple[Question, ...] = (
    Question(
        Text('For one 300x300 image, how many default boxes does SSD300 score?',
             '对一张 300x300 的图像，SSD300 一共对多少个默认框（default box）进行打分？'),
        (
            Choice(Text('98'), False,
                   Text("98 = 7 x 7 x 2 is YOLO's number of boxes.")),
            Choice(Text('about 2,000'), False,
                   Text('About 2,000 is what Selective Search proposes for R-CNN.')),
            Choice(Text('8,732'), True,
                   Text('Right: 38x38x4 + 19x19x6 + 10x10x6 + 5x5x6 + 3x3x4 + 1x1x4 = 8,732.')),
            Choice(Text('24,564'), False,
                   Text('24,564 is SSD512, which adds a seventh map and a bigger input.')),
        ),
        '2.2',
    ),
    Question(
        Text('Which default boxes become positives during matching (matching strategy)?',
             '在匹配策略（matching strategy）中，哪些默认框成为正样本？'),
        (
            Choice(Text('Only the single best default box of each object'), False,
                   Text("That is MultiBox's rule, and only SSD's first step. SSD keeps more boxes.")),
            Choice(Text("Each object's best box, plus every box with IoU >= 0.5 with some object"), True,
                   Text('Right: two steps. The first makes sure every object has a box; the second lets several boxes predict the same object, which simplifies learning.')),
            Choice(Text('Every box whose centre lies inside an object'), False,
                   Text('Centres are not used for matching; the Jaccard overlap (IoU, 交并比) is.')),
            Choice(Text('The boxes with the highest predicted scores'), False,
                   Text('Matching uses only the ground truth and the default boxes, never predictions.')),
        ),
        '2.2',
    ),
    Question(
        Text('Why does SSD use hard negative mining?',
             'SSD 为什么要使用难例挖掘（hard negative mining）？'),
        (
            Choice(Text('To find objects that the annotators missed'), False,
                   Text('The mined boxes are background by definition; no label is changed.')),
            Choice(Text('Because almost all default boxes are negatives: it keeps the highest-loss ones, at most 3 per positive'), True,
                   Text('Right: thousands of easy negatives would swamp the few positives. The paper reports faster optimisation and more stable training.')),
            Choice(Text('To make non-maximum suppression faster at test time'), False,
                   Text('Mining happens only in the training loss; inference never sees it.')),
            Choice(Text('To pick which feature map predicts each object'), False,
                   Text("That is decided by the default boxes' scales and by matching.")),
        ),
        '2.2',
    ),
    Question(
        Text('Which source feature map of SSD300 is responsible for the smallest objects?',
             'SSD300 中哪个特征图（feature map）负责检测最小的目标？'),
        (
            Choice(Text('conv4_3, the 38x38 map'), True,
                   Text('Right: its cells are 8 px apart and its default boxes are the smallest (0.1 of the image in the released model).')),
            Choice(Text('fc7, the 19x19 map'), False,
                   Text('fc7 comes second; its boxes are twice as big.')),
            Choice(Text('conv11_2, the 1x1 map'), False,
                   Text('The 1x1 map holds the boxes for objects that fill the image.')),
            Choice(Text('All maps alike: every map predicts every size'), False,
                   Text('Each map gets its own scale s_k, so sizes are spread over the maps.')),
        ),
        '2.1',
    ),
    Question(
        Text('What does SSD do differently from YOLO (the 2016 version)?',
             '与 YOLO（2016 年版本）相比，SSD 的不同之处是什么？'),
        (
            Choice(Text('It needs region proposals first'), False,
                   Text('Neither needs proposals; both are single-shot detectors.')),
            Choice(Text('It predicts from several feature maps, with default boxes of several aspect ratios, using small convolutional filters'), True,
                   Text('Right: YOLO predicts from one 7x7 grid with fully connected layers; SSD predicts with 3x3 convolutions on six maps of decreasing size.')),
            Choice(Text('It uses a larger input image (448x448)'), False,
                   Text('SSD300 uses a smaller input, 300x300; YOLO uses 448x448.')),
            Choice(Text('It predicts fewer boxes per image'), False,
                   Text("8,732 boxes against YOLO's 98: many more.")),
        ),
        '1, 4',
    ),
    Question(
        Text("What does atrous convolution (空洞卷积) give SSD's fc6 layer?",
             '空洞卷积（atrous convolution）给 SSD 的 fc6 层带来了什么？'),
        (
            Choice(Text('A wider view with the weights of a 3x3 kernel: its taps are 6 cells apart'), True,
                   Text('Right: a 3x3 kernel with dilation 6 spans 13x13 cells of the 19x19 map. The paper reports that keeping the full VGG16 top instead gives about the same accuracy but is about 20% slower.')),
            Choice(Text('A smaller output map, like pooling'), False,
                   Text('Dilation does not reduce the map: fc6 stays 19x19.')),
            Choice(Text('More parameters than a fully connected layer'), False,
                   Text('Fewer: the converted fc6 has 3x3x512x1024 weights.')),
            Choice(Text('Normalised features, like L2Norm'), False,
                   Text('L2Norm is a separate layer, used on conv4_3 only.')),
        ),
        '3',
    ),
)
