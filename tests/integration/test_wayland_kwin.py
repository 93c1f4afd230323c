"""The daemon on KDE Plasma's compositor (kwin_wayland --virtual): idle from the Wayland
protocol, natural breaks, the lock, and a fullscreen window seen through KWin."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config
from tests.support.wayland import Kwin

SCREENSAVER = ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver")


@pytest.fixture(scope="module")
def kwin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kwin]:
    with Kwin(tmp_path_factory.mktemp("kwin")) as running:
        yield running


def daemon_on(kwin: Kwin, tmp_path: Path, config: str) -> DeskguardProcess:
    env = isolated_env(tmp_path)
    env["WAYLAND_DISPLAY"] = kwin.env["WAYLAND_DISPLAY"]
    env["DBUS_SESSION_BUS_ADDRESS"] = kwin.env["DBUS_SESSION_BUS_ADDRESS"]
    write_config(env, config)
    return DeskguardProcess(env, tmp_path / "deskguard.log").start()


def screensaver(kwin: Kwin, member: str) -> None:
    name, path = SCREENSAVER
    subprocess.run(
        ["gdbus", "call", "--session", "-d", name, "-o", path, "-m", f"{name}.{member}"],
        env=kwin.env,
        check=True,
        capture_output=True,
        timeout=10,
    )


def test_auto_picks_the_wayland_source_and_doctor_names_its_protocol(
    kwin: Kwin, tmp_path: Path
) -> None:
    daemon = daemon_on(kwin, tmp_path, '[activity]\npoll = "1s"\n')
    try:
        assert daemon.status()["activity_source"] == "wayland"
        doctor = daemon.cli("doctor").stdout
        assert "activity source wayland: ok" in doctor
        assert "ext_idle_notifier_v1" in doctor
        # KWin's D-Bus idle time does not work there: the reason it is not used is shown.
        assert "NotSupported" in doctor
    finally:
        daemon.stop()


def test_idle_grows_without_input_and_resets_on_user_activity(kwin: Kwin, tmp_path: Path) -> None:
    # A 6 s natural break subscribes with a 2 s timeout: idle time shows from 2 s on.
    daemon = daemon_on(
        kwin, tmp_path, '[reminder]\nnatural_break = "6s"\n[activity]\npoll = "1s"\n'
    )
    try:
        poll(lambda: daemon.status()["idle_seconds"] >= 3, timeout=15, what="idle time to grow")
        screensaver(kwin, "SimulateUserActivity")
        poll(lambda: daemon.status()["idle_seconds"] < 2, timeout=5, what="idle time to reset")
        assert daemon.status()["state"] == "active"
    finally:
        daemon.stop()


def test_a_natural_break_without_input_resets_sitting(kwin: Kwin, tmp_path: Path) -> None:
    daemon = daemon_on(
        kwin, tmp_path, '[reminder]\nnatural_break = "3s"\n[activity]\npoll = "1s"\n'
    )
    try:

        def sat_a_while() -> bool:
            screensaver(kwin, "SimulateUserActivity")  # the user types
            return bool(daemon.status()["sitting_seconds"] >= 3)

        poll(sat_a_while, timeout=15, what="sitting to reach 3 s")
        away = daemon.wait_for_state("away", timeout=15)
        assert away["sitting_seconds"] == 0
        assert "natural break after" in daemon.log()
        screensaver(kwin, "SimulateUserActivity")
        daemon.wait_for_state("active", timeout=5)
    finally:
        daemon.stop()


def test_a_fullscreen_window_defers_a_due_reminder(kwin: Kwin, tmp_path: Path) -> None:
    window = kwin.open_window("movie", fullscreen=True)
    daemon = daemon_on(
        kwin,
        tmp_path,
        '[reminder]\nsit_limit = "2s"\nnatural_break = "1h"\n[activity]\npoll = "1s"\n',
    )
    try:
        poll(
            lambda: daemon.status()["deferred_by"] == ["fullscreen"],
            timeout=15,
            what="the reminder to wait for the fullscreen window",
        )
        assert daemon.status()["state"] == "active"
        window.terminate()
        window.wait(10)
        daemon.wait_for_state("reminding", timeout=10)
    finally:
        window.kill()
        daemon.stop()


def test_locking_counts_as_away(kwin: Kwin, tmp_path: Path) -> None:
    """Last in this module: KWin's lock screen stays up (nothing here can unlock it)."""
    daemon = daemon_on(
        kwin, tmp_path, '[reminder]\nnatural_break = "1h"\n[activity]\npoll = "1s"\n'
    )
    try:
        daemon.wait_for_state("active", timeout=5)
        screensaver(kwin, "Lock")
        away = daemon.wait_for_state("away", timeout=10)
        assert away["locked"] is True
    finally:
        daemon.stop()
