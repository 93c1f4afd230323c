"""The tray icon's picture, drawn from the daemon's status (its title is `Status.headline`).

A ring fills clockwise from twelve o'clock with the sitting time against the sit limit:
green, then amber from three quarters on, then a full red ring once the limit is reached.
Paused, snoozed, away, off-hours, reminding and break each have their own look. The
picture is a function of `icon_key(status)` alone, so the tray redraws only when the key
changes; progress is quantised to 1/32 of the ring for that reason.

Pillow is imported only when a picture is drawn.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from PIL import Image, ImageDraw

    from deskguard.ipc.status import Status

STEPS = 32
"""Progress is shown in this many steps around the ring."""

AMBER_FROM = 24
"""The first step drawn amber (three quarters of the sit limit)."""

RGB = tuple[int, int, int]
GREEN: RGB = (46, 194, 126)
AMBER: RGB = (245, 166, 35)
RED: RGB = (224, 27, 36)
TRACK: RGB = (96, 102, 108)
"""The empty part of the ring."""
DIM: RGB = (178, 182, 186)
"""Time that is not counting (away), and the paused and off-hours symbols."""
SNOOZE: RGB = (53, 132, 228)

# Ring geometry as fractions of the icon size.
OUTER_MARGIN = 0.06
RING_WIDTH = 0.16
# ImageDraw does not antialias: draw large and scale down. Twice is enough for an icon
# shown at 16-32 pixels; four times made each drawing a 256 KB buffer, and the daemon's
# heap grew by half a megabyte over its first redraws and kept it.
SUPERSAMPLE = 2

PROGRESS_LOOKS = frozenset({"active", "snoozed", "away"})
KNOWN_LOOKS = PROGRESS_LOOKS | {"paused", "off-hours", "reminding", "break"}


class IconKey(NamedTuple):
    """Everything the picture depends on: equal keys give identical pictures."""

    look: str
    """The daemon state, or "unknown" (no status yet: a dim ring)."""
    step: int
    """Filled steps of the ring, 0..STEPS; 0 for looks that show no progress."""


def progress_step(status: Status) -> int:
    """Sitting time against the sit limit, in ring steps (rounded down, at most STEPS)."""
    limit, sitting = status.sit_limit_seconds, status.sitting_seconds
    if limit <= 0:
        return 0
    return max(0, min(STEPS, math.floor(sitting / limit * STEPS)))


def icon_key(status: Status) -> IconKey:
    """What the picture for `status` depends on; redraw only when this changes."""
    look = status.state if status.state in KNOWN_LOOKS else "unknown"
    step = progress_step(status) if look in PROGRESS_LOOKS else 0
    return IconKey(look, step)


def refresh_seconds(sit_limit: float) -> float:
    """How often the picture and the title can change: a step of the ring, or the whole
    minutes of the sitting time, whichever comes first (and at most once a second)."""
    return min(60.0, max(1.0, sit_limit / STEPS))


def progress_colour(step: int) -> RGB:
    if step >= STEPS:
        return RED
    return AMBER if step >= AMBER_FROM else GREEN


def render_icon(status: Status, size: int = 64) -> Image.Image:
    """The tray picture for `status`, `size` pixels square, with a transparent background."""
    return draw_icon(icon_key(status), size)


def draw_icon(key: IconKey, size: int = 64) -> Image.Image:
    from PIL import Image, ImageDraw

    big = size * SUPERSAMPLE
    picture = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(picture)
    margin = round(big * OUTER_MARGIN)
    ring = (margin, margin, big - 1 - margin, big - 1 - margin)
    width = round(big * RING_WIDTH)
    look, step = key
    # The symbol goes first: the crescent is cut out with transparency, the ring stays whole.
    _draw_symbol(draw, look, big)
    track = DIM if look in ("off-hours", "unknown") else TRACK
    draw.ellipse(ring, outline=track, width=width)
    fill, filled = _ring_fill(look, step)
    if filled >= STEPS:
        draw.ellipse(ring, outline=fill, width=width)
    elif filled > 0:
        # Pillow measures angles clockwise from three o'clock; the ring starts at twelve.
        draw.arc(ring, -90, -90 + 360 * filled / STEPS, fill=fill, width=width)
    return picture.resize((size, size), Image.Resampling.LANCZOS)


def _ring_fill(look: str, step: int) -> tuple[RGB, int]:
    """The colour and the number of filled steps of the ring for one look."""
    if look == "reminding":
        return RED, STEPS
    if look == "break":
        return GREEN, STEPS
    if look == "away":
        return DIM, step
    if look in ("active", "snoozed"):
        return progress_colour(step), step
    return TRACK, 0


def _draw_symbol(draw: ImageDraw.ImageDraw, look: str, big: int) -> None:
    """The mark in the middle of the ring that tells the looks apart at a glance."""
    centre = big / 2
    if look == "paused":  # two upright bars
        bar_w, bar_h, gap = big * 0.09, big * 0.32, big * 0.07
        for left in (centre - gap / 2 - bar_w, centre + gap / 2):
            draw.rectangle((left, centre - bar_h / 2, left + bar_w, centre + bar_h / 2), fill=DIM)
    elif look == "off-hours":  # a dash: nothing counts now
        half_w, half_h = big * 0.17, big * 0.045
        draw.rectangle(
            (centre - half_w, centre - half_h, centre + half_w, centre + half_h), fill=DIM
        )
    elif look == "snoozed":  # a crescent moon
        r = big * 0.2
        draw.ellipse((centre - r, centre - r, centre + r, centre + r), fill=SNOOZE)
        shift = r * 0.55
        draw.ellipse(
            (centre - r + shift, centre - r - shift, centre + r + shift, centre + r - shift),
            fill=(0, 0, 0, 0),
        )
    elif look == "reminding":  # a solid disc: act now
        r = big * 0.17
        draw.ellipse((centre - r, centre - r, centre + r, centre + r), fill=RED)
