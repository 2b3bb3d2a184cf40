"""Session 5's homework, option 2: the student's flowchart against the reference (the order
the code runs its stages): the stages left out, those out of order and why, their own, the
loops, and a stage that is there twice.

A stage the student wrote in their own words counts as the reference stage it names
(:func:`reference_keys_named`): "计算损失：平滑L1加交叉熵" names the multibox loss, "mine the hard
negatives" hard negative mining. It names a stage when it holds one of that stage's keywords, in
any language of the course: the stage's title, the words the catalog lists for it (context
``"words for a stage"``: 难例, 编码 ...), and the glossary's terms for it with their other names
(:data:`STAGE_TERMS`: 置信度损失, also 分类损失). A keyword inside a longer keyword of another
stage does not count (难负样本 is mining, not the 负样本 of matching). A stage naming none stays
the student's own.

The order is checked on every stage that names the reference, picked or written: those outside
a longest run in the code's order are out of order, and for each the comparison says which of
the two comes first, and why when one needs the other (:data:`REASONS`: the loss needs the
encoded targets, ...).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Sequence

from .. import i18n
from ..course.glossary import GLOSSARY
from ..i18n import N_, _, pgettext, using_language
from .flowchart import Stage, training_stages
from .student_chart import ChartStage, StudentChart, shown_title

__all__ = ["ChartComparison", "compare_with_reference", "reference_keys_named", "STAGE_TERMS",
           "REASONS"]

def _keyword_lists() -> dict[str, str]:
    """Words and phrases a student may write for each reference stage, in the current language,
    separated by ";" (the catalog's: each language has its own)."""
    # TRANSLATORS: words and phrases a student may write, in their own words, for this stage of
    # SSD's training in their flowchart, separated by ";". Write what a student of your language
    # writes (short, in the course's terms); the stage's title and the glossary's terms and
    # other names are matched as well, in every language, and the English words too.
    return {
        "read": pgettext("words for a stage", "read; load the image; load image; XML; JPEG; "
                                              "annotation file"),
        "photometric": pgettext("words for a stage", "photometric; colour; color; brightness; "
                                                     "contrast; saturation; hue"),
        "zoom_out": pgettext("words for a stage", "zoom out; expand; canvas"),
        "iou_crop": pgettext("words for a stage", "crop; patch"),
        "resize": pgettext("words for a stage", "resize; rescale; 300x300"),
        "flip": pgettext("words for a stage", "flip; mirror"),
        "sanitize": pgettext("words for a stage", "sanitise; sanitize; clean the boxes; "
                                                  "drop tiny boxes"),
        "collate": pgettext("words for a stage", "collate; make a batch; form a batch; "
                                                 "build a batch; minibatch; mini-batch; "
                                                 "DataLoader"),
        "match": pgettext("words for a stage", "match; assign; Jaccard"),
        "encode": pgettext("words for a stage", "encode; encoding; regression target"),
        "forward": pgettext("words for a stage", "forward; feed forward; run the network; "
                                                 "run the model; VGG"),
        "loss": pgettext("words for a stage", "multibox loss; compute the loss; loss function; "
                                              "total loss; smooth L1; cross entropy"),
        "mining": pgettext("words for a stage", "hard negative; hard example; negative mining; "
                                                "OHEM; mining; 3:1"),
        "backward": pgettext("words for a stage", "backward; backprop; back propagation; "
                                                  "backpropagation; gradient"),
        "step": pgettext("words for a stage", "optimizer; optimiser; SGD; Adam; "
                                              "update the weights; update weights; "
                                              "gradient descent"),
        "evaluate": pgettext("words for a stage", "evaluate; evaluation; validate; validation; "
                                                  "mAP"),
        "checkpoint": pgettext("words for a stage", "checkpoint; save the model; "
                                                    "save the weights; save weights"),
    }


#: The glossary's terms (:data:`ssd_core.course.glossary.GLOSSARY`, by their English) that
#: name a stage: their names in every language and their other names count as its keywords.
STAGE_TERMS: dict[str, tuple[str, ...]] = {
    "photometric": ("photometric distortion",),
    "zoom_out": ("zoom out",),
    "match": ("matching strategy",),
    "encode": ("variance",),
    "forward": ("backbone (base network)", "prediction head"),
    "loss": ("smooth L1 loss", "confidence loss", "localization loss", "cross-entropy"),
    "mining": ("hard negative mining",),
    "step": ("learning rate", "momentum", "weight decay"),
    "evaluate": ("non-maximum suppression (NMS)", "average precision (AP / mAP)"),
}

#: Why one stage comes before another, where the later one needs what the earlier one made:
#: (earlier, later) -> the reason, an English clause of the catalog.
REASONS: dict[tuple[str, str], str] = {
    **{("read", key): N_("the augmentations change the image that was read")
       for key in ("photometric", "zoom_out", "iou_crop", "resize", "flip", "sanitize")},
    ("resize", "collate"): N_("only images of one size (S x S) stack into a batch"),
    ("collate", "forward"): N_("the network takes a whole batch of images at once"),
    ("match", "encode"): N_("encoding needs the ground-truth box each default box was matched "
                            "with"),
    ("match", "loss"): N_("the loss needs the label that matching gave each default box"),
    ("encode", "loss"): N_("the loss compares the predicted offsets with the encoded targets"),
    ("forward", "loss"): N_("the loss needs the network's predictions"),
    ("loss", "mining"): N_("hard negative mining ranks the negatives by their confidence loss"),
    ("forward", "backward"): N_("backward goes back through what the forward pass computed"),
    ("loss", "backward"): N_("backward computes the gradients of the loss"),
    ("mining", "backward"): N_("the gradients are those of the loss that hard negative mining "
                               "kept"),
    ("backward", "step"): N_("the optimizer step uses the gradients that backward computed"),
    ("step", "evaluate"): N_("evaluation measures the weights that the epoch's steps trained"),
    ("evaluate", "checkpoint"): N_("the checkpoint keeps the mAP that evaluation measured "
                                   "(best.pt)"),
}


@dataclass
class ChartComparison:
    """Your chart against the reference: what is missing, what is out of order (and why),
    what is yours, what is there twice."""

    missing: list[Stage]
    out_of_order: list[str]            # titles (as shown) of stages out of the code's order
    own: list[str]                     # titles of stages you wrote that name no reference stage
    has_batch_loop: bool
    has_epoch_loop: bool
    named: list[tuple[str, list[str]]] = field(default_factory=list)
    """your own stages that name reference stages: (your title, the reference titles)"""
    twice: list[tuple[str, list[str]]] = field(default_factory=list)
    """reference stages in more than one box: (its title, the titles of those boxes)"""
    order_notes: list[str] = field(default_factory=list)
    """for each stage out of order: which of two comes first in the code, and why"""

    def lines(self) -> list[str]:
        """The comparison as sentences, in the course's language."""
        # TRANSLATORS: between the stages of a list (Chinese: the enumeration comma)
        join = pgettext("list of stages", ", ").join
        out = []
        if self.missing:
            out.append(_("missing: {stages}").format(
                stages=join(_(s.title) for s in self.missing)))
        else:
            out.append(_("no stage of the reference is missing"))
        if self.out_of_order:
            out.append(_("out of order: {stages}").format(stages=join(self.out_of_order)))
        else:
            out.append(_("your stages are in the order the code runs them"))
        if self.own:
            out.append(_("your own stages: {stages}").format(stages=join(self.own)))
        for title, refs in self.named:
            out.append(_("your stage '{title}' counts as {stages}").format(
                title=title, stages=join(_quoted(r) for r in refs)))
        if not self.has_batch_loop:
            out.append(_("no loop back for the next batch"))
        if not self.has_epoch_loop:
            out.append(_("no loop back for the next epoch"))
        for ref, titles in self.twice:
            out.append(_("'{stage}' is in your chart more than once: {stages}").format(
                stage=ref, stages=join(_quoted(t) for t in titles)))
        return out + self.order_notes


def _quoted(title: str) -> str:
    # TRANSLATORS: a stage's title quoted inside a sentence (Chinese: “{title}”)
    return pgettext("a stage's title in a sentence", "'{title}'").format(title=title)


# -- naming a reference stage in your own words -------------------------------------------------

def _normal(text: str) -> str:
    """``text`` as keywords are matched: full-width as half-width, lower case, ``-`` and ``_``
    as spaces."""
    return re.sub(r"[-_\u2010]", " ", unicodedata.normalize("NFKC", text).casefold())


def _pattern(keyword: str) -> str:
    """A keyword as a regular expression: spaces anywhere in it optional, and an English word
    whole (not inside a longer word), also with -s, -es, -d, -ed or -ing."""
    chars = [c for c in _normal(keyword) if not c.isspace()]
    body = r"\s*".join(re.escape(c) for c in chars)
    latin = lambda c: c.isascii() and c.isalnum()
    head = r"(?<![a-z0-9])" if latin(chars[0]) else ""
    tail = r"(?:s|es|d|ed|ing)?(?![a-z0-9])" if latin(chars[-1]) else ""
    return head + body + tail


def _split(names: str) -> list[str]:
    """The names in a list of them: separated by ";", "/", "、" (full width or not), without
    their asides in brackets."""
    names = re.sub(r"[（(][^）)]*[）)]", "", unicodedata.normalize("NFKC", names))
    return [n.strip() for n in re.split(r"[;；/、,，]", names) if n.strip()]


def _keywords(language: str) -> dict[str, set[str]]:
    """Each stage's keywords in ``language``: its title, the catalog's words for it, the
    glossary's terms for it and their other names."""
    terms = {t.en: t for t in GLOSSARY}
    with using_language(language):
        lists = _keyword_lists()
        words = {}
        for stage in training_stages():
            found = {_(stage.title), *_split(lists.get(stage.key, ""))}
            for en in STAGE_TERMS.get(stage.key, ()):
                found.update(_split(_(en)) + _split(terms[en].also))
            words[stage.key] = found
    return words


@functools.lru_cache(maxsize=4)
def _patterns(languages: tuple[str, ...]) -> tuple[tuple[str, re.Pattern], ...]:
    """Every stage's keywords in ``languages``, as (key, pattern)."""
    words: dict[str, set[str]] = {}
    for language in languages:
        for key, found in _keywords(language).items():
            words.setdefault(key, set()).update(found)
    return tuple((key, re.compile(_pattern(w))) for key in words for w in sorted(words[key])
                 if w.strip())


def reference_keys_named(text: str) -> list[str]:
    """The keys of the reference stages that ``text`` (a stage you wrote) names, in the code's
    order: those with a keyword in it (in any language: see the module's docstring), leaving
    out a match that lies inside a longer match of another stage."""
    text = _normal(text)
    spans = [(m.start(), m.end(), key) for key, pattern in _patterns(i18n.languages())
             for m in pattern.finditer(text)]
    inside = lambda s, t: t[0] <= s[0] and s[1] <= t[1] and t[1] - t[0] > s[1] - s[0]
    named = {s[2] for s in spans if not any(t[2] != s[2] and inside(s, t) for t in spans)}
    return [s.key for s in training_stages() if s.key in named]


def _keys(stage: ChartStage, rank: dict[str, int]) -> list[str]:
    """The reference stages a box stands for: the one picked, or those its title names."""
    if stage.key is not None:
        return [stage.key] if stage.key in rank else []
    return [k for k in reference_keys_named(stage.title) if k in rank]


# -- the order -------------------------------------------------------------------------------

def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence of ``values``."""
    best: list[list[int]] = []
    for i, v in enumerate(values):
        candidates = [seq for seq in best if values[seq[-1]] < v]
        chain = max(candidates, key=len, default=[]) + [i]
        best.append(chain)
    return set(max(best, key=len, default=[]))


def _order_note(later: str, first: str, reason: str | None) -> str:
    if reason is None:
        return _("'{later}' comes before '{first}' in your chart; the code runs '{first}' "
                 "first.").format(later=later, first=first)
    return _("'{later}' comes before '{first}' in your chart; the code runs '{first}' first, "
             "because {reason}.").format(later=later, first=first, reason=_(reason))


def _order(entries: list[tuple[int, str]], rank: dict[str, int], titles: list[str]
           ) -> tuple[list[int], list[str]]:
    """The boxes out of order, and a sentence for each: ``entries`` are (box, key) in the
    chart's order, a box that names several stages once for each."""
    keep = _longest_increasing([rank[k] for _box, k in entries])
    kept = [entries[j] for j in sorted(keep)]
    wrong = list(dict.fromkeys(box for j, (box, _k) in enumerate(entries) if j not in keep))
    notes = []
    for box in wrong:
        pairs = []                              # (first key, later key, first box, later box)
        for key in (k for b, k in entries if b == box):
            for other, k in kept:
                if other < box and rank[k] > rank[key]:
                    pairs.append((key, k, box, other))
                elif other > box and rank[k] < rank[key]:
                    pairs.append((k, key, other, box))
        explained = [p for p in pairs if (p[0], p[1]) in REASONS]
        if not explained and pairs:                         # the nearest in the code's order
            explained = [min(pairs, key=lambda p: rank[p[1]] - rank[p[0]])]
        for first, later, first_box, later_box in explained:
            notes.append(_order_note(titles[later_box], titles[first_box],
                                     REASONS.get((first, later))))
    return wrong, notes


def compare_with_reference(chart: StudentChart,
                           reference: Sequence[Stage] | None = None) -> ChartComparison:
    """Compare ``chart`` with the reference stages (the order the code runs them).

    A box counts as the reference stage it was picked as, or as those its own title names
    (:func:`reference_keys_named`). Out of order are the boxes outside a longest run that
    follows the reference order (the fewest to move); a box in the chart a second time for the
    same stage is reported as such, not as out of order. A loop counts as "next batch" when it
    goes back from a batch stage to an image stage or to the start, and as "next epoch" when it
    leaves an epoch stage (a box of your own that names no stage may stand for either).
    """
    reference = list(reference if reference is not None else training_stages())
    rank = {s.key: k for k, s in enumerate(reference)}
    group = {s.key: s.group for s in reference}
    titles = [shown_title(s) for s in chart.stages]
    keys = [_keys(s, rank) for s in chart.stages]
    boxes_of: dict[str, list[int]] = {}
    for box, ks in enumerate(keys):
        for k in ks:
            boxes_of.setdefault(k, []).append(box)
    entries = sorted(((boxes[0], k) for k, boxes in boxes_of.items()),
                     key=lambda e: (e[0], rank[e[1]]))
    wrong, notes = _order(entries, rank, titles)
    group_at = {box: group[ks[0]] if ks else None for box, ks in enumerate(keys)}

    def back(a: int, b: int) -> bool:
        return b <= a
    batch_loop = any(back(a, b) and group_at[a] in ("batch", None)
                     and (group_at[b] in ("image", None) or b == 0)
                     for a, b, _label in chart.loops)
    epoch_loop = any(back(a, b) and group_at[a] == "epoch" for a, b, _label in chart.loops)
    return ChartComparison(
        missing=[s for s in reference if s.key not in boxes_of],
        out_of_order=[titles[box] for box in wrong],
        own=[titles[box] for box, s in enumerate(chart.stages) if s.key is None and not keys[box]],
        has_batch_loop=batch_loop, has_epoch_loop=epoch_loop,
        named=[(titles[box], [_(reference[rank[k]].title) for k in keys[box]])
               for box, s in enumerate(chart.stages) if s.key is None and keys[box]],
        twice=[(_(reference[rank[k]].title), [titles[b] for b in boxes])
               for k, boxes in boxes_of.items() if len(boxes) > 1],
        order_notes=notes)
