"""The real `deskguard` executable in a subprocess, for integration tests."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from tests.support.polling import poll

T = TypeVar("T")


def deskguard_executable() -> str:
    """The console script installed beside the running interpreter."""
    script = Path(sys.executable).parent / "deskguard"
    if not script.exists():
        raise RuntimeError(f"{script} is missing: install the project (pip install -e .)")
    return str(script)


def write_config(env: Mapping[str, str], text: str) -> Path:
    """Write the user config file where the daemon in `env` will read it."""
    path = Path(env["XDG_CONFIG_HOME"]) / "deskguard" / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def history_path(env: Mapping[str, str]) -> Path:
    return Path(env["XDG_STATE_HOME"]) / "deskguard" / "history.sqlite3"


class DeskguardProcess:
    """`deskguard run` with the given environment; `cli()` runs other commands against it."""

    def __init__(
        self, env: Mapping[str, str], log_path: Path, args: tuple[str, ...] = ("--no-tray",)
    ):
        self.env = dict(env)
        self.log_path = log_path
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: bool = True) -> DeskguardProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [deskguard_executable(), "run", *self.args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        if wait:
            poll(self._answers_status, timeout=20, what="the daemon's control socket")
        return self

    def _answers_status(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise AssertionError(f"deskguard run exited {self.process.returncode}:\n{self.log()}")
        return self.cli("status", "--json").returncode == 0

    def cli(self, *args: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [deskguard_executable(), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def status(self) -> dict[str, Any]:
        result = self.cli("status", "--json")
        assert result.returncode == 0, result.stderr
        status: dict[str, Any] = json.loads(result.stdout)
        return status

    def wait_for_state(self, state: str, timeout: float = 10.0) -> dict[str, Any]:
        def check() -> dict[str, Any] | None:
            status = self.status()
            return status if status["state"] == state else None

        return poll(check, timeout, what=f"state {state!r}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM and wait; returns the exit code."""
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"deskguard did not stop on SIGTERM:\n{self.log()}") from None
        return self.process.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait()
