"""Field rules written once, as annotations on the schema's dataclasses.

`Annotated[int, DurationRule(longest=HOUR)]` and friends are plain objects to Python and
to the daemon. pydantic, when it validates into a dataclass, asks each marker for its
schema through `__get_pydantic_core_schema__` (pydantic_core is imported only then).
Numeric and length limits use annotated_types (Ge, Gt, Le, MinLen), which pydantic
understands natively and words the way users already see.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from deskguard.core.durations import format_duration, parse_duration, shown
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
    """Seconds, written "45m", "90s", "1h30m" or as whole seconds; longer than zero and at
    most `longest`. Every duration has its own bound: an absurd one (a poll of 8000 years)
    would pass the type check and then overflow the scheduler and the clock arithmetic."""

    longest: int

    def parse(self, value: Any) -> int:
        seconds = parse_duration(value)
        if seconds <= 0:
            raise ValueError("must be longer than zero seconds")
        if seconds > self.longest:
            raise ValueError(f"must be at most {format_duration(self.longest)}, got {shown(value)}")
        return seconds

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            self.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(
                format_duration, return_schema=core_schema.str_schema()
            ),
        )


def is_duration(hint: Any) -> bool:
    """True for a field annotated as a duration (shown to people as "45m")."""
    return any(isinstance(marker, DurationRule) for marker in getattr(hint, "__metadata__", ()))


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


_WILDCARDS = frozenset("*?[")


def _device_glob(value: str) -> str:
    # The daemon globs this on its event loop at every check: a wildcard in a folder
    # ("/**/**/*") would walk the whole file system, one in the file name lists one folder.
    path = _one_line(value)
    if not path.startswith(("/", "~/")):
        raise ValueError(f"must be an absolute path like '/dev/video*', got {shown(value)}")
    if _WILDCARDS & set(os.path.dirname(path)):
        raise ValueError(
            "may have wildcards (* ? [) only in the file name, like '/dev/video*' or "
            f"'/dev/v4l/by-id/*', got {shown(value)}"
        )
    return path


def _periods(value: tuple[str, ...]) -> tuple[str, ...]:
    for text in value:
        parse_period(text)  # raises ValueError naming what is wrong
    return value


_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")


def check_language(value: str) -> str:
    if not _LANGUAGE.match(value):
        raise ValueError(f"expected a language like 'ru', 'de' or 'pt_BR', got {shown(value)}")
    return value


ONE_LINE_LONGEST = 120
Text = Annotated[str, Rule(_trimmed)]
"""Text that is not blank; surrounding whitespace is dropped."""
OneLine = Annotated[str, Rule(_one_line)]
"""A short single line (a summary, a description)."""
Slug = Annotated[str, Rule(_slug)]
"""An id: lowercase letters, digits and single hyphens."""
DeviceGlob = Annotated[str, Rule(_device_glob)]
"""Device files as a glob: an absolute path with wildcards in the file name only."""
Periods = Annotated[tuple[str, ...], Rule(_periods)]
"""Working periods such as "mon-fri 08:00-18:00" (a wrong one is reported for the list)."""
Language = Annotated[str, Rule(check_language)]
"""A gettext language name: "ru", "de", "pt_BR"."""
