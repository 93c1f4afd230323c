"""The daemon's status: what `deskguard status --json` prints, typed, and its human text.

The daemon imports this module: it must stay free of pydantic and click.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from deskguard.core.durations import readable_duration

WALK_INSTEAD = "stand up and walk"
"""What a reminder without an exercise asks for."""

FIXED_HEADLINES = {
    "away": "Away from the computer",
    "break": "On a break",
    "off-hours": "Outside working hours",
}
"""The states whose text says all there is to say."""


@dataclass(frozen=True)
class Status:
    """One reading of the running daemon.

    Every field has a default, so that a status from an older daemon (or none at all yet:
    `Status()`) can still be shown. An empty `state` means no status has arrived.
    """

    state: str = ""
    """active, away, paused, snoozed, reminding, break or off-hours."""
    sitting_seconds: float = 0.0
    next_reminder_in_seconds: float | None = None
    snoozed_until: str | None = None
    """ISO 8601."""
    paused_until: str | None = None
    """ISO 8601; None while paused means until `deskguard resume`."""
    activity_source: str | None = None
    notifier: str | None = None
    pending_exercise: str | None = None
    """The id of the exercise the reminder on screen suggests."""
    pending_exercise_name: str | None = None
    """Its name, as the reminder and the routine window say it."""
    snoozes_left: int | None = None
    deferred_by: tuple[str, ...] = ()
    """The focus signals that keep a due reminder waiting."""
    idle_seconds: float = 0.0
    locked: bool = False
    config_file: str | None = None
    """The config file the daemon reads."""
    sit_limit_seconds: int = 0
    snooze_seconds: int = 0
    pid: int | None = None
    version: str | None = None
    config: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The effective configuration, one object per section."""

    def to_json(self) -> dict[str, Any]:
        """The `deskguard status --json` object, keys in the order of the fields."""
        data = {each.name: getattr(self, each.name) for each in fields(self)}
        data["deferred_by"] = list(self.deferred_by)
        data["config"] = {section: dict(keys) for section, keys in self.config.items()}
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Status:
        """The status in `data`; missing keys (or null ones) take their defaults, and keys
        this version does not know are left out, so that any CLI talks to any daemon."""
        known = {each.name for each in fields(cls)}
        given = {key: value for key, value in data.items() if key in known and value is not None}
        if "deferred_by" in given:
            given["deferred_by"] = tuple(given["deferred_by"])
        return cls(**given)

    # -- words ------------------------------------------------------------------------

    def describe(self) -> str:
        """The lines `deskguard status` prints."""
        sitting = readable_duration(self.sitting_seconds)
        state = self.state or "?"
        headline = {
            "active": f"Sitting for {sitting}",
            "paused": f"Paused until {self.paused_until or 'you resume'}",
            "snoozed": f"Snoozed until {self.snoozed_until} (sitting for {sitting})",
            "reminding": f"Time to stretch: {self._pending_words()}",
            **FIXED_HEADLINES,
        }.get(state, state)
        lines = [headline]
        if self.next_reminder_in_seconds is not None:
            lines.append(f"Next stretch in {readable_duration(self.next_reminder_in_seconds)}")
        lines.append(f"Activity: {self.activity_source} · notifications: {self.notifier}")
        return "\n".join(lines)

    def headline(self, now: datetime | None = None) -> str:
        """One line, e.g. "Sitting 32 min — next stretch in 13 min": the tray icon's title
        and the first line of its menu. `now` (for the dates of pauses) defaults to the
        current local time."""
        sitting = readable_duration(self.sitting_seconds)
        next_stretch = self._next_stretch()
        if self.state == "active":
            return f"Sitting {sitting} — {next_stretch}" if next_stretch else f"Sitting {sitting}"
        if self.state == "snoozed":
            return f"Snoozed — {next_stretch or 'no stretch due'} (sitting {sitting})"
        if self.state == "reminding":
            return f"Time to stretch: {self._pending_words()} (sitting {sitting})"
        if self.state == "paused":
            until = self.paused_until
            return f"Paused until {_clock(until, now)}" if until else "Paused until you resume"
        return FIXED_HEADLINES.get(self.state, "deskguard")

    def _pending_words(self) -> str:
        """The pending exercise by its name (an older daemon sends only the id)."""
        if self.pending_exercise_name:
            return self.pending_exercise_name
        return (self.pending_exercise or WALK_INSTEAD).replace("-", " ")

    def _next_stretch(self) -> str:
        due = self.next_reminder_in_seconds
        if due is None:
            return ""
        if due <= 0:  # due this moment; the reminder follows at the next tick
            return "stretch due now"
        return f"next stretch in {readable_duration(due)}"


def _clock(iso: str, now: datetime | None) -> str:
    """A moment as the user wants to read it: "14:30", "tomorrow 00:00" or "Fri 3 May 09:00"."""
    moment = datetime.fromisoformat(iso).astimezone()
    today = (now or datetime.now().astimezone()).astimezone().date()
    days = (moment.date() - today).days
    if days == 0:
        return moment.strftime("%H:%M")
    if days == 1:
        return moment.strftime("tomorrow %H:%M")
    return f"{moment:%a} {moment.day} {moment:%b %H:%M}"
