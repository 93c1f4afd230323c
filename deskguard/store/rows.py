"""What a row of the history may hold, read back or about to be written.

The history is a file in the user's state folder: another program, a bad copy or a hand
edit can put anything in it, and SQLite's column types do not stop a text in a number
column. A row read back that cannot be one deskguard wrote (an infinite or negative
number of seconds, a timestamp that is not one or is outside 1970-9000, a routine that
took longer than a year) is left out of the figures and the export and named in one
warning line: it must not crash them, nor make `export --format json` print `Infinity`.
Writes refuse a number that is not finite, so no such row comes from deskguard itself.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import datetime
from typing import Any

YEAR = 366 * 24 * 3600.0
FIRST_YEAR, LAST_YEAR = 1970, 9000

# The largest value of each number column in a row deskguard wrote.
CEILINGS: dict[str, float] = {
    "seconds": YEAR,
    "sat_seconds": YEAR,
    "km": 40_075.0,  # once round the Earth
    "minutes": YEAR / 60,
}
COUNTS = frozenset({"id", "steps_total", "steps_done"})
TEXTS = frozenset({"exercise", "notifier", "outcome", "kind", "reasons"})
NULLABLE = frozenset({"exercise", "outcome", "answered_at", "finished_at", "km", "minutes"})


def _shown(value: object) -> str:
    """A stored value in a message: a hostile row may hold megabytes."""
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _number_problem(value: object, ceiling: float) -> str | None:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not (math.isfinite(value) and 0 <= value <= ceiling)
    ):
        return f"is {_shown(value)}, not a number from 0 to {ceiling:.0f}"
    return None


def _moment(value: object) -> datetime | str:
    """The timestamp a column holds, or why it is not one."""
    if not isinstance(value, str):
        return f"is {_shown(value)}, not a timestamp"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"is {_shown(value)}, not a timestamp"
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        return f"is {_shown(value)}, outside {FIRST_YEAR}-{LAST_YEAR}"
    # A naive timestamp is taken as this machine's local time, as the figures do.
    return moment if moment.tzinfo is not None else moment.astimezone()


def _column_problem(column: str, value: object) -> str | None:
    if value is None:
        return None if column in NULLABLE else "is missing"
    if column in CEILINGS:
        return _number_problem(value, CEILINGS[column])
    if column in COUNTS and (not isinstance(value, int) or value < 0):
        return f"is {_shown(value)}, not a count"
    if column in TEXTS and not isinstance(value, str):
        return f"is {_shown(value)}, not a text"
    return None


def problem(row: Mapping[str, Any]) -> str | None:
    """Why `row` (column -> value as stored) cannot be one deskguard wrote; None if it can."""
    moments: list[datetime] = []
    for column, value in row.items():
        reason = None
        if column.endswith("_at") and value is not None:
            moment = _moment(value)
            if isinstance(moment, datetime):
                moments.append(moment)
            else:
                reason = moment
        else:
            reason = _column_problem(column, value)
        if reason is not None:
            return f"{column} {reason}"
    # A span (time at the computer, a routine, a reminder until its answer) within a year.
    if len(moments) > 1 and (max(moments) - min(moments)).total_seconds() > YEAR:
        return "spans more than a year"
    return None


def refuse_non_finite(values: Mapping[str, object]) -> None:
    """ValueError for a number that is not finite: SQLite would store it as it is (and
    NaN as NULL), and every figure made from it would be infinite."""
    for column, value in values.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"refusing to write {column}={value} to the history")
