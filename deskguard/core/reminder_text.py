"""What a reminder says: title, one line on how to do the exercise, and its buttons."""

from __future__ import annotations

from dataclasses import dataclass

from deskguard.i18n import N_, _, ngettext

ACTION_STRETCH = "stretch"
ACTION_SNOOZE = "snooze"
ACTION_SKIP = "skip"
# The notification buttons, as the daemon answers them (freedesktop ActionInvoked keys).
ACTIONS = (ACTION_STRETCH, ACTION_SNOOZE, ACTION_SKIP)
WALK_INSTEAD = N_("Stand up and walk for a few minutes: walking is the best thing for your back.")
"""Marked here, translated where shown (`_(WALK_INSTEAD)`)."""


@dataclass(frozen=True)
class ReminderText:
    title: str
    body: str
    actions: tuple[tuple[str, str], ...]


def reminder_text(
    *,
    sat_seconds: float,
    exercise_name: str | None,
    how_to: str | None,
    can_snooze: bool,
    snooze_seconds: float,
) -> ReminderText:
    """The notification for one reminder; with no exercise it suggests a walk."""
    sat = max(1, round(sat_seconds / 60))
    sitting = ngettext(
        "You have been sitting for {minutes} minute.",
        "You have been sitting for {minutes} minutes.",
        sat,
    ).format(minutes=sat)
    if exercise_name:
        title = _("Time to stand up: {exercise}").format(exercise=exercise_name)
        body = f"{sitting} {how_to or ''}".strip()
    else:
        title = _("Time to stand up")
        body = f"{sitting} {_(WALK_INSTEAD)}"
    # Translators: a button of the reminder notification.
    actions = [(ACTION_STRETCH, _("Stretch now"))]
    if can_snooze:
        minutes = max(1, round(snooze_seconds / 60))
        # Translators: a button of the reminder notification.
        snooze = ngettext("Snooze {minutes} minute", "Snooze {minutes} minutes", minutes)
        actions.append((ACTION_SNOOZE, snooze.format(minutes=minutes)))
    # Translators: a button of the reminder notification.
    actions.append((ACTION_SKIP, _("Skip")))
    return ReminderText(title, body, tuple(actions))
