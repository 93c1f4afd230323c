"""Turning pydantic's errors into deskguard's problems: "FILE: key.path: reason".

Shared by the configuration (deskguard.settings) and the catalog (deskguard.catalog),
which both read layered TOML files, validate them into the schema (deskguard.model) and
report every problem with the file it came from. Imports pydantic: never used by the
daemon itself, only by the CLI and the daemon's config child.
"""

from __future__ import annotations

import os
import stat
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskguard.core.durations import shown

Loc = tuple[str | int, ...]

# pydantic's error types for a key the schema does not have (models; dataclasses).
_UNKNOWN_KEY_ERRORS = ("extra_forbidden", "unexpected_keyword_argument")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one file (or environment variable): SOURCE: key: reason."""

    source: str
    key: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.key}: {self.reason}"
            if self.key
            else f"{self.source}: {self.reason}"
        )

    @property
    def entry(self) -> str:
        """The key path, as the catalog calls it (`exercises.<id>.<field>`)."""
        return self.key


def dotted(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def reason_of(error: Mapping[str, Any], unknown: str = "unknown key") -> tuple[Loc, str]:
    """Where an error is and why, worded for the user."""
    loc: Loc = tuple(error["loc"])
    if loc and loc[-1] == "[key]":  # a table name is wrong, not a value inside it
        loc = loc[:-1]
    kind = error["type"]
    if kind in _UNKNOWN_KEY_ERRORS:
        return loc, unknown
    if kind == "missing" or kind == "missing_keyword_argument":
        return loc, "missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "literal_error":
        message = f"{message} (got {shown(error['input'])})"
    return loc, message


LARGEST_FILE = 1024 * 1024
"""No config or catalog comes near this (the shipped catalog is 20 kB): a larger file, or
one that never ends (/dev/zero), is refused before it costs time or memory."""

_NOT_REGULAR = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; raises ProblemsFound naming the file and what to do."""
    try:
        return _parsed(_contents(path))
    except _Unusable as exc:
        raise ProblemsFound([Problem(str(path), "", str(exc))]) from None


def read_toml_if_present(path: Path) -> dict[str, Any] | None:
    """`read_toml`, or None when nothing is at `path` (a dangling link is a problem: the
    user meant a file to be there)."""
    if not os.path.lexists(path):
        return None
    return read_toml(path)


class _Unusable(Exception):
    """Why a file cannot be used, worded for the user."""


def _contents(path: Path) -> bytes:
    try:
        # O_NONBLOCK: opening a named pipe must not wait for a writer. The checks are on
        # the open file, so it cannot be swapped for another between check and read.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        if os.path.islink(path):
            raise _Unusable(f"a link to a missing file ({os.readlink(path)})") from None
        raise _Unusable("no such file") from None
    except OSError as exc:
        raise _Unusable(_not_regular_at(path) or _os_reason(exc)) from None
    if problem := _not_regular(os.fstat(fd).st_mode):
        os.close(fd)
        raise _Unusable(problem)
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(LARGEST_FILE + 1)
        except OSError as exc:
            raise _Unusable(_os_reason(exc)) from None
    if len(data) > LARGEST_FILE:
        raise _Unusable(f"larger than {LARGEST_FILE // (1024 * 1024)} MiB; is it the right file?")
    return data


def _not_regular(mode: int) -> str | None:
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFREG:
        return None
    return f"not a regular file ({_NOT_REGULAR.get(kind, 'a special file')})"


def _not_regular_at(path: Path) -> str | None:
    """What `path` is when it is not a file, for one that cannot be opened (a socket)."""
    try:
        return _not_regular(os.stat(path).st_mode)
    except OSError:
        return None


def _parsed(data: bytes) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Unusable(f"not UTF-8 text (byte {exc.start + 1}); is it the right file?") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The message ends with "(at line N, column M)".
        raise _Unusable(f"not valid TOML: {exc}") from None
    except RecursionError:
        raise _Unusable("not valid TOML: arrays or tables nested too deeply") from None
    except ValueError:
        # tomllib turns digits into an int with int(), which refuses more than 4300 of them.
        raise _Unusable("not valid TOML: a number has thousands of digits") from None


def _os_reason(exc: OSError) -> str:
    return (exc.strerror or str(exc)).lower()


class ProblemsFound(Exception):
    """Problems found while reading; the caller wraps them in its own InvalidConfiguration."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(map(str, problems)))
        self.problems = problems


def deep_merge(layers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Later layers win key by key; tables merge, arrays and values are replaced."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
                merged[key] = deep_merge([merged[key], value])
            else:
                merged[key] = value
    return merged
