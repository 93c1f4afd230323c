"""What the sitting tracker reads and decides: clock readings, its policy, its states, the
decisions it hands back (remind, defer, close a reminder, a sitting stretch ended) and
the snapshot it shows. Plain values; the rules are in deskguard.core.tracker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from deskguard.core.schedule import WorkingHours

if TYPE_CHECKING:
    from deskguard.model.settings import Settings

# Boot and monotonic clocks drift apart by microseconds between two reads; only a gap
# longer than this is taken as the machine having slept.
SLEEP_NOISE = 0.5
# The shortest snooze or pause (seconds): anything shorter is a mistake, and would use up
# a snooze for nothing.
SHORTEST_WAIT = 1


class State(StrEnum):
    ACTIVE = "active"
    AWAY = "away"
    PAUSED = "paused"
    SNOOZED = "snoozed"
    REMINDING = "reminding"
    BREAK = "break"
    OFF_HOURS = "off-hours"


class Outcome(StrEnum):
    """How a reminder ended; stored in the history."""

    ACCEPTED = "accepted"
    SNOOZED = "snoozed"
    SKIPPED = "skipped"
    DISMISSED = "dismissed"
    NATURAL_BREAK = "natural-break"


@dataclass(frozen=True)
class Instant:
    """One reading of the clocks, taken together."""

    monotonic: float
    boottime: float
    wall: datetime


@dataclass(frozen=True)
class Policy:
    """The reminder settings the tracker needs, in seconds."""

    sit_limit: float = 45 * 60
    snooze: float = 10 * 60
    max_snoozes: int = 3
    natural_break: float = 5 * 60
    working_hours: WorkingHours = WorkingHours()
    max_deferral: float = 30 * 60

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        """The part of the settings the tracker works with."""
        return cls(
            sit_limit=settings.reminder.sit_limit,
            snooze=settings.reminder.snooze,
            max_snoozes=settings.reminder.max_snoozes,
            natural_break=settings.reminder.natural_break,
            working_hours=WorkingHours.parse(settings.schedule.active),
            max_deferral=settings.focus.max_deferral,
        )


@dataclass(frozen=True)
class Remind:
    """Show a reminder suggesting `exercise` (None: no exercise fits, suggest a walk).

    `quiet` reminders come after the longest allowed deferral, while the user is still
    busy: they are shown without drawing attention (low urgency).
    """

    exercise: str | None
    can_snooze: bool
    sat_for: float
    quiet: bool = False
    deferred_for: float = 0.0


@dataclass(frozen=True)
class Deferred:
    """A due reminder waits because the user is busy (`reasons`: meeting, fullscreen...)."""

    reasons: tuple[str, ...]


@dataclass(frozen=True)
class CloseReminder:
    """Take the reminder off the screen; `outcome` is what became of it."""

    exercise: str | None
    outcome: Outcome


@dataclass(frozen=True)
class SittingEnded:
    """A sitting stretch of `sat_for` seconds ended: the user got up (`natural`) or took a
    break they were offered."""

    sat_for: float
    natural: bool


Decision = Remind | CloseReminder | SittingEnded | Deferred


class ActionRejected(Exception):
    """A user action that makes no sense now; the message says why, for the user."""


@dataclass(frozen=True)
class Snapshot:
    """What the tracker shows at one moment; times are seconds from that moment."""

    state: State
    sitting_seconds: float
    next_reminder_in: float | None
    snoozed_for: float | None
    paused_for: float | None
    pending_exercise: str | None
    snoozes_left: int
    deferred_by: tuple[str, ...] = ()
