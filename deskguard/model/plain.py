"""Schema dataclasses to plain JSON/TOML data and back, without pydantic.

`encode` gives what `deskguard config show` prints and what `status --json` reports as
`config` (durations as "45m"), or raw numbers for the daemon's config child
(`durations_as_text=False`). `decode` rebuilds a dataclass from such raw data: the data
was validated before it was encoded (in the config child), so decoding only restores the
types (tuples, paths, nested dataclasses) and trusts the values.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar, get_args, get_origin

from deskguard.core.durations import format_duration
from deskguard.model.fields import is_duration

T = TypeVar("T")


@functools.cache
def _hints(cls: type, *, extras: bool) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=extras)


def encode(value: Any, *, durations_as_text: bool = True) -> Any:
    """`value` (a schema dataclass, or anything inside one) as dicts, lists and scalars."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        hints = _hints(type(value), extras=True)
        return {
            f.name: (
                format_duration(item)
                if durations_as_text and is_duration(hints[f.name])
                else encode(item, durations_as_text=durations_as_text)
            )
            for f in dataclasses.fields(value)
            for item in (getattr(value, f.name),)
        }
    if isinstance(value, Mapping):
        return {str(k): encode(v, durations_as_text=durations_as_text) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset):
        return [encode(v, durations_as_text=durations_as_text) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def decode(cls: type[T], data: Any) -> T:
    """A `cls` dataclass from `encode(..., durations_as_text=False)` output."""
    return typing.cast(T, _decode(cls, data))


def _decode(kind: Any, data: Any) -> Any:
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        hints = _hints(kind, extras=False)
        return kind(
            **{
                f.name: _decode(hints[f.name], data[f.name])
                for f in dataclasses.fields(kind)
                if f.name in data
            }
        )
    origin, args = get_origin(kind), get_args(kind)
    if origin in (typing.Union, types.UnionType):
        if data is None:
            return None
        return _decode(next(a for a in args if a is not type(None)), data)
    if origin is tuple:
        return tuple(_decode(args[0], item) for item in data)
    if origin is list:
        return [_decode(args[0], item) for item in data]
    if isinstance(origin, type) and issubclass(origin, Mapping):  # dict[...], Mapping[...]
        return {key: _decode(args[1], item) for key, item in data.items()}
    if kind is Path:
        return Path(data)
    if kind is float:
        return float(data)
    return data  # str, int, bool, Literal[...]: JSON already holds them as they are
