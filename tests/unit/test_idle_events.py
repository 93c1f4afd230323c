"""Idle seconds from a compositor's idled / resumed events (deskguard.core.idle_events)."""

from __future__ import annotations

import pytest

from deskguard.core.idle_events import (
    LONGEST_TIMEOUT,
    SHORTEST_TIMEOUT,
    IdleFromEvents,
    idle_timeout_for,
)


def test_before_any_event_the_reading_is_no_idle_time() -> None:
    assert IdleFromEvents(timeout=30).idle_seconds(now=1000.0) == 0.0


def test_idle_time_counts_from_the_last_input_a_timeout_before_idled() -> None:
    events = IdleFromEvents(timeout=30)
    events.idled(now=100.0)  # the last input was at 70
    assert events.idle_seconds(now=100.0) == 30.0
    assert events.idle_seconds(now=145.5) == 75.5
    assert events.idle


def test_resumed_ends_the_idle_time_and_a_new_idled_starts_again() -> None:
    events = IdleFromEvents(timeout=10)
    events.idled(now=50.0)
    events.resumed(now=80.0)
    assert events.idle_seconds(now=85.0) == 0.0
    assert not events.idle
    events.idled(now=95.0)
    assert events.idle_seconds(now=100.0) == 15.0


def test_a_repeated_idled_does_not_move_the_start() -> None:
    events = IdleFromEvents(timeout=10)
    events.idled(now=50.0)
    events.idled(now=70.0)
    assert events.idle_seconds(now=70.0) == 30.0


def test_a_clock_read_before_the_event_never_gives_less_than_the_timeout() -> None:
    events = IdleFromEvents(timeout=10)
    events.idled(now=50.0)
    assert events.idle_seconds(now=49.9) == 10.0


@pytest.mark.parametrize(
    ("natural_break", "timeout"),
    [(300, 60.0), (90, 30.0), (3, 1.0), (1, SHORTEST_TIMEOUT), (86400, LONGEST_TIMEOUT)],
)
def test_the_timeout_leaves_room_for_a_reading_before_the_natural_break(
    natural_break: float, timeout: float
) -> None:
    assert idle_timeout_for(natural_break) == timeout
