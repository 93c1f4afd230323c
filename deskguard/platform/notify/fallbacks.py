"""The backends behind the `dbus` one: plyer (plain notices, no buttons) and the log."""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
import warnings
from typing import Any

from deskguard.core.reminder_text import ACTION_SKIP, ACTION_SNOOZE, ACTION_STRETCH
from deskguard.platform.dbus import reason_for
from deskguard.platform.notify.dbus import server_owner, session_bus
from deskguard.platform.notify.notice import APP_NAME, Notice, NotifierUnavailable

# How a notice that only reached the log can still be answered.
CLI_FOR_ACTION = {
    ACTION_STRETCH: "deskguard break",
    ACTION_SNOOZE: "deskguard snooze",
    ACTION_SKIP: "deskguard skip",
}


# -- plyer ------------------------------------------------------------------------------


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
            raise NotifierUnavailable(f"plyer: {reason_for(exc)}") from exc

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
        raise NotifierUnavailable(f"plyer: {reason_for(exc)}") from exc
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
    bus = await session_bus()
    try:
        await server_owner(bus, start=False)  # activatable counts: notify-send starts it
    finally:
        bus.disconnect()


# -- log --------------------------------------------------------------------------------


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
