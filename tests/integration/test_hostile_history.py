"""A good history the daemon or a command cannot use right now is left where it is.

Only a damaged file is moved aside (tests/integration/test_fault_history.py). A full disk,
another program's lock, a link in the state folder, a read-only file or folder, a
directory in the file's place or a schema from a newer deskguard leave the file as it
is: the daemon runs on without recording (its reminders still come) and tries again, a
command says in one line what is wrong and exits 1, and once the problem is gone every
row is still there.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from deskguard.store import History
from tests.integration import hostile_fs
from tests.integration.test_fault_history import check_recovery
from tests.integration.test_stats_cli import run
from tests.support.env import isolated_env
from tests.support.process import (
    DeskguardProcess,
    deskguard_executable,
    history_path,
    poll,
    write_config,
)

CONFIG = '[reminder]\nsit_limit = "1s"\nsnooze = "1s"\n[activity]\npoll = "1s"\n'
NOT_RECORDING = "notice: deskguard is not recording its history"
HISTORY_COMMANDS = (("stats",), ("walk", "2km"), ("export", "--format", "json"))


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def strict_json(text: str) -> Any:
    """JSON as the standard has it: `Infinity` and `NaN` are errors."""
    return json.loads(text, parse_constant=_no_constants)


def seed(path: Path) -> list[dict[str, Any]]:
    """A history with a few rows of several tables; the rows as `export` prints them."""
    history = History(path)
    moment = datetime(2026, 1, 5, 9, 0).astimezone()
    for n in range(3):
        history.record_walk(moment + timedelta(hours=n), km=1.0 + n)
        history.record_sitting(moment + timedelta(hours=n), 1200.0 + n)
    reminder = history.record_reminder(moment, "crunch", 2700.0, "log")
    history.record_outcome(reminder, "accepted", moment + timedelta(seconds=30))
    rows = [{"table": table, **row} for table, row in history.export_rows()]
    history.close()
    return rows


def exported(env: dict[str, str]) -> list[dict[str, Any]]:
    result = run(env, "export", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, Any]] = strict_json(result.stdout)["rows"]
    return rows


def check_kept(env: dict[str, str], seeded: list[dict[str, Any]]) -> None:
    """Every seeded row is still in the history, in its place (nothing moved aside)."""
    rows = exported(env)
    assert [row for row in seeded if row not in rows] == []
    check_nothing_aside(history_path(env))


def check_nothing_aside(path: Path) -> None:
    if path.parent.is_dir():
        assert [p.name for p in path.parent.iterdir() if ".corrupt-" in p.name] == []


def check_one_line(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """The command failed with exit 1 and one line on stderr saying all of `fragments`."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("deskguard: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def reminders_in(path: Path) -> int:
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as db:
        return int(db.execute("SELECT count(*) FROM reminders").fetchone()[0])


def poll_with_writes(
    daemon: DeskguardProcess, condition: Callable[[], bool], what: str, timeout: float = 30
) -> None:
    """Wait for `condition`, skipping each reminder: the next one comes a second later, a
    write to the history (and, for a daemon without one, a retry)."""

    def check() -> bool:
        daemon.cli("skip")
        return condition()

    poll(check, timeout=timeout, what=what)


def check_recording_again(daemon: DeskguardProcess, path: Path) -> None:
    """The daemon writes to the history again (the seed has one reminder)."""
    # Retried at a write at least RETRY_EVERY (10 s) after the last failure.
    poll_with_writes(daemon, lambda: reminders_in(path) > 1, "reminders recorded again")
    assert "can be used again" in daemon.log()


@contextlib.contextmanager
def running(env: dict[str, str], log: Path) -> Iterator[DeskguardProcess]:
    """A daemon for the block, stopped cleanly after it (killed when the block fails)."""
    daemon = DeskguardProcess(env, log).start()
    try:
        yield daemon
    except BaseException:
        daemon.kill()
        raise
    assert daemon.stop() == 0, daemon.log()
    assert "Traceback" not in daemon.log()


@contextlib.contextmanager
def daemon_without_history(
    env: dict[str, str], log: Path, *told: str
) -> Iterator[DeskguardProcess]:
    """A daemon that started although it cannot record: it answers, its reminders come,
    and it said so once, with `told` in the line."""
    with running(env, log) as daemon:
        poll(lambda: "reminder: " in daemon.log(), what="a reminder without a history")
        assert daemon.status()["state"]
        noticed = [line for line in daemon.log().splitlines() if NOT_RECORDING in line]
        assert len(noticed) == 1, daemon.log()
        for fragment in told:
            assert fragment in noticed[0], noticed[0]
        yield daemon


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = isolated_env(tmp_path)
    write_config(environment, CONFIG)
    return environment


# -- class 2: a good history is never moved aside ------------------------------------


def test_a_newer_schema_is_refused_and_left_untouched(env: dict[str, str], tmp_path: Path) -> None:
    path = history_path(env)
    seed(path)
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 99")
        db.commit()
    before = path.read_bytes()
    told = ("written by a newer deskguard (schema 99)", "upgrade deskguard")
    with daemon_without_history(env, tmp_path / "daemon.log", *told):
        for command in HISTORY_COMMANDS:
            check_one_line(run(env, *command), *told, str(path))
    assert path.read_bytes() == before
    check_nothing_aside(path)


def test_a_lock_held_by_another_program_is_waited_out(env: dict[str, str], tmp_path: Path) -> None:
    path = history_path(env)
    seeded = seed(path)
    with contextlib.ExitStack() as lock:
        lock.enter_context(hostile_fs.locked(path))
        told = ("locked by another program", str(path))
        with daemon_without_history(env, tmp_path / "daemon.log", *told) as daemon:
            check_one_line(run(env, "walk", "2km"), *told)
            lock.close()  # the other program is done with it
            check_recording_again(daemon, path)
    check_kept(env, seeded)


def test_a_full_disk_at_start_leaves_the_history_and_recording_resumes(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = history_path(env)
    with hostile_fs.small_disk(path.parent):
        seeded = seed(path)
        filler = hostile_fs.fill(path.parent)
        daemon_log = tmp_path / "daemon.log"
        told = ("cannot write the history", str(path))
        with daemon_without_history(env, daemon_log, *told) as daemon:
            check_one_line(run(env, "walk", "2km"), *told)
            filler.unlink()  # space again: the daemon records from its next retry on
            check_recording_again(daemon, path)
        check_kept(env, seeded)


def test_a_disk_that_fills_while_the_daemon_runs_loses_nothing_recorded(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = history_path(env)
    with hostile_fs.small_disk(path.parent):
        seeded = seed(path)
        with running(env, tmp_path / "daemon.log") as daemon:
            poll(lambda: reminders_in(path) > 1, what="a reminder recorded")
            filler = hostile_fs.fill(path.parent)
            refused = "could not write to the history"
            poll_with_writes(daemon, lambda: refused in daemon.log(), "a write refused", 20)
            assert daemon.status()["state"]
            filler.unlink()
            before = reminders_in(path)
            poll_with_writes(daemon, lambda: reminders_in(path) > before, "recorded again", 20)
        check_kept(env, seeded)


def test_a_command_that_cannot_write_a_byte_says_so(env: dict[str, str]) -> None:
    """A disk full for the command alone (a file size limit of 0), even without root."""
    path = history_path(env)
    seeded = seed(path)
    for command in HISTORY_COMMANDS:
        result = subprocess.run(
            [deskguard_executable(), *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=hostile_fs.no_file_growth,
        )
        check_one_line(result, "cannot write the history", str(path), "free some space")
    check_kept(env, seeded)


def test_a_linked_write_ahead_log_is_refused_and_its_target_kept(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = history_path(env)
    seeded = seed(path)
    target = tmp_path / "precious.txt"
    target.write_text("not deskguard's")
    wal = path.with_name(path.name + "-wal")
    wal.symlink_to(target)
    with daemon_without_history(env, tmp_path / "daemon.log", "symbolic link", str(wal)):
        check_one_line(run(env, "stats"), "symbolic link", str(wal))
    assert target.read_text() == "not deskguard's" and wal.is_symlink()
    wal.unlink()
    check_kept(env, seeded)


def test_a_truncated_history_is_damage_and_is_moved_aside(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = history_path(env)
    seed(path)
    truncated = path.read_bytes()[:5000]
    path.write_bytes(truncated)
    check_recovery(env, tmp_path, truncated)


# -- class 3: the migration race -------------------------------------------------------


def start_walk(env: dict[str, str], amount: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [deskguard_executable(), "walk", amount],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("round_number", range(3))
def test_walks_and_a_daemon_on_a_missing_history_lose_nothing(
    env: dict[str, str], tmp_path: Path, round_number: int
) -> None:
    path = history_path(env)
    amounts = [f"{n + 1}.{round_number}km" for n in range(6)]
    daemon = DeskguardProcess(env, tmp_path / "daemon.log")
    walks = [start_walk(env, amount) for amount in amounts[:3]]
    daemon.start(wait=False)
    walks += [start_walk(env, amount) for amount in amounts[3:]]
    try:
        for walk in walks:
            _out, err = walk.communicate(timeout=60)
            assert walk.returncode == 0, err
            assert "Traceback" not in err
        poll(lambda: daemon.cli("status").returncode == 0, timeout=20, what="the daemon")
        assert NOT_RECORDING not in daemon.log() and "could not" not in daemon.log()
    finally:
        daemon.stop()
    logged = sorted(row["km"] for row in exported(env) if row["table"] == "walks")
    assert logged == sorted(float(amount.removesuffix("km")) for amount in amounts)
    check_nothing_aside(path)
    assert "Traceback" not in daemon.log()


# -- class 8: links in the history's place ------------------------------------------------


def test_a_dangling_history_link_is_refused_and_nothing_created(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = history_path(env)
    path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere" / "planted.sqlite3"
    target.parent.mkdir()
    path.symlink_to(target)
    with daemon_without_history(env, tmp_path / "daemon.log", "symbolic link", str(path)):
        for command in HISTORY_COMMANDS:
            check_one_line(run(env, *command), "symbolic link", str(path), str(target))
    assert not target.exists() and list(target.parent.iterdir()) == []
    assert path.is_symlink()


def test_a_link_to_a_good_history_is_refused_too(env: dict[str, str], tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "history.sqlite3"
    target.parent.mkdir()
    seed(target)
    before = target.read_bytes()
    path = history_path(env)
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    check_one_line(run(env, "walk", "1km"), "symbolic link", "put the file itself there")
    assert target.read_bytes() == before


# -- class 5: the history's place unusable ------------------------------------------------


def test_a_directory_in_the_history_place(env: dict[str, str], tmp_path: Path) -> None:
    path = history_path(env)
    path.mkdir(parents=True)
    with daemon_without_history(env, tmp_path / "daemon.log", "is a directory", str(path)):
        for command in HISTORY_COMMANDS:
            check_one_line(run(env, *command), "is a directory", "move it out of the way")
    assert path.is_dir() and list(path.iterdir()) == []


def test_a_read_only_state_folder(env: dict[str, str], tmp_path: Path) -> None:
    path = history_path(env)
    seeded = seed(path)
    told = ("read-only", str(path.parent))
    with hostile_fs.read_only(path.parent), daemon_without_history(env, tmp_path / "d.log", *told):
        check_one_line(run(env, "walk", "2km"), "read-only", str(path.parent))
    check_kept(env, seeded)


def test_a_read_only_state_folder_without_a_history(env: dict[str, str], tmp_path: Path) -> None:
    path = history_path(env)
    path.parent.mkdir(parents=True)
    with hostile_fs.read_only(path.parent), daemon_without_history(env, tmp_path / "d.log"):
        check_one_line(run(env, "walk", "2km"), "read-only", str(path.parent))
    assert list(path.parent.iterdir()) == []


def test_a_read_only_history_file_is_still_read(env: dict[str, str], tmp_path: Path) -> None:
    path = history_path(env)
    seeded = seed(path)
    with hostile_fs.read_only(path):
        stats = run(env, "stats", "--json", "--until", "2026-01-05", "--days", "1")
        assert stats.returncode == 0, stats.stderr
        assert strict_json(stats.stdout)["total"]["walks"]["count"] == 3
        check_one_line(run(env, "walk", "2km"), "read-only", str(path))
        with running(env, tmp_path / "daemon.log") as daemon:
            refused = "could not write to the history"
            poll(lambda: refused in daemon.log(), what="a reminder, not recorded")
    check_kept(env, seeded)
