"""Where the XEmbed icon's tooltip goes: under the icon, centred on the pointer, on screen."""

from __future__ import annotations

from deskguard.tray.xorg_tooltip import GAP, placed

SCREEN = (1280, 800)


def test_under_an_icon_at_the_top_centred_on_the_pointer() -> None:
    assert placed(600, 1, 31, (200, 20), SCREEN) == (500, 31 + GAP)


def test_kept_on_the_screen_at_its_left_and_right_edges() -> None:
    assert placed(10, 1, 31, (200, 20), SCREEN)[0] == 0
    assert placed(1275, 1, 31, (200, 20), SCREEN)[0] == 1280 - 200


def test_above_an_icon_at_the_bottom_of_the_screen() -> None:
    assert placed(600, 770, 800, (200, 20), SCREEN) == (500, 770 - GAP - 20)
