"""The history's tables and how a file is brought up to the latest of them.

The schema version lives in `PRAGMA user_version`; each entry of MIGRATIONS moves the file
one version forward, in a transaction of its own, so a crash during an upgrade leaves a
file at the version before or the one after.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from deskguard.core.decisions import Outcome

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

# What `reminders.outcome` may hold: the core's outcomes, stored by their value.
OUTCOMES = frozenset(outcome.value for outcome in Outcome)


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One committed write transaction on a connection opened with isolation_level=None.

    A COMMIT that fails (a full disk) may leave the transaction open: it is rolled back,
    or every later BEGIN would fail although the disk has room again."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            with suppress(sqlite3.Error):  # the error that got us here is the one to report
                db.execute("ROLLBACK")
        raise


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


class NewerSchema(Exception):
    """The file has a schema from a newer deskguard, which this one must not touch."""

    def __init__(self, version: int) -> None:
        super().__init__(f"schema {version}, this one knows {len(MIGRATIONS)}")
        self.version = version


def _known_version(db: sqlite3.Connection) -> int:
    version = schema_version(db)
    if version > len(MIGRATIONS):
        raise NewerSchema(version)
    return version


def migrate(db: sqlite3.Connection) -> None:
    """Run the migrations the file has not had yet; refuse a file from a newer deskguard
    (NewerSchema, and the file is left as it was).

    Several processes may meet a new file at once (the daemon and a few `deskguard walk`):
    each migration reads the version inside its own write transaction, so exactly one of
    them runs it and the others find it done. A file already up to date takes no write
    lock, so a read-only history can still be read.
    """
    if _known_version(db) == len(MIGRATIONS):
        return
    while True:
        with transaction(db):
            version = _known_version(db)
            if version == len(MIGRATIONS):
                return
            for statement in filter(str.strip, MIGRATIONS[version].split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")
