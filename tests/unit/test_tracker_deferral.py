"""Deferral: a due reminder waits while the user is busy, and is never dropped."""

from __future__ import annotations

import pytest

from deskguard.core.decisions import Deferred, Policy, Remind
from tests.unit.test_tracker import Harness

POLICY = Policy(sit_limit=600, snooze=300, max_snoozes=3, natural_break=300, max_deferral=1800)


def busy_sit(h: Harness, seconds: float, busy: tuple[str, ...], step: float = 10) -> list[object]:
    out: list[object] = []
    elapsed = 0.0
    while elapsed < seconds:
        elapsed += step
        out += h.tracker.observe(h.clock.advance(step), 0, busy=busy)
    return out


def test_a_due_reminder_is_deferred_once_and_sitting_keeps_counting() -> None:
    h = Harness(POLICY)
    h.sit(590)
    out = busy_sit(h, 120, ("meeting",))
    assert out == [Deferred(("meeting",))]
    assert h.tracker.sitting_seconds == pytest.approx(710)
    assert h.tracker.snapshot(h.clock.now()).deferred_by == ("meeting",)


def test_the_reminder_comes_at_the_first_reading_after_the_condition_ends() -> None:
    h = Harness(POLICY)
    h.sit(590)
    busy_sit(h, 300, ("fullscreen",))
    out = h.sit(10)
    assert out == [Remind("bend", can_snooze=True, sat_for=900, deferred_for=300)]
    assert h.tracker.snapshot(h.clock.now()).deferred_by == ()


def test_after_the_longest_deferral_a_quiet_reminder_is_shown() -> None:
    h = Harness(POLICY)
    h.sit(590)
    out = busy_sit(h, 1810, ("do-not-disturb",))  # due at 600, deferred until 2400
    reminders = [d for d in out if isinstance(d, Remind)]
    assert len(reminders) == 1
    assert reminders[0].quiet is True
    assert reminders[0].deferred_for == pytest.approx(1800)


def test_not_due_means_not_deferred() -> None:
    h = Harness(POLICY)
    assert busy_sit(h, 300, ("meeting",)) == []
    assert h.tracker.snapshot(h.clock.now()).deferred_by == ()


def test_a_natural_break_during_a_deferral_ends_it() -> None:
    h = Harness(POLICY)
    h.sit(600)
    busy_sit(h, 60, ("meeting",))
    h.idle(300)
    assert h.tracker.sitting_seconds == 0
    assert busy_sit(h, 60, ("meeting",)) == []
    assert h.tracker.snapshot(h.clock.now()).deferred_by == ()
