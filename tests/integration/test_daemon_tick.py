"""The daemon's tick path with an injected clock: real adapters, history and socket."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from deskguard.daemon.config import resolve
from deskguard.daemon.jobs import end_of_day_triggers
from deskguard.daemon.runtime import Daemon
from deskguard.paths import ConfigFiles
from tests.support.env import isolated_env
from tests.support.in_process import ScriptedIdle, daemon_in_process, quiet_environment
from tests.support.process import history_path
from tests.unit.test_focus import Fixed
from tests.unit.test_tracker import FakeClock


@pytest.fixture
def clocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Daemon, FakeClock]]:
    limits = {"reminder.sit_limit": "60s", "reminder.natural_break": "5m"}
    quiet_environment(tmp_path, monkeypatch, limits)
    clock = FakeClock()
    with daemon_in_process(tmp_path, clock) as (daemon, _idle):
        yield daemon, clock


def scripted_idle(daemon: Daemon) -> ScriptedIdle:
    """The idle time the daemon reads: set its `seconds` to script the user."""
    idle = daemon.adapters.activity
    assert isinstance(idle, ScriptedIdle)
    return idle


def ticks(daemon: Daemon, clock: FakeClock, count: int, every: float = 10) -> None:
    """`count` activity ticks, `every` seconds apart on the fake clock."""
    for _ in range(count):
        clock.advance(every)
        daemon.call(daemon.tick())


def reminder_rows() -> list[tuple[str | None, str | None]]:
    with sqlite3.connect(history_path(os.environ)) as db:
        return list(db.execute("SELECT exercise, outcome FROM reminders ORDER BY id"))


def test_suspend_between_ticks_gives_no_reminder_on_resume(
    clocked: tuple[Daemon, FakeClock],
) -> None:
    daemon, clock = clocked
    clock.advance(50)
    daemon.call(daemon.tick())
    assert daemon.status()["sitting_seconds"] == pytest.approx(50)
    clock.advance(8 * 3600, asleep=True)  # boot clock runs ahead of the monotonic clock
    daemon.call(daemon.tick())
    status = daemon.status()
    assert status["sitting_seconds"] == 0
    assert status["state"] == "active"
    clock.advance(30)
    daemon.call(daemon.tick())
    assert reminder_rows() == []
    with sqlite3.connect(history_path(os.environ)) as db:
        presence = list(db.execute("SELECT seconds FROM presence"))
    assert presence == [(50.0,)]  # at the computer before the suspend; the sleep is not counted
    clock.advance(31)
    daemon.call(daemon.tick())
    assert len(reminder_rows()) == 1
    assert daemon.status()["state"] == "reminding"


def test_the_tick_path_reminds_at_the_limit_and_records_it(
    clocked: tuple[Daemon, FakeClock],
) -> None:
    daemon, clock = clocked
    ticks(daemon, clock, 6)
    assert daemon.status()["state"] == "reminding"
    daemon.call(daemon.user_action("stretch"))
    rows = reminder_rows()
    assert rows == [(rows[0][0], "accepted")]
    assert rows[0][0] in ("standing-back-bend", "quadriceps-stretch")


def test_a_midday_break_suggests_a_walk_once(
    clocked: tuple[Daemon, FakeClock], caplog: pytest.LogCaptureFixture
) -> None:
    daemon, clock = clocked
    idle = scripted_idle(daemon)
    clock.wall = clock.wall.replace(hour=12)
    clock.advance(30)
    daemon.call(daemon.tick())
    idle.seconds = 400  # gone for lunch: a natural break
    clock.advance(400)
    with caplog.at_level(logging.INFO):
        daemon.call(daemon.tick())
        idle.seconds = 0
        clock.advance(60)
        daemon.call(daemon.tick())
        idle.seconds = 400
        clock.advance(400)
        daemon.call(daemon.tick())
    suggestions = [r for r in caplog.records if "Lunch break? Take a walk" in r.getMessage()]
    assert len(suggestions) == 1


def test_end_of_day_summary_only_after_an_active_day(
    clocked: tuple[Daemon, FakeClock], caplog: pytest.LogCaptureFixture
) -> None:
    daemon, clock = clocked
    with caplog.at_level(logging.INFO):
        daemon.call(daemon.session.end_of_day())
    assert not any("Your day at the desk" in r.getMessage() for r in caplog.records)
    ticks(daemon, clock, 3)
    with caplog.at_level(logging.INFO):
        daemon.call(daemon.session.end_of_day())
    (summary,) = [
        r.getMessage() for r in caplog.records if "Your day at the desk" in r.getMessage()
    ]
    assert "walked 0 of 7 km" in summary


def test_end_of_day_runs_when_the_working_hours_end() -> None:
    files = ConfigFiles(system=[], user=Path("/nonexistent/config.toml"))
    periods = {"schedule": {"active": ["mon-fri 08:00-17:30", "sat 10:00-12:00"]}}
    assert end_of_day_triggers(resolve(files, periods)) == [
        {"day_of_week": "0,1,2,3,4", "hour": 17, "minute": 30},
        {"day_of_week": "5", "hour": 12, "minute": 0},
    ]
    assert end_of_day_triggers(resolve(files)) == [{"hour": 18, "minute": 0}]


def test_reload_moves_the_end_of_day_summary_with_the_working_hours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in isolated_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    config = tmp_path / "config.toml"
    files = ConfigFiles(system=[], user=config)
    daemon = Daemon(resolve(files), config_path=config)
    daemon.start()  # with its scheduler
    try:
        scheduler = daemon._scheduler
        assert scheduler is not None

        def summary_times() -> list[str]:
            jobs = [job for job in scheduler.get_jobs() if job.id.startswith("end-of-day")]
            return sorted(str(job.trigger) for job in jobs)

        assert summary_times() == ["cron[hour='18', minute='0']"]
        config.write_text('[schedule]\nactive = ["mon-fri 08:00-16:30", "sat 09:00-12:00"]\n')
        daemon.call(daemon.reload())
        assert summary_times() == [
            "cron[day_of_week='0,1,2,3,4', hour='16', minute='30']",
            "cron[day_of_week='5', hour='12', minute='0']",
        ]
    finally:
        daemon.shutdown()


def test_presence_ends_at_the_last_input_before_a_natural_break(
    clocked: tuple[Daemon, FakeClock],
) -> None:
    daemon, clock = clocked
    idle = scripted_idle(daemon)
    ticks(daemon, clock, 6)
    idle.seconds = 400  # no input since 60 s in: a natural break
    clock.advance(400)
    daemon.call(daemon.tick())
    with sqlite3.connect(history_path(os.environ)) as db:
        rows = list(db.execute("SELECT started_at, ended_at, seconds FROM presence"))
    assert len(rows) == 1
    started, ended, seconds = rows[0]
    assert seconds == 60.0
    assert (datetime.fromisoformat(ended) - datetime.fromisoformat(started)).total_seconds() == 60


def test_focus_signals_are_asked_only_when_a_reminder_falls_due(
    clocked: tuple[Daemon, FakeClock],
) -> None:
    daemon, clock = clocked  # a 60 s sitting limit
    signal = Fixed("fullscreen", answer=True)
    daemon.adapters.focus = [signal]
    ticks(daemon, clock, 5)
    assert signal.asked == 0  # 50 s of sitting: nothing due, nothing to ask
    clock.advance(10)
    daemon.call(daemon.tick())
    assert (signal.asked, daemon.status()["deferred_by"]) == (1, ["fullscreen"])
    clock.advance(10)
    daemon.call(daemon.tick())
    assert signal.asked == 2  # asked again while the reminder waits
    signal.answer = False
    clock.advance(10)
    daemon.call(daemon.tick())
    assert (signal.asked, daemon.status()["state"]) == (3, "reminding")
    clock.advance(10)
    daemon.call(daemon.tick())
    assert signal.asked == 3  # shown: no more asking


def saved_sitting() -> float:
    path = Path(os.environ["XDG_STATE_HOME"]) / "deskguard" / "sitting.json"
    return float(json.loads(path.read_text())["sitting_seconds"])


def test_the_sitting_stretch_is_saved_each_minute_and_at_once_when_it_ends(
    clocked: tuple[Daemon, FakeClock],
) -> None:
    daemon, clock = clocked
    idle = scripted_idle(daemon)
    assert saved_sitting() == 0  # at start-up
    ticks(daemon, clock, 5)
    assert saved_sitting() == 0  # 50 s of sitting later: not written again yet
    clock.advance(10)
    daemon.call(daemon.tick())
    assert saved_sitting() == 60
    clock.advance(10)
    daemon.call(daemon.tick())
    assert saved_sitting() == 60
    idle.seconds = 400  # a natural break: the stretch ended, saved at once
    clock.advance(10)
    daemon.call(daemon.tick())
    assert saved_sitting() == 0


def test_the_tray_hears_of_changes_at_once_and_of_the_sitting_time_with_the_refresh(
    clocked: tuple[Daemon, FakeClock],
) -> None:
    daemon, clock = clocked  # a 60 s sitting limit
    told: list[str] = []
    daemon.session.listen.status.append(lambda status: told.append(status.state))
    ticks(daemon, clock, 3)
    assert told == ["active"]  # told once; sitting on is left to the refresh job
    daemon.call(daemon.user_action("pause", 600))
    clock.advance(10)
    daemon.call(daemon.tick())
    assert told == ["active", "paused"]  # the pause at once; the tick after it, nothing
    daemon.call(daemon.user_action("resume"))
    assert told == ["active", "paused", "active"]
