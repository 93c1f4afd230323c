"""deskguard's tray icon as a StatusNotifierItem with a dbusmenu menu, over dbus-fast.

KDE, GNOME's AppIndicator extension, XFCE, Cinnamon, LXQt and waybar host tray icons this
way, and on Wayland it is the only tray there is. It needs no GTK: the item lives on the
daemon's asyncio loop, on a bus connection of its own, and answers the host's calls
there. What each host needs is in HEADLESS.md ("StatusNotifier hosts"): export before
registering, ARGB32 big-endian pixmaps, ItemIsMenu, both AboutToShow forms, stable ids.

Threads: `update()` and `stop()` hand over to the loop and never block; `run()` blocks
its caller (the daemon's main thread) until `stop()`. Menu actions run on short-lived
threads, because performing one waits for the daemon's answer from that same loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from deskguard.ipc.status import Status
from deskguard.platform.dbus import DBUS, add_match, call_method, connect, reason_for
from deskguard.platform.tray_host import STATUS_NOTIFIER_WATCHER
from deskguard.tray.dbusmenu import MenuLayout
from deskguard.tray.icon import IconKey, draw_icon, icon_key, refresh_seconds
from deskguard.tray.menu import DaemonCommand, Entry, ShowToday, build_menu

ITEM_PATH = "/StatusNotifierItem"
MENU_PATH = "/MenuBar"
ITEM_INTERFACE = "org.kde.StatusNotifierItem"
MENU_INTERFACE = "com.canonical.dbusmenu"
PROPERTIES_INTERFACE = "org.freedesktop.DBus.Properties"
WATCHER_PATH = "/StatusNotifierWatcher"
PIXMAP_SIZES = (16, 22, 24, 32, 48)
"""Hosts pick the size nearest their slot; these cover panels from 16 to 48 pixels."""

PIXMAPS = "a(iiay)"

PerformEntry = Callable[[Entry], None]


def argb_pixmaps(key: IconKey) -> list[list[Any]]:
    """`IconPixmap`: ARGB32, big-endian, straight alpha, at each of PIXMAP_SIZES."""
    from PIL import Image

    pixmaps: list[list[Any]] = []
    for size in PIXMAP_SIZES:
        red, green, blue, alpha = draw_icon(key, size).split()
        pixels = Image.merge("RGBA", (alpha, red, green, blue)).tobytes()
        pixmaps.append([size, size, pixels])
    return pixmaps


def item_status(status: Status) -> str:
    # "Passive" would hide the icon on GNOME: it is Active whenever it is not asking.
    return "NeedsAttention" if status.state == "reminding" else "Active"


class StatusNotifierItem:
    """The icon, its tooltip and its menu on the session bus, for one daemon status at a time.

    `perform_entry` carries out a menu entry (it may block: it is called on a thread)."""

    def __init__(
        self,
        perform_entry: PerformEntry,
        log: logging.Logger,
        quick_picture: Callable[[Status], bytes | None] = lambda _status: None,
    ) -> None:
        self._perform_entry = perform_entry
        self._quick_picture = quick_picture
        self._log = log
        self._bus: MessageBus | None = None
        self._registering: set[asyncio.Task[None]] = set()  # the loop keeps weak references
        self.bus_name = f"org.kde.StatusNotifierItem-{os.getpid()}-1"
        self._status = Status()
        self._key: IconKey = icon_key(self._status)
        self._pixmaps = argb_pixmaps(self._key)
        self._title = self._status.headline()
        self.menu = MenuLayout()
        self.menu.replace(build_menu(self._status, quick_picture=quick_picture(self._status)))

    # -- the loop ---------------------------------------------------------------------

    async def start(self) -> None:
        """Export the item and the menu, then register with the watcher and follow it."""
        bus = await connect()
        self._bus = bus
        bus.add_message_handler(self._on_message)
        await bus.request_name(self.bus_name)
        sender, path, interface = DBUS
        await add_match(
            bus,
            f"type='signal',sender='{sender}',path='{path}',interface='{interface}',"
            f"member='NameOwnerChanged',arg0='{STATUS_NOTIFIER_WATCHER}'",
        )
        await self.register()

    async def register(self) -> None:
        """Tell the watcher about the item (again when a new watcher appears)."""
        if self._bus is None:
            return
        try:
            await call_method(
                self._bus,
                STATUS_NOTIFIER_WATCHER,
                WATCHER_PATH,
                STATUS_NOTIFIER_WATCHER,
                "RegisterStatusNotifierItem",
                "s",
                [self.bus_name],
            )
            self._log.info("tray: registered with the StatusNotifier host as %s", self.bus_name)
        except Exception as exc:
            self._log.info("tray: the StatusNotifier host refused the icon: %s", reason_for(exc))

    def stop(self) -> None:
        if self._bus is not None:
            self._bus.disconnect()
            self._bus = None

    def show(self, status: Status) -> None:
        """Show a new daemon status: signal only what changed."""
        old = self._status
        self._status = status
        key, title = icon_key(status), status.headline()
        if key != self._key:
            self._key, self._pixmaps = key, argb_pixmaps(key)
            self._signal(ITEM_PATH, ITEM_INTERFACE, "NewIcon")
        if title != self._title:
            self._title = title
            self._signal(ITEM_PATH, ITEM_INTERFACE, "NewToolTip")
        if item_status(status) != item_status(old):
            self._signal(ITEM_PATH, ITEM_INTERFACE, "NewStatus", "s", [item_status(status)])
        entries = build_menu(status, quick_picture=self._quick_picture(status))
        if entries == self.menu.entries:
            return
        reshaped, changed = self.menu.replace(entries)
        if reshaped:
            self._signal(MENU_PATH, MENU_INTERFACE, "LayoutUpdated", "ui", [self.menu.revision, 0])
        elif changed:
            updated = [[item_id, self.menu.properties(item_id)] for item_id in changed]
            signature = "a(ia{sv})a(ias)"
            self._signal(
                MENU_PATH, MENU_INTERFACE, "ItemsPropertiesUpdated", signature, [updated, []]
            )

    # -- the bus ----------------------------------------------------------------------

    def _signal(
        self, path: str, interface: str, member: str, sig: str = "", body: Any = ()
    ) -> None:
        if self._bus is not None:
            self._bus.send(Message.new_signal(path, interface, member, sig, list(body)))

    def _on_message(self, message: Message) -> Message | bool | None:
        if message.message_type is MessageType.SIGNAL:
            name, _old, new = message.body if message.member == "NameOwnerChanged" else ("", "", "")
            if name == STATUS_NOTIFIER_WATCHER and new:
                # A (new) host owns the watcher, and knows nothing of this item yet.
                task = asyncio.get_running_loop().create_task(self.register())
                self._registering.add(task)
                task.add_done_callback(self._registering.discard)
            return None
        if message.message_type is not MessageType.METHOD_CALL:
            return None
        if message.path not in (ITEM_PATH, MENU_PATH):
            return None
        self._log.debug(
            "tray: the host calls %s.%s%s", message.interface, message.member, message.body
        )
        try:
            return self._answer(message)
        except Exception as exc:
            self._log.debug("tray: cannot answer %s", message.member, exc_info=True)
            return Message.new_error(message, "org.freedesktop.DBus.Error.Failed", str(exc))

    def _answer(self, message: Message) -> Message:
        member, body = message.member, message.body
        if message.interface == PROPERTIES_INTERFACE:
            properties = self._properties(body[0])
            if member == "GetAll":
                return Message.new_method_return(message, "a{sv}", [properties])
            if member == "Get" and body[1] in properties:
                return Message.new_method_return(message, "v", [properties[body[1]]])
        elif message.path == ITEM_PATH and member in ITEM_METHODS:
            if member == "Activate":
                self._activate()
            return Message.new_method_return(message)
        elif message.path == MENU_PATH:
            return self._answer_menu(message)
        return Message.new_error(
            message, "org.freedesktop.DBus.Error.UnknownMethod", f"no method {member}"
        )

    def _answer_menu(self, message: Message) -> Message:
        member, body, menu = message.member, message.body, self.menu
        if member == "GetLayout":
            return Message.new_method_return(
                message, "u(ia{sv}av)", [menu.revision, menu.layout(body[0], body[1], body[2])]
            )
        if member == "GetGroupProperties":
            ids = body[0] or list(menu.ids())
            group = [[item_id, menu.properties(item_id, body[1])] for item_id in ids]
            return Message.new_method_return(message, "a(ia{sv})", [group])
        if member == "GetProperty":
            return Message.new_method_return(message, "v", [menu.properties(body[0])[body[1]]])
        if member == "Event":
            self._event(body[0], body[1])
            return Message.new_method_return(message)
        if member == "EventGroup":
            for item_id, event, _data, _time in body[0]:
                self._event(item_id, event)
            return Message.new_method_return(message, "ai", [[]])
        if member == "AboutToShow":
            return Message.new_method_return(message, "b", [False])
        if member == "AboutToShowGroup":
            return Message.new_method_return(message, "aiai", [[], []])
        return Message.new_error(
            message, "org.freedesktop.DBus.Error.UnknownMethod", f"no method {member}"
        )

    def _properties(self, interface: str) -> dict[str, Variant]:
        if interface == MENU_INTERFACE:
            return {
                "Version": Variant("u", 3),
                "TextDirection": Variant("s", "ltr"),
                "Status": Variant("s", "normal"),
                "IconThemePath": Variant("as", []),
            }
        if interface != ITEM_INTERFACE:
            return {}
        return {
            "Category": Variant("s", "ApplicationStatus"),
            "Id": Variant("s", "deskguard"),
            "Title": Variant("s", "deskguard"),
            "Status": Variant("s", item_status(self._status)),
            "WindowId": Variant("i", 0),
            "IconName": Variant("s", ""),
            "IconThemePath": Variant("s", ""),
            "IconPixmap": Variant(PIXMAPS, self._pixmaps),
            "OverlayIconName": Variant("s", ""),
            "OverlayIconPixmap": Variant(PIXMAPS, []),
            "AttentionIconName": Variant("s", ""),
            "AttentionIconPixmap": Variant(PIXMAPS, []),
            "AttentionMovieName": Variant("s", ""),
            "ToolTip": Variant("(sa(iiay)ss)", ["", [], "deskguard", self._title]),
            "ItemIsMenu": Variant("b", True),  # else XFCE and Plasma call Activate on a click
            "Menu": Variant("o", MENU_PATH),
        }

    # -- doing ------------------------------------------------------------------------

    def _event(self, item_id: int, event: str) -> None:
        entry = self.menu.entry(item_id)
        if event == "clicked" and entry is not None and entry.enabled:
            self._in_background(entry)

    def _activate(self) -> None:
        """The host's "activate" (GNOME's double click): the obvious thing for the moment."""
        if self._status.state == "reminding":
            self._in_background(Entry("Stretch now", DaemonCommand("break")))
        else:
            self._in_background(Entry("Today", ShowToday()))

    def _in_background(self, entry: Entry) -> None:
        threading.Thread(
            target=self._perform_entry, args=(entry,), name="deskguard-tray-action", daemon=True
        ).start()


ITEM_METHODS = frozenset({"Activate", "SecondaryActivate", "ContextMenu", "Scroll"})


class SniTray:
    """The daemon's tray when a StatusNotifier host is there: the same face as `Tray`."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, item: StatusNotifierItem, log: logging.Logger
    ) -> None:
        self._loop = loop
        self._item = item
        self._log = log
        self._stopped = threading.Event()
        self.backend = "StatusNotifierItem"

    def update(self, status: Status) -> None:
        """Show a new daemon status. Never blocks; any thread."""
        self._loop.call_soon_threadsafe(self._show, status)

    def _show(self, status: Status) -> None:
        try:
            self._item.show(status)
        except Exception:
            self._log.exception("tray: could not show the new status")

    def refresh_seconds(self, sit_limit: float) -> float:
        return refresh_seconds(sit_limit)

    def stop(self) -> None:
        """End `run()`. Never blocks; safe from signal handlers."""
        self._stopped.set()
        # The loop may be closed, or closing, when the daemon stops after its loop.
        with contextlib.suppress(RuntimeError):
            self._loop.call_soon_threadsafe(self._item.stop)

    def run(self) -> None:
        """The item lives on the daemon's loop: the calling thread only waits for `stop()`."""
        self._stopped.wait()
