"""Screen lock and sleep notices from D-Bus: the screensaver on the session bus, logind on
the system bus. Either bus may be missing; what is there is watched, the rest is logged.
A bus that goes away and comes back is connected to again (deskguard.platform.reconnect),
and the lock state is read anew from it.

Runs on the daemon's event-loop thread; the callbacks are called on that thread.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from dbus_fast import BusType, DBusError, Message, MessageType
from dbus_fast.aio import MessageBus

from deskguard.platform.dbus import (
    DBUS,
    NOT_THERE,
    add_match,
    call_method,
    connect,
    reason_for,
    until_closed,
)
from deskguard.platform.reconnect import Reconnector

CALL_TIMEOUT = 5.0


@dataclass(frozen=True)
class Screensaver:
    """A screensaver interface (its name is the interface's), and who else answers it."""

    name: str
    path: str
    also: tuple[str, ...] = ()
    """Other bus names that export the same interface at `path`. GNOME Shell's own
    org.gnome.Shell.ScreenShield is the real screensaver; org.gnome.ScreenSaver is a
    proxy D-Bus starts on demand, so it may not be running at all, while the shell sends
    the same signals on the same interface all along."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.also)


SCREENSAVERS = (
    Screensaver("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),
    Screensaver(
        "org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", ("org.gnome.Shell.ScreenShield",)
    ),
)
LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
LOGIND_SESSION = "org.freedesktop.login1.Session"

log = logging.getLogger("deskguard.session")


class _NoBus(Exception):
    """The bus itself cannot be reached (rather than something on it)."""


# Connects, subscribes and reads the state: (found running, missing) -> the connection.
OpenBus = Callable[[list[str], list[str]], Awaitable[MessageBus]]


class _WatchedBus:
    """One of the watcher's two connections, as the Link its Reconnector drives: to
    reconnect is to connect, subscribe and read the current state again."""

    def __init__(self, what: str, open_bus: OpenBus) -> None:
        self.what = what
        self.bus: MessageBus | None = None
        self.open_bus = open_bus

    async def connect(self) -> None:
        missing: list[str] = []
        self.bus = await self.open_bus([], missing)
        if missing:
            log.debug("%s: still missing: %s", self.what, "; ".join(missing))

    async def disconnected(self) -> str | None:
        return None if self.bus is None else await until_closed(self.bus)

    async def close(self) -> None:
        bus, self.bus = self.bus, None
        if bus is not None:
            bus.disconnect()


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
        self._session = _WatchedBus("session events (session bus)", self._open_session_bus)
        self._system = _WatchedBus("session events (system bus)", self._open_system_bus)
        self._reconnectors: list[Reconnector] = []
        self._logind_session_path: str | None = None
        self._reads: set[asyncio.Task[None]] = set()  # kept until done

    async def start(
        self, on_lock: Callable[[bool], None], on_sleep: Callable[[bool], None]
    ) -> list[str]:
        """Subscribe to every source there is; returns the names of those found running.

        A bus that cannot be reached now is logged as missing and not tried again; one
        that is reached is connected to again whenever it goes away."""
        self._on_lock, self._on_sleep = on_lock, on_sleep
        watching: list[str] = []
        missing: list[str] = []
        for link in (self._session, self._system):
            try:
                link.bus = await link.open_bus(watching, missing)
            except _NoBus as exc:
                missing.append(str(exc))
                continue
            reconnector = Reconnector(link, self._log)
            reconnector.watch()
            self._reconnectors.append(reconnector)
        self._log.info(
            "session events from: %s; missing: %s",
            ", ".join(watching) or "nothing (lock and sleep go unnoticed)",
            "; ".join(missing) or "-",
        )
        return watching

    async def aclose(self) -> None:
        for reconnector in self._reconnectors:
            await reconnector.aclose()
        for task in list(self._reads):
            task.cancel()
        for link in (self._session, self._system):
            await link.close()

    # -- session bus: screensavers ----------------------------------------------------------

    async def _open_session_bus(self, found: list[str], missing: list[str]) -> MessageBus:
        try:
            bus = await connect(timeout=CALL_TIMEOUT)
        except Exception as exc:
            raise _NoBus(f"screensavers (no session bus: {reason_for(exc, CALL_TIMEOUT)})") from exc
        bus.add_message_handler(self._on_session_message)
        running: list[str] = []
        states: list[bool] = []
        for screensaver in SCREENSAVERS:
            try:
                # Subscribed even when not running: a screensaver may start after us.
                await add_match(
                    bus, f"type='signal',interface='{screensaver.name}',member='ActiveChanged'"
                )
                for name in screensaver.names:
                    await add_match(bus, _owner_changes(name))
                answered_by, active = await _read_active(bus, screensaver)
            except (DBusError, TimeoutError, ValueError) as exc:
                # Still subscribed: its signals count if it starts later.
                missing.append(f"{screensaver.name} ({_short(exc)})")
                continue
            running.append(_label(screensaver, answered_by))
            states.append(active)
        found += running
        if states:
            # After a reconnection an unlock may have happened while the bus was away.
            self._set_locked(any(states), "screensaver" if len(states) > 1 else running[0])
        return bus

    def _on_session_message(self, msg: Message) -> None:
        if msg.message_type is not MessageType.SIGNAL:
            return
        if msg.member == "ActiveChanged":
            if any(msg.interface == each.name for each in SCREENSAVERS) and msg.signature == "b":
                self._set_locked(bool(msg.body[0]), msg.interface or "screensaver")
        elif msg.member == "NameOwnerChanged" and msg.sender == DBUS[0] and msg.signature == "sss":
            name, _old, new = msg.body
            started = next((each for each in SCREENSAVERS if name in each.names), None)
            if new and started is not None:
                # Started after us (D-Bus activated, or a restarted shell): until it changes
                # its mind it sends no signal, so what it says now is read at once.
                self._read_soon(started)

    def _read_soon(self, screensaver: Screensaver) -> None:
        task = asyncio.get_running_loop().create_task(self._read_started(screensaver))
        self._reads.add(task)
        task.add_done_callback(self._reads.discard)

    async def _read_started(self, screensaver: Screensaver) -> None:
        bus = self._session.bus
        if bus is None:
            return
        try:
            answered_by, active = await _read_active(bus, screensaver)
        except (DBusError, TimeoutError, ValueError) as exc:
            self._log.debug("%s started but did not answer: %s", screensaver.name, _short(exc))
            return
        self._log.info("%s started", _label(screensaver, answered_by))
        self._set_locked(active, screensaver.name)

    # -- system bus: logind ------------------------------------------------------------------

    async def _open_system_bus(self, found: list[str], missing: list[str]) -> MessageBus:
        try:
            bus = await connect(BusType.SYSTEM, CALL_TIMEOUT)
        except Exception as exc:
            address = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS", "the default address")
            raise _NoBus(
                f"logind (no system bus at {address}: {reason_for(exc, CALL_TIMEOUT)})"
            ) from exc
        bus.add_message_handler(self._on_system_message)
        found += await self._watch_logind(bus, missing)
        return bus

    async def _watch_logind(self, bus: MessageBus, missing: list[str]) -> list[str]:
        self._logind_session_path = None
        watching: list[str] = []
        try:
            await add_match(
                bus,
                f"type='signal',sender='{LOGIND}',path='{LOGIND_PATH}',"
                f"interface='{LOGIND_MANAGER}',member='PrepareForSleep'",
            )
            (owner,) = await call_method(bus, *DBUS, "NameHasOwner", "s", [LOGIND])
        except (DBusError, TimeoutError) as exc:
            missing.append(f"logind ({reason_for(exc, CALL_TIMEOUT)})")
            return []
        if not owner:
            missing.append("logind (not running)")
            return []
        watching.append("logind sleep")
        path = await self._find_logind_session(bus, missing)
        if path is None:
            return watching
        try:
            await add_match(
                bus, f"type='signal',sender='{LOGIND}',path='{path}',interface='{LOGIND_SESSION}'"
            )
        except (DBusError, TimeoutError) as exc:
            missing.append(f"logind session {path} ({reason_for(exc, CALL_TIMEOUT)})")
            return watching
        self._logind_session_path = path
        watching.append(f"logind session {path.rsplit('/', 1)[-1]}")
        if await self._locked_hint(bus, path):
            self._set_locked(True, "logind")
        return watching

    async def _find_logind_session(self, bus: MessageBus, missing: list[str]) -> str | None:
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
        missing.append(f"logind lock (no session: {'; '.join(reasons)})")
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


async def _read_active(bus: MessageBus, screensaver: Screensaver) -> tuple[str, bool]:
    """Who answered for `screensaver` (its own name first) and whether it is active;
    raises what the last of them raised when none answers."""
    error: Exception | None = None
    for name in screensaver.names:
        try:
            (active,) = await call_method(
                bus, name, screensaver.path, screensaver.name, "GetActive"
            )
            return name, bool(active)
        except DBusError as exc:
            if error is None or exc.type not in NOT_THERE:
                error = exc  # "not running" is the least telling reason: keep any other
    assert error is not None, "a screensaver has at least its own name"
    raise error


def _label(screensaver: Screensaver, answered_by: str) -> str:
    if answered_by == screensaver.name:
        return screensaver.name
    return f"{screensaver.name} (from {answered_by})"


def _owner_changes(name: str) -> str:
    sender, _path, interface = DBUS
    return (
        f"type='signal',sender='{sender}',interface='{interface}',"
        f"member='NameOwnerChanged',arg0='{name}'"
    )


def _short(exc: BaseException) -> str:
    if isinstance(exc, DBusError) and exc.type in NOT_THERE:
        return "not running"
    return reason_for(exc, CALL_TIMEOUT)


def _ignore(_: bool) -> None:
    pass
