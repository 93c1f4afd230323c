"""Installing and removing the login start-up, with a private config dir and a fake PATH."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from deskguard.errors import UserError
from deskguard.platform import autostart
from deskguard.platform.autostart import (
    MARKER,
    SystemdUserService,
    XdgAutostart,
    daemon_command,
    deskguard_command,
    desktop_exec_line,
    systemd_exec_line,
)

COMMAND = ["/opt/deskguard/bin/deskguard"]


def _executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private $XDG_CONFIG_HOME and a PATH with nothing on it (so no systemctl)."""
    home = tmp_path / "config"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("PATH", str(bin_dir))
    return home


@pytest.fixture
def systemctl_log(config_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in `systemctl` on PATH that records each call and succeeds."""
    log = tmp_path / "systemctl.log"
    monkeypatch.setenv("SYSTEMCTL_LOG", str(log))
    _executable(tmp_path / "bin" / "systemctl", '#!/bin/sh\necho "$*" >> "$SYSTEMCTL_LOG"\n')
    return log


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


# --- the start command ---------------------------------------------------------------------


def test_command_prefers_the_running_script(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config_home: Path
) -> None:
    script = _executable(tmp_path / "venv" / "bin" / "deskguard", "#!/bin/sh\n")
    _executable(tmp_path / "bin" / "deskguard", "#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(script), "service", "install"])
    assert deskguard_command() == [str(script)]


def test_command_from_path(tmp_path: Path, config_home: Path) -> None:
    on_path = _executable(tmp_path / "bin" / "deskguard", "#!/bin/sh\n")
    assert deskguard_command() == [str(on_path)]


def test_command_falls_back_to_the_interpreter(config_home: Path) -> None:
    assert deskguard_command() == [os.path.abspath(sys.executable), "-m", "deskguard"]


def test_systemd_exec_line_quotes_and_escapes() -> None:
    assert systemd_exec_line(["/usr/bin/deskguard", "run"]) == "/usr/bin/deskguard run"
    assert systemd_exec_line(["/opt/my apps/desk%guard", "run"]) == '"/opt/my apps/desk%%guard" run'
    assert systemd_exec_line(['/o/$HOME"\\', "run"]) == '"/o/$$HOME\\"\\\\" run'


def test_desktop_exec_line_quotes_and_escapes() -> None:
    assert desktop_exec_line(["/usr/bin/deskguard", "run"]) == "/usr/bin/deskguard run"
    assert desktop_exec_line(["/opt/my apps/desk%guard", "run"]) == '"/opt/my apps/desk%%guard" run'
    # Quoted for the Exec rules ("\$"), then the string escape doubles the backslash.
    assert desktop_exec_line(["/o/$x", "run"]) == '"/o/\\\\$x" run'


# --- systemd user service ------------------------------------------------------------------


def test_systemd_install_without_systemctl_writes_unit_and_says_what_to_run(
    config_home: Path,
) -> None:
    unit = config_home / "systemd" / "user" / "deskguard.service"
    lines = SystemdUserService(COMMAND).install()

    text = unit.read_text()
    assert text.startswith(MARKER + "\n")
    assert "ExecStart=/opt/deskguard/bin/deskguard run\n" in text
    assert "Type=notify\n" in text
    assert lines[0] == f"Wrote {unit}"
    assert "    systemctl --user daemon-reload" in lines
    assert "    systemctl --user enable --now deskguard.service" in lines
    assert SystemdUserService(COMMAND).is_installed()


def test_systemd_install_is_idempotent(config_home: Path) -> None:
    service = SystemdUserService(COMMAND)
    service.install()
    first = service.path.read_text()
    lines = service.install()
    assert service.path.read_text() == first
    assert lines[0] == f"Already up to date: {service.path}"
    assert sorted(p.name for p in service.path.parent.iterdir()) == ["deskguard.service"]


def test_systemd_install_follows_a_moved_executable(config_home: Path) -> None:
    SystemdUserService(COMMAND).install()
    lines = SystemdUserService(["/elsewhere/deskguard"]).install()
    assert lines[0].startswith("Wrote ")
    assert "ExecStart=/elsewhere/deskguard run\n" in SystemdUserService().path.read_text()


def test_systemd_install_with_systemctl_reloads_and_enables(
    config_home: Path, systemctl_log: Path
) -> None:
    lines = SystemdUserService(COMMAND).install()
    assert _calls(systemctl_log) == [
        "--user show --property=Version",
        "--user daemon-reload",
        "--user enable --now deskguard.service",
    ]
    assert "Ran: systemctl --user enable --now deskguard.service" in lines


def test_systemd_install_reports_a_failing_systemctl(
    tmp_path: Path, config_home: Path, systemctl_log: Path
) -> None:
    _executable(
        tmp_path / "bin" / "systemctl",
        '#!/bin/sh\n[ "$2" = enable ] && { echo "Unit file is masked." >&2; exit 1; }\nexit 0\n',
    )
    with pytest.raises(UserError) as caught:
        SystemdUserService(COMMAND).install()
    assert caught.value.title == "`systemctl --user enable --now deskguard.service` failed"
    assert caught.value.message == "Unit file is masked."


def test_systemd_uninstall_without_systemctl_removes_unit_and_dangling_links(
    config_home: Path,
) -> None:
    service = SystemdUserService(COMMAND)
    service.install()
    # What `systemctl --user enable` would have made when the user ran it by hand.
    wants = service.path.parent / "graphical-session.target.wants"
    wants.mkdir()
    (wants / "deskguard.service").symlink_to(service.path)
    unrelated = wants / "other.service"
    unrelated.symlink_to(service.path.parent / "other.service")

    lines = service.uninstall()
    assert not service.path.exists()
    assert not (wants / "deskguard.service").is_symlink()
    assert unrelated.is_symlink()
    assert f"Removed {service.path}" in lines
    assert "    systemctl --user stop deskguard.service" in lines


def test_systemd_uninstall_disables_first(config_home: Path, systemctl_log: Path) -> None:
    service = SystemdUserService(COMMAND)
    service.install()
    systemctl_log.unlink()
    lines = service.uninstall()
    assert _calls(systemctl_log) == [
        "--user show --property=Version",
        "--user disable --now deskguard.service",
        "--user daemon-reload",
    ]
    assert lines == [
        "Ran: systemctl --user disable --now deskguard.service",
        f"Removed {service.path}",
        "Ran: systemctl --user daemon-reload",
    ]


def test_systemd_uninstall_when_nothing_installed_says_so(config_home: Path) -> None:
    service = SystemdUserService(COMMAND)
    lines = service.uninstall()
    assert lines == [
        f"Nothing to remove: there is no systemd user service ({service.path} does not exist)."
    ]
    assert not service.is_installed()


def test_files_not_written_by_install_are_left_alone(config_home: Path) -> None:
    service = SystemdUserService(COMMAND)
    service.path.parent.mkdir(parents=True)
    service.path.write_text("[Service]\nExecStart=/home/me/my-own-deskguard\n")
    with pytest.raises(UserError):
        service.install()
    assert service.uninstall() == [
        f"Left {service.path} alone: `deskguard service install` did not write it."
    ]
    assert service.path.read_text() == "[Service]\nExecStart=/home/me/my-own-deskguard\n"


def test_a_missing_shipped_unit_is_a_user_error(
    config_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing(name: str) -> Path:
        raise FileNotFoundError(f"deskguard is missing its shipped file {name!r}; reinstall it")

    monkeypatch.setattr(autostart, "shipped_file", missing)
    with pytest.raises(UserError, match="reinstall it"):
        SystemdUserService(COMMAND).install()
    assert not SystemdUserService(COMMAND).path.exists()


# --- XDG autostart -------------------------------------------------------------------------


def test_xdg_install_writes_desktop_entry(config_home: Path) -> None:
    entry = config_home / "autostart" / "deskguard.desktop"
    lines = XdgAutostart(["/opt/my apps/deskguard"]).install()

    text = entry.read_text()
    assert text.startswith(MARKER + "\n[Desktop Entry]\n")
    for line in (
        "Type=Application",
        "Name=deskguard",
        'Exec="/opt/my apps/deskguard" run',
        "X-GNOME-Autostart-enabled=true",
    ):
        assert line in text.splitlines()
    assert any(line.startswith("Comment=") for line in text.splitlines())
    assert any(line.startswith("Icon=") for line in text.splitlines())
    assert lines == [
        f"Wrote {entry}",
        "deskguard will start at your next login. To start it now, run:",
        "    '/opt/my apps/deskguard' run",
    ]


def test_xdg_install_is_idempotent_and_uninstall_removes_it(config_home: Path) -> None:
    entry = XdgAutostart(COMMAND)
    entry.install()
    assert entry.install()[0] == f"Already up to date: {entry.path}"
    assert entry.is_installed()

    lines = entry.uninstall()
    assert lines[0] == f"Removed {entry.path}"
    assert not entry.path.exists()
    assert entry.path.parent.is_dir()  # the user's other autostart entries live there
    assert entry.uninstall()[0].startswith("Nothing to remove: there is no XDG autostart entry")


def test_constructing_touches_nothing(config_home: Path) -> None:
    SystemdUserService()
    XdgAutostart()
    assert not config_home.exists()


# --- `deskguard service` -------------------------------------------------------------------


def _service_group() -> click.Group:
    from deskguard.cli.service import service

    return service


def _run(*args: str) -> str:
    result = CliRunner().invoke(_service_group(), list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_cli_install_and_uninstall_systemd(config_home: Path) -> None:
    unit = config_home / "systemd" / "user" / "deskguard.service"
    output = _run("install")
    assert f"Wrote {unit}" in output
    assert "systemctl --user enable --now deskguard.service" in output
    assert unit.is_file()

    output = _run("uninstall")
    assert f"Removed {unit}" in output
    assert not unit.exists()


def test_cli_autostart_replaces_the_service_and_back(config_home: Path) -> None:
    unit = config_home / "systemd" / "user" / "deskguard.service"
    entry = config_home / "autostart" / "deskguard.desktop"
    _run("install")
    output = _run("install", "--autostart")
    assert "Replacing the systemd user service with the XDG autostart entry:" in output
    assert entry.is_file() and not unit.exists()

    output = _run("install")
    assert "Replacing the XDG autostart entry with the systemd user service:" in output
    assert unit.is_file() and not entry.exists()


def test_cli_uninstall_with_nothing_installed(config_home: Path) -> None:
    output = _run("uninstall")
    assert output.startswith("deskguard is not set to start at login: neither ")


def test_cli_shows_user_errors(config_home: Path) -> None:
    unit = config_home / "systemd" / "user" / "deskguard.service"
    unit.parent.mkdir(parents=True)
    unit.write_text("[Service]\n")
    result = CliRunner().invoke(_service_group(), ["install"])
    assert isinstance(result.exception, UserError)
    assert "was not written by deskguard" in result.exception.title


@pytest.mark.parametrize("args", [[], ["install"], ["uninstall"]])
def test_cli_every_command_has_help(args: list[str]) -> None:
    output = _run(*args, "--help")
    assert "Usage:" in output
    assert "login" in output


def test_register_adds_the_service_group() -> None:
    from deskguard.cli.service import register

    group = click.Group("deskguard")
    register(group)
    assert group.commands["service"] is _service_group()


# --- `deskguard open`, which starts the daemon the installed way -----------------------------


@pytest.fixture
def no_daemon(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """A runtime dir with no control socket, and os.execv recording instead of replacing
    this process; returns the argv lists it was given."""
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    started: list[list[str]] = []
    monkeypatch.setattr(os, "execv", lambda path, argv: started.append([path, *argv]))
    return started


def _open() -> str:
    from deskguard.cli.launcher import open_deskguard

    result = CliRunner().invoke(open_deskguard, [], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_open_starts_the_installed_service_through_systemd(
    config_home: Path, systemctl_log: Path, no_daemon: list[list[str]]
) -> None:
    SystemdUserService(COMMAND).install()
    assert _open() == "Ran: systemctl --user start deskguard.service\n"
    assert _calls(systemctl_log)[-1] == "--user start deskguard.service"
    assert no_daemon == []


def test_open_runs_the_daemon_itself_without_a_reachable_service(
    config_home: Path, no_daemon: list[list[str]]
) -> None:
    SystemdUserService(COMMAND).install()  # installed, but systemctl is out of reach
    _open()
    [(path, *argv)] = no_daemon
    assert argv == [*deskguard_command(), "run"] and path == argv[0]


def test_open_has_help() -> None:
    from deskguard.cli.launcher import open_deskguard

    output = CliRunner().invoke(open_deskguard, ["--help"]).output
    assert "Start deskguard if it is not running" in output


def test_the_login_starts_the_daemon_module_with_deskguards_own_python(tmp_path: Path) -> None:
    script = tmp_path / "venv" / "bin" / "deskguard"
    script.parent.mkdir(parents=True)
    script.write_text("#!/home/u/.local/share/deskguard/venv/bin/python3\nimport sys\n")
    daemon = ["/home/u/.local/share/deskguard/venv/bin/python3", "-m", "deskguard.daemon"]
    assert daemon_command([str(script)]) == daemon
    assert daemon_command(["/usr/bin/python3", "-m", "deskguard"]) == [
        "/usr/bin/python3",
        "-m",
        "deskguard.daemon",
    ]
    # Not a Python script (or not readable): `deskguard run`, which becomes the daemon.
    shell = tmp_path / "deskguard-wrapper"
    shell.write_text('#!/bin/sh\nexec deskguard "$@"\n')
    assert daemon_command([str(shell)]) == [str(shell), "run"]
    assert daemon_command(["/nonexistent/deskguard"]) == ["/nonexistent/deskguard", "run"]
    unit = SystemdUserService([str(script)], config_home=tmp_path / "config").unit_text()
    assert f"ExecStart={' '.join(daemon)}\n" in unit
