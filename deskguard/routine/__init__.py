"""The mini-routine player: a Tk window in its own process, or the terminal.

Two environment variables exist for tests and for previewing a routine; neither is
meant for everyday use:

- DESKGUARD_ROUTINE_SPEED=N plays the routine N times faster than real time (a number
  above 0; 50 plays a 10-minute routine in 12 seconds).
- DESKGUARD_ROUTINE_TRACE=FILE makes the player append one JSON object per line to FILE
  whenever what it shows changes (state, exercise, step, countdown), so a test can
  follow the window without reading pixels.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from deskguard.errors import UserError

SPEED_ENV = "DESKGUARD_ROUTINE_SPEED"
TRACE_ENV = "DESKGUARD_ROUTINE_TRACE"


def speed_from_env(environ: Mapping[str, str] | None = None) -> float:
    """The playback speed from DESKGUARD_ROUTINE_SPEED (1 when unset)."""
    text = (os.environ if environ is None else environ).get(SPEED_ENV, "").strip()
    if not text:
        return 1.0
    try:
        speed = float(text)
    except ValueError:
        speed = 0.0
    if not 0 < speed < 1e6:
        raise UserError(f"{SPEED_ENV} must be a number above 0", f"got {text!r}")
    return speed


class RoutineClock:
    """Seconds of routine time since creation: the monotonic clock times `speed`."""

    def __init__(self, speed: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.speed = speed
        self._clock = clock
        self._origin = clock()

    def __call__(self) -> float:
        return (self._clock() - self._origin) * self.speed

    def real_seconds(self, routine_seconds: float) -> float:
        """How long `routine_seconds` of routine time take on the wall clock."""
        return routine_seconds / self.speed


class Trace:
    """Appends the player's state changes to a file as JSON lines (a test aid)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._last: dict[str, dict[str, Any]] = {}

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Trace:
        text = (os.environ if environ is None else environ).get(TRACE_ENV, "")
        return cls(Path(text) if text else None)

    def write(self, record: Mapping[str, Any], *, always: bool = False) -> None:
        """Append `record` unless it repeats the previous one of its kind (or `always`).

        The kind is the record's "event" field; state records have none.
        """
        kind = str(record.get("event", ""))
        if self.path is None or (not always and dict(record) == self._last.get(kind)):
            return
        self._last[kind] = dict(record)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
