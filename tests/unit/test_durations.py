"""Human durations: "45m", "90s", "1h30m" or whole seconds, and back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskguard.core.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("45m", 2700),
        ("90s", 90),
        ("1h30m", 5400),
        (" 1h 5s", 3605),
        ("120", 120),
        ("0", 0),
        ("0s", 0),
        ("2h", 7200),
        ("1h1m1s", 3661),
        ("1H30M", 5400),
        ("  10m  ", 600),
        ("90m", 5400),
        ("007s", 7),
        ("1h 30m 15s", 5415),
    ],
)
def test_text_durations_are_read_as_seconds(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("seconds", [0, 1, 59, 2700, 86_400])
def test_whole_seconds_pass_through(seconds: int) -> None:
    assert parse_duration(seconds) == seconds


@pytest.mark.parametrize(
    "text", ["10x", "", "   ", "m", "h", "-5", "1.5m", "30m1h", "5 min", "1h30", "ms", "²"]
)
def test_bad_text_names_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    message = str(caught.value)
    assert "'45m', '90s' or '1h30m'" in message
    assert repr(text) in message


def test_a_negative_number_of_seconds_is_refused_with_the_number() -> None:
    with pytest.raises(ValueError, match=r"cannot be negative, got -5"):
        parse_duration(-5)


@pytest.mark.parametrize("value", [True, False, 1.5, 90.0, None, [], {"m": 5}])
def test_values_that_are_neither_text_nor_whole_seconds_are_refused(value: object) -> None:
    # TOML gives booleans, floats, arrays and tables; each must be a ValueError (which
    # becomes a readable config problem), never an AttributeError or a silent 1 second.
    with pytest.raises(ValueError, match=r"expected a duration like") as caught:
        parse_duration(value)  # type: ignore[arg-type]
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (1, "1s"),
        (59, "59s"),
        (60, "1m"),
        (90, "1m30s"),
        (2700, "45m"),
        (3600, "1h"),
        (3605, "1h5s"),
        (5400, "1h30m"),
        (3661, "1h1m1s"),
        (86_400, "24h"),
    ],
)
def test_format_gives_the_shortest_canonical_form(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.4, "0s"), (0.6, "1s"), (59.6, "1m"), (89.5, "1m30s")]
)
def test_format_rounds_fractions_to_whole_seconds(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@given(st.integers(min_value=0, max_value=10**6))
def test_parse_reads_back_what_format_wrote(seconds: int) -> None:
    text = format_duration(seconds)
    assert parse_duration(text) == seconds
    assert text == text.strip() and " " not in text


@given(
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=59),
    st.integers(min_value=0, max_value=59),
)
def test_every_component_counts(hours: int, minutes: int, seconds: int) -> None:
    assert parse_duration(f"{hours}h{minutes}m{seconds}s") == hours * 3600 + minutes * 60 + seconds
