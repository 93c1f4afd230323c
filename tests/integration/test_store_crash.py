"""The history survives a writer killed at any moment: nothing committed is lost."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from deskguard.store import MIGRATIONS, History

pytestmark = pytest.mark.integration

PROJECT = Path(__file__).resolve().parents[2]

# Writes reminders forever; prints each id only after its transaction has committed.
WRITER = """
import sys
from datetime import datetime, timedelta
from pathlib import Path

from deskguard.store import History

history = History(Path(sys.argv[1]))
start = datetime(2026, 1, 5, 9, 0)
n = 0
while True:
    reminder = history.record_reminder(start + timedelta(seconds=n), "crunch", float(n), "log")
    print(reminder, flush=True)
    n += 1
"""


def run_and_kill(path: Path, kill_after: int) -> list[int]:
    """Start a writer, SIGKILL it once it has printed `kill_after` ids; every id it printed."""
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stderr is not None
    printed: list[int] = []
    try:
        for line in child.stdout:
            printed.append(int(line))
            if len(printed) >= kill_after:
                os.kill(child.pid, signal.SIGKILL)
                break
        # Lines already read ahead or still in the pipe were printed after their commit too
        # (read through the same file object: communicate() would skip its buffer).
        printed += [int(line) for line in child.stdout.read().splitlines() if line.strip()]
        errors = child.stderr.read()
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL, errors
    return printed


def stored_ids(path: Path) -> list[int]:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return [row[0] for row in db.execute("SELECT id FROM reminders ORDER BY id")]


def test_every_committed_reminder_survives_a_sigkill(tmp_path: Path) -> None:
    seed = random.randrange(2**32)
    rng = random.Random(seed)
    path = tmp_path / "history.sqlite3"
    printed_all: list[int] = []
    rounds = 4
    for round_number in range(rounds):
        kill_after = rng.randint(50, 400)
        printed = run_and_kill(path, kill_after)
        assert len(printed) >= kill_after, f"seed {seed}, round {round_number}"
        assert printed == sorted(set(printed)), f"seed {seed}: ids must only grow"
        printed_all += printed

        stored = stored_ids(path)
        missing = sorted(set(printed_all) - set(stored))
        assert missing == [], f"seed {seed}, round {round_number}: lost {missing}"
        # At most one write per kill committed without being printed, right after the last.
        extra = set(stored) - set(printed_all)
        assert len(extra) <= round_number + 1, f"seed {seed}: {sorted(extra)}"

    history = History(path)
    try:
        assert history.integrity_ok()
        assert history.schema_version == len(MIGRATIONS)
        rows = history.reminders()
        assert {row.id for row in rows} >= set(printed_all)
        assert all(row.exercise == "crunch" and row.notifier == "log" for row in rows)
        follow_up = history.record_reminder(rows[-1].shown_at, None, 1.0, "log")
        assert follow_up > max(printed_all)
    finally:
        history.close()
