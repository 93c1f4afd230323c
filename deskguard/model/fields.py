"""Field rules written once, as annotations on the schema's dataclasses.

`Annotated[int, DURATION]` and friends are plain objects to Python and to the daemon.
pydantic, when it validates into a dataclass, asks each marker for its schema through
`__get_pydantic_core_schema__` (pydantic_core is imported only then). Numeric and
length limits use annotated_types (Ge, Gt, Le, MinLen), which pydantic understands
natively and words the way users already see.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from deskguard.core.durations import format_duration, parse_duration
from deskguard.core.schedule import parse_period

# Configuration for pydantic when it validates a schema dataclass: every key must be known.
FORBID_UNKNOWN_KEYS: dict[str, Any] = {"extra": "forbid"}


@dataclass(frozen=True)
class Rule:
    """A check (and maybe a clean-up) applied after the type check; raises ValueError
    with a reason worded for the user, returns the value to keep."""

    apply: Callable[[Any], Any]

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(self.apply, handler(source))


@dataclass(frozen=True)
class DurationRule:
    """Seconds, written "45m", "90s", "1h30m" or as whole seconds; longer than zero."""

    def parse(self, value: Any) -> int:
        seconds = parse_duration(value)
        if seconds <= 0:
            raise ValueError("must be longer than zero seconds")
        return seconds

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            self.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(
                format_duration, return_schema=core_schema.str_schema()
            ),
        )


DURATION = DurationRule()
Duration = Annotated[int, DURATION]
"""A duration in whole seconds; shown to people as "45m" (see `format_duration`)."""


def _trimmed(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def _one_line(value: str) -> str:
    text = _trimmed(value)
    if "\n" in text:
        raise ValueError("must be a single line")
    if len(text) > ONE_LINE_LONGEST:
        raise ValueError(f"String should have at most {ONE_LINE_LONGEST} characters")
    return text


_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(
            f"must be lowercase letters, digits and single hyphens, like 'knees-to-chest' "
            f"(got {value!r})"
        )
    return value


def _periods(value: tuple[str, ...]) -> tuple[str, ...]:
    for text in value:
        parse_period(text)  # raises ValueError naming what is wrong
    return value


ONE_LINE_LONGEST = 120
Text = Annotated[str, Rule(_trimmed)]
"""Text that is not blank; surrounding whitespace is dropped."""
OneLine = Annotated[str, Rule(_one_line)]
"""A short single line (a summary, a description)."""
Slug = Annotated[str, Rule(_slug)]
"""An id: lowercase letters, digits and single hyphens."""
Periods = Annotated[tuple[str, ...], Rule(_periods)]
"""Working periods such as "mon-fri 08:00-18:00" (a wrong one is reported for the list)."""
