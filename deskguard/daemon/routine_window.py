"""The quick routine window the daemon opens when a break is accepted: its own process
(Tk never runs inside the daemon), reaped when it closes."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping

from deskguard.i18n import CHOSEN_LANGUAGE_VARIABLE, current_language

log = logging.getLogger("deskguard")


def window_environment(environ: Mapping[str, str], language: str) -> dict[str, str]:
    """The environment of a window the daemon opens as a process of its own (a routine
    window, the X11 tray's popup menu): the daemon's, in the language the daemon chose
    (its `[ui] language`, which a `--config PATH` of its own may have set, else the
    environment's). `[ui] language` set through the environment outranks the config files
    the window reads, and LANGUAGE, LC_ALL and LANG stay as they are for everything else."""
    # The window must not speak for the daemon to systemd.
    env = {k: v for k, v in environ.items() if not k.startswith(("NOTIFY_", "WATCHDOG_"))}
    env[CHOSEN_LANGUAGE_VARIABLE] = language
    return env


class RoutineWindows:
    """Opens quick routine windows on the daemon's event loop and reaps them."""

    def __init__(self) -> None:
        self._running: set[asyncio.Future[int]] = set()

    async def open_quick(self, first: str | None = None) -> None:
        """Open one, given a screen to show it on, beginning with exercise `first` (the
        one the reminder named) when it can be done."""
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return
        env = window_environment(os.environ, current_language())
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
