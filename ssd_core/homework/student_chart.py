"""Session 5's homework, option 2: the student's own flowchart of SSD's training, as data.

* :class:`StudentChart`: stages in the student's order (:class:`ChartStage`: a reference
  stage picked by its key, or a title of their own, each with a note), the arrows and the
  loops between them, by position; it saves as a dict (:meth:`StudentChart.to_dict`);
* :func:`shuffled_palette`: the reference stages
  (:func:`~ssd_core.homework.flowchart.training_stages`) in a shuffled order, to pick from;
* :func:`shown_title`: what a stage's box says, in the course's language;
* :func:`check_text`: what a box or a label may say. A text is one line (line breaks and runs of
  spaces become one space) of at most :data:`TITLE_LIMIT` characters for a stage's name,
  :data:`NOTE_LIMIT` for a note, :data:`LABEL_LIMIT` for an arrow's label, and every character
  of it must be one an installed font draws (an emoji often is not; Chinese needs a CJK font):
  a text that breaks a rule is refused with the sentence that says what to change, never cut
  or drawn as empty boxes.

A stage is in the chart once: adding one that is already there is refused, naming it.

Drawn by :mod:`.chart_figure`, compared with the reference by :mod:`.chart_comparison`, built
in the notebook with :mod:`.my_flowchart`.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from ..fonts import cjk_font, missing_glyphs
from ..i18n import _
from .flowchart import Stage, training_stages

__all__ = ["ChartStage", "StudentChart", "shown_title", "shuffled_palette", "check_text",
           "TITLE_LIMIT", "NOTE_LIMIT", "LABEL_LIMIT"]

#: The most characters a stage's name may have (it wraps in its box: about three lines of
#: Chinese, two of English); the details go in its note.
TITLE_LIMIT = 60
#: The most characters of a stage's note, and of an arrow's or a loop's label.
NOTE_LIMIT = 120
LABEL_LIMIT = 30

_LIMITS = {"title": TITLE_LIMIT, "note": NOTE_LIMIT, "label": LABEL_LIMIT}
#: Chinese, Japanese and Korean characters: a CJK font draws them.
_CJK = re.compile("[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002ffff]")


def _too_long(kind: str, n: int) -> str:
    limit = _LIMITS[kind]
    if kind == "title":
        return _("this stage's name is {n} characters long; keep it to {limit} and write the "
                 "details in the stage's note.").format(n=n, limit=limit)
    if kind == "note":
        return _("this note is {n} characters long; keep it to {limit}.").format(n=n, limit=limit)
    return _("this label is {n} characters long; keep it to {limit}.").format(n=n, limit=limit)


def check_text(text: str, kind: str = "title") -> str:
    """``text`` as a box (``kind="title"``, ``"note"``) or an arrow's label (``"label"``) shows
    it: on one line, within its limit, every character drawable; else a :class:`ValueError`
    that says what to change. A name must not be empty; a note or a label may."""
    clean = " ".join(unicodedata.normalize("NFC", str(text)).split())
    if kind == "title" and not clean:
        raise ValueError(_("a stage needs a title; write what happens there, e.g. 'match'."))
    if len(clean) > _LIMITS[kind]:
        raise ValueError(_too_long(kind, len(clean)))
    missing = missing_glyphs(clean)
    if missing and cjk_font() is None and any(_CJK.match(c) for c in missing):
        raise ValueError(_("no installed font draws Chinese ('{text}'), so the picture would show "
                           "empty boxes; install a CJK font (on Linux: sudo apt-get install "
                           "fonts-noto-cjk), restart the kernel and add it again.")
                         .format(text=clean))
    if missing:
        chars = " ".join(f"{c} (U+{ord(c):04X})" for c in missing)
        raise ValueError(_("no installed font draws {chars} in '{text}' (many emoji are not), "
                           "so the picture would show an empty box there; write it in words "
                           "instead.").format(chars=chars, text=clean))
    return clean


def _same(title: str) -> str:
    """A title as compared for duplicates: width, case and spaces aside."""
    return "".join(unicodedata.normalize("NFKC", title).casefold().split())


@dataclass
class ChartStage:
    """One box of the student's chart: a reference stage's ``key`` (None for one you wrote),
    its title (a reference stage's: as shown when it was picked), and your note on it."""

    title: str
    key: str | None = None
    note: str = ""


@dataclass
class StudentChart:
    """Your flowchart: stages in your order, arrows and loops between them (by position)."""

    stages: list[ChartStage] = field(default_factory=list)
    arrows: list[tuple[int, int, str]] = field(default_factory=list)
    loops: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, stage: str | Stage | ChartStage, note: str = "") -> int:
        """Add a stage at the end: a reference :class:`Stage`, its key (``"match"``), or a
        title of your own (:func:`check_text`). Returns its position.

        A stage already in the chart (the same reference stage, or the same title) is refused
        with a :class:`ValueError` that names it: move that one instead.
        """
        if isinstance(stage, ChartStage):
            item = ChartStage(check_text(stage.title), stage.key, check_text(stage.note, "note"))
        elif isinstance(stage, Stage):
            item = ChartStage(_(stage.title), stage.key, check_text(note, "note"))
        else:
            text = check_text(stage)
            ref = {s.key: s for s in training_stages()}.get(text)
            item = (ChartStage(_(ref.title), ref.key, check_text(note, "note")) if ref
                    else ChartStage(text, None, check_text(note, "note")))
        self._refuse_twice(item)
        self.stages.append(item)
        return len(self.stages) - 1

    def _refuse_twice(self, item: ChartStage) -> None:
        for i, s in enumerate(self.stages):
            if (item.key is not None and s.key == item.key) or \
                    _same(shown_title(s)) == _same(shown_title(item)):
                raise ValueError(_("'{title}' is already in your chart (number {n}); a stage "
                                   "appears once: move that one instead of adding it again.")
                                 .format(title=shown_title(s), n=i + 1))

    def _check(self, *positions: int) -> None:
        for i in positions:
            if not 0 <= i < len(self.stages):
                raise IndexError(_("stage {i} does not exist; the chart has stages 0 to {last}")
                                 .format(i=i, last=len(self.stages) - 1))

    def move(self, i: int, j: int) -> None:
        """Move stage ``i`` to position ``j``; arrows and loops keep their stages."""
        self._check(i, j)
        order = list(range(len(self.stages)))
        order.insert(j, order.pop(i))
        new_pos = {old: new for new, old in enumerate(order)}
        self.stages = [self.stages[k] for k in order]
        self.arrows = [(new_pos[a], new_pos[b], t) for a, b, t in self.arrows]
        self.loops = [(new_pos[a], new_pos[b], t) for a, b, t in self.loops]

    def remove(self, i: int) -> None:
        """Remove stage ``i`` and the arrows and loops that touch it."""
        self._check(i)
        del self.stages[i]
        shift = lambda k: k - (k > i)
        self.arrows = [(shift(a), shift(b), t) for a, b, t in self.arrows if i not in (a, b)]
        self.loops = [(shift(a), shift(b), t) for a, b, t in self.loops if i not in (a, b)]

    def connect(self, a: int, b: int, label: str = "", loop: bool = False) -> None:
        """An arrow from stage ``a`` to stage ``b`` (a dashed loop with ``loop=True``)."""
        self._check(a, b)
        if a == b:
            raise ValueError(_("an arrow needs two different stages"))
        (self.loops if loop else self.arrows).append((a, b, check_text(label, "label")))

    def chain(self) -> None:
        """Arrows between every pair of neighbouring stages (those not yet joined)."""
        have = {(a, b) for a, b, _label in self.arrows}
        for i in range(len(self.stages) - 1):
            if (i, i + 1) not in have:
                self.arrows.append((i, i + 1, ""))

    def set_note(self, i: int, note: str) -> None:
        """Your note on stage ``i`` (what it does, the shapes, the paper's numbers), checked
        by :func:`check_text`; an empty note clears it."""
        self._check(i)
        self.stages[i].note = check_text(note, "note")

    def to_dict(self) -> dict:
        return {"stages": [asdict(s) for s in self.stages],
                "arrows": [list(a) for a in self.arrows], "loops": [list(a) for a in self.loops]}

    @classmethod
    def from_dict(cls, d: dict) -> "StudentChart":
        chart = cls([ChartStage(**s) for s in d.get("stages", [])],
                    [tuple(a) for a in d.get("arrows", [])], [tuple(a) for a in d.get("loops", [])])
        chart._check(*[k for a, b, _label in chart.arrows + chart.loops for k in (a, b)])
        return chart


def shown_title(stage: ChartStage, show=_) -> str:
    """What a box says: a reference stage's title in the current language (``show``: ``_``, or
    ``fig`` in a figure), or your own title."""
    ref = {s.key: s for s in training_stages()}.get(stage.key) if stage.key else None
    return show(ref.title) if ref is not None else stage.title


def shuffled_palette(seed: int | None = None) -> list[Stage]:
    """The reference stages in a shuffled order: what you pick from (the order is yours to find)."""
    stages = training_stages()
    random.Random(seed).shuffle(stages)
    return stages
