"""The real daemon against hostile same-uid clients: a daemon to abuse, raw requests to
send it, clients that never read a reply (also for bench/socket_memory.py), and the
checks that it came through."""

from __future__ import annotations

import contextlib
import errno
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

from tests.integration.test_fault_socket import control_socket, exchange_one
from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess, write_config

# Long enough that no reminder comes during a test; ticks every second.
CONFIG = '[reminder]\nsit_limit = "1h"\n[activity]\npoll = "1s"\n'

STATUS_LINE = b'{"v": 1, "cmd": "status"}\n'
# What a client pushes per send: ~4000 requests, each answered with a ~2 KiB status.
BURST = STATUS_LINE * 4000


@contextlib.contextmanager
def running(
    tmp_path: Path, config: str = CONFIG, env: dict[str, str] | None = None
) -> Iterator[DeskguardProcess]:
    """`deskguard run` with no display and no bus (plus `env`), stopped at the end."""
    environment = {**isolated_env(tmp_path), **(env or {})}
    write_config(environment, config)
    process = DeskguardProcess(environment, tmp_path / "deskguard.log").start()
    try:
        yield process
    finally:
        process.stop()


def request(daemon: DeskguardProcess, cmd: str, args: Any = None, raw: str = "") -> Any:
    """One request on a connection of its own; `raw` is the args' JSON as sent."""
    args_text = raw or json.dumps(args or {})
    line = f'{{"v": 1, "cmd": "{cmd}", "args": {args_text}}}'.encode()
    answer = exchange_one(control_socket(daemon), line)
    assert answer is not None, f"no answer to {line[:100]!r}"
    return answer


def refused(answer: dict[str, Any], *words: str, title: str = "bad request") -> str:
    """The error message of a refusal with `title` that says each of `words`."""
    assert answer["ok"] is False, answer
    error = answer["error"]
    assert error["title"] == title, answer
    for word in words:
        assert word in error["message"], answer
    return str(error["message"])


def assert_healthy(daemon: DeskguardProcess) -> dict[str, Any]:
    """Still running, no traceback or internal error in its log; its status."""
    assert daemon.process is not None and daemon.process.poll() is None, daemon.log()[-3000:]
    log = daemon.log()
    assert "Traceback" not in log and "internal error" not in log, log[-3000:]
    return daemon.status()


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


class InBackground:
    """Runs `_run` in a daemon thread for as long as the `with` block lasts; `_run` ends
    once `stopping` is set (or `_interrupt` wakes it), and `_close` cleans up after it."""

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        self._interrupt()
        self._thread.join(10)
        self._close()

    def _run(self) -> None:
        raise NotImplementedError

    def _interrupt(self) -> None:
        pass

    def _close(self) -> None:
        pass


class NonReaders(InBackground):
    """`count` connections that send status requests as fast as the daemon takes them and
    never read: a thread pushes BURST into each until stopped, or until the daemon hangs
    up (`dropped` counts those)."""

    def __init__(self, path: Path, count: int) -> None:
        super().__init__()
        self.sockets: list[socket.socket] = []
        for _ in range(count):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(str(path))
            sock.setblocking(False)
            self.sockets.append(sock)
        self.dropped = 0
        self.sent = 0

    def wait_until_all_dropped(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.dropped == len(self.sockets):
                return True
            time.sleep(0.1)
        return False

    def _run(self) -> None:
        alive = list(self.sockets)
        while alive and not self.stopping.is_set():
            _, writable, _ = select.select([], alive, [], 0.2)
            for sock in writable:
                try:
                    self.sent += sock.send(BURST)
                except BlockingIOError:
                    continue
                except OSError as exc:  # the daemon hung up: its end is writable, and fails
                    if exc.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                        raise
                    alive.remove(sock)
                    self.dropped += 1

    def _close(self) -> None:
        for sock in self.sockets:
            sock.close()


class SlowBus(InBackground):
    """A session bus address where a connection gets no answer and is hung up on after
    `delay` seconds: every D-Bus adapter gives up in turn, so start-up takes seconds."""

    def __init__(self, path: Path, delay: float = 0.7) -> None:
        super().__init__()
        self.address = f"unix:path={path}"
        self._delay = delay
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen(64)

    def _run(self) -> None:
        while True:
            try:
                connection, _ = self._listener.accept()
            except OSError:
                return  # closed
            timer = threading.Timer(self._delay, connection.close)
            timer.daemon = True
            timer.start()

    def _interrupt(self) -> None:
        self._listener.close()  # ends its wait in accept()


class ChildCount(InBackground):
    """The most processes `pid` ran at once while the block lasted (sampled)."""

    def __init__(self, pid: int) -> None:
        super().__init__()
        self._pid = pid
        self.most = 0

    def _run(self) -> None:
        while not self.stopping.wait(0.005):
            self.most = max(self.most, len(children_of(self._pid)))


def children_of(pid: int) -> list[int]:
    """The pids of the processes `pid` started (of each of its threads) and that run."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(FileNotFoundError):
            children += [int(child) for child in (task / "children").read_text().split()]
    return children
