"""Working hours: when reminders may fire ("mon-fri 08:00-18:00")."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_PERIOD = re.compile(
    r"^(?:(?P<days>[a-z,\-]+)\s+)?(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class ActivePeriod:
    """Days of the week (0 = Monday) and a time span within each of those days."""

    days: frozenset[int]
    start: time
    end: time

    def contains(self, wall: datetime) -> bool:
        return wall.weekday() in self.days and self.start <= wall.time() < self.end


def _parse_clock(text: str) -> time:
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return time.max
    if not (0 <= hours < 24 and 0 <= minutes < 60):
        raise ValueError(f"{text!r} is not a time of day (use HH:MM, 00:00-24:00)")
    return time(hours, minutes)


FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _day_index(name: str) -> int:
    """ "mon" or "monday" (not "monkey")."""
    for names in (DAY_NAMES, FULL_DAY_NAMES):
        if name in names:
            return names.index(name)
    raise ValueError(f"unknown day {name!r} (use {', '.join(DAY_NAMES)})")


def _parse_days(text: str | None) -> frozenset[int]:
    if text is None or text in ("daily", "every-day"):
        return frozenset(range(7))
    days: set[int] = set()
    for item in text.split(","):
        first, _, last = item.partition("-")
        lo = _day_index(first)
        hi = _day_index(last) if last else lo
        span = range(lo, hi + 1) if lo <= hi else [*range(lo, 7), *range(0, hi + 1)]
        days.update(span)
    return frozenset(days)


def parse_period(text: str) -> ActivePeriod:
    """Parse "mon-fri 08:00-18:00", "sat,sun 10:00-14:00" or "09:00-17:00" (every day)."""
    match = _PERIOD.match(text.strip().lower())
    if match is None:
        raise ValueError(f"expected a period like 'mon-fri 08:00-18:00', got {text!r}")
    start, end = _parse_clock(match["start"]), _parse_clock(match["end"])
    if end <= start:
        raise ValueError(f"in {text!r} the end time must be after the start time")
    return ActivePeriod(_parse_days(match["days"]), start, end)


@dataclass(frozen=True)
class WorkingHours:
    """A union of active periods; no periods means always active."""

    periods: tuple[ActivePeriod, ...] = ()

    @classmethod
    def parse(cls, texts: Sequence[str]) -> WorkingHours:
        return cls(tuple(parse_period(text) for text in texts))

    def is_active(self, wall: datetime) -> bool:
        return not self.periods or any(period.contains(wall) for period in self.periods)

    def next_change(self, wall: datetime) -> datetime | None:
        """The first moment after `wall` when a period starts or ends (None: never):
        `is_active` stays what it is at `wall` up to then."""
        if not self.periods:
            return None
        # Every period recurs weekly, so one comes within the next eight days.
        days = (wall.date() + timedelta(days=ahead) for ahead in range(8))
        edges = (
            datetime.combine(day, edge, tzinfo=wall.tzinfo)
            for day in days
            for period in self.periods
            if day.weekday() in period.days
            for edge in (period.start, period.end)
        )
        return min((edge for edge in edges if edge > wall), default=None)

    def next_start(self, wall: datetime) -> datetime | None:
        """The first moment after `wall` on a later day when a period begins (None if always on)."""
        if not self.periods:
            return None
        for days_ahead in range(1, 8):
            day = (wall + timedelta(days=days_ahead)).date()
            starts = [p.start for p in self.periods if day.weekday() in p.days]
            if starts:
                return datetime.combine(day, min(starts), tzinfo=wall.tzinfo)
        return None
