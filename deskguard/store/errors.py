"""What can go wrong with the history file, in words a user can act on.

Only `HistoryCorrupt` says the file itself is damaged, and only it may have the file moved
aside. Everything else (another program's lock, a full disk, permissions, a link, a schema
from a newer deskguard) is a problem around a file that may be perfectly good: it is left
where it is, and fixing the problem brings the whole history back.

Each error is a UserError, so every entry point shows it as one line without a traceback
(the CLI exits 1, the control socket replies with it, the daemon logs it).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

from deskguard.errors import UserError


class HistoryError(UserError):
    """The history at `path` cannot be used now."""

    def __init__(self, path: Path, title: str, message: str) -> None:
        super().__init__(title, message)
        self.path = path


class HistoryCorrupt(HistoryError):
    """The file exists but is not a readable deskguard history."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            path,
            "the history file cannot be read",
            f"{path} is damaged ({reason}); the daemon moves a damaged file aside"
            " at its next start and begins a new one",
        )
        self.reason = reason


class HistoryTooNew(HistoryError):
    """Written by a newer deskguard: this one must neither change nor replace it."""

    def __init__(self, path: Path, version: int) -> None:
        super().__init__(
            path,
            f"the history was written by a newer deskguard (schema {version})",
            f"upgrade deskguard; {path} is left as it is",
        )
        self.version = version


class HistoryUnavailable(HistoryError):
    """A good file, or none yet, that cannot be opened or written now."""


def _folder_read_only(path: Path) -> bool:
    return path.parent.is_dir() and not os.access(path.parent, os.W_OK)


def classified(path: Path, error: sqlite3.Error) -> HistoryError:
    """`error` from SQLite, as what it means for the user's file and what to do about it."""
    code = getattr(error, "sqlite_errorcode", sqlite3.SQLITE_ERROR) & 0xFF
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return HistoryCorrupt(path, str(error))
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return HistoryUnavailable(
            path,
            "the history is locked by another program",
            f"{path} stayed locked ({error}); try again once that program is done with it",
        )
    if code in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR):
        return HistoryUnavailable(
            path,
            "cannot write the history",
            f"{path}: {error}; if the disk is full, free some space (`df {path.parent}`)",
        )
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        # A read-only folder shows as "unable to open": SQLite creates -wal and -shm in it.
        where = path.parent if _folder_read_only(path) else path
        return HistoryUnavailable(
            path,
            "cannot open the history for writing",
            f"{where} is read-only or not there ({error}); make it writable (`chmod u+w {where}`)",
        )
    return HistoryUnavailable(path, "cannot use the history", f"{path}: {error}")


def refused_path(path: Path) -> HistoryError | None:
    """Why `path` (or its -wal or -shm beside it) must not be opened: a symbolic link is
    not followed (SQLite would write wherever it points), and only a regular file is one."""
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            kind = candidate.lstat().st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            return HistoryUnavailable(
                path, "cannot open the history", f"{candidate}: {exc.strerror}"
            )
        if candidate.is_symlink():
            return HistoryUnavailable(
                path,
                "the history is a symbolic link",
                f"{candidate} points to {os.readlink(candidate)}; deskguard does not follow"
                " links in its state folder: put the file itself there, or remove the link",
            )
        if not stat.S_ISREG(kind):
            return HistoryUnavailable(
                path,
                "the history is not a file",
                f"{candidate} is a {_kind_name(kind)}; move it out of the way",
            )
    return None


def _kind_name(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    return "device or special file"
