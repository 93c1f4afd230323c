"""Soak: a month of simulated days through the core, and days through the whole daemon.

The session: `Simulation` (the code path of `deskguard simulate`) runs 30 days of a working
routine, a reading every 10 s, with breaks, lunch, a locked screen at night, a suspend at
lunch and reminders answered in several ways. Every day after the first must produce the
same events, and the memory the replay holds must not grow from one half of the month to
the other.

The daemon: the real Daemon with its APScheduler running, on a fake clock ticked every
10 simulated seconds through three days, its reminders answered as they come. Its job
list must stay the same (one reminder job at most, replaced, never added up), and the
Python memory of the process must not grow from one traced day to the next.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deskguard.core.trace import TraceRow
from deskguard.daemon.jobs import DUE_JOB
from deskguard.daemon.runtime import Daemon
from deskguard.daemon.simulation import Simulation
from deskguard.model.settings import Settings
from tests.support.in_process import ScriptedIdle, config_with, daemon_in_process, quiet_environment
from tests.unit.test_tracker import FakeClock

DAY = 86400
HOUR = 3600
STEP = 10
WORK = ((8 * HOUR, 12 * HOUR), (13 * HOUR, 17 * HOUR))
COFFEE = (10 * HOUR, 10 * HOUR + 15 * 60)
LUNCH = (12 * HOUR, 13 * HOUR)
INPUT_EVERY = 45
# What the user does in the replay, by second of the day (rejected when nothing is pending).
ANSWERS = {
    9 * HOUR + 50 * 60: "skip",
    11 * HOUR: "snooze",
    11 * HOUR + 5 * 60: "accept",
    15 * HOUR + 30 * 60: "skip",
    16 * HOUR + 40 * 60: "accept",
}
SESSION = {
    7 * HOUR + 55 * 60: "unlock",
    12 * HOUR + 20 * 60: "suspend",
    12 * HOUR + 40 * 60: "resume",
    17 * HOUR + 5 * 60: "lock",
}
# A leak of even 30 bytes per reading would be about 256 KiB a simulated day.
DAEMON_GROWTH_LIMIT = 256 * 1024
REPLAY_GROWTH_LIMIT = 64 * 1024


def idle_at(second: int) -> float:
    """Seconds since the user's last input at `second` of a day."""
    if COFFEE[0] <= second < COFFEE[1]:
        return float(second - COFFEE[0])
    if LUNCH[0] <= second < LUNCH[1]:
        return float(second - LUNCH[0])
    for start, end in WORK:
        if start <= second < end:
            return float((second - start) % INPUT_EVERY)
    return float((second - WORK[-1][1]) % DAY)  # away since the end of the working day


def day_rows(day: int) -> Iterator[TraceRow]:
    base = day * DAY
    for second in range(0, DAY, STEP):
        event = ANSWERS.get(second) or SESSION.get(second) or ""
        yield TraceRow(float(base + second), idle_at(second), event)


def traced_now() -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


@contextlib.contextmanager
def tracing() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


@contextlib.contextmanager
def no_logging() -> Iterator[None]:
    """The daemon logs every reminder; pytest keeps captured records in memory, which
    would look like the daemon growing."""
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(logging.NOTSET)


def test_thirty_days_through_the_core_repeat_and_stay_flat() -> None:
    replay = Simulation(config_with(Settings()), datetime(2026, 1, 5, 0, 0))
    per_day: list[Counter[str]] = []
    memory: list[int] = []
    with tracing():
        for day in range(30):
            replay.run(day_rows(day))
            per_day.append(Counter(event["kind"] for event in replay.events))
            replay.events.clear()  # the timeline is output, not state: hand it over daily
            memory.append(traced_now())
    assert per_day[1]["reminder"] >= 4, per_day[1]
    assert per_day[1]["natural_break"] >= 2, per_day[1]
    for day, kinds in enumerate(per_day[2:], start=2):
        assert kinds == per_day[1], f"day {day} differs from day 1: {kinds} vs {per_day[1]}"
    first_half = memory[15] - memory[1]
    second_half = memory[29] - memory[15]
    assert first_half <= REPLAY_GROWTH_LIMIT, memory
    assert second_half <= REPLAY_GROWTH_LIMIT, memory


@pytest.fixture
def scheduled_daemon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Daemon, FakeClock, ScriptedIdle]]:
    """The daemon with its scheduler started, on a clock that starts at the next midnight
    (so every reminder job it schedules lies in the future and never fires by itself)."""
    # A one-hour poll: the real-time tick stays out of the simulated days.
    quiet_environment(tmp_path, monkeypatch, {"activity.poll": "1h"})
    now = datetime.now().astimezone()
    clock = FakeClock(wall=(now + timedelta(days=1)).replace(hour=0, minute=0, second=0))
    with daemon_in_process(tmp_path, clock, schedule=True) as (daemon, idle):
        yield daemon, clock, idle


ANSWER_CYCLE = ("skip", "snooze", "skip", "stretch")


def live_a_day(daemon: Daemon, clock: FakeClock, idle: ScriptedIdle, answered: list[str]) -> int:
    """One simulated day, a reading every STEP seconds; returns the most jobs seen."""
    scheduler = daemon._scheduler
    assert scheduler is not None
    most = 0
    for second in range(0, DAY, STEP):
        clock.advance(STEP)
        idle.seconds = idle_at(second)
        daemon.call(daemon.tick())
        if daemon.status()["state"] == "reminding":
            action = ANSWER_CYCLE[len(answered) % len(ANSWER_CYCLE)]
            daemon.call(daemon.user_action(action))
            answered.append(action)
        if second == 18 * HOUR:
            daemon.call(daemon.session.end_of_day())
        most = max(most, len(scheduler.get_jobs()))
    return most


@pytest.mark.timeout(240)
def test_days_through_the_scheduled_daemon_keep_jobs_and_memory_flat(
    scheduled_daemon: tuple[Daemon, FakeClock, ScriptedIdle],
) -> None:
    daemon, clock, idle = scheduled_daemon
    scheduler = daemon._scheduler
    assert scheduler is not None
    standing = {job.id for job in scheduler.get_jobs()} - {DUE_JOB}
    answered: list[str] = []
    with no_logging():
        most = [live_a_day(daemon, clock, idle, answered)]  # warm-up: caches fill, files grow
        with tracing():
            start = traced_now()
            most.append(live_a_day(daemon, clock, idle, answered))
            middle = traced_now()
            most.append(live_a_day(daemon, clock, idle, answered))
            end = traced_now()
    assert {job.id for job in scheduler.get_jobs()} - {DUE_JOB} == standing
    assert max(most) <= len(standing) + 1, most  # at most the one reminder job on top
    assert answered.count("skip") >= 3 and "snooze" in answered and "stretch" in answered
    first_day, second_day = middle - start, end - middle
    assert second_day <= DAEMON_GROWTH_LIMIT, (
        f"Python memory grew {second_day / 1024:.0f} KiB over the third day "
        f"({first_day / 1024:.0f} KiB over the second)"
    )
    assert first_day <= DAEMON_GROWTH_LIMIT, f"grew {first_day / 1024:.0f} KiB on day two"
