"""What the history says about each day: rows in, per-day and total figures out.

A day is the local calendar day written in a timestamp (they are stored with their UTC
offset), so a day means what it meant where and when it was recorded. Spans that cross
midnight (time at the computer, a sitting stretch) are shared out between the days they
cover; the longest stretch and the break that ended it count on the day it ended.
Reminders count on the day they were shown, routines on the day they started, walks on
the day they were logged.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from deskguard.core.decisions import Outcome
from deskguard.core.records import (
    DeferralRow,
    PresenceRow,
    ReminderRow,
    RoutineRow,
    Rows,
    SittingRow,
    WalkRow,
)

# The counter of each outcome is named after it: "natural-break" counts in `natural_break`.
_OUTCOME_COUNTERS = frozenset(outcome.name.lower() for outcome in Outcome)


@dataclass
class Reminders:
    """Reminders shown, by what became of them; `unanswered` ones have no outcome yet."""

    shown: int = 0
    accepted: int = 0
    snoozed: int = 0
    skipped: int = 0
    dismissed: int = 0
    natural_break: int = 0
    unanswered: int = 0

    def count(self, outcome: str | None) -> None:
        self.shown += 1
        name = "unanswered" if outcome is None else outcome.replace("-", "_")
        if name in _OUTCOME_COUNTERS:
            setattr(self, name, getattr(self, name) + 1)
        else:
            self.unanswered += 1

    @property
    def compliance(self) -> float | None:
        """Share of reminders followed by a break (accepted, or overtaken by a natural one)."""
        if not self.shown:
            return None
        return (self.accepted + self.natural_break) / self.shown


@dataclass
class Figures:
    """The figures of one day, or of several added up."""

    present_seconds: float = 0.0
    sitting_seconds: float = 0.0
    # Over several days: the longest of them, not their sum.
    longest_sitting_seconds: float = field(default=0.0, metadata={"total": max})
    breaks: int = 0
    reminders: Reminders = field(default_factory=Reminders)
    routines_started: int = 0
    routines_finished: int = 0
    exercise_seconds: float = 0.0
    walks: int = 0
    walk_km: float = 0.0
    walk_minutes: float = 0.0
    deferrals: int = 0

    @classmethod
    def total(cls, parts: Sequence[Figures]) -> Figures:
        total = cls()
        for part in parts:
            _add_into(total, part)
        return total


def _add_into(total: Any, part: Any) -> None:
    """Add `part` into `total`, field by field: a field's `total` metadata says how (a sum
    when it says nothing); a dataclass field (the reminders) is added up field by field."""
    for spec in fields(total):
        mine = getattr(total, spec.name)
        if is_dataclass(mine):
            _add_into(mine, getattr(part, spec.name))
        else:
            combine = spec.metadata.get("total", operator.add)
            setattr(total, spec.name, combine(mine, getattr(part, spec.name)))


@dataclass(frozen=True)
class Day:
    day: date
    figures: Figures
    goal_km: float

    @property
    def goal_met(self) -> bool:
        return self.figures.walk_km >= self.goal_km


@dataclass(frozen=True)
class Summary:
    """The figures of each day from `first_day` to `last_day`, and their total."""

    days: list[Day]
    total: Figures
    goal_km: float

    @property
    def first_day(self) -> date:
        return self.days[0].day

    @property
    def last_day(self) -> date:
        return self.days[-1].day

    @property
    def days_goal_met(self) -> int:
        return sum(1 for day in self.days if day.goal_met)


def _local(moment: datetime) -> datetime:
    """Timestamps keep their own offset; a naive one is taken as this machine's local time."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def split_by_day(start: datetime, end: datetime, seconds: float) -> Iterator[tuple[date, float]]:
    """`seconds` shared out over the local days from `start` to `end`, by wall-clock time."""
    end = _local(end)
    start = _local(start).astimezone(end.tzinfo)
    span = (end - start).total_seconds()
    if span <= 0 or start.date() == end.date():
        yield end.date(), seconds
        return
    cursor = start
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), end.tzinfo)
        piece_end = min(midnight, end)
        yield cursor.date(), seconds * (piece_end - cursor).total_seconds() / span
        cursor = piece_end


class _Days:
    """Figures per day, for the days in the window only."""

    def __init__(self, first_day: date, last_day: date) -> None:
        count = (last_day - first_day).days + 1
        self.figures = {first_day + timedelta(days=n): Figures() for n in range(count)}

    def on(self, moment: datetime) -> Figures | None:
        return self.figures.get(_local(moment).date())

    def add_sitting(self, row: SittingRow) -> None:
        start = row.ended_at - timedelta(seconds=row.seconds)
        for day, seconds in split_by_day(start, row.ended_at, row.seconds):
            if day in self.figures:
                self.figures[day].sitting_seconds += seconds
        ended = self.on(row.ended_at)
        if ended is not None:
            ended.breaks += 1
            ended.longest_sitting_seconds = max(ended.longest_sitting_seconds, row.seconds)

    def add_presence(self, row: PresenceRow) -> None:
        for day, seconds in split_by_day(row.started_at, row.ended_at, row.seconds):
            if day in self.figures:
                self.figures[day].present_seconds += seconds

    def add_reminder(self, row: ReminderRow) -> None:
        figures = self.on(row.shown_at)
        if figures is not None:
            figures.reminders.count(row.outcome)

    def add_routine(self, row: RoutineRow) -> None:
        figures = self.on(row.started_at)
        if figures is None:
            return
        figures.routines_started += 1
        if row.finished_at is not None:
            figures.routines_finished += 1
            took = (_local(row.finished_at) - _local(row.started_at)).total_seconds()
            figures.exercise_seconds += max(took, 0.0)

    def add_walk(self, row: WalkRow) -> None:
        figures = self.on(row.logged_at)
        if figures is None:
            return
        figures.walks += 1
        figures.walk_km += row.km or 0.0
        figures.walk_minutes += row.minutes or 0.0

    def add_deferral(self, row: DeferralRow) -> None:
        figures = self.on(row.deferred_at)
        if figures is not None:
            figures.deferrals += 1


def summarize(rows: Rows, first_day: date, last_day: date, goal_km: float) -> Summary:
    """Per-day figures from `first_day` to `last_day` (both included) and their total."""
    if last_day < first_day:
        raise ValueError(f"the last day {last_day} is before the first {first_day}")
    days = _Days(first_day, last_day)
    for sitting in rows.sitting:
        days.add_sitting(sitting)
    for presence in rows.presence:
        days.add_presence(presence)
    for reminder in rows.reminders:
        days.add_reminder(reminder)
    for routine in rows.routines:
        days.add_routine(routine)
    for walk in rows.walks:
        days.add_walk(walk)
    for deferral in rows.deferrals:
        days.add_deferral(deferral)
    listed = [Day(day, figures, goal_km) for day, figures in days.figures.items()]
    return Summary(listed, Figures.total([day.figures for day in listed]), goal_km)
