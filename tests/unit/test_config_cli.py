"""`deskguard config ...` and the command line's exit codes, through the real executable."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import click
import pytest

from deskguard.cli import cli
from deskguard.errors import ExitCode
from deskguard.model import plain
from deskguard.model.settings import Settings
from tests.support.env import isolated_env

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path, [tmp_path / "site-a", tmp_path / "site-b"])


def deskguard(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "deskguard", *args],
        env=env,
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def user_config(env: dict[str, str]) -> Path:
    return Path(env["XDG_CONFIG_HOME"]) / "deskguard" / "config.toml"


def defaults() -> dict[str, Any]:
    """The built-in defaults as TOML values."""
    defaults: dict[str, Any] = plain.encode(Settings())
    return defaults


# -- config check ---------------------------------------------------------------------


def test_check_reports_every_problem_of_a_file_and_exits_78(env: dict[str, str]) -> None:
    bad = write(Path(env["HOME"]) / "BAD.toml", '[reminder]\nsit_limt = "3s"\nsnooze = "soon"\n')
    result = deskguard(env, "config", "check", str(bad))
    assert result.returncode == ExitCode.BAD_CONFIG == 78
    assert result.stdout == ""
    assert sorted(result.stderr.splitlines()) == [
        f"{bad}: reminder.sit_limt: unknown key",
        f"{bad}: reminder.snooze: expected a duration like '45m', '90s' or '1h30m', got 'soon'",
    ]


@pytest.mark.parametrize(
    ("toml", "line"),
    [
        ("[reminder]\nsit_limit = 1.5\n", "reminder.sit_limit: expected a duration like"),
        ("[reminder\n", "not valid TOML: "),
        ("[reminder]\nsit_limit = 0\n", "reminder.sit_limit: must be longer than zero seconds"),
        ('[activity]\nsource = "gnome"\n', "activity.source: Input should be 'auto'"),
    ],
)
def test_check_explains_other_mistakes_without_a_traceback(
    env: dict[str, str], toml: str, line: str
) -> None:
    bad = write(Path(env["HOME"]) / "bad.toml", toml)
    result = deskguard(env, "config", "check", str(bad))
    assert result.returncode == 78
    [reported] = result.stderr.splitlines()
    assert reported.startswith(f"{bad}: {line}")


def test_check_passes_a_valid_file(env: dict[str, str]) -> None:
    good = write(
        Path(env["HOME"]) / "good.toml",
        '[reminder]\nsit_limit = "30m"\n[schedule]\nactive = ["mon-fri 08:00-18:00"]\n',
    )
    result = deskguard(env, "config", "check", str(good))
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{good}: ok\n", "")


def test_check_passes_the_shipped_file(env: dict[str, str]) -> None:
    shipped = PROJECT / "config" / "deskguard.toml"
    assert deskguard(env, "config", "check", str(shipped)).returncode == 0


def test_check_without_a_path_checks_the_files_in_effect(env: dict[str, str]) -> None:
    result = deskguard(env, "config", "check")
    assert (result.returncode, result.stdout) == (0, "configuration ok\n")

    path = write(user_config(env), "[tray]\nenable = false\n")
    result = deskguard(env, "config", "check")
    assert result.returncode == 78
    assert result.stderr.splitlines() == [f"{path}: tray.enable: unknown key"]


def test_check_without_a_path_reports_a_bad_environment_variable(env: dict[str, str]) -> None:
    write(user_config(env), '[reminder]\nsnooze = "5m"\n')
    env["DESKGUARD_REMINDER__SIT_LIMIT"] = "3x"
    result = deskguard(env, "config", "check")
    assert result.returncode == 78
    assert result.stderr.splitlines() == [
        "environment DESKGUARD_REMINDER__SIT_LIMIT: reminder.sit_limit: "
        "expected a duration like '45m', '90s' or '1h30m', got '3x'"
    ]


def test_check_reports_a_missing_deskguard_config_file(env: dict[str, str]) -> None:
    missing = Path(env["HOME"]) / "missing.toml"
    env["DESKGUARD_CONFIG"] = str(missing)
    result = deskguard(env, "config", "check")
    assert result.returncode == 78
    assert result.stderr.splitlines() == [f"{missing}: no such file (from DESKGUARD_CONFIG)"]


# -- config show ----------------------------------------------------------------------


def test_show_prints_the_effective_configuration_as_toml(env: dict[str, str]) -> None:
    write(
        Path(env["HOME"]) / "site-b" / "deskguard" / "config.toml",
        '[reminder]\nsnooze = "7m"\n[activity]\nsource = "x11"\n',
    )
    write(
        user_config(env),
        '[reminder]\nsit_limit = "30m"\nmax_snoozes = 1\n'
        '[schedule]\nactive = ["sat 10:00-12:00"]\n',
    )
    env["DESKGUARD_REMINDER__SIT_LIMIT"] = "3s"
    env["DESKGUARD_TRAY__ENABLED"] = "false"
    result = deskguard(env, "config", "show")
    assert result.returncode == 0, result.stderr
    shown = tomllib.loads(result.stdout)
    expected = defaults()
    expected["reminder"].update(sit_limit="3s", snooze="7m", max_snoozes=1)
    expected["activity"]["source"] = "x11"
    expected["schedule"]["active"] = ["sat 10:00-12:00"]
    expected["tray"]["enabled"] = False
    assert shown == expected


def test_show_with_defaults_only_matches_the_shipped_file(env: dict[str, str]) -> None:
    result = deskguard(env, "config", "show")
    assert result.returncode == 0, result.stderr
    shipped = tomllib.loads((PROJECT / "config" / "deskguard.toml").read_text(encoding="utf-8"))
    assert tomllib.loads(result.stdout) == shipped == defaults()


def test_show_refuses_an_invalid_configuration(env: dict[str, str]) -> None:
    path = write(user_config(env), '[reminder]\nsnooze = "soon"\n')
    result = deskguard(env, "config", "show")
    assert result.returncode == 78
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}: reminder.snooze: ")


# -- config path ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["config show", "simulate TRACE"])
def test_a_config_option_naming_a_missing_file_is_an_error(
    env: dict[str, str], tmp_path: Path, command: str
) -> None:
    trace = write(tmp_path / "trace.csv", "time,idle_seconds,event\n0,0,\n")
    missing = tmp_path / "typo.toml"
    args = command.replace("TRACE", str(trace)).split()
    result = deskguard(env, *args, "--config", str(missing))
    assert result.returncode == 78, result.stderr
    assert result.stderr.strip() == f"{missing}: no such file"


def test_path_lists_where_every_file_is_looked_for(env: dict[str, str]) -> None:
    home = Path(env["HOME"])
    write(user_config(env), "")
    result = deskguard(env, "config", "path")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines == [
        f"system config:  {home / 'site-b' / 'deskguard' / 'config.toml'}  (absent)",
        f"system config:  {home / 'site-a' / 'deskguard' / 'config.toml'}  (absent)",
        f"user config:    {home / 'config' / 'deskguard' / 'config.toml'}",
        f"user catalog:   {home / 'config' / 'deskguard' / 'catalog.toml'}  (absent)",
        f"shipped config: {PROJECT / 'config' / 'deskguard.toml'}",
        f"history:        {home / 'state' / 'deskguard' / 'history.sqlite3'}",
        f"control socket: {home / 'runtime' / 'deskguard' / 'control.sock'}",
    ]


def test_path_shows_the_user_file_from_deskguard_config(env: dict[str, str]) -> None:
    chosen = Path(env["HOME"]) / "chosen.toml"
    env["DESKGUARD_CONFIG"] = str(chosen)
    result = deskguard(env, "config", "path")
    assert result.returncode == 0, result.stderr
    assert f"user config:    {chosen}  (absent: defaults apply)" in result.stdout.splitlines()


# -- help and exit codes --------------------------------------------------------------


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    context = click.Context(group)  # the top-level group loads its commands when asked
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += command_paths(command, (*prefix, name))
    return found


COMMANDS = command_paths(cli)


def test_the_commands_of_the_design_exist() -> None:
    for path in [
        ("run",),
        ("status",),
        ("snooze",),
        ("pause",),
        ("resume",),
        ("break",),
        ("skip",),
        ("reload",),
        ("stop",),
        ("routine",),
        ("stats",),
        ("catalog", "list"),
        ("catalog", "show"),
        ("config", "check"),
        ("config", "show"),
        ("config", "path"),
        ("service", "install"),
        ("service", "uninstall"),
        ("doctor",),
    ]:
        assert path in COMMANDS


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda path: " ".join(path) or "deskguard")
def test_every_command_has_help(env: dict[str, str], path: tuple[str, ...]) -> None:
    result = deskguard(env, *path, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: {' '.join(('deskguard', *path))} ")
    assert result.stderr == ""


def test_status_without_a_daemon_exits_3_and_says_how_to_start_it(env: dict[str, str]) -> None:
    assert not (Path(env["XDG_RUNTIME_DIR"]) / "deskguard" / "control.sock").exists()
    for args in (("status",), ("status", "--json")):
        result = deskguard(env, *args)
        assert result.returncode == ExitCode.NOT_RUNNING == 3
        assert result.stdout == ""
        assert "deskguard is not running" in result.stderr
        assert "deskguard run" in result.stderr


def test_a_bad_duration_on_the_command_line_is_a_usage_error(env: dict[str, str]) -> None:
    result = deskguard(env, "snooze", "10x")
    assert result.returncode == ExitCode.USAGE == 2
    assert result.stderr.startswith("Usage: deskguard snooze ")
    assert "expected a duration like '45m', '90s' or '1h30m', got '10x'" in result.stderr
