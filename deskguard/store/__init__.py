"""The history: a local SQLite file of sitting stretches, reminders, routines, time at the
computer and logged walks.

`schema` holds the tables and their migrations, `history` the writes, the reads and the
opening of a damaged file; the row types come from `deskguard.core.records`.
"""

from deskguard.store.history import History, HistoryCorrupt, open_history, read_rows
from deskguard.store.schema import MIGRATIONS, OUTCOMES, TABLES

__all__ = [
    "MIGRATIONS",
    "OUTCOMES",
    "TABLES",
    "History",
    "HistoryCorrupt",
    "open_history",
    "read_rows",
]
