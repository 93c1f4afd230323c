"""What a reminder says: title, one line on how to do the exercise, and its buttons."""

from __future__ import annotations

from dataclasses import dataclass

ACTION_STRETCH = "stretch"
ACTION_SNOOZE = "snooze"
ACTION_SKIP = "skip"
# The notification buttons, as the daemon answers them (freedesktop ActionInvoked keys).
ACTIONS = (ACTION_STRETCH, ACTION_SNOOZE, ACTION_SKIP)
WALK_INSTEAD = "Stand up and walk for a few minutes: walking is the best thing for your back."


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
    if exercise_name:
        title = f"Time to stand up: {exercise_name}"
        body = f"You have been sitting for {sat} min. {how_to or ''}".strip()
    else:
        title = "Time to stand up"
        body = f"You have been sitting for {sat} min. {WALK_INSTEAD}"
    actions = [(ACTION_STRETCH, "Stretch now")]
    if can_snooze:
        actions.append((ACTION_SNOOZE, f"Snooze {max(1, round(snooze_seconds / 60))} min"))
    actions.append((ACTION_SKIP, "Skip"))
    return ReminderText(title, body, tuple(actions))
