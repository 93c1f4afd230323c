"""The sitting stretch survives a daemon restart (a crash, an upgrade, a reload by systemd).

After every reading the daemon saves its sitting time; a daemon started on the same boot
soon after — sooner than a natural break — carries it on instead of starting from zero.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from deskguard.core.tracker import Instant

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def boot_id() -> str:
    """Changes at every boot, so boot-clock times of another boot are never compared."""
    try:
        return _BOOT_ID.read_text().strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class SavedSitting:
    sitting_seconds: float
    boottime: float
    boot: str
    # How much of the stretch a clean shutdown already wrote to the history.
    recorded_seconds: float = 0.0


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


def carried_sitting(saved: SavedSitting | None, at: Instant, natural_break: float) -> float:
    """Sitting to resume with: the saved stretch plus the gap, if the gap was short."""
    if saved is None or not saved.boot or saved.boot != boot_id():
        return 0.0
    gap = at.boottime - saved.boottime
    if not 0 <= gap < natural_break:
        return 0.0
    return saved.sitting_seconds + gap
