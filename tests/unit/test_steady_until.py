"""When readings that stay the same can decide nothing: the working hours' next change and
the tracker's steady moment (what lets a simulation skip polls)."""

from __future__ import annotations

import math
from datetime import datetime

import pytest

from deskguard.core.decisions import Policy
from deskguard.core.schedule import WorkingHours
from deskguard.core.selection import ExerciseRotation
from deskguard.core.tracker import SittingTracker
from tests.unit.test_schedule import on
from tests.unit.test_tracker import FakeClock

POLICY = Policy(sit_limit=2700, snooze=600, max_snoozes=2, natural_break=300)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (on(0, 7), on(0, 8)),  # before Monday's start: the start
        (on(0, 8), on(0, 18)),  # at the start: the end
        (on(0, 12), on(0, 18)),
        (on(4, 18), on(7, 8)),  # Friday's end: next Monday's start
        (on(5, 12), on(7, 8)),
    ],
)
def test_the_next_change_of_working_hours_is_a_start_or_an_end(
    moment: datetime, expected: datetime
) -> None:
    assert WorkingHours.parse(["mon-fri 08:00-18:00"]).next_change(moment) == expected


def test_a_period_to_midnight_ends_at_the_last_microsecond() -> None:
    hours = WorkingHours.parse(["sun 22:00-24:00"])
    end = hours.next_change(on(6, 23))
    assert end == on(6, 23, 59, 59, 999_999)
    assert hours.is_active(on(6, 23, 59, 59, 999_998)) and not hours.is_active(end)


def test_always_on_never_changes() -> None:
    assert WorkingHours().next_change(on(0, 9)) is None


class Readings:
    """A tracker and its clock; `read` makes one observation after `seconds`."""

    def __init__(self, policy: Policy = POLICY) -> None:
        self.clock = FakeClock()
        self.tracker = SittingTracker(policy, ExerciseRotation(["a"]), self.clock.now())

    def read(self, seconds: float, idle: float = 0.0, locked: bool = False) -> float:
        """Observe after `seconds`; the steady moment then, as seconds from now."""
        at = self.clock.advance(seconds)
        self.tracker.observe(at, idle, locked)
        return self.tracker.steady_until(at) - at.boottime


def test_sitting_is_steady_until_the_reminder_falls_due() -> None:
    readings = Readings()
    assert readings.read(0) == 2700
    assert readings.read(700) == 2000


def test_with_a_reminder_on_screen_nothing_changes_any_more() -> None:
    readings = Readings()
    readings.read(0)
    assert readings.read(2700) == math.inf


def test_locked_is_steady_until_it_becomes_a_natural_break() -> None:
    readings = Readings()
    readings.read(0)
    assert readings.read(100, locked=True) == 300
    assert readings.read(120, locked=True) == 180
    assert readings.read(180, locked=True) == math.inf  # the break was taken


def test_a_break_is_steady_until_it_ends() -> None:
    readings = Readings()
    readings.read(0)
    readings.tracker.accept(readings.clock.advance(10))
    assert readings.read(100) == 200


def test_sitting_outside_working_hours_is_steady_until_they_start() -> None:
    hours = WorkingHours.parse(["mon-fri 10:00-18:00"])  # the clock starts on Monday 09:00
    readings = Readings(Policy(sit_limit=2700, natural_break=300, working_hours=hours))
    assert readings.read(0) == 3600


def test_nothing_is_steady_while_suspended() -> None:
    readings = Readings()
    readings.read(0)
    at = readings.clock.advance(10)
    readings.tracker.suspended(at)
    assert readings.tracker.steady_until(at) == at.boottime
