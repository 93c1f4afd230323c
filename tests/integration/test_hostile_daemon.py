"""Starting and stopping the real daemon when things go wrong: a scheduler that cannot
start, a stop while start-up still waits for a bus, requests before it is ready, and a
`deskguard stop` that must not say "stopped" of a daemon still there.

A start that fails ends the process with one line and exit code 1, holding nothing; a
request during start-up is told "starting" and changes nothing; `deskguard stop` says
"stopped" only once the daemon's process has ended.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deskguard.cli.control import STOP_WAIT
from deskguard.daemon.adapters import Adapters
from deskguard.daemon.config import DaemonConfig, resolve
from deskguard.daemon.instance import InstanceLock
from deskguard.daemon.runtime import Daemon
from deskguard.paths import ConfigFiles
from tests.integration.hostile import CONFIG, SlowBus, running
from tests.integration.test_fault_socket import control_socket, exchange_one
from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config

# systemd's watchdog interval, absurd: the scheduler's watchdog job cannot be made (a
# date past the year 9999), the way any job with an absurd interval cannot.
ABSURD_WATCHDOG = {"WATCHDOG_USEC": str(10**20)}


@contextlib.contextmanager
def launched(tmp_path: Path, extra: dict[str, str]) -> Iterator[DeskguardProcess]:
    """`deskguard run` with `extra` in its environment, not waited for; killed at the end
    should it still run (a test that failed on the way)."""
    env = {**isolated_env(tmp_path), **extra}
    write_config(env, CONFIG)
    daemon = DeskguardProcess(env, tmp_path / "deskguard.log").start(wait=False)
    try:
        yield daemon
    finally:
        daemon.kill()


def exit_code(daemon: DeskguardProcess, timeout: float) -> int:
    assert daemon.process is not None
    try:
        return daemon.process.wait(timeout)
    except subprocess.TimeoutExpired:
        daemon.kill()
        raise AssertionError(f"still running after {timeout} s:\n{daemon.log()}") from None


def assert_nothing_held(daemon: DeskguardProcess) -> None:
    """No socket answers, and the instance lock is free for the next daemon."""
    assert daemon.cli("status").returncode == 3, daemon.cli("status").stderr
    lock = InstanceLock(Path(daemon.env["XDG_RUNTIME_DIR"]) / "deskguard")
    lock.acquire()
    lock.release()


# ------------------------------------------------------------------ class 1: failed starts


def test_a_scheduler_that_cannot_start_ends_the_daemon_with_one_line(tmp_path: Path) -> None:
    with launched(tmp_path, ABSURD_WATCHDOG) as daemon:
        assert exit_code(daemon, timeout=20) == 1
    log = daemon.log()
    assert "Traceback" not in log, log
    why = [line for line in log.splitlines() if "could not start" in line]
    assert why == ["deskguard: deskguard could not start: OverflowError: date value out of range"]
    assert_nothing_held(daemon)
    # The same user, the same files: a daemon starts at once.
    env = {key: value for key, value in daemon.env.items() if key not in ABSURD_WATCHDOG}
    again = DeskguardProcess(env, tmp_path / "again.log").start()
    try:
        assert again.status()["state"] == "active"
    finally:
        again.stop()


def test_sigterm_while_start_up_waits_for_a_bus_ends_the_daemon(tmp_path: Path) -> None:
    with (
        SlowBus(tmp_path / "bus") as bus,
        launched(tmp_path, {"DBUS_SESSION_BUS_ADDRESS": bus.address}) as daemon,
    ):
        poll(lambda: control_socket(daemon).exists(), what="start-up under way")
        time.sleep(0.5)
        assert daemon.cli("status").stderr.startswith("deskguard: starting:")
        asked = time.monotonic()
        daemon.signal(signal.SIGTERM)
        assert exit_code(daemon, timeout=10) == 0
        took = time.monotonic() - asked
    assert took < 2, f"stopped {took:.1f} s after SIGTERM: start-up went on first"
    log = daemon.log()
    assert "stopped before start-up finished" in log and "Traceback" not in log, log
    assert_nothing_held(daemon)


class OpenerFailure(Exception):
    pass


def failing_opener(
    config: DaemonConfig, on_action: Callable[[str], None], on_dismissed: Callable[[], None]
) -> Awaitable[Adapters]:
    async def fail() -> Adapters:
        raise OpenerFailure("the adapters cannot be opened")

    return fail()


def test_a_start_that_fails_in_process_releases_what_it_took(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in isolated_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    config = resolve(ConfigFiles(system=[], user=tmp_path / "absent.toml"))
    daemon = Daemon(config, adapters=failing_opener)
    with pytest.raises(OpenerFailure):
        daemon.start()
    assert not daemon._loop_thread.is_alive()
    assert not config.paths.control_socket.exists()
    lock = InstanceLock(config.paths.runtime_dir)
    lock.acquire()  # released: another daemon may start
    lock.release()
    daemon.shutdown()  # a second shutdown is harmless


# ------------------------------------------------------------------ class 11: start-up race


def snooze_until_served(daemon: DeskguardProcess) -> list[dict[str, Any]]:
    """Ask to snooze, as fast as possible from the process's start, until one is served
    (or refused for a reason other than "starting"); every reply received, in order."""
    line = b'{"v": 1, "cmd": "snooze", "args": {"seconds": 600}}'
    replies: list[dict[str, Any]] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            reply = exchange_one(control_socket(daemon), line)
        except (FileNotFoundError, ConnectionRefusedError):
            continue  # no socket yet
        assert reply is not None
        replies.append(reply)
        if reply["ok"] or reply["error"]["title"] != "starting":
            return replies
    raise AssertionError(f"no snooze served within 30 s:\n{daemon.log()}")


def test_requests_during_start_up_are_told_starting_and_change_nothing(
    tmp_path: Path,
) -> None:
    with (
        SlowBus(tmp_path / "bus") as bus,
        launched(tmp_path, {"DBUS_SESSION_BUS_ADDRESS": bus.address}) as daemon,
    ):
        try:
            replies = snooze_until_served(daemon)
            *early, served = replies
            assert served["ok"] is True, served
            assert early, "start-up was too quick to send a request during it"
            for reply in early:
                assert reply["error"] == {
                    "title": "starting",
                    "message": "deskguard is still starting; try again in a moment",
                }
            # Only the served one was applied: one snooze used of three.
            assert daemon.status()["snoozes_left"] == 2
            assert "Traceback" not in daemon.log()
        finally:
            daemon.stop()


def test_sighups_during_start_up_wait_for_it_and_become_one_reload(tmp_path: Path) -> None:
    with (
        SlowBus(tmp_path / "bus") as bus,
        launched(tmp_path, {"DBUS_SESSION_BUS_ADDRESS": bus.address}) as daemon,
    ):
        try:
            # The activity source is opened first, notifications next: start-up is halfway.
            poll(lambda: "activity source: none, so" in daemon.log(), what="the activity source")
            for _ in range(200):
                daemon.signal(signal.SIGHUP)
                time.sleep(0.001)
            poll(lambda: "configuration reloaded" in daemon.log(), timeout=30, what="a reload")
            time.sleep(1)
            log = daemon.log()
            assert log.count("configuration reloaded") == 1, log
            assert "Traceback" not in log and "background work failed" not in log, log
            assert daemon.status()["state"] == "active"
        finally:
            daemon.stop()


# ------------------------------------------------------------------ an honest `stop`


def test_stop_says_stopped_once_the_process_has_ended(tmp_path: Path) -> None:
    with running(tmp_path) as daemon:
        assert daemon.process is not None
        result = daemon.cli("stop")
        assert (result.returncode, result.stdout) == (0, "deskguard stopped.\n"), result
        # Gone (a zombie until this test, its parent, reaps it): reaped at once.
        assert daemon.process.wait(1) == 0


FAKE_DAEMON = """
import json, socket, sys
listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
listener.bind(sys.argv[1])
listener.listen(4)
print("listening", flush=True)
while True:
    connection, _ = listener.accept()
    connection.recv(65536)
    reply = {"v": 1, "ok": True, "result": {"stopping": True}}
    connection.sendall(json.dumps(reply).encode() + b"\\n")
    connection.close()
"""


@contextlib.contextmanager
def daemon_that_never_stops(path: Path) -> Iterator[subprocess.Popen[str]]:
    """Says it is stopping, and goes on (as a half-started daemon did)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fake = subprocess.Popen(
        [sys.executable, "-c", FAKE_DAEMON, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert fake.stdout is not None and fake.stdout.readline() == "listening\n"
        yield fake
    finally:
        fake.kill()
        fake.wait()


@pytest.mark.timeout(120)
def test_stop_of_a_daemon_that_stays_says_it_did_not_stop(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    path = Path(env["XDG_RUNTIME_DIR"]) / "deskguard" / "control.sock"
    with daemon_that_never_stops(path) as fake:
        started = time.monotonic()
        result = DeskguardProcess(env, tmp_path / "log").cli("stop", timeout=STOP_WAIT + 30)
        took = time.monotonic() - started
        assert fake.poll() is None
    assert result.returncode == 1, result
    assert result.stdout == ""
    assert result.stderr == (
        f"deskguard: deskguard did not stop: pid {fake.pid} still runs {STOP_WAIT:.0f} s"
        f" after it was asked to; `kill {fake.pid}` ends it\n"
    )
    assert took >= STOP_WAIT
