"""The history: a local SQLite file of sitting stretches, reminders, routines, time at the
computer and logged walks.

WAL mode and one committed transaction per write, so a crash at any moment loses at
most the write in flight. The schema version lives in `PRAGMA user_version`; each
entry of MIGRATIONS moves the file one version forward.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE sitting (
        id INTEGER PRIMARY KEY,
        ended_at TEXT NOT NULL,
        seconds REAL NOT NULL CHECK (seconds >= 0)
    );
    CREATE TABLE reminders (
        id INTEGER PRIMARY KEY,
        shown_at TEXT NOT NULL,
        exercise TEXT,
        sat_seconds REAL NOT NULL,
        notifier TEXT NOT NULL,
        outcome TEXT,
        answered_at TEXT
    );
    CREATE TABLE routines (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        kind TEXT NOT NULL,
        steps_total INTEGER NOT NULL,
        steps_done INTEGER NOT NULL DEFAULT 0,
        finished_at TEXT
    );
    CREATE INDEX reminders_shown ON reminders (shown_at);
    CREATE INDEX sitting_ended ON sitting (ended_at);
    """,
    # 2: spans at the computer (written by the daemon) and walks the user logs.
    """
    CREATE TABLE presence (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT NOT NULL,
        seconds REAL NOT NULL CHECK (seconds >= 0)
    );
    CREATE TABLE walks (
        id INTEGER PRIMARY KEY,
        logged_at TEXT NOT NULL,
        km REAL CHECK (km IS NULL OR km >= 0),
        minutes REAL CHECK (minutes IS NULL OR minutes >= 0)
    );
    CREATE INDEX presence_ended ON presence (ended_at);
    CREATE INDEX walks_logged ON walks (logged_at);
    """,
    """
    CREATE TABLE deferrals (
        id INTEGER PRIMARY KEY,
        deferred_at TEXT NOT NULL,
        reasons TEXT NOT NULL
    );
    CREATE INDEX deferrals_at ON deferrals (deferred_at);
    """,
)

# Every table, with the column that dates its rows (what `since` filters on).
TABLES: dict[str, str] = {
    "sitting": "ended_at",
    "reminders": "shown_at",
    "routines": "started_at",
    "presence": "ended_at",
    "walks": "logged_at",
    "deferrals": "deferred_at",
}

OUTCOMES = frozenset({"accepted", "snoozed", "skipped", "dismissed", "natural-break"})


@dataclass(frozen=True)
class ReminderRow:
    id: int
    shown_at: datetime
    exercise: str | None
    sat_seconds: float
    notifier: str
    outcome: str | None
    answered_at: datetime | None


@dataclass(frozen=True)
class SittingRow:
    """One sitting stretch, recorded when it ended."""

    id: int
    ended_at: datetime
    seconds: float


@dataclass(frozen=True)
class PresenceRow:
    """A span the user was at the computer; `seconds` may be less than the span."""

    id: int
    started_at: datetime
    ended_at: datetime
    seconds: float


@dataclass(frozen=True)
class RoutineRow:
    id: int
    started_at: datetime
    kind: str
    steps_total: int
    steps_done: int
    finished_at: datetime | None


@dataclass(frozen=True)
class WalkRow:
    id: int
    logged_at: datetime
    km: float | None
    minutes: float | None


@dataclass(frozen=True)
class DeferralRow:
    id: int
    deferred_at: datetime
    reasons: tuple[str, ...]


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


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


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
            self._migrate()
            # The check read every page into the cache. The daemon holds this connection all
            # day and writes a few rows an hour: a small cache is plenty, and memory it frees.
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._db.execute("PRAGMA shrink_memory")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise HistoryCorrupt(f"{path}: {exc}") from exc

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version
        if version > len(MIGRATIONS):
            raise sqlite3.DatabaseError(
                f"written by a newer deskguard (schema {version}, this one knows {len(MIGRATIONS)})"
            )
        for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
            with self._transaction() as db:
                for statement in filter(str.strip, script.split(";")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()

    # -- writes ---------------------------------------------------------------------

    def record_sitting(self, ended_at: datetime, seconds: float) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO sitting (ended_at, seconds) VALUES (?, ?)", (_iso(ended_at), seconds)
            )
        return int(cursor.lastrowid or 0)

    def record_reminder(
        self, shown_at: datetime, exercise: str | None, sat_seconds: float, notifier: str
    ) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO reminders (shown_at, exercise, sat_seconds, notifier)"
                " VALUES (?, ?, ?, ?)",
                (_iso(shown_at), exercise, sat_seconds, notifier),
            )
        return int(cursor.lastrowid or 0)

    def record_outcome(self, reminder_id: int, outcome: str, answered_at: datetime) -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown reminder outcome {outcome!r}")
        with self._transaction() as db:
            db.execute(
                "UPDATE reminders SET outcome = ?, answered_at = ? WHERE id = ?",
                (outcome, _iso(answered_at), reminder_id),
            )

    def start_routine(self, started_at: datetime, kind: str, steps_total: int) -> int:
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO routines (started_at, kind, steps_total) VALUES (?, ?, ?)",
                (_iso(started_at), kind, steps_total),
            )
        return int(cursor.lastrowid or 0)

    def routine_progress(
        self, routine_id: int, steps_done: int, finished_at: datetime | None = None
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE routines SET steps_done = ?, finished_at = ? WHERE id = ?",
                (steps_done, None if finished_at is None else _iso(finished_at), routine_id),
            )

    def record_presence(self, started_at: datetime, ended_at: datetime, seconds: float) -> int:
        """A span the user was at the computer, from `started_at` to `ended_at`.

        `seconds` is the time counted as present within the span (at most its length).
        """
        if ended_at < started_at:
            raise ValueError(f"presence ends ({ended_at}) before it starts ({started_at})")
        if seconds < 0:
            raise ValueError(f"presence cannot be negative ({seconds} s)")
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO presence (started_at, ended_at, seconds) VALUES (?, ?, ?)",
                (_iso(started_at), _iso(ended_at), seconds),
            )
        return int(cursor.lastrowid or 0)

    def record_walk(
        self, logged_at: datetime, km: float | None = None, minutes: float | None = None
    ) -> int:
        """A walk the user logged; distance, duration, both or neither may be known."""
        for name, value in (("km", km), ("minutes", minutes)):
            if value is not None and value < 0:
                raise ValueError(f"a walk cannot have negative {name} ({value})")
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO walks (logged_at, km, minutes) VALUES (?, ?, ?)",
                (_iso(logged_at), km, minutes),
            )
        return int(cursor.lastrowid or 0)

    def record_deferral(self, deferred_at: datetime, reasons: tuple[str, ...]) -> int:
        """A due reminder that waited because the user was busy (meeting, fullscreen...)."""
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO deferrals (deferred_at, reasons) VALUES (?, ?)",
                (_iso(deferred_at), ",".join(reasons)),
            )
        return int(cursor.lastrowid or 0)

    # -- reads ----------------------------------------------------------------------

    def reminders(self, since: datetime | None = None) -> list[ReminderRow]:
        rows = self._db.execute(
            "SELECT id, shown_at, exercise, sat_seconds, notifier, outcome, answered_at "
            "FROM reminders WHERE shown_at >= ? ORDER BY id",
            (_iso(since) if since else "",),
        ).fetchall()
        return [
            ReminderRow(
                id=row[0],
                shown_at=datetime.fromisoformat(row[1]),
                exercise=row[2],
                sat_seconds=row[3],
                notifier=row[4],
                outcome=row[5],
                answered_at=datetime.fromisoformat(row[6]) if row[6] else None,
            )
            for row in rows
        ]

    def sitting(self, since: date | None = None) -> list[SittingRow]:
        """Sitting stretches that ended on the local day `since` or later."""
        rows = self._db.execute(
            "SELECT id, ended_at, seconds FROM sitting WHERE ended_at >= ? ORDER BY ended_at, id",
            (_since_key(since),),
        ).fetchall()
        return [SittingRow(row[0], datetime.fromisoformat(row[1]), row[2]) for row in rows]

    def presence(self, since: date | None = None) -> list[PresenceRow]:
        """Spans at the computer that ended on the local day `since` or later."""
        rows = self._db.execute(
            "SELECT id, started_at, ended_at, seconds FROM presence WHERE ended_at >= ?"
            " ORDER BY ended_at, id",
            (_since_key(since),),
        ).fetchall()
        return [
            PresenceRow(
                row[0], datetime.fromisoformat(row[1]), datetime.fromisoformat(row[2]), row[3]
            )
            for row in rows
        ]

    def routines(self, since: date | None = None) -> list[RoutineRow]:
        """Routines started on the local day `since` or later."""
        rows = self._db.execute(
            "SELECT id, started_at, kind, steps_total, steps_done, finished_at FROM routines"
            " WHERE started_at >= ? ORDER BY started_at, id",
            (_since_key(since),),
        ).fetchall()
        return [
            RoutineRow(
                id=row[0],
                started_at=datetime.fromisoformat(row[1]),
                kind=row[2],
                steps_total=row[3],
                steps_done=row[4],
                finished_at=_moment(row[5]),
            )
            for row in rows
        ]

    def walks(self, since: date | None = None) -> list[WalkRow]:
        """Walks logged on the local day `since` or later."""
        rows = self._db.execute(
            "SELECT id, logged_at, km, minutes FROM walks WHERE logged_at >= ?"
            " ORDER BY logged_at, id",
            (_since_key(since),),
        ).fetchall()
        return [WalkRow(row[0], datetime.fromisoformat(row[1]), row[2], row[3]) for row in rows]

    def deferrals(self, since: date | None = None) -> list[DeferralRow]:
        """Deferred reminders on the local day `since` or later."""
        rows = self._db.execute(
            "SELECT id, deferred_at, reasons FROM deferrals WHERE deferred_at >= ?"
            " ORDER BY deferred_at, id",
            (_since_key(since),),
        ).fetchall()
        return [
            DeferralRow(row[0], datetime.fromisoformat(row[1]), tuple(row[2].split(",")))
            for row in rows
        ]

    def export_rows(self, since: date | None = None) -> list[tuple[str, dict[str, Any]]]:
        """Every row of every table as stored (table name, column -> value), oldest first
        within a table; `since` keeps rows dated on that local day or later.

        Read in one transaction, so the tables agree with each other."""
        rows: list[tuple[str, dict[str, Any]]] = []
        self._db.execute("BEGIN")
        try:
            for table, column in TABLES.items():
                cursor = self._db.execute(
                    f"SELECT * FROM {table} WHERE {column} >= ? ORDER BY {column}, id",
                    (_since_key(since),),
                )
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
