"""One daemon per user: an exclusive lock on a file in the runtime directory."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from deskguard.errors import UserError


class AlreadyRunning(UserError):
    def __init__(self, pid: str) -> None:
        super().__init__(
            "deskguard is already running" + (f" (pid {pid})" if pid else ""),
            "use `deskguard status` to see it or `deskguard stop` to stop it",
        )


def ensure_private_dir(path: Path) -> None:
    """Create `path` readable by this user only (the control socket lives there)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)


class InstanceLock:
    """Held for the daemon's lifetime; the kernel releases it if the process dies."""

    def __init__(self, runtime_dir: Path) -> None:
        self.path = runtime_dir / "daemon.lock"
        self._handle: IO[str] | None = None

    def acquire(self) -> None:
        ensure_private_dir(self.path.parent)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            pid = handle.read().strip()
            handle.close()
            raise AlreadyRunning(pid) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
