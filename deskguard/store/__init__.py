"""The history: a local SQLite file of sitting stretches, reminders, routines, time at the
computer and logged walks.

`schema` holds the tables and their migrations, `opening` opens and checks a file,
`history` the writes and the reads, `rows` what a row may hold, `errors` what can go wrong
in words for the user, and `retrying` the daemon's history, which may wait for its file;
the row types come from `deskguard.core.records`.
"""

from deskguard.store.errors import (
    HistoryCorrupt,
    HistoryError,
    HistoryTooNew,
    HistoryUnavailable,
)
from deskguard.store.history import History, read_rows
from deskguard.store.retrying import RetryingHistory, open_history
from deskguard.store.schema import MIGRATIONS, OUTCOMES, TABLES

__all__ = [
    "MIGRATIONS",
    "OUTCOMES",
    "TABLES",
    "History",
    "HistoryCorrupt",
    "HistoryError",
    "HistoryTooNew",
    "HistoryUnavailable",
    "RetryingHistory",
    "open_history",
    "read_rows",
]
