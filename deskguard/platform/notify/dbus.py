"""The `dbus` backend: org.freedesktop.Notifications over dbus-fast, with buttons.

Also what the other backends and `deskguard doctor` need to know of the server: whether
one runs (or D-Bus would start one) and what it says it can do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Any

from dbus_fast import DBusError, Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from deskguard.core.reminder_text import ACTION_STRETCH
from deskguard.paths import APP_ID
from deskguard.platform.dbus import DBUS, add_match, call_method, connect, reason_for, until_closed
from deskguard.platform.notify.notice import APP_NAME, Notice, NotifierUnavailable
from deskguard.platform.reconnect import Reconnector

SERVER = "org.freedesktop.Notifications"
SERVER_PATH = "/org/freedesktop/Notifications"
CALL_TIMEOUT = 5.0
# Starting a D-Bus-activated notification server may take a moment (it opens a window).
SEND_TIMEOUT = 15.0
# Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)
NOTIFY_SIGNATURE = "susssasa{sv}i"
SIGNALS = ("ActionInvoked", "NotificationClosed")
# The spec's action key for a click on the notice's body; servers that list actions in a
# menu (dunst) show the label.
DEFAULT_ACTION = "default"
DEFAULT_LABEL = "Open"
# What a click on the body of a notice that offers it means.
BODY_CLICK = ACTION_STRETCH
URGENCY = {"low": 0, "normal": 1, "critical": 2}  # the spec's "urgency" hint, a byte
# Who the notices are from: desktops match the "desktop-entry" hint to the application
# entry (GNOME lists deskguard under Settings > Notifications by it), and the icon is the
# entry's, by its name in the icon theme.
APP_ICON = APP_ID
# The spec's categories (device, email, im, presence, transfer, ...) have no reminder;
# it leaves "x-vendor.class" to vendors.
CATEGORY_REMINDER = "x-deskguard.reminder"
CATEGORY_NOTICE = "x-deskguard.notice"
# The capability of servers that keep notices after their banner (GNOME's message tray).
PERSISTENCE = "persistence"
# NotificationClosed reasons: 1 expired, 2 dismissed by the user, 3 CloseNotification,
# 4 undefined. Only the user's own counts as an answer.
CLOSED_BY_USER = 2


# -- the server -------------------------------------------------------------------------


async def session_bus() -> MessageBus:
    """A new session-bus connection; raises NotifierUnavailable without one."""
    try:
        return await connect(timeout=CALL_TIMEOUT)
    except Exception as exc:
        raise NotifierUnavailable(f"no session bus ({reason_for(exc)})") from exc


async def server_owner(bus: MessageBus, *, start: bool) -> str | None:
    """The unique bus name of the running notification server; raises NotifierUnavailable
    when there is none and D-Bus cannot start one.

    A server that is not running but D-Bus-activatable is started when `start` is true,
    as any notification client would (minimal desktops rely on that to start dunst or
    mako); with `start` false the answer is then None.
    """
    try:
        (has_owner,) = await call_method(bus, *DBUS, "NameHasOwner", "s", [SERVER])
        if not has_owner:
            (activatable,) = await call_method(bus, *DBUS, "ListActivatableNames")
            if SERVER not in activatable:
                raise NotifierUnavailable("no notification server on the session bus")
            if not start:
                return None
            await call_method(
                bus, *DBUS, "StartServiceByName", "su", [SERVER, 0], timeout=SEND_TIMEOUT
            )
        (owner,) = await call_method(bus, *DBUS, "GetNameOwner", "s", [SERVER])
    except (DBusError, TimeoutError, OSError) as exc:
        raise NotifierUnavailable(f"notification server: {reason_for(exc)}") from exc
    return str(owner)


@dataclass(frozen=True)
class ServerInfo:
    name: str
    vendor: str
    version: str
    spec_version: str
    capabilities: tuple[str, ...]


async def server_info(bus: MessageBus) -> ServerInfo:
    try:
        name, vendor, version, spec = await call_method(
            bus, SERVER, SERVER_PATH, SERVER, "GetServerInformation"
        )
        (capabilities,) = await call_method(bus, SERVER, SERVER_PATH, SERVER, "GetCapabilities")
    except (DBusError, TimeoutError, OSError, ValueError) as exc:
        raise NotifierUnavailable(f"notification server: {reason_for(exc)}") from exc
    return ServerInfo(
        str(name), str(vendor), str(version), str(spec), tuple(map(str, capabilities))
    )


async def describe_server() -> dict[str, Any]:
    """The session's notification server as `deskguard doctor` shows it; never starts one."""
    try:
        bus = await session_bus()
    except NotifierUnavailable as exc:
        return {"available": False, "reason": str(exc)}
    try:
        owner = await server_owner(bus, start=False)
        if owner is None:
            return {"available": True, "running": False, "reason": "D-Bus starts it on demand"}
        info = await server_info(bus)
    except NotifierUnavailable as exc:
        return {"available": False, "reason": str(exc)}
    finally:
        bus.disconnect()
    return {
        "available": True,
        "running": True,
        "bus_name": owner,
        "name": info.name,
        "vendor": info.vendor,
        "version": info.version,
        "spec_version": info.spec_version,
        "capabilities": list(info.capabilities),
        "actions": "actions" in info.capabilities,
    }


def notify_hints(notice: Notice, capabilities: Collection[str]) -> dict[str, Variant]:
    """The Notify hints for `notice` on a server that has `capabilities`.

    A reminder (a notice with buttons) is resident where the server keeps notices: it
    then stays in the message tray until answered instead of going with its banner.
    """
    reminder = bool(notice.actions)
    hints = {
        "urgency": Variant("y", URGENCY[notice.urgency]),
        "desktop-entry": Variant("s", APP_ID),
        "category": Variant("s", CATEGORY_REMINDER if reminder else CATEGORY_NOTICE),
    }
    if reminder and PERSISTENCE in capabilities:
        hints["resident"] = Variant("b", True)
    if notice.image is not None:
        # A file:// URI, as the specification asks; servers read the file themselves.
        hints["image-path"] = Variant("s", notice.image.as_uri())
    return hints


# -- the backend ------------------------------------------------------------------------


class DBusNotifier:
    """org.freedesktop.Notifications, spoken to directly on the notifier's own connection.

    Direct rather than through a notification library: the daemon holds this connection
    all day, and a library would open a second one and cost about 1.3 MB more idle memory
    for the same four calls and two signals. A notice id, and the capabilities read with
    it, belong to one server process, so each notice first asks who owns the name now;
    when the owner changed (the server was restarted) its capabilities are read again and
    the old notice's id is forgotten. Signals count only from that owner, and only for the
    notice on screen. A new notice takes the place of the one on screen (`replaces_id`),
    so reminders never stack up.

    A connection that once worked is watched: when the session bus goes away it is made
    again as soon as the bus is back (deskguard.platform.reconnect). `on_server` is called
    whenever a notification server comes that did not show the notice on screen (a
    restarted server, or one on a restarted bus), so a notice waiting for an answer can
    be shown again where the user can answer it.
    """

    what = "notifications (session bus)"

    def __init__(
        self,
        on_action: Callable[[str], None],
        on_dismissed: Callable[[], None],
        log: logging.Logger,
    ) -> None:
        self.name = "dbus"
        self.supports_actions = False
        self._on_action = on_action
        self._on_dismissed = on_dismissed
        self._log = log
        self._bus: MessageBus | None = None
        self._owner: str | None = None  # the server's unique bus name
        self._seen_owner: str | None = None  # survives _forget_server, for logging only
        self._offers_default = True  # whether notices carry the body-click action
        self._capabilities: frozenset[str] = frozenset()  # what the server says it can do
        self._current: int | None = None  # the server's id of the notice on screen
        self._keys: frozenset[str] = frozenset()  # the buttons that notice offers
        self._closing: set[asyncio.Task[None]] = set()  # kept until done (see _take_down)
        self._reconnector: Reconnector | None = None  # from the first connection on
        self.on_server: Callable[[], Awaitable[None]] | None = None

    async def check(self) -> None:
        await self._server(start=False)

    async def show(self, notice: Notice) -> None:
        server = await self._server(start=True)
        assert server is not None, "start=True returns a server or raises"
        bus, owner = server
        buttons = notice.actions if self.supports_actions else ()
        actions = [DEFAULT_ACTION, DEFAULT_LABEL] if self._offers_default else []
        for key, label in buttons:
            actions += [key, label]
        hints = notify_hints(notice, self._capabilities)
        # 0 = never expire: a reminder stays until it is answered.
        timeout = 0 if notice.actions else -1
        # In place of the notice on screen (0: none): the server keeps its id and spot.
        replaces = self._current or 0
        body = [APP_NAME, replaces, APP_ICON, notice.title, notice.body, actions, hints, timeout]
        try:
            # Sent to the unique name: the id it returns is only good with that process.
            (identifier,) = await call_method(
                bus, owner, SERVER_PATH, SERVER, "Notify", NOTIFY_SIGNATURE, body, SEND_TIMEOUT
            )
        except DBusError as exc:
            self._forget_server()
            raise NotifierUnavailable(
                f"the notification server did not take the notice ({reason_for(exc)})"
            ) from exc
        except (TimeoutError, OSError) as exc:
            raise NotifierUnavailable(f"sending failed: {reason_for(exc)}") from exc
        self._current, self._keys = int(identifier), frozenset(key for key, _ in buttons)

    async def close(self) -> None:
        if self._current is None:
            return
        try:
            server = await self._server(start=False)
        except NotifierUnavailable:
            server = None
        if server is None:
            self._current = None  # the server that showed it is gone, and the notice with it
            return
        await self._close_current(*server)

    async def aclose(self) -> None:
        # Nobody will answer the buttons once we are gone, so take the notice down.
        await self.close()
        if self._reconnector is not None:
            await self._reconnector.aclose()
        await self.disconnect()

    # -- the Link its Reconnector drives

    async def connect(self) -> None:
        """The bus again, unless a notice got there first."""
        if self._bus is None or not self._bus.connected:
            self._bus = await self._subscribed()

    async def _back(self) -> None:
        """The bus is back; if a server is there already, its NameOwnerChanged is gone."""
        bus = self._bus
        try:
            running = bus is not None and await server_owner(bus, start=False) is not None
        except NotifierUnavailable:
            running = False
        if running:
            await self._server_came()

    async def disconnected(self) -> str | None:
        return None if self._bus is None else await until_closed(self._bus)

    async def disconnect(self) -> None:
        self._forget_server()
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.disconnect()

    async def _server(self, *, start: bool) -> tuple[MessageBus, str] | None:
        """The bus and the unique name of the server running now (None: not running, but
        D-Bus would start it); raises NotifierUnavailable when there is no server to be had."""
        if self._bus is None or not self._bus.connected:
            self._forget_server()
            self._bus = await self._subscribed()
            if self._reconnector is None:
                self._reconnector = Reconnector(_Link(self), self._log, self._back)
                self._reconnector.watch()
        bus = self._bus
        owner = await server_owner(bus, start=start)
        if owner is None:
            self._forget_server()
            return None
        if owner != self._owner:
            info = await server_info(bus)
            self._forget_server()
            self._owner = owner
            self._capabilities = frozenset(info.capabilities)
            self.supports_actions = "actions" in info.capabilities
            # xfce4-notifyd has no body click: it would show "default" as one more button.
            self._offers_default = info.name != "Xfce Notify Daemon"
            self.name = f"dbus ({info.name})"
            # The start-up line names the server; a later change of owner is news.
            changed, self._seen_owner = self._seen_owner is not None, owner
            self._log.log(
                logging.INFO if changed or not self.supports_actions else logging.DEBUG,
                "notification server %s %s (%s)%s",
                info.name,
                info.version,
                owner,
                "" if self.supports_actions else ": it shows no buttons, notices go out plain",
            )
        return bus, owner

    async def _subscribed(self) -> MessageBus:
        """A new connection that receives the server's ActionInvoked and NotificationClosed."""
        bus = await session_bus()
        bus.add_message_handler(self._on_message)
        try:
            for member in SIGNALS:
                await add_match(bus, f"type='signal',interface='{SERVER}',member='{member}'")
            sender, _path, interface = DBUS
            await add_match(
                bus,
                f"type='signal',sender='{sender}',interface='{interface}',"
                f"member='NameOwnerChanged',arg0='{SERVER}'",
            )
        except (DBusError, TimeoutError, OSError) as exc:
            bus.disconnect()
            raise NotifierUnavailable(f"notification signals: {reason_for(exc)}") from exc
        return bus

    async def _close_current(self, bus: MessageBus, owner: str) -> None:
        # Forgotten first: the NotificationClosed this causes (reason 3) is not the user's.
        identifier, self._current = self._current, None
        if identifier is not None:
            await self._close_id(bus, owner, identifier)

    async def _close_id(self, bus: MessageBus, owner: str, identifier: int) -> None:
        try:
            await call_method(
                bus,
                owner,
                SERVER_PATH,
                SERVER,
                "CloseNotification",
                "u",
                [identifier],
                CALL_TIMEOUT,
            )
        except (DBusError, TimeoutError, OSError) as exc:
            self._log.debug("closing the previous notice: %s", reason_for(exc))

    def _forget_server(self) -> None:
        self._owner, self._current = None, None

    def _on_message(self, message: Message) -> None:
        """A server that came, and signals about the notice on screen from the server
        that showed it."""
        if (
            message.message_type is MessageType.SIGNAL
            and message.member == "NameOwnerChanged"
            and message.sender == DBUS[0]
            and message.signature == "sss"
        ):
            _name, _old, new = message.body
            if new and new != self._owner:
                self._spawn(self._server_came())
            return
        if (
            self._current is None
            or message.message_type is not MessageType.SIGNAL
            or message.interface != SERVER
            or message.sender != self._owner
        ):
            return
        if message.member == "ActionInvoked" and message.signature == "us":
            identifier, key = message.body
            if identifier == self._current:
                self._invoked(str(key))
        elif message.member == "NotificationClosed" and message.signature == "uu":
            identifier, reason = message.body
            if identifier == self._current:
                if reason == CLOSED_BY_USER:
                    self._dismissed()
                else:  # expired, closed by us, or the server will not say
                    self._current = None

    def _invoked(self, key: str) -> None:
        # Servers differ in whether a pressed button closes the notice (dunst keeps it
        # after an action chosen from its menu): an answered reminder left on screen
        # looks unanswered, so deskguard takes it down itself.
        self._take_down(self._current)
        if key == DEFAULT_ACTION:
            # A click on the body of a reminder means "take me to the stretch".
            if BODY_CLICK in self._keys:
                self._pressed(BODY_CLICK)
            else:
                self._dismissed()
        elif key in self._keys:
            self._pressed(key)
        else:
            self._current = None  # not a button we offered: the notice is gone all the same

    async def _server_came(self) -> None:
        """A server that did not show the notice on screen: whatever that notice's id was,
        it is no good with this one, and the notice's owner may want to show it again."""
        self._current = None
        if self.on_server is not None:
            await self.on_server()

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    def _take_down(self, identifier: int | None) -> None:
        """Close an answered notice (a resident one stays in the message tray otherwise)."""
        if identifier is None or self._bus is None or self._owner is None:
            return
        # Called from a signal handler, on the event loop: the call goes out as a task.
        self._spawn(self._close_id(self._bus, self._owner, identifier))

    # Both forget the notice first: servers may follow ActionInvoked with a
    # NotificationClosed for the same id, which must not count as a second answer.
    def _pressed(self, key: str) -> None:
        self._current = None
        self._log.info("notification button: %s", key)
        self._on_action(key)

    def _dismissed(self) -> None:
        self._current = None
        self._log.info("notification dismissed")
        self._on_dismissed()


class _Link:
    """The notifier's connection as its Reconnector sees it (the notifier's own `close`
    takes a notice down, so the link's close is the notifier's `disconnect`)."""

    def __init__(self, notifier: DBusNotifier) -> None:
        self.what = notifier.what
        self._notifier = notifier

    async def connect(self) -> None:
        await self._notifier.connect()

    async def disconnected(self) -> str | None:
        return await self._notifier.disconnected()

    async def close(self) -> None:
        await self._notifier.disconnect()
