"""Small asyncio helpers for the integration tests that drive adapters in-process."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
    """Run `work` in a fresh event loop; a hang fails the test instead of blocking it."""
    return asyncio.run(asyncio.wait_for(work, timeout))


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], what: str, timeout: float = 10
) -> None:
    """Poll `check` (plain or async) until it is true, failing after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if await result if inspect.isawaitable(result) else result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
