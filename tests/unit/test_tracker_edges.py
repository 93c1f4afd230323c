"""Edges of the functional core that the main tests leave out.

The sitting tracker: presence as the daemon reads it, a sitting stretch carried over
from a daemon that stopped moments ago, and a natural break found while a rejected
action advanced the clock. Then a few corners of the routine timeline (step
instructions, a catalog whose routine order skips a kind, an exercise too long for a
quick routine).
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from deskguard.catalog import Catalog, load_catalog
from deskguard.core.decisions import SLEEP_NOISE, ActionRejected, Remind, SittingEnded, State
from deskguard.core.routine import QUICK_MAX_SECONDS
from deskguard.core.routine_plan import custom_routine, full_routine, quick_routine
from tests.unit.test_tracker import POLICY, Harness

# -- the tracker --------------------------------------------------------------------------


def test_a_new_tracker_counts_the_user_present() -> None:
    assert Harness().tracker.present is True


@pytest.mark.parametrize(
    ("idle", "locked", "present"),
    [
        (0, False, True),
        (POLICY.natural_break - 1, False, True),
        (POLICY.natural_break, False, False),  # idle this long is a break: away
        (0, True, False),  # locked: away whatever the idle time says
    ],
)
def test_present_follows_the_last_reading(idle: float, locked: bool, present: bool) -> None:
    h = Harness()
    h.tracker.observe(h.clock.advance(10), idle, locked=locked)
    assert h.tracker.present is present


def test_a_suspended_machine_is_away_until_the_next_reading_with_input() -> None:
    h = Harness()
    h.sit(60)
    h.tracker.suspended(h.clock.advance(1))
    assert h.tracker.present is False
    h.tracker.resumed(h.clock.advance(30, asleep=True))
    assert h.tracker.present is False
    h.tracker.observe(h.clock.advance(10), 0)
    assert h.tracker.present is True


def test_sleep_found_from_the_clocks_makes_the_user_away() -> None:
    h = Harness()
    h.sit(60)
    h.tracker.snapshot(h.clock.advance(SLEEP_NOISE * 4, asleep=True))
    assert h.tracker.present is False
    assert h.tracker.sitting_seconds == pytest.approx(60)


def test_a_restored_stretch_counts_toward_the_sitting_limit() -> None:
    h = Harness()
    h.tracker.restore_sitting(1200)
    assert h.tracker.sitting_seconds == 1200
    snap = h.tracker.snapshot(h.clock.now())
    assert snap.next_reminder_in == pytest.approx(POLICY.sit_limit - 1200)
    assert h.sit(POLICY.sit_limit - 1200 - 10) == []
    assert h.sit(10) == [Remind("bend", can_snooze=True, sat_for=POLICY.sit_limit)]


def test_a_natural_break_after_a_restore_reports_the_whole_stretch() -> None:
    h = Harness()
    h.tracker.restore_sitting(600)
    h.sit(60)
    out = h.idle(POLICY.natural_break)
    assert out == [SittingEnded(660, natural=True)]
    assert h.tracker.sitting_seconds == 0


def test_a_negative_restored_stretch_is_zero() -> None:
    h = Harness()
    h.tracker.restore_sitting(-30)
    assert h.tracker.sitting_seconds == 0
    assert h.tracker.snapshot(h.clock.now()).next_reminder_in == pytest.approx(POLICY.sit_limit)


def test_a_rejected_action_does_not_lose_a_natural_break() -> None:
    h = Harness()
    h.sit(600)
    h.tracker.observe(h.clock.advance(10), 0, locked=True)
    with pytest.raises(ActionRejected, match="not paused"):
        h.tracker.resume(h.clock.advance(POLICY.natural_break))  # away long enough meanwhile
    assert h.tracker.sitting_seconds == 0
    out = h.tracker.observe(h.clock.advance(10), 0)
    assert out == [SittingEnded(600, natural=True)]  # the stretch up to the last input
    assert h.state is State.ACTIVE


WAITS_OUT_OF_BOUNDS = [0, -60, 1e-300, 0.999, math.nan, math.inf, 366 * 24 * 3600 + 1]


@pytest.mark.parametrize("seconds", WAITS_OUT_OF_BOUNDS)
def test_a_pause_lasts_from_a_second_to_a_year(seconds: float) -> None:
    h = Harness()
    with pytest.raises(ActionRejected, match="a pause must last from 1 to 31622400 seconds"):
        h.tracker.pause(h.clock.now(), seconds)
    assert h.state is State.ACTIVE


@pytest.mark.parametrize("seconds", WAITS_OUT_OF_BOUNDS)
def test_a_snooze_out_of_bounds_uses_up_no_snooze(seconds: float) -> None:
    h = Harness()
    h.sit(POLICY.sit_limit)
    with pytest.raises(ActionRejected, match="a snooze must last from 1 to 31622400 seconds"):
        h.tracker.snooze(h.clock.now(), seconds)
    assert h.state is State.REMINDING
    assert h.tracker.snapshot(h.clock.now()).snoozes_left == POLICY.max_snoozes


# -- the routine timeline -----------------------------------------------------------------

CATALOG = load_catalog()


def test_every_step_kind_has_its_own_instruction() -> None:
    routine = custom_routine(CATALOG, ["quadriceps-stretch", "crunch"]).routine
    by_kind = {(step.kind, step.exercise.kind): step for step in routine.steps}
    change = by_kind["change-side", "stretch"]
    assert change.instruction == "Change to the right leg and get into position again."
    assert change.label == "change to the right leg"
    assert by_kind["rest", "stretch"].instruction == "Release slowly and relax."
    assert by_kind["hold", "stretch"].instruction == "Hold the stretch and breathe calmly."
    assert by_kind["hold", "strength"].instruction == "Hold the position and keep breathing."


def test_kinds_the_routine_order_leaves_out_are_reported() -> None:
    stretches_only = replace(CATALOG, routine=replace(CATALOG.routine, order=("stretch",)))
    plan = full_routine(stretches_only, [], 3600, at_desk=False)
    strength = [e.id for e in CATALOG.exercises.values() if e.kind == "strength"]
    assert strength  # the shipped catalog has some
    assert {e.kind for e in plan.routine.exercises} == {"stretch"}
    assert [(x.exercise_id, x.reason) for x in plan.left_out] == [
        (i, "the catalog's routine order has no strength part") for i in strength
    ]


def with_hold(catalog: Catalog, exercise_id: str, seconds: int) -> Catalog:
    exercise = catalog.exercises[exercise_id]
    hold = replace(exercise.hold, min_seconds=seconds, max_seconds=seconds)
    changed = replace(exercise, hold=hold)
    return replace(catalog, exercises={**catalog.exercises, exercise_id: changed})


def test_an_exercise_too_long_even_once_is_left_out_of_a_quick_routine() -> None:
    # One 90 s hold per leg cannot fit in what is left of the two minutes.
    catalog = with_hold(CATALOG, "quadriceps-stretch", 90)
    plan = quick_routine(catalog, [], None)
    assert [(x.exercise_id, x.reason) for x in plan.left_out] == [
        ("quadriceps-stretch", "too long for a quick routine")
    ]
    assert [(e.id, reps) for e, reps in plan.routine.entries] == [("standing-back-bend", 5)]
    assert plan.routine.total_seconds == 42 <= QUICK_MAX_SECONDS
