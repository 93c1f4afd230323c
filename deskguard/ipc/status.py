"""The daemon's status: what `deskguard status --json` prints, typed, and its human text.

The daemon imports this module: it must stay free of pydantic and click.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from deskguard.core.durations import readable_duration
from deskguard.i18n import N_, _
from deskguard.i18n.dates import readable_moment

WALK_INSTEAD = N_("stand up and walk")
"""What a reminder without an exercise asks for."""

FIXED_HEADLINES = {
    "away": N_("Away from the computer"),
    "break": N_("On a break"),
    "off-hours": N_("Outside working hours"),
}
"""The states whose text says all there is to say (translated where shown)."""


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

    def describe(self, now: datetime | None = None) -> str:
        """The lines `deskguard status` prints; `now` as for `headline`."""
        sitting = readable_duration(self.sitting_seconds)
        state = self.state or "?"
        if state == "active":
            headline = _("Sitting for {duration}").format(duration=sitting)
        elif state == "paused":
            headline = (
                _("Paused until {moment}").format(moment=readable_moment(self.paused_until, now))
                if self.paused_until
                else _("Paused until you resume")
            )
        elif state == "snoozed":
            headline = _("Snoozed until {moment} (sitting for {duration})").format(
                moment=readable_moment(self.snoozed_until, now) if self.snoozed_until else "?",
                duration=sitting,
            )
        elif state == "reminding":
            exercise = self._pending_words()
            headline = _("Time to stretch: {exercise}").format(exercise=exercise)
        else:
            headline = _(FIXED_HEADLINES[state]) if state in FIXED_HEADLINES else state
        lines = [headline]
        if self.next_reminder_in_seconds is not None:
            due = readable_duration(self.next_reminder_in_seconds)
            lines.append(_("Next stretch in {duration}").format(duration=due))
        # Translators: {source} and {notifier} are technical names, like "x11" and "dbus".
        lines.append(
            _("Activity: {source} · notifications: {notifier}").format(
                source=self.activity_source, notifier=self.notifier
            )
        )
        return "\n".join(lines)

    def headline(self, now: datetime | None = None) -> str:
        """One line, e.g. "Sitting 32 minutes — next stretch in 13 minutes": the tray
        icon's title and the first line of its menu. `now` (for the dates of pauses)
        defaults to the current local time."""
        sitting = readable_duration(self.sitting_seconds)
        next_stretch = self._next_stretch()
        if self.state == "active":
            if next_stretch:
                return _("Sitting {duration} — {next_stretch}").format(
                    duration=sitting, next_stretch=next_stretch
                )
            return _("Sitting {duration}").format(duration=sitting)
        if self.state == "snoozed":
            return _("Snoozed — {next_stretch} (sitting {duration})").format(
                next_stretch=next_stretch or _("no stretch due"), duration=sitting
            )
        if self.state == "reminding":
            return _("Time to stretch: {exercise} (sitting {duration})").format(
                exercise=self._pending_words(), duration=sitting
            )
        if self.state == "paused":
            until = self.paused_until
            if until:
                return _("Paused until {moment}").format(moment=readable_moment(until, now))
            return _("Paused until you resume")
        return _(FIXED_HEADLINES[self.state]) if self.state in FIXED_HEADLINES else "deskguard"

    def _pending_words(self) -> str:
        """The pending exercise by its name (an older daemon sends only the id), in the
        user's language: the status carries the catalog's English name."""
        if self.pending_exercise_name:
            return _(self.pending_exercise_name)
        return (self.pending_exercise or _(WALK_INSTEAD)).replace("-", " ")

    def _next_stretch(self) -> str:
        due = self.next_reminder_in_seconds
        if due is None:
            return ""
        if due <= 0:  # due this moment; the reminder follows at the next tick
            return _("stretch due now")
        return _("next stretch in {duration}").format(duration=readable_duration(due))
