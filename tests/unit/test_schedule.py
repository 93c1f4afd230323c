"""Working hours: parsing "mon-fri 08:00-18:00" and asking whether a moment is inside."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest

from deskguard.core.schedule import ActivePeriod, WorkingHours, parse_period

MONDAY = datetime(2026, 11, 23)  # a Monday; MONDAY + n days is weekday n
ALL_DAYS = frozenset(range(7))
UNKNOWN_DAY = r"unknown day '.*' \(use mon, tue, wed, thu, fri, sat, sun\)"


def on(weekday: int, hh: int, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    """The moment hh:mm:ss.us on the given weekday (0 = Monday) of the week of MONDAY."""
    return MONDAY + timedelta(days=weekday, hours=hh, minutes=mm, seconds=ss, microseconds=us)


def test_the_reference_day_is_a_monday() -> None:
    assert MONDAY.weekday() == 0
    assert on(6, 0).weekday() == 6


@pytest.mark.parametrize(
    ("text", "days", "start", "end"),
    [
        ("mon-fri 08:00-18:00", {0, 1, 2, 3, 4}, time(8), time(18)),
        ("sat,sun 10:00-14:00", {5, 6}, time(10), time(14)),
        ("09:00-17:00", ALL_DAYS, time(9), time(17)),
        ("fri-mon 08:00-09:00", {4, 5, 6, 0}, time(8), time(9)),
        ("sun-tue 07:30-08:15", {6, 0, 1}, time(7, 30), time(8, 15)),
        ("mon-fri 08:00-24:00", {0, 1, 2, 3, 4}, time(8), time.max),
        ("00:00-24:00", ALL_DAYS, time(0), time.max),
        ("wed 9:05-9:06", {2}, time(9, 5), time(9, 6)),
        ("mon,wed-thu,sat 12:00-13:00", {0, 2, 3, 5}, time(12), time(13)),
        ("daily 06:00-07:00", ALL_DAYS, time(6), time(7)),
        ("every-day 06:00-07:00", ALL_DAYS, time(6), time(7)),
        ("  Mon-FRI 08:00-18:00  ", {0, 1, 2, 3, 4}, time(8), time(18)),
        ("monday 08:00-09:00", {0}, time(8), time(9)),
        ("sun-sun 01:00-02:00", {6}, time(1), time(2)),
    ],
)
def test_periods_parse_to_days_and_times(text: str, days: set[int], start: time, end: time) -> None:
    assert parse_period(text) == ActivePeriod(frozenset(days), start, end)


@pytest.mark.parametrize(
    "text", ["xyz 08:00-09:00", "mo 08:00-09:00", "funday 08:00-09:00", "mon,,fri 08:00-09:00"]
)
def test_an_unknown_day_is_named_with_the_valid_ones(text: str) -> None:
    with pytest.raises(ValueError, match=UNKNOWN_DAY):
        parse_period(text)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("mon 25:00-26:00", "'25:00'"),
        ("mon 08:60-09:00", "'08:60'"),
        ("mon 08:00-24:30", "'24:30'"),
        ("mon 08:00-99:00", "'99:00'"),
    ],
)
def test_a_time_that_is_not_a_time_of_day_is_named(text: str, bad: str) -> None:
    with pytest.raises(ValueError, match="is not a time of day") as caught:
        parse_period(text)
    assert bad in str(caught.value)


@pytest.mark.parametrize(
    "text",
    ["", "mon", "8-9", "mon 08:00", "mon 08:00 - 09:00", "mon 0800-0900", "mon 08:00-09:00 x"],
)
def test_text_that_is_not_a_period_shows_an_example(text: str) -> None:
    with pytest.raises(ValueError, match=r"expected a period like 'mon-fri 08:00-18:00'"):
        parse_period(text)


@pytest.mark.parametrize(
    "text", ["mon 09:00-09:00", "mon 18:00-08:00", "22:00-02:00", "24:00-24:00", "00:01-00:00"]
)
def test_the_end_must_come_after_the_start(text: str) -> None:
    with pytest.raises(ValueError, match="the end time must be after the start time"):
        parse_period(text)


@pytest.mark.parametrize(
    ("moment", "active"),
    [
        (on(0, 7, 59, 59, 999_999), False),
        (on(0, 8), True),  # the start is inside
        (on(0, 12, 30), True),
        (on(0, 17, 59, 59, 999_999), True),
        (on(0, 18), False),  # the end is not
        (on(4, 8), True),
        (on(4, 18), False),
        (on(5, 12), False),  # Saturday
        (on(6, 12), False),  # Sunday
    ],
)
def test_weekday_hours_include_the_start_and_exclude_the_end(
    moment: datetime, active: bool
) -> None:
    hours = WorkingHours.parse(["mon-fri 08:00-18:00"])
    assert hours.is_active(moment) is active


@pytest.mark.parametrize(
    ("weekday", "active"), [(0, True), (1, False), (2, False), (3, False), (4, True), (5, True)]
)
def test_a_day_range_can_wrap_over_the_weekend(weekday: int, active: bool) -> None:
    hours = WorkingHours.parse(["fri-mon 08:00-09:00"])
    assert hours.is_active(on(weekday, 8, 30)) is active
    assert hours.is_active(on(weekday, 9)) is False


def test_sunday_is_in_a_wrapped_range() -> None:
    assert WorkingHours.parse(["fri-mon 08:00-09:00"]).is_active(on(6, 8)) is True


def test_24_00_runs_to_the_end_of_the_day_and_not_into_the_next() -> None:
    hours = WorkingHours.parse(["mon 20:00-24:00"])
    assert hours.is_active(on(0, 23, 59, 59)) is True
    assert hours.is_active(on(1, 0)) is False
    assert hours.is_active(on(0, 19, 59, 59)) is False


def test_periods_are_a_union() -> None:
    hours = WorkingHours.parse(["mon-fri 08:00-12:00", "mon-fri 13:00-17:00", "sat 10:00-11:00"])
    assert [hours.is_active(on(0, h)) for h in (7, 8, 11, 12, 13, 16, 17)] == [
        False,
        True,
        True,
        False,
        True,
        True,
        False,
    ]
    assert hours.is_active(on(5, 10, 30)) is True
    assert hours.is_active(on(6, 10, 30)) is False


@pytest.mark.parametrize("moment", [on(0, 0), on(2, 3, 33), on(6, 23, 59, 59, 999_999)])
def test_no_periods_means_always_active(moment: datetime) -> None:
    assert WorkingHours().is_active(moment) is True
    assert WorkingHours.parse([]).is_active(moment) is True


def test_no_periods_has_no_next_start() -> None:
    assert WorkingHours().next_start(on(0, 9)) is None


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (on(0, 7), on(1, 8)),  # before Monday's start: the next start on a later day
        (on(0, 9), on(1, 8)),
        (on(3, 19), on(4, 8)),  # Thursday evening -> Friday
        (on(4, 19), on(7, 8)),  # Friday evening -> next Monday
        (on(5, 12), on(7, 8)),  # Saturday -> Monday
        (on(6, 23, 59), on(7, 8)),  # Sunday night -> Monday
    ],
)
def test_next_start_is_the_first_start_on_a_later_day(moment: datetime, expected: datetime) -> None:
    assert WorkingHours.parse(["mon-fri 08:00-18:00"]).next_start(moment) == expected


def test_next_start_takes_the_earliest_period_of_that_day() -> None:
    hours = WorkingHours.parse(["mon-fri 13:00-17:00", "mon-fri 08:30-12:00", "sat 10:00-11:00"])
    assert hours.next_start(on(0, 9)) == on(1, 8, 30)
    assert hours.next_start(on(4, 9)) == on(5, 10)  # Friday -> Saturday's short period
    assert hours.next_start(on(5, 10, 30)) == on(7, 8, 30)  # Saturday -> Monday


def test_a_weekly_period_next_starts_a_week_later() -> None:
    hours = WorkingHours.parse(["wed 09:00-10:00"])
    assert hours.next_start(on(2, 9, 30)) == on(9, 9)
    assert hours.next_start(on(3, 9, 30)) == on(9, 9)


def test_next_start_keeps_the_time_zone() -> None:
    zone = timezone(timedelta(hours=2))
    moment = on(0, 9).replace(tzinfo=zone)
    start = WorkingHours.parse(["mon-fri 08:00-18:00"]).next_start(moment)
    assert start == on(1, 8).replace(tzinfo=zone)
    assert start is not None and start.tzinfo is zone


def test_a_period_with_no_days_never_starts() -> None:
    hours = WorkingHours((ActivePeriod(frozenset(), time(8), time(9)),))
    assert hours.next_start(on(0, 7)) is None
    assert hours.is_active(on(0, 8, 30)) is False


def test_day_names_must_be_whole() -> None:
    assert parse_period("monday-friday 08:00-09:00").days == frozenset(range(5))
    with pytest.raises(ValueError, match="unknown day 'monkey'"):
        parse_period("monkey 08:00-09:00")
