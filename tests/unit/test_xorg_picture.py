"""The picture an XEmbed tray slot gets: square, centred, blended over the tray's background."""

from __future__ import annotations

import pytest
from PIL import Image

from deskguard.tray.icon import IconKey, draw_icon
from deskguard.tray.xorg_picture import in_slot

LIGHT = (238, 238, 238)
RGB = tuple[int, int, int]


def pixels(picture: Image.Image) -> list[RGB]:
    data = picture.convert("RGB").tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def ring_box(picture: Image.Image, background: RGB) -> tuple[int, int, int, int]:
    """The bounding box of the pixels that are clearly not the background."""
    mask = Image.new("L", picture.size)
    far = [
        max(abs(a - b) for a, b in zip(p, background, strict=True)) > 40 for p in pixels(picture)
    ]
    mask.putdata([255 if is_far else 0 for is_far in far])
    box = mask.getbbox()
    assert box is not None, "nothing drawn"
    return box


@pytest.mark.parametrize("slot", [(24, 30), (16, 30), (30, 24), (22, 22)])
def test_the_ring_is_a_circle_in_the_middle_of_any_slot(slot: tuple[int, int]) -> None:
    picture = in_slot(draw_icon(IconKey("active", 0)), Image.new("RGB", slot, LIGHT))
    assert picture.size == slot and picture.mode == "RGB"
    left, top, right, bottom = ring_box(picture, LIGHT)
    width, height = right - left, bottom - top
    assert abs(width - height) <= 1, (width, height)
    assert abs((left + right) - slot[0]) <= 2 and abs((top + bottom) - slot[1]) <= 2
    assert width >= min(slot) - 4  # as large as the slot allows


def test_transparent_pixels_show_the_background_and_nothing_else() -> None:
    # Colour under zero alpha (what scaling leaves around the ring) must not show.
    picture = Image.new("RGBA", (64, 64), (255, 0, 255, 0))
    slot = in_slot(picture, Image.new("RGB", (24, 30), LIGHT))
    assert set(pixels(slot)) == {LIGHT}


def test_the_grey_ring_blends_into_a_light_panel_without_coloured_or_black_pixels() -> None:
    slot = in_slot(draw_icon(IconKey("active", 0)), Image.new("RGB", (24, 30), LIGHT))
    shown = pixels(slot)
    # The track is a blue-tinged grey: every pixel lies between it and the panel.
    assert all(max(p) - min(p) <= 14 for p in shown), {p for p in shown if max(p) - min(p) > 14}
    assert not [p for p in shown if max(p) < 60]
