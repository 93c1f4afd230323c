"""The history's tables and how a file is brought up to the latest of them.

The schema version lives in `PRAGMA user_version`; each entry of MIGRATIONS moves the file
one version forward, in a transaction of its own, so a crash during an upgrade leaves a
file at the version before or the one after.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from deskguard.core.tracker import Outcome

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
    """One committed write transaction on a connection opened with isolation_level=None."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection) -> None:
    """Run the migrations the file has not had yet; refuse a file from a newer deskguard
    (sqlite3.DatabaseError, and the file is left as it was)."""
    version = schema_version(db)
    if version > len(MIGRATIONS):
        raise sqlite3.DatabaseError(
            f"written by a newer deskguard (schema {version}, this one knows {len(MIGRATIONS)})"
        )
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        with transaction(db):
            for statement in filter(str.strip, script.split(";")):
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {number}")
