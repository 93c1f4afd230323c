"""Files and folders that misbehave, for the tests: a full disk, a read-only folder, a cap
on the size of files a process may write, a lock held by another program."""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


def _mount(*args: str) -> None:
    result = subprocess.run(["mount", *args], capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here: {result.stderr.strip()}")


def _unmount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], check=True)


@contextlib.contextmanager
def small_disk(folder: Path, kib: int = 1024) -> Iterator[Path]:
    """`folder` on a filesystem of its own, `kib` large (mounting needs root)."""
    if os.geteuid() != 0:
        pytest.skip("a small filesystem of its own needs root")
    folder.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={kib}k,mode=0700", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        _unmount(folder)


def fill(folder: Path) -> Path:
    """Fill the disk holding `folder` to the last byte; the filler file, to free it again."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle, contextlib.suppress(OSError):
        while handle.write(b"\0" * 4096):
            pass
    return filler


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """A file or folder made read-only: a read-only bind mount for root (whom permissions
    do not stop), else its write permission taken away."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o500 if path.is_dir() else 0o400)
        try:
            yield path
        finally:
            path.chmod(mode)
        return
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,bind,ro", str(path))
        yield path
    finally:
        _unmount(path)


def no_file_growth() -> None:
    """For `preexec_fn`: the process may write no byte into a file (as on a full disk;
    the hard limit stays, so it can be lifted again)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, hard))


# Holds an exclusive lock on the history until its stdin closes.
_LOCKER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA locking_mode=EXCLUSIVE")
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
"""


@contextlib.contextmanager
def locked(history: Path) -> Iterator[None]:
    """Another program holding an exclusive lock on `history`, until the block ends."""
    locker = subprocess.Popen(
        [sys.executable, "-c", _LOCKER, str(history)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert locker.stdin is not None and locker.stdout is not None
    try:
        assert locker.stdout.readline().strip() == "locked"
        yield
    finally:
        locker.stdin.close()
        locker.wait(timeout=10)
        locker.stdout.close()
