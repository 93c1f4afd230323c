"""One session: the shipped office day gives the same reminders through `deskguard simulate`
(the session on a simulated clock) and through the running daemon's tick path (real
history, real adapters, the runtime around the session, a driven clock)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from deskguard import paths
from deskguard.core.trace import parse_trace
from deskguard.daemon.runtime import Daemon
from tests.support.in_process import ScriptedIdle, daemon_in_process, quiet_environment
from tests.support.process import history_path
from tests.unit.test_tracker import FakeClock

TRACE = paths.shipped_file("traces/office-day.csv")
START = datetime(2026, 1, 5, 8, 0)
POLL = 10


@pytest.fixture
def daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Daemon, FakeClock]]:
    quiet_environment(tmp_path, monkeypatch, {"routine.window_on_break": "false"})
    clock = FakeClock(wall=START)
    with daemon_in_process(tmp_path, clock) as (running, _idle):
        yield running, clock


def simulated_reminders(env: dict[str, str]) -> list[tuple[float, str]]:
    result = subprocess.run(
        [sys.executable, "-m", "deskguard", "simulate", str(TRACE), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    events = json.loads(result.stdout)["events"]
    return [(event["t"], event["exercise"]) for event in events if event["kind"] == "reminder"]


def drive(daemon: Daemon, clock: FakeClock) -> None:
    """Tick every poll like the scheduler, applying each row's event first, as simulate does."""
    rows = list(parse_trace(TRACE.read_text().splitlines()))
    idle = daemon.adapters.activity
    assert isinstance(idle, ScriptedIdle)
    asleep = False
    t = 0.0
    for index, row in enumerate(rows):
        end = rows[index + 1].time if index + 1 < len(rows) else row.time + POLL
        clock.advance(row.time - t, asleep=asleep)
        t = row.time
        idle.seconds = row.idle_seconds
        if row.event in ("lock", "unlock"):
            daemon.session.locked = row.event == "lock"
        elif row.event in ("suspend", "resume"):
            asleep = row.event == "suspend"
            daemon.call(daemon.session.sleep_changed(asleep))
        elif row.event:
            action = {"accept": "stretch", "snooze": "snooze", "skip": "skip"}[row.event]
            daemon.call(daemon.user_action(action))
        while t < end:
            if not asleep:
                daemon.call(daemon.tick())
            step = min(POLL, end - t)
            clock.advance(step, asleep=asleep)
            t += step


def test_simulate_and_the_daemon_agree_on_the_office_day(
    daemon: tuple[Daemon, FakeClock],
) -> None:
    running, clock = daemon
    expected = simulated_reminders(dict(os.environ))
    assert len(expected) == 6
    drive(running, clock)
    with sqlite3.connect(history_path(os.environ)) as db:
        rows = list(db.execute("SELECT shown_at, exercise FROM reminders ORDER BY id"))
    shown = [
        ((datetime.fromisoformat(at).replace(tzinfo=None) - START).total_seconds(), ex)
        for at, ex in rows
    ]
    assert shown == expected
