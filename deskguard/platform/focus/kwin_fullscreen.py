"""The `fullscreen` focus signal on KDE Plasma (Wayland): KWin tells it to a script.

KWin has no D-Bus method that names the active window, but it runs scripts on request
(org.kde.kwin.Scripting) and a script may call D-Bus. So each check loads a three-line
script that reports `fullscreen` of the active window back to this connection, runs it,
and unloads it again. Checks happen only while a reminder is due, so this costs nothing
the rest of the time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Any

from dbus_fast import DBusError, Message, MessageType
from dbus_fast.aio import MessageBus

from deskguard.platform.dbus import NOT_THERE, call_method, connect, reason_for
from deskguard.platform.focus.base import CALL_TIMEOUT, BaseSignal, FocusUnavailable

KWIN = "org.kde.KWin"
SCRIPTING = ("/Scripting", "org.kde.kwin.Scripting")
PLUGIN = "deskguard-fullscreen"
REPORT_PATH = "/io/github/deskguard/KWinFullscreen"
REPORT_INTERFACE = "io.github.deskguard.KWinFullscreen"
# KWin 6 calls the active window activeWindow, 5 activeClient.
SCRIPT = """\
const window = workspace.activeWindow || workspace.activeClient;
callDBus("{name}", "{path}", "{interface}", "Report", window ? window.fullScreen : false);
"""


class KWinFullscreen(BaseSignal):
    name = "fullscreen"

    def __init__(self, log: logging.Logger, bus: MessageBus, script: Path) -> None:
        super().__init__(log)
        self._bus = bus
        self._script = script
        self._answer: asyncio.Future[bool] | None = None
        self._one_at_a_time = asyncio.Lock()
        bus.add_message_handler(self._on_message)

    @classmethod
    async def open(cls, log: logging.Logger, script_dir: Path) -> KWinFullscreen:
        try:
            bus = await connect(timeout=CALL_TIMEOUT)
        except Exception as exc:
            raise FocusUnavailable(f"no session bus ({reason_for(exc, CALL_TIMEOUT)})") from exc
        try:
            await call_method(bus, KWIN, *SCRIPTING, "isScriptLoaded", "s", [PLUGIN])
        except DBusError as exc:
            bus.disconnect()
            if exc.type in NOT_THERE:
                raise FocusUnavailable("KWin is not on the session bus") from exc
            raise FocusUnavailable(f"KWin's scripting: {reason_for(exc)}") from exc
        except Exception as exc:
            bus.disconnect()
            raise FocusUnavailable(f"KWin's scripting: {reason_for(exc)}") from exc
        script = script_dir / "kwin-fullscreen.js"
        script_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        script.write_text(
            SCRIPT.format(name=bus.unique_name, path=REPORT_PATH, interface=REPORT_INTERFACE)
        )
        return cls(log, bus, script)

    @property
    def how(self) -> str:
        return "KWin's active window, asked through a KWin script"

    def _on_message(self, message: Message) -> bool:
        if message.message_type is not MessageType.METHOD_CALL or message.path != REPORT_PATH:
            return False
        answer = self._answer
        if answer is not None and not answer.done() and message.signature == "b":
            answer.set_result(bool(message.body[0]))
        self._bus.send(Message.new_method_return(message))
        return True

    async def _check(self) -> bool:
        async with self._one_at_a_time:
            self._answer = asyncio.get_running_loop().create_future()
            with contextlib.suppress(DBusError):  # one left behind by a check cut short
                await self._scripting("unloadScript", "s", [PLUGIN])
            (number,) = await self._scripting("loadScript", "ss", [str(self._script), PLUGIN])
            try:
                await self._run(int(number))
                return await asyncio.wait_for(self._answer, CALL_TIMEOUT)
            finally:
                self._answer = None
                await self._scripting("unloadScript", "s", [PLUGIN])

    async def _run(self, number: int) -> None:
        if number < 0:
            raise OSError("KWin refused to load the script")
        # KWin 5 puts a loaded script at /<number>, KWin 6 at /Scripting/Script<number>.
        for path in (f"/Scripting/Script{number}", f"/{number}"):
            try:
                await call_method(self._bus, KWIN, path, "org.kde.kwin.Script", "run")
                return
            except DBusError as exc:
                if exc.type != "org.freedesktop.DBus.Error.UnknownObject":
                    raise
        raise OSError("KWin loaded the script where it cannot be run")

    async def _scripting(self, member: str, signature: str, body: list[Any]) -> list[Any]:
        return await call_method(self._bus, KWIN, *SCRIPTING, member, signature, body)

    async def aclose(self) -> None:
        self._bus.disconnect()
        self._script.unlink(missing_ok=True)
