"""The backends in the order configured, each notice going to the first that shows it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from deskguard.platform.dbus import reason_for
from deskguard.platform.notify.dbus import DBusNotifier
from deskguard.platform.notify.fallbacks import LogNotifier, PlyerNotifier
from deskguard.platform.notify.notice import Backend, Notice, NotifierUnavailable

BACKENDS = ("auto", "dbus", "plyer", "log")


class FallbackNotifier:
    """Tries its backends in order for every notice, so one that comes back (a restarted
    notification server) is used again. `name` is the backend that delivered the last
    notice (before any: the first that says it would work). Never raises.

    A reminder waits on screen for its answer. When a notification server comes that did
    not show it (`catch_up`: its server was restarted, or the bus it was on), the reminder
    went with the old one, or only reached a lesser backend meanwhile: it is shown again,
    once, so the user can still answer it.
    """

    def __init__(self, backends: Sequence[Backend], log: logging.Logger) -> None:
        if not backends:
            raise ValueError("at least one backend")
        self.backends = tuple(backends)
        self._log = log
        self._current: Backend | None = None  # the one `name` reports
        self._on_screen: Backend | None = None  # the one whose notice may be showing
        self.name = self.backends[-1].name
        self.supports_actions = self.backends[-1].supports_actions
        self._waiting: Notice | None = None  # the reminder on screen, until closed
        # One notice at a time: a catch-up and a new reminder must not both go out.
        self._serial = asyncio.Lock()

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
        async with self._serial:
            await self._show(notice)

    async def catch_up(self) -> None:
        """A server came that did not show the reminder on screen: show it there."""
        async with self._serial:
            waiting = self._waiting
            if waiting is None:
                return
            self._log.info("showing the reminder again: the server that showed it is gone")
            await self._show(waiting)

    async def _show(self, notice: Notice) -> None:
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
            self._waiting = notice if notice.actions else None
            if backend is not self._current:
                self._log.info("notices now go through %s%s", backend.name, _because(failures))
            elif failures:
                self._log.debug("notice went through %s%s", backend.name, _because(failures))
            self._report(backend)
            return
        self._log.error("could not show the notice %r%s", notice.title, _because(failures))

    async def close(self) -> None:
        async with self._serial:
            backend, self._on_screen, self._waiting = self._on_screen, None, None
            if backend is not None:
                await _quietly(backend.close(), self._log)

    async def aclose(self) -> None:
        for backend in self.backends:
            await _quietly(backend.aclose(), self._log)


def _message(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, NotifierUnavailable) else reason_for(exc)


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
    for each in notifier.backends:
        if isinstance(each, DBusNotifier):
            each.on_server = notifier.catch_up
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
