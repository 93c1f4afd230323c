"""Rows that cannot be right: never written, and left out (and named) when read back."""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from deskguard.store import History, read_rows
from deskguard.store.rows import problem

T0 = datetime(2026, 1, 5, 9, 30).astimezone()
INF, NAN = math.inf, math.nan

# Each stored the way a hostile or broken writer could (the schema's CHECKs let them by).
BAD_ROWS = {
    "sitting": [
        "INSERT INTO sitting (ended_at, seconds) VALUES ('2026-01-05T10:00:00+01:00', 9e999)",
        "INSERT INTO sitting (ended_at, seconds) VALUES ('2026-01-05T10:00:00+01:00', 'abc')",
        "INSERT INTO sitting (ended_at, seconds) VALUES ('garbage', 60)",
        "INSERT INTO sitting (ended_at, seconds) VALUES ('2026-01-05T10:00:00+01:00', 1e300)",
    ],
    "presence": [
        "INSERT INTO presence (started_at, ended_at, seconds)"
        " VALUES ('1970-01-02T00:00:00', '8999-01-01T00:00:00', 60)",
    ],
    "reminders": [
        "INSERT INTO reminders (shown_at, sat_seconds, notifier)"
        " VALUES ('0001-01-01T00:00:00', 2700, 'log')",
    ],
    "routines": [
        "INSERT INTO routines (started_at, kind, steps_total, steps_done)"
        " VALUES ('2026-01-05T10:00:00+01:00', 'quick', 6, -1)",
    ],
    "walks": ["INSERT INTO walks (logged_at, km) VALUES ('2026-01-05T10:00:00+01:00', 1e300)"],
    "deferrals": [
        "INSERT INTO deferrals (deferred_at, reasons) VALUES ('2026-01-05T10:00:00+01:00', x'00')"
    ],
}


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    opened = History(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def plant(path: Path) -> None:
    with contextlib.closing(sqlite3.connect(path)) as db:
        for statements in BAD_ROWS.values():
            for statement in statements:
                db.execute(statement)
        db.commit()


@pytest.mark.parametrize(
    "write",
    [
        lambda h: h.record_sitting(T0, INF),
        lambda h: h.record_sitting(T0, NAN),
        lambda h: h.record_reminder(T0, "crunch", INF, "log"),
        lambda h: h.record_presence(T0, T0 + timedelta(hours=1), INF),
        lambda h: h.record_walk(T0, km=INF),
        lambda h: h.record_walk(T0, minutes=NAN),
    ],
)
def test_a_number_that_is_not_finite_is_never_written(history: History, write: object) -> None:
    with pytest.raises(ValueError, match="refusing to write .* to the history"):
        write(history)  # type: ignore[operator]
    assert sum(history.count(table) for table in ("sitting", "reminders", "presence", "walks")) == 0


def test_rows_that_cannot_be_right_are_left_out_and_named(history: History) -> None:
    good = history.record_sitting(T0, 1200)
    walk = history.record_walk(T0, km=3.5)
    plant(history.path)
    rows = read_rows(history, T0.date())
    assert [row.id for row in rows.sitting] == [good]
    assert [row.id for row in rows.walks] == [walk]
    assert rows.presence == [] and rows.routines == [] and rows.deferrals == []
    assert history.reminders() == []
    assert len(history.skipped) == sum(len(rows) for rows in BAD_ROWS.values())
    assert "sitting 2: seconds is inf, not a number from 0 to 31622400" in history.skipped
    assert "sitting 4: ended_at is 'garbage', not a timestamp" in history.skipped
    assert "presence 1: spans more than a year" in history.skipped
    note = history.skipped_note()
    assert note is not None and "\n" not in note
    assert note.startswith(f"left out {len(history.skipped)} history row(s) that cannot be right")
    assert note.endswith(f"{history.path} keeps them as they are")


def test_reading_twice_names_each_row_once(history: History) -> None:
    plant(history.path)
    history.sitting()
    history.sitting()
    assert len(history.skipped) == len(BAD_ROWS["sitting"])


def test_the_export_leaves_out_the_same_rows_and_is_strict_json(history: History) -> None:
    history.record_sitting(T0, 1200)
    plant(history.path)
    exported = history.export_rows()
    assert [(table, row["id"]) for table, row in exported] == [("sitting", 1)]
    json.dumps([row for _table, row in exported], allow_nan=False)  # no Infinity, no NaN
    assert len(history.skipped) == sum(len(rows) for rows in BAD_ROWS.values())


def test_a_good_history_has_nothing_to_say(history: History) -> None:
    history.record_sitting(T0, 1200)
    history.record_presence(T0, T0 + timedelta(hours=1), 3600)
    read_rows(history, T0.date())
    history.export_rows()
    assert not history.skipped and history.skipped_note() is None


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"id": 1, "seconds": -1.0}, "seconds is -1.0, not a number from 0 to"),
        ({"id": 1, "seconds": True}, "seconds is True, not a number"),
        ({"id": 1, "km": None}, None),
        ({"id": 1, "seconds": None}, "seconds is missing"),
        ({"id": 1, "kind": b"\x00"}, "kind is b'\\x00', not a text"),
        ({"id": 1, "shown_at": "9999-12-31T23:59:59"}, "shown_at is '9999-12-31T23:59:59'"),
        ({"id": 1, "shown_at": "x" * 10_000}, "shown_at is 'xxxxxxxxx"),
        ({"id": "1"}, "id is '1', not a count"),
        (
            {"started_at": "2026-01-05T10:00:00", "finished_at": "2028-01-05T10:00:00+00:00"},
            "spans more than a year",
        ),
        ({"started_at": "2026-01-05T10:00:00", "finished_at": "2026-01-05T10:05:00+01:00"}, None),
    ],
)
def test_what_a_row_may_hold(row: dict[str, object], reason: str | None) -> None:
    found = problem(row)
    if reason is None:
        assert found is None
    else:
        assert found is not None and found.startswith(reason)
        assert len(found) < 120  # a huge stored value is not repeated in full
