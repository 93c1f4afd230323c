"""Stats from a seeded history: exact figures per day and in total, computed by hand.

The seed (`seed`) is also what the command-line tests write before running
`deskguard stats`; `EXPECTED` is the `stats --json` answer for 2026-01-05 to 2026-01-07.
"""

from __future__ import annotations

import sqlite3
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from deskguard import store
from deskguard.cli.history import parse_walk_amount
from deskguard.cli.stats_chart import chart
from deskguard.cli.stats_view import bar, render_table, summary_json
from deskguard.core.day_text import hours_minutes
from deskguard.core.records import PresenceRow, Rows, SittingRow, WalkRow
from deskguard.core.stats import Reminders, split_by_day, summarize
from deskguard.errors import UserError
from deskguard.store import History, read_rows

CET = timezone(timedelta(hours=1))
EST = timezone(timedelta(hours=-5))
FIRST, LAST = date(2026, 1, 5), date(2026, 1, 7)
GOAL = 7.0


def at(day: int, hour: int, minute: int = 0, second: int = 0, tz: timezone = CET) -> datetime:
    return datetime(2026, 1, day, hour, minute, second, tzinfo=tz)


def seed(history: History) -> None:
    """Three days (Mon 5 to Wed 7 January 2026) and rows just outside them on both sides."""
    # Time at the computer. 4 Jan 23:30 to 5 Jan 00:30: half of it on the 5th.
    history.record_presence(at(4, 10), at(4, 11), 3600)
    history.record_presence(at(4, 23, 30), at(5, 0, 30), 3600)
    history.record_presence(at(5, 8), at(5, 12), 14400)
    history.record_presence(at(5, 13), at(5, 17, 30), 16200)
    history.record_presence(at(6, 9), at(6, 17), 28800)
    # 7000 s counted over two wall-clock hours across midnight: 3500 on each day.
    history.record_presence(at(6, 23), at(7, 1), 7000)
    history.record_presence(at(7, 9), at(7, 12), 10800)

    # Sitting stretches, recorded when they end.
    history.record_sitting(at(4, 15), 6000)  # the longest of all, but outside the days
    history.record_sitting(at(5, 0, 10), 1200)  # from 4 Jan 23:50: 600 s on the 5th
    history.record_sitting(at(5, 9), 3000)
    history.record_sitting(at(5, 10, 30), 4200)
    history.record_sitting(at(5, 12), 1800)
    history.record_sitting(at(5, 16), 2400)
    history.record_sitting(at(6, 10), 2700)
    history.record_sitting(at(6, 14), 5400)
    history.record_sitting(at(7, 0, 20), 2400)  # from 6 Jan 23:40: 1200 s on each day
    history.record_sitting(at(7, 11), 3600)
    history.record_sitting(at(8, 0, 5), 600)  # from 7 Jan 23:55: 300 s on the 7th

    reminders = [
        (at(4, 12), "accepted"),
        (at(5, 9), "accepted"),
        (at(5, 10, 30), "snoozed"),
        (at(5, 10, 40), "skipped"),
        (at(5, 16), "natural-break"),
        (at(5, 17), "dismissed"),
        (at(6, 10), "accepted"),
        (at(6, 14), "accepted"),
        # 7 Jan 05:30 in UTC, but the 6th where it was shown.
        (at(6, 23, 30, tz=EST), None),
        # 7 Jan 23:30 in UTC, but the 8th where it was shown.
        (at(8, 0, 30), "accepted"),
    ]
    for shown_at, outcome in reminders:
        reminder = history.record_reminder(shown_at, "standing-back-bend", 2700, "log")
        if outcome is not None:
            history.record_outcome(reminder, outcome, shown_at + timedelta(seconds=30))

    old = history.start_routine(at(4, 9), "quick", 4)
    history.routine_progress(old, 4, at(4, 9, 5))
    quick = history.start_routine(at(5, 9, 1), "quick", 4)
    history.routine_progress(quick, 4, at(5, 9, 6))  # 300 s
    history.routine_progress(history.start_routine(at(5, 16, 1), "full", 8), 3)  # unfinished
    full = history.start_routine(at(6, 10, 1), "full", 8)
    history.routine_progress(full, 8, at(6, 10, 13, 30))  # 750 s

    history.record_walk(at(4, 10), km=10)
    history.record_walk(at(5, 12, 30), km=3.5, minutes=40)
    history.record_walk(at(5, 18), km=4)
    history.record_walk(at(6, 12, 30), minutes=30)


SEEDED_ROWS = {"sitting": 11, "reminders": 10, "routines": 4, "presence": 7, "walks": 4}


def day_json(
    present: float,
    sitting: float,
    longest: float,
    breaks: int,
    reminders: tuple[int, int, int, int, int, int, int],
    compliance: float | None,
    routines: tuple[int, int],
    exercise: float,
    walks: tuple[int, float, float],
    goal_km: float = GOAL,
    deferred: int = 0,
) -> dict[str, Any]:
    names = ("shown", "accepted", "snoozed", "skipped", "dismissed", "natural_break", "unanswered")
    count, km, minutes = walks
    return {
        "present_seconds": present,
        "sitting_seconds": sitting,
        "longest_sitting_seconds": longest,
        "breaks": breaks,
        "reminders": dict(zip(names, reminders, strict=True)),
        "compliance": compliance,
        "deferred": deferred,
        "routines": {"started": routines[0], "finished": routines[1]},
        "exercise_seconds": exercise,
        "walks": {
            "count": count,
            "km": km,
            "minutes": minutes,
            "goal_km": goal_km,
            "goal_met": km >= goal_km,
        },
    }


# Each figure worked out by hand from `seed`: Mon 5, Tue 6 and Wed 7 January, then the total.
BY_DAY: dict[str, tuple[Any, Any, Any, Any]] = {
    "present": (1800 + 14400 + 16200, 28800 + 3500, 3500 + 10800, 32400 + 32300 + 14300),
    "sitting": (
        600 + 3000 + 4200 + 1800 + 2400,
        2700 + 5400 + 1200,
        1200 + 3600 + 300,
        12000 + 9300 + 5100,
    ),
    "longest": (4200, 5400, 3600, 5400),
    "breaks": (5, 2, 2, 9),
    "reminders": ((5, 1, 1, 1, 1, 1, 0), (3, 2, 0, 0, 0, 0, 1), (0,) * 7, (8, 3, 1, 1, 1, 1, 1)),
    "compliance": (2 / 5, 2 / 3, None, 4 / 8),
    "routines": ((2, 1), (1, 1), (0, 0), (3, 2)),
    "exercise": (300, 750, 0, 1050),
    "walks": ((2, 7.5, 40), (1, 0, 30), (0, 0, 0), (3, 7.5, 70)),
    "goal_km": (GOAL, GOAL, GOAL, 3 * GOAL),
}
EXPECTED_DAYS = [
    {"date": day, **day_json(**{name: values[n] for name, values in BY_DAY.items()})}
    for n, day in enumerate(["2026-01-05", "2026-01-06", "2026-01-07"])
]
EXPECTED_TOTAL = day_json(**{name: values[3] for name, values in BY_DAY.items()})
EXPECTED_TOTAL["walks"]["days_goal_met"] = 1
EXPECTED: dict[str, Any] = {
    "from": "2026-01-05",
    "to": "2026-01-07",
    "daily_walk_goal_km": GOAL,
    "days": EXPECTED_DAYS,
    "total": EXPECTED_TOTAL,
}


@pytest.fixture
def history(tmp_path: Path) -> Any:
    opened = History(tmp_path / "history.sqlite3")
    seed(opened)
    yield opened
    opened.close()


def seeded_summary(history: History, first: date = FIRST, last: date = LAST) -> Any:
    return summarize(read_rows(history, first), first, last, GOAL)


def test_seeded_days_give_the_hand_computed_figures(history: History) -> None:
    result = summary_json(seeded_summary(history))
    for got, expected in zip(result["days"], EXPECTED["days"], strict=True):
        assert got == expected, got["date"]


def test_seeded_total_and_window(history: History) -> None:
    assert summary_json(seeded_summary(history)) == EXPECTED


def test_a_wider_window_takes_in_the_days_around(history: History) -> None:
    summary = seeded_summary(history, date(2026, 1, 4), date(2026, 1, 9))
    days = {day.day: day.figures for day in summary.days}
    assert list(days) == [date(2026, 1, d) for d in range(4, 10)]
    # 4 Jan: 10-11, and 23:30 to midnight of the span that ends on the 5th.
    assert days[date(2026, 1, 4)].present_seconds == 3600 + 1800
    assert days[date(2026, 1, 4)].sitting_seconds == 6000 + 600
    assert days[date(2026, 1, 4)].longest_sitting_seconds == 6000
    assert days[date(2026, 1, 4)].walk_km == 10
    assert summary.days[0].goal_met
    assert days[date(2026, 1, 8)].sitting_seconds == 300
    assert days[date(2026, 1, 8)].breaks == 1
    assert days[date(2026, 1, 8)].reminders.accepted == 1
    assert days[date(2026, 1, 9)].sitting_seconds == 0
    assert summary.total.longest_sitting_seconds == 6000
    assert summary.total.reminders.shown == 10
    assert summary.total.routines_finished == 3
    assert summary.days_goal_met == 2


def test_a_day_is_the_local_day_written_in_the_timestamp(history: History) -> None:
    rows = read_rows(history, date(2026, 1, 6))
    shown = {reminder.shown_at for reminder in rows.reminders}
    # The -05:00 reminder is 7 January in UTC and the +01:00 one is the 7th too,
    # but they count on the 6th and the 8th.
    assert at(6, 23, 30, tz=EST) in shown and at(8, 0, 30) in shown
    day_6 = summarize(rows, date(2026, 1, 6), date(2026, 1, 6), GOAL).total
    assert day_6.reminders.shown == 3
    assert day_6.reminders.unanswered == 1


def test_compliance_counts_accepted_and_natural_breaks() -> None:
    counts = Reminders()
    assert counts.compliance is None
    for outcome in ("accepted", "natural-break", "snoozed", "skipped", "dismissed", None):
        counts.count(outcome)
    assert (counts.shown, counts.accepted, counts.natural_break) == (6, 1, 1)
    assert (counts.snoozed, counts.skipped, counts.dismissed, counts.unanswered) == (1, 1, 1, 1)
    assert counts.compliance == 2 / 6


def test_longest_stretch_counts_whole_on_the_day_it_ended() -> None:
    rows = Rows(sitting=[SittingRow(1, at(6, 1), 3 * 3600), SittingRow(2, at(6, 9), 600)])
    summary = summarize(rows, date(2026, 1, 5), date(2026, 1, 6), GOAL)
    day_5, day_6 = (day.figures for day in summary.days)
    assert (day_5.sitting_seconds, day_5.longest_sitting_seconds, day_5.breaks) == (7200, 0, 0)
    assert (day_6.sitting_seconds, day_6.longest_sitting_seconds, day_6.breaks) == (4200, 10800, 2)


def test_split_by_day_shares_out_over_several_midnights() -> None:
    pieces = list(split_by_day(at(5, 18), at(7, 6), 36 * 3600))
    assert pieces == [(FIRST, 6 * 3600), (date(2026, 1, 6), 24 * 3600), (LAST, 6 * 3600)]
    # A span that ends at midnight belongs to the day before; a zero-length one to its day.
    assert list(split_by_day(at(5, 23), at(6, 0), 3600)) == [(FIRST, 3600)]
    assert list(split_by_day(at(5, 9), at(5, 9), 0)) == [(FIRST, 0)]
    # Mixed offsets: judged in the offset of the end.
    # 17:00 at -05:00 is 23:00 at +01:00: two thirds of the 90 minutes before midnight.
    assert list(split_by_day(at(5, 17, tz=EST), at(6, 0, 30), 1800)) == [
        (FIRST, 1200.0),
        (date(2026, 1, 6), 600.0),
    ]


def test_walks_against_the_goal() -> None:
    walks = [
        WalkRow(1, at(5, 8), 3.0, None),
        WalkRow(2, at(5, 19), 4.0, 50.0),
        WalkRow(3, at(6, 12), None, 90.0),  # time only: does not count toward the km goal
        WalkRow(4, at(7, 12), 6.9, None),
        WalkRow(5, at(7, 18), None, None),  # a walk with nothing known still counts as one
    ]
    summary = summarize(Rows(walks=walks), FIRST, LAST, GOAL)
    figures = [(d.figures.walks, d.figures.walk_km, d.figures.walk_minutes) for d in summary.days]
    assert figures == [(2, 7.0, 50.0), (1, 0.0, 90.0), (2, 6.9, 0.0)]
    assert [day.goal_met for day in summary.days] == [True, False, False]
    assert summary.days_goal_met == 1
    total = summary_json(summary)["total"]["walks"]
    assert total == {
        "count": 5,
        "km": 13.9,
        "minutes": 140.0,
        "goal_km": 21.0,
        "goal_met": False,
        "days_goal_met": 1,
    }


def test_presence_is_shared_by_wall_clock_time_across_midnight() -> None:
    rows = Rows(presence=[PresenceRow(1, at(5, 22), at(6, 1), 9000)])
    summary = summarize(rows, FIRST, date(2026, 1, 6), GOAL)
    assert [day.figures.present_seconds for day in summary.days] == [6000, 3000]


def test_an_empty_history_gives_zeros_and_no_compliance() -> None:
    summary = summarize(Rows(), FIRST, LAST, GOAL)
    result = summary_json(summary)
    assert [day["date"] for day in result["days"]] == ["2026-01-05", "2026-01-06", "2026-01-07"]
    zero = day_json(0, 0, 0, 0, (0,) * 7, None, (0, 0), 0, (0, 0, 0), goal_km=21.0)
    zero["walks"]["days_goal_met"] = 0
    assert result["total"] == zero


def test_summarize_refuses_a_backwards_window() -> None:
    with pytest.raises(ValueError, match="before"):
        summarize(Rows(), LAST, FIRST, GOAL)


# -- the table ------------------------------------------------------------------------


def test_the_table_shows_the_seeded_numbers(history: History) -> None:
    lines = render_table(seeded_summary(history))
    assert lines[0] == "3 days, 2026-01-05 – 2026-01-07 (times in h:mm)"
    monday = [line.split() for line in lines if line.startswith("Mon 01-05")]
    # sitting block, reminders block, moving block
    assert monday[0][2:4] == ["9:00", "3:20"] and monday[0][-2:] == ["1:10", "5"]
    assert monday[1][2:] == ["5", "1", "1", "1", "1", "1", "0", "40%"]
    assert monday[2][2:] == ["2", "1", "0:05", "7.5", "40", "met"]
    totals = [line.split() for line in lines if line.startswith("total")]
    assert totals[0] == ["total", "21:57", "7:20", "1:30", "9"]
    assert totals[1] == ["total", "8", "3", "1", "1", "1", "1", "0", "50%"]
    assert totals[2] == ["total", "3", "2", "0:18", "7.5", "70", "1/3"]
    wednesday = [line.split() for line in lines if line.startswith("Wed 01-07")]
    assert wednesday[1][-1] == "–"
    assert lines[-1] == "walking goal: 7 km a day"


def test_the_table_columns_line_up(history: History) -> None:
    lines = render_table(seeded_summary(history))
    block = lines[2:8]  # header, three days, rule, total
    assert len({len(line) for line in block[:1] + block[4:5]}) == 1
    header = block[0]
    for line in block[1:4] + block[5:]:
        # right-aligned numbers end under the end of their header
        assert line[header.index("breaks") + len("breaks") - 1] != " "


def test_bars_scale_to_the_longest_day() -> None:
    assert bar(100, 100) == "█" * 10
    assert bar(50, 100) == "█" * 5
    assert bar(55, 100) == "█" * 5 + "▌"
    assert bar(0, 100) == ""
    assert bar(1, 1000) == "▏"
    assert bar(55, 100, unicode=False) == "#" * 5
    assert bar(1, 1000, unicode=False) == "#"


def test_hours_minutes_rounds_to_the_nearest_minute() -> None:
    assert [hours_minutes(s) for s in (0, 29, 30, 750, 3599, 3600, 79000)] == [
        "0:00",
        "0:00",
        "0:01",
        "0:13",
        "1:00",
        "1:00",
        "21:57",
    ]


# -- the store ------------------------------------------------------------------------


def write_version_1(path: Path) -> None:
    """A history file as the first release of the schema left it."""
    db = sqlite3.connect(path)
    db.executescript(store.MIGRATIONS[0])
    db.execute("INSERT INTO sitting (ended_at, seconds) VALUES ('2026-01-05T09:00:00+01:00', 600)")
    db.execute(
        "INSERT INTO reminders (shown_at, exercise, sat_seconds, notifier, outcome, answered_at)"
        " VALUES ('2026-01-05T09:00:00+01:00', 'crunch', 2700, 'log', 'accepted',"
        " '2026-01-05T09:00:30+01:00')"
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def test_a_version_1_file_is_migrated_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    write_version_1(path)
    history = History(path)
    assert history.schema_version == len(store.MIGRATIONS) == 3
    assert history.count("sitting") == 1 and history.count("reminders") == 1
    assert history.count("presence") == 0 and history.count("walks") == 0
    presence = history.record_presence(at(5, 8), at(5, 9), 3600)
    walk = history.record_walk(at(5, 12), km=2.5)
    history.close()

    again = History(path)  # a second open does not run a migration twice
    assert again.schema_version == len(store.MIGRATIONS)
    assert again.presence() == [PresenceRow(presence, at(5, 8), at(5, 9), 3600)]
    assert again.walks() == [WalkRow(walk, at(5, 12), 2.5, None)]
    assert again.sitting() == [SittingRow(1, at(5, 9), 600)]
    assert again.integrity_ok()
    again.close()


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    History(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {len(store.MIGRATIONS) + 1}")
    db.commit()
    db.close()
    with pytest.raises(store.HistoryTooNew, match="newer deskguard"):
        History(path)


def test_presence_and_walks_are_checked(history: History) -> None:
    with pytest.raises(ValueError, match="before it starts"):
        history.record_presence(at(5, 9), at(5, 8), 10)
    with pytest.raises(ValueError, match="negative"):
        history.record_presence(at(5, 8), at(5, 9), -1)
    with pytest.raises(ValueError, match="negative km"):
        history.record_walk(at(5, 8), km=-1)
    with pytest.raises(ValueError, match="negative minutes"):
        history.record_walk(at(5, 8), minutes=-5)
    assert history.count("presence") == SEEDED_ROWS["presence"]
    assert history.count("walks") == SEEDED_ROWS["walks"]


def test_reads_select_by_local_day_and_keep_order(history: History) -> None:
    assert [row.ended_at for row in history.sitting(date(2026, 1, 7))] == [
        at(7, 0, 20),
        at(7, 11),
        at(8, 0, 5),
    ]
    assert [row.seconds for row in history.presence(LAST)] == [7000, 10800]
    routines = history.routines(date(2026, 1, 6))
    assert [(r.kind, r.steps_done, r.finished_at) for r in routines] == [
        ("full", 8, at(6, 10, 13, 30))
    ]
    assert [(w.km, w.minutes) for w in history.walks(FIRST)] == [(3.5, 40), (4, None), (None, 30)]


def test_export_rows_are_every_table_as_stored(history: History) -> None:
    rows = history.export_rows()
    counts = {table: sum(1 for name, _ in rows if name == table) for table in SEEDED_ROWS}
    assert counts == SEEDED_ROWS
    first_walk = next(row for table, row in rows if table == "walks")
    assert first_walk == {
        "id": 1,
        "logged_at": "2026-01-04T10:00:00+01:00",
        "km": 10.0,
        "minutes": None,
    }
    since = history.export_rows(date(2026, 1, 7))
    assert sorted({table for table, _ in since}) == ["presence", "reminders", "sitting"]
    assert len(since) == 3 + 1 + 2  # sitting, the 8th's reminder, presence
    assert history.columns()["presence"] == ["id", "started_at", "ended_at", "seconds"]


# -- the chart ------------------------------------------------------------------------


def test_chart_without_matplotlib_says_what_to_install(
    history: History, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import now raises ImportError
    with pytest.raises(UserError, match=r"install deskguard\[chart\]"):
        chart(seeded_summary(history).days, tmp_path / "week.png")
    assert not (tmp_path / "week.png").exists()


def test_chart_needs_png_or_svg(history: History, tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"\.png or \.svg"):
        chart(seeded_summary(history).days, tmp_path / "week.jpg")


def test_chart_writes_a_png(history: History, tmp_path: Path) -> None:
    from PIL import Image

    target = tmp_path / "charts" / "week.PNG"
    chart(seeded_summary(history).days, target)
    with Image.open(target) as image:
        assert image.format == "PNG"
        assert image.size == (1000, 500)


# -- walk amounts -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("3.5km", ("km", 3.5)),
        ("3,5 km", ("km", 3.5)),
        ("4k", ("km", 4.0)),
        ("40m", ("minutes", 40.0)),
        ("40min", ("minutes", 40.0)),
        ("25 minutes", ("minutes", 25.0)),
        ("1h", ("minutes", 60.0)),
        ("1h30m", ("minutes", 90.0)),
        ("2h5m", ("minutes", 125.0)),
        ("1.5h", ("minutes", 90.0)),
        ("20", ("km", 20.0)),
        ("5.5", ("km", 5.5)),
        ("21", ("minutes", 21.0)),
        ("45", ("minutes", 45.0)),
    ],
)
def test_walk_amounts(text: str, parsed: tuple[str, float]) -> None:
    assert parse_walk_amount(text) == parsed


@pytest.mark.parametrize("text", ["", "km", "3.5 miles", "-2km", "1.5h30m", "2h5", "abc"])
def test_walk_amounts_that_are_not(text: str) -> None:
    with pytest.raises(ValueError, match="not a distance or a time"):
        parse_walk_amount(text)


def test_deferrals_count_per_day(history: History) -> None:
    history.record_deferral(at(5, 10), ("meeting",))
    history.record_deferral(at(5, 11), ("fullscreen", "do-not-disturb"))
    history.record_deferral(at(6, 9), ("camera",))
    assert [row.reasons for row in history.deferrals()] == [
        ("meeting",),
        ("fullscreen", "do-not-disturb"),
        ("camera",),
    ]
    summary = summarize(
        read_rows(history, date(2026, 1, 5)), date(2026, 1, 5), date(2026, 1, 6), GOAL
    )
    assert [day.figures.deferrals for day in summary.days] == [2, 1]
    assert summary_json(summary)["total"]["deferred"] == 3
