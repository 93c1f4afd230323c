"""Activity traces for `deskguard simulate`, and the simulated clock they run on.

A trace is CSV with the header `time,idle_seconds,event`: `time` in seconds from the
start, `idle_seconds` since the last input at that moment, `event` empty or one of
EVENTS. A row holds until the next one. deskguard.daemon.simulation drives the daemon's
own session through it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from deskguard.core.tracker import Instant

HEADER = ("time", "idle_seconds", "event")
SESSION_EVENTS = ("lock", "unlock", "suspend", "resume")
USER_EVENTS = ("snooze", "accept", "skip")
EVENTS = ("", *SESSION_EVENTS, *USER_EVENTS)


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
