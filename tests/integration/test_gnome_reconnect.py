"""GNOME for real, and servers that restart under a running daemon.

mutter --headless gives the idle time (org.gnome.Mutter.IdleMonitor), reset by key
presses through its RemoteDesktop interface; gnome-shell --headless locks and unlocks
(org.gnome.Shell.ScreenShield, and the org.gnome.ScreenSaver proxy started after the
daemon). The session bus and the X server are then restarted on the same address while
the real `deskguard` runs: each adapter logs one line when its server goes and one when
it is back, the next reminder arrives on the new notification server, exactly once.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from tests.support.desktop import HeadlessDesktop, Notification
from tests.support.gnome import (
    RemoteInput,
    SystemBus,
    start_mutter,
    start_screensaver_proxy,
    stop,
)
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, history_path, write_config

CONFIG = """\
[reminder]
sit_limit = "3s"
snooze = "2s"
natural_break = "1h"
[activity]
source = "{source}"
poll = "1s"
"""
ADAPTERS = ("session events (session bus)", "notifications (session bus)")


def is_reminder(notice: Notification) -> bool:
    return "skip" in notice.actions


def reminders(env: dict[str, str]) -> list[tuple[int, str | None]]:
    with contextlib.closing(sqlite3.connect(history_path(env), timeout=10)) as db:
        return list(db.execute("SELECT id, outcome FROM reminders ORDER BY id"))


def idle_follows_input(daemon: DeskguardProcess, press: Any) -> None:
    """The daemon's idle time grows without input and drops after a key press."""
    poll(lambda: daemon.status()["idle_seconds"] >= 1.5, 20, "idle time to grow")

    # The daemon reads idle once a poll, so one key could be read a second old: keep typing
    # until a reading falls inside the typing.
    def typed_and_idle_dropped() -> bool:
        press()
        return bool(daemon.status()["idle_seconds"] < 1.0)

    poll(typed_and_idle_dropped, 20, "idle time to drop after a key")


def lost_and_back(daemon: DeskguardProcess, since: int, what: str) -> None:
    def logged() -> bool:
        text = daemon.log()[since:]
        return f"{what} lost (" in text and f"{what} back after" in text

    poll(logged, 40, f"{what} to be lost and back")
    text = daemon.log()[since:]
    assert text.count(f"{what} lost (") == 1 and text.count(f"{what} back after") == 1, text


def the_reminder_arrives_once(desktop: HeadlessDesktop, daemon: DeskguardProcess) -> None:
    """The reminder due across the gap reaches the new server once and is answered there."""
    notice = desktop.wait_for_notification(is_reminder, timeout=30)
    daemon.wait_for_state("reminding")
    assert daemon.status()["notifier"].startswith("dbus"), daemon.status()
    desktop.invoke_action("skip", notice.id)
    poll(lambda: reminders(desktop.env)[-1][1] == "skipped", 15, "the skip in the history")
    rows = reminders(desktop.env)
    assert [outcome for _id, outcome in rows] == ["skipped", "skipped"], rows
    shown = [n for n in desktop.notifications() if is_reminder(n)]
    assert len(shown) == 1, shown  # on the new server: neither lost nor shown twice


def test_mutter_idle_and_a_session_bus_restart(tmp_path: Path) -> None:
    with HeadlessDesktop(tmp_path / "desktop") as desktop:
        env = desktop.env
        write_config(env, CONFIG.format(source="mutter"))
        mutter_log = tmp_path / "mutter.log"
        mutter = start_mutter(env, mutter_log, "dg-mutter")
        daemon = DeskguardProcess(env, tmp_path / "deskguard.log")
        try:
            daemon.start()
            assert daemon.status()["activity_source"] == "mutter"
            with RemoteInput(desktop.bus_address) as remote:
                idle_follows_input(daemon, remote.press_key)
            first = desktop.wait_for_notification(is_reminder, timeout=20)
            assert daemon.cli("skip").returncode == 0
            assert first.id is not None
            since = len(daemon.log())

            stop(mutter)
            desktop.restart_bus()
            mutter = start_mutter(env, mutter_log, "dg-mutter")
            for what in ("activity source mutter", *ADAPTERS):
                lost_and_back(daemon, since, what)
            the_reminder_arrives_once(desktop, daemon)
            with RemoteInput(desktop.bus_address) as remote:
                idle_follows_input(daemon, remote.press_key)
        except BaseException:
            daemon.kill()
            raise
        finally:
            stop(mutter)
        assert daemon.stop() == 0
    assert "Traceback" not in daemon.log(), daemon.log()[-4000:]


def test_an_x_server_restart(tmp_path: Path) -> None:
    with HeadlessDesktop(tmp_path / "desktop") as desktop:
        env = desktop.env
        write_config(env, CONFIG.format(source="x11"))
        daemon = DeskguardProcess(env, tmp_path / "deskguard.log")
        try:
            daemon.start()
            assert daemon.status()["activity_source"] == "x11"
            desktop.wait_for_notification(is_reminder, timeout=20)
            assert daemon.cli("skip").returncode == 0
            since = len(daemon.log())

            desktop.restart_xvfb()
            # dunst is an X client: it goes with the server and is started again.
            desktop.stop_dunst()
            desktop.start_dunst()
            lost_and_back(daemon, since, "activity source x11")
            idle_follows_input(daemon, lambda: desktop.xdotool("key", "shift"))
            notices = len(desktop.notifications())
            notice = desktop.wait_for_notification(is_reminder, timeout=30, after=notices - 1)
            daemon.wait_for_state("reminding")
            desktop.invoke_action("skip", notice.id)
            poll(lambda: reminders(env)[-1][1] == "skipped", 15, "the skip in the history")
            assert [outcome for _id, outcome in reminders(env)] == ["skipped", "skipped"]
        except BaseException:
            daemon.kill()
            raise
        assert daemon.stop() == 0
    assert "Traceback" not in daemon.log(), daemon.log()[-4000:]


def screensaver(env: dict[str, str], name: str, member: str, *args: str) -> str:
    return subprocess.run(
        ["gdbus", "call", "--session", "-d", name, "-o", "/org/gnome/ScreenSaver"]
        + ["-m", f"org.gnome.ScreenSaver.{member}", *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=20,
    ).stdout.strip()


def test_gnome_shell_lock_seen_from_the_start_and_through_the_later_proxy(
    tmp_path: Path,
) -> None:
    with SystemBus(tmp_path / "system") as system, HeadlessDesktop(tmp_path / "desktop") as desk:
        env = {**desk.env, "DBUS_SYSTEM_BUS_ADDRESS": system.address}
        write_config(env, CONFIG.format(source="auto").replace('"3s"', '"1h"', 1))
        shell = start_mutter(env, tmp_path / "shell.log", "dg-shell", program="gnome-shell")
        proxy = None
        daemon = DeskguardProcess(env, tmp_path / "deskguard.log")
        try:
            # Locked before deskguard starts, and no org.gnome.ScreenSaver proxy yet.
            shield = "org.gnome.Shell.ScreenShield"
            screensaver(env, shield, "Lock")
            poll(lambda: screensaver(env, shield, "GetActive") == "(true,)", 20, "the lock")
            daemon.start()
            status = daemon.status()
            assert status["locked"] is True and status["state"] == "away", status
            assert status["activity_source"] == "mutter"

            proxy = start_screensaver_proxy(env, tmp_path / "proxy.log")
            screensaver(env, "org.gnome.ScreenSaver", "SetActive", "false")
            poll(lambda: daemon.status()["locked"] is False, 20, "the unlock")
            screensaver(env, "org.gnome.ScreenSaver", "Lock")
            poll(lambda: daemon.status()["locked"] is True, 20, "the lock through the proxy")
        except BaseException:
            daemon.kill()
            raise
        finally:
            if proxy is not None:
                stop(proxy)
            stop(shell)
        assert daemon.stop() == 0
    log = daemon.log()
    assert "org.gnome.ScreenSaver (from org.gnome.Shell.ScreenShield)" in log, log[-3000:]
    assert "screen locked (org.gnome.ScreenSaver)" in log
