"""Work that many may ask for at once but that must run one at a time (a reload)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable


class OneAtATime:
    """Runs `work` on the event loop for whoever asks, never twice at once.

    Asked for while a run is under way, it runs once more after that run (which then sees
    whatever changed meanwhile), once for everybody who asked in the meantime: a storm of
    requests costs two runs, not one per request, and the last request is served by a run
    that started after it. Requests wait until `open()` (for the daemon: until it is ready).
    """

    def __init__(self, work: Callable[[], Awaitable[None]]) -> None:
        self._work = work
        self._next: asyncio.Future[None] | None = None  # shared by those waiting for a run
        self._runner: asyncio.Task[None] | None = None
        self._open = False

    def request(self) -> asyncio.Future[None]:
        """Ask for a run that starts from now on; the future has its outcome."""
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        future = self._next
        self._run_if_due()
        return future

    def open(self) -> None:
        self._open = True
        self._run_if_due()

    def close(self) -> None:
        """No more runs: the one under way is cancelled, and so are the requests waiting."""
        self._open = False
        if self._runner is not None:
            self._runner.cancel()
        if self._next is not None:
            self._next.cancel()
            self._next = None

    def _run_if_due(self) -> None:
        if self._open and self._runner is None and self._next is not None:
            self._runner = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        try:
            while self._next is not None:
                outcome, self._next = self._next, None
                try:
                    await self._work()
                except asyncio.CancelledError:
                    outcome.cancel()
                    raise
                except Exception as exc:
                    if not outcome.done():  # every waiter may have given up
                        outcome.set_exception(exc)
                else:
                    if not outcome.done():
                        outcome.set_result(None)
        finally:
            self._runner = None
