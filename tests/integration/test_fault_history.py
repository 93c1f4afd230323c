"""A corrupt history file: moved aside with a timestamp, a fresh one used, the user told once.

Two kinds of damage: a file that is not a database at all (garbage bytes, with a garbage
write-ahead log beside it), and a real history whose header survived but whose pages
did not (what a failing disk or a bad copy leaves), which SQLite only notices when it
reads or writes those pages.
"""

from __future__ import annotations

import contextlib
import random
import re
import sqlite3
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deskguard.store import MIGRATIONS, History
from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, history_path, write_config

CONFIG = '[reminder]\nsit_limit = "1s"\nsnooze = "1s"\n[activity]\npoll = "1s"\n'
ASIDE = re.compile(r"^history\.sqlite3\.corrupt-(\d{8}-\d{6})$")
TOLD = "could not be read"
PAGE = 4096


def start_or_explain(daemon: DeskguardProcess, timeout: float = 20.0) -> None:
    """Start the daemon and wait until it answers; fail saying how it did not."""
    daemon.start(wait=False)
    process = daemon.process
    assert process is not None
    deadline = time.monotonic() + timeout
    while daemon.cli("status", "--json").returncode != 0:
        if process.poll() is not None:
            pytest.fail(f"deskguard run exited with {process.returncode}:\n{daemon.log()[-4000:]}")
        if time.monotonic() > deadline:
            daemon.kill()
            pytest.fail(
                f"deskguard run is alive but has not answered for {timeout:.0f} s (hung); "
                f"its log:\n{daemon.log()[-4000:]}"
            )
        time.sleep(0.1)


def reminder_count(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
        return int(db.execute("SELECT count(*) FROM reminders").fetchone()[0])


def check_fresh_history(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def moved_aside(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if ASIDE.match(p.name))


@contextlib.contextmanager
def stopped_after(daemon: DeskguardProcess) -> Iterator[DeskguardProcess]:
    """Stop the daemon with SIGTERM after the block and require a clean exit; when the
    block fails, kill it instead, so its failure is the one reported."""
    try:
        yield daemon
    except BaseException:
        daemon.kill()
        raise
    assert daemon.stop() == 0, f"exit status {daemon.process and daemon.process.returncode}"


def check_recovery(env: dict[str, str], tmp_path: Path, damaged: bytes) -> Path:
    """The daemon runs on a fresh history, the damaged one kept aside, the user told once;
    a second start neither moves anything again nor repeats the message."""
    history = history_path(env)
    started = datetime.now()
    first = DeskguardProcess(env, tmp_path / "first.log")
    start_or_explain(first)
    with stopped_after(first):
        aside = moved_aside(history.parent)
        assert len(aside) == 1, f"moved aside: {aside}; log:\n{first.log()[-4000:]}"
        assert aside[0].read_bytes() == damaged  # kept as it was, never rewritten
        named = ASIDE.match(aside[0].name)
        assert named is not None
        stamp = datetime.strptime(named.group(1), "%Y%m%d-%H%M%S")
        assert started - timedelta(seconds=2) <= stamp <= datetime.now() + timedelta(seconds=2)
        check_fresh_history(history)
        poll(lambda: reminder_count(history) >= 1, what="a reminder in the fresh history")
        assert first.status()["state"]
        lines = first.log().splitlines()
        logged = [line for line in lines if f"deskguard: the history file {TOLD}" in line]
        noticed = [line for line in lines if "notice: deskguard started a new history" in line]
        assert len(logged) == 1 and len(noticed) == 1, first.log()  # told once, both ways
        assert str(aside[0]) in logged[0] and str(aside[0]) in noticed[0]
    recorded = reminder_count(history)

    second = DeskguardProcess(env, tmp_path / "second.log")
    start_or_explain(second)
    with stopped_after(second):
        assert moved_aside(history.parent) == aside
        assert TOLD not in second.log()
        assert reminder_count(history) >= recorded  # the fresh file is the one kept
    assert "Traceback" not in first.log() + second.log()
    return aside[0]


def test_garbage_instead_of_a_database(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    write_config(env, CONFIG)
    history = history_path(env)
    history.parent.mkdir(parents=True)
    rng = random.Random(7)
    garbage = b"not a database\n" + rng.randbytes(16 * 1024)
    history.write_bytes(garbage)
    wal = history.with_name(history.name + "-wal")
    wal_garbage = rng.randbytes(4096)
    wal.write_bytes(wal_garbage)
    aside = check_recovery(env, tmp_path, garbage)
    assert aside.with_name(aside.name + "-wal").read_bytes() == wal_garbage  # kept beside it


def test_damaged_pages_behind_a_good_header(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    write_config(env, CONFIG)
    history = history_path(env)
    store = History(history)  # a real history with enough rows to fill several pages
    moment = datetime(2026, 1, 5, 9, 0).astimezone()
    for n in range(400):
        shown = moment + timedelta(minutes=n)
        reminder = store.record_reminder(shown, "standing-back-bend", 2700.0, "dbus (dunst)")
        store.record_outcome(reminder, "skipped", shown)
        store.record_sitting(shown, 2700.0)
    store.close()
    data = bytearray(history.read_bytes())
    assert len(data) > 4 * PAGE
    rng = random.Random(11)
    for offset in range(PAGE, len(data), PAGE):  # every page but the first (the header)
        data[offset : offset + PAGE] = rng.randbytes(min(PAGE, len(data) - offset))
    damaged = bytes(data)
    history.write_bytes(damaged)
    check_recovery(env, tmp_path, damaged)
