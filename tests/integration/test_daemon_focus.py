"""The running daemon holds a due reminder while the user is busy, and releases it after."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.test_daemon import is_reminder
from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, history_path, write_config


def config(video_devices: str) -> str:
    return (
        '[reminder]\nsit_limit = "2s"\nnatural_break = "1h"\n'
        '[activity]\nsource = "none"\npoll = "1s"\n'
        f'[focus]\nvideo_devices = "{video_devices}"\n'
    )


def deferrals(env: dict[str, str]) -> list[str]:
    with sqlite3.connect(history_path(env)) as db:
        return [row[0] for row in db.execute("SELECT reasons FROM deferrals")]


def test_dunst_paused_defers_and_unpausing_releases(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    write_config(desktop.env, config(str(tmp_path / "no-camera*")))
    desktop.set_dunst_paused(True)
    daemon = DeskguardProcess(desktop.env, tmp_path / "deskguard.log").start()
    try:
        poll(
            lambda: daemon.status()["deferred_by"] == ["do-not-disturb"],
            timeout=10,
            what="the reminder to be deferred",
        )
        assert not any(is_reminder(n) for n in desktop.notifications())
        assert daemon.status()["state"] == "active"
        desktop.set_dunst_paused(False)
        released = time.monotonic()
        desktop.wait_for_notification(is_reminder, timeout=10)
        assert time.monotonic() - released < 3  # within a poll or two
        assert daemon.status()["deferred_by"] == []
        assert deferrals(desktop.env) == ["do-not-disturb"]
    finally:
        daemon.stop()


def test_a_process_holding_the_camera_defers(desktop: HeadlessDesktop, tmp_path: Path) -> None:
    device = tmp_path / "video0"
    device.write_bytes(b"")
    write_config(desktop.env, config(str(tmp_path / "video*")))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; f = open(sys.argv[1]); time.sleep(600)",
            str(device),
        ]
    )
    daemon = DeskguardProcess(desktop.env, tmp_path / "deskguard.log").start()
    try:
        poll(
            lambda: daemon.status()["deferred_by"] == ["camera"],
            timeout=10,
            what="the reminder to be deferred by the camera",
        )
        assert not any(is_reminder(n) for n in desktop.notifications())
        holder.kill()
        holder.wait()
        desktop.wait_for_notification(is_reminder, timeout=10)
        assert deferrals(desktop.env) == ["camera"]
    finally:
        holder.kill()
        daemon.stop()
