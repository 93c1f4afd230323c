"""Human durations ("45m", "90s", "1h30m", or integer seconds) to seconds and back."""

from __future__ import annotations

import re

# Nothing deskguard waits for (a snooze, a pause) is longer than a year.
LONGEST = 366 * 24 * 3600

_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


def parse_duration(value: str | int) -> int:
    """Seconds in `value`; raises ValueError with a message meant for the user."""
    # bool is an int subclass, and `true`, 1.5 or a TOML table is never a duration.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"expected a duration like '45m', '90s' or '1h30m', got {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a duration cannot be negative, got {value}")
        return value
    text = value.strip().replace(" ", "").lower()
    if text.isdecimal():  # not isdigit(): int() refuses digits like "²"
        return int(text)
    match = _DURATION.match(text)
    if not text or match is None:
        raise ValueError(f"expected a duration like '45m', '90s' or '1h30m', got {value!r}")
    hours, minutes, seconds = (int(match.group(name) or 0) for name in ("h", "m", "s"))
    return hours * 3600 + minutes * 60 + seconds


def format_duration(seconds: float) -> str:
    """The shortest canonical form that parse_duration reads back to the same value."""
    total = int(round(seconds))
    if total == 0:
        return "0s"
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{n}{unit}" for n, unit in ((hours, "h"), (minutes, "m"), (secs, "s")) if n]
    return "".join(parts)


def readable_duration(seconds: float) -> str:
    """A duration for people to read: "12 min", "1 h 05 min", or "40 s" under a minute."""
    if seconds < 60:
        return f"{int(seconds)} s"
    total = int(seconds // 60)
    hours, mins = divmod(total, 60)
    return f"{hours} h {mins:02d} min" if hours else f"{mins} min"
