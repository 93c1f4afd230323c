"""Idle-time sources: how many seconds since the user last touched keyboard or mouse.

One small adapter per desktop (the Wayland compositor's idle protocol, GNOME Mutter,
freedesktop ScreenSaver, X11, Windows, macOS, none) behind `ActivitySource`;
`open_activity_source` picks one at start-up and puts it behind `ReconnectingSource`, so
that it comes back after its server went away.
Every adapter is async and runs on the daemon's event-loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import shutil
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from dbus_fast import DBusError
from dbus_fast.aio import MessageBus

from deskguard.platform.dbus import NOT_THERE, call_method, connect, reason_for
from deskguard.platform.desktop import wayland_session
from deskguard.platform.reconnect import Reconnector

# The compositor's own protocol first: on KDE Plasma's Wayland the freedesktop interface
# answers NotSupported, and only it sees input to every window; it needs WAYLAND_DISPLAY.
AUTO_ORDER = ("wayland", "mutter", "freedesktop", "x11", "windows", "macos")
CHOICES = ("auto", *AUTO_ORDER, "none")
# A desktop service that does not answer within this long counts as absent.
CALL_TIMEOUT = 5.0
# The built-in natural break (reminder.natural_break), for callers without settings.
DEFAULT_NATURAL_BREAK = 5 * 60.0


class ActivityUnavailable(Exception):
    """An idle-time source cannot be used; the message says why (for doctor and logs)."""


class ActivitySource(Protocol):
    name: str

    async def idle_seconds(self) -> float:
        """Seconds since the last keyboard or mouse input; raises ActivityUnavailable."""
        ...

    async def aclose(self) -> None: ...


# -- D-Bus (session bus) -------------------------------------------------------------


async def _connect_session_bus() -> MessageBus:
    try:
        return await connect(timeout=CALL_TIMEOUT)
    except Exception as exc:
        raise ActivityUnavailable(f"no session bus ({reason_for(exc, CALL_TIMEOUT)})") from exc


class _DBusIdle:
    """An idle counter read by calling one method on the session bus."""

    name = "dbus"
    destination = ""
    paths: Sequence[str] = ()
    interface = ""
    member = ""

    def __init__(self, bus: MessageBus) -> None:
        self._bus = bus
        self._path = self.paths[0]

    @classmethod
    async def open(cls) -> _DBusIdle:
        source = cls(await _connect_session_bus())
        try:
            await source.find_path()
        except ActivityUnavailable:
            await source.aclose()
            raise
        return source

    async def find_path(self) -> None:
        """Use the first object path that answers (implementations differ in where)."""
        reasons: list[str] = []
        for path in self.paths:
            self._path = path
            try:
                await self.idle_seconds()
                return
            except ActivityUnavailable as exc:
                reasons.append(str(exc))
        raise ActivityUnavailable("; ".join(dict.fromkeys(reasons)))

    async def idle_seconds(self) -> float:
        if not self._bus.connected:
            raise ActivityUnavailable("lost the session bus")
        try:
            body = await call_method(
                self._bus, self.destination, self._path, self.interface, self.member
            )
            return self.to_seconds(body[0])
        except DBusError as exc:
            if exc.type in NOT_THERE:
                raise ActivityUnavailable(f"{self.destination} is not on the session bus") from exc
            raise ActivityUnavailable(f"{self._where()}: {reason_for(exc, CALL_TIMEOUT)}") from exc
        except (TimeoutError, OSError, IndexError, TypeError, ValueError) as exc:
            raise ActivityUnavailable(f"{self._where()}: {reason_for(exc, CALL_TIMEOUT)}") from exc

    def _where(self) -> str:
        return f"{self.interface}.{self.member} at {self._path}"

    def to_seconds(self, value: Any) -> float:
        raise NotImplementedError

    async def aclose(self) -> None:
        self._bus.disconnect()


class MutterIdle(_DBusIdle):
    """GNOME Shell (Mutter): the one that works on GNOME Wayland."""

    name = "mutter"
    destination = "org.gnome.Mutter.IdleMonitor"
    paths = ("/org/gnome/Mutter/IdleMonitor/Core",)
    interface = "org.gnome.Mutter.IdleMonitor"
    member = "GetIdletime"

    def to_seconds(self, value: Any) -> float:
        return int(value) / 1000.0  # milliseconds


class FreedesktopIdle(_DBusIdle):
    """org.freedesktop.ScreenSaver (KDE and others); GNOME answers it with NotSupported."""

    name = "freedesktop"
    destination = "org.freedesktop.ScreenSaver"
    # KDE exports the interface at both paths; some others only at the short one.
    paths = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")
    interface = "org.freedesktop.ScreenSaver"
    member = "GetSessionIdleTime"

    def to_seconds(self, value: Any) -> float:
        return float(int(value))  # seconds


# -- X11 --------------------------------------------------------------------------------


class X11Idle:
    """The MIT-SCREEN-SAVER extension: the X server's own idle counter.

    python-xlib calls block, but a query is one round trip to a local server, so it runs
    on the event loop directly rather than in a thread.
    """

    name = "x11"

    def __init__(self) -> None:
        from Xlib import display, error

        if not os.environ.get("DISPLAY"):
            raise ActivityUnavailable("DISPLAY is not set")
        try:
            self._display = display.Display()
        except (error.DisplayError, OSError) as exc:
            raise ActivityUnavailable(f"cannot open X display: {exc}") from exc
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            self._display.close()
            raise ActivityUnavailable("the X server has no MIT-SCREEN-SAVER extension")
        self._root = self._display.screen().root

    @classmethod
    async def open(cls) -> X11Idle:
        return cls()

    async def idle_seconds(self) -> float:
        from Xlib import error
        from Xlib.ext import screensaver

        try:
            info = screensaver.query_info(self._root)
        except (error.XError, error.ConnectionClosedError, OSError) as exc:
            raise ActivityUnavailable(f"X screensaver query failed: {exc}") from exc
        return int(info.idle) / 1000.0  # milliseconds

    async def aclose(self) -> None:
        self._display.close()


# -- Wayland -------------------------------------------------------------------------------


async def open_wayland(natural_break: float) -> ActivitySource:
    """deskguard.platform.wayland.idle, imported only here: pywayland costs memory."""
    from deskguard.core.idle_events import idle_timeout_for

    try:
        from deskguard.platform.wayland.connection import WaylandUnavailable
        from deskguard.platform.wayland.idle import WaylandIdle
    except ImportError as exc:  # pywayland is Linux-only
        raise ActivityUnavailable(f"pywayland is not installed ({exc})") from exc
    try:
        return await WaylandIdle.open(idle_timeout_for(natural_break))
    except WaylandUnavailable as exc:
        raise ActivityUnavailable(str(exc)) from exc


# -- Windows ------------------------------------------------------------------------------


def _windows_idle_ms() -> int:
    if sys.platform != "win32":
        raise ActivityUnavailable("not Windows")
    import ctypes
    from ctypes import wintypes

    class LastInputInfo(ctypes.Structure):
        _fields_ = [("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD)]

    info = LastInputInfo()
    info.cbSize = ctypes.sizeof(info)
    if not ctypes.windll.user32.GetLastInputInfo(ctypes.byref(info)):
        raise ActivityUnavailable("GetLastInputInfo failed")
    # Both counters are 32-bit milliseconds that wrap after 49.7 days.
    now = int(ctypes.windll.kernel32.GetTickCount())
    return (now - int(info.dwTime)) & 0xFFFFFFFF


class WindowsIdle:
    name = "windows"

    @classmethod
    async def open(cls) -> WindowsIdle:
        if sys.platform != "win32":
            raise ActivityUnavailable("not Windows")
        return cls()

    async def idle_seconds(self) -> float:
        return _windows_idle_ms() / 1000.0

    async def aclose(self) -> None:
        pass


# -- macOS ----------------------------------------------------------------------------------

_HID_IDLE = re.compile(rb'"HIDIdleTime"\s*=\s*(\d+)')


class MacIdle:
    """`ioreg -c IOHIDSystem`: HIDIdleTime in nanoseconds, with no extra Python packages."""

    name = "macos"

    def __init__(self, ioreg: str) -> None:
        self._ioreg = ioreg

    @classmethod
    async def open(cls) -> MacIdle:
        if sys.platform != "darwin":
            raise ActivityUnavailable("not macOS")
        ioreg = shutil.which("ioreg")
        if ioreg is None:
            raise ActivityUnavailable("ioreg not found")
        return cls(ioreg)

    async def idle_seconds(self) -> float:
        try:
            process = await asyncio.create_subprocess_exec(
                self._ioreg,
                "-c",
                "IOHIDSystem",
                "-d",
                "4",
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )
            out, _ = await asyncio.wait_for(process.communicate(), CALL_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise ActivityUnavailable(f"ioreg failed: {reason_for(exc, CALL_TIMEOUT)}") from exc
        found = _HID_IDLE.search(out)
        if found is None:
            raise ActivityUnavailable("ioreg printed no HIDIdleTime")
        return int(found.group(1)) / 1e9  # nanoseconds

    async def aclose(self) -> None:
        pass


# -- none -------------------------------------------------------------------------------------


class NoActivity:
    """No idle information: the user counts as active whenever the screen is unlocked."""

    name = "none"

    async def idle_seconds(self) -> float:
        return 0.0

    async def aclose(self) -> None:
        pass


class GivenIdle:
    """Idle time its owner sets (`seconds`): a simulation's trace row, a test's script."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seconds = 0.0

    async def idle_seconds(self) -> float:
        return self.seconds

    async def aclose(self) -> None:
        pass


# -- coming back -------------------------------------------------------------------------


class ReconnectingSource:
    """A source whose server may go away (a restarted session bus, X server or shell):
    the first failed reading counts as the loss, and the source is opened anew (with a
    live reading, as at start-up) until it works again (deskguard.platform.reconnect).

    While it is away a reading raises ActivityUnavailable at once, without waiting on
    the server: what the idle time is meanwhile is the session's decision. A new source
    needs nothing more than an entry in OPENERS whose readings raise ActivityUnavailable
    once its connection broke; one that can tell sooner (a Wayland display whose socket
    closed) may also offer `async def disconnected() -> str | None`, which is watched.
    """

    def __init__(
        self,
        name: str,
        source: ActivitySource,
        log: logging.Logger,
        natural_break: float = DEFAULT_NATURAL_BREAK,
    ) -> None:
        self.name = name
        self._natural_break = natural_break  # the Wayland source subscribes for it again
        self.what = f"activity source {name}"
        self._source: ActivitySource | None = source
        self._reconnector = Reconnector(self, log)
        self._reconnector.watch()

    @property
    def up(self) -> bool:
        return self._reconnector.up

    async def idle_seconds(self) -> float:
        source = self._source
        if source is None or not self._reconnector.up:
            raise ActivityUnavailable(f"{self.name} is away; reconnecting")
        try:
            return await source.idle_seconds()
        except ActivityUnavailable as exc:
            self._reconnector.lost(str(exc))
            raise

    async def aclose(self) -> None:
        await self._reconnector.aclose()
        await self.close()

    # -- the Link the reconnector drives

    async def connect(self) -> None:
        self._source, _ = await _open_proven(self.name, self._natural_break)

    async def disconnected(self) -> str | None:
        watch: Callable[[], Awaitable[str | None]] | None = getattr(
            self._source, "disconnected", None
        )
        return None if watch is None else await watch()

    async def close(self) -> None:
        source, self._source = self._source, None
        if source is not None:
            # A broken connection may fail to close: it is gone all the same.
            with contextlib.suppress(Exception):
                await source.aclose()


# -- choosing ---------------------------------------------------------------------------------

Opener = Callable[[], Awaitable[ActivitySource]]

OPENERS: dict[str, Opener] = {
    "mutter": MutterIdle.open,
    "freedesktop": FreedesktopIdle.open,
    "x11": X11Idle.open,
    "windows": WindowsIdle.open,
    "macos": MacIdle.open,
}


def _auto_refusal(name: str) -> str | None:
    """Why "auto" must not pick `name` even if it answers (a named choice still may)."""
    if name == "x11" and wayland_session():
        return "Wayland session: XWayland's idle counter misses input to Wayland windows"
    return None


async def _open_proven(name: str, natural_break: float) -> tuple[ActivitySource, float]:
    """Open one source and take one live reading, so a source is only used once it works.

    `natural_break` sets the timeout of the event-driven (Wayland) source."""
    try:
        source = await (open_wayland(natural_break) if name == "wayland" else OPENERS[name]())
    except ActivityUnavailable:
        raise
    except Exception as exc:  # a library failing in a way its adapter did not foresee
        raise ActivityUnavailable(f"{type(exc).__name__}: {exc}") from exc
    try:
        return source, await source.idle_seconds()
    except BaseException as exc:
        await source.aclose()
        if isinstance(exc, Exception) and not isinstance(exc, ActivityUnavailable):
            raise ActivityUnavailable(f"{type(exc).__name__}: {exc}") from exc
        raise


async def open_activity_source(
    choice: str, log: logging.Logger, natural_break: float = DEFAULT_NATURAL_BREAK
) -> ActivitySource:
    """The source named by `choice`, or with "auto" the first of AUTO_ORDER that works.

    A named source that does not work raises ActivityUnavailable with the reason; "auto"
    falls back to "none". Logs one line saying which was picked and why others were not.
    """
    if choice == "none":
        log.info("activity source: none (configured): counting the user as active while unlocked")
        return NoActivity()
    if choice != "auto":
        if choice not in AUTO_ORDER:
            raise ActivityUnavailable(f"unknown activity source {choice!r}; one of {CHOICES}")
        source, idle = await _open_proven(choice, natural_break)
        log.info("activity source: %s (configured; idle %.1f s%s)", choice, idle, _how(source))
        return ReconnectingSource(choice, source, log, natural_break)
    skipped: list[str] = []
    for name in AUTO_ORDER:
        refusal = _auto_refusal(name)
        if refusal is not None:
            skipped.append(f"{name}: {refusal}")
            continue
        try:
            source, idle = await _open_proven(name, natural_break)
        except ActivityUnavailable as exc:
            skipped.append(f"{name}: {exc}")
            continue
        log.info(
            "activity source: %s (idle %.1f s%s); not used: %s",
            name,
            idle,
            _how(source),
            _join(skipped),
        )
        return ReconnectingSource(name, source, log, natural_break)
    log.warning(
        "activity source: none, so the user counts as active while unlocked; not used: %s",
        _join(skipped),
    )
    return NoActivity()


def _join(reasons: list[str]) -> str:
    return "; ".join(reasons) if reasons else "-"


def _how(source: ActivitySource) -> str:
    """What a source that has a choice of means uses (the Wayland protocol), for logs."""
    how = getattr(source, "how", "")
    return f", {how}" if how else ""


async def probe_all(natural_break: float = DEFAULT_NATURAL_BREAK) -> dict[str, str]:
    """Each real source with "ok: idle N s" or why it cannot be used (for `deskguard doctor`)."""
    results: dict[str, str] = {}
    for name in AUTO_ORDER:
        try:
            source, idle = await _open_proven(name, natural_break)
        except ActivityUnavailable as exc:
            results[name] = str(exc)
            continue
        await source.aclose()
        refusal = _auto_refusal(name)
        results[name] = f"ok: idle {idle:.1f} s{_how(source)}" + (
            f" (auto skips it: {refusal})" if refusal else ""
        )
    return results
