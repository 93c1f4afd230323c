"""Writing and reading the history file.

WAL mode and one committed transaction per write, so a crash at any moment loses at
most the write in flight. SQLite's errors come out as HistoryErrors saying what they mean
for the file (a lock, a full disk...); rows read back that cannot be right are left out
and listed in `skipped`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import date, datetime, time
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from deskguard.core import records
from deskguard.store import rows as plausible
from deskguard.store.errors import HistoryUnavailable, classified
from deskguard.store.opening import connect
from deskguard.store.schema import OUTCOMES, TABLES, schema_version, transaction

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Row = TypeVar("Row", bound="DataclassInstance")

# How many of the rows left out one warning line names.
SKIPPED_SHOWN = 3


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


class History:
    """One open history file. Use from one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # "table id: why" for each row read and left out (a dict: in order, each once).
        self.skipped: dict[str, None] = {}
        self._db = self._open()

    def _open(self) -> sqlite3.Connection | None:
        """A connection to the file; HistoryError when it cannot be used."""
        return connect(self.path)

    def _connection(self) -> sqlite3.Connection:
        if self._db is None:
            raise HistoryUnavailable(self.path, "the history is closed", str(self.path))
        return self._db

    @contextmanager
    def _errors_explained(self) -> Iterator[None]:
        """SQLite's errors as what they mean for the file. A row the schema refuses stays
        an IntegrityError: the caller's mistake, not the file's."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.IntegrityError):
                raise
            raise classified(self.path, exc) from exc

    @property
    def schema_version(self) -> int:
        return schema_version(self._connection())

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- writes ---------------------------------------------------------------------

    def _insert(self, table: str, **values: object) -> int:
        """One new row, committed; returns its id."""
        plausible.refuse_non_finite(values)
        columns, marks = ", ".join(values), ", ".join("?" * len(values))
        with self._errors_explained(), transaction(self._connection()) as db:
            cursor = db.execute(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(values.values())
            )
        return int(cursor.lastrowid or 0)

    def _update(self, table: str, row_id: int, **values: object) -> None:
        plausible.refuse_non_finite(values)
        settings = ", ".join(f"{column} = ?" for column in values)
        with self._errors_explained(), transaction(self._connection()) as db:
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
        return self._connection().execute(
            f"SELECT {columns} FROM {table} WHERE {dated_by} >= ?"
            f" ORDER BY {order or dated_by + ', id'}",
            (_since_key(since),),
        )

    def _read(
        self, row_type: type[Row], table: str, since: date | None, order: str | None = None
    ) -> list[Row]:
        """Rows of `table` as `row_type`, whose fields are named after the table's columns;
        a row that cannot be right is left out (and listed in `skipped`)."""
        names = [spec.name for spec in fields(row_type)]
        with self._errors_explained():
            stored = [
                dict(zip(names, row, strict=True))
                for row in self._dated(table, ", ".join(names), since, order)
            ]
        return [
            row_type(**{name: _decoded(name, value) for name, value in row.items()})
            for row in stored
            if self._believable(table, row)
        ]

    def _believable(self, table: str, row: dict[str, Any]) -> bool:
        reason = plausible.problem(row)
        if reason is not None:
            self.skipped[f"{table} {row.get('id')}: {reason}"] = None
        return reason is None

    def skipped_note(self) -> str | None:
        """One line about the rows left out, for the user; None when none was."""
        if not self.skipped:
            return None
        named = "; ".join(islice(self.skipped, SKIPPED_SHOWN))
        more = "; …" if len(self.skipped) > SKIPPED_SHOWN else ""
        return (
            f"left out {len(self.skipped)} history row(s) that cannot be right ({named}{more});"
            f" {self.path} keeps them as they are"
        )

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
        db = self._connection()
        with self._errors_explained():
            db.execute("BEGIN")
            try:
                for table in TABLES:
                    cursor = self._dated(table, "*", since)
                    names = [entry[0] for entry in cursor.description]
                    rows += [(table, dict(zip(names, row, strict=True))) for row in cursor]
            finally:
                db.execute("COMMIT")
        return [(table, row) for table, row in rows if self._believable(table, row)]

    def columns(self) -> dict[str, list[str]]:
        """Each table's column names, in the order of the table."""
        db = self._connection()
        return {
            table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")] for table in TABLES
        }

    def count(self, table: str) -> int:
        if table not in TABLES:
            raise ValueError(f"no table {table!r}")
        return int(self._connection().execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def integrity_ok(self) -> bool:
        check = self._connection().execute("PRAGMA integrity_check").fetchone()[0]
        return bool(check == "ok")


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
