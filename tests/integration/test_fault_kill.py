"""SIGKILL at random moments while reminders are being recorded: nothing committed is lost.

The daemon runs with a 1 s sitting limit and a 1 s poll while `deskguard skip` is called
in a loop, so reminders and their outcomes are written all the time. It is killed at a
random moment, 50 times, and restarted each time. Before each kill the test reads the
history file as it is on disk; after the restart every row seen then must still be there
unchanged, the file must pass `PRAGMA integrity_check`, and the sitting stretch must carry
on from where it was instead of starting again from zero.
"""

from __future__ import annotations

import contextlib
import random
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from deskguard.store import TABLES
from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess, history_path, write_config

KILLS = 50
CONFIG = '[reminder]\nsit_limit = "1s"\nsnooze = "1s"\n[activity]\npoll = "1s"\n'
# Columns of a reminder fixed when it is shown; its outcome is set once, later.
REMINDER_FIXED = ("id", "shown_at", "exercise", "sat_seconds", "notifier")
# The sitting time is saved at every reading (each second): a kill loses at most that.
SITTING_SLACK = 3.0

Rows = dict[str, dict[int, dict[str, Any]]]


def read_rows(path: Path) -> Rows:
    """Every row of every history table, by table and id, as committed on disk now."""
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
        db.row_factory = sqlite3.Row
        return {
            table: {row["id"]: dict(row) for row in db.execute(f"SELECT * FROM {table}")}
            for table in TABLES
        }


def integrity(path: Path) -> str:
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def lost_rows(before: Rows, after: Rows) -> list[str]:
    """What of `before` is missing or changed in `after` (an outcome may be added)."""
    problems = []
    for table, rows in before.items():
        for row_id, row in rows.items():
            now = after[table].get(row_id)
            if now is None:
                problems.append(f"{table} #{row_id} is gone: {row}")
            elif table == "reminders":
                changed = [key for key in REMINDER_FIXED if now[key] != row[key]]
                if row["outcome"] is not None and now["outcome"] != row["outcome"]:
                    changed.append("outcome")
                if changed:
                    problems.append(f"reminder #{row_id} changed {changed}: {row} -> {now}")
            elif now != row:
                problems.append(f"{table} #{row_id} changed: {row} -> {now}")
    return problems


class SkipLoop:
    """`deskguard skip` over and over on a thread, so outcomes are written all the time."""

    def __init__(self, daemon: DeskguardProcess) -> None:
        self._daemon = daemon
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.answered = 0

    def _run(self) -> None:
        while not self._done.is_set():
            if self._daemon.cli("skip").returncode == 0:
                self.answered += 1

    def __enter__(self) -> SkipLoop:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join(30)


@pytest.mark.timeout(300)
def test_kill_at_random_moments_loses_no_committed_row(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    env = isolated_env(tmp_path)
    write_config(env, CONFIG)
    history = history_path(env)
    log = tmp_path / "deskguard.log"
    seen: Rows | None = None
    sitting_at_kill: float | None = None
    killed_at = 0.0
    skips = 0
    for round_number in range(1, KILLS + 1):
        where = f"round {round_number} (seed {seed})"
        daemon = DeskguardProcess(env, log).start()  # raises if it does not come up
        if seen is not None and sitting_at_kill is not None:
            status = daemon.status()
            gap = time.monotonic() - killed_at
            sitting = status["sitting_seconds"]
            assert sitting >= sitting_at_kill - SITTING_SLACK, (
                f"{where}: sitting restarted from {sitting} s after the kill at {sitting_at_kill} s"
            )
            assert sitting <= sitting_at_kill + gap + SITTING_SLACK, (
                f"{where}: {sitting} s of sitting, more than the {sitting_at_kill} s before "
                f"the kill plus the {gap:.1f} s since"
            )
            assert integrity(history) == "ok", where
            problems = lost_rows(seen, read_rows(history))
            assert not problems, f"{where}: committed rows lost:\n" + "\n".join(problems)
        with SkipLoop(daemon) as loop:
            time.sleep(rng.uniform(0.2, 1.5))
            sitting_at_kill = daemon.status()["sitting_seconds"]
            seen = read_rows(history)
            killed_at = time.monotonic()
            daemon.kill()
        skips += loop.answered

    daemon = DeskguardProcess(env, log).start()
    try:
        assert seen is not None
        final = read_rows(history)
        assert not lost_rows(seen, final)
        assert integrity(history) == "ok"
    finally:
        assert daemon.stop() == 0
    reminders = final["reminders"]
    # The loop really wrote while it was killed: reminders shown and answered all along.
    assert len(reminders) >= KILLS, f"only {len(reminders)} reminders in {KILLS} rounds"
    assert sum(row["outcome"] == "skipped" for row in reminders.values()) >= KILLS // 2
    assert skips >= KILLS // 2
    assert "Traceback" not in log.read_text(), log.read_text()[-4000:]
