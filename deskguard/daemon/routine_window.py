"""The quick routine window the daemon opens when a break is accepted: its own process
(Tk never runs inside the daemon), reaped when it closes."""

from __future__ import annotations

import asyncio
import logging
import os
import sys

log = logging.getLogger("deskguard")


class RoutineWindows:
    """Opens quick routine windows on the daemon's event loop and reaps them."""

    def __init__(self) -> None:
        self._running: set[asyncio.Future[int]] = set()

    async def open_quick(self, first: str | None = None) -> None:
        """Open one, given a screen to show it on, beginning with exercise `first` (the
        one the reminder named) when it can be done."""
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return
        # The window must not speak for the daemon to systemd.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "WATCHDOG_"))}
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "deskguard.routine",
                "--quick",
                *(["--starting-with", first] if first else []),
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            log.warning("could not open the routine window: %s", exc)
            return
        log.info("routine window opened (pid %d)", process.pid)
        waiting = asyncio.ensure_future(process.wait())  # reaps it when it exits
        self._running.add(waiting)
        waiting.add_done_callback(self._running.discard)
