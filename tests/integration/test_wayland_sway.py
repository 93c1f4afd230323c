"""The daemon on sway (wlroots, headless): idle through org_kde_kwin_idle, reset by a key
press from wtype, and a fullscreen window seen through wlroots' foreign toplevels."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.desktop import require_program
from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config
from tests.support.wayland import Sway


@pytest.fixture(scope="module")
def sway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sway]:
    with Sway(tmp_path_factory.mktemp("sway")) as running:
        yield running


def daemon_on(sway: Sway, tmp_path: Path, config: str) -> DeskguardProcess:
    env = isolated_env(tmp_path)
    env["WAYLAND_DISPLAY"] = sway.env["WAYLAND_DISPLAY"]
    write_config(env, config)
    return DeskguardProcess(env, tmp_path / "deskguard.log").start()


def press_shift(sway: Sway) -> None:
    subprocess.run(
        [require_program("wtype"), "-k", "Shift_L"], env=sway.env, check=True, timeout=10
    )


def test_idle_through_kde_idle_grows_and_a_key_press_resets_it(sway: Sway, tmp_path: Path) -> None:
    daemon = daemon_on(
        sway, tmp_path, '[reminder]\nnatural_break = "6s"\n[activity]\npoll = "1s"\n'
    )
    try:
        assert daemon.status()["activity_source"] == "wayland"
        assert "org_kde_kwin_idle" in daemon.log()  # sway 1.7 has no ext_idle_notifier_v1
        poll(lambda: daemon.status()["idle_seconds"] >= 3, timeout=15, what="idle time to grow")
        press_shift(sway)
        poll(lambda: daemon.status()["idle_seconds"] < 2, timeout=5, what="idle time to reset")
    finally:
        daemon.stop()


def test_a_fullscreen_window_defers_a_due_reminder(sway: Sway, tmp_path: Path) -> None:
    window = sway.open_window("movie")
    sway.set_fullscreen("movie", True)
    daemon = daemon_on(
        sway,
        tmp_path,
        '[reminder]\nsit_limit = "2s"\nnatural_break = "1h"\n[activity]\npoll = "1s"\n',
    )
    try:
        poll(
            lambda: daemon.status()["deferred_by"] == ["fullscreen"],
            timeout=15,
            what="the reminder to wait for the fullscreen window",
        )
        sway.set_fullscreen("movie", False)
        daemon.wait_for_state("reminding", timeout=10)
    finally:
        window.kill()
        daemon.stop()


def test_the_idle_source_comes_back_when_sway_restarts(sway: Sway, tmp_path: Path) -> None:
    """Last in the module: it restarts the module's compositor."""
    daemon = daemon_on(
        sway, tmp_path, '[reminder]\nnatural_break = "6s"\n[activity]\npoll = "1s"\n'
    )
    try:
        assert daemon.status()["activity_source"] == "wayland"
        sway.restart()
        poll(
            lambda: "activity source wayland back after" in daemon.log(),
            timeout=20,
            what="the Wayland source to come back",
        )
        assert daemon.log().count("activity source wayland lost") == 1, daemon.log()
        poll(lambda: daemon.status()["idle_seconds"] >= 3, timeout=15, what="idle time to grow")

        def typed_and_idle_dropped() -> bool:
            press_shift(sway)
            return bool(daemon.status()["idle_seconds"] < 2)

        poll(typed_and_idle_dropped, timeout=10, what="idle time to follow input again")
    finally:
        daemon.stop()
