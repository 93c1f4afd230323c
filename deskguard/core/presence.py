"""Spans of time the user was at the computer, from the daemon's readings.

Each reading says whether the user is present (the tracker's view) and how long they have
been idle. A span starts at the first present reading and ends at the first one that is
not; it is recorded in the history then (or when the daemon stops).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from deskguard.core.decisions import SLEEP_NOISE, Instant


@dataclass(frozen=True)
class PresenceSpan:
    """From `started` to `ended` (wall clock); `seconds` of it counted as present."""

    started: datetime
    ended: datetime
    seconds: float


def _slept_between(last: Instant, at: Instant) -> bool:
    return (at.boottime - at.monotonic) - (last.boottime - last.monotonic) > SLEEP_NOISE


class PresenceLog:
    """Turns readings into spans. Not thread-safe: fed from one thread."""

    def __init__(self) -> None:
        self._since: Instant | None = None
        self._last: Instant | None = None

    def reading(
        self, at: Instant, present: bool, idle: float, locked: bool, leaving: bool = False
    ) -> PresenceSpan | None:
        """The span that ended with this reading, if one did. `leaving`: the daemon stops
        (or a summary needs the span still going on), so a span ends here whatever it is.

        A sleep between two readings ends the span at the reading before it. A span that
        ends because of no input ends at the last input, not when the idle was noticed.
        """
        last, self._last = self._last, at
        slept = last is not None and _slept_between(last, at)
        since, span = self._since, None
        if since is not None and (slept or leaving or not present):
            end = last if slept and last is not None else at
            gone_for = 0.0 if slept or leaving or locked else idle
            length = max(0.0, end.boottime - since.boottime - gone_for)
            seconds = min(length, max(0.0, end.monotonic - since.monotonic - gone_for))
            ended = end.wall - timedelta(seconds=gone_for)
            # From the boot clock, not since.wall: the wall clock may have been set back.
            span = PresenceSpan(ended - timedelta(seconds=length), ended, seconds)
            self._since = None
        if present and not leaving and self._since is None:
            self._since = at
        return span
