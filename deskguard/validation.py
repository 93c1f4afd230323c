"""Turning pydantic's errors into deskguard's problems: "FILE: key.path: reason".

Shared by the configuration (deskguard.settings) and the catalog (deskguard.catalog),
which both read layered TOML files, validate them into the schema (deskguard.model) and
report every problem with the file it came from. Imports pydantic: never used by the
daemon itself, only by the CLI and the daemon's config child.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
        message = f"{message} (got {error['input']!r})"
    return loc, message


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; raises ProblemsFound naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        # The message ends with "(at line N, column M)".
        raise ProblemsFound([Problem(str(path), "", f"not valid TOML: {exc}")]) from exc
    except OSError as exc:
        raise ProblemsFound([Problem(str(path), "", exc.strerror or str(exc))]) from exc


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
