"""What a reminder says and which buttons it has."""

from __future__ import annotations

import pytest

from deskguard.core.reminder_text import (
    ACTION_SKIP,
    ACTION_SNOOZE,
    ACTION_STRETCH,
    WALK_INSTEAD,
    reminder_text,
)

HOW_TO = "Stand, hands on your lower back, and lean back gently."


def test_the_action_keys_are_the_freedesktop_ones() -> None:
    assert (ACTION_STRETCH, ACTION_SNOOZE, ACTION_SKIP) == ("stretch", "snooze", "skip")


def test_title_and_body_name_the_exercise_how_to_do_it_and_the_time_sat() -> None:
    text = reminder_text(
        sat_seconds=2700,
        exercise_name="Standing back bend",
        how_to=HOW_TO,
        can_snooze=True,
        snooze_seconds=600,
    )
    assert text.title == "Time to stand up: Standing back bend"
    assert text.body == f"You have been sitting for 45 minutes. {HOW_TO}"
    assert text.actions == (
        ("stretch", "Stretch now"),
        ("snooze", "Snooze 10 minutes"),
        ("skip", "Skip"),
    )


def test_without_snoozes_left_there_is_no_snooze_button() -> None:
    text = reminder_text(
        sat_seconds=2700,
        exercise_name="Standing back bend",
        how_to=HOW_TO,
        can_snooze=False,
        snooze_seconds=600,
    )
    assert text.actions == (("stretch", "Stretch now"), ("skip", "Skip"))
    assert "snooze" not in dict(text.actions)


@pytest.mark.parametrize("name", [None, ""])
def test_with_no_exercise_the_reminder_suggests_a_walk(name: str | None) -> None:
    text = reminder_text(
        sat_seconds=3600, exercise_name=name, how_to=None, can_snooze=True, snooze_seconds=300
    )
    assert text.title == "Time to stand up"
    assert text.body == f"You have been sitting for 60 minutes. {WALK_INSTEAD}"
    assert "walk" in text.body
    assert [key for key, _ in text.actions] == ["stretch", "snooze", "skip"]
    assert dict(text.actions)["snooze"] == "Snooze 5 minutes"


def test_an_exercise_without_a_how_to_line_has_no_trailing_space() -> None:
    text = reminder_text(
        sat_seconds=1800, exercise_name="Neck roll", how_to=None, can_snooze=True, snooze_seconds=60
    )
    assert text.body == "You have been sitting for 30 minutes."


@pytest.mark.parametrize(
    ("snooze_seconds", "label"),
    [
        (30, "Snooze 1 minute"),
        (60, "Snooze 1 minute"),
        (119, "Snooze 2 minutes"),
        (900, "Snooze 15 minutes"),
    ],
)
def test_the_snooze_label_is_whole_minutes_and_at_least_one(
    snooze_seconds: float, label: str
) -> None:
    text = reminder_text(
        sat_seconds=2700,
        exercise_name="x",
        how_to="y",
        can_snooze=True,
        snooze_seconds=snooze_seconds,
    )
    assert dict(text.actions)["snooze"] == label


@pytest.mark.parametrize(
    ("sat_seconds", "minutes"), [(3, 1), (29, 1), (91, 2), (2700, 45), (2729, 45), (5400, 90)]
)
def test_the_sitting_time_is_whole_minutes_and_at_least_one(
    sat_seconds: float, minutes: int
) -> None:
    text = reminder_text(
        sat_seconds=sat_seconds, exercise_name="x", how_to="y", can_snooze=False, snooze_seconds=0
    )
    unit = "minute" if minutes == 1 else "minutes"
    assert text.body.startswith(f"You have been sitting for {minutes} {unit}. ")
