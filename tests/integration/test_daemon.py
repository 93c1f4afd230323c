"""The daemon end to end: real Xvfb, session bus, dunst, SQLite and the `deskguard` executable."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, history_path, write_config

DESK_FRIENDLY_NAMES = ("back bend", "quadriceps")

FAST = """
[reminder]
sit_limit = "3s"
snooze = "4s"
natural_break = "1h"
[activity]
source = "x11"
poll = "1s"
"""


@pytest.fixture
def daemon(desktop: HeadlessDesktop, tmp_path: Path) -> Iterator[DeskguardProcess]:
    write_config(desktop.env, FAST)
    process = DeskguardProcess(desktop.env, tmp_path / "deskguard.log")
    yield process
    process.stop()


def reminder_rows(env: dict[str, str]) -> list[tuple[str | None, str | None]]:
    with sqlite3.connect(history_path(env)) as db:
        return list(db.execute("SELECT exercise, outcome FROM reminders ORDER BY id"))


def is_reminder(notification: object) -> bool:
    return (
        getattr(notification, "app_name", "") == "deskguard"
        and "stand up" in getattr(notification, "summary", "").lower()
    )


def test_reminder_appears_at_the_sit_limit_with_three_actions(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    started = time.monotonic()
    daemon.start()
    notice = desktop.wait_for_notification(is_reminder, timeout=10)
    elapsed = time.monotonic() - started
    assert 2.0 <= elapsed <= 6.0, f"reminder after {elapsed:.1f} s for a 3 s sit limit"
    assert any(name in notice.summary.lower() for name in DESK_FRIENDLY_NAMES), notice.summary
    assert set(notice.actions) - {"default"} == {"stretch", "snooze", "skip"}
    assert notice.actions["snooze"] == "Snooze 1 minute"
    status = daemon.wait_for_state("reminding")
    assert status["activity_source"] == "x11"
    assert status["notifier"].startswith("dbus")
    assert status["pending_exercise"] in ("standing-back-bend", "quadriceps-stretch")


def test_snooze_through_the_notification_postpones_the_next_reminder(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    daemon.start()
    desktop.wait_for_notification(is_reminder, timeout=10)
    daemon.wait_for_state("reminding")
    count = len(desktop.notifications())
    desktop.invoke_action("snooze")
    snoozed_at = time.monotonic()
    status = daemon.wait_for_state("snoozed", timeout=5)
    assert status["snoozed_until"] is not None
    assert status["snoozes_left"] == 2
    desktop.wait_for_notification(is_reminder, timeout=15, after=count)
    assert time.monotonic() - snoozed_at >= 4.0 - 0.3
    assert reminder_rows(desktop.env)[0][1] == "snoozed"


def test_stretch_records_an_accepted_reminder_and_resets_sitting(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    daemon.start()
    desktop.wait_for_notification(is_reminder, timeout=10)
    daemon.wait_for_state("reminding")
    desktop.invoke_action("stretch")
    status = daemon.wait_for_state("break", timeout=5)
    assert status["sitting_seconds"] < 2
    rows = poll(
        lambda: [r for r in reminder_rows(desktop.env) if r[1] == "accepted"], what="accepted row"
    )
    assert rows[0][0] in ("standing-back-bend", "quadriceps-stretch")
    # Accepting opens the quick routine in its own window.
    poll(
        lambda: (
            desktop.run(["xdotool", "search", "--name", "deskguard routine"], check=False).stdout
        ),
        timeout=15,
        what="the routine window",
    )
    assert "routine window opened" in daemon.log()


def test_input_keeps_the_user_active_and_no_input_is_a_natural_break(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    write_config(
        desktop.env,
        '[reminder]\nsit_limit = "1h"\nnatural_break = "3s"\n'
        '[activity]\nsource = "x11"\npoll = "1s"\n',
    )
    process = DeskguardProcess(desktop.env, tmp_path / "deskguard.log").start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            desktop.xdotool("mousemove", str(int(deadline * 10) % 500), "300")
            desktop.xdotool("key", "shift")
            time.sleep(0.5)
        status = process.status()
        assert status["state"] == "active"
        assert status["sitting_seconds"] >= 4
        status = process.wait_for_state("away", timeout=10)
        assert status["sitting_seconds"] == 0
        assert not any(is_reminder(n) for n in desktop.notifications())
    finally:
        process.stop()


def test_notification_server_gone_falls_back_and_comes_back(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    daemon.start()
    desktop.wait_for_notification(is_reminder, timeout=10)
    daemon.wait_for_state("reminding")
    desktop.stop_dunst()
    assert daemon.cli("skip").returncode == 0
    # The next reminder (another 3 s of sitting, at least 4 s after the last) has no server.
    poll(
        lambda: daemon.status()["state"] == "reminding", timeout=15, what="a reminder without dunst"
    )
    assert not daemon.status()["notifier"].startswith("dbus")
    assert daemon.process is not None and daemon.process.poll() is None
    desktop.start_dunst()
    count = len(desktop.notifications())
    assert daemon.cli("skip").returncode == 0
    notice = desktop.wait_for_notification(is_reminder, timeout=15, after=count)
    assert set(notice.actions) - {"default"} == {"stretch", "snooze", "skip"}
    assert daemon.status()["notifier"].startswith("dbus")
    outcomes = [outcome for _exercise, outcome in reminder_rows(desktop.env)]
    assert outcomes[:2] == ["skipped", "skipped"]


def test_sigterm_stops_cleanly_and_flushes_history(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    daemon.start()
    desktop.wait_for_notification(is_reminder, timeout=10)
    daemon.wait_for_state("reminding")
    assert daemon.stop() == 0
    assert reminder_rows(desktop.env)[-1][1] == "dismissed"
    with sqlite3.connect(history_path(desktop.env)) as db:
        (sat,) = db.execute("SELECT sum(seconds) FROM sitting").fetchone()
    assert sat >= 3
    assert "stopping" in daemon.log()
    socket = Path(desktop.env["XDG_RUNTIME_DIR"]) / "deskguard" / "control.sock"
    assert not socket.exists()


def test_second_daemon_refuses_to_start(desktop: HeadlessDesktop, daemon: DeskguardProcess) -> None:
    daemon.start()
    second = daemon.cli("run", "--no-tray")
    assert second.returncode == 1
    assert "already running" in second.stderr
    assert daemon.status()["state"] in ("active", "reminding")


def test_status_without_a_daemon_says_how_to_start_one(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    result = DeskguardProcess(desktop.env, tmp_path / "unused.log").cli("status")
    assert result.returncode == 3
    assert "deskguard run" in result.stderr
