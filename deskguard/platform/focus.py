"""Focus signals: is the user in something a reminder must not interrupt right now?

One small adapter per signal behind `FocusSignal`: the notification server's do-not-disturb
state, a fullscreen active window (X11), the camera and the microphone in use.
`open_focus_signals` opens the enabled ones at start-up and `busy_reasons` asks them all on
every activity tick. Every adapter is async and runs on the daemon's event-loop thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import logging
import os
import shutil
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from dbus_fast import DBusError, ErrorType, Variant
from dbus_fast.aio import MessageBus

from deskguard.platform.dbus import DBUS, call_method

if TYPE_CHECKING:
    from Xlib.display import Display

# The names `busy_reasons` reports, in the order it reports them.
ORDER = ("do-not-disturb", "fullscreen", "camera", "microphone")
# One D-Bus call or helper program: well inside the default 10 s poll.
CALL_TIMEOUT = 3.0
# A whole check as `busy_reasons` runs it; a signal that takes longer counts as off.
CHECK_TIMEOUT = 5.0

SERVER = "org.freedesktop.Notifications"
SERVER_PATH = "/org/freedesktop/Notifications"
PROPERTIES = "org.freedesktop.DBus.Properties"
# `dunstctl is-paused` reads this property; reading it directly saves a process per poll.
DUNST_INTERFACE = "org.dunstproject.cmd0"
GNOME_BANNERS = ("org.gnome.desktop.notifications", "show-banners")

log = logging.getLogger("deskguard.focus")


class FocusConfig(Protocol):
    """Which signals to open, and where the cameras are: the `[focus]` section, from the
    validated settings or the daemon's plain copy of them."""

    @property
    def do_not_disturb(self) -> bool: ...
    @property
    def fullscreen(self) -> bool: ...
    @property
    def camera(self) -> bool: ...
    @property
    def microphone(self) -> bool: ...
    @property
    def video_devices(self) -> str: ...


class FocusUnavailable(Exception):
    """A focus signal cannot work here; the message says why (for doctor and logs)."""


class FocusSignal(Protocol):
    name: str

    async def active(self) -> bool:
        """True while the user should not be interrupted. Never raises: a check that fails
        counts as False (and is logged at debug level)."""
        ...

    async def aclose(self) -> None: ...


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DBusError):
        return f"{exc.type}: {exc.text}"
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


class _Signal:
    """The shared part of every adapter: `active()` turns a failing `_check()` into False,
    with one debug line when it starts failing (or fails differently) and one when it
    works again, so a signal that is broken for hours does not fill the log."""

    name = ""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._failing: str | None = None

    @property
    def how(self) -> str:
        """What the signal reads, for the start-up log line and doctor."""
        raise NotImplementedError

    @property
    def readable(self) -> bool:
        """False when the signal is open but has nothing to read here now."""
        return True

    async def _check(self) -> bool:
        raise NotImplementedError

    async def active(self) -> bool:
        try:
            result = await self._check()
        except Exception as exc:
            reason = _reason(exc)
            if reason != self._failing:
                self._log.debug("focus %s: cannot tell (%s), counting it as off", self.name, reason)
            self._failing = reason
            return False
        if self._failing is not None:
            self._log.debug("focus %s: readable again", self.name)
            self._failing = None
        return result

    async def aclose(self) -> None:
        pass


async def _run(argv: Sequence[str]) -> str:
    """A helper program's standard output; raises on failure, a non-zero exit or a hang."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), CALL_TIMEOUT)
    finally:
        if process.returncode is None:  # timed out or cancelled: leave no process behind
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    if process.returncode != 0:
        said = err.decode(errors="replace").strip().splitlines()
        detail = said[-1] if said else "no message"
        raise OSError(f"{os.path.basename(argv[0])} exited with {process.returncode}: {detail}")
    return out.decode(errors="replace")


# -- do not disturb (session bus) -------------------------------------------------------------


async def _connect_session_bus() -> MessageBus:
    return await asyncio.wait_for(MessageBus().connect(), CALL_TIMEOUT)


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


class DoNotDisturb(_Signal):
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
            bus = await _connect_session_bus()
        except Exception as exc:
            raise FocusUnavailable(f"no session bus ({_reason(exc)})") from exc
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
            self._bus = await _connect_session_bus()
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
            return not parse_gsettings_bool(await _run([self._gsettings, "get", *GNOME_BANNERS]))
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


# -- fullscreen (X11) -------------------------------------------------------------------------


def _wayland_session() -> bool:
    return os.environ.get("XDG_SESSION_TYPE") == "wayland" or bool(
        os.environ.get("WAYLAND_DISPLAY")
    )


class Fullscreen(_Signal):
    """The active window is fullscreen, as the window manager tells X11 clients (EWMH):
    the root's `_NET_ACTIVE_WINDOW`, and `_NET_WM_STATE_FULLSCREEN` in that window's
    `_NET_WM_STATE`.

    The display is opened once. python-xlib calls block, but each is one round trip to a
    local server, so they run on the event loop directly rather than in a thread.
    """

    name = "fullscreen"

    def __init__(self, log: logging.Logger) -> None:
        super().__init__(log)
        self._where = os.environ.get("DISPLAY", "")
        self._display: Display | None = None
        self._atoms: dict[str, int] = {}
        if not self._where:
            raise FocusUnavailable(
                "DISPLAY is not set"
                + (": a Wayland session without XWayland" if _wayland_session() else "")
            )
        self._display = self._connect()

    @classmethod
    async def open(cls, settings: FocusConfig, log: logging.Logger) -> Fullscreen:
        return cls(log)

    def _connect(self) -> Display:
        from Xlib import display, error

        try:
            connection = display.Display(self._where)
        except (error.DisplayError, OSError) as exc:
            raise FocusUnavailable(f"cannot open X display {self._where}: {exc}") from exc
        self._atoms = {
            name: connection.intern_atom(name)
            for name in (
                "_NET_ACTIVE_WINDOW",
                "_NET_WM_STATE",
                "_NET_WM_STATE_FULLSCREEN",
                "_NET_SUPPORTED",
            )
        }
        return connection

    @property
    def how(self) -> str:
        where = f"X11 {self._where}"
        if _wayland_session():
            where += " (XWayland: X11 windows only)"
        if self._display is not None and not self._manager_announces_active_window():
            return f"{where}, but no window manager announces _NET_ACTIVE_WINDOW now"
        return f"{where}, the window manager's active window"

    def _manager_announces_active_window(self) -> bool:
        from Xlib import X, error

        assert self._display is not None
        try:
            supported = self._display.screen().root.get_full_property(
                self._atoms["_NET_SUPPORTED"], X.AnyPropertyType
            )
        except (error.XError, error.ConnectionClosedError, OSError):
            return False
        return supported is not None and self._atoms["_NET_ACTIVE_WINDOW"] in supported.value

    async def _check(self) -> bool:
        from Xlib import error

        if self._display is None:
            self._display = self._connect()  # the X server went away earlier; try again
        try:
            return self._active_window_is_fullscreen(self._display)
        except (error.ConnectionClosedError, OSError):
            self._close()
            raise

    def _active_window_is_fullscreen(self, connection: Display) -> bool:
        from Xlib import X, error

        active = connection.screen().root.get_full_property(
            self._atoms["_NET_ACTIVE_WINDOW"], X.AnyPropertyType
        )
        if active is None or active.format != 32 or not active.value or not active.value[0]:
            return False  # no window manager, or no window has the focus
        window = connection.create_resource_object("window", int(active.value[0]))
        try:
            state = window.get_full_property(self._atoms["_NET_WM_STATE"], X.AnyPropertyType)
        except error.BadWindow:
            return False  # the window closed; the window manager has not caught up yet
        return state is not None and self._atoms["_NET_WM_STATE_FULLSCREEN"] in state.value

    def _close(self) -> None:
        connection, self._display = self._display, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # a connection that is already broken may not close cleanly
                self._log.debug("closing the X display", exc_info=True)

    async def aclose(self) -> None:
        self._close()


# -- camera (/proc) ---------------------------------------------------------------------------


class CameraInUse(_Signal):
    """Another process holds a video device open (a video call, a recording).

    Found through the /proc/PID/fd links: first the process that held it last time (during
    a call that is one directory), otherwise every process this user may look into. Nothing
    is scanned while no device matches the pattern (no camera plugged in).
    """

    name = "camera"

    def __init__(self, pattern: str, log: logging.Logger, proc: str = "/proc") -> None:
        super().__init__(log)
        self._pattern = os.path.expanduser(pattern)
        self._proc = proc
        self._holder: int | None = None

    @classmethod
    async def open(cls, settings: FocusConfig, log: logging.Logger) -> CameraInUse:
        if not os.path.isdir("/proc/self/fd"):
            raise FocusUnavailable("no /proc/PID/fd to look into (not Linux)")
        return cls(settings.video_devices, log)

    @property
    def how(self) -> str:
        found = len(_matching_devices(self._pattern))
        devices = f"{found} device{'' if found == 1 else 's'}" if found else "no device yet"
        return f"open {self._pattern} in other processes ({devices})"

    async def _check(self) -> bool:
        devices = _matching_devices(self._pattern)
        if not devices:
            self._holder = None
            return False
        self._holder = await asyncio.to_thread(
            find_holder, devices, self._holder, os.getpid(), self._proc
        )
        return self._holder is not None


def _matching_devices(pattern: str) -> frozenset[str]:
    """The paths a /proc/PID/fd link shows for each match (links resolved: by-id names)."""
    matches = glob.glob(pattern)
    return frozenset(os.path.abspath(p) for p in matches) | frozenset(
        os.path.realpath(p) for p in matches
    )


def find_holder(devices: frozenset[str], hint: int | None, own_pid: int, proc: str) -> int | None:
    """The id of a process other than `own_pid` with one of `devices` open, or None.

    Process `hint` is looked at first. Processes that vanish mid-scan or belong to other
    users (PermissionError) are passed over: both are normal.
    """
    if hint is not None and hint != own_pid and _holds(f"{proc}/{hint}/fd", devices):
        return hint
    try:
        entries = os.scandir(proc)
    except OSError:
        return None
    with entries:
        for entry in entries:
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            if pid in (own_pid, hint):
                continue
            if _holds(f"{proc}/{pid}/fd", devices):
                return pid
    return None


def _holds(fd_dir: str, devices: frozenset[str]) -> bool:
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"{fd_dir}/{fd}") in devices:
                return True
        except OSError:
            continue  # closed between listing and reading
    return False


# -- microphone (pactl) -----------------------------------------------------------------------


class MicrophoneInUse(_Signal):
    """Some program records from a sound source: `pactl list short source-outputs` prints a
    line per recording stream, on PulseAudio and on PipeWire (pipewire-pulse) alike."""

    name = "microphone"

    def __init__(self, pactl: str, log: logging.Logger) -> None:
        super().__init__(log)
        self._pactl = pactl

    @classmethod
    async def open(cls, settings: FocusConfig, log: logging.Logger) -> MicrophoneInUse:
        pactl = shutil.which("pactl")
        if pactl is None:
            raise FocusUnavailable("pactl not found (Debian/Ubuntu: pulseaudio-utils)")
        signal = cls(pactl, log)
        try:
            await signal._check()
        except Exception as exc:
            raise FocusUnavailable(f"pactl cannot list recording streams: {_reason(exc)}") from exc
        return signal

    @property
    def how(self) -> str:
        return f"recording streams listed by {self._pactl}"

    async def _check(self) -> bool:
        return capturing(await _run([self._pactl, "list", "short", "source-outputs"]))


def capturing(source_outputs: str) -> bool:
    """Whether `pactl list short source-outputs` listed any stream (one per line)."""
    return any(line.strip() for line in source_outputs.splitlines())


# -- choosing and asking ----------------------------------------------------------------------

Opener = Callable[[FocusConfig, logging.Logger], Awaitable[_Signal]]

OPENERS: dict[str, Opener] = {
    "do-not-disturb": DoNotDisturb.open,
    "fullscreen": Fullscreen.open,
    "camera": CameraInUse.open,
    "microphone": MicrophoneInUse.open,
}


def enabled(settings: FocusConfig, name: str) -> bool:
    """The config switch of the signal called `name`."""
    return bool(getattr(settings, name.replace("-", "_")))


async def _open(name: str, settings: FocusConfig, log: logging.Logger) -> _Signal:
    try:
        return await OPENERS[name](settings, log)
    except FocusUnavailable:
        raise
    except Exception as exc:  # a library failing in a way its adapter did not foresee
        raise FocusUnavailable(_reason(exc)) from exc


async def open_focus_signals(settings: FocusConfig, log: logging.Logger) -> list[FocusSignal]:
    """The enabled signals that can work here, in `ORDER`. Logs one line for each enabled
    signal that cannot (and why), then one line naming those in use and those switched off."""
    opened: list[_Signal] = []
    for name in ORDER:
        if not enabled(settings, name):
            continue
        try:
            opened.append(await _open(name, settings, log))
        except FocusUnavailable as exc:
            log.info("focus %s: not watched: %s", name, exc)
    off = [name for name in ORDER if not enabled(settings, name)]
    log.info(
        "focus signals: %s%s",
        "; ".join(f"{s.name} ({s.how})" for s in opened) or "none",
        f"; off in config: {', '.join(off)}" if off else "",
    )
    return list(opened)


async def _checked(signal: FocusSignal) -> bool:
    """`signal.active()` bounded in time; a signal that breaks its promise not to raise
    still only counts as off."""
    try:
        return await asyncio.wait_for(signal.active(), CHECK_TIMEOUT)
    except Exception as exc:
        log.debug("focus %s: %s, counting it as off", signal.name, _reason(exc))
        return False


async def busy_reasons(signals: Sequence[FocusSignal]) -> tuple[str, ...]:
    """The names of the signals active now, asked all at once; in `ORDER`, other names
    after those in the order given."""
    answers = await asyncio.gather(*(_checked(signal) for signal in signals))
    active = [signal.name for signal, yes in zip(signals, answers, strict=True) if yes]
    rank = {name: index for index, name in enumerate(ORDER)}
    return tuple(sorted(dict.fromkeys(active), key=lambda name: rank.get(name, len(ORDER))))


async def probe_focus(settings: FocusConfig) -> dict[str, str]:
    """Each signal with "available: ...", "unavailable: why" or "off in config" (for
    `deskguard doctor`). An available signal says what it reads and whether it is on now."""
    results: dict[str, str] = {}
    for name in ORDER:
        if not enabled(settings, name):
            results[name] = "off in config"
            continue
        try:
            signal = await _open(name, settings, log)
        except FocusUnavailable as exc:
            results[name] = f"unavailable: {exc}"
            continue
        try:
            now = await _checked(signal)
            if signal.readable:
                results[name] = f"available: {signal.how}; {'active' if now else 'inactive'} now"
            else:
                results[name] = f"unavailable: {signal.how}"
        finally:
            await signal.aclose()
    return results
