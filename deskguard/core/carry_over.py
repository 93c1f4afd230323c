"""Rules for carrying a sitting stretch over a daemon restart (a crash, an upgrade).

The daemon saves its sitting time now and then (deskguard.daemon.carry_over writes the
file); a daemon started on the same boot soon after, sooner than a natural break, carries
the stretch on instead of starting from zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from deskguard.core.decisions import Instant

# How often a sitting stretch that goes on is saved (seconds). Nothing is lost in between:
# a restart adds the time since the save, and writing at every reading cost more CPU than
# the rest of a tick.
SAVE_EVERY = 60.0


@dataclass(frozen=True)
class SavedSitting:
    sitting_seconds: float
    boottime: float
    boot: str  # the kernel's boot id: boot-clock times of another boot are never compared
    # How much of the stretch a clean shutdown already wrote to the history.
    recorded_seconds: float = 0.0


def saved_problem(saved: SavedSitting) -> str | None:
    """Why `saved` cannot be a stretch deskguard saved (None when it can be): the file is
    read back from disk and may hold anything, `Infinity` and `1e308` included. Every
    number is finite; the part already recorded is within the stretch, and the stretch
    within the boot it was saved in (nobody sits longer than the machine has been up)."""
    numbers = (saved.sitting_seconds, saved.boottime, saved.recorded_seconds)
    if not all(math.isfinite(number) for number in numbers):
        return "a number that is not finite"
    if not 0 <= saved.recorded_seconds <= saved.sitting_seconds <= saved.boottime:
        return (
            f"{saved.sitting_seconds:g} s of sitting ({saved.recorded_seconds:g} s recorded)"
            f" {saved.boottime:g} s after boot"
        )
    return None


def carried_sitting(
    saved: SavedSitting | None, at: Instant, natural_break: float, boot: str
) -> float:
    """Sitting to resume with: the saved stretch plus the gap, if the gap was short (a
    stretch saved later than now, by the boot clock, is not carried on either)."""
    if saved is None or not saved.boot or saved.boot != boot or saved_problem(saved):
        return 0.0
    gap = at.boottime - saved.boottime
    if not 0 <= gap < natural_break:
        return 0.0
    return saved.sitting_seconds + gap


@dataclass(frozen=True)
class SaveMark:
    """What the sitting file said when it was last written."""

    sitting_seconds: float
    present: bool
    boottime: float


def save_due(last: SaveMark | None, sitting_seconds: float, present: bool, at: Instant) -> bool:
    """Save when the stretch ends, when the user comes or goes, else every SAVE_EVERY."""
    return (
        last is None
        or present != last.present
        or sitting_seconds < last.sitting_seconds
        or at.boottime - last.boottime >= SAVE_EVERY
    )
