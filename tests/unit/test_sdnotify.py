"""sd_notify messages reach a real datagram socket, and nothing breaks without one."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deskguard.daemon import sdnotify


def _receive(sock: socket.socket) -> str:
    return sock.recv(4096).decode()


@pytest.fixture
def listener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    """A socket bound where $NOTIFY_SOCKET points, as systemd sets it up for a notify unit."""
    path = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(path))
        sock.settimeout(5)  # a missing message fails the test instead of hanging it
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        yield sock


@pytest.mark.parametrize(
    ("send", "expected"),
    [
        (sdnotify.ready, "READY=1"),
        (sdnotify.stopping, "STOPPING=1"),
        (sdnotify.watchdog, "WATCHDOG=1"),
    ],
)
def test_helpers_send_their_message(
    listener: socket.socket, send: Callable[[], bool], expected: str
) -> None:
    assert send() is True
    assert _receive(listener) == expected


def test_messages_arrive_in_order(listener: socket.socket) -> None:
    assert sdnotify.status("Sitting for 12 min")
    assert sdnotify.ready()
    assert sdnotify.notify("RELOADING=1")
    assert [_receive(listener) for _ in range(3)] == [
        "STATUS=Sitting for 12 min",
        "READY=1",
        "RELOADING=1",
    ]


def test_status_stays_on_one_line(listener: socket.socket) -> None:
    assert sdnotify.status("Sitting for 12 min\nNext stretch in 33 min")
    assert _receive(listener) == "STATUS=Sitting for 12 min Next stretch in 33 min"


def test_abstract_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"deskguard-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert sdnotify.ready() is True
        assert _receive(sock) == "READY=1"


@pytest.mark.parametrize("value", [None, "", "vsock:2:1234"])
def test_no_socket_is_a_quiet_no_op(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is None:
        monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    else:
        monkeypatch.setenv("NOTIFY_SOCKET", value)
    assert sdnotify.notify("READY=1") is False
    assert sdnotify.ready() is False
    assert sdnotify.watchdog() is False


def test_nobody_listening_returns_false(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone.sock"))
    assert sdnotify.ready() is False


@pytest.mark.parametrize(
    ("usec", "pid", "expected"),
    [
        ("30000000", None, 30.0),
        ("30000000", "self", 30.0),
        ("1500000", None, 1.5),
        ("30000000", "other", None),
        ("0", None, None),
        ("soon", None, None),
        (None, None, None),
    ],
)
def test_watchdog_interval(
    monkeypatch: pytest.MonkeyPatch, usec: str | None, pid: str | None, expected: float | None
) -> None:
    for name, value in (("WATCHDOG_USEC", usec), ("WATCHDOG_PID", pid)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            own = os.getpid()
            value = {"self": str(own), "other": str(own + 1)}.get(value, value)
            monkeypatch.setenv(name, value)
    assert sdnotify.watchdog_interval() == expected
