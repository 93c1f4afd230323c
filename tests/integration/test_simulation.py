"""Simulating traces through the daemon's session: parsing errors name the line; the shipped
office day, computed by hand."""

from __future__ import annotations

from datetime import datetime

import pytest

from deskguard import paths
from deskguard.core.trace import TraceError, TraceRow, parse_trace
from deskguard.daemon.simulation import Simulation
from deskguard.model.settings import Settings
from tests.support.in_process import config_with

DESK = ["standing-back-bend", "quadriceps-stretch"]
START = datetime(2026, 1, 5, 8, 0)


def replay(text: str) -> list[dict[str, object]]:
    simulation = Simulation(config_with(Settings()), START)
    try:
        return simulation.run(parse_trace(text.splitlines()))
    finally:
        simulation.close()


def kinds(events: list[dict[str, object]]) -> list[tuple[object, object]]:
    return [(event["t"], event["kind"]) for event in events]


def test_parse_skips_comments_and_reads_rows() -> None:
    rows = list(parse_trace(["# note", "time,idle_seconds,event", "", "0,0,", "5,2.5,lock"]))
    assert rows == [TraceRow(0, 0, ""), TraceRow(5, 2.5, "lock")]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (["time,idle,event"], "line 1: the header must be"),
        (["time,idle_seconds,event", "0,0,", "x,0,"], "line 3: time must be a number"),
        (["time,idle_seconds,event", "0,-1,"], "line 2: idle_seconds must be zero or more"),
        (["time,idle_seconds,event", "0,nan,"], "line 2: idle_seconds must be zero or more"),
        (["time,idle_seconds,event", "0,0"], "line 2: expected 3 fields, got 2"),
        (["time,idle_seconds,event", "0,0,dance"], "line 2: unknown event 'dance'"),
        (["time,idle_seconds,event", "10,0,", "# c", "5,0,"], "line 4: time 5 is before"),
    ],
)
def test_malformed_traces_name_the_line(lines: list[str], message: str) -> None:
    with pytest.raises(TraceError, match=message):
        list(parse_trace(lines))


def test_the_shipped_office_day_matches_the_hand_computation() -> None:
    """Defaults: sit 45 min, snooze 10 min, natural break 5 min, poll 10 s.

    0      sitting starts              2700  reminder 1 (45 min)
    2760   accept: break until 3060    5760  reminder 2 (3060 + 2700)
    5790   snooze until 6390           6390  reminder 3
    6400   skip: next after 45 more min of sitting
    8300   idle 300 s: natural break; sat 8290 - 3060 = 5230 s by the last active reading
    8600   back                        11300 reminder 4 (8600 + 2700), unanswered
    12600  lock; 12900 locked 5 min: reminder 4 superseded, natural break (12590 - 8600 = 3990)
    16200  unlock                      18900 reminder 5 (16200 + 2700)
    19000  accept: break until 19300   22000 reminder 6 (19300 + 2700)
    """
    text = paths.shipped_file("traces/office-day.csv").read_text()
    events = replay(text)
    assert kinds(events) == [
        (2700, "reminder"),
        (2760, "accepted"),
        (5760, "reminder"),
        (5790, "snoozed"),
        (6390, "reminder"),
        (6400, "skipped"),
        (8300, "natural_break"),
        (11300, "reminder"),
        (12900, "superseded"),
        (12900, "natural_break"),
        (18900, "reminder"),
        (19000, "accepted"),
        (22000, "reminder"),
    ]
    reminders = [e for e in events if e["kind"] == "reminder"]
    assert [e["exercise"] for e in reminders] == DESK * 3
    breaks = [e["sat_seconds"] for e in events if e["kind"] == "natural_break"]
    assert breaks == [5230, 3990]


def test_suspend_in_a_trace_is_away_and_gives_no_reminder_on_resume() -> None:
    text = "time,idle_seconds,event\n0,0,\n2000,0,suspend\n30000,0,resume\n31000,0,\n"
    events = replay(text)
    assert kinds(events) == [(30000, "natural_break")]
    assert events[0]["sat_seconds"] == 1990  # sitting up to the last reading before the suspend


def test_rejected_actions_are_reported() -> None:
    events = replay("time,idle_seconds,event\n0,0,\n100,0,skip\n")
    assert events == [
        {"t": 100, "kind": "rejected", "action": "skip", "reason": "no reminder is pending"}
    ]


def test_snooze_and_accept_without_a_reminder_are_recorded() -> None:
    events = replay("time,idle_seconds,event\n0,0,\n100,0,snooze\n200,0,accept\n")
    assert kinds(events) == [(100, "snoozed"), (200, "accepted")]


def test_the_meeting_trace_runs_through() -> None:
    text = paths.shipped_file("traces/meeting-and-lunch-walk.csv").read_text()
    events = replay(text)
    reminders = [e for e in events if e["kind"] == "reminder"]
    assert reminders[0]["t"] == 2700
    assert [e["can_snooze"] for e in reminders[:5]] == [True, True, True, True, False]
    assert (18000, "natural_break") in kinds(events)  # the lunch walk, detected on resume
