"""Waiting for something to happen: poll until it does, fail after a bound."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
INTERVAL = 0.05


def poll(check: Callable[[], T | None], timeout: float = 10.0, what: str = "condition") -> T:
    """Call `check` until it returns something other than None/False, and return that.

    Polling instead of sleeping keeps tests as fast as the real event and still bounded.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(INTERVAL)


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = 10
) -> None:
    """`poll` on an event loop: `check` (plain or async) until true."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if await result if inspect.isawaitable(result) else result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(INTERVAL / 2)
