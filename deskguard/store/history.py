"""Writing and reading the history file, and opening it when it is damaged.

WAL mode and one committed transaction per write, so a crash at any moment loses at
most the write in flight.
"""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from datetime import date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from deskguard.core import records
from deskguard.store.schema import OUTCOMES, TABLES, migrate, schema_version, transaction

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Row = TypeVar("Row", bound="DataclassInstance")


class HistoryCorrupt(Exception):
    """The file exists but is not a readable deskguard history."""


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _since_key(since: date | None) -> str:
    """What a dating column is compared with: timestamps start with their own local date,
    so a bare date selects the rows of that local day and later."""
    if since is None:
        return ""
    return _iso(since) if isinstance(since, datetime) else since.isoformat()


def _decoded(column: str, stored: Any) -> Any:
    """A stored value as the row dataclasses hold it: the `..._at` columns are ISO 8601
    timestamps, `reasons` is a comma-separated list."""
    if column.endswith("_at"):
        return datetime.fromisoformat(stored) if stored else None
    if column == "reasons":
        return tuple(stored.split(","))
    return stored


# The page cache of an open history (SQLite's default is 2 MB).
CACHE_KIB = 256


class History:
    """One open history file. Use from one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open and commit every transaction ourselves.
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=5000")
            # A good header can hide damaged pages; find out now, not at the first write.
            (verdict,) = self._db.execute("PRAGMA quick_check").fetchone()
            if verdict != "ok":
                raise sqlite3.DatabaseError(f"damaged: {verdict}")
            migrate(self._db)
            # The check read every page into the cache. The daemon holds this connection all
            # day and writes a few rows an hour: a small cache is plenty, and memory it frees.
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db.execute("PRAGMA shrink_memory")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise HistoryCorrupt(f"{path}: {exc}") from exc

    @property
    def schema_version(self) -> int:
        return schema_version(self._db)

    def close(self) -> None:
        self._db.close()

    # -- writes ---------------------------------------------------------------------

    def _insert(self, table: str, **values: object) -> int:
        """One new row, committed; returns its id."""
        columns, marks = ", ".join(values), ", ".join("?" * len(values))
        with transaction(self._db) as db:
            cursor = db.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
            )
        return int(cursor.lastrowid or 0)

    def _update(self, table: str, row_id: int, **values: object) -> None:
        settings = ", ".join(f"{column} = ?" for column in values)
        with transaction(self._db) as db:
            db.execute(f"UPDATE {table} SET {settings} WHERE id = ?", (*values.values(), row_id))

    def record_sitting(self, ended_at: datetime, seconds: float) -> int:
        return self._insert("sitting", ended_at=_iso(ended_at), seconds=seconds)

    def record_reminder(
        self, shown_at: datetime, exercise: str | None, sat_seconds: float, notifier: str
    ) -> int:
        return self._insert(
            "reminders",
            shown_at=_iso(shown_at),
            exercise=exercise,
            sat_seconds=sat_seconds,
            notifier=notifier,
        )

    def record_outcome(self, reminder_id: int, outcome: str, answered_at: datetime) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown reminder outcome {outcome!r}")
        self._update("reminders", reminder_id, outcome=outcome, answered_at=_iso(answered_at))

    def start_routine(self, started_at: datetime, kind: str, steps_total: int) -> int:
        return self._insert(
            "routines", started_at=_iso(started_at), kind=kind, steps_total=steps_total
        )

    def routine_progress(
        self, routine_id: int, steps_done: int, finished_at: datetime | None = None
    ) -> None:
        finished = None if finished_at is None else _iso(finished_at)
        self._update("routines", routine_id, steps_done=steps_done, finished_at=finished)

    def record_presence(self, started_at: datetime, ended_at: datetime, seconds: float) -> int:
        """A span the user was at the computer, from `started_at` to `ended_at`.

        `seconds` is the time counted as present within the span (at most its length).
        """
        if ended_at < started_at:
            raise ValueError(f"presence ends ({ended_at}) before it starts ({started_at})")
        if seconds < 0:
            raise ValueError(f"presence cannot be negative ({seconds} s)")
        return self._insert(
            "presence", started_at=_iso(started_at), ended_at=_iso(ended_at), seconds=seconds
        )

    def record_walk(
        self, logged_at: datetime, km: float | None = None, minutes: float | None = None
    ) -> int:
        """A walk the user logged; distance, duration, both or neither may be known."""
        for name, value in (("km", km), ("minutes", minutes)):
            if value is not None and value < 0:
                raise ValueError(f"a walk cannot have negative {name} ({value})")
        return self._insert("walks", logged_at=_iso(logged_at), km=km, minutes=minutes)

    def record_deferral(self, deferred_at: datetime, reasons: tuple[str, ...]) -> int:
        """A due reminder that waited because the user was busy (meeting, fullscreen...)."""
        return self._insert("deferrals", deferred_at=_iso(deferred_at), reasons=",".join(reasons))

    # -- reads ----------------------------------------------------------------------

    def _dated(
        self, table: str, columns: str, since: date | None, order: str | None = None
    ) -> sqlite3.Cursor:
        """The rows of `table` dated on the local day `since` or later (a datetime: from that
        moment), oldest first unless `order` says otherwise."""
        dated_by = TABLES[table]
        return self._db.execute(
            f"SELECT {columns} FROM {table} WHERE {dated_by} >= ?"
            f" ORDER BY {order or dated_by + ', id'}",
            (_since_key(since),),
        )

    def _read(
        self, row_type: type[Row], table: str, since: date | None, order: str | None = None
    ) -> list[Row]:
        """Rows of `table` as `row_type`, whose fields are named after the table's columns."""
        names = [spec.name for spec in fields(row_type)]
        cursor = self._dated(table, ", ".join(names), since, order)
        return [
            row_type(**{name: _decoded(name, row[n]) for n, name in enumerate(names)})
            for row in cursor
        ]

    def reminders(self, since: datetime | None = None) -> list[records.ReminderRow]:
        """Reminders shown at `since` or later, in the order they were shown."""
        return self._read(records.ReminderRow, "reminders", since, order="id")

    def sitting(self, since: date | None = None) -> list[records.SittingRow]:
        """Sitting stretches that ended on the local day `since` or later."""
        return self._read(records.SittingRow, "sitting", since)

    def presence(self, since: date | None = None) -> list[records.PresenceRow]:
        """Spans at the computer that ended on the local day `since` or later."""
        return self._read(records.PresenceRow, "presence", since)

    def routines(self, since: date | None = None) -> list[records.RoutineRow]:
        """Routines started on the local day `since` or later."""
        return self._read(records.RoutineRow, "routines", since)

    def walks(self, since: date | None = None) -> list[records.WalkRow]:
        """Walks logged on the local day `since` or later."""
        return self._read(records.WalkRow, "walks", since)

    def deferrals(self, since: date | None = None) -> list[records.DeferralRow]:
        """Deferred reminders on the local day `since` or later."""
        return self._read(records.DeferralRow, "deferrals", since)

    def export_rows(self, since: date | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Every row of every table as stored (table name, column -> value), oldest first
        within a table; `since` keeps rows dated on that local day or later.

        Read in one transaction, so the tables agree with each other."""
        rows: list[tuple[str, dict[str, Any]]] = []
        self._db.execute("BEGIN")
        try:
            for table in TABLES:
                cursor = self._dated(table, "*", since)
                names = [entry[0] for entry in cursor.description]
                rows += [(table, dict(zip(names, row, strict=True))) for row in cursor]
        finally:
            self._db.execute("COMMIT")
        return rows

    def columns(self) -> dict[str, list[str]]:
        """Each table's column names, in the order of the table."""
        return {
            table: [row[1] for row in self._db.execute(f"PRAGMA table_info({table})")]
            for table in TABLES
        }

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise ValueError(f"no table {table!r}")
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def integrity_ok(self) -> bool:
        return bool(self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


def read_rows(history: History, first_day: date) -> records.Rows:
    """The rows that can count on `first_day` or later (a span ending on it may start before)."""
    return records.Rows(
        sitting=history.sitting(first_day),
        presence=history.presence(first_day),
        # A naive midnight compares with stored timestamps by their own local date.
        reminders=history.reminders(datetime.combine(first_day, time())),
        routines=history.routines(first_day),
        walks=history.walks(first_day),
        deferrals=history.deferrals(first_day),
    )


SQLITE_HEADER = b"SQLite format 3\x00"


def _not_sqlite(path: Path) -> bool:
    """A file that is not SQLite at all; opening it would make SQLite delete its -wal."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    return head not in (b"", SQLITE_HEADER)


def _move_aside(path: Path, now: datetime) -> Path:
    aside = path.with_name(f"{path.name}.corrupt-{now.strftime('%Y%m%d-%H%M%S')}")
    path.rename(aside)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    return aside


def open_history(path: Path, now: datetime) -> tuple[History, str | None]:
    """Open the history; an unreadable file is moved aside (kept, never deleted).

    Returns the history and, when a file was moved aside, a message for the user.
    """
    if _not_sqlite(path):
        aside = _move_aside(path, now)
        return History(
            path
        ), f"the history file could not be read (not a database); it was moved to {aside}"
    try:
        return History(path), None
    except HistoryCorrupt as exc:
        aside = _move_aside(path, now)
        return History(path), f"the history file could not be read ({exc}); it was moved to {aside}"
