"""What the history holds: one frozen dataclass per table, as its rows are read back.

The store writes and reads these; the figures per day are computed from them. They live
in the core so that the computation needs nothing from the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class ReminderRow:
    id: int
    shown_at: datetime
    exercise: str | None
    sat_seconds: float
    notifier: str
    outcome: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class SittingRow:
    """One sitting stretch, recorded when it ended."""

    id: int
    ended_at: datetime
    seconds: float


@dataclass(frozen=True)
class PresenceRow:
    """A span the user was at the computer; `seconds` may be less than the span."""

    id: int
    started_at: datetime
    ended_at: datetime
    seconds: float


@dataclass(frozen=True)
class RoutineRow:
    id: int
    started_at: datetime
    kind: str
    steps_total: int
    steps_done: int
    finished_at: datetime | None


@dataclass(frozen=True)
class WalkRow:
    id: int
    logged_at: datetime
    km: float | None
    minutes: float | None


@dataclass(frozen=True)
class DeferralRow:
    id: int
    deferred_at: datetime
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Rows:
    """The history rows the figures are made from."""

    sitting: Sequence[SittingRow] = ()
    presence: Sequence[PresenceRow] = ()
    reminders: Sequence[ReminderRow] = ()
    routines: Sequence[RoutineRow] = ()
    walks: Sequence[WalkRow] = ()
    deferrals: Sequence[DeferralRow] = ()
