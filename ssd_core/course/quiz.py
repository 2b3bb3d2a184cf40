"""Checks for understanding: three to five questions per lesson, as data.

Each :class:`Question` has its prompt, its choices (exactly one right) and, for every choice,
the sentence a student sees after picking it; the section of the paper it tests. A wrong choice
is a misconception a student really holds (a single feature map, one box per grid cell, random
negatives), never a joke, and its sentence says where the misconception goes wrong. A question
with ``then`` asks for a prediction: answer first, then run the cell it names and compare.

Every sentence is an English message of the catalog (marked with ``N_``); the attributes a
widget reads (:attr:`Question.prompt`, :attr:`Choice.text`, :attr:`Choice.why`,
:attr:`Question.then`) give it in the current language. Numbers come from
:data:`~ssd_core.course.facts.PAPER_FACTS`: a sentence names them as placeholders
(``{ssd300_boxes:,}``), filled in when it is shown, so that a number is typed once and the
translation keeps it. A choice that is only a number or a shape (``98``, ``[2, C]``) reads the
same in every language and is not marked. Sizes are written with ×: 38×38×4. The widget that asks them is :mod:`ssd_core.viz.quiz`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import N_, _
from .facts import PAPER_FACTS

__all__ = ["Choice", "Question", "QUIZZES", "QUESTIONS", "say"]

#: The paper's numbers, by their key in PAPER_FACTS: what the sentences' placeholders name.
_F = {k: f.value for k, f in PAPER_FACTS.items()}


def say(message: str) -> str:
    """A sentence of the quiz (its English, as written here) in the current language, with the
    paper's numbers filled in."""
    return _(message).format(**_F)


@dataclass(frozen=True)
class Choice:
    """One answer: its text, whether it is right, and why (shown after it is picked).

    ``text_msgid`` and ``why_msgid`` are the English as written (the catalog's messages);
    :attr:`text` and :attr:`why` are what a student reads."""

    text_msgid: str
    correct: bool
    why_msgid: str

    @property
    def text(self) -> str:
        """The answer, in the current language."""
        return say(self.text_msgid)

    @property
    def why(self) -> str:
        """Why it is right or not, in the current language."""
        return say(self.why_msgid)


@dataclass(frozen=True)
class Question:
    """A prompt and its choices (exactly one correct), where in the paper it is answered, and for
    a prediction, what to run afterwards (``then``).

    ``prompt_msgid``, ``section_msgid`` and ``then_msgid`` are the English as written;
    :attr:`prompt`, :attr:`section` and :attr:`then` are what a student reads (the widget
    writes the section after "paper §": ``2.2, Table 7`` reads ``§2.2、表 7`` in Chinese)."""

    prompt_msgid: str
    choices: tuple[Choice, ...]
    section_msgid: str = ""
    then_msgid: str | None = None

    @property
    def prompt(self) -> str:
        """The question, in the current language."""
        return say(self.prompt_msgid)

    @property
    def section(self) -> str:
        """Where the paper answers it (``3.1, Fig. 4``), in the current language; "" if nowhere."""
        return _(self.section_msgid) if self.section_msgid else ""

    @property
    def then(self) -> str | None:
        """For a prediction: what to run to check it, in the current language; else None."""
        return None if self.then_msgid is None else say(self.then_msgid)

    @property
    def answer(self) -> int:
        """Index of the correct choice."""
        right = [i for i, c in enumerate(self.choices) if c.correct]
        if len(right) != 1:
            raise ValueError(f"question {self.prompt_msgid!r} has {len(right)} correct choices, "
                             "needs 1")
        return right[0]


def _c(correct: bool, text: str, why: str) -> Choice:
    return Choice(text, correct, why)


_LESSON1 = (
    Question(
        N_("For one 300×300 image, how many default boxes does SSD300 score?"),
        (
            _c(False, "98",
               N_("98 = 7×7×2 is YOLO's number of boxes: a 7×7 grid, 2 boxes per cell.")),
            _c(False, N_("about 2,000"),
               N_("About 2,000 is what Selective Search proposes for R-CNN.")),
            _c(True, "{ssd300_boxes:,}",
               N_("Right: 38×38×4 + 19×19×6 + 10×10×6 + 5×5×6 + 3×3×4 + 1×1×4 = "
                  "{ssd300_boxes:,} (Table 7).")),
            _c(False, "{ssd512_boxes:,}",
               N_("{ssd512_boxes:,} is SSD512, which adds a seventh map and a bigger input.")),
        ),
        N_("2.2, Table 7"),
    ),
    Question(
        N_("What makes SSD a single-stage (one-stage) detector?"),
        (
            _c(False, N_("It uses a single feature map"),
               N_("The opposite: it predicts from six maps. Single-stage is about proposals.")),
            _c(True, N_("It predicts classes and box offsets for fixed default boxes in one "
                        "network pass, with no region proposals and no resampling of features"),
               N_("Right: Faster R-CNN first proposes regions (RPN), then pools features for "
                  "each (RoI pooling): two stages.")),
            _c(False, N_("Each cell of a grid predicts one set of boxes, as in YOLO"),
               N_("That is YOLO's design, also single-stage, but not what makes a detector "
                  "single-stage; SSD puts 4 or 6 default boxes at every location of six maps.")),
            _c(False, N_("It keeps a single box per object, so it needs no NMS"),
               N_("It still needs NMS: several default boxes match one object, and NMS keeps "
                  "the best of them, up to 200 per image (§3.7).")),
        ),
        N_("1, 2.1"),
    ),
    Question(
        N_("Predict: how much faster than Faster R-CNN (VGG16) is SSD300 on the paper's Titan X, "
           "at batch 1?"),
        (
            _c(False, N_("about as fast: both use VGG16"),
               N_("The backbone is the same, but Faster R-CNN runs a second stage on about 300 "
                  "proposals. Table 7: {ssd300_fps} FPS against {faster_rcnn_fps}.")),
            _c(True, N_("about 6.6 times"),
               N_("Right: {ssd300_fps} FPS against {faster_rcnn_fps} (Table 7), and more "
                  "accurate ({ssd300_map07} against {faster_rcnn_map07} mAP).")),
            _c(False, N_("about 100 times"),
               N_("That would be faster than Fast YOLO (155 FPS).")),
            _c(False, N_("it is slower: it scores more boxes ({ssd300_boxes:,} against about "
                         "6,000)"),
               N_("Its boxes cost little: two 3×3 convolutions per source map score them all "
                  "at once, with no per-region computation.")),
        ),
        N_("Table 7"),
        N_("Run the cell below that prints Table 7 and compare."),
    ),
    Question(
        N_("Which weakness of SSD does the paper itself show?"),
        (
            _c(True, N_("It does much worse on small objects (Fig. 4), and confuses similar "
                        "categories such as animals (Fig. 3)"),
               N_("Right: small objects may have no information left at the top layers, and "
                  "without a resampling step their classification is hard (§3.6); the zoom-out "
                  "augmentation of §3.6 helps (+2-3 mAP).")),
            _c(False, N_("It cannot run in real time"),
               N_("SSD300 runs at {ssd300_fps} FPS at batch 1 and {ssd300_fps_b8} at batch 8 "
                  "(Table 7).")),
            _c(False, N_("It is less accurate than Faster R-CNN on VOC2007"),
               N_("It is more accurate: {ssd300_map07} against {faster_rcnn_map07} mAP (Table 7).")),
            _c(False, N_("It finds large objects poorly, because its input is only 300×300"),
               N_("The reverse: Fig. 4 shows it does much better on large objects than on "
                  "small ones.")),
        ),
        N_("3.1, 3.6, Fig. 3, Fig. 4"),
    ),
)

_LESSON2 = (
    Question(
        N_("Which source feature map of SSD300 is responsible for the smallest objects?"),
        (
            _c(True, N_("conv4_3, the 38×38 map"),
               N_("Right: its box centres are 8 px apart and its default boxes are the "
                  "smallest, scale {conv4_3_scale} of the image (§3.1).")),
            _c(False, N_("fc7, the 19×19 map"),
               N_("fc7 comes second; its boxes are twice as big.")),
            _c(False, N_("conv11_2, the 1×1 map: the deepest features are the best"),
               N_("The deepest features are the most semantic, but the 1×1 map holds the "
                  "boxes for objects that fill the image.")),
            _c(False, N_("All maps alike: every map predicts every size"),
               N_("Each map gets its own scale s_k, so sizes are spread over the maps (eq. 4).")),
        ),
        N_("2.2, 3.1"),
    ),
    Question(
        N_("What does atrous (dilated) convolution give SSD's fc6 layer?"),
        (
            _c(True, N_("A wide view with the weights of a 3×3 kernel: its taps are 6 cells apart"),
               N_("Right: dilation 6 spans 13×13 cells of the 19×19 map. Without it, mAP is "
                  "about the same (74.2 against 74.3, Table 2), but the network is slower "
                  "by about 20% (§3.2).")),
            _c(False, N_("A smaller output map, like pooling"),
               N_("Dilation does not shrink the map: fc6 stays 19×19.")),
            _c(False, N_("More parameters than a fully connected layer"),
               N_("Fewer: 3×3×512×1024 weights instead of VGG's 7×7×512×4096.")),
            _c(False, N_("A bigger kernel: fc6 becomes a 13×13 convolution"),
               N_("The kernel stays 3×3, nine taps; only their spacing grows, so it sees 13×13 "
                  "cells with the weights of a 3×3.")),
        ),
        N_("2.1, 3.2"),
    ),
    Question(
        N_("Why does conv4_3 get an L2 normalisation layer?"),
        (
            _c(True, N_("Its features have a much larger scale than the deeper maps'; the layer "
                        "normalises each location and learns a scale, starting at "
                        "{l2norm_scale}"),
               N_("Right: §3.1, after ParseNet. This lesson measured the sizes before and "
                  "after.")),
            _c(False, N_("It is an L2 penalty on the weights, against over-fitting"),
               N_("That is weight decay (5e-4, §3). L2Norm rescales the features of each "
                  "location, not the weights.")),
            _c(False, N_("Because conv4_3 has no ReLU"),
               N_("It has one, as every VGG convolution.")),
            _c(False, N_("To replace batch normalisation"),
               N_("VGG16 has no batch normalisation; L2Norm only rescales conv4_3 for its head.")),
        ),
        N_("3.1"),
    ),
    Question(
        N_("Predict: how many default boxes does SSD512 have?"),
        (
            _c(False, N_("{ssd300_boxes:,}, as SSD300"),
               N_("A bigger input makes bigger maps, and SSD512 adds a seventh map.")),
            _c(True, "{ssd512_boxes:,}",
               N_("Right (Table 7): 64×64×4 + 32×32×6 + 16×16×6 + 8×8×6 + 4×4×6 + 2×2×4 + "
                  "1×1×4.")),
            _c(False, N_("about 50,000"),
               N_("Fewer: count the maps.")),
            _c(False, "15,000",
               N_("More: the 64×64 map alone has 16,384.")),
        ),
        N_("Table 7"),
        N_("Run the next cell: ssd.SSDConfig.ssd512().num_boxes."),
    ),
)

_LESSON3 = (
    Question(
        N_("Which default boxes become positives during matching?"),
        (
            _c(False, N_("Only the single best default box of each object"),
               N_("That is MultiBox's rule, and only SSD's first step.")),
            _c(True, N_("Each object's best box, plus every box with IoU >= {match_iou} with "
                        "some object"),
               N_("Right: two steps. The first gives every object a box; the second lets "
                  "several boxes predict the same object, which simplifies learning.")),
            _c(False, N_("Every box whose centre lies inside an object"),
               N_("A centre rule is YOLO's (the cell that holds the object's centre); SSD "
                  "matches by IoU (the Jaccard overlap).")),
            _c(False, N_("The boxes with the highest predicted scores"),
               N_("Matching uses only the ground truth and the default boxes, never predictions.")),
        ),
        N_("2.2"),
    ),
    Question(
        N_("Predict: an image has 7 positive default boxes and 8,725 negatives. How many "
           "negatives does the loss keep (ratio {neg_pos_ratio}:1)?"),
        (
            _c(False, N_("all 8,725"),
               N_("Then the easy negatives would swamp the 7 positives; that is what mining "
                  "prevents.")),
            _c(True, N_("21, the ones with the highest confidence loss"),
               N_("Right: at most 3 per positive (§2.2), the hardest first.")),
            # TRANSLATORS: seven negative default boxes (of 8,725)
            _c(False, N_("7"),
               N_("That is a 1:1 ratio; the paper uses 3:1.")),
            _c(False, N_("21, drawn at random among the negatives"),
               N_("The count is right, but mining keeps the hardest ones: those with the "
                  "highest confidence loss.")),
        ),
        N_("2.2"),
        N_("Run the next cell and count the mined negatives per image."),
    ),
    Question(
        N_("If an image has no positive default box (N = 0), what is its loss?"),
        (
            _c(True, "0",
               N_("Right: §2.2, 'If N = 0, we set the loss to 0'. ssd_core divides by max(1, N).")),
            _c(False, N_("infinite"),
               N_("It would be, dividing by N = 0; the paper avoids that.")),
            _c(False, N_("the confidence loss of all negatives"),
               N_("With no positive, mining keeps 3 × 0 = 0 negatives.")),
            _c(False, N_("none: such an image cannot be used in training"),
               N_("It can be in a batch; its loss is 0 (§2.2), so it adds nothing to the "
                  "gradient.")),
        ),
        N_("2.2"),
    ),
    Question(
        N_("Table 2: SSD300 without the data augmentation's sampling gets 65.5 mAP instead of "
           "74.3. What does that 65.5 run still use?"),
        (
            _c(True, N_("The horizontal flip, as Fast and Faster R-CNN train"),
               N_("Right: §3.2 compares its sampling strategy with 'the original image and the "
                  "horizontal flip'; the +8.8 is the random crops.")),
            _c(False, N_("No augmentation at all"),
               N_("The flip stays; what is removed is the sampling of patches.")),
            _c(False, N_("Only the zoom-out"),
               N_("The zoom-out came later (§3.6) and is in neither column.")),
            _c(False, N_("The random crops, but not the flip"),
               N_("The reverse: the crops (the sampling of patches) are what Table 2 takes "
                  "away; the flip stays.")),
        ),
        N_("3.2, Table 2"),
    ),
)

_LESSON4 = (
    Question(
        N_("Predict: for a batch of 2 images, SSD300 with C classes (background included) "
           "returns conf of which shape?"),
        (
            _c(False, "[2, C]",
               N_("One score per class for each default box, not per image.")),
            _c(True, "[2, {ssd300_boxes}, C]",
               N_("Right: images × default boxes × classes (background included).")),
            _c(False, "[2, C, 38, 38]",
               N_("The heads' maps are flattened and concatenated over the six maps.")),
            _c(False, "[2, {ssd300_boxes}, 4]",
               N_("That is loc, the four offsets.")),
        ),
        N_("2.1"),
        N_("Run the next cell: print(conf.shape)."),
    ),
    Question(
        N_("Where does ssd_core match and encode the ground truth during training?"),
        (
            _c(True, N_("Once per batch, inside train_step, on the training device"),
               N_("Right: batch_targets matches the whole batch at once; SSD-Tensorflow does it "
                  "per image in the input pipeline.")),
            _c(False, N_("In the model's forward pass"),
               N_("The model only predicts; matching needs the ground truth.")),
            _c(False, N_("Once, before training, for the whole dataset"),
               N_("Augmentation changes the boxes every epoch, so matching runs every step.")),
            _c(False, N_("At test time, in postprocess"),
               N_("Testing decodes; it does not match.")),
        ),
        N_("2.2"),
    ),
    Question(
        N_("SSD-Tensorflow's l2_normalization: what really differs from the paper?"),
        (
            _c(True, N_("The learned scale starts at 1, not {l2norm_scale}; it normalises over "
                        "the channels as the paper does"),
               N_("Right: the code passes the channel axis; only its docstring says 'spatial'.")),
            _c(False, N_("It normalises over the spatial axes"),
               N_("Its docstring says so, but the code uses the channel axis.")),
            _c(False, N_("It normalises every source map"),
               N_("Only conv4_3 (normalizations = [20, -1, ...]).")),
            _c(False, N_("Nothing: it follows the paper exactly"),
               N_("The starting scale differs.")),
        ),
        N_("3.1"),
    ),
    Question(
        N_("SSD-Tensorflow divides its losses by the batch size. By what do the paper and "
           "ssd_core divide?"),
        (
            _c(True, N_("N, the number of matched (positive) default boxes"),
               N_("Right: eq. 1, L = (L_conf + alpha L_loc) / N.")),
            _c(False, N_("The number of default boxes, 8,732"),
               N_("That would make the loss tiny.")),
            _c(False, N_("The boxes that enter L_conf: the positives and the mined negatives"),
               N_("L_conf sums over both, but eq. 1 divides both terms by N, the positives "
                  "only.")),
            _c(False, N_("By nothing"),
               N_("Eq. 1 divides by N.")),
        ),
        N_("2.2, eq. 1"),
    ),
)

_LESSON5 = (
    Question(
        N_("Predict: trained without the minimum-IoU crop (the flip on in both runs), is the "
           "final training loss lower or higher than with it?"),
        (
            _c(True, N_("Lower: the network sees the same images and starts to learn them by "
                        "heart"),
               N_("Right; what counts is the validation mAP, where augmentation pays off in a "
                  "long run.")),
            _c(False, N_("Higher"),
               N_("Cropped images are harder, so the loss with the crop is the higher one (in a "
                  "run long enough to learn).")),
            _c(False, N_("The same"),
               N_("The images differ, so the losses differ.")),
            _c(False, N_("Lower, and so its validation mAP is higher too"),
               N_("A lower training loss is not a better detector: without the crops the "
                  "network over-fits sooner, and on VOC the paper's sampling is worth +8.8 mAP (Table 2).")),
        ),
        N_("3.2"),
        N_("Run the ablation cell (RUN_ABLATION = True) and compare the two curves."),
    ),
    Question(
        N_("In the detection explorer, which NMS threshold keeps more duplicate boxes around an "
           "object?"),
        (
            _c(True, "0.9",
               N_("Right: only boxes overlapping more than 0.9 are suppressed, so "
                  "near-duplicates survive.")),
            _c(False, "0.1",
               N_("At 0.1 even neighbouring objects suppress each other.")),
            _c(False, N_("{nms_iou}, the paper's"),
               N_("The paper's setting is a balance (§3.7).")),
            _c(False, N_("It makes no difference"),
               N_("Move the slider and count the boxes.")),
        ),
        N_("3.7"),
    ),
    Question(
        N_("What does the released SSD300 (trained with the zoom-out of §3.6) get on VOC2007 "
           "test?"),
        (
            _c(True, "{ssd300_zoomout_map07}",
               N_("Right: Table 6; {ssd300_map07} without the zoom-out (Table 1).")),
            _c(False, "{ssd300_map07}",
               N_("That is the model of Table 1, without the zoom-out.")),
            _c(False, "72.1",
               N_("72.1 is an early arXiv version's number; v5 reports others.")),
            _c(False, "{ssd512_zoomout_map07}",
               N_("That is SSD512 with the zoom-out.")),
        ),
        N_("3.6, Table 6"),
    ),
    Question(
        N_("A run stopped halfway and resumed from last.pt ends with which weights?"),
        (
            _c(True, N_("The same as a run that never stopped"),
               N_("Right: the data order and every augmentation draw follow from (seed, epoch, "
                  "index); a test checks it bit for bit.")),
            _c(False, N_("Similar, but not the same"),
               N_("They are equal, bit for bit.")),
            _c(False, N_("The weights of the epoch's start"),
               N_("It continues from the stopped step.")),
            _c(False, N_("The best weights so far, from best.pt"),
               N_("Resuming reads last.pt: the weights and the optimiser's state where the run "
                  "stopped. best.pt keeps the weights of the best validation mAP, for "
                  "testing.")),
        ),
        N_("3"),
    ),
)
#: The questions of each lesson.
QUIZZES: dict[int, tuple[Question, ...]] = {1: _LESSON1, 2: _LESSON2, 3: _LESSON3, 4: _LESSON4,
                                            5: _LESSON5}
#: Lesson 1's questions (the name the first quiz had).
QUESTIONS = QUIZZES[1]
