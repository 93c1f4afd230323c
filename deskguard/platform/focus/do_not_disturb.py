"""The `do-not-disturb` focus signal, read from the notification server."""

from __future__ import annotations

import logging
import shutil
from enum import Enum
from typing import Any

from dbus_fast import DBusError, ErrorType, Variant
from dbus_fast.aio import MessageBus

from deskguard.platform.dbus import DBUS, call_method, connect, reason_for
from deskguard.platform.focus.base import (
    CALL_TIMEOUT,
    BaseSignal,
    FocusConfig,
    FocusUnavailable,
    run_program,
)

SERVER = "org.freedesktop.Notifications"
SERVER_PATH = "/org/freedesktop/Notifications"
PROPERTIES = "org.freedesktop.DBus.Properties"
# `dunstctl is-paused` reads this property; reading it directly saves a process per check.
DUNST_INTERFACE = "org.dunstproject.cmd0"
GNOME_BANNERS = ("org.gnome.desktop.notifications", "show-banners")


async def _get_property(bus: MessageBus, interface: str, name: str) -> Any:
    (value,) = await call_method(
        bus, SERVER, SERVER_PATH, PROPERTIES, "Get", "ss", [interface, name], timeout=CALL_TIMEOUT
    )
    return value.value if isinstance(value, Variant) else value


class _Via(Enum):
    """Where the do-not-disturb state of the current notification server is read."""

    NO_SERVER = "no notification server is running now"
    INHIBITED = "its Inhibited property"
    DUNST = "its paused state"
    GNOME = "GNOME's show-banners setting"
    NOTHING = "no do-not-disturb state deskguard can read"


class DoNotDisturb(BaseSignal):
    """The notification server's do-not-disturb state.

    Servers differ, so the way to read it is picked per server (and again when another
    process takes over the name): the standard-ish `Inhibited` property where the server
    has one (KDE Plasma and others), dunst's `paused` property, and on GNOME Shell the
    `show-banners` setting (false = do not disturb) through `gsettings`.
    """

    name = "do-not-disturb"

    def __init__(self, bus: MessageBus, gsettings: str | None, log: logging.Logger) -> None:
        super().__init__(log)
        self._bus = bus
        self._gsettings = gsettings
        self._owner: str | None = None
        self._server = ""
        self._via = _Via.NO_SERVER

    @classmethod
    async def open(cls, settings: FocusConfig, log: logging.Logger) -> DoNotDisturb:
        try:
            bus = await connect(timeout=CALL_TIMEOUT)
        except Exception as exc:
            raise FocusUnavailable(f"no session bus ({reason_for(exc)})") from exc
        signal = cls(bus, shutil.which("gsettings"), log)
        await signal.active()  # learns the server, for the start-up line
        return signal

    @property
    def how(self) -> str:
        if self._via is _Via.NO_SERVER:
            return f"{self._via.value} (checked again every poll)"
        if self._via is _Via.GNOME or (self._via is _Via.NOTHING and self._server == "gnome-shell"):
            return f"{self._server}: {_Via.GNOME.value}" + (
                "" if self._gsettings else " (gsettings is not installed to read it)"
            )
        return f"{self._server}: {self._via.value}"

    @property
    def readable(self) -> bool:
        return self._via is not _Via.NOTHING

    async def _check(self) -> bool:
        if not self._bus.connected:
            self._bus = await connect(timeout=CALL_TIMEOUT)
            self._owner = None
        owner = await self._server_owner()
        if owner is None:
            self._owner, self._server, self._via = None, "", _Via.NO_SERVER
            return False
        if owner != self._owner:
            self._server, self._via = await self._pick()
            self._owner = owner
            self._log.debug("focus do-not-disturb: reading %s", self.how)
        return await self._read()

    async def _server_owner(self) -> str | None:
        try:
            (owner,) = await call_method(
                self._bus, *DBUS, "GetNameOwner", "s", [SERVER], timeout=CALL_TIMEOUT
            )
        except DBusError as exc:
            if exc.type == ErrorType.NAME_HAS_NO_OWNER.value:
                return None
            raise
        return str(owner)

    async def _pick(self) -> tuple[str, _Via]:
        info = await call_method(
            self._bus, SERVER, SERVER_PATH, SERVER, "GetServerInformation", timeout=CALL_TIMEOUT
        )
        server = str(info[0])
        try:
            inhibited = await _get_property(self._bus, SERVER, "Inhibited")
        except DBusError:
            inhibited = None  # most servers have no such property
        if isinstance(inhibited, bool):
            return server, _Via.INHIBITED
        if server.lower() == "dunst":
            return server, _Via.DUNST
        if server == "gnome-shell" and self._gsettings:
            return server, _Via.GNOME
        return server, _Via.NOTHING

    async def _read(self) -> bool:
        if self._via is _Via.INHIBITED:
            return _as_bool(await _get_property(self._bus, SERVER, "Inhibited"))
        if self._via is _Via.DUNST:
            return _as_bool(await _get_property(self._bus, DUNST_INTERFACE, "paused"))
        if self._via is _Via.GNOME and self._gsettings:
            banners = await run_program([self._gsettings, "get", *GNOME_BANNERS])
            return not parse_gsettings_bool(banners)
        return False

    async def aclose(self) -> None:
        self._bus.disconnect()


def _as_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected a boolean, got {value!r}")
    return value


def parse_gsettings_bool(text: str) -> bool:
    """`gsettings get` prints a GVariant: `true` or `false` for a boolean key."""
    word = text.strip()
    if word not in ("true", "false"):
        raise ValueError(f"gsettings printed {word!r}, not a boolean")
    return word == "true"
