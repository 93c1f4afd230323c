"""Idle seconds from idle events: what Wayland compositors tell instead of a reading.

A compositor's idle protocols (ext_idle_notifier_v1, org_kde_kwin_idle) take a timeout T
and send `idled` once the user has not touched keyboard or mouse for T, and `resumed` at
the next input. Between the two the idle time is known exactly; outside them it is only
known to be below T.
"""

from __future__ import annotations

# The timeout is the resolution below which idle time is not seen. A natural break must be
# seen in time, and the tracker needs one reading between `idled` and the break to learn
# when the input stopped; a short timeout costs two events at every pause that long while
# the user works, so it stays well above a pause between keystrokes.
SHORTEST_TIMEOUT = 1.0
LONGEST_TIMEOUT = 60.0


def idle_timeout_for(natural_break: float) -> float:
    """The timeout to subscribe with for a tracker whose natural break lasts this long."""
    return min(LONGEST_TIMEOUT, max(SHORTEST_TIMEOUT, natural_break / 3))


class IdleFromEvents:
    """Turns `idled` / `resumed` events for one timeout into idle seconds.

    Times are seconds on one monotonic clock, given by the caller. The compositor starts
    counting at subscription: input from before it is unknown and counts as none.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._idled_at: float | None = None

    @property
    def idle(self) -> bool:
        return self._idled_at is not None

    def idled(self, now: float) -> None:
        """No input for `timeout` seconds, as of `now`."""
        if self._idled_at is None:  # a repeated event must not move the start forward
            self._idled_at = now

    def resumed(self, now: float) -> None:
        """Input again at `now`."""
        self._idled_at = None

    def idle_seconds(self, now: float) -> float:
        """Seconds since the last input: exact while idled; below the timeout otherwise,
        where 0 is the reading (the last input may have been this instant)."""
        if self._idled_at is None:
            return 0.0
        return self.timeout + max(0.0, now - self._idled_at)
