"""Replaying an activity trace through the sitting tracker on a simulated clock.

A trace is CSV with the header `time,idle_seconds,event`: `time` in seconds from the
start, `idle_seconds` since the last input at that moment, `event` empty or one of
EVENTS. A row holds until the next one. The replay ticks the tracker the way the
daemon does — every `poll` seconds, at each due reminder and at each event — so what
it prints is what the daemon would have done.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from deskguard.core.selection import ExerciseRotation
from deskguard.core.tracker import (
    ActionRejected,
    CloseReminder,
    Decision,
    Instant,
    Outcome,
    Policy,
    Remind,
    SittingEnded,
    SittingTracker,
)

HEADER = ("time", "idle_seconds", "event")
SESSION_EVENTS = ("lock", "unlock", "suspend", "resume")
USER_EVENTS = ("snooze", "accept", "skip")
EVENTS = ("", *SESSION_EVENTS, *USER_EVENTS)
_CLOSE_KIND = {
    Outcome.ACCEPTED: "accepted",
    Outcome.SNOOZED: "snoozed",
    Outcome.SKIPPED: "skipped",
    Outcome.DISMISSED: "dismissed",
    Outcome.NATURAL_BREAK: "superseded",
}


class TraceError(ValueError):
    """A malformed trace; the message names the line."""


@dataclass(frozen=True, slots=True)
class TraceRow:
    time: float
    idle_seconds: float
    event: str


def _number(text: str, what: str, line: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise TraceError(f"line {line}: {what} must be a number, got {text!r}") from None
    if not 0 <= value < math.inf:  # also false for NaN
        raise TraceError(f"line {line}: {what} must be zero or more, got {text!r}")
    return value


def parse_trace(lines: Iterable[str]) -> Iterator[TraceRow]:
    """Rows of a trace, checked as they are read (time never goes back).

    Lines starting with `#` are comments; the first other line is the header.
    """
    header_seen = False
    last = 0.0
    for line_number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):  # comments and blank lines are allowed anywhere
            continue
        if not header_seen:
            if tuple(part.strip() for part in text.split(",")) != HEADER:
                expected = ",".join(HEADER)
                raise TraceError(
                    f"line {line_number}: the header must be {expected!r}, got {text!r}"
                )
            header_seen = True
            continue
        parts = text.split(",")
        if len(parts) != 3:
            raise TraceError(f"line {line_number}: expected 3 fields, got {len(parts)}")
        time = _number(parts[0], "time", line_number)
        idle = _number(parts[1], "idle_seconds", line_number)
        event = parts[2].strip()
        if event not in EVENTS:
            expected = ", ".join(EVENTS[1:])
            raise TraceError(
                f"line {line_number}: unknown event {event!r} (expected one of {expected})"
            )
        if time < last:
            raise TraceError(
                f"line {line_number}: time {time:g} is before the previous row ({last:g})"
            )
        last = time
        yield TraceRow(time, idle, event)


@dataclass
class SimulatedClock:
    """Boot time runs always; monotonic time stops while suspended, as on a real machine."""

    start: datetime
    now: float = 0.0
    monotonic: float = 0.0

    def advance_to(self, t: float, suspended: bool) -> Instant:
        if t > self.now:
            if not suspended:
                self.monotonic += t - self.now
            self.now = t
        return self.instant()

    def instant(self) -> Instant:
        return Instant(self.monotonic, self.now, self.start + timedelta(seconds=self.now))


class Replay:
    """Feeds trace rows to a tracker and collects the timeline of what happened."""

    def __init__(self, policy: Policy, candidates: list[str], poll: float, start: datetime) -> None:
        self.clock = SimulatedClock(start)
        self.tracker = SittingTracker(policy, ExerciseRotation(candidates), self.clock.instant())
        self.poll = poll
        self.events: list[dict[str, Any]] = []
        self._row = TraceRow(0.0, 0.0, "")
        self._locked = False
        self._suspended = False
        self._next_poll = 0.0
        self._due: float | None = None

    def run(self, rows: Iterable[TraceRow]) -> list[dict[str, Any]]:
        for row in rows:
            # Most rows of a dense trace fall between two ticks: they only change the reading.
            due = self._due if self._due is not None and not self._suspended else math.inf
            if min(self._next_poll, due) < row.time:
                self._ticks_until(row.time)
            self._row = row
            if row.event:
                self._apply_event(row)
        return self.events

    def _ticks_until(self, end: float) -> None:
        """Tick at each poll and each due reminder before `end`, under the current row."""
        while True:
            due = math.inf if self._suspended or self._due is None else self._due
            moment = min(self._next_poll, due)
            if moment >= end:
                return
            if moment == self._next_poll:
                self._next_poll += self.poll
            self._tick(max(moment, self.clock.now))

    def _tick(self, t: float) -> None:
        at = self.clock.advance_to(t, self._suspended)
        if self._suspended:
            return
        self._record(t, self.tracker.observe(at, self._row.idle_seconds, self._locked))

    def _apply_event(self, row: TraceRow) -> None:
        at = self.clock.advance_to(row.time, self._suspended)
        event = row.event
        if event in ("lock", "unlock"):
            self._locked = event == "lock"
            self._tick(row.time)
        elif event == "suspend":
            self._record(row.time, self.tracker.suspended(at))
            self._suspended = True
        elif event == "resume":
            self._suspended = False
            self._record(row.time, self.tracker.resumed(at))
            self._tick(row.time)
        elif event in USER_EVENTS:
            self._user_action(row.time, event, at)

    def _user_action(self, t: float, event: str, at: Instant) -> None:
        action = {
            "snooze": self.tracker.snooze,
            "accept": self.tracker.accept,
            "skip": self.tracker.skip,
        }[event]
        try:
            decisions = action(at)
        except ActionRejected as exc:
            self.events.append({"t": t, "kind": "rejected", "action": event, "reason": str(exc)})
            return
        if not any(isinstance(d, CloseReminder) for d in decisions):
            self.events.append({"t": t, "kind": {"snooze": "snoozed", "accept": "accepted"}[event]})
        self._record(t, decisions)

    def _record(self, t: float, decisions: list[Decision]) -> None:
        # Every tracker call ends here, so this is where the due time can change.
        self._due = self.tracker.next_reminder_at(self.clock.instant())
        for decision in decisions:
            if isinstance(decision, Remind):
                self.events.append(
                    {
                        "t": t,
                        "kind": "reminder",
                        "exercise": decision.exercise,
                        "can_snooze": decision.can_snooze,
                        "sat_seconds": round(decision.sat_for, 1),
                    }
                )
            elif isinstance(decision, CloseReminder):
                self.events.append({"t": t, "kind": _CLOSE_KIND[decision.outcome]})
            elif isinstance(decision, SittingEnded) and decision.natural:
                self.events.append(
                    {"t": t, "kind": "natural_break", "sat_seconds": round(decision.sat_for, 1)}
                )
