"""Absurd and hostile configuration, through the real `deskguard`: one line, exit 78.

Every value here once passed validation and broke the daemon later (an overflowing poll
left a daemon that could not be stopped), or broke the reader itself with a traceback.
Each must now be refused where the user meets it — `config check`, `config show`, `run`,
the environment and a reload — with one "FILE: key: reason" line.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess, deskguard_executable, write_config

BAD_CONFIG = 78


def deskguard(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # The timeout is part of the test: a reader that blocks (a pipe, /dev/zero) must fail.
    return subprocess.run(
        [deskguard_executable(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )


def refused(result: subprocess.CompletedProcess[str], code: int = BAD_CONFIG) -> str:
    """The one line `result` printed on stderr, after checking the exit code."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == code, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def refused_everywhere(env: dict[str, str], path: Path) -> str:
    """The line `config check PATH`, `config show --config PATH` and `run --config PATH`
    each print for `path` (they must agree); `run` must end, not half-start."""
    lines = {
        refused(deskguard(env, "config", "check", str(path))),
        refused(deskguard(env, "config", "show", "--config", str(path))),
        refused(deskguard(env, "run", "--no-tray", "--config", str(path))),
    }
    assert len(lines) == 1, lines
    return lines.pop()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path)


def nested_arrays(depth: int) -> str:
    return "x = " + "[" * depth + "]" * depth + "\n"


def nested_tables(depth: int) -> str:
    return "x = " + "{ a = " * depth + "1" + " }" * depth + "\n"


ABSURD: list[tuple[str | bytes, str]] = [
    # (the file, the line after "FILE: ")
    ('[activity]\npoll = "70000000h"\n', "activity.poll: must be at most 1h, got '70000000h'"),
    ('[activity]\npoll = "61m"\n', "activity.poll: must be at most 1h, got '61m'"),
    (
        '[reminder]\nsit_limit = "100000000h"\n',
        "reminder.sit_limit: must be at most 24h, got '100000000h'",
    ),
    ("[reminder]\nsnooze = 86401\n", "reminder.snooze: must be at most 24h, got 86401"),
    (
        "[reminder]\nnatural_break = 1" + "0" * 60 + "\n",
        "reminder.natural_break: must be at most 24h, got a number of more than 40 digits",
    ),
    ('[routine]\nlength = "2h1s"\n', "routine.length: must be at most 2h, got '2h1s'"),
    ('[focus]\nmax_deferral = "25h"\n', "focus.max_deferral: must be at most 24h, got '25h'"),
    (
        '[reminder]\nsit_limit = "1' + "0" * 5000 + 's"\n',
        "reminder.sit_limit: expected a duration like '45m', '90s' or '1h30m', "
        "got '1" + "0" * 39 + "'…",
    ),
    (
        "[reminder]\nsit_limit = 1e308\n",
        "reminder.sit_limit: expected a duration like '45m', '90s' or '1h30m', got 1e+308",
    ),
    ("[reminder]\nsit_limit = 0\n", "reminder.sit_limit: must be longer than zero seconds"),
    (
        "[reminder]\nmax_snoozes = 101\n",
        "reminder.max_snoozes: Input should be less than or equal to 100",
    ),
    (
        "[reminder]\nmax_snoozes = -1\n",
        "reminder.max_snoozes: Input should be greater than or equal to 0",
    ),
    (
        "[reminder]\nmax_snoozes = 2.5\n",
        "reminder.max_snoozes: Input should be a valid integer, "
        "got a number with a fractional part",
    ),
    (
        "[walking]\ndaily_goal_km = inf\n",
        "walking.daily_goal_km: Input should be less than or equal to 100",
    ),
    # A number Python will not even read (more than 4300 digits) stops the whole file.
    (
        "[reminder]\nmax_snoozes = 1" + "0" * 5000 + "\n",
        "not valid TOML: a number has thousands of digits",
    ),
    # Files that are not TOML text at all.
    (b"\xff\xfe\x00\x01binary", "not UTF-8 text (byte 1); is it the right file?"),
    (b'[reminder]\nsit_limit = "\xc3\x28"\n', "not UTF-8 text (byte 25); is it the right file?"),
    (nested_arrays(5000), "not valid TOML: arrays or tables nested too deeply"),
    (nested_tables(5000), "not valid TOML: arrays or tables nested too deeply"),
    (
        "[reminder]\0\n",
        "not valid TOML: Expected newline or end of document after a statement "
        "(at line 1, column 11)",
    ),
]


@pytest.mark.parametrize(("text", "reason"), ABSURD, ids=[r[:40] for _t, r in ABSURD])
def test_an_absurd_value_or_file_is_refused_by_every_command(
    env: dict[str, str], tmp_path: Path, text: str | bytes, reason: str
) -> None:
    path = tmp_path / "absurd.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    assert refused_everywhere(env, path) == f"{path}: {reason}"


def test_every_bound_itself_is_allowed(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "longest.toml"
    path.write_text(
        '[reminder]\nsit_limit = "24h"\nsnooze = 86400\nnatural_break = "24h"\n'
        "max_snoozes = 100\n"
        '[activity]\npoll = "1h"\n[routine]\nlength = "2h"\n'
        '[focus]\nmax_deferral = "24h"\nvideo_devices = "/dev/v4l/by-id/*-video-index[0-9]"\n'
        "[walking]\ndaily_goal_km = 100\n"
    )
    result = deskguard(env, "config", "check", str(path))
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{path}: ok\n", "")


def test_an_absurd_environment_variable_is_refused_by_check_and_run(env: dict[str, str]) -> None:
    env["DESKGUARD_ACTIVITY__POLL"] = "70000000h"
    line = (
        "environment DESKGUARD_ACTIVITY__POLL: activity.poll: must be at most 1h, got '70000000h'"
    )
    assert refused(deskguard(env, "config", "check")) == line
    assert refused(deskguard(env, "config", "show")) == line
    assert refused(deskguard(env, "run", "--no-tray")) == line


def test_json_nested_thousands_deep_in_a_variable_is_named(env: dict[str, str]) -> None:
    env["DESKGUARD_SCHEDULE__ACTIVE"] = "[" * 5000 + "]" * 5000
    assert refused(deskguard(env, "config", "check")) == (
        "environment DESKGUARD_SCHEDULE__ACTIVE: schedule.active: "
        "arrays or tables nested too deeply"
    )


CAMERA_GLOBS = [
    ("/**/**/**/*", "may have wildcards (* ? [) only in the file name"),
    ("/dev/*/video*", "may have wildcards (* ? [) only in the file name"),
    ("/[a-z]*/video0", "may have wildcards (* ? [) only in the file name"),
    ("video*", "must be an absolute path like '/dev/video*'"),
    ("", "must not be empty"),
]


@pytest.mark.parametrize(("pattern", "reason"), CAMERA_GLOBS)
def test_a_camera_glob_that_would_search_the_disk_is_refused(
    env: dict[str, str], tmp_path: Path, pattern: str, reason: str
) -> None:
    path = tmp_path / "camera.toml"
    path.write_text(f'[focus]\nvideo_devices = "{pattern}"\n')
    assert refused_everywhere(env, path).startswith(f"{path}: focus.video_devices: {reason}")


def test_nesting_python_can_follow_is_an_ordinary_unknown_key(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(nested_arrays(300))
    assert refused_everywhere(env, path) == f"{path}: x: unknown key"


def test_a_binary_system_config_is_named_by_check_and_run(
    env: dict[str, str], tmp_path: Path
) -> None:
    system = tmp_path / "site" / "deskguard" / "config.toml"
    system.parent.mkdir(parents=True)
    system.write_bytes(b"\x00\xff\xff")
    env["XDG_CONFIG_DIRS"] = str(tmp_path / "site")
    line = f"{system}: not UTF-8 text (byte 2); is it the right file?"
    assert refused(deskguard(env, "config", "check")) == line
    assert refused(deskguard(env, "run", "--no-tray")) == line


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n", "not UTF-8 text (byte 1); is it the right file?"),
        (nested_tables(5000), "not valid TOML: arrays or tables nested too deeply"),
        (
            b"[exercises.crunch.repetitions]\ncount = 1000\n",
            "exercises.crunch.repetitions.count: Input should be less than or equal to 100",
        ),
        (
            b"[exercises.crunch.hold]\nmin_seconds = 5\nmax_seconds = 86400\n",
            "exercises.crunch.hold.max_seconds: Input should be less than or equal to 600",
        ),
    ],
)
def test_a_broken_user_catalog_is_named_by_catalog_and_run(
    env: dict[str, str], data: str | bytes, reason: str
) -> None:
    catalog = Path(env["XDG_CONFIG_HOME"]) / "deskguard" / "catalog.toml"
    catalog.parent.mkdir(parents=True)
    catalog.write_bytes(data if isinstance(data, bytes) else data.encode())
    line = f"{catalog}: {reason}"
    assert refused(deskguard(env, "catalog", "list")) == line
    assert refused(deskguard(env, "run", "--no-tray")) == line


@pytest.fixture
def daemon(env: dict[str, str], tmp_path: Path) -> Iterator[DeskguardProcess]:
    write_config(env, '[activity]\nsource = "none"\npoll = "1s"\n')
    process = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    yield process
    assert process.stop() == 0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('[activity]\nsource = "none"\npoll = "70000000h"\n', "activity.poll: must be at most 1h"),
        ('[focus]\nvideo_devices = "/**/**/**/*"\n', "focus.video_devices: may have wildcards"),
        ("[reminder]\nmax_snoozes = 1" + "0" * 5000 + "\n", "not valid TOML: a number has"),
        ("\udcff", "not UTF-8 text (byte 1)"),
    ],
)
def test_a_reload_into_an_absurd_config_keeps_the_daemon_as_it_was(
    daemon: DeskguardProcess, text: str, reason: str
) -> None:
    path = write_config(daemon.env, "")
    path.write_bytes(text.encode(errors="surrogateescape"))
    result = daemon.cli("reload")
    assert result.returncode == 78 and "Traceback" not in result.stderr
    assert f"{path}: {reason}" in result.stderr
    # The daemon answers and runs on the configuration it had.
    config = daemon.status()["config"]
    assert (config["activity"]["poll"], config["focus"]["video_devices"]) == ("1s", "/dev/video*")
    assert "Traceback" not in daemon.log()
