"""Where the sitting stretch is kept for a restart: the sitting file (the rules are in
core.carry_over). A simulation keeps it in memory instead (`SittingInMemory`)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Protocol

from deskguard.core.carry_over import SavedSitting
from deskguard.core.tracker import Instant

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def boot_id() -> str:
    """Changes at every boot."""
    try:
        return _BOOT_ID.read_text().strip()
    except OSError:
        return ""


def save(path: Path, sitting_seconds: float, at: Instant, recorded_seconds: float = 0.0) -> None:
    """Write atomically: a crash mid-write leaves the previous file intact."""
    data = {
        "sitting_seconds": sitting_seconds,
        "boottime": at.boottime,
        "boot": boot_id(),
        "recorded_seconds": recorded_seconds,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(data))
    os.replace(partial, path)


def load(path: Path) -> SavedSitting | None:
    try:
        data = json.loads(path.read_text())
        return SavedSitting(
            float(data["sitting_seconds"]),
            float(data["boottime"]),
            str(data["boot"]),
            float(data.get("recorded_seconds", 0.0)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # none saved, or unreadable: start from zero


class SittingStore(Protocol):
    """The saved stretch, and the boot it belongs to."""

    boot: str

    def load(self) -> SavedSitting | None: ...
    def save(self, sitting_seconds: float, at: Instant, recorded_seconds: float = 0.0) -> None:
        """May raise OSError; a stretch not saved is only lost to a crash."""
        ...


class SittingFile:
    """The sitting file in the state folder (`sitting.json`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.boot = boot_id()

    def load(self) -> SavedSitting | None:
        return load(self.path)

    def save(self, sitting_seconds: float, at: Instant, recorded_seconds: float = 0.0) -> None:
        save(self.path, sitting_seconds, at, recorded_seconds)


class SittingInMemory:
    """For a simulation: nothing on disk, nothing carried over from before."""

    boot = "simulated"

    def __init__(self) -> None:
        self.saved: SavedSitting | None = None

    def load(self) -> SavedSitting | None:
        return self.saved

    def save(self, sitting_seconds: float, at: Instant, recorded_seconds: float = 0.0) -> None:
        self.saved = SavedSitting(sitting_seconds, at.boottime, self.boot, recorded_seconds)
