"""The session bus disappears under a running daemon.

A real desktop (Xvfb, private session bus, dunst); the daemon shows a reminder through
dunst, then the bus daemon is killed outright. The daemon must keep running: the next
reminder goes to the log, its outcome is still recorded in the history, `status` still
answers, and a SIGTERM still stops it cleanly.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
from pathlib import Path

from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, history_path, write_config

CONFIG = """\
[reminder]
sit_limit = "2s"
snooze = "2s"
natural_break = "1h"
[activity]
poll = "1s"
"""


def reminders(env: dict[str, str]) -> list[tuple[str, str | None]]:
    with contextlib.closing(sqlite3.connect(history_path(env), timeout=10)) as db:
        return list(db.execute("SELECT notifier, outcome FROM reminders ORDER BY id"))


def gone(pid: int) -> bool:
    """Exited (a zombie until the harness reaps it counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat[stat.rindex(")") + 2] in "ZX"


def test_the_session_bus_gone_entirely(tmp_path: Path) -> None:
    with HeadlessDesktop(tmp_path / "desktop") as desktop:
        env = desktop.env
        write_config(env, CONFIG)
        daemon = DeskguardProcess(env, tmp_path / "deskguard.log").start()
        try:
            assert str(daemon.status()["notifier"]).startswith("dbus"), daemon.status()
            shown = desktop.wait_for_notification(lambda n: "skip" in n.actions, timeout=15)
            assert shown.id is not None
            assert daemon.cli("skip").returncode == 0
            on_the_bus = reminders(env)
            assert on_the_bus and on_the_bus[-1][1] == "skipped", on_the_bus
            assert on_the_bus[-1][0].startswith("dbus"), on_the_bus

            bus = desktop.processes["dbus-daemon"]
            os.kill(bus, signal.SIGKILL)
            poll(lambda: gone(bus), what="the session bus to be gone")
            logged_before = len(daemon.log())

            def reminder_in_the_log() -> bool:
                return "notice: Time to stand up" in daemon.log()[logged_before:]

            poll(reminder_in_the_log, timeout=20, what="the next reminder in the log")
            status = daemon.wait_for_state("reminding")
            assert status["notifier"] == "log", status
            skipped = daemon.cli("skip")
            assert skipped.returncode == 0, skipped.stderr
            after = reminders(env)
            assert after[: len(on_the_bus)] == on_the_bus  # nothing recorded before is lost
            assert after[len(on_the_bus)] == ("log", "skipped"), after
            # And on it goes without a bus: another reminder, answered from the CLI.
            poll(lambda: len(reminders(env)) > len(on_the_bus) + 1, timeout=20, what="one more")
            assert daemon.wait_for_state("reminding")["notifier"] == "log"
            assert daemon.cli("skip").returncode == 0
            assert reminders(env)[-1] == ("log", "skipped")
            assert daemon.process is not None and daemon.process.poll() is None
        except BaseException:
            daemon.kill()
            raise
        assert daemon.stop() == 0, daemon.log()[-4000:]
    running = daemon.log().split(" stopping\n")[0]  # what it logged before it was stopped
    assert "ERROR" not in running and "Traceback" not in running, running[-4000:]
