"""The sitting tracker, driven by plain numbers on a fake clock."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from deskguard.core.decisions import (
    ActionRejected,
    CloseReminder,
    Decision,
    Deferred,
    Instant,
    Outcome,
    Policy,
    Remind,
    SittingEnded,
    State,
)
from deskguard.core.schedule import WorkingHours
from deskguard.core.selection import ExerciseRotation
from deskguard.core.tracker import SittingTracker

POLICY = Policy(sit_limit=45 * 60, snooze=10 * 60, max_snoozes=2, natural_break=5 * 60)
MONDAY_9AM = datetime(2026, 11, 23, 9, 0)


class FakeClock:
    """Boot, monotonic and wall clocks that move only when told to."""

    def __init__(self, wall: datetime = MONDAY_9AM) -> None:
        self.monotonic = 1000.0
        self.boottime = 1000.0
        self.wall = wall

    def now(self) -> Instant:
        return Instant(self.monotonic, self.boottime, self.wall)

    def advance(self, seconds: float, asleep: bool = False) -> Instant:
        self.boottime += seconds
        if not asleep:
            self.monotonic += seconds
        self.wall += timedelta(seconds=seconds)
        return self.now()


class Harness:
    """A tracker plus its clock, with the idle time the user currently has."""

    def __init__(self, policy: Policy = POLICY, candidates: tuple[str, ...] = ("bend", "quad")):
        self.clock = FakeClock()
        self.tracker = SittingTracker(policy, ExerciseRotation(candidates), self.clock.now())
        self.decisions: list[tuple[float, Decision]] = []
        self.idle_so_far = 0.0

    def sit(self, seconds: float, step: float = 10.0, locked: bool = False) -> list[Decision]:
        """Active input all along: observations every `step` seconds with idle 0."""
        self.idle_so_far = 0.0
        return self._run(seconds, step, lambda _elapsed: 0.0, locked)

    def idle(self, seconds: float, step: float = 10.0) -> list[Decision]:
        """No input for `seconds` more (the idle reading grows on from the last one)."""
        start_idle = self.idle_so_far
        self.idle_so_far += seconds
        return self._run(seconds, step, lambda elapsed: start_idle + elapsed, False)

    def lock(self, seconds: float, step: float = 10.0) -> list[Decision]:
        return self._run(seconds, step, lambda _elapsed: 0.0, True)

    def _run(self, seconds: float, step: float, idle_at, locked: bool) -> list[Decision]:  # type: ignore[no-untyped-def]
        out: list[Decision] = []
        elapsed = 0.0
        while elapsed < seconds - 1e-9:
            delta = min(step, seconds - elapsed)
            elapsed += delta
            at = self.clock.advance(delta)
            out += self.tracker.observe(at, idle_at(elapsed), locked=locked)
        self.decisions += [(self.clock.boottime, d) for d in out]
        return out

    @property
    def state(self) -> State:
        return self.tracker.state(self.clock.now())


def reminders(decisions: list[Decision]) -> list[Remind]:
    return [d for d in decisions if isinstance(d, Remind)]


def test_sitting_accumulates_while_active_and_reminds_at_the_limit() -> None:
    h = Harness()
    assert h.sit(45 * 60 - 10) == []
    assert h.tracker.sitting_seconds == pytest.approx(45 * 60 - 10)
    assert h.state is State.ACTIVE
    out = h.sit(10)
    assert out == [Remind("bend", can_snooze=True, sat_for=45 * 60)]
    assert h.state is State.REMINDING


def test_next_reminder_time_is_the_remaining_sitting() -> None:
    h = Harness()
    h.sit(600)
    now = h.clock.now()
    assert h.tracker.next_reminder_at(now) == pytest.approx(now.boottime + 45 * 60 - 600)
    snap = h.tracker.snapshot(now)
    assert snap.next_reminder_in == pytest.approx(45 * 60 - 600)
    assert snap.sitting_seconds == pytest.approx(600)


def test_a_reminder_is_due_only_once_the_limit_is_reached_and_while_it_waits() -> None:
    h = Harness()
    h.sit(45 * 60 - 10)
    assert not h.tracker.reminder_due(h.clock.now())
    assert h.tracker.reminder_due(h.clock.advance(10))  # sitting on since the last reading
    deferred = h.tracker.observe(h.clock.now(), 0.0, busy=("fullscreen",))
    assert [type(d) for d in deferred] == [Deferred]
    assert h.tracker.reminder_due(h.clock.advance(10))  # still waiting for the user
    assert reminders(h.tracker.observe(h.clock.now(), 0.0)) != []
    assert not h.tracker.reminder_due(h.clock.advance(10))  # shown: nothing more is due
    h.tracker.accept(h.clock.now())
    assert not h.tracker.reminder_due(h.clock.advance(10))


def test_exercises_rotate_between_reminders() -> None:
    h = Harness()
    h.sit(45 * 60)
    h.tracker.skip(h.clock.now())
    h.sit(45 * 60)
    assert [r.exercise for r in reminders([d for _, d in h.decisions])] == ["bend", "quad"]


def test_short_idle_keeps_sitting_a_natural_break_resets_it() -> None:
    h = Harness()
    h.sit(20 * 60)
    assert h.idle(4 * 60) == []
    assert h.tracker.sitting_seconds == pytest.approx(24 * 60)
    out = h.idle(5 * 60)
    assert out == [SittingEnded(20 * 60, natural=True)]
    assert h.tracker.sitting_seconds == 0
    assert h.state is State.AWAY
    h.idle(10 * 60)  # still away: nothing more is reported and nothing accumulates
    assert h.tracker.sitting_seconds == 0
    h.sit(30)
    assert h.state is State.ACTIVE
    assert h.tracker.sitting_seconds == pytest.approx(30, abs=10)


def test_natural_break_supersedes_a_pending_reminder() -> None:
    h = Harness()
    h.sit(45 * 60)
    out = h.idle(5 * 60)
    assert CloseReminder("bend", Outcome.NATURAL_BREAK) in out
    assert h.state is State.AWAY


def test_lock_time_is_away_and_a_long_lock_is_a_break() -> None:
    h = Harness()
    h.sit(10 * 60)
    h.lock(3 * 60)
    # The first reading after the lock covers the interval before it as still sitting.
    assert h.tracker.sitting_seconds == pytest.approx(10 * 60, abs=10)
    assert h.state is State.AWAY
    h.sit(60)
    assert h.tracker.sitting_seconds == pytest.approx(11 * 60, abs=10)
    out = h.lock(6 * 60)
    ended = [d for d in out if isinstance(d, SittingEnded)]
    assert len(ended) == 1 and ended[0].natural
    assert ended[0].sat_for == pytest.approx(11 * 60, abs=20)
    assert h.tracker.sitting_seconds == 0


def test_suspend_detected_from_the_clocks_is_never_sitting() -> None:
    h = Harness()
    h.sit(44 * 60)
    at = h.clock.advance(8 * 3600, asleep=True)
    out = h.tracker.observe(at, idle_seconds=0)
    assert out == [SittingEnded(44 * 60, natural=True)]
    assert h.tracker.sitting_seconds == 0
    assert reminders(h.sit(60)) == []


def test_short_suspend_is_away_but_keeps_the_sitting_stretch() -> None:
    h = Harness()
    h.sit(10 * 60)
    h.tracker.observe(h.clock.advance(60, asleep=True), idle_seconds=0)
    assert h.tracker.sitting_seconds == pytest.approx(10 * 60)


def test_explicit_suspend_and_resume_events() -> None:
    h = Harness()
    h.sit(10 * 60)
    assert h.tracker.suspended(h.clock.now()) == []
    assert h.state is State.AWAY
    out = h.tracker.resumed(h.clock.advance(3600, asleep=True))
    assert out == [SittingEnded(10 * 60, natural=True)]
    assert h.tracker.observe(h.clock.advance(1), idle_seconds=0) == []


def test_explicit_short_suspend_does_not_reset() -> None:
    h = Harness()
    h.sit(10 * 60)
    h.tracker.suspended(h.clock.now())
    assert h.tracker.resumed(h.clock.advance(30, asleep=True)) == []
    assert h.tracker.sitting_seconds == pytest.approx(10 * 60)


def test_snooze_postpones_by_the_snooze_length() -> None:
    h = Harness()
    h.sit(45 * 60)
    out = h.tracker.snooze(h.clock.now())
    assert out == [CloseReminder("bend", Outcome.SNOOZED)]
    assert h.state is State.SNOOZED
    snap = h.tracker.snapshot(h.clock.now())
    assert snap.snoozed_for == pytest.approx(600)
    assert snap.snoozes_left == 1
    assert reminders(h.sit(590)) == []
    assert reminders(h.sit(10)) == [Remind("quad", can_snooze=True, sat_for=55 * 60)]


def test_after_max_snoozes_the_reminder_offers_no_snooze() -> None:
    h = Harness()
    h.sit(45 * 60)
    h.tracker.snooze(h.clock.now())
    h.sit(600)
    h.tracker.snooze(h.clock.now())
    out = reminders(h.sit(600))
    assert out[0].can_snooze is False
    with pytest.raises(ActionRejected, match="no snoozes left"):
        h.tracker.snooze(h.clock.now())


def test_snooze_with_explicit_length_and_without_a_pending_reminder() -> None:
    h = Harness()
    h.sit(60)
    assert h.tracker.snooze(h.clock.now(), seconds=120) == []
    assert h.state is State.SNOOZED
    h.sit(120)
    assert h.state is State.ACTIVE
    with pytest.raises(ActionRejected):
        h.tracker.snooze(h.clock.now(), seconds=0)


def test_accept_resets_sitting_and_starts_a_break() -> None:
    h = Harness()
    h.sit(45 * 60)
    out = h.tracker.accept(h.clock.now())
    assert out == [CloseReminder("bend", Outcome.ACCEPTED), SittingEnded(45 * 60, natural=False)]
    assert h.state is State.BREAK
    assert h.tracker.sitting_seconds == 0
    h.sit(5 * 60)  # the break lasts natural_break: nothing counts during it
    assert h.tracker.sitting_seconds == pytest.approx(0, abs=10)
    h.sit(60)
    assert h.state is State.ACTIVE


def test_routine_finished_counts_as_a_break() -> None:
    h = Harness()
    h.sit(20 * 60)
    h.tracker.accept(h.clock.now())
    h.sit(60)
    assert h.tracker.routine_finished(h.clock.now()) == []
    assert h.state is State.ACTIVE
    h.sit(30 * 60)
    assert h.tracker.routine_finished(h.clock.now()) == [SittingEnded(30 * 60, natural=False)]


def test_skip_waits_for_another_full_sitting_limit() -> None:
    h = Harness()
    h.sit(45 * 60)
    assert h.tracker.skip(h.clock.now()) == [CloseReminder("bend", Outcome.SKIPPED)]
    assert reminders(h.sit(45 * 60 - 10)) == []
    assert len(reminders(h.sit(10))) == 1
    h.tracker.skip(h.clock.now())
    with pytest.raises(ActionRejected, match="no reminder"):
        h.tracker.skip(h.clock.now())


def test_dismiss_is_recorded_and_behaves_like_skip() -> None:
    h = Harness()
    assert h.tracker.dismiss(h.clock.now()) == []
    h.sit(45 * 60)
    assert h.tracker.dismiss(h.clock.now()) == [CloseReminder("bend", Outcome.DISMISSED)]
    assert reminders(h.sit(44 * 60)) == []


def test_pause_silences_until_its_end() -> None:
    h = Harness()
    h.sit(40 * 60)
    h.tracker.pause(h.clock.now(), seconds=3600)
    assert h.state is State.PAUSED
    assert h.tracker.snapshot(h.clock.now()).paused_for == pytest.approx(3600)
    assert reminders(h.sit(3600 - 10)) == []
    assert h.tracker.next_reminder_at(h.clock.now()) is None
    assert len(reminders(h.sit(20))) == 1


def test_pause_without_end_lasts_until_resume() -> None:
    h = Harness()
    h.sit(45 * 60 - 10)
    h.tracker.pause(h.clock.now())
    assert h.tracker.snapshot(h.clock.now()).paused_for == math.inf
    assert reminders(h.sit(5 * 3600)) == []
    h.tracker.resume(h.clock.now())
    assert len(reminders(h.sit(10))) == 1
    with pytest.raises(ActionRejected, match="not paused"):
        h.tracker.resume(h.clock.now())
    with pytest.raises(ActionRejected):
        h.tracker.pause(h.clock.now(), seconds=-1)


def test_pause_closes_a_pending_reminder() -> None:
    h = Harness()
    h.sit(45 * 60)
    assert h.tracker.pause(h.clock.now(), 60) == [CloseReminder("bend", Outcome.DISMISSED)]


def test_nothing_fires_outside_working_hours() -> None:
    hours = WorkingHours.parse(["mon-fri 08:00-18:00"])
    h = Harness(
        Policy(sit_limit=3600, snooze=600, max_snoozes=3, natural_break=300, working_hours=hours)
    )
    h.clock.wall = datetime(2026, 11, 23, 16, 0)
    out = h.sit(3 * 3600)  # 16:00 to 19:00 — the limit falls due at 17:00
    assert len(reminders(out)) == 1
    h.tracker.skip(h.clock.now())
    assert h.state is State.OFF_HOURS
    assert reminders(h.sit(3 * 3600)) == []


def test_no_candidates_means_a_walk_reminder() -> None:
    h = Harness(candidates=())
    assert reminders(h.sit(45 * 60)) == [Remind(None, can_snooze=True, sat_for=45 * 60)]


def test_reminders_are_at_least_a_snooze_length_apart_even_after_short_limits() -> None:
    h = Harness(Policy(sit_limit=3, snooze=60, max_snoozes=3, natural_break=5))
    h.sit(3, step=1)
    h.tracker.skip(h.clock.now())
    out = h.sit(59, step=1)
    assert reminders(out) == []
    assert len(reminders(h.sit(1, step=1))) == 1


def test_update_policy_keeps_sitting() -> None:
    h = Harness()
    h.sit(20 * 60)
    h.tracker.update_policy(Policy(sit_limit=25 * 60, snooze=60, max_snoozes=1, natural_break=60))
    assert h.tracker.sitting_seconds == pytest.approx(20 * 60)
    assert len(reminders(h.sit(5 * 60))) == 1


def test_clock_going_backwards_adds_nothing() -> None:
    h = Harness()
    h.sit(60)
    h.clock.boottime -= 100
    h.clock.monotonic -= 100
    h.tracker.observe(h.clock.now(), 0)
    assert h.tracker.sitting_seconds == pytest.approx(60)


def test_wall_clock_jump_changes_nothing() -> None:
    h = Harness()
    h.sit(10 * 60)
    h.clock.wall += timedelta(days=1)
    assert h.tracker.observe(h.clock.advance(10), 0) == []
    assert h.tracker.sitting_seconds == pytest.approx(10 * 60 + 10)


def test_jitter_between_the_two_clock_reads_is_not_sleep() -> None:
    h = Harness()
    h.sit(60)
    h.clock.boottime += 0.0001  # boot clock read a moment after the monotonic one
    h.tracker.observe(h.clock.advance(10), idle_seconds=0)
    assert h.state is State.ACTIVE
    assert h.tracker.sitting_seconds == pytest.approx(70, abs=0.01)
