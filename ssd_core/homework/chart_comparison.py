"""Session 5's homework, option 2: the student's flowchart against the reference (the order
the code runs its stages): the stages left out, those out of order, their own, the loops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..i18n import _, pgettext
from .flowchart import Stage, training_stages
from .student_chart import StudentChart, shown_title

__all__ = ["ChartComparison", "compare_with_reference"]


@dataclass
class ChartComparison:
    """Your chart against the reference: what is missing, what is out of order, what is yours."""

    missing: list[Stage]
    out_of_order: list[str]            # titles (as shown) of picked stages out of the code's order
    own: list[str]                     # titles of stages you wrote yourself
    has_batch_loop: bool
    has_epoch_loop: bool

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
        if not self.has_batch_loop:
            out.append(_("no loop back for the next batch"))
        if not self.has_epoch_loop:
            out.append(_("no loop back for the next epoch"))
        return out


def _longest_increasing(values: list[int]) -> set[int]:
    """Positions of one longest strictly increasing subsequence of ``values``."""
    best: list[list[int]] = []
    for i, v in enumerate(values):
        candidates = [seq for seq in best if values[seq[-1]] < v]
        chain = max(candidates, key=len, default=[]) + [i]
        best.append(chain)
    return set(max(best, key=len, default=[]))


def compare_with_reference(chart: StudentChart,
                           reference: Sequence[Stage] | None = None) -> ChartComparison:
    """Compare ``chart`` with the reference stages (the order the code runs them).

    Out of order are the picked stages outside a longest run that follows the reference order
    (the fewest stages to move). A loop counts as "next batch" when it goes back from a batch
    stage to an image stage or to the start, and as "next epoch" when it leaves an epoch stage.
    """
    reference = list(reference if reference is not None else training_stages())
    rank = {s.key: k for k, s in enumerate(reference)}
    group = {s.key: s.group for s in reference}
    picked = [(i, s) for i, s in enumerate(chart.stages) if s.key in rank]
    keep = _longest_increasing([rank[s.key] for _i, s in picked])
    out_of_order = [shown_title(s) for j, (_i, s) in enumerate(picked) if j not in keep]
    present = {s.key for _i, s in picked}
    key_at = {i: s.key for i, s in enumerate(chart.stages)}

    def back(a: int, b: int) -> bool:
        return b <= a
    batch_loop = any(back(a, b) and group.get(key_at[a]) in ("batch", None)
                     and group.get(key_at[b]) in ("image", None) for a, b, _label in chart.loops)
    epoch_loop = any(back(a, b) and group.get(key_at[a]) == "epoch"
                     for a, b, _label in chart.loops)
    return ChartComparison([s for s in reference if s.key not in present], out_of_order,
                           [shown_title(s) for s in chart.stages if s.key is None], batch_loop,
                           epoch_loop)
