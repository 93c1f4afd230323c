"""Rules of the user's day that are not about one sitting stretch: when a break brings a
walk suggestion, and when "pause until tomorrow" ends."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as clock_time

from deskguard.core.schedule import WorkingHours

# Breaks starting in this window get a walk suggestion (the lunch break, on most days).
LUNCH_START, LUNCH_END = clock_time(11, 0), clock_time(14, 30)
# The end-of-day summary comes at the end of each working period, or at this time.
DEFAULT_END_OF_DAY = clock_time(18, 0)


def walk_suggestion_due(wall: datetime, last_suggested_on: date | None) -> bool:
    """Whether a break starting at `wall` gets the day's walk suggestion (once a day)."""
    return last_suggested_on != wall.date() and LUNCH_START <= wall.time() < LUNCH_END


def seconds_until_tomorrow(hours: WorkingHours, now: datetime) -> float:
    """Until the next working period starts on a later day (or the next midnight)."""
    start = hours.next_start(now)
    if start is None:
        start = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    return max(1.0, (start - now).total_seconds())


def end_of_day_times(hours: WorkingHours) -> list[tuple[frozenset[int] | None, clock_time]]:
    """When the end-of-day summary comes: (weekdays, time) at each working period's end,
    or every day (None) at DEFAULT_END_OF_DAY. "24:00" is parsed as 23:59:59."""
    if not hours.periods:
        return [(None, DEFAULT_END_OF_DAY)]
    return [(period.days, period.end) for period in hours.periods]
