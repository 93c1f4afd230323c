"""The daemon's tick path with an injected clock: real adapters, history and socket."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskguard.daemon.app import Daemon
from deskguard.settings import ConfigFiles, load_settings
from tests.integration.daemon import history_path
from tests.integration.test_control_socket import bare_env
from tests.unit.test_tracker import FakeClock


@pytest.fixture
def clocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Daemon, FakeClock]]:
    for key, value in bare_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("DESKGUARD_REMINDER__SIT_LIMIT", "60s")
    monkeypatch.setenv("DESKGUARD_REMINDER__NATURAL_BREAK", "5m")
    monkeypatch.setenv("DESKGUARD_ACTIVITY__SOURCE", "none")
    monkeypatch.setenv("DESKGUARD_NOTIFICATIONS__BACKEND", "log")
    files = ConfigFiles(system=[], user=tmp_path / "absent.toml")
    clock = FakeClock()
    daemon = Daemon(load_settings(files), files, clock=clock.now)
    daemon.start(schedule=False)
    yield daemon, clock
    daemon.shutdown()


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
    clock.advance(31)
    daemon.call(daemon.tick())
    assert len(reminder_rows()) == 1
    assert daemon.status()["state"] == "reminding"


def test_the_tick_path_reminds_at_the_limit_and_records_it(
    clocked: tuple[Daemon, FakeClock],
) -> None:
    daemon, clock = clocked
    for _ in range(6):
        clock.advance(10)
        daemon.call(daemon.tick())
    assert daemon.status()["state"] == "reminding"
    daemon.call(daemon.user_action("stretch"))
    rows = reminder_rows()
    assert rows == [(rows[0][0], "accepted")]
    assert rows[0][0] in ("standing-back-bend", "quadriceps-stretch")
