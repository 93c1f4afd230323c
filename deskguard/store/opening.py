"""Opening the history file: checked, brought up to date, or a HistoryError saying why not;
and moving a damaged one aside.

The order matters when several processes meet a missing file at once (the daemon and a
few `deskguard walk`): SQLite's busy timeout is set as the connection opens, before any
statement, so every step waits for the others instead of failing with "database is
locked"; the migrations read the schema version inside their write transaction.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

from deskguard.store.errors import (
    HistoryCorrupt,
    HistoryTooNew,
    HistoryUnavailable,
    classified,
    refused_path,
)
from deskguard.store.schema import NewerSchema, migrate

# How long a statement waits for another process's lock before giving up.
BUSY_SECONDS = 5.0
# The page cache of an open history (SQLite's default is 2 MB).
CACHE_KIB = 256
SQLITE_HEADER = b"SQLite format 3\x00"
MEMORY = ":memory:"  # a history in memory alone (a simulation): no file to check


def _not_sqlite(path: Path) -> bool:
    """A file that is not SQLite at all; opening it would make SQLite delete its -wal."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise HistoryUnavailable(
            path, "cannot read the history", f"{path}: {exc.strerror}; make it readable"
        ) from None
    return head not in (b"", SQLITE_HEADER)


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # A good header can hide damaged pages; find out now, not at the first write.
        (verdict,) = db.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise HistoryCorrupt(path, f"damaged: {verdict}")
        migrate(db)
    except sqlite3.Error as exc:
        raise classified(path, exc) from None
    except NewerSchema as exc:
        raise HistoryTooNew(path, exc.version) from None
    # The check read every page into the cache. The daemon holds this connection all day
    # and writes a few rows an hour: a small cache is plenty, and memory it frees.
    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    db.execute("PRAGMA shrink_memory")


def _check_file(path: Path) -> None:
    """The file may be opened (no link, nothing but a file, SQLite or empty), and its
    folder is there; HistoryError when not."""
    refused = refused_path(path)
    if refused is not None:
        raise refused
    if _not_sqlite(path):
        raise HistoryCorrupt(path, "not a database")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HistoryUnavailable(
            path, "cannot create the history's folder", f"{path.parent}: {exc.strerror}"
        ) from None


def connect(path: Path) -> sqlite3.Connection:
    """A checked, up-to-date connection to the history at `path`, created with its folder
    when missing; HistoryError when it cannot be used (the file is left as it is)."""
    if str(path) != MEMORY:
        _check_file(path)
    try:
        # isolation_level=None: we open and commit every transaction ourselves.
        db = sqlite3.connect(
            path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
    except sqlite3.Error as exc:
        raise classified(path, exc) from None
    try:
        _prepare(db, path)
    except BaseException:
        db.close()
        raise
    return db


def move_aside(path: Path, now: datetime) -> Path:
    """Rename a damaged history (and its -wal and -shm) to `NAME.corrupt-STAMP`: kept,
    never deleted (a name already taken gets a number). OSError when it cannot be renamed."""
    stamp = f"{path.name}.corrupt-{now.strftime('%Y%m%d-%H%M%S')}"
    aside, number = path.with_name(stamp), 1
    while aside.exists() or aside.is_symlink():
        aside, number = path.with_name(f"{stamp}-{number}"), number + 1
    path.rename(aside)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(aside.with_name(aside.name + suffix))
    return aside
