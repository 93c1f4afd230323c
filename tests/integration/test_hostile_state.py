"""Poisoned state in the state folder, met by the real executable: a sitting file holding
`Infinity` or `1e308`, links and a pipe planted where deskguard writes, rows in the
history that cannot be right. Each is refused or left out with one line; nothing crashes,
nothing is written through a link, and no infinite number reaches the history or the JSON.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import time
from pathlib import Path

import pytest

from deskguard.daemon.carry_over import boot_id
from deskguard.store import History
from tests.integration.test_hostile_history import exported, running, seed, strict_json
from tests.integration.test_stats_cli import run
from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import history_path, write_config
from tests.unit.test_history_rows import BAD_ROWS, plant

CONFIG = '[reminder]\nsit_limit = "1h"\n[activity]\npoll = "1s"\n'
IGNORED = "ignoring the saved sitting time in "


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = isolated_env(tmp_path)
    write_config(environment, CONFIG)
    return environment


def sitting_file(env: dict[str, str]) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "deskguard" / "sitting.json"


def sitting_rows(env: dict[str, str]) -> list[float]:
    with contextlib.closing(sqlite3.connect(history_path(env))) as db:
        return [float(row[0]) for row in db.execute("SELECT seconds FROM sitting")]


# -- class 7: poisoned state ----------------------------------------------------------


@pytest.mark.parametrize("sitting", ["Infinity", "1e308", "-Infinity", "NaN"])
def test_a_poisoned_sitting_file_starts_from_zero(
    env: dict[str, str], tmp_path: Path, sitting: str
) -> None:
    path = sitting_file(env)
    path.parent.mkdir(parents=True)
    # Saved a moment ago on this very boot: everything but the number says "carry it on".
    boottime = time.clock_gettime(time.CLOCK_BOOTTIME) - 2
    path.write_text(
        f'{{"sitting_seconds": {sitting}, "boottime": {boottime}, "boot": "{boot_id()}",'
        ' "recorded_seconds": 0}'
    )
    with running(env, tmp_path / "daemon.log") as daemon:
        status = daemon.status()
        assert status["state"] == "active" and status["sitting_seconds"] < 30
        ignored = [line for line in daemon.log().splitlines() if IGNORED in line]
        assert len(ignored) == 1 and str(path) in ignored[0], daemon.log()
    assert sitting_rows(env) and all(math.isfinite(s) and s < 60 for s in sitting_rows(env))
    for command in (("export", "--format", "json"), ("stats", "--json")):
        result = run(env, *command)
        assert result.returncode == 0, result.stderr
        strict_json(result.stdout)
    assert math.isfinite(strict_json(path.read_text())["sitting_seconds"])  # saved anew


def test_rows_that_cannot_be_right_are_left_out_with_one_warning(env: dict[str, str]) -> None:
    path = history_path(env)
    seeded = seed(path)
    plant(path)
    planted = sum(len(rows) for rows in BAD_ROWS.values())
    window = ("--until", "2026-01-05", "--days", "1")  # stats reads only the rows it may need
    for command in (
        ("stats", "--json", *window),
        ("stats", *window),
        ("export", "--format", "json"),
        ("export", "--format", "csv"),
    ):
        result = run(env, *command)
        assert result.returncode == 0, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("deskguard: warning: left out "), lines
        assert "history row(s) that cannot be right (" in lines[0] and str(path) in lines[0]
        if command[0] == "export":
            assert f"left out {planted} history row(s)" in lines[0]
        assert "Traceback" not in result.stderr
    figures = strict_json(run(env, "stats", "--json", *window).stdout)["total"]
    assert figures["sitting_seconds"] == 1200 + 1201 + 1202  # the seeded rows alone
    assert figures["walks"]["km"] == 1 + 2 + 3
    assert exported(env) == seeded
    history = History(path)  # the file keeps them: left out of the figures, not deleted
    assert history.count("sitting") == 3 + len(BAD_ROWS["sitting"])
    history.close()


# -- class 8: links and a pipe where the daemon writes and reads ------------------------


def test_links_in_the_state_folder_are_not_written_through(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = sitting_file(env)
    path.parent.mkdir(parents=True)
    victim, other = tmp_path / "victim.txt", tmp_path / "other.txt"
    victim.write_text("precious")
    other.write_text("also precious")
    (path.parent / "sitting.tmp").symlink_to(victim)
    path.symlink_to(other)
    with running(env, tmp_path / "daemon.log"):
        poll(lambda: not path.is_symlink(), what="the sitting time saved")
    assert victim.read_text() == "precious" and other.read_text() == "also precious"
    assert math.isfinite(strict_json(path.read_text())["sitting_seconds"])
    stray = [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert stray == ["sitting.tmp"]  # the planted link, left alone


def test_a_pipe_for_a_sitting_file_does_not_hang_the_start(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = sitting_file(env)
    path.parent.mkdir(parents=True)
    os.mkfifo(path)
    with running(env, tmp_path / "daemon.log") as daemon:
        assert daemon.status()["sitting_seconds"] < 30
        assert f"{IGNORED}{path}: not a regular file" in daemon.log()
