"""`deskguard routine --terminal` as a real process, with and without a running daemon.

DESKGUARD_ROUTINE_SPEED=50 plays the routine fifty times faster than real time (a test
and preview aid), so the 42-second standing back bend takes under a second.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.env import isolated_env
from tests.support.process import (
    DeskguardProcess,
    deskguard_executable,
    history_path,
    poll,
    write_config,
)

ROUTINE = ("routine", "--terminal", "--exercises", "standing-back-bend")


def fast(env: dict[str, str], speed: int = 50) -> dict[str, str]:
    return {**env, "DESKGUARD_ROUTINE_SPEED": str(speed)}


def routine_rows(env: dict[str, str]) -> list[dict[str, Any]]:
    with sqlite3.connect(history_path(env)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM routines ORDER BY id")]


def run_routine(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [deskguard_executable(), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DeskguardProcess]:
    env = isolated_env(tmp_path)
    write_config(env, '[reminder]\nsit_limit = "1h"\n[activity]\npoll = "1s"\n')
    process = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    yield process
    process.stop()


def test_finishes_prints_progress_and_writes_the_history_without_a_daemon(
    tmp_path: Path,
) -> None:
    env = fast(isolated_env(tmp_path))
    started = time.monotonic()
    result = run_routine(env, *ROUTINE)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 20
    out = result.stdout
    # The first-run health notice, printed but not asked: stdin is not a terminal.
    assert "Before your first routine: a health notice" in out
    assert "6. Pregnancy: Being pregnant." in out
    assert "Not asked: input is not a terminal" in out
    # One line per step: get ready, 5 holds, 4 rests.
    steps = [line for line in out.splitlines() if line.startswith("[")]
    assert len(steps) == 10
    assert steps[0].startswith("[  0%] Standing back bend · get ready (5 s)")
    assert "rep 5 of 5: hold 5 s" in steps[-1]
    assert "  2. Lean backwards, arching the back as far as you comfortably can." in out
    assert out.splitlines()[-1] == (
        "Finished: 5 of 5 holds done. Saved in the history (deskguard is not running)."
    )
    (row,) = routine_rows(env)
    assert (row["kind"], row["steps_total"], row["steps_done"]) == ("custom", 5, 5)
    assert row["finished_at"] is not None


def test_with_a_daemon_the_routine_is_recorded_and_resets_sitting(
    daemon: DeskguardProcess,
) -> None:
    def sitting_a_while() -> dict[str, Any] | None:
        status = daemon.status()
        return status if status["sitting_seconds"] >= 3 else None

    sat_before = poll(sitting_a_while, timeout=15, what="three seconds of sitting")[
        "sitting_seconds"
    ]
    result = run_routine(fast(daemon.env), *ROUTINE)
    finished_at = time.monotonic()
    assert result.returncode == 0, result.stderr
    assert "Counted as a break; your sitting time starts again." in result.stdout
    sitting_now = daemon.status()["sitting_seconds"]
    assert sitting_now < sat_before
    assert sitting_now <= time.monotonic() - finished_at + 1.0
    (row,) = routine_rows(daemon.env)
    assert (row["kind"], row["steps_total"], row["steps_done"]) == ("custom", 5, 5)
    assert row["finished_at"] is not None
    with sqlite3.connect(history_path(daemon.env)) as db:
        (sittings,) = db.execute("SELECT count(*) FROM sitting").fetchone()
    assert sittings >= 1  # the sitting stretch the routine ended


def test_quick_routine_reports_what_it_shortened(daemon: DeskguardProcess) -> None:
    result = run_routine(fast(daemon.env), "routine", "--terminal", "--quick")
    assert result.returncode == 0, result.stderr
    assert "Routine (1 min 57 s): Standing back bend, Standing quadriceps stretch" in result.stdout
    assert "Shortened: Standing quadriceps stretch: 1 of 3 times per leg" in result.stdout
    (row,) = routine_rows(daemon.env)
    assert (row["kind"], row["steps_total"], row["steps_done"]) == ("quick", 7, 7)


def test_at_desk_full_routine_tells_what_was_left_out_and_why(tmp_path: Path) -> None:
    env = fast(isolated_env(tmp_path), speed=500)
    write_config(env, '[routine]\nlength = "3m"\nat_desk = true\n')
    result = run_routine(env, "routine", "--terminal")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert (
        "Left out: Lying hamstring stretch, Knees to chest, Upper abdominal crunch, Oblique crunch:"
        " done lying on your back on the floor, and routine.at_desk is on\n"
    ) in out
    assert (
        "Left out: Face-down back extension, Opposite arm and leg raise:"
        " done lying face down on the floor, and routine.at_desk is on\n"
    ) in out
    assert "Routine (2 min 55 s): Standing back bend, Standing quadriceps stretch" in out
    # Every shortened exercise in one line.
    assert (
        "Shortened: Standing back bend: 4 of 5 times;"
        " Standing quadriceps stretch: 2 of 3 times per leg\n"
    ) in out
    (row,) = routine_rows(env)
    assert (row["kind"], row["steps_total"], row["steps_done"]) == ("full", 8, 8)
    assert row["finished_at"] is not None


def test_ctrl_c_stops_cleanly_and_records_the_holds_done(tmp_path: Path) -> None:
    env = fast(isolated_env(tmp_path), speed=5)
    trace = tmp_path / "trace.jsonl"
    env["DESKGUARD_ROUTINE_TRACE"] = str(trace)
    process = subprocess.Popen(
        [deskguard_executable(), *ROUTINE],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:

        def one_hold_done() -> bool:
            lines = trace.read_text().splitlines() if trace.exists() else []
            return any(json.loads(line).get("steps_done", 0) >= 1 for line in lines)

        poll(one_hold_done, timeout=20, what="the first hold to be done")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    last = out.splitlines()[-1]
    assert last.startswith("Stopped: ") and last.endswith(" of 5 holds done. Saved in the history.")
    done = int(last.split()[1])
    assert 1 <= done < 5
    (row,) = routine_rows(env)
    assert (row["steps_done"], row["finished_at"]) == (done, None)
    assert "Traceback" not in err


def test_unknown_exercise_exits_1_with_the_known_ids(tmp_path: Path) -> None:
    result = run_routine(
        isolated_env(tmp_path), "routine", "--terminal", "--exercises", "cartwheel"
    )
    assert result.returncode == 1
    assert "unknown exercise 'cartwheel'" in result.stderr
    assert "known ids: hamstring-stretch, knees-to-chest, standing-back-bend" in result.stderr
    assert result.stdout == ""
