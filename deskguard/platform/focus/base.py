"""What every focus signal is and shares: the Protocol, the never-raising base class, the
config it is opened from, and running a helper program within the call timeout."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Sequence
from typing import Protocol

from deskguard.platform.dbus import reason_for

# One D-Bus call or helper program: well inside the default 10 s poll.
CALL_TIMEOUT = 3.0


class FocusConfig(Protocol):
    """Which signals to open, and where the cameras are: the `[focus]` section, from the
    validated settings or the daemon's plain copy of them."""

    @property
    def do_not_disturb(self) -> bool: ...
    @property
    def fullscreen(self) -> bool: ...
    @property
    def camera(self) -> bool: ...
    @property
    def microphone(self) -> bool: ...
    @property
    def video_devices(self) -> str: ...


class FocusUnavailable(Exception):
    """A focus signal cannot work here; the message says why (for doctor and logs)."""


class FocusSignal(Protocol):
    name: str

    async def active(self) -> bool:
        """True while the user should not be interrupted. Never raises: a check that fails
        counts as False (and is logged at debug level)."""
        ...

    async def aclose(self) -> None: ...


class BaseSignal:
    """The shared part of every adapter: `active()` turns a failing `_check()` into False,
    with one debug line when it starts failing (or fails differently) and one when it
    works again, so a signal that is broken for hours does not fill the log."""

    name = ""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._failing: str | None = None

    @property
    def how(self) -> str:
        """What the signal reads, for the start-up log line and doctor."""
        raise NotImplementedError

    @property
    def readable(self) -> bool:
        """False when the signal is open but has nothing to read here now."""
        return True

    async def _check(self) -> bool:
        raise NotImplementedError

    async def active(self) -> bool:
        try:
            result = await self._check()
        except Exception as exc:
            reason = reason_for(exc)
            if reason != self._failing:
                self._log.debug("focus %s: cannot tell (%s), counting it as off", self.name, reason)
            self._failing = reason
            return False
        if self._failing is not None:
            self._log.debug("focus %s: readable again", self.name)
            self._failing = None
        return result

    async def aclose(self) -> None:
        pass


async def run_program(argv: Sequence[str]) -> str:
    """A helper program's standard output; raises on failure, a non-zero exit or a hang."""
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), CALL_TIMEOUT)
    finally:
        if process.returncode is None:  # timed out or cancelled: leave no process behind
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
    if process.returncode != 0:
        said = err.decode(errors="replace").strip().splitlines()
        detail = said[-1] if said else "no message"
        raise OSError(f"{os.path.basename(argv[0])} exited with {process.returncode}: {detail}")
    return out.decode(errors="replace")
