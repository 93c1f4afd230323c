"""The dbusmenu layout of the tray menu and the StatusNotifierItem's pixmaps, without a bus."""

from __future__ import annotations

from dbus_fast import Variant

from deskguard.ipc.status import Status
from deskguard.tray.dbusmenu import ROOT_ID, MenuLayout, mnemonic_safe
from deskguard.tray.icon import draw_icon, icon_key
from deskguard.tray.menu import Entry, build_menu
from deskguard.tray.sni import PIXMAP_SIZES, argb_pixmaps, item_status
from tests.support.xfce_panel import labels_in


def labels_by_id(layout: MenuLayout) -> dict[str, int]:
    return labels_in(layout.layout(ROOT_ID, -1, []))


def test_ids_follow_actions_not_positions() -> None:
    layout = MenuLayout()
    layout.replace(build_menu(Status(state="active", sitting_seconds=60)))
    active = labels_by_id(layout)
    reshaped, _ = layout.replace(build_menu(Status(state="paused")))
    paused = labels_by_id(layout)
    assert reshaped  # Pause ▸ became Resume
    for label in ("Quick stretch now", "Today", "Open config", "Quit"):
        assert active[label] == paused[label]
    assert "Resume" in paused and "Resume" not in active
    assert "30 min" in active and "30 min" not in paused


def test_a_new_status_line_is_a_property_change_of_the_same_id() -> None:
    layout = MenuLayout()
    layout.replace(build_menu(Status(state="active", sitting_seconds=60)))
    revision = layout.revision
    reshaped, changed = layout.replace(build_menu(Status(state="active", sitting_seconds=600)))
    assert not reshaped and layout.revision == revision
    assert changed == [1]  # the status line, the first entry
    assert layout.properties(1)["enabled"].value is False


def test_submenus_and_separators_are_marked_for_the_host() -> None:
    layout = MenuLayout()
    layout.replace(build_menu(Status(state="active")))
    pause = labels_by_id(layout)["Pause"]
    assert layout.properties(pause)["children-display"].value == "submenu"
    kinds = [layout.properties(child_id).get("type") for child_id in layout.ids()]
    assert Variant("s", "separator") in kinds
    # Depth 1: only the top entries, with no children of their own.
    _, _, top = layout.layout(ROOT_ID, 1, ["label"])
    assert all(child.value[2] == [] for child in top)


def test_underscores_are_shown_not_taken_for_mnemonics() -> None:
    assert mnemonic_safe("snooze_10") == "snooze__10"
    layout = MenuLayout()
    layout.replace((Entry("a_b"),))
    assert layout.properties(1)["label"].value == "a__b"


def test_pixmaps_are_argb_big_endian_at_each_size() -> None:
    key = icon_key(Status(state="active", sitting_seconds=10**6, sit_limit_seconds=10))
    pixmaps = argb_pixmaps(key)
    assert [width for width, _, _ in pixmaps] == list(PIXMAP_SIZES)
    width, height, pixels = pixmaps[-1]
    rgba = draw_icon(key, width).tobytes()
    for offset in range(0, len(rgba), 4):
        r, g, b, a = rgba[offset : offset + 4]
        assert pixels[offset : offset + 4] == bytes((a, r, g, b))
    assert len(pixels) == width * height * 4


def test_the_item_asks_for_attention_only_while_reminding() -> None:
    assert item_status(Status(state="reminding")) == "NeedsAttention"
    assert item_status(Status(state="paused")) == "Active"
