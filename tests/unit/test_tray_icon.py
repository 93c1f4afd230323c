"""The tray picture: ring pixels per state, and redraws only when the picture changes."""

from __future__ import annotations

import math
from typing import Any

import pytest
from PIL.Image import Image

from deskguard.ipc.status import Status
from deskguard.tray.icon import (
    AMBER,
    DIM,
    GREEN,
    OUTER_MARGIN,
    RED,
    RING_WIDTH,
    SNOOZE,
    STEPS,
    TRACK,
    IconKey,
    icon_key,
    render_icon,
)

SIZE = 64
LIMIT = 45 * 60
# The middle of the ring's width, where antialiasing does not reach.
RING_RADIUS = SIZE / 2 - SIZE * OUTER_MARGIN - SIZE * RING_WIDTH / 2


def status(state: str = "active", sitting: float = 0, **extra: Any) -> Status:
    defaults: dict[str, Any] = {
        "state": state,
        "sitting_seconds": sitting,
        "sit_limit_seconds": LIMIT,
        "next_reminder_in_seconds": max(0.0, LIMIT - sitting),
    }
    return Status(**{**defaults, **extra})


def pixel(picture: Image, x: float, y: float) -> tuple[int, ...]:
    value = picture.getpixel((int(x), int(y)))
    assert isinstance(value, tuple)
    return value


def at_angle(picture: Image, degrees: float, radius: float = RING_RADIUS) -> tuple[int, ...]:
    """The pixel at `degrees` clockwise from twelve o'clock, `radius` from the centre."""
    angle = math.radians(degrees)
    return pixel(picture, SIZE / 2 + radius * math.sin(angle), SIZE / 2 - radius * math.cos(angle))


def assert_colour(pixel: tuple[int, ...], rgb: tuple[int, int, int], tolerance: int = 12) -> None:
    assert pixel[3] > 240, f"{pixel} is not opaque"
    assert all(abs(a - b) <= tolerance for a, b in zip(pixel[:3], rgb, strict=True)), (
        f"{pixel[:3]} is not {rgb}"
    )


# The arc's ends are antialiased; sample away from them.
FIRST_HALF = range(15, 166, 10)
SECOND_HALF = range(195, 346, 10)
ALL_AROUND = range(0, 360, 15)


# ---------------------------------------------------------------------------- the ring


def test_no_sitting_shows_only_the_empty_track() -> None:
    picture = render_icon(status(sitting=0), SIZE)
    for degrees in ALL_AROUND:
        assert_colour(at_angle(picture, degrees), TRACK)


def test_half_the_limit_fills_the_right_half_green() -> None:
    picture = render_icon(status(sitting=LIMIT / 2), SIZE)
    for degrees in FIRST_HALF:
        assert_colour(at_angle(picture, degrees), GREEN)
    for degrees in SECOND_HALF:
        assert_colour(at_angle(picture, degrees), TRACK)


def test_the_last_quarter_before_the_limit_is_amber() -> None:
    picture = render_icon(status(sitting=LIMIT * 0.8), SIZE)
    for degrees in (20, 90, 180, 270):
        assert_colour(at_angle(picture, degrees), AMBER)
    assert_colour(at_angle(picture, 300), TRACK)  # 0.8 of the ring ends at 288 degrees


@pytest.mark.parametrize("sitting", [LIMIT, LIMIT * 1.5])
def test_the_limit_reached_makes_a_full_red_ring(sitting: float) -> None:
    picture = render_icon(status(sitting=sitting), SIZE)
    for degrees in ALL_AROUND:
        assert_colour(at_angle(picture, degrees), RED)


def test_paused_hides_the_progress_and_shows_two_bars() -> None:
    picture = render_icon(status("paused", sitting=LIMIT / 2), SIZE)
    for degrees in ALL_AROUND:
        assert_colour(at_angle(picture, degrees), TRACK)
    bar_offset = SIZE * 0.08  # left and right of the centre, inside the bars
    assert_colour(at_angle(picture, 90, bar_offset), DIM)
    assert_colour(at_angle(picture, 270, bar_offset), DIM)
    assert pixel(picture, SIZE / 2, SIZE / 2) == (0, 0, 0, 0)  # the gap between them


def test_the_other_states_look_different() -> None:
    away = render_icon(status("away", sitting=LIMIT / 2), SIZE)
    assert_colour(at_angle(away, 90), DIM)  # time that is not counting
    assert_colour(at_angle(away, 270), TRACK)

    snoozed = render_icon(status("snoozed", sitting=LIMIT * 1.1), SIZE)
    assert_colour(at_angle(snoozed, 90), RED)
    assert_colour(at_angle(snoozed, 225, SIZE * 0.12), SNOOZE)  # the crescent

    reminding = render_icon(status("reminding", sitting=LIMIT), SIZE)
    assert_colour(pixel(reminding, SIZE / 2, SIZE / 2), RED)

    on_break = render_icon(status("break"), SIZE)
    for degrees in ALL_AROUND:
        assert_colour(at_angle(on_break, degrees), GREEN)

    off_hours = render_icon(status("off-hours", sitting=LIMIT / 2), SIZE)
    for degrees in ALL_AROUND:
        assert_colour(at_angle(off_hours, degrees), DIM)


def test_the_background_is_transparent_and_the_size_as_asked() -> None:
    picture = render_icon(status(sitting=LIMIT / 2), 48)
    assert picture.size == (48, 48)
    assert picture.mode == "RGBA"
    assert pixel(picture, 0, 0) == (0, 0, 0, 0)


# ---------------------------------------------------------------------------- redraws


def test_the_key_moves_in_steps_of_a_thirty_second() -> None:
    step = LIMIT / STEPS
    assert icon_key(status(sitting=0)) == icon_key(status(sitting=step * 0.99))
    assert icon_key(status(sitting=step * 0.99)) != icon_key(status(sitting=step))
    assert icon_key(status(sitting=step * 16.5)) == IconKey("active", 16)
    assert icon_key(status(sitting=LIMIT * 3)) == IconKey("active", STEPS)


def test_states_without_progress_ignore_the_sitting_time() -> None:
    for state in ("paused", "off-hours", "reminding", "break"):
        assert icon_key(status(state, sitting=0)) == icon_key(status(state, sitting=LIMIT / 2))


def test_what_the_key_ignores_does_not_change_the_picture() -> None:
    first = status(sitting=600, next_reminder_in_seconds=2100, idle_seconds=3)
    later = status(sitting=620, next_reminder_in_seconds=2080, idle_seconds=40, locked=False)
    assert icon_key(first) == icon_key(later)
    assert render_icon(first).tobytes() == render_icon(later).tobytes()


def test_every_distinct_key_is_a_distinct_picture() -> None:
    statuses = [status(sitting=LIMIT * step / STEPS) for step in range(STEPS + 1)]
    statuses += [status(state, sitting=LIMIT / 2) for state in ("away", "snoozed")]
    statuses += [status(state) for state in ("paused", "off-hours", "reminding", "break")]
    statuses += [Status()]  # no status yet
    pictures: dict[IconKey, bytes] = {}
    for each in statuses:
        pictures.setdefault(icon_key(each), render_icon(each).tobytes())
    assert len(pictures) == len(statuses)
    assert len(set(pictures.values())) == len(pictures)


def test_without_a_sit_limit_the_ring_stays_empty() -> None:
    assert icon_key(Status(state="active", sitting_seconds=900)) == IconKey("active", 0)
    assert icon_key(Status(state="something-new")) == IconKey("unknown", 0)
