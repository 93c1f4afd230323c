"""The `camera` focus signal, read from /proc."""

from __future__ import annotations

import asyncio
import glob
import logging
import os

from deskguard.platform.focus.base import BaseSignal, FocusConfig, FocusUnavailable


class CameraInUse(BaseSignal):
    """Another process holds a video device open (a video call, a recording).

    Found through the /proc/PID/fd links: first the process that held it last time (during
    a call that is one directory), otherwise every process this user may look into. Nothing
    is scanned while no device matches the pattern (no camera plugged in).
    """

    name = "camera"

    def __init__(self, pattern: str, log: logging.Logger, proc: str = "/proc") -> None:
        super().__init__(log)
        self._pattern = os.path.expanduser(pattern)
        self._proc = proc
        self._holder: int | None = None

    @classmethod
    async def open(cls, settings: FocusConfig, log: logging.Logger) -> CameraInUse:
        if not os.path.isdir("/proc/self/fd"):
            raise FocusUnavailable("no /proc/PID/fd to look into (not Linux)")
        return cls(settings.video_devices, log)

    @property
    def how(self) -> str:
        found = len(_matching_devices(self._pattern))
        devices = f"{found} device{'' if found == 1 else 's'}" if found else "no device yet"
        return f"open {self._pattern} in other processes ({devices})"

    async def _check(self) -> bool:
        devices = _matching_devices(self._pattern)
        if not devices:
            self._holder = None
            return False
        self._holder = await asyncio.to_thread(
            find_holder, devices, self._holder, os.getpid(), self._proc
        )
        return self._holder is not None


def _matching_devices(pattern: str) -> frozenset[str]:
    """The paths a /proc/PID/fd link shows for each match (links resolved: by-id names)."""
    matches = glob.glob(pattern)
    return frozenset(os.path.abspath(p) for p in matches) | frozenset(
        os.path.realpath(p) for p in matches
    )


def find_holder(devices: frozenset[str], hint: int | None, own_pid: int, proc: str) -> int | None:
    """The id of a process other than `own_pid` with one of `devices` open, or None.

    Process `hint` is looked at first. Processes that vanish mid-scan or belong to other
    users (PermissionError) are passed over: both are normal.
    """
    if hint is not None and hint != own_pid and _holds(f"{proc}/{hint}/fd", devices):
        return hint
    try:
        entries = os.scandir(proc)
    except OSError:
        return None
    with entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if pid in (own_pid, hint):
                continue
            if _holds(f"{proc}/{pid}/fd", devices):
                return pid
    return None


def _holds(fd_dir: str, devices: frozenset[str]) -> bool:
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"{fd_dir}/{fd}") in devices:
                return True
        except OSError:
            continue  # closed between listing and reading
    return False
