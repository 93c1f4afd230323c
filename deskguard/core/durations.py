"""Human durations ("45m", "90s", "1h30m", or integer seconds) to seconds and back."""

from __future__ import annotations

import re

from deskguard.i18n import N_, _, ngettext

MINUTE = 60
HOUR = 60 * MINUTE
DAY = 24 * HOUR
# Nothing deskguard waits for (a snooze, a pause) is longer than a year.
LONGEST = 366 * DAY
# "8784h59m59s" (a year) is 11 characters: anything much longer is a mistake, and the
# digits of an int() call cost time that grows with their number.
_LONGEST_TEXT = 32
_SHOWN_CHARACTERS = 40

_DURATION = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")

NOT_A_DURATION = N_("expected a duration like '45m', '90s' or '1h30m', got {value}")
"""English in the reasons a configuration is refused (they stay English); the command line
translates it for its own arguments."""


class DurationError(ValueError):
    """`value` is not a duration; `shown` is the value as the message quotes it."""

    def __init__(self, value: object) -> None:
        self.shown = shown(value)
        super().__init__(NOT_A_DURATION.format(value=self.shown))


def parse_duration(value: str | int) -> int:
    """Seconds in `value`; raises ValueError with a message meant for the user (a
    DurationError when `value` is no duration at all)."""
    # bool is an int subclass, and `true`, 1.5 or a TOML table is never a duration.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DurationError(value)
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a duration cannot be negative, got {shown(value)}")
        return value
    text = value.strip().replace(" ", "").lower()
    if len(text) > _LONGEST_TEXT:
        raise DurationError(value)
    if text.isdecimal():  # not isdigit(): int() refuses digits like "²"
        return int(text)
    match = _DURATION.match(text)
    if not text or match is None:
        raise DurationError(value)
    hours, minutes, seconds = (int(match.group(name) or 0) for name in ("h", "m", "s"))
    return hours * HOUR + minutes * MINUTE + seconds


def shown(value: object) -> str:
    """`value` as a message quotes it: its repr, cut short. A message must stay one short
    line, and Python cannot even print an int of more than 4300 digits."""
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and abs(value) >= 10**_SHOWN_CHARACTERS
    ):
        return f"a number of more than {_SHOWN_CHARACTERS} digits"
    if isinstance(value, str) and len(value) > _SHOWN_CHARACTERS:
        return repr(value[:_SHOWN_CHARACTERS]) + "…"
    try:
        text = repr(value)
    except (ValueError, RecursionError):  # a huge number or deep nesting inside a list
        return f"a {type(value).__name__} too large to show"
    return text if len(text) <= _SHOWN_CHARACTERS else text[:_SHOWN_CHARACTERS] + "…"


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
    """A duration for people to read, in the user's language: "12 minutes", "1 hour
    5 minutes", "2 hours", or "40 seconds" under a minute."""
    if seconds < 60:
        count = int(seconds)
        return ngettext("{count} second", "{count} seconds", count).format(count=count)
    hours, mins = divmod(int(seconds // 60), 60)
    minutes = ngettext("{count} minute", "{count} minutes", mins).format(count=mins)
    if not hours:
        return minutes
    whole_hours = ngettext("{count} hour", "{count} hours", hours).format(count=hours)
    # Translators: a duration like "1 hour 5 minutes"; both parts are translated above.
    return (
        _("{hours} {minutes}").format(hours=whole_hours, minutes=minutes) if mins else whole_hours
    )
