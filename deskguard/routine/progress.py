"""Reporting a routine's progress: to the running daemon, or straight into the history.

The daemon records the routine in the history and treats a finished one as a break
(sitting starts again). When it is not running the player writes the same rows
itself, so the history is complete either way.
"""

from __future__ import annotations

import logging
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from deskguard.errors import DaemonNotRunning, UserError
from deskguard.i18n import _, ngettext
from deskguard.routine.player import Progress

if TYPE_CHECKING:
    from deskguard.store import History

log = logging.getLogger("deskguard.routine")

Event = Literal["step", "finished", "stopped"]
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


class RoutineRecorder(ABC):
    """Where the rows of one routine go."""

    name: str

    @abstractmethod
    def started(self, kind: str, steps_total: int) -> int:
        """Record a new routine; returns its id."""

    @abstractmethod
    def update(self, routine_id: int, event: Event, steps_done: int) -> None:
        """Record progress, the finish or a stop."""


class DaemonRecorder(RoutineRecorder):
    """Through the daemon's `routine-progress` command (raises DaemonNotRunning)."""

    name = "daemon"

    def __init__(self, call: Call | None = None) -> None:
        if call is None:
            from deskguard import ipc

            def call(cmd: str, args: dict[str, Any]) -> dict[str, Any]:
                # Short: the player waits for this between two frames.
                return ipc.call(cmd, args, timeout=3.0)

        self._call = call

    def started(self, kind: str, steps_total: int) -> int:
        args = {"event": "started", "kind": kind, "steps_total": steps_total}
        result = self._call("routine-progress", args)
        routine_id = result.get("routine_id")
        if not isinstance(routine_id, int):
            raise UserError("the daemon did not return a routine id", repr(result))
        return routine_id

    def update(self, routine_id: int, event: Event, steps_done: int) -> None:
        args = {"event": event, "routine_id": routine_id, "steps_done": steps_done}
        self._call("routine-progress", args)


class HistoryRecorder(RoutineRecorder):
    """Straight into the history file (when no daemon runs)."""

    name = "history"

    def __init__(self, path: Path | None = None, now: Callable[[], datetime] | None = None):
        from deskguard import paths

        self.path = path or paths.history_file()
        self._now = now or (lambda: datetime.now().astimezone())

    def _open(self) -> History:
        from deskguard.store import History

        return History(self.path)

    def started(self, kind: str, steps_total: int) -> int:
        history = self._open()
        try:
            return int(history.start_routine(self._now(), kind, steps_total))
        finally:
            history.close()

    def update(self, routine_id: int, event: Event, steps_done: int) -> None:
        history = self._open()
        try:
            finished = self._now() if event == "finished" else None
            history.routine_progress(routine_id, steps_done, finished)
        finally:
            history.close()


class ProgressReporter:
    """Reports one routine run: to the daemon while it runs, else to the history file.

    If the daemon goes away halfway, the rest goes to the history under the same id (the
    daemon wrote that row into the same file). Reporting never interrupts the routine:
    a failure is logged, and `problem` keeps the last one for the final message.
    """

    def __init__(
        self,
        kind: str,
        steps_total: int,
        daemon: RoutineRecorder | None = None,
        history: Callable[[], RoutineRecorder] = HistoryRecorder,
    ) -> None:
        self.kind = kind
        self.steps_total = steps_total
        self._daemon = daemon if daemon is not None else DaemonRecorder()
        self._history = history
        self.recorder: RoutineRecorder | None = None
        self.routine_id: int | None = None
        self.problem: str | None = None

    @property
    def through_daemon(self) -> bool:
        return self.recorder is not None and self.recorder.name == "daemon"

    def started(self) -> None:
        try:
            self.routine_id = self._daemon.started(self.kind, self.steps_total)
            self.recorder = self._daemon
            return
        except DaemonNotRunning:
            pass
        except UserError as exc:
            self._failed(f"the daemon refused the routine ({exc}); writing the history directly")
        self._start_in_history()

    def _start_in_history(self) -> None:
        try:
            recorder = self._history()
            self.routine_id = recorder.started(self.kind, self.steps_total)
            self.recorder = recorder
        except (OSError, sqlite3.Error, UserError) as exc:
            self._failed(f"could not record the routine in the history: {exc}")

    def report(self, progress: Progress) -> None:
        if self.recorder is None or self.routine_id is None:
            return
        try:
            self.recorder.update(self.routine_id, progress.event, progress.steps_done)
            return
        except DaemonNotRunning:
            self._failed("the daemon stopped; writing the history directly")
        except (OSError, sqlite3.Error, UserError) as exc:
            self._failed(f"could not record the routine's progress: {exc}")
            if not self.through_daemon:
                return
        self.recorder = self._history()
        try:
            self.recorder.update(self.routine_id, progress.event, progress.steps_done)
        except (OSError, sqlite3.Error, UserError) as exc:
            self._failed(f"could not record the routine's progress: {exc}")

    def _failed(self, message: str) -> None:
        log.warning("%s", message)
        self.problem = message

    def outcome_note(self, progress: Progress) -> str:
        """One line for the user about where the result went."""
        done = ngettext(
            "{done} of {total} hold done", "{done} of {total} holds done", self.steps_total
        ).format(done=progress.steps_done, total=self.steps_total)
        if progress.event == "finished":
            if self.through_daemon:
                text = _("Finished: {done}. Counted as a break; your sitting time starts again.")
            elif self.recorder is not None:
                text = _("Finished: {done}. Saved in the history (deskguard is not running).")
            else:
                text = _("Finished: {done}.")
        elif self.recorder is not None:
            text = _("Stopped: {done}. Saved in the history.")
        else:
            text = _("Stopped: {done}.")
        return text.format(done=done)
