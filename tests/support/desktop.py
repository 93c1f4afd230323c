"""A real desktop without a screen, for integration tests.

`HeadlessDesktop` starts Xvfb, a private D-Bus session bus, the dunst notification server
and, when asked, the trayer system tray, all as child processes whose files live under one
directory. Tests then watch and drive that desktop the way a person would: every
notification sent on the bus is recorded, an action button is pressed through dunst's own
menu (so the client receives a genuine ``ActionInvoked`` from the server), keys and pointer
moves go through xdotool, and the X idle time and screenshots come from the X server.

Nothing here skips a test: a missing program or a component that does not come up raises a
RuntimeError that names it, because an integration test that quietly did not run proves
nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from xml.sax.saxutils import escape as xml_escape

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from Xlib import display as xdisplay
from Xlib.ext import screensaver
from Xlib.xobject.resource import Resource

from tests.support.polling import poll

NOTIFICATIONS = "org.freedesktop.Notifications"
"""The well-known bus name (and interface) of a desktop notification server."""

TRAY_SELECTION = "_NET_SYSTEM_TRAY_S0"
"""The X selection a system tray host owns on screen 0 (XEmbed tray protocol)."""

START_TIMEOUT = 20.0
"""Upper bound for one component to come up; generous because CI machines stall."""

_DBUS = "org.freedesktop.DBus"
_DBUS_PATH = "/org/freedesktop/DBus"
_NOTIFY_SIGNATURE = "susssasa{sv}i"
_MONITOR_RULES = (
    f"type='method_call',interface='{NOTIFICATIONS}',member='Notify'",
    f"type='signal',interface='{NOTIFICATIONS}'",
    # Replies are needed to learn the id the server gave each notification.
    "type='method_return'",
    "type='error'",
    # A new server starts its ids afresh: what the old one showed is gone.
    f"type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged',arg0='{NOTIFICATIONS}'",
)
# Variables that would connect a child to the real session instead of this one.
_SESSION_LEAKS = (
    "WAYLAND_DISPLAY",
    "XAUTHORITY",
    "SESSION_MANAGER",
    "DESKTOP_STARTUP_ID",
    "XDG_ACTIVATION_TOKEN",
    "XDG_CURRENT_DESKTOP",
    "XDG_SESSION_DESKTOP",
    "DBUS_STARTER_ADDRESS",
    "DBUS_STARTER_BUS_TYPE",
)
# Unix socket paths are limited to 107 bytes; sockets go inside XDG_RUNTIME_DIR (the bus's,
# and the programs' under test), so it must leave room for their names.
_MAX_RUNTIME_DIR = 80

T = TypeVar("T")
E = TypeVar("E")


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Notification:
    """One ``Notify`` call seen on the bus, plus the server's answer to it.

    ``id`` is the server's id from its reply (None until the reply arrives, or when the call
    failed, in which case ``error`` holds the D-Bus error name). ``hints`` keeps simple
    values only; structured ones (such as ``image-data``) are shown as ``<signature>``.
    """

    index: int
    sender: str
    app_name: str
    replaces_id: int
    app_icon: str
    summary: str
    body: str
    actions: dict[str, str]
    hints: dict[str, object]
    timeout: int
    id: int | None = None
    error: str | None = None

    @property
    def answered(self) -> bool:
        """Whether the server (or the bus, on failure) has replied to the call."""
        return self.id is not None or self.error is not None


@dataclass(frozen=True)
class NotificationClosed:
    """A ``NotificationClosed(id, reason)`` signal: 1 expired, 2 dismissed, 3 closed by call."""

    index: int
    id: int
    reason: int


@dataclass(frozen=True)
class ActionInvoked:
    """An ``ActionInvoked(id, key)`` signal sent by the notification server."""

    index: int
    id: int
    key: str


# --------------------------------------------------------------------------- helpers


def require_program(name: str) -> str:
    """Return the full path of ``name``, or fail saying which program is missing."""
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(
            f"{name!r} is not installed (not on PATH); run scripts/system-packages.sh"
        )
    return path


def _log_tail(path: Path, lines: int = 25) -> str:
    """The end of a component's log, for error messages that explain a failed start."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    tail = text.strip().splitlines()[-lines:]
    return "\n".join(tail) if tail else "(empty log)"


def _read_line(fd: int, timeout: float) -> str | None:
    """Read one line from a pipe, or None on timeout or end of file.

    Xvfb and dbus-daemon announce readiness by writing a line to a file descriptor; end of
    file means the program exited before it was ready.
    """
    deadline = time.monotonic() + timeout
    data = b""
    while b"\n" not in data:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        readable, _, _ = select.select([fd], [], [], remaining)
        if not readable:
            continue
        chunk = os.read(fd, 4096)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\n", 1)[0].decode().strip()


def _terminate(proc: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Stop a child with SIGTERM, then SIGKILL if it does not exit within ``grace``."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            proc.wait(grace)


def _dbus_escape(value: str) -> str:
    """Escape a value for a D-Bus address (``unix:path=...``) as the spec requires."""
    safe = set("-_/.\\*") | set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    return "".join(c if c in safe else "".join(f"%{b:02x}" for b in c.encode()) for c in value)


def _plain_hints(hints: dict[str, Variant]) -> dict[str, object]:
    """Keep simple hint values; name structured ones by their signature only."""
    plain: dict[str, object] = {}
    for name, variant in hints.items():
        value = variant.value
        simple = isinstance(value, str | int | float | bool)
        plain[name] = value if simple else f"<{variant.signature}>"
    return plain


def _read_from(path: Path, offset: int) -> str:
    """The text appended to ``path`` since it was ``offset`` bytes long."""
    try:
        with path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")
    except FileNotFoundError:
        return ""


def _menu_shown(log: Path, offset: int) -> bool:
    """Whether the fake dmenu logged a complete menu after ``offset``."""
    return "\n--\n" in _read_from(log, offset)


def _unwrap_dunst_entry(entry: dict[str, Any]) -> dict[str, object]:
    """``dunstctl history`` wraps each value as ``{"type": ..., "data": ...}``; unwrap it."""
    return {
        key: value.get("data") if isinstance(value, dict) else value for key, value in entry.items()
    }


# --------------------------------------------------------------------------- bus recorder


class _BusRecorder:
    """Records notification traffic on the private bus from a background thread.

    A dedicated D-Bus *monitor* connection (``BecomeMonitor``) sees every ``Notify`` call,
    the server's replies and its signals, whoever sends them, without taking part. A second,
    ordinary connection answers questions such as who owns a bus name.
    """

    def __init__(self, address: str) -> None:
        self._address = address
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="headless-desktop-bus", daemon=True
        )
        self._changed = threading.Condition()
        self._notifications: list[Notification] = []
        self._closed: list[NotificationClosed] = []
        self._invoked: list[ActionInvoked] = []
        self._pending: dict[tuple[str, int], int] = {}
        self._open: dict[int, int] = {}
        self._own_name = ""
        self._monitor: MessageBus | None = None
        self._control: MessageBus | None = None

    # lifecycle

    def start(self, timeout: float) -> None:
        """Connect and become a monitor; returns once recording has begun."""
        self._thread.start()
        self._run(self._connect(), timeout)

    def stop(self) -> None:
        """Disconnect and end the background thread."""
        if self._thread.is_alive():
            with contextlib.suppress(Exception):
                self._run(self._disconnect(), 5.0)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5.0)
        if not self._loop.is_running():
            self._loop.close()

    def _run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    async def _connect(self) -> None:
        self._control = await MessageBus(bus_address=self._address).connect()
        monitor = await MessageBus(bus_address=self._address).connect()
        self._own_name = monitor.unique_name or ""
        monitor.add_message_handler(self._on_message)
        reply = await monitor.call(
            Message(
                destination=_DBUS,
                path=_DBUS_PATH,
                interface="org.freedesktop.DBus.Monitoring",
                member="BecomeMonitor",
                signature="asu",
                body=[list(_MONITOR_RULES), 0],
            )
        )
        if reply is None or reply.message_type == MessageType.ERROR:
            detail = reply.body if reply is not None else "no reply"
            raise RuntimeError(f"the private bus refused BecomeMonitor: {detail}")
        self._monitor = monitor

    async def _disconnect(self) -> None:
        for bus in (self._monitor, self._control):
            if bus is not None and bus.connected:
                bus.disconnect()
                await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]

    # queries over the ordinary connection

    def name_owner_pid(self, name: str) -> int | None:
        """The process id of the connection owning ``name``, or None if nobody owns it."""
        return self._run(self._name_owner_pid(name), 5.0)

    async def _name_owner_pid(self, name: str) -> int | None:
        assert self._control is not None
        reply = await self._control.call(
            Message(
                destination=_DBUS,
                path=_DBUS_PATH,
                interface=_DBUS,
                member="GetConnectionUnixProcessID",
                signature="s",
                body=[name],
            )
        )
        if reply is None or reply.message_type != MessageType.METHOD_RETURN:
            return None
        return int(reply.body[0])

    # recording (runs on the background thread)

    def _on_message(self, msg: Message) -> bool:
        if msg.destination == self._own_name:
            return False  # our own traffic (the BecomeMonitor reply): let dbus-fast have it
        with self._changed:
            self._record(msg)
            self._changed.notify_all()
        return True  # observed traffic must never be answered by a monitor

    def _record(self, msg: Message) -> None:
        kind = msg.message_type
        if kind == MessageType.METHOD_CALL:
            self._record_notify(msg)
        elif kind in (MessageType.METHOD_RETURN, MessageType.ERROR):
            self._record_reply(msg)
        elif kind == MessageType.SIGNAL and msg.interface == NOTIFICATIONS:
            self._record_signal(msg)
        elif kind == MessageType.SIGNAL and msg.member == "NameOwnerChanged":
            self._open.clear()

    def _record_notify(self, msg: Message) -> None:
        if msg.member != "Notify" or msg.signature != _NOTIFY_SIGNATURE:
            return
        app_name, replaces_id, app_icon, summary, body, actions, hints, timeout = msg.body
        index = len(self._notifications)
        self._notifications.append(
            Notification(
                index=index,
                sender=msg.sender or "",
                app_name=app_name,
                replaces_id=replaces_id,
                app_icon=app_icon,
                summary=summary,
                body=body,
                actions=dict(zip(actions[::2], actions[1::2], strict=False)),
                hints=_plain_hints(hints),
                timeout=timeout,
            )
        )
        self._pending[(msg.sender or "", msg.serial)] = index

    def _record_reply(self, msg: Message) -> None:
        index = self._pending.pop((msg.destination or "", msg.reply_serial), None)
        if index is None:
            return
        note = self._notifications[index]
        if msg.message_type == MessageType.ERROR:
            self._notifications[index] = dataclasses.replace(note, error=msg.error_name)
        else:
            server_id = int(msg.body[0])
            self._notifications[index] = dataclasses.replace(note, id=server_id)
            self._open[server_id] = index

    def _record_signal(self, msg: Message) -> None:
        if msg.member == "NotificationClosed" and msg.signature == "uu":
            self._closed.append(NotificationClosed(len(self._closed), *msg.body))
            self._open.pop(msg.body[0], None)
        elif msg.member == "ActionInvoked" and msg.signature == "us":
            self._invoked.append(ActionInvoked(len(self._invoked), *msg.body))

    # reading (any thread)

    def notifications(self) -> list[Notification]:
        with self._changed:
            return list(self._notifications)

    def closed(self) -> list[NotificationClosed]:
        with self._changed:
            return list(self._closed)

    def invoked(self) -> list[ActionInvoked]:
        with self._changed:
            return list(self._invoked)

    def open_notifications(self) -> list[Notification]:
        """Notifications the server gave an id and has not announced as closed, oldest first."""
        with self._changed:
            return [self._notifications[i] for i in sorted(self._open.values())]

    def wait_notification(
        self, predicate: Callable[[Notification], bool], after: int, timeout: float
    ) -> Notification:
        return self._wait(
            lambda: self._notifications,
            lambda n: n.answered and predicate(n),
            after,
            timeout,
            "notification",
        )

    def wait_closed(
        self, predicate: Callable[[NotificationClosed], bool], after: int, timeout: float
    ) -> NotificationClosed:
        return self._wait(lambda: self._closed, predicate, after, timeout, "NotificationClosed")

    def wait_invoked(
        self, predicate: Callable[[ActionInvoked], bool], after: int, timeout: float
    ) -> ActionInvoked:
        return self._wait(lambda: self._invoked, predicate, after, timeout, "ActionInvoked")

    def _wait(
        self,
        items: Callable[[], list[E]],
        predicate: Callable[[E], bool],
        after: int,
        timeout: float,
        what: str,
    ) -> E:
        """Block until an item at or after ``after`` matches; say what was seen if none."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for item in items()[after:]:
                    if predicate(item):
                        return item
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = "\n  ".join(repr(i) for i in items()[after:]) or "(nothing)"
                    raise TimeoutError(
                        f"no matching {what} within {timeout:.1f}s; seen since #{after}:\n  {seen}"
                    )
                if self._monitor is None or not self._monitor.connected:
                    raise RuntimeError("the bus recorder lost its connection to the private bus")
                self._changed.wait(min(remaining, 0.25))


# --------------------------------------------------------------------------- the desktop

_FAKE_DMENU = """\
#!/bin/sh
# Stands in for dmenu in dunst's context menu. dunst writes one line per action,
#   #<label> (<summary>) [<id>,<action-key>]
# and invokes the line printed back. The test harness writes the wanted "[<id>,<key>]"
# to the pick file; every menu shown is logged (after the pick was read) for the harness.
pick=$(cat {pick} 2>/dev/null)
input=$(cat)
chosen=
if [ -n "$pick" ]; then
    chosen=$(printf '%s\\n' "$input" | grep -F -e "$pick" | tail -n 1)
fi
printf '%s\\n--\\n' "$input" >> {log}
[ -z "$chosen" ] || printf '%s\\n' "$chosen"
"""

_DUNSTRC = """\
[global]
    dmenu = "{dmenu}"
    browser = /bin/true
    history_length = 100
    sticky_history = yes
    # Never expire on their own and ignore idleness, so tests see the same thing every run.
    idle_threshold = 0
    notification_limit = 0
    mouse_left_click = close_current
    mouse_middle_click = do_action, close_current
    mouse_right_click = close_all

[urgency_low]
    timeout = 0

[urgency_normal]
    timeout = 0

[urgency_critical]
    timeout = 0
"""

_BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <!-- A session bus without service activation: nothing starts behind the test's back
       (a stopped dunst stays stopped instead of being re-activated with another config). -->
  <type>session</type>
  <keep_umask/>
  <listen>{listen}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class HeadlessDesktop:
    """Xvfb + private session bus + dunst (+ trayer), started and stopped as a unit.

    Use it as a context manager, or call ``start()`` and ``stop()``. ``env`` is the complete
    environment to give child processes (the program under test, notify-send, ...). Treat it
    as read-only; copy it to add variables.
    """

    def __init__(self, base_dir: Path, tray: bool = False, tray_colour: int | None = None) -> None:
        self.base_dir = Path(base_dir).resolve()
        self.tray = tray
        self.tray_colour = tray_colour
        self.display = ""
        self.bus_address = ""
        self.env: dict[str, str] = {}
        self._logs = self.base_dir / "logs"
        self._dunst_dir = self.base_dir / "dunst"
        self._stack = contextlib.ExitStack()
        self._procs: dict[str, subprocess.Popen[bytes]] = {}
        self._recorder: _BusRecorder | None = None
        self._dunst: subprocess.Popen[bytes] | None = None
        self._started = False

    # lifecycle --------------------------------------------------------------------------

    def start(self) -> HeadlessDesktop:
        """Start every component in order and wait until each one is ready.

        On any failure everything already started is stopped before the error propagates.
        """
        if self._started:
            raise RuntimeError("a HeadlessDesktop can be started only once")
        self._started = True
        for program in ("Xvfb", "dbus-daemon", "dunst", "dunstctl", "xdotool"):
            require_program(program)
        if self.tray:
            require_program("trayer")
        try:
            self._make_dirs()
            self._start_xvfb()
            self._start_bus()
            self._start_recorder()
            self._write_dunst_files()
            self._stack.callback(self._kill_dunst)
            self.start_dunst()
            if self.tray:
                self._start_trayer()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop everything that was started, newest first (SIGTERM, then SIGKILL)."""
        try:
            self._stack.close()
        finally:
            self._procs.clear()

    def __enter__(self) -> HeadlessDesktop:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def processes(self) -> dict[str, int]:
        """Process ids of the components currently running, by name."""
        return {name: p.pid for name, p in self._procs.items() if p.poll() is None}

    @property
    def dunst_pid(self) -> int | None:
        """The running dunst's process id, or None while it is stopped."""
        proc = self._dunst
        return proc.pid if proc is not None and proc.poll() is None else None

    # start-up steps ---------------------------------------------------------------------

    def _make_dirs(self) -> None:
        """Home, XDG and runtime directories of its own, so nothing touches the real ones."""
        home = self.base_dir / "home"
        runtime = self._runtime_dir()
        xdg = {
            "XDG_CONFIG_HOME": home / ".config",
            "XDG_STATE_HOME": home / ".local" / "state",
            "XDG_DATA_HOME": home / ".local" / "share",
            "XDG_CACHE_HOME": home / ".cache",
            "XDG_CONFIG_DIRS": self.base_dir / "etc-xdg",
        }
        for path in (*xdg.values(), self._logs, self._dunst_dir):
            path.mkdir(parents=True, exist_ok=True)
        runtime.chmod(0o700)  # mkdir's mode is filtered by the umask
        env = {k: v for k, v in os.environ.items() if k not in _SESSION_LEAKS}
        real_pyenv = Path.home() / ".pyenv"
        if "PYENV_ROOT" not in env and real_pyenv.is_dir():
            env["PYENV_ROOT"] = str(real_pyenv)  # pyenv shims find it through $HOME
        env.update({name: str(path) for name, path in xdg.items()})
        env.update(
            HOME=str(home),
            XDG_RUNTIME_DIR=str(runtime),
            XDG_SESSION_TYPE="x11",
            GDK_BACKEND="x11",
            NO_AT_BRIDGE="1",  # keeps GTK from starting accessibility services on the bus
            GSETTINGS_BACKEND="memory",  # keeps GTK from needing dconf
        )
        self.env = env

    def _runtime_dir(self) -> Path:
        """A fresh 0700 XDG_RUNTIME_DIR: under base_dir unless that path is too long for sockets."""
        runtime = self.base_dir / "run"
        if len(str(runtime)) <= _MAX_RUNTIME_DIR:
            runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
            return runtime
        short = Path(tempfile.mkdtemp(prefix="hd-run-"))
        self._stack.callback(shutil.rmtree, short, True)
        return short

    def _spawn(
        self, name: str, argv: Sequence[str], pass_fds: Sequence[int] = ()
    ) -> subprocess.Popen[bytes]:
        """Start a component with its output in logs/<name>.log (kept for error messages)."""
        with open(self._logs / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.env,
                pass_fds=tuple(pass_fds),
            )
        self._procs[name] = proc
        return proc

    def _spawn_announcing(self, name: str, argv: Callable[[int], Sequence[str]]) -> str:
        """Start a component that writes a readiness line to a given fd; return that line."""
        read_fd, write_fd = os.pipe()
        try:
            try:
                proc = self._spawn(name, argv(write_fd), pass_fds=(write_fd,))
            finally:
                os.close(write_fd)  # only the child writes; its exit then reads as end of file
            self._stack.callback(_terminate, proc)
            line = _read_line(read_fd, START_TIMEOUT)
        finally:
            os.close(read_fd)
        if not line:
            _terminate(proc)
            raise RuntimeError(
                f"{name} did not start (exit status {proc.poll()}); its log:\n"
                + _log_tail(self._logs / f"{name}.log")
            )
        return line

    def _start_xvfb(self) -> None:
        """Xvfb picks a free display itself (-displayfd) and reports it once it accepts clients."""
        number = self._spawn_announcing(
            "Xvfb",
            lambda fd: [
                "Xvfb",
                "-displayfd",
                str(fd),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
                "-noreset",  # no server reset when the last client leaves (dunst restarts)
            ],
        )
        self.display = f":{number}"
        self.env["DISPLAY"] = self.display

    def _start_bus(self) -> None:
        """A private session bus on a unix socket, with no service activation."""
        socket = Path(self.env["XDG_RUNTIME_DIR"]) / "bus"
        listen = "unix:path=" + _dbus_escape(str(socket))
        config = self.base_dir / "bus.conf"
        config.write_text(_BUS_CONFIG.format(listen=xml_escape(listen)))
        self.bus_address = self._spawn_announcing(
            "dbus-daemon",
            lambda fd: [
                "dbus-daemon",
                f"--config-file={config}",
                "--nofork",
                "--nopidfile",
                f"--print-address={fd}",
            ],
        )
        self.env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address

    def restart_bus(self) -> None:
        """Stop the session bus and start a new one on the same socket, as a logout and
        login would leave it for a program whose address is fixed in its environment;
        then bring dunst and the recorder back on the new bus."""
        self._kill_dunst()
        if self._recorder is not None:
            self._recorder.stop()
        old = self._procs.pop("dbus-daemon")
        _terminate(old)
        Path(self.env["XDG_RUNTIME_DIR"], "bus").unlink(missing_ok=True)
        self._start_bus()
        self._start_recorder()
        self.start_dunst()

    def restart_xvfb(self) -> None:
        """Stop the X server and start a new one on the same display number."""
        old = self._procs.pop("Xvfb")
        _terminate(old)
        number = self.display.lstrip(":")
        # The old server's lock and socket go with it; wait so the new one can take them.
        poll(
            lambda: not Path(f"/tmp/.X{number}-lock").exists(),
            START_TIMEOUT,
            "the old X server's lock file to go",
        )
        self._spawn_announcing(
            "Xvfb",
            lambda fd: [
                "Xvfb", f":{number}", "-displayfd", str(fd), "-screen", "0", "1280x800x24",
                "-nolisten", "tcp", "-noreset",
            ],
        )  # fmt: skip

    def _start_recorder(self) -> None:
        recorder = _BusRecorder(self.bus_address)
        self._stack.callback(recorder.stop)
        recorder.start(START_TIMEOUT)
        self._recorder = recorder

    def _write_dunst_files(self) -> None:
        dmenu = self._dunst_dir / "fake-dmenu"
        dmenu.write_text(
            _FAKE_DMENU.format(
                log=shlex.quote(str(self._dunst_dir / "menus.log")),
                pick=shlex.quote(str(self._dunst_dir / "pick")),
            )
        )
        dmenu.chmod(0o755)
        (self._dunst_dir / "dunstrc").write_text(_DUNSTRC.format(dmenu=shlex.quote(str(dmenu))))

    def _start_trayer(self) -> None:
        """trayer is the XEmbed tray host; it is ready once it owns the tray selection.

        With `tray_colour` (0xRRGGBB) its panel is painted that colour: trayer's tint over
        the (absent) wallpaper at no transparency. Otherwise it has GTK's default theme."""
        look = ["--transparent", "false", "--tint", "0x336699"]
        if self.tray_colour is not None:
            look = ["--transparent", "true", "--alpha", "0", "--tint", f"0x{self.tray_colour:06x}"]
        proc = self._spawn(
            "trayer",
            [
                "trayer",
                "--edge", "top", "--align", "left", "--widthtype", "request",
                "--height", "32", "--SetDockType", "true", *look,
            ],
        )  # fmt: skip
        self._stack.callback(_terminate, proc)
        self._wait_for_component(
            "trayer", proc, lambda: self.tray_owner() != 0, f"trayer to own {TRAY_SELECTION}"
        )

    def _wait_for_component(
        self, name: str, proc: subprocess.Popen[bytes], ready: Callable[[], bool], what: str
    ) -> None:
        """Poll ``ready``; fail early with the component's log if it exits or never gets there."""

        def check() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with status {proc.returncode} before it was ready; its log:\n"
                    + _log_tail(self._logs / f"{name}.log")
                )
            return ready()

        try:
            poll(check, START_TIMEOUT, what)
        except AssertionError as exc:  # poll gave up
            raise RuntimeError(
                f"{exc}; {name}'s log:\n{_log_tail(self._logs / f'{name}.log')}"
            ) from exc

    @property
    def _bus(self) -> _BusRecorder:
        if self._recorder is None:
            raise RuntimeError("the desktop is not started")
        return self._recorder

    # notifications: observing -----------------------------------------------------------

    def notifications(self) -> list[Notification]:
        """Every ``Notify`` call seen on the bus since start, oldest first."""
        return self._bus.notifications()

    def open_notifications(self) -> list[Notification]:
        """Notifications the server accepted and has not closed yet, oldest first."""
        return self._bus.open_notifications()

    def wait_for_notification(
        self,
        predicate: Callable[[Notification], bool] | None = None,
        timeout: float = 10.0,
        after: int = 0,
    ) -> Notification:
        """The first answered notification with index >= ``after`` matching ``predicate``.

        Take ``after = len(desktop.notifications())`` before causing a notification so an
        earlier one cannot satisfy the wait.
        """
        return self._bus.wait_notification(predicate or (lambda _: True), after, timeout)

    def closed_notifications(self) -> list[NotificationClosed]:
        """Every ``NotificationClosed`` signal the server sent, oldest first."""
        return self._bus.closed()

    def wait_for_closed(
        self,
        predicate: Callable[[NotificationClosed], bool] | None = None,
        timeout: float = 10.0,
        after: int = 0,
    ) -> NotificationClosed:
        """The first ``NotificationClosed`` with index >= ``after`` matching ``predicate``."""
        return self._bus.wait_closed(predicate or (lambda _: True), after, timeout)

    def actions_invoked(self) -> list[ActionInvoked]:
        """Every ``ActionInvoked`` signal the server sent, oldest first."""
        return self._bus.invoked()

    def bus_name_owner_pid(self, name: str) -> int | None:
        """The process id owning ``name`` on the private bus, or None if it is unowned."""
        return self._bus.name_owner_pid(name)

    # notifications: acting like a person -------------------------------------------------

    def invoke_action(
        self, key: str, notification_id: int | None = None, timeout: float = 10.0
    ) -> ActionInvoked:
        """Press the action ``key`` of a displayed notification through dunst's menu.

        Without ``notification_id`` the newest open notification offering ``key`` is chosen.
        dunst then sends a real ``ActionInvoked`` to the notification's client; this returns
        once that signal has been seen on the bus.
        """
        target = self._action_target(key) if notification_id is None else notification_id
        pick = f"[{target},{key}]"
        mark = len(self.actions_invoked())
        deadline = time.monotonic() + timeout
        staged = self._dunst_dir / "pick.tmp"
        staged.write_text(pick + "\n")
        staged.replace(self._dunst_dir / "pick")  # the menu script never reads half a pick
        try:
            self._open_menu_until_offered(pick, timeout)
        finally:
            # A later menu (a click on a notification without a default action) must not
            # reuse this pick.
            (self._dunst_dir / "pick").unlink(missing_ok=True)
        remaining = max(deadline - time.monotonic(), 1.0)
        return self._bus.wait_invoked(lambda a: (a.id, a.key) == (target, key), mark, remaining)

    def _open_menu_until_offered(self, pick: str, timeout: float) -> None:
        """Open dunst's menu until it lists ``pick`` (and the fake dmenu has chosen it).

        dunst answers ``Notify`` a moment before it moves the notification to its displayed
        queue, and only displayed notifications appear in the menu; so a menu opened right
        after a notification arrived may lack it, and is simply opened again.
        """
        log = self._dunst_dir / "menus.log"
        deadline = time.monotonic() + timeout
        while True:
            seen = log.stat().st_size if log.exists() else 0
            self.dunstctl("context")
            with contextlib.suppress(TimeoutError):
                poll(partial(_menu_shown, log, seen), 1.0, "dunst's menu")
            if pick in _read_from(log, seen):
                return
            if time.monotonic() >= deadline:
                raise RuntimeError(
                    f"dunst's menu never offered {pick} within {timeout:.1f}s (paused, closed, "
                    f"or not displayed?); last menus:\n{_log_tail(log, 12)}"
                )

    def _action_target(self, key: str) -> int:
        offering = [n for n in self.open_notifications() if key in n.actions]
        if not offering:
            raise RuntimeError(
                f"no open notification offers the action {key!r}; open: {self.open_notifications()}"
            )
        newest = max(offering, key=lambda n: n.index)
        assert newest.id is not None  # open notifications always have their id
        return newest.id

    def click_notification(self, button: int = 2, x: int = 20, y: int = 10) -> None:
        """Click dunst's window with the real pointer, at (x, y) inside it.

        The default point lies on the notification drawn first (topmost). Button 2 runs
        its default action (or the menu when it has none) and closes it, as configured.
        """
        windows: list[str] = []

        def visible() -> bool:
            found = self.run(
                ["xdotool", "search", "--onlyvisible", "--class", "dunst"], check=False
            )
            windows[:] = found.stdout.split()
            return bool(windows)

        poll(visible, 10.0, "dunst's window to be shown")
        self.xdotool("mousemove", "--window", windows[0], str(x), str(y), "click", str(button))

    def dunstctl(self, *args: str) -> str:
        """Run ``dunstctl`` against this desktop's dunst and return its output."""
        return self.run(["dunstctl", *args]).stdout

    def dunst_history(self) -> list[dict[str, object]]:
        """dunst's history (closed notifications only), newest first, values unwrapped."""
        document = json.loads(self.dunstctl("history"))
        entries: list[dict[str, Any]] = document["data"][0] if document["data"] else []
        return [_unwrap_dunst_entry(entry) for entry in entries]

    def set_dunst_paused(self, paused: bool) -> None:
        """Pause (queue without showing) or resume notifications, and confirm the change."""
        wanted = "true" if paused else "false"
        self.dunstctl("set-paused", wanted)
        poll(lambda: self.dunstctl("is-paused").strip() == wanted, 5.0, f"paused={wanted}")

    def stop_dunst(self, timeout: float = 10.0) -> None:
        """Stop the notification server and wait until its bus name is released."""
        self._kill_dunst()
        poll(
            lambda: self.bus_name_owner_pid(NOTIFICATIONS) is None,
            timeout,
            f"{NOTIFICATIONS} to be released",
        )

    def _kill_dunst(self) -> None:
        proc, self._dunst = self._dunst, None
        self._procs.pop("dunst", None)
        if proc is not None:
            _terminate(proc)

    def start_dunst(self) -> None:
        """Start the notification server and wait until it owns its bus name."""
        if self.dunst_pid is not None:
            return
        proc = self._spawn("dunst", ["dunst", "-config", str(self._dunst_dir / "dunstrc")])
        self._dunst = proc
        self._wait_for_component(
            "dunst",
            proc,
            lambda: self.bus_name_owner_pid(NOTIFICATIONS) == proc.pid,
            f"dunst to own {NOTIFICATIONS}",
        )

    # X ----------------------------------------------------------------------------------

    def run(
        self, argv: Sequence[str], *, timeout: float = 30.0, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """Run a program inside this desktop (its env); fail with its stderr if ``check``."""
        require_program(argv[0])
        result = subprocess.run(
            list(argv),
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{shlex.join(argv)} exited with status {result.returncode}: "
                f"{result.stderr.strip() or result.stdout.strip()}"
            )
        return result

    def xdotool(self, *args: str) -> str:
        """Run xdotool on this display (keys, pointer, window search) and return its output."""
        return self.run(["xdotool", *args]).stdout

    @contextlib.contextmanager
    def _xlib(self) -> Iterator[xdisplay.Display]:
        connection = xdisplay.Display(self.display)
        try:
            yield connection
        finally:
            connection.close()

    def x_idle_ms(self) -> int:
        """Milliseconds since the last keyboard or pointer input (MIT-SCREEN-SAVER)."""
        with self._xlib() as connection:
            return int(screensaver.query_info(connection.screen().root).idle)

    def tray_owner(self) -> int:
        """The X window id owning the system tray selection, 0 when there is no tray."""
        with self._xlib() as connection:
            owner: object = connection.get_selection_owner(connection.intern_atom(TRAY_SELECTION))
        # python-xlib returns a Window object, or the plain 0 (X.NONE) when unowned.
        return owner.id if isinstance(owner, Resource) else 0

    def screenshot(self, path: Path) -> Path:
        """Save the whole screen as an image (ImageMagick ``import``); returns ``path``."""
        self.run(["import", "-display", self.display, "-window", "root", str(path)])
        return path
