"""The daemon with no display and no D-Bus, and its control socket under bad input."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config


@pytest.fixture
def bare_daemon(tmp_path: Path) -> Iterator[DeskguardProcess]:
    env = isolated_env(tmp_path)
    write_config(env, '[reminder]\nsit_limit = "2s"\nsnooze = "2s"\n[activity]\npoll = "1s"\n')
    process = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    yield process
    process.stop()


def socket_path(process: DeskguardProcess) -> Path:
    return Path(process.env["XDG_RUNTIME_DIR"]) / "deskguard" / "control.sock"


def exchange(path: Path, payload: bytes) -> list[dict[str, object]]:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def test_runs_on_defaults_without_display_or_bus(bare_daemon: DeskguardProcess) -> None:
    status = bare_daemon.status()
    assert status["activity_source"] == "none"
    assert status["notifier"] in ("log", "plyer")
    poll(lambda: "reminder:" in bare_daemon.log(), timeout=10, what="a reminder in the log")
    assert bare_daemon.wait_for_state("reminding")["pending_exercise"] in (
        "standing-back-bend",
        "quadriceps-stretch",
    )
    assert bare_daemon.cli("skip").returncode == 0
    assert bare_daemon.status()["state"] in ("active", "reminding")


def test_status_json_has_the_contract_fields(bare_daemon: DeskguardProcess) -> None:
    status = bare_daemon.status()
    for key in (
        "state",
        "sitting_seconds",
        "next_reminder_in_seconds",
        "snoozed_until",
        "paused_until",
        "activity_source",
        "notifier",
    ):
        assert key in status
    assert status["state"] in (
        "active",
        "away",
        "paused",
        "snoozed",
        "reminding",
        "break",
        "off-hours",
    )


def test_pause_resume_and_snooze_through_the_cli(bare_daemon: DeskguardProcess) -> None:
    paused = bare_daemon.cli("pause", "1h")
    assert paused.returncode == 0, paused.stderr
    status = bare_daemon.status()
    assert status["state"] == "paused"
    assert status["paused_until"] is not None and status["next_reminder_in_seconds"] is None
    again = bare_daemon.cli("resume")
    assert again.returncode == 0
    assert bare_daemon.cli("resume").returncode == 1  # not paused any more: a clear refusal
    snoozed = bare_daemon.cli("snooze", "30m")
    assert snoozed.returncode == 0, snoozed.stderr
    assert bare_daemon.status()["state"] == "snoozed"


def test_pause_until_tomorrow_ends_at_midnight_without_working_hours(
    bare_daemon: DeskguardProcess,
) -> None:
    assert bare_daemon.cli("pause", "tomorrow").returncode == 0
    until = datetime.fromisoformat(bare_daemon.status()["paused_until"])
    assert (until.hour, until.minute) == (0, 0)
    assert until.date() == (datetime.now(until.tzinfo) + timedelta(days=1)).date()
    assert bare_daemon.cli("pause", "soonish").returncode == 2


def test_socket_is_private(bare_daemon: DeskguardProcess) -> None:
    path = socket_path(bare_daemon)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"this is not json\n", "not a JSON object"),
        (b"[1, 2, 3]\n", "not a JSON object"),
        (b'{"v": 99, "cmd": "status"}\n', "unsupported protocol version"),
        (b'{"v": 1, "cmd": "format-disk"}\n', "unknown command"),
        (b'{"v": 1, "cmd": "status", "args": 5}\n', "args must be"),
        (b'{"v": 1, "cmd": "snooze", "args": {"seconds": "soon"}}\n', "number of seconds from 1"),
        (b'{"v": 1, "cmd": "pause", "args": {"seconds": 1e300}}\n', "number of seconds from 1"),
        (b"\xff\xfe\n", "not a JSON object"),
    ],
)
def test_malformed_messages_get_an_error_and_the_daemon_keeps_serving(
    bare_daemon: DeskguardProcess, payload: bytes, reason: str
) -> None:
    (reply,) = exchange(socket_path(bare_daemon), payload)
    assert reply["ok"] is False
    assert reason in json.dumps(reply["error"])
    assert bare_daemon.status()["state"]


def test_oversized_message_is_refused(bare_daemon: DeskguardProcess) -> None:
    (reply,) = exchange(socket_path(bare_daemon), b"x" * (200 * 1024) + b"\n")
    assert reply["ok"] is False
    assert "longer than" in json.dumps(reply["error"])
    assert bare_daemon.status()["state"]


def test_several_requests_on_one_connection(bare_daemon: DeskguardProcess) -> None:
    request = b'{"v": 1, "cmd": "status", "args": {}}\n'
    replies = exchange(socket_path(bare_daemon), request + b"garbage\n" + request)
    assert [reply["ok"] for reply in replies] == [True, False, True]


def test_reload_rejects_an_invalid_config_and_keeps_the_old_one(
    bare_daemon: DeskguardProcess,
) -> None:
    config = write_config(bare_daemon.env, '[reminder]\nsit_limit = "nonsense"\n')
    result = bare_daemon.cli("reload")
    assert result.returncode == 78  # invalid configuration, as from `config check`
    assert "old one is kept" in result.stderr
    assert "reminder.sit_limit" in result.stderr
    assert bare_daemon.status()["state"]
    config.write_text('[reminder]\nsit_limit = "2h"\n')
    bare_daemon.wait_for_state("reminding")
    assert bare_daemon.cli("reload").returncode == 0
    assert bare_daemon.cli("skip").returncode == 0
    assert bare_daemon.status()["next_reminder_in_seconds"] > 3600


def test_sighup_reloads(bare_daemon: DeskguardProcess) -> None:
    bare_daemon.wait_for_state("reminding")
    write_config(bare_daemon.env, '[reminder]\nsit_limit = "3h"\n')
    bare_daemon.signal(signal.SIGHUP)
    poll(lambda: "configuration reloaded" in bare_daemon.log(), what="the reload")
    assert bare_daemon.cli("skip").returncode == 0
    assert bare_daemon.status()["next_reminder_in_seconds"] > 2 * 3600


def test_invalid_config_at_start_exits_78(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    config = write_config(env, '[reminder]\nsit_limt = "2s"\n')
    result = DeskguardProcess(env, tmp_path / "log").cli("run", "--no-tray")
    assert result.returncode == 78
    assert f"{config}: reminder.sit_limt: unknown key" in result.stderr
    assert "Traceback" not in result.stderr


def test_stop_command(bare_daemon: DeskguardProcess) -> None:
    assert bare_daemon.cli("stop").returncode == 0
    assert bare_daemon.process is not None
    assert bare_daemon.process.wait(15) == 0
    assert bare_daemon.cli("status").returncode == 3


def test_another_user_is_refused(bare_daemon: DeskguardProcess, tmp_path: Path) -> None:
    """A client running as `nobody` cannot steer this user's daemon."""
    if os.getuid() != 0:
        pytest.fail("this test needs root to run a client as another user (CI runs as root)")
    client = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX)\n"
        "try:\n"
        "    s.connect(sys.argv[1])\n"
        "except OSError as e:\n"
        "    print('refused:', e.strerror); sys.exit(0)\n"
        's.sendall(b\'{"v": 1, "cmd": "stop"}\\n\')\n'
        "print(s.recv(4096).decode())\n"
    )
    result = subprocess.run(
        [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            sys.executable,
            "-c",
            client,
            str(socket_path(bare_daemon)),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    answer = result.stdout.strip()
    assert answer.startswith("refused:") or '"ok": false' in answer, answer
    assert bare_daemon.status()["state"]  # still running: the stop was not obeyed
