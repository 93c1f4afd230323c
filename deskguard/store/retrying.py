"""The history as the daemon holds it all day: opened at start, and retried when it cannot
be.

The daemon's reminders do not need the history, so a history it cannot use does not stop
it: another program's lock, a full disk, a read-only folder, a link or a newer deskguard's
schema leave the file where it is, the daemon runs on and tells the user once. Meanwhile
writes fail with the reason (the session logs each one), reads find nothing, and the next
write at least RETRY_EVERY seconds later tries the file again. Only a damaged file, at
start, is moved aside for a new one.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from deskguard.store.errors import HistoryCorrupt, HistoryError, HistoryUnavailable
from deskguard.store.history import History, Row
from deskguard.store.opening import connect, move_aside

log = logging.getLogger("deskguard")

RETRY_EVERY = 10.0

# A notice for the user: title, body.
Note = tuple[str, str]


class RetryingHistory(History):
    """A History that may not be open; `problem` says why not."""

    def __init__(self, path: Path, clock: Callable[[], float] = time.monotonic) -> None:
        self.problem: HistoryError | None = None
        self._clock = clock
        self._next_try = 0.0
        super().__init__(path)

    def _open(self) -> sqlite3.Connection | None:
        before = self.problem
        try:
            db = connect(self.path)
        except HistoryError as exc:
            self.problem, self._next_try = exc, self._clock() + RETRY_EVERY
            if before is not None and str(exc) != str(before):  # the first one is a Note
                log.warning("%s", exc)
            return None
        self.problem = None
        if before is not None:
            log.info("the history %s can be used again", self.path)
        return db

    def _connection(self) -> sqlite3.Connection:
        if self._db is None and self.problem is not None and self._clock() >= self._next_try:
            self._db = self._open()
        if self._db is None and self.problem is not None:
            # A new exception each time: one raised again and again grows its traceback.
            problem = self.problem
            raise HistoryUnavailable(self.path, problem.title, problem.message)
        return super()._connection()

    def _read(
        self, row_type: type[Row], table: str, since: date | None, order: str | None = None
    ) -> list[Row]:
        """Best effort: the daemon reads only for a notice's figures, and no notice is
        worth a failed tick."""
        try:
            return super()._read(row_type, table, since, order)
        except HistoryError as exc:
            log.debug("could not read the history: %s", exc)
            return []

    def reopen(self) -> None:
        """Try the file again now, as a new start (a new problem is for a Note, not the log)."""
        self.close()
        self.problem = None
        self._db = self._open()


NOT_RECORDING = "deskguard is not recording its history"


def open_history(
    path: Path, now: datetime, clock: Callable[[], float] = time.monotonic
) -> tuple[RetryingHistory, Note | None]:
    """The daemon's history and, when the user should hear of it, a notice: a damaged
    file moved aside (kept, never deleted) for a new one, or a history not recorded for
    now, with why."""
    history = RetryingHistory(path, clock)
    damaged = history.problem
    if not isinstance(damaged, HistoryCorrupt):
        if damaged is None:
            return history, None
        return history, (NOT_RECORDING, _not_recording(damaged))
    try:
        aside = move_aside(path, now)
    except OSError as exc:
        return history, (NOT_RECORDING, f"{damaged}; it could not be moved aside: {exc}")
    history.reopen()
    note = f"the history file could not be read ({damaged.reason}); it was moved to {aside}"
    if history.problem is not None:
        note += f"; and a new one cannot be started: {_not_recording(history.problem)}"
    return history, ("deskguard started a new history", note)


def _not_recording(problem: HistoryError) -> str:
    return (
        f"{problem}. Reminders work as usual; deskguard tries the history again every"
        f" {RETRY_EVERY:.0f} s and records again as soon as it can"
    )
