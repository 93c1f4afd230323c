"""Desktop notifications: the reminder with its buttons, and how it gets on screen.

Backends: `dbus` (desktop-notifier on org.freedesktop.Notifications, with buttons),
`plyer` (no buttons) and `log`. Whatever is configured, a notice that cannot be shown
falls through to the next backend and finally to the log, so showing never raises.
Runs on the daemon's event-loop thread; the callbacks are called on that thread.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from dbus_fast import DBusError
from dbus_fast.aio import MessageBus

from deskguard.platform.dbus import DBUS, call_method

if TYPE_CHECKING:
    from desktop_notifier import DesktopNotifier

APP_NAME = "deskguard"
SERVER = "org.freedesktop.Notifications"
SERVER_PATH = "/org/freedesktop/Notifications"
CALL_TIMEOUT = 5.0
# Starting a D-Bus-activated notification server may take a moment (it opens a window).
SEND_TIMEOUT = 15.0
# The action key a notification server reports for a click on the notice's body.
BODY_CLICK = "stretch"
# How a notice that only reached the log can still be answered.
CLI_FOR_ACTION = {
    "stretch": "deskguard break",
    "snooze": "deskguard snooze",
    "skip": "deskguard skip",
}
BACKENDS = ("auto", "dbus", "plyer", "log")


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    actions: tuple[tuple[str, str], ...] = ()  # (key, label); keys "stretch", "snooze", "skip"
    urgency: Literal["low", "normal", "critical"] = "normal"


class Notifier(Protocol):
    name: str
    supports_actions: bool

    async def show(self, notice: Notice) -> None:
        """Show `notice`, replacing the previous deskguard notice if one is on screen."""
        ...

    async def close(self) -> None:
        """Take the current notice off the screen (no-op if there is none)."""
        ...

    async def aclose(self) -> None: ...


class NotifierUnavailable(Exception):
    """A backend cannot show notices right now; the message says why."""


class Backend(Notifier, Protocol):
    """One link of the fallback chain: a Notifier that can tell whether it would work."""

    async def check(self) -> None:
        """Raise NotifierUnavailable if a notice shown now could not be delivered."""
        ...


# -- D-Bus helpers ----------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBusError):
        return f"{exc.type}: {exc.text}"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def _connect() -> MessageBus:
    try:
        return await asyncio.wait_for(MessageBus().connect(), CALL_TIMEOUT)
    except Exception as exc:
        raise NotifierUnavailable(f"no session bus ({_reason(exc)})") from exc


async def _server_owner(bus: MessageBus, *, start: bool) -> str | None:
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
        raise NotifierUnavailable(f"notification server: {_reason(exc)}") from exc
    return str(owner)


@dataclass(frozen=True)
class ServerInfo:
    name: str
    vendor: str
    version: str
    spec_version: str
    capabilities: tuple[str, ...]


async def _server_info(bus: MessageBus) -> ServerInfo:
    try:
        name, vendor, version, spec = await call_method(
            bus, SERVER, SERVER_PATH, SERVER, "GetServerInformation"
        )
        (capabilities,) = await call_method(bus, SERVER, SERVER_PATH, SERVER, "GetCapabilities")
    except (DBusError, TimeoutError, OSError, ValueError) as exc:
        raise NotifierUnavailable(f"notification server: {_reason(exc)}") from exc
    return ServerInfo(
        str(name), str(vendor), str(version), str(spec), tuple(map(str, capabilities))
    )


async def describe_server() -> dict[str, Any]:
    """The session's notification server as `deskguard doctor` shows it; never starts one."""
    try:
        bus = await _connect()
    except NotifierUnavailable as exc:
        return {"available": False, "reason": str(exc)}
    try:
        owner = await _server_owner(bus, start=False)
        if owner is None:
            return {"available": True, "running": False, "reason": "D-Bus starts it on demand"}
        info = await _server_info(bus)
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


# -- dbus ---------------------------------------------------------------------------------


class DBusNotifier:
    """org.freedesktop.Notifications through desktop-notifier.

    desktop-notifier keeps its bus connection, the server's capabilities and its
    notification ids for as long as it lives, and all of those belong to one server
    process. So each notice first asks who owns the name now; when the owner changed
    (the server was restarted) a fresh DesktopNotifier is made for the new one.
    """

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
        self._owner: str | None = None
        self._seen_owner: str | None = None  # survives _forget_server, for logging only
        self._notifier: DesktopNotifier | None = None
        self._current: str | None = None  # desktop-notifier's id of the notice on screen

    async def check(self) -> None:
        await self._server(start=False)

    async def show(self, notice: Notice) -> None:
        from desktop_notifier import Button, Notification, Urgency

        notifier = await self._server(start=True)
        assert notifier is not None, "start=True returns a server or raises"
        await self._close_current(notifier)
        dispatched = False

        def on_dispatched() -> None:
            nonlocal dispatched
            dispatched = True

        keys = {key for key, _ in notice.actions}
        buttons = tuple(
            Button(label, on_pressed=functools.partial(self._pressed, key), identifier=key)
            for key, label in notice.actions
        )
        notification = Notification(
            notice.title,
            notice.body,
            urgency=Urgency(notice.urgency),
            buttons=buttons if self.supports_actions else (),
            on_dispatched=on_dispatched,
            # desktop-notifier always offers the server a "default" action (a click on
            # the body): on a reminder it means "take me to the stretch".
            on_clicked=functools.partial(self._pressed, BODY_CLICK)
            if self.supports_actions and BODY_CLICK in keys
            else self._dismissed,
            on_dismissed=self._dismissed,
            # 0 = never expire: a reminder stays until it is answered.
            timeout=0 if notice.actions else -1,
        )
        try:
            # desktop-notifier logs and swallows delivery errors; on_dispatched tells.
            await asyncio.wait_for(notifier.send_notification(notification), SEND_TIMEOUT)
        except (TimeoutError, OSError, DBusError) as exc:
            raise NotifierUnavailable(f"sending failed: {_reason(exc)}") from exc
        if not dispatched:
            self._forget_server()
            raise NotifierUnavailable("the notification server did not take the notice")
        self._current = notification.identifier

    async def close(self) -> None:
        if self._current is None:
            return
        try:
            notifier = await self._server(start=False)
        except NotifierUnavailable:
            notifier = None
        if notifier is None:
            self._current = None  # the server that showed it is gone, and the notice with it
            return
        await self._close_current(notifier)

    async def aclose(self) -> None:
        # Nobody will answer the buttons once we are gone, so take the notice down.
        await self.close()
        self._forget_server()
        if self._bus is not None:
            self._bus.disconnect()
            self._bus = None

    async def _server(self, *, start: bool) -> DesktopNotifier | None:
        """The DesktopNotifier for the server running now (None: not running, but D-Bus
        would start it); raises NotifierUnavailable when there is no server to be had."""
        if self._bus is None or not self._bus.connected:
            self._forget_server()
            self._bus = await _connect()
        owner = await _server_owner(self._bus, start=start)
        if owner is None:
            self._forget_server()
            return None
        if owner != self._owner or self._notifier is None:
            info = await _server_info(self._bus)
            self._forget_server()
            self._notifier = _desktop_notifier()
            self._owner = owner
            self.supports_actions = "actions" in info.capabilities
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
        return self._notifier

    async def _close_current(self, notifier: DesktopNotifier) -> None:
        identifier, self._current = self._current, None
        if identifier is None:
            return
        try:
            await asyncio.wait_for(notifier.clear(identifier), CALL_TIMEOUT)
        except (KeyError, DBusError, TimeoutError, OSError) as exc:
            # KeyError: desktop-notifier already forgot it (closed by the server).
            self._log.debug("closing the previous notice: %s", _reason(exc))

    def _forget_server(self) -> None:
        if self._notifier is not None:
            _disconnect(self._notifier)
        self._notifier, self._owner, self._current = None, None, None

    def _pressed(self, key: str) -> None:
        self._current = None
        self._log.info("notification button: %s", key)
        self._on_action(key)

    def _dismissed(self) -> None:
        self._current = None
        self._log.info("notification dismissed")
        self._on_dismissed()


def _desktop_notifier() -> DesktopNotifier:
    from desktop_notifier import DesktopNotifier

    return DesktopNotifier(app_name=APP_NAME, app_icon=None)


def _disconnect(notifier: DesktopNotifier) -> None:
    # desktop-notifier has no close(); its D-Bus backend keeps the connection as `.bus`.
    bus = getattr(getattr(notifier, "_backend", None), "bus", None)
    if isinstance(bus, MessageBus):
        bus.disconnect()


# -- plyer ---------------------------------------------------------------------------------


class PlyerNotifier:
    """plyer.notification: plain notices, no buttons. Its calls block (it may run
    notify-send), so they run in a worker thread."""

    name = "plyer"
    supports_actions = False

    async def check(self) -> None:
        await asyncio.get_running_loop().run_in_executor(None, _plyer_backend)
        if sys.platform.startswith("linux"):
            await _require_linux_server()

    async def show(self, notice: Notice) -> None:
        await self.check()
        call = functools.partial(
            _quiet_notify, _plyer_backend(), title=notice.title, message=notice.body
        )
        try:
            await asyncio.get_running_loop().run_in_executor(None, call)
        except Exception as exc:
            raise NotifierUnavailable(f"plyer: {_reason(exc)}") from exc

    async def close(self) -> None:
        pass  # plyer cannot take back what it showed

    async def aclose(self) -> None:
        pass


def _plyer_backend() -> Any:
    """plyer's notification implementation for this platform; raises NotifierUnavailable."""
    try:
        from plyer import notification
        from plyer.facades import Notification as Facade

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its hint to install dbus-python
            # plyer picks the implementation lazily, behind a proxy object.
            implementation = object.__getattribute__(notification, "_ensure_obj")()
    except Exception as exc:
        raise NotifierUnavailable(f"plyer: {_reason(exc)}") from exc
    if type(implementation) is Facade:
        raise NotifierUnavailable("plyer has no notification implementation here")
    return implementation


def _quiet_notify(implementation: Any, *, title: str, message: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        implementation.notify(title=title, message=message, app_name=APP_NAME)


async def _require_linux_server() -> None:
    # plyer's Linux backends hand the notice to the same org.freedesktop.Notifications
    # (via notify-send or dbus-python) and do not report failure, so check it first.
    bus = await _connect()
    try:
        await _server_owner(bus, start=False)  # activatable counts: notify-send starts it
    finally:
        bus.disconnect()


# -- log ---------------------------------------------------------------------------------------


class LogNotifier:
    """The last resort: the notice goes to the log, with the commands that answer it."""

    name = "log"
    supports_actions = False

    def __init__(self, log: logging.Logger) -> None:
        self._log = log

    async def check(self) -> None:
        pass

    async def show(self, notice: Notice) -> None:
        answers = [CLI_FOR_ACTION[key] for key, _ in notice.actions if key in CLI_FOR_ACTION]
        self._log.warning(
            "notice: %s: %s%s",
            notice.title,
            notice.body,
            f" (answer with: {' | '.join(answers)})" if answers else "",
        )

    async def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


# -- the chain -----------------------------------------------------------------------------------


class FallbackNotifier:
    """Tries its backends in order for every notice, so one that comes back (a restarted
    notification server) is used again. `name` is the backend that delivered the last
    notice (before any: the first that says it would work). Never raises."""

    def __init__(self, backends: Sequence[Backend], log: logging.Logger) -> None:
        if not backends:
            raise ValueError("at least one backend")
        self.backends = tuple(backends)
        self._log = log
        self._current: Backend | None = None  # the one `name` reports
        self._on_screen: Backend | None = None  # the one whose notice may be showing
        self.name = self.backends[-1].name
        self.supports_actions = self.backends[-1].supports_actions

    def _report(self, backend: Backend) -> None:
        self._current = backend
        # Read after the backend worked: the dbus one names its server once it knows it.
        self.name = backend.name
        self.supports_actions = backend.supports_actions

    async def start(self) -> list[str]:
        """Pick the backend to report before the first notice; returns why others were not."""
        skipped: list[str] = []
        for backend in self.backends:
            try:
                await backend.check()
            except Exception as exc:
                skipped.append(f"{backend.name}: {_message(exc)}")
                continue
            self._report(backend)
            break
        return skipped

    async def show(self, notice: Notice) -> None:
        failures: list[str] = []
        for backend in self.backends:
            try:
                await backend.show(notice)
            except Exception as exc:
                failures.append(f"{backend.name}: {_message(exc)}")
                continue
            if self._on_screen is not None and self._on_screen is not backend:
                # At most one deskguard notice on screen, whichever backend showed it.
                await _quietly(self._on_screen.close(), self._log)
            self._on_screen = backend
            if backend is not self._current:
                self._log.info("notices now go through %s%s", backend.name, _because(failures))
            elif failures:
                self._log.debug("notice went through %s%s", backend.name, _because(failures))
            self._report(backend)
            return
        self._log.error("could not show the notice %r%s", notice.title, _because(failures))

    async def close(self) -> None:
        backend, self._on_screen = self._on_screen, None
        if backend is not None:
            await _quietly(backend.close(), self._log)

    async def aclose(self) -> None:
        for backend in self.backends:
            await _quietly(backend.aclose(), self._log)


def _message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, NotifierUnavailable) else _reason(exc)


def _because(failures: list[str]) -> str:
    return f" ({'; '.join(failures)})" if failures else ""


async def _quietly(work: Any, log: logging.Logger) -> None:
    try:
        await work
    except Exception:
        log.debug("ignored while closing a notice", exc_info=True)


async def open_notifier(
    backend: str,
    on_action: Callable[[str], None],
    on_dismissed: Callable[[], None],
    log: logging.Logger,
) -> FallbackNotifier:
    """The configured backend with the log behind it ("auto": dbus, then plyer, then log).

    `on_action(key)` is called when the user presses a button; `on_dismissed()` only when
    the user closed the notice (not when deskguard closed or replaced it).
    """
    chains: dict[str, Callable[[], list[Backend]]] = {
        "auto": lambda: [
            DBusNotifier(on_action, on_dismissed, log),
            PlyerNotifier(),
            LogNotifier(log),
        ],
        "dbus": lambda: [DBusNotifier(on_action, on_dismissed, log), LogNotifier(log)],
        "plyer": lambda: [PlyerNotifier(), LogNotifier(log)],
        "log": lambda: [LogNotifier(log)],
    }
    if backend not in chains:
        raise ValueError(f"unknown notification backend {backend!r}; one of {BACKENDS}")
    notifier = FallbackNotifier(chains[backend](), log)
    skipped = await notifier.start()
    order = " > ".join(b.name for b in notifier.backends)
    log.info(
        "notifications: %s, %s (%s: %s)%s",
        notifier.name,
        "with buttons" if notifier.supports_actions else "no buttons",
        backend,
        order,
        f"; not now: {'; '.join(skipped)}" if skipped else "",
    )
    return notifier
