"""Coming back after a server went away: the one supervisor every adapter uses for it.

An adapter that depends on a server (the session bus, the system bus, the X server, a
Wayland compositor) puts its connection behind a `Link` and hands that to a `Reconnector`.
A loss is reported by the link itself (`Link.disconnected` returns) or by the adapter when
a call shows it (`Reconnector.lost`). Either way the reconnector logs one line, drops the
broken connection and tries `Link.connect` again after 1 s, 2 s, 4 s ... and from then on
every 30 s (deskguard.core.backoff) until it succeeds; then it logs one line and calls the
adapter's `on_back`. It never blocks or spins the event loop: it sleeps between attempts,
and each attempt is the adapter's own call, bounded by the adapter's timeouts.

Only a connection that once worked is watched: a server that was missing at start-up is
reported then and not tried again (no wake-ups all day for a desktop that lacks it).
Runs on the daemon's event-loop thread.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from deskguard.core.backoff import Backoff


class Link(Protocol):
    """One adapter's connection to its server, as the reconnector sees it."""

    what: str
    """Names the adapter and its server in the log lines ("session events (session bus)")."""

    async def connect(self) -> None:
        """Connect again and set up what the adapter needs (subscriptions, a first
        reading), or raise any Exception saying why not."""
        ...

    async def disconnected(self) -> str | None:
        """Return, with the reason, once the connection is lost. A connection that cannot
        be watched returns None at once: its loss shows in calls (`Reconnector.lost`)."""
        ...

    async def close(self) -> None:
        """Drop the connection, a broken or half-made one too; must not raise."""
        ...


OnBack = Callable[[], Awaitable[None]]


class Reconnector:
    """Notices one link's loss, logs it, reconnects with backoff, logs the return.

    `up` says whether the link is connected now. Call `watch()` once the adapter has made
    the first connection itself (that one has its own fallbacks and log lines), and
    `aclose()` before the adapter closes the link.
    """

    def __init__(
        self,
        link: Link,
        log: logging.Logger,
        on_back: OnBack | None = None,
        backoff: Backoff | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.link = link
        self.up = False
        self._log = log
        self._on_back = on_back
        self._backoff = backoff or Backoff()
        self._sleep = sleep
        self._closed = False
        self._lost_at = 0.0
        self._watcher: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()  # kept until done: asyncio holds weak ones

    def watch(self) -> None:
        """The link is connected: from now on its loss is noticed and repaired."""
        if self._closed:
            return
        self.up = True
        self._watcher = self._spawn(self._watch())

    def lost(self, reason: str) -> None:
        """The adapter saw the server gone (a failed call); repeated calls count once."""
        if not self.up or self._closed:
            return
        self.up = False
        self._lost_at = time.monotonic()
        self._log.warning("%s lost (%s); reconnecting", self.link.what, reason)
        if self._watcher is not None and self._watcher is not asyncio.current_task():
            self._watcher.cancel()
        self._watcher = None
        self._spawn(self._reconnect())

    async def aclose(self) -> None:
        """Stop watching and retrying (the adapter closes the link itself)."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _watch(self) -> None:
        try:
            reason = await self.link.disconnected()
        except Exception as exc:  # dbus-fast raises what broke the connection
            reason = _reason(exc)
        if reason is not None:
            self.lost(reason)

    async def _reconnect(self) -> None:
        await self._quietly_close()
        while True:
            await self._sleep(self._backoff.next_delay())
            try:
                await self.link.connect()
                break
            except Exception as exc:
                # Not logged above debug: the loss was, and the return will be.
                self._log.debug("%s: still away (%s)", self.link.what, _reason(exc))
                await self._quietly_close()
        self._backoff.reset()
        self.up = True
        away = time.monotonic() - self._lost_at
        self._log.info("%s back after %.0f s", self.link.what, away)
        self._watcher = self._spawn(self._watch())
        if self._on_back is not None:
            try:
                await self._on_back()
            except Exception:
                self._log.exception("%s: catching up after the return failed", self.link.what)

    async def _quietly_close(self) -> None:
        try:
            await self.link.close()
        except Exception:
            self._log.debug("%s: error while dropping the connection", self.link.what)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
