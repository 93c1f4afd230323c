"""GNOME's compositor and shell without a screen, and input into them, for integration tests.

`start_mutter` runs `mutter --headless` (or `gnome-shell --headless`) as a Wayland
compositor on a desktop's session bus. `RemoteInput` presses keys through Mutter's own
RemoteDesktop interface: its session lives only as long as the connection that created
it, so one object holds that connection for as long as the test needs it. `SystemBus`
is a private system bus with the org.gnome.DisplayManager stand-in gnome-shell needs
before it builds its lock screen.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from collections.abc import Coroutine, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusStr
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_property

from deskguard.platform.dbus import call_method
from tests.support.desktop import START_TIMEOUT, require_program
from tests.support.polling import poll

T = TypeVar("T")
REMOTE_DESKTOP = "org.gnome.Mutter.RemoteDesktop"
IDLE_MONITOR = "org.gnome.Mutter.IdleMonitor"
SCREEN_SHIELD = "org.gnome.Shell.ScreenShield"
SCREENSAVER_PROXY = "/usr/share/gnome-shell/org.gnome.ScreenSaver"
KEY_LEFT_SHIFT = 42  # evdev keycode


class _LoopThread:
    """An asyncio loop on a thread of its own, for D-Bus connections a test holds."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, work: Coroutine[Any, Any, T], timeout: float = START_TIMEOUT) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


class RemoteInput:
    """Key presses through org.gnome.Mutter.RemoteDesktop, as a remote desktop client."""

    def __init__(self, bus_address: str) -> None:
        self._address = bus_address
        self._thread = _LoopThread("remote-input")
        self._bus: MessageBus | None = None
        self._session = ""

    def __enter__(self) -> RemoteInput:
        try:
            self._thread.run(self._start())
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def _call(
        self, path: str, interface: str, member: str, signature: str = "", body: Any = ()
    ) -> list[Any]:
        assert self._bus is not None
        return await call_method(
            self._bus, REMOTE_DESKTOP, path, interface, member, signature, list(body)
        )

    async def _start(self) -> None:
        self._bus = await MessageBus(bus_address=self._address).connect()
        (self._session,) = await self._call(
            "/org/gnome/Mutter/RemoteDesktop", REMOTE_DESKTOP, "CreateSession"
        )
        await self._call(self._session, f"{REMOTE_DESKTOP}.Session", "Start")

    def press_key(self, keycode: int = KEY_LEFT_SHIFT) -> None:
        """Press and release one key (evdev keycode); Mutter counts it as user input."""
        interface = f"{REMOTE_DESKTOP}.Session"
        for pressed in (True, False):
            self._thread.run(
                self._call(
                    self._session, interface, "NotifyKeyboardKeycode", "ub", (keycode, pressed)
                )
            )

    def close(self) -> None:
        if self._bus is not None and self._bus.connected:
            self._bus.disconnect()
        self._thread.stop()


def start_mutter(
    env: Mapping[str, str], log: Path, name: str, program: str = "mutter"
) -> subprocess.Popen[bytes]:
    """`mutter --headless` (or gnome-shell) on the session bus in `env`, once it owns
    org.gnome.Mutter.IdleMonitor. The Wayland socket `name` goes in XDG_RUNTIME_DIR."""
    require_program(program)
    child_env = {k: v for k, v in env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    # Software rendering, and no accessibility bus to start behind the test's back.
    child_env |= {"LIBGL_ALWAYS_SOFTWARE": "1", "NO_AT_BRIDGE": "1", "GSETTINGS_BACKEND": "memory"}
    argv = [program, "--headless", "--wayland", "--no-x11", "--virtual-monitor", "1280x800"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            [*argv, f"--wayland-display={name}"],
            env=child_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        owner = SCREEN_SHIELD if program == "gnome-shell" else IDLE_MONITOR
        wait_for_name(env["DBUS_SESSION_BUS_ADDRESS"], owner, process, log)
    except BaseException:
        stop(process)
        raise
    return process


def wait_for_name(
    address: str, name: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 30
) -> None:
    """Until `name` has an owner on the bus at `address`; fail early if `process` exits."""
    thread = _LoopThread("name-wait")

    async def owned() -> bool:
        bus = await MessageBus(bus_address=address).connect()
        try:
            (has_owner,) = await call_method(
                bus,
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "NameHasOwner",
                "s",
                [name],
            )
            return bool(has_owner)
        finally:
            bus.disconnect()

    def check() -> bool:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{process.args!r} exited {process.returncode}:\n{tail}")
        return thread.run(owned())

    try:
        poll(check, timeout, f"{name} on the bus")
    finally:
        thread.stop()


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


class _DisplayManager(ServiceInterface):
    """What gnome-shell asks GDM before it offers a lock screen: that it is there."""

    def __init__(self) -> None:
        super().__init__("org.gnome.DisplayManager.Manager")

    @dbus_property(access=PropertyAccess.READ)
    def Version(self) -> DBusStr:  # noqa: N802 (the D-Bus property's name)
        return "43.0"


_SYSTEM_BUS = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SystemBus:
    """A private system bus (no service activation) with a GDM stand-in on it."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._socket = directory / "system_bus"
        self.address = f"unix:path={self._socket}"
        self._config = directory / "system-bus.conf"
        self._config.write_text(_SYSTEM_BUS.format(socket=self._socket))
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: _LoopThread | None = None

    def __enter__(self) -> SystemBus:
        require_program("dbus-daemon")
        self._process = subprocess.Popen(
            ["dbus-daemon", f"--config-file={self._config}", "--nofork", "--nopidfile"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            poll(self._socket.exists, START_TIMEOUT, "the system bus socket")
            self._thread = _LoopThread("gdm-stand-in")
            self._thread.run(self._export())
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    async def _export(self) -> None:
        bus = await MessageBus(bus_address=self.address).connect()
        bus.export("/org/gnome/DisplayManager/Manager", _DisplayManager())
        await bus.request_name("org.gnome.DisplayManager")

    def __exit__(self, *_: object) -> None:
        if self._thread is not None:
            self._thread.stop()
        if self._process is not None:
            stop(self._process)


def start_screensaver_proxy(env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    """GNOME's org.gnome.ScreenSaver proxy, as D-Bus activation would start it."""
    require_program("gjs")
    if not os.path.exists(SCREENSAVER_PROXY):
        raise RuntimeError(f"{SCREENSAVER_PROXY} is missing: install gnome-shell")
    with log.open("ab") as out:
        process = subprocess.Popen(
            ["gjs", SCREENSAVER_PROXY],
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for_name(env["DBUS_SESSION_BUS_ADDRESS"], "org.gnome.ScreenSaver", process, log)
    except BaseException:
        stop(process)
        raise
    return process
