"""Reading the three clocks the tracker needs, together."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from deskguard.core.decisions import Instant

# CLOCK_BOOTTIME keeps counting during suspend; where it is missing (not Linux) a
# suspend cannot be told apart from sitting by the clocks, only by session events.
_BOOTTIME = getattr(time, "CLOCK_BOOTTIME", time.CLOCK_MONOTONIC)


def read_instant() -> Instant:
    return Instant(
        monotonic=time.clock_gettime(time.CLOCK_MONOTONIC),
        boottime=time.clock_gettime(_BOOTTIME),
        wall=datetime.now().astimezone(),
    )


def wall_time_of(boottime: float, now: Instant) -> datetime:
    """The wall-clock moment of a boot-clock time, as seen from `now`."""
    return now.wall + timedelta(seconds=boottime - now.boottime)
