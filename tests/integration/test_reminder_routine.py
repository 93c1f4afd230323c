"""The reminder and the routine agree: real daemon, Xvfb, session bus and dunst.

"Stretch now" on the reminder dunst shows opens the routine window on the exercise the
reminder named and takes the reminder off the screen; a routine started while a reminder
waits is its answer. The routine window is followed through DESKGUARD_ROUTINE_TRACE.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, history_path, write_config

CONFIG = """
[reminder]
sit_limit = "3s"
snooze = "2s"
natural_break = "1h"
[activity]
source = "x11"
poll = "1s"
[routine]
sounds = false
"""


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessDesktop]:
    with HeadlessDesktop(tmp_path_factory.mktemp("desktop")) as running:
        yield running


@pytest.fixture
def daemon(desktop: HeadlessDesktop, tmp_path: Path) -> Iterator[DeskguardProcess]:
    env = {
        **desktop.env,
        # The daemon's own state under this test's folder; the desktop is shared.
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "DESKGUARD_ROUTINE_SPEED": "50",
        "DESKGUARD_ROUTINE_TRACE": str(tmp_path / "trace.jsonl"),
    }
    write_config(env, CONFIG)
    # The first-run health notice has been answered: the routine begins at once.
    marker = tmp_path / "state" / "deskguard" / "health-notice-shown"
    marker.parent.mkdir(parents=True)
    marker.touch()
    desktop.dunstctl("close-all")
    process = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    yield process
    process.stop()


def reminders(env: dict[str, str]) -> list[tuple[str | None, str | None]]:
    with sqlite3.connect(history_path(env)) as db:
        return list(db.execute("SELECT exercise, outcome FROM reminders ORDER BY id"))


def trace(env: dict[str, str]) -> list[dict[str, Any]]:
    path = Path(env["DESKGUARD_ROUTINE_TRACE"])
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def displayed(desktop: HeadlessDesktop) -> int:
    return int(desktop.dunstctl("count", "displayed").strip())


def wait_for_reminder(daemon: DeskguardProcess, desktop: HeadlessDesktop) -> dict[str, Any]:
    status = daemon.wait_for_state("reminding", timeout=15)
    poll(lambda: displayed(desktop) == 1, timeout=10, what="the reminder on screen")
    return status


def test_stretch_now_opens_the_named_exercise_and_takes_the_reminder_down(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    # The first reminder names the exercise a fresh quick routine begins with anyway;
    # snoozed, the next one names another, which the window must begin with.
    first = wait_for_reminder(daemon, desktop)["pending_exercise"]
    desktop.invoke_action("snooze")
    poll(lambda: displayed(desktop) == 0, timeout=10, what="the snoozed reminder gone")
    status = wait_for_reminder(daemon, desktop)
    named = status["pending_exercise"]
    assert named and named != first
    # status names it as the reminder does.
    shown = desktop.wait_for_notification(lambda n: n.app_name == "deskguard", after=1)
    assert status["pending_exercise_name"] in shown.summary + shown.body
    described = daemon.cli("status").stdout
    assert f"Time to stretch: {status['pending_exercise_name']}" in described

    desktop.invoke_action("stretch")
    poll(lambda: displayed(desktop) == 0, timeout=10, what=f"the reminder gone\n{daemon.log()}")
    window = poll(
        lambda: next((r for r in trace(daemon.env) if "exercise" in r), None),
        timeout=20,
        what=f"the routine window\n{daemon.log()}",
    )
    assert window["exercise"] == named
    # The trace may come a moment before the window is mapped under its title.
    poll(
        lambda: desktop.run(
            ["xdotool", "search", "--name", "deskguard routine"], check=False
        ).stdout.strip(),
        timeout=10,
        what="the routine window on the screen",
    )
    assert reminders(daemon.env) == [(first, "snoozed"), (named, "accepted")]
    # The quick routine plays to its end (fast) and closes.
    closed = poll(
        lambda: next((r for r in trace(daemon.env) if r.get("event") == "closed"), None),
        timeout=30,
        what="the routine window to close",
    )
    assert closed["result"] == "finished"


def test_a_routine_started_while_a_reminder_waits_answers_it(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    named = wait_for_reminder(daemon, desktop)["pending_exercise"]
    # What the tray's "Start mini-routine" runs, here in its terminal form.
    played = subprocess.run(
        [sys.executable, "-m", "deskguard.routine", "--terminal", "--exercises", "crunch"],
        env=daemon.env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert played.returncode == 0, played.stderr
    assert "Counted as a break" in played.stdout
    assert reminders(daemon.env) == [(named, "accepted")]
    poll(lambda: displayed(desktop) == 0, timeout=10, what="the reminder gone")
    # Accepted by the routine itself: no second routine window opens for it.
    assert "routine window opened" not in daemon.log()
