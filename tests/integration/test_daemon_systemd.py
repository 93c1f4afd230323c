"""The daemon speaks the sd_notify protocol the way its Type=notify unit expects."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess, write_config


def test_ready_watchdog_and_stopping_are_sent(tmp_path: Path) -> None:
    address = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
        listener.bind(str(address))
        listener.settimeout(15)
        env = isolated_env(tmp_path)
        env.update(NOTIFY_SOCKET=str(address), WATCHDOG_USEC="1000000")
        write_config(env, '[activity]\npoll = "1s"\n')
        daemon = DeskguardProcess(env, tmp_path / "deskguard.log").start(wait=False)
        messages: list[str] = []
        try:
            deadline = time.monotonic() + 15
            while messages.count("WATCHDOG=1") < 3 and time.monotonic() < deadline:
                messages.append(listener.recv(4096).decode())
            assert messages[0] == "READY=1", messages
            assert messages.count("WATCHDOG=1") >= 3, messages
            assert daemon.status()["state"]
        finally:
            assert daemon.stop() == 0
        while (message := listener.recv(4096).decode()) == "WATCHDOG=1":
            pass
        assert message == "STOPPING=1"
