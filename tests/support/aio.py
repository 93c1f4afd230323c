"""Small asyncio helpers for the integration tests that drive adapters in-process."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
    """Run `work` in a fresh event loop; a hang fails the test instead of blocking it."""
    return asyncio.run(asyncio.wait_for(work, timeout))
