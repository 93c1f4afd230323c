"""Activity traces for `deskguard simulate`, and the simulated clock they run on.

A trace is CSV with the header `time,idle_seconds,event`: `time` in seconds from the
start, `idle_seconds` since the last input at that moment, `event` empty or one of
EVENTS. A row holds until the next one. deskguard.daemon.simulation drives the daemon's
own session through it.

A trace is read as it is replayed, a line at a time, and every line and every time is
bounded: a file of any size or content costs at most one line of memory, and what it
costs in time follows its rows, never the seconds they span.
"""

from __future__ import annotations

import codecs
import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from deskguard.core.decisions import Instant
from deskguard.i18n import _, ngettext

HEADER = ("time", "idle_seconds", "event")
SESSION_EVENTS = ("lock", "unlock", "suspend", "resume")
USER_EVENTS = ("snooze", "accept", "skip")
EVENTS = ("", *SESSION_EVENTS, *USER_EVENTS)
# The longest trace, in years of 365 days (times and idle values beyond are refused).
MAX_YEARS = 10
MAX_SECONDS = MAX_YEARS * 365 * 86400
# The longest line, its line break not counted; a row needs a few dozen bytes.
MAX_LINE_BYTES = 1024
_BLOCK = 64 * 1024  # read at a time


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
        raise TraceError(
            # Translators: {what} is a column of the trace: time or idle_seconds.
            _("line {line}: {what} must be a number, got {text}").format(
                line=line, what=what, text=repr(text)
            )
        ) from None
    if not value >= 0:  # also true for NaN
        raise TraceError(
            _("line {line}: {what} must be zero or more, got {text}").format(
                line=line, what=what, text=repr(text)
            )
        )
    if value > MAX_SECONDS:  # also infinity
        raise TraceError(
            ngettext(
                "line {line}: {what} {value} is more than {most} seconds ({years} year)",
                "line {line}: {what} {value} is more than {most} seconds ({years} years)",
                MAX_YEARS,
            ).format(line=line, what=what, value=text.strip(), most=MAX_SECONDS, years=MAX_YEARS)
        )
    return value


def trace_lines(read: Callable[[int], bytes]) -> Iterator[str]:
    """The lines of a trace, from `read(n)` of a binary file (at most n bytes a call).

    Whatever the file holds, this keeps at most a block and a line in memory: a line
    longer than MAX_LINE_BYTES, or a file with no line break at all (/dev/zero), is
    refused as soon as that much of it is read. TraceError for that and for a line that
    is not UTF-8 text, naming the line.
    """
    first, rest = 1, b""  # the number of the next line; the part of it read so far
    while block := read(_BLOCK):
        complete, newline, rest = (rest + block).rpartition(b"\n")
        if newline:
            yield from _decoded(complete, first)
            first += complete.count(b"\n") + 1
        if len(rest) > MAX_LINE_BYTES + 1:  # + a "\r" waiting for its "\n"
            _line_text(rest, first)  # raises: no line can be this long
    if rest:
        yield from _decoded(rest, first)


def _decoded(lines: bytes, first: int) -> list[str]:
    """Whole lines as text, the first of them numbered `first`."""
    if first == 1:
        lines = lines.removeprefix(codecs.BOM_UTF8)  # spreadsheets start CSV with one
    pieces = lines.split(b"\n")
    if b"\0" not in lines and max(map(len, pieces)) <= MAX_LINE_BYTES:
        with contextlib.suppress(UnicodeDecodeError):
            return lines.decode("utf-8").split("\n")
    # Something is wrong (or a "\r" made a line look long): line by line, to name it.
    return [_line_text(piece, number) for number, piece in enumerate(pieces, start=first)]


def _line_text(line: bytes, number: int) -> str:
    if b"\0" in line:
        raise TraceError(_("line {line}: not text (a NUL byte)").format(line=number))
    if len(line.removesuffix(b"\r")) > MAX_LINE_BYTES:
        raise TraceError(
            _("line {line}: longer than {most} bytes").format(line=number, most=MAX_LINE_BYTES)
        )
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError:
        raise TraceError(_("line {line}: not text (not UTF-8)").format(line=number)) from None


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
                    _("line {line}: the header must be {expected}, got {text}").format(
                        line=line_number, expected=repr(expected), text=repr(text)
                    )
                )
            header_seen = True
            continue
        parts = text.split(",")
        if len(parts) != 3:
            raise TraceError(
                _("line {line}: expected 3 fields, got {count}").format(
                    line=line_number, count=len(parts)
                )
            )
        time = _number(parts[0], "time", line_number)
        idle = _number(parts[1], "idle_seconds", line_number)
        event = parts[2].strip()
        if event not in EVENTS:
            expected = ", ".join(EVENTS[1:])
            raise TraceError(
                _("line {line}: unknown event {event} (expected one of {expected})").format(
                    line=line_number, event=repr(event), expected=expected
                )
            )
        if time < last:
            raise TraceError(
                _("line {line}: time {time} is before the previous row ({previous})").format(
                    line=line_number, time=f"{time:g}", previous=f"{last:g}"
                )
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
