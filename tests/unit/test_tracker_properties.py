"""Invariants of the sitting tracker over random sequences of readings and actions."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from deskguard.core.decisions import SLEEP_NOISE, ActionRejected, Policy, Remind
from deskguard.core.selection import ExerciseRotation
from deskguard.core.tracker import SittingTracker
from tests.unit.test_tracker import FakeClock

POLICY = Policy(sit_limit=120, snooze=60, max_snoozes=2, natural_break=30)


@dataclass(frozen=True)
class Step:
    """Time passes (awake or asleep), then one reading or one user action."""

    seconds: float
    asleep: bool
    idle: float
    locked: bool
    action: str | None


steps = st.lists(
    st.builds(
        Step,
        seconds=st.floats(min_value=0, max_value=200, allow_nan=False),
        asleep=st.booleans() | st.just(False),
        idle=st.floats(min_value=0, max_value=100, allow_nan=False),
        locked=st.sampled_from([False, False, False, True]),
        action=st.sampled_from([None] * 6 + ["snooze", "skip", "accept", "dismiss", "finished"]),
    ),
    max_size=80,
)

ACTIONS = {
    "snooze": SittingTracker.snooze,
    "skip": SittingTracker.skip,
    "accept": SittingTracker.accept,
    "dismiss": SittingTracker.dismiss,
    "finished": SittingTracker.routine_finished,
}


def replay(sequence: list[Step]):  # type: ignore[no-untyped-def]
    """Yield (step, sitting before, sitting after, awake seconds, decisions, clock)."""
    clock = FakeClock()
    tracker = SittingTracker(POLICY, ExerciseRotation(["a", "b"]), clock.now())
    for step in sequence:
        before = tracker.sitting_seconds
        at = clock.advance(step.seconds, asleep=step.asleep)
        if step.action is None:
            decisions = tracker.observe(at, step.idle, locked=step.locked)
        else:
            try:
                decisions = ACTIONS[step.action](tracker, at)
            except ActionRejected:
                decisions = []
        yield step, before, tracker.sitting_seconds, decisions, tracker, clock


@settings(max_examples=300, deadline=None)
@given(steps)
def test_sitting_is_never_negative(sequence: list[Step]) -> None:
    for _step, _before, after, _decisions, _tracker, _clock in replay(sequence):
        assert after >= 0


@settings(max_examples=300, deadline=None)
@given(steps)
def test_reminders_are_never_closer_than_the_snooze_length(sequence: list[Step]) -> None:
    times = [
        clock.boottime
        for _s, _b, _a, decisions, _t, clock in replay(sequence)
        for d in decisions
        if isinstance(d, Remind)
    ]
    assert all(
        later - earlier >= POLICY.snooze for earlier, later in zip(times, times[1:], strict=False)
    )


@settings(max_examples=300, deadline=None)
@given(steps)
def test_suspend_never_counts_as_sitting(sequence: list[Step]) -> None:
    for step, before, after, _d, _t, _c in replay(sequence):
        if step.asleep and step.seconds >= SLEEP_NOISE:
            assert after <= before + 1e-9 or after == 0


@settings(max_examples=300, deadline=None)
@given(steps)
def test_sitting_grows_no_faster_than_time(sequence: list[Step]) -> None:
    for step, before, after, _d, _t, _c in replay(sequence):
        assert after <= before + step.seconds + 1e-9


@settings(max_examples=300, deadline=None)
@given(steps)
def test_after_a_natural_break_sitting_is_zero(sequence: list[Step]) -> None:
    for step, _before, after, _d, _t, _c in replay(sequence):
        away_long_enough = (
            step.action is None and not step.locked and step.idle >= POLICY.natural_break
        )
        if away_long_enough or (step.asleep and step.seconds >= POLICY.natural_break):
            assert after == 0
