"""The shipped user unit, and the one `deskguard service install` writes, pass systemd's checks.

`systemd-analyze verify --user` needs no running systemd, only a private XDG_RUNTIME_DIR.
It fails (rc 1) on a missing ExecStart executable, but only warns (rc 0) about an unknown
key or a bad value, so every check also requires an empty stderr.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from deskguard.paths import shipped_file
from deskguard.platform.autostart import SystemdUserService

pytestmark = pytest.mark.integration

SYSTEMD_ANALYZE = shutil.which("systemd-analyze")
CHECKOUT_UNIT = Path(__file__).resolve().parents[2] / "systemd" / "deskguard.service"

needs_systemd_analyze = pytest.mark.skipif(
    SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed"
)


@pytest.fixture
def fake_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A HOME and XDG_CONFIG_HOME of our own, so no real user unit takes part."""
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    return home


def verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    assert SYSTEMD_ANALYZE is not None
    runtime = tmp_path / "runtime"
    runtime.mkdir()
    runtime.chmod(0o700)
    return subprocess.run(
        [SYSTEMD_ANALYZE, "verify", "--user", str(unit)],
        env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


def assert_required_lines(text: str) -> None:
    lines = {line.strip() for line in text.splitlines()}
    for required in (
        "Type=notify",
        "NotifyAccess=main",
        "WatchdogSec=60",
        "Restart=on-failure",
        "RestartSec=5",
        "PartOf=graphical-session.target",
        "After=graphical-session.target",
        "WantedBy=graphical-session.target",
    ):
        assert required in lines, f"{required} is missing"
    assert any(line.startswith("Description=") for line in lines)
    assert sum(line.startswith("ExecStart=") for line in lines) == 1


def test_the_shipped_unit_is_found() -> None:
    assert shipped_file("deskguard.service").read_text() == CHECKOUT_UNIT.read_text()
    assert_required_lines(CHECKOUT_UNIT.read_text())


@needs_systemd_analyze
def test_the_shipped_unit_verifies(tmp_path: Path, fake_home: Path) -> None:
    assert_clean(verify(CHECKOUT_UNIT, tmp_path))


@needs_systemd_analyze
def test_verify_catches_what_a_return_code_alone_misses(tmp_path: Path, fake_home: Path) -> None:
    broken = tmp_path / "deskguard.service"
    text = CHECKOUT_UNIT.read_text()
    broken.write_text(text.replace("Type=notify", "Type=notify\nWatchDogSec=60"))
    result = verify(broken, tmp_path)
    assert result.returncode == 0
    assert "Unknown key" in result.stderr


@needs_systemd_analyze
@pytest.mark.parametrize("folder", ["bin", "my apps/100% bin"])
def test_the_installed_unit_verifies(
    tmp_path: Path, fake_home: Path, monkeypatch: pytest.MonkeyPatch, folder: str
) -> None:
    # A real executable named deskguard on PATH; also one whose path needs quoting.
    executable = tmp_path / folder / "deskguard"
    executable.parent.mkdir(parents=True)
    executable.write_text("#!/bin/sh\n")
    executable.chmod(executable.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(executable.parent))  # and no systemctl

    service = SystemdUserService()
    lines = service.install()

    unit = fake_home / ".config" / "systemd" / "user" / "deskguard.service"
    assert service.path == unit
    assert lines[0] == f"Wrote {unit}"
    text = unit.read_text()
    assert_required_lines(text)
    exec_start = next(line for line in text.splitlines() if line.startswith("ExecStart="))
    if " " in folder:
        assert exec_start == f'ExecStart="{str(executable).replace("%", "%%")}" run'
    else:
        assert exec_start == f"ExecStart={executable} run"
    assert_clean(verify(unit, tmp_path))
