"""`deskguard doctor` against a real desktop and against none."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.desktop import HeadlessDesktop
from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess


def checks(process: DeskguardProcess) -> dict[str, dict[str, object]]:
    result = process.cli("doctor", "--json")
    assert result.returncode == 0, result.stderr
    return {check["name"]: check for check in json.loads(result.stdout)}


def test_doctor_sees_the_desktop(desktop_with_tray: HeadlessDesktop, tmp_path: Path) -> None:
    process = DeskguardProcess(desktop_with_tray.env, tmp_path / "log")
    found = checks(process)
    assert found["session"]["ok"]
    notifications = found["notifications"]
    assert notifications["ok"] and "dunst" in str(notifications["detail"]).lower()
    assert "actions" in str(notifications["detail"])
    assert found["tray host"]["ok"] and "XEmbed" in str(found["tray host"]["detail"])
    assert found["activity source x11"]["ok"]
    assert str(found["activity source x11"]["detail"]).startswith("ok: idle")
    assert not found["daemon"]["ok"] and "deskguard run" in str(found["daemon"]["fix"])
    process.start()
    try:
        assert checks(process)["daemon"]["ok"]
    finally:
        process.stop()


def test_doctor_without_a_desktop_says_how_to_fix_each_problem(tmp_path: Path) -> None:
    found = checks(DeskguardProcess(isolated_env(tmp_path), tmp_path / "log"))
    for name in ("session", "notifications", "tray host", "activity"):
        assert not found[name]["ok"], name
        assert found[name]["fix"], name
    assert "windows" not in " ".join(found)  # only this system's sources are listed
    assert found["config"]["ok"] and found["history"]["ok"]


def test_doctor_text_output(desktop: HeadlessDesktop, tmp_path: Path) -> None:
    result = DeskguardProcess(desktop.env, tmp_path / "log").cli("doctor")
    assert result.returncode == 0
    assert "ok  notifications:" in result.stdout
    assert "!!  daemon: deskguard is not running" in result.stdout
    assert "fix: start it with `deskguard run`" in result.stdout
