"""A run that fits the time it is given (``train --minutes M``): the schedule, the planner and
the replay, with a fake clock (no real sleeping).

The fake clock stands still except where a test moves it: every training step "takes" ``X``
fake seconds and every evaluated image ``Y`` (``train_step`` and ``evaluate`` are wrapped
where the run calls them). The expectations are worked out by hand in the comments.
"""

import importlib
import itertools
import json
import math
from types import SimpleNamespace

import pytest
import torch

from ssd_core.cli import build_parser, settings_from_args
from ssd_core.recipes import TrainSettings, make_settings
from ssd_core.train import BUDGET_DECAY, BUDGET_REGROW, BudgetSchedule, TimeBudget, train

#: the module (``ssd_core.train`` as an attribute is the function the package exports)
train_module = importlib.import_module("ssd_core.train")
LR = 4e-3                                   # the small preset's learning rate


def cosine(q: float) -> float:
    """The cosine's multiplier at progress ``q`` of its decay (from 1 down to 0.02)."""
    return 0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * q))


# --------------------------------------------------------------------------- the schedule
def test_a_fixed_plan_holds_then_decays_by_hand():
    """``--steps 10``, warm-up 2, cosine: the decay begins at round(0.5 * 10) = 5; before it
    the warm-up (0.5, then 1); step k > 5 decays with q = (k - 5) / 5; after the last step
    the multiplier is the cosine's end, 0.02."""
    assert BUDGET_DECAY == 0.5
    schedule = BudgetSchedule(make_settings(warmup_iters=2, schedule="cosine"), total=10)
    got = [schedule(0)]
    for done in range(1, 11):
        schedule.update(done, 10)
        got.append(schedule(done))
    expected = [0.5, 1, 1, 1, 1, 1] + [cosine((k - 5) / 5) for k in range(6, 11)]
    assert got == pytest.approx(expected, abs=1e-12)
    assert got[-1] == pytest.approx(0.02, abs=1e-12)
    assert (schedule.total, schedule.decay_start, schedule.revisions) == (10, 5, [])


def test_the_plan_moves_freely_while_the_rate_holds_then_is_fixed():
    """The plan follows the clock while the rate holds (20, 14, 30, 8 ...) without changing a
    rate; when the next step would be past the decay's beginning the plan is fixed at the
    nearest total whose decay begins at the step just taken."""
    schedule = BudgetSchedule(make_settings(warmup_iters=0, schedule="cosine"))
    for done, fits in [(1, 20), (2, 14), (3, 30), (4, 8)]:
        schedule.update(done, fits)
        assert (schedule.total, schedule.decay_start, schedule(done)) == (fits, None, 1.0)
    # done 5, fits 8: round(0.5 * 8) = 4 = done - 1: the plan is fixed at 8, decay from 4
    schedule.update(5, 8)
    assert (schedule.total, schedule.decay_start) == (8, 4)
    assert schedule(5) == pytest.approx(cosine(1 / 4))
    # another run: the estimate falls from 12 (decay at 6) to 6 (decay at 3) after step 6;
    # the nearest total whose decay begins at step 5 is 10 (round(4.5) = 4, round(5) = 5)
    other = BudgetSchedule(make_settings(warmup_iters=0, schedule="cosine"))
    for done in range(1, 6):
        other.update(done, 12)
    other.update(6, 6)
    assert (other.total, other.decay_start) == (10, 5)
    assert other(6) == pytest.approx(cosine(1 / 5))


def test_a_shortened_plan_still_only_falls_and_ends_at_the_last_step():
    """Fixed at 10 (decay from 5): after step 6, q = 1/5. After step 7 the machine is slow:
    only 8 steps still end in time (limit 8), so the plan becomes 8, and q advances by
    (1 - q) / (steps left + 1): (1 - 1/5) / 2 = 0.4, to 0.6; after step 8 by (1 - 0.6) / 1,
    to 1: the cosine's end."""
    schedule = BudgetSchedule(make_settings(warmup_iters=0, schedule="cosine"), total=10)
    rates = []
    for done in range(1, 7):
        schedule.update(done, 10)
        rates.append(schedule(done))
    assert schedule.progress == pytest.approx(1 / 5)          # after step 6: (6 - 5) / 5
    schedule.update(7, 8, limit=8)
    assert schedule.revisions == [[7, 8]] and schedule.total == 8
    assert schedule.progress == pytest.approx(0.6)
    rates.append(schedule(7))
    schedule.update(8, 8, limit=8)
    rates.append(schedule(8))
    assert schedule.progress == pytest.approx(1.0)
    assert rates[-1] == pytest.approx(0.02)
    assert all(a >= b for a, b in itertools.pairwise(rates))     # never up
    # a plan that still ends in time (fits 9 but limit 10) is not revised
    calm = BudgetSchedule(make_settings(warmup_iters=0, schedule="cosine"), total=10)
    for done in range(1, 8):
        calm.update(done, 9 if done == 7 else 10, limit=10)
    assert (calm.total, calm.revisions) == (10, [])


def test_a_fixed_plan_grows_again_when_a_slow_spell_has_passed():
    """Fixed at 10 (decay from 5), q = 1/5 after step 6. After step 7, 11 steps fit again
    (more than 5 % over the plan): the plan grows to 11 and q advances by (1 - 1/5) / 5 =
    0.16 per step, to 1 after step 11, the cosine's end; the rate never rises. 10 steps that
    fit (under 5 % more) would change nothing."""
    assert BUDGET_REGROW == 0.05
    schedule = BudgetSchedule(make_settings(warmup_iters=0, schedule="cosine"), total=10)
    for done in range(1, 7):
        schedule.update(done, 10)
    rates = [schedule(6)]
    schedule.update(7, 11, limit=11)
    assert schedule.revisions == [[7, 11]] and schedule.total == 11
    assert schedule.progress == pytest.approx(0.36)
    rates.append(schedule(7))
    for done in range(8, 12):
        schedule.update(done, 11, limit=11)
        rates.append(schedule(done))
    assert schedule.progress == pytest.approx(1.0) and rates[-1] == pytest.approx(0.02)
    assert all(a >= b for a, b in itertools.pairwise(rates))
    wobble = BudgetSchedule(make_settings(warmup_iters=0, schedule="cosine"), total=20)
    for done in range(1, 15):
        wobble.update(done, 21 if done > 11 else 20, limit=22)     # 21 <= 20 * 1.05
    assert (wobble.total, wobble.revisions) == (20, [])


def test_the_step_schedule_holds_until_its_first_milestone():
    """The step schedule (milestones 0.5 and 0.75, gamma 0.1) over a fixed plan of 8: the
    decay begins at step round(0.5 * 8) = 4 and q = (k - 4) / 4; the second milestone sits at
    q = (0.75 - 0.5) / 0.5 = 0.5. So: steps 0-4 x1, 5-6 x0.1 (q 0.25, 0.5), 7-8 x0.01."""
    schedule = BudgetSchedule(make_settings(warmup_iters=0, schedule="step",
                                            milestones=(0.5, 0.75), gamma=0.1), total=8)
    got = [schedule(0)]
    for done in range(1, 9):
        schedule.update(done, 8)
        got.append(schedule(done))
    assert got == pytest.approx([1, 1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01])


# --------------------------------------------------------------------------- the planner
def test_the_planner_by_hand():
    """60 s from 0; reserve 1 + 2% = 2.2 s. Measured: steps of 0.5 s (the first, 3 s, left
    out), 0.25 s per evaluated image, epochs' ends that cost nothing besides evaluating;
    epochs of 2 steps evaluating 4 images, the final on 4. Now 10 s, 8 steps done (epoch 4's
    end still to come). A total T needs 10 + (T - 8) 0.5 + (ceil(T/2) - 4) * 1 + 1 s:
    3 + T for an even T, 3.5 + T for an odd one. By 57.8 s: 54 (53 odd); by 60 s (the
    limit): 56 (55 odd)."""
    budget = TimeBudget(60, start=0.0)
    assert budget.reserve == pytest.approx(2.2)
    for seconds in (3.0, 0.5, 0.5):
        budget.step_took(seconds)
    assert budget.step_seconds() == 0.5
    # a machine that slows down: the median of the last 9 steps (2 s) wins over the mean
    slowing = TimeBudget(60, start=0.0)
    for seconds in [3.0] + [0.5] * 20 + [2.0] * 5:
        slowing.step_took(seconds)
    assert slowing.step_seconds() == 2.0                  # the mean would be 20 / 25 = 0.8
    for _ in range(4):
        slowing.step_took(0.5)
    assert slowing.step_seconds() == 2.0                  # last 9: four of 0.5, five of 2
    slowing.step_took(0.5)                                # five of 0.5, four of 2: median 0.5
    assert slowing.step_seconds() == pytest.approx(22.5 / 30)  # so the mean of all 30
    budget.evaluated(1.0, 4)
    costs = dict(epoch_steps=2, eval_every=1, eval_images=4, final_images=4)
    # before an epoch's end has been measured, each costs END_GUESS (1 s), the final 3 of them:
    # 10 + 0.5 (T - 8) + 2 (ceil(T/2) - 4) + 1 + 3 = 2 + 0.5 T + 2 ceil(T/2): T = 36 (by 56.0 s)
    assert TimeBudget.END_GUESS == 1.0
    assert budget.seconds_needed(10.0, 8, 36, **costs) == pytest.approx(56.0)
    assert budget.plan(10.0, 8, **costs)[0] == 36
    budget.epoch_ended(1.0, 1.0)                    # an end: all of it evaluating
    assert budget.seconds_needed(10.0, 8, 54, **costs) == pytest.approx(57.0)
    assert budget.plan(10.0, 8, **costs) == (54, 56)
    # evaluating every second epoch: epochs 4 ... ceil(T/2) - 1, the even ones evaluate
    every2 = {**costs, "eval_every": 2}
    assert budget.seconds_needed(10.0, 8, 20, **every2) == pytest.approx(10 + 6 + 3 + 1)
    # nothing fits: the plan is the steps taken
    assert budget.plan(59.0, 8, **costs) == (8, 8)


# --------------------------------------------------------------------------- the run
@pytest.fixture(scope="module")
def shapes_root(tmp_path_factory):
    from ssd_core.data import make_shapes

    return make_shapes(tmp_path_factory.mktemp("data") / "shapes", num_train=16, num_val=4,
                       image_size=96, seed=1, workers=1)


def tiny(shapes_root, run_dir, **kw):
    """16 training images in batches of 8 (epochs of 2 steps), 4 validation images."""
    base = dict(preset="small", dataset="shapes", data_dir=str(shapes_root), run_dir=str(run_dir),
                shapes_train=16, shapes_val=4, batch_size=8, warmup_iters=2, progress=False,
                seed=3)
    base.update(kw)
    return make_settings(**base)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run_on_fake_clock(monkeypatch, settings, step_seconds, image_seconds):
    """Train with a fake clock: the n-th step takes ``step_seconds(n)``, an evaluated image
    ``image_seconds`` (or ``image_seconds(k)`` in the k-th evaluation, from 1). Returns the
    result, the clock, the step reports, the evaluations' image counts and run.json."""
    clock, evaluations, reports = FakeClock(), [], []
    real_step, real_evaluate = train_module.train_step, train_module.evaluate

    def slow_step(*args, **kwargs):
        clock.now += step_seconds(len(reports) + 1)
        return real_step(*args, **kwargs)

    def slow_evaluate(*args, **kwargs):
        out = real_evaluate(*args, **kwargs)
        evaluations.append(len(out["detections"]))
        per_image = image_seconds(len(evaluations)) if callable(image_seconds) else image_seconds
        clock.now += per_image * len(out["detections"])
        return out

    monkeypatch.setattr(train_module, "train_step", slow_step)
    monkeypatch.setattr(train_module, "evaluate", slow_evaluate)
    result = train(settings, clock=clock, on_step=reports.append)
    monkeypatch.undo()
    return SimpleNamespace(result=result, clock=clock, reports=reports, evaluations=evaluations,
                           record=json.loads((result.run_dir / "run.json").read_text()))


def same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    assert sa.keys() == sb.keys()
    return all(torch.equal(sa[k], sb[k]) for k in sa)


def test_a_budget_run_plans_its_steps_ends_in_time_and_replays_exactly(shapes_root, tmp_path,
                                                                      monkeypatch):
    """15 s (0.25 min); steps of 0.5 s, 0.25 s per evaluated image (an evaluation of the 4
    images: 1 s). Reserve 1 + 0.3 = 1.3 s, so the plan ends by 13.7 s.

    After the first step (0.5 s) a first evaluation (1 s) measures what an image costs. Once
    epoch 1's end has been measured (nothing besides its evaluation), a run of T steps takes
    T * 0.5 + 1 (first evaluation) + (ceil(T/2) - 1) * 1 (epochs' ends before the last)
    + 1 (final): T + 1 s for an even T, T + 1.5 for an odd one; by 13.7 s that is T = 12
    (13 s). The decay begins at round(0.5 * 12) = 6: the rate holds for steps 1-6 (after the
    warm-up of 2) and falls over 7-12 to 0.02 of itself. Replaying ``--steps 12`` without the
    clock gives the same weights."""
    settings = tiny(shapes_root, tmp_path, name="budget", minutes=0.25)
    run = run_on_fake_clock(monkeypatch, settings, lambda n: 0.5, image_seconds=0.25)
    budget = run.record["budget"]
    assert budget["steps"] == budget["planned"] == 12
    assert budget["decay_start"] == 6
    assert budget["revisions"] == [] and budget["evaluations_skipped"] == 0
    assert budget["replay"] == {"steps": 12} and run.record["steps"] == 12
    assert run.clock.now == pytest.approx(13.0) and run.clock.now <= 15.0
    assert budget["seconds"] == pytest.approx(13.0)
    # the first evaluation, five epochs' ends and the final, each on the 4 images
    assert run.evaluations == [4] * 7
    history = run.result.history
    assert [row["epoch"] for row in history] == [1, 2, 3, 4, 5, 6]
    assert history[-1]["val_images"] == 4 and history[-1]["map07"] != ""
    # the rate for the step after each: held until step 6, then the cosine to its end
    rates = [r["lr"] for r in run.reports]
    expected = [LR] * 6 + [LR * cosine((k - 6) / 6) for k in range(7, 13)]
    assert rates == pytest.approx(expected, rel=1e-9)
    assert rates[-1] == pytest.approx(0.02 * LR)
    assert [r["total"] for r in run.reports][2:] == [12] * 10     # planned from step 3 on

    replay = train(tiny(shapes_root, tmp_path, name="replay", steps=12),
                   on_step=(replayed := []).append)
    assert [r["lr"] for r in replayed] == rates
    assert same_weights(replay.model, run.result.model)
    assert json.loads((replay.run_dir / "run.json").read_text())["steps"] == 12


def test_a_machine_that_slows_down_still_ends_in_time(shapes_root, tmp_path, monkeypatch):
    """The same 15 s, but from step 8 on a step takes 1.5 s instead of 0.5: the plan of 12,
    fixed after step 7, would end at 17 s. The measured step (the mean of steps 2 ...; their
    median is still 0.5) and the plan's end, with the final evaluation (1 s), against the
    limit, the budget's end (15 s):

    * after step 8 (9.0 s: 7 steps of 0.5, the first evaluation, epochs 1-3's): 4.5 / 7 =
      0.643 s; 12 steps would end at 9 + 4 x 0.643 + 2 (epochs 4, 5) + 1 = 14.57 s: in time;
    * after step 9 (11.5 s: epoch 4's evaluation, then the step): 6 / 8 = 0.75 s; 12 steps end
      at 11.5 + 3 x 0.75 + 1 (epoch 5) + 1 = 15.75 s: late, so the evaluations before the last
      go; without them, 14.75 s;
    * after step 10 (13.0 s): 7.5 / 9 = 0.833 s; 12 steps end at 15.67 s: late; not even 11
      end by 13.7 s (13 + 0.833 + 1), so the plan becomes the 10 steps taken and the run ends
      there, at 14 s, after its final evaluation; the rate still only falls and reaches its
      end with the last step. run.json says its steps alone do not replay it."""
    settings = tiny(shapes_root, tmp_path, name="slow", minutes=0.25)
    run = run_on_fake_clock(monkeypatch, settings, lambda n: 0.5 if n < 8 else 1.5,
                            image_seconds=0.25)
    budget = run.record["budget"]
    assert budget["evaluations_skipped"] == 0          # the only end after step 9 is the last
    assert budget["revisions"] == [[10, 10]] and budget["replay"] is None
    assert budget["steps"] == budget["planned"] == 10
    assert run.clock.now == pytest.approx(14.0)
    # the first evaluation, epochs 1-4 (steps 2, 4, 6, 8), then only the final
    assert run.evaluations == [4] * 6
    assert run.result.history[-1]["val_images"] == 4
    rates = [r["lr"] for r in run.reports]
    assert all(a >= b for a, b in itertools.pairwise(rates[1:]))
    assert rates[-1] == pytest.approx(0.02 * LR)


def test_a_slow_spell_skips_the_evaluations_only_while_it_lasts(shapes_root, tmp_path,
                                                                  monkeypatch):
    """30 s (reserve 1 + 0.6 = 1.6 s: the plan ends by 28.4 s); steps of 0.5 s but for steps
    15-17, 2 s each; an evaluation of the 4 images 1 s. As in the first run above a plan of T
    steps takes T + 1 s for an even T, so the plan is 26 (27 s), fixed after step 14 (the decay
    begins at 13); after step 14 and epoch 7's end the clock reads 15 s. The step is measured
    as the mean of steps 2 ... (the median of the last 9 stays 0.5), and a plan's end is its
    steps left, the epochs' ends before the last (1 s each when they evaluate) and the final
    evaluation (1 s):

    * step 15 (17 s): 8.5 / 14 = 0.607 s; 17 + 11 x 0.607 + 5 (epochs 8-12) + 1 = 29.68 s:
      past 28.4 but by the budget's end (30 s), so nothing changes;
    * step 16 (19 s): 10 / 15 = 0.667 s; 19 + 10 x 0.667 + 5 + 1 = 31.67 s: late, so the
      evaluations before the last are left out (without them 26.67 s: the plan stays 26, and
      the time they free does not grow it); epoch 8's end does not evaluate;
    * steps 17-22 (21.0 ... 23.5 s): 32.47, 32.15, 30.86, 30.60, 29.38, 29.17 s with the
      evaluations, all past 28.4: epochs 9, 10 and 11 do not evaluate either;
    * step 23 (24 s): 14.5 / 22 = 0.659 s; 24 + 3 x 0.659 + 1 (epoch 12) + 1 = 27.98 s, by
      28.4: on time again, so epoch 12 evaluates, and the run ends after step 26 and its final
      evaluation at 24.5 + 1 + 1 + 1 = 27.5 s.

    Four evaluations left out, none lost for good (before this, the first late step dropped all
    that were left, and the run ended early with a curve of half its points), and the plan
    never changed: ``--steps 26`` replays it."""
    settings = tiny(shapes_root, tmp_path, name="spell", minutes=0.5)
    run = run_on_fake_clock(monkeypatch, settings, lambda n: 2.0 if 15 <= n <= 17 else 0.5,
                            image_seconds=0.25)
    budget = run.record["budget"]
    assert budget["steps"] == budget["planned"] == 26 and budget["decay_start"] == 13
    assert budget["evaluations_skipped"] == 4
    assert budget["revisions"] == [] and budget["replay"] == {"steps": 26}
    assert run.clock.now == pytest.approx(27.5)
    evaluated = [row["epoch"] for row in run.result.history if row["val_images"] != ""]
    assert evaluated == [1, 2, 3, 4, 5, 6, 7, 12, 13]
    assert run.evaluations == [4] * 10                  # the first, those nine


def test_the_trained_network_is_measured_before_the_plan_is_fixed(shapes_root, tmp_path,
                                                                  monkeypatch):
    """An untrained network's evaluation is slow (here 1 s an image, 0.25 s once it has
    learnt); epochs of 8 steps (batch 2), so no epoch ends before the plan is fixed. 15 s,
    steps of 0.5 s, the plan to end by 13.7 s, epochs' ends guessed at 1 s (the final 3 s).

    * after step 1 (0.5 s) the first evaluation, 4 s: 4.5 s. A plan of T <= 8 steps ends at
      4.5 + (T - 1) 0.5 + 4 (the final's 4 images) + 3 = 11 + 0.5 T: T = 5 (decay from 2);
    * after step 3 (5.5 s) the plan of 5 would be fixed, but its only measure is the
      untrained network's: one batch again, 1 s (6.5 s). Now T ends at
      6.5 + (T - 3) 0.5 + 1 + 3 = 9 + 0.5 T (T <= 8; 9 crosses epoch 1's end: 15.5 s): T = 8,
      decay from 4;
    * fixed after step 5 at 8; step 8 ends the epoch and the run: 9 s, the final evaluation
      1 s: 10 s. Without the second measure the run would have stopped at 5 steps."""
    settings = tiny(shapes_root, tmp_path, name="measure", minutes=0.25, batch_size=2)
    run = run_on_fake_clock(monkeypatch, settings, lambda n: 0.5,
                            image_seconds=lambda k: 1.0 if k == 1 else 0.25)
    budget = run.record["budget"]
    assert (budget["steps"], budget["decay_start"], budget["revisions"]) == (8, 4, [])
    assert run.evaluations == [4, 4, 4]
    assert run.clock.now == pytest.approx(10.0)
    assert [r["total"] for r in run.reports] == [5, 5, 8, 8, 8, 8, 8, 8]


def test_minutes_and_steps_are_settings_and_options():
    """``--minutes`` and ``--steps`` reach the record; a budget replaces the epochs (epochs
    None is then no error); nonsense is refused."""
    args = build_parser().parse_args(["train", "--minutes", "2", "--steps", "812"])
    s = settings_from_args(args)
    assert (s.minutes, s.steps) == (2.0, 812)
    assert TrainSettings(epochs=None, minutes=5).minutes == 5
    assert TrainSettings(epochs=None, steps=3).steps == 3
    with pytest.raises(ValueError, match="epochs"):
        TrainSettings(epochs=None)
    with pytest.raises(ValueError, match="minutes"):
        make_settings(minutes=-1)
    with pytest.raises(ValueError, match="steps"):
        make_settings(steps=0)


def test_ssd_core_never_imports_ultralytics():
    """YOLO11n is the benchmark's optional peer (AGPL-3.0): ``bench/bench_peers.py`` imports
    it, no module of ``ssd_core`` does."""
    import ast
    from pathlib import Path

    package = Path(train_module.__file__).parent
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] == "ultralytics" for n in names), path
