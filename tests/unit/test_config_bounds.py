"""Every number the configuration and the catalog hold is bounded, and says its bound.

An unbounded duration once let `poll = "70000000h"` through to the scheduler. These tests
go over the schema itself, so a field added later without a bound fails here.
"""

from __future__ import annotations

import dataclasses
import math
import time
import typing
from collections.abc import Iterator
from typing import Any

import annotated_types
import pytest
from pydantic import ValidationError

from deskguard import paths
from deskguard.core.durations import format_duration, parse_duration, shown
from deskguard.model.exercise import Catalog
from deskguard.model.fields import DurationRule
from deskguard.model.settings import Settings
from deskguard.settings import validate_settings


def leaf_fields(cls: type, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted name, annotation with its markers) of every field below dataclass `cls`."""
    hints = typing.get_type_hints(cls, include_extras=True)
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        inner = typing.get_args(hint)[0] if typing.get_origin(hint) is typing.Annotated else hint
        for candidate in (inner, *typing.get_args(inner)):  # Mapping[str, Exercise] too
            if dataclasses.is_dataclass(candidate) and isinstance(candidate, type):
                yield from leaf_fields(candidate, f"{prefix}{field.name}.")
                break
        else:
            yield f"{prefix}{field.name}", hint


def markers(hint: Any) -> tuple[Any, ...]:
    return tuple(getattr(hint, "__metadata__", ()))


def is_number(hint: Any) -> bool:
    base = typing.get_args(hint)[0] if markers(hint) else hint
    return base in (int, float)


def longest_of(hint: Any) -> int | None:
    for marker in markers(hint):
        if isinstance(marker, DurationRule):
            return marker.longest
    return None


def duration_fields() -> list[tuple[str, int]]:
    found = [(name, longest_of(hint)) for name, hint in leaf_fields(Settings)]
    return [(name, longest) for name, longest in found if longest is not None]


def test_every_number_in_the_settings_and_the_catalog_has_an_upper_bound() -> None:
    unbounded = [
        name
        for schema in (Settings, Catalog)
        for name, hint in leaf_fields(schema)
        if is_number(hint)
        and longest_of(hint) is None
        and not any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in markers(hint))
    ]
    assert unbounded == []


def test_there_are_durations_to_check() -> None:
    assert {name for name, _ in duration_fields()} >= {"reminder.sit_limit", "activity.poll"}


def section_data(name: str, value: object) -> dict[str, Any]:
    section, key = name.split(".")
    return {section: {key: value}}


@pytest.mark.parametrize(("name", "longest"), duration_fields())
def test_a_duration_reaches_its_bound_and_not_a_second_more(name: str, longest: int) -> None:
    section, key = name.split(".")
    default = getattr(getattr(Settings(), section), key)
    assert 0 < default <= longest
    for accepted in (longest, format_duration(longest)):
        settings = validate_settings(section_data(name, accepted))
        assert getattr(getattr(settings, section), key) == longest
    with pytest.raises(ValidationError) as refused:
        validate_settings(section_data(name, longest + 1))
    assert f"must be at most {format_duration(longest)}, got {longest + 1}" in str(refused.value)


def comment_above(section: str, key: str) -> str:
    """The comment lines right above `key = ...` in the shipped config's [section]."""
    lines = paths.shipped_file("deskguard.toml").read_text(encoding="utf-8").splitlines()
    start = lines.index(f"[{section}]")
    at = next(n for n in range(start, len(lines)) if lines[n].startswith(f"{key} = "))
    comment: list[str] = []
    while lines[at - 1 - len(comment)].startswith("#"):
        comment.insert(0, lines[at - 1 - len(comment)])
    return " ".join(comment)


@pytest.mark.parametrize(("name", "longest"), duration_fields())
def test_the_shipped_config_documents_each_durations_bound(name: str, longest: int) -> None:
    comment = comment_above(*name.split("."))
    assert f"at most {format_duration(longest)}" in comment or (
        f"{format_duration(longest)} at the most" in comment
    ), comment


@pytest.mark.parametrize(
    "value",
    [
        "1" + "0" * 5000 + "s",  # int() would refuse it, with a message for programmers
        "1" + "0" * 4000,  # int() would take a while and the scheduler would overflow
        " " * 1_000_000 + "5m" + "x",
    ],
)
def test_a_huge_text_is_refused_at_once_with_a_short_message(value: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ValueError) as refused:
        parse_duration(value)
    assert time.perf_counter() - started < 0.5
    message = str(refused.value)
    assert message.startswith("expected a duration like '45m', '90s' or '1h30m', got '")
    assert len(message) < 120


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("45m", "'45m'"),
        ("x" * 41, "'" + "x" * 40 + "'…"),
        (10**4500, "a number of more than 40 digits"),
        (-(10**40), "a number of more than 40 digits"),
        (12345, "12345"),
        (math.inf, "inf"),
        ([1] * 100, "[" + "1, " * 13 + "…"),
    ],
    ids=["text", "long text", "huge number", "huge negative", "number", "inf", "list"],
)
def test_shown_values_stay_short_and_never_fail(value: object, text: str) -> None:
    assert shown(value) == text


def test_a_huge_number_for_a_count_is_refused_not_crashed() -> None:
    with pytest.raises(ValidationError) as refused:
        validate_settings({"reminder": {"max_snoozes": 10**4000}})
    assert "less than or equal to 100" in str(refused.value)
