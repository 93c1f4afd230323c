"""Screen lock and sleep notices from D-Bus: the screensaver on the session bus, logind on
the system bus. Either bus may be missing; what is there is watched, the rest is logged.

Runs on the daemon's event-loop thread; the callbacks are called on that thread.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from dbus_fast import BusType, DBusError, Message, MessageType
from dbus_fast.aio import MessageBus

from deskguard.platform.dbus import DBUS, NOT_THERE, add_match, call_method, connect, reason_for

CALL_TIMEOUT = 5.0
SCREENSAVERS = (
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"),
)
LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
LOGIND_SESSION = "org.freedesktop.login1.Session"

log = logging.getLogger("deskguard.session")


class SessionWatcher:
    """Watches for the screen locking and the machine going to sleep.

    `locked` follows the most recent lock or unlock event from any source: the sources
    overlap (GNOME sends both screensaver signals, logind's Lock is a request that the
    screensaver's unlock ends), so the last word wins.
    """

    def __init__(self, log: logging.Logger = log) -> None:
        self.locked = False
        self._log = log
        self._on_lock: Callable[[bool], None] = _ignore
        self._on_sleep: Callable[[bool], None] = _ignore
        self._session_bus: MessageBus | None = None
        self._system_bus: MessageBus | None = None
        self._logind_session_path: str | None = None
        self._missing: list[str] = []

    async def start(
        self, on_lock: Callable[[bool], None], on_sleep: Callable[[bool], None]
    ) -> list[str]:
        """Subscribe to every source there is; returns the names of those found running."""
        self._on_lock, self._on_sleep = on_lock, on_sleep
        watching = await self._watch_screensavers() + await self._watch_logind()
        self._log.info(
            "session events from: %s; missing: %s",
            ", ".join(watching) or "nothing (lock and sleep go unnoticed)",
            "; ".join(self._missing) or "-",
        )
        return watching

    async def aclose(self) -> None:
        for bus in (self._session_bus, self._system_bus):
            if bus is not None:
                bus.disconnect()
        self._session_bus = self._system_bus = None

    # -- session bus: screensavers ----------------------------------------------------------

    async def _watch_screensavers(self) -> list[str]:
        try:
            bus = await connect(timeout=CALL_TIMEOUT)
        except Exception as exc:
            self._missing.append(f"screensavers (no session bus: {reason_for(exc, CALL_TIMEOUT)})")
            return []
        self._session_bus = bus
        bus.add_message_handler(self._on_session_message)
        running: list[str] = []
        for name, path in SCREENSAVERS:
            try:
                # Subscribed even when not running: a screensaver may start after us.
                await add_match(bus, f"type='signal',interface='{name}',member='ActiveChanged'")
                (active,) = await call_method(bus, name, path, name, "GetActive")
            except (DBusError, TimeoutError, ValueError) as exc:
                # Still subscribed: its signals count if it starts later.
                self._missing.append(f"{name} ({_short(exc)})")
                continue
            running.append(name)
            if active:
                self._set_locked(True, name)
        return running

    def _on_session_message(self, msg: Message) -> None:
        if msg.message_type is not MessageType.SIGNAL or msg.member != "ActiveChanged":
            return
        if any(msg.interface == name for name, _ in SCREENSAVERS) and msg.signature == "b":
            self._set_locked(bool(msg.body[0]), msg.interface or "screensaver")

    # -- system bus: logind ------------------------------------------------------------------

    async def _watch_logind(self) -> list[str]:
        try:
            bus = await connect(BusType.SYSTEM, CALL_TIMEOUT)
        except Exception as exc:
            address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS", "the default address")
            self._missing.append(
                f"logind (no system bus at {address}: {reason_for(exc, CALL_TIMEOUT)})"
            )
            return []
        self._system_bus = bus
        bus.add_message_handler(self._on_system_message)
        watching: list[str] = []
        try:
            await add_match(
                bus,
                f"type='signal',sender='{LOGIND}',path='{LOGIND_PATH}',"
                f"interface='{LOGIND_MANAGER}',member='PrepareForSleep'",
            )
            (owner,) = await call_method(bus, *DBUS, "NameHasOwner", "s", [LOGIND])
        except (DBusError, TimeoutError) as exc:
            self._missing.append(f"logind ({reason_for(exc, CALL_TIMEOUT)})")
            return []
        if not owner:
            self._missing.append("logind (not running)")
            return []
        watching.append("logind sleep")
        path = await self._find_logind_session(bus)
        if path is None:
            return watching
        try:
            await add_match(
                bus, f"type='signal',sender='{LOGIND}',path='{path}',interface='{LOGIND_SESSION}'"
            )
        except (DBusError, TimeoutError) as exc:
            self._missing.append(f"logind session {path} ({reason_for(exc, CALL_TIMEOUT)})")
            return watching
        self._logind_session_path = path
        watching.append(f"logind session {path.rsplit('/', 1)[-1]}")
        if await self._locked_hint(bus, path):
            self._set_locked(True, "logind")
        return watching

    async def _find_logind_session(self, bus: MessageBus) -> str | None:
        """This login session: $XDG_SESSION_ID, else the session of our process, else
        logind's "auto" (the user's graphical session, for a daemon run by systemd --user)."""
        attempts: list[tuple[str, str, list[Any]]] = []
        if session_id := os.environ.get("XDG_SESSION_ID"):
            attempts.append(("GetSession", "s", [session_id]))
        attempts += [("GetSessionByPID", "u", [os.getpid()]), ("GetSession", "s", ["auto"])]
        reasons = []
        for member, signature, body in attempts:
            try:
                (path,) = await call_method(
                    bus, LOGIND, LOGIND_PATH, LOGIND_MANAGER, member, signature, body
                )
                return str(path)
            except (DBusError, TimeoutError) as exc:
                reasons.append(f"{member}{tuple(body)}: {reason_for(exc, CALL_TIMEOUT)}")
        self._missing.append(f"logind lock (no session: {'; '.join(reasons)})")
        return None

    async def _locked_hint(self, bus: MessageBus, path: str) -> bool:
        try:
            (value,) = await call_method(
                bus,
                LOGIND,
                path,
                "org.freedesktop.DBus.Properties",
                "Get",
                "ss",
                [LOGIND_SESSION, "LockedHint"],
            )
            return bool(value.value)
        except (DBusError, TimeoutError, AttributeError):
            return False

    def _on_system_message(self, msg: Message) -> None:
        if msg.message_type is not MessageType.SIGNAL:
            return
        if msg.interface == LOGIND_MANAGER and msg.member == "PrepareForSleep":
            self._call_back(self._on_sleep, bool(msg.body[0]), "sleep")
        elif (
            msg.interface == LOGIND_SESSION
            and msg.path == self._logind_session_path
            and msg.member in ("Lock", "Unlock")
        ):
            self._set_locked(msg.member == "Lock", "logind")

    # -- both -----------------------------------------------------------------------------------

    def _set_locked(self, locked: bool, source: str) -> None:
        if locked == self.locked:
            return
        self.locked = locked
        self._log.info("screen %s (%s)", "locked" if locked else "unlocked", source)
        self._call_back(self._on_lock, locked, "lock")

    def _call_back(self, callback: Callable[[bool], None], value: bool, what: str) -> None:
        try:
            callback(value)
        except Exception:
            self._log.exception("the %s handler failed", what)


def _short(exc: BaseException) -> str:
    if isinstance(exc, DBusError) and exc.type in NOT_THERE:
        return "not running"
    return reason_for(exc, CALL_TIMEOUT)


def _ignore(_: bool) -> None:
    pass
