"""Where the sitting stretch is kept for a restart: the sitting file (the rules are in
core.carry_over). A simulation keeps it in memory instead (`SittingInMemory`).

The file lives in the user's state folder, where anything may have been put: it is read
like input (no link followed, a size cap, every value checked) and written without
following a link either.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import stat
from pathlib import Path
from typing import Any, Protocol

from deskguard.core.carry_over import SavedSitting, saved_problem
from deskguard.core.decisions import Instant

log = logging.getLogger("deskguard")

_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
# A saved stretch is about a hundred bytes: a bigger file is not one.
MAX_BYTES = 4096
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | _CLOEXEC


def boot_id() -> str:
    """Changes at every boot."""
    try:
        return _BOOT_ID.read_text().strip()
    except OSError:
        return ""


def _create(path: Path, text: str) -> None:
    """Write `text` to a file that did not exist: a link or file planted under the name is
    never opened (O_EXCL|O_NOFOLLOW), only removed, as a name."""
    try:
        descriptor = os.open(path, _NEW_FILE, 0o600)
    except FileExistsError:  # left by a crash of a process with this pid, or planted
        path.unlink()
        descriptor = os.open(path, _NEW_FILE, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def save(path: Path, sitting_seconds: float, at: Instant, recorded_seconds: float = 0.0) -> None:
    """Write atomically: a crash mid-write leaves the previous file intact. OSError when
    it cannot be written; ValueError for a number that is not finite (never saved)."""
    text = json.dumps(
        {
            "sitting_seconds": sitting_seconds,
            "boottime": at.boottime,
            "boot": boot_id(),
            "recorded_seconds": recorded_seconds,
        },
        allow_nan=False,
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own: two processes saving at once never write into one file.
    partial = path.with_name(f"{path.stem}.{os.getpid()}.tmp")
    try:
        _create(partial, text)
        os.replace(partial, path)  # replaces a link named `path`, never its target
    except OSError:
        partial.unlink(missing_ok=True)
        raise


def _read_small(path: Path) -> bytes:
    """The file's bytes; OSError for a link, a directory, a pipe or a device."""
    try:
        # O_NONBLOCK: a named pipe planted here must not hang the start.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | _CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "a symbolic link, not followed") from None
        raise
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValueError(f"larger than {MAX_BYTES} bytes")
    return data


def _number(data: dict[str, Any], key: str, default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} is {value!r}, not a number")
    return float(value)  # OverflowError for an integer beyond any float


def _parsed(data: bytes) -> SavedSitting:
    fields = json.loads(data)
    if not isinstance(fields, dict):
        raise ValueError("not a JSON object")
    boot = fields.get("boot")
    if not isinstance(boot, str):
        raise ValueError(f"boot is {boot!r}, not a text")
    return SavedSitting(
        _number(fields, "sitting_seconds"),
        _number(fields, "boottime"),
        boot,
        _number(fields, "recorded_seconds", 0.0),
    )


def load(path: Path) -> SavedSitting | None:
    """The saved stretch; None when there is none, or when the file cannot hold one
    deskguard saved (said in the log: the daemon then starts from zero)."""
    try:
        saved = _parsed(_read_small(path))
    except FileNotFoundError:
        return None
    except OSError as exc:
        problem: str | None = exc.strerror or str(exc)
    except (ValueError, OverflowError, RecursionError) as exc:
        problem = str(exc) or type(exc).__name__
    else:
        problem = saved_problem(saved)
        if problem is None:
            return saved
    log.warning("ignoring the saved sitting time in %s: %s; starting from zero", path, problem)
    return None


class SittingStore(Protocol):
    """The saved stretch, and the boot it belongs to."""

    boot: str

    def load(self) -> SavedSitting | None: ...
    def save(self, sitting_seconds: float, at: Instant, recorded_seconds: float = 0.0) -> None:
        """May raise OSError; a stretch not saved is only lost to a crash."""
        ...


class SittingFile:
    """The sitting file in the state folder (`sitting.json`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.boot = boot_id()

    def load(self) -> SavedSitting | None:
        return load(self.path)

    def save(self, sitting_seconds: float, at: Instant, recorded_seconds: float = 0.0) -> None:
        save(self.path, sitting_seconds, at, recorded_seconds)


class SittingInMemory:
    """For a simulation: nothing on disk, nothing carried over from before."""

    boot = "simulated"

    def __init__(self) -> None:
        self.saved: SavedSitting | None = None

    def load(self) -> SavedSitting | None:
        return self.saved

    def save(self, sitting_seconds: float, at: Instant, recorded_seconds: float = 0.0) -> None:
        self.saved = SavedSitting(sitting_seconds, at.boottime, self.boot, recorded_seconds)
