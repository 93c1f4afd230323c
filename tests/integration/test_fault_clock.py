"""Clock faults: the wall clock jumps, the machine sleeps, the process is frozen.

The first tests drive the daemon in this process with a fake clock (real history, real
control socket, the log notifier): whatever the daemon was doing, a wall clock set a day
ahead or an 8 h suspend is followed by at most one reminder, never a burst; a span at the
computer that began before the wall clock was set (ahead or back) still ends cleanly.
The last one freezes a real `deskguard run` with SIGSTOP for ten poll intervals: when it
thaws, APScheduler runs the missed activity tick once, not once per missed interval.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from deskguard.daemon.config import resolve
from deskguard.daemon.runtime import Daemon
from deskguard.daemon.session import TICK_LOG_PREFIX
from deskguard.paths import ConfigFiles
from tests.support.env import isolated_env
from tests.support.in_process import ScriptedIdle, lean_process, quiet_environment, with_activity
from tests.support.process import DeskguardProcess, history_path, write_config
from tests.unit.test_tracker import FakeClock

SIT_LIMIT = 60
NATURAL_BREAK = 300
TICK = 10.0


class Clocked:
    """The daemon, its fake clock and its scripted idle time, with the moves the tests use."""

    def __init__(self, daemon: Daemon, clock: FakeClock, idle: ScriptedIdle) -> None:
        self.daemon = daemon
        self.clock = clock
        self.idle = idle

    def tick(self) -> None:
        self.daemon.call(self.daemon.tick())

    def sit(self, seconds: float) -> None:
        """At the keyboard, read every TICK seconds."""
        self.idle.seconds = 0.0
        for _ in range(round(seconds / TICK)):
            self.clock.advance(TICK)
            self.tick()

    def burst(self, ticks: int = 10) -> None:
        """Readings in quick succession, as a scheduler catching up would make them."""
        for _ in range(ticks):
            self.clock.advance(0.1)
            self.tick()

    def reminders(self) -> list[tuple[str | None, str | None]]:
        with contextlib.closing(sqlite3.connect(history_path(os.environ))) as db:
            return list(db.execute("SELECT exercise, outcome FROM reminders ORDER BY id"))

    def state(self) -> str:
        return str(self.daemon.status()["state"])


LIMITS = {
    "reminder.sit_limit": f"{SIT_LIMIT}s",
    "reminder.snooze": "30s",
    "reminder.natural_break": f"{NATURAL_BREAK}s",
}


def _end_loop(daemon: Daemon) -> None:
    """End the event-loop thread even when shutdown failed: a non-daemon thread left
    running would keep the test run from exiting."""
    if daemon._loop_thread.is_alive():
        daemon._loop.call_soon_threadsafe(daemon._loop.stop)
        daemon._loop_thread.join(5)
        daemon._instance_lock.release()


@contextlib.contextmanager
def clocked_daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clocked]:
    """The daemon on a fake clock, shut down at the end: a failing shutdown fails the
    test, unless the block failed already (its own failure is the one to see)."""
    quiet_environment(tmp_path, monkeypatch, LIMITS)
    config = resolve(ConfigFiles(system=[], user=tmp_path / "absent.toml"))
    clock = FakeClock()
    idle = ScriptedIdle()
    with lean_process():
        daemon = Daemon(config, clock=clock.now, adapters=with_activity(idle))
        daemon.start(schedule=False)
    try:
        yield Clocked(daemon, clock, idle)
    except BaseException:
        with contextlib.suppress(Exception):
            daemon.shutdown()
        raise
    else:
        daemon.shutdown()
    finally:
        _end_loop(daemon)


@pytest.fixture
def clocked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clocked]:
    with clocked_daemon(tmp_path, monkeypatch) as world:
        yield world


def reach(world: Clocked, situation: str) -> None:
    """Sitting (50 s, nothing due yet), reminding (a reminder showing), or snoozed."""
    world.sit(50)
    if situation in ("reminding", "snoozed"):
        world.sit(20)
        assert world.state() == "reminding"
    if situation == "snoozed":
        world.daemon.call(world.daemon.user_action("snooze", 30.0))
        assert world.state() == "snoozed"


def jump_wall(days: int) -> Callable[[FakeClock], None]:
    def move(clock: FakeClock) -> None:
        clock.wall += timedelta(days=days)  # the wall clock is set; no time passes

    return move


def suspend(clock: FakeClock) -> None:
    clock.advance(8 * 3600, asleep=True)  # the boot clock runs on, the monotonic one stops


FAULTS = {"wall +1 day": jump_wall(1), "8 h suspend": suspend}


@pytest.mark.parametrize("situation", ["sitting", "reminding", "snoozed"])
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_at_most_one_reminder_after_a_clock_fault(
    clocked: Clocked, fault: str, situation: str
) -> None:
    world = clocked
    reach(world, situation)
    shown = len(world.reminders())
    sat = world.daemon.status()["sitting_seconds"]

    FAULTS[fault](world.clock)
    world.burst()
    after = world.reminders()
    assert len(after) - shown <= 1, f"{fault} while {situation}: {after[shown:]}"
    sitting = world.daemon.status()["sitting_seconds"]
    if fault == "8 h suspend":
        assert sitting < TICK, "8 h asleep is a break, not sitting"
        assert len(after) == shown  # the break also closed any reminder that was showing
    else:
        assert sat <= sitting <= sat + 2, "moving the wall clock is not time spent sitting"
        assert len(after) == shown  # nothing fell due on the monotonic clocks

    # Sitting on: the next reminder comes when due, and only one.
    world.sit(SIT_LIMIT + 30)
    reminders = world.reminders()
    assert len(reminders) - len(after) <= 1, reminders
    assert world.state() == "reminding"
    world.burst()
    assert len(world.reminders()) == len(reminders)


@pytest.mark.parametrize("days", [1, -1])
def test_leaving_after_the_wall_clock_moved_is_recorded_and_stop_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days: int
) -> None:
    """A span at the computer that started before the clock was set (ahead, or back, as
    an NTP correction or a user does) still ends cleanly: the tick that notices the user
    left does not fail, the history takes it, and the daemon can shut down."""
    with clocked_daemon(tmp_path, monkeypatch) as world:
        world.sit(40)
        jump_wall(days)(world.clock)
        world.sit(20)
        world.idle.seconds = NATURAL_BREAK + 10  # gone for a while: the span ends
        world.clock.advance(NATURAL_BREAK + 10)
        world.tick()
        assert world.state() == "away"
        with contextlib.closing(sqlite3.connect(history_path(os.environ))) as db:
            spans = list(db.execute("SELECT seconds FROM presence"))
        assert len(spans) == 1 and spans[0][0] >= 59, spans
        world.sit(20)
    # Leaving the block shut the daemon down; a failure there fails the test.


# --------------------------------------------------------------------------- SIGSTOP


def count_ticks(log: Path) -> int:
    """The activity ticks a `run -v` daemon has logged so far."""
    return sum(TICK_LOG_PREFIX in line for line in log.read_text().splitlines())


def ticks_during(log: Path, seconds: float) -> int:
    before = count_ticks(log)
    time.sleep(seconds)
    return count_ticks(log) - before


def test_a_frozen_daemon_does_not_replay_missed_ticks(tmp_path: Path) -> None:
    """Each activity tick logs one debug line with `-v`: counting those counts the ticks."""
    poll_s = 1.0
    env = isolated_env(tmp_path)
    write_config(env, f'[reminder]\nsit_limit = "1h"\n[activity]\npoll = "{poll_s:g}s"\n')
    log = tmp_path / "deskguard.log"
    daemon = DeskguardProcess(env, log, args=("--no-tray", "-v")).start()
    try:
        steady = ticks_during(log, 3.5 * poll_s)
        assert steady >= 2, f"the daemon ticked {steady} times in 3.5 s"
        assert daemon.process is not None
        daemon.signal(signal.SIGSTOP)
        try:
            frozen = ticks_during(log, 10 * poll_s)
        finally:
            daemon.signal(signal.SIGCONT)
        thawed = ticks_during(log, 0.8 * poll_s)
        later = ticks_during(log, 3 * poll_s)
        assert frozen == 0
        assert 1 <= thawed <= 2, f"{thawed} ticks right after 10 missed ones"
        assert later <= 4, f"{later} ticks in the 3 s after"
        assert daemon.status()["state"] == "active"
    finally:
        assert daemon.stop() == 0
    assert "Traceback" not in daemon.log()
