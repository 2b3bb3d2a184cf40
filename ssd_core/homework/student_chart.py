"""Session 5's homework, option 2: the student's own flowchart of SSD's training, as data.

* :class:`StudentChart`: stages in the student's order (:class:`ChartStage`: a reference
  stage picked by its key, or a title of their own, each with a note), the arrows and the
  loops between them, by position; it saves as a dict (:meth:`StudentChart.to_dict`);
* :func:`shuffled_palette`: the reference stages
  (:func:`~ssd_core.homework.flowchart.training_stages`) in a shuffled order, to pick from;
* :func:`shown_title`: what a stage's box says, in the course's language.

Drawn by :mod:`.chart_figure`, compared with the reference by :mod:`.chart_comparison`, built
in the notebook with :mod:`.my_flowchart`.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

from ..i18n import _
from .flowchart import Stage, training_stages

__all__ = ["ChartStage", "StudentChart", "shown_title", "shuffled_palette"]


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
        title of your own. Returns its position."""
        if isinstance(stage, ChartStage):
            item = stage
        elif isinstance(stage, Stage):
            item = ChartStage(_(stage.title), stage.key, note)
        else:
            text = str(stage).strip()
            if not text:
                raise ValueError(_("a stage needs a title; write what happens there, e.g. "
                                   "'match'."))
            ref = {s.key: s for s in training_stages()}.get(text)
            item = (ChartStage(_(ref.title), ref.key, note) if ref
                    else ChartStage(text, None, note))
        self.stages.append(item)
        return len(self.stages) - 1

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
        (self.loops if loop else self.arrows).append((a, b, str(label)))

    def chain(self) -> None:
        """Arrows between every pair of neighbouring stages (those not yet joined)."""
        have = {(a, b) for a, b, _label in self.arrows}
        for i in range(len(self.stages) - 1):
            if (i, i + 1) not in have:
                self.arrows.append((i, i + 1, ""))

    def set_note(self, i: int, note: str) -> None:
        """Your note on stage ``i`` (what it does, the shapes, the paper's numbers)."""
        self._check(i)
        self.stages[i].note = str(note)

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
