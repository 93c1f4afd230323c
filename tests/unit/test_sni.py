"""The dbusmenu layout of the tray menu and the StatusNotifierItem's answers, without a bus."""

from __future__ import annotations

import logging
from typing import Any

from dbus_fast import Message, Variant

from deskguard.ipc.status import Status
from deskguard.tray.dbusmenu import ROOT_ID, MenuLayout, mnemonic_safe
from deskguard.tray.icon import draw_icon, icon_key
from deskguard.tray.menu import DaemonCommand, Entry, build_menu
from deskguard.tray.sni import (
    ITEM_INTERFACE,
    ITEM_PATH,
    MENU_INTERFACE,
    MENU_PATH,
    PIXMAP_SIZES,
    PROPERTIES_INTERFACE,
    StatusNotifierItem,
    argb_pixmaps,
    item_status,
)
from tests.support.polling import poll
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
    assert "30 minutes" in active and "30 minutes" not in paused


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


class RecordingBus:
    """Stands in for the item's bus connection: keeps what the item sends."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> None:
        self.sent.append(message)

    def signals(self) -> list[tuple[str | None, list[Any]]]:
        return [(message.member, message.body) for message in self.sent]


def item_on(bus: RecordingBus, done: list[Entry]) -> StatusNotifierItem:
    item = StatusNotifierItem(done.append, logging.getLogger("test"))
    item._bus = bus  # type: ignore[assignment]
    return item


def call(item: StatusNotifierItem, *request: Any) -> Message:
    """The item's answer to a host's call: path, interface, member, signature, body."""
    path, interface, member, *typed = request
    signature, body = typed or ("", [])
    message = Message(
        destination="org.example.Host",
        path=path,
        interface=interface,
        member=member,
        signature=signature,
        body=body,
        serial=1,
    )
    reply = item._on_message(message)
    assert isinstance(reply, Message)
    return reply


def test_a_reminder_asks_for_attention_and_activate_stretches() -> None:
    bus, done = RecordingBus(), list[Entry]()
    item = item_on(bus, done)
    item.show(Status(state="reminding", sit_limit_seconds=60, sitting_seconds=60))
    assert ("NewStatus", ["NeedsAttention"]) in bus.signals()
    assert ("NewIcon", []) in bus.signals()
    call(item, ITEM_PATH, ITEM_INTERFACE, "Activate", "ii", [0, 0])
    poll(lambda: done, 5, "the entry performed")  # on a thread of its own
    assert [entry.action for entry in done] == [DaemonCommand("break")]


def test_pausing_relayouts_the_menu_and_a_click_performs_the_entry() -> None:
    bus, done = RecordingBus(), list[Entry]()
    item = item_on(bus, done)
    item.show(Status(state="paused"))
    assert ("LayoutUpdated", [item.menu.revision, 0]) in bus.signals()
    resume = labels_by_id(item.menu)["Resume"]
    call(item, MENU_PATH, MENU_INTERFACE, "Event", "isvu", [resume, "clicked", Variant("s", ""), 0])
    poll(lambda: done, 5, "the entry performed")
    assert [entry.action for entry in done] == [DaemonCommand("resume")]


def test_properties_are_answered_per_interface() -> None:
    item = item_on(RecordingBus(), [])
    reply = call(item, ITEM_PATH, PROPERTIES_INTERFACE, "GetAll", "s", [ITEM_INTERFACE])
    assert reply.body[0]["ItemIsMenu"].value is True
    assert reply.body[0]["Menu"].value == MENU_PATH
    assert call(item, ITEM_PATH, PROPERTIES_INTERFACE, "GetAll", "s", ["org.example"]).body == [{}]
    version = call(item, MENU_PATH, PROPERTIES_INTERFACE, "Get", "ss", [MENU_INTERFACE, "Version"])
    assert version.body[0].value == 3
