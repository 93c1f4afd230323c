"""The SQLite history: schema versions, damaged files, and writes read back."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from deskguard.core.records import ReminderRow
from deskguard.store import (
    MIGRATIONS,
    OUTCOMES,
    History,
    HistoryTooNew,
    HistoryUnavailable,
    open_history,
    schema,
)

T0 = datetime(2026, 1, 5, 9, 30, 15)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "deskguard" / "history.sqlite3"


@pytest.fixture
def history(path: Path) -> Iterator[History]:
    opened = History(path)
    yield opened
    opened.close()


def pragma(path: Path, name: str) -> object:
    with sqlite3.connect(path) as db:
        return db.execute(f"PRAGMA {name}").fetchone()[0]


def test_a_new_file_is_created_with_its_folder_in_wal_mode(path: Path, history: History) -> None:
    assert path.is_file()
    assert pragma(path, "journal_mode") == "wal"


def test_a_new_file_has_the_latest_schema(path: Path, history: History) -> None:
    assert history.schema_version == len(MIGRATIONS) == 3
    assert pragma(path, "user_version") == len(MIGRATIONS)
    assert set(history.columns()) == {
        "sitting",
        "reminders",
        "routines",
        "presence",
        "walks",
        "deferrals",
    }
    assert history.columns()["reminders"] == [
        "id",
        "shown_at",
        "exercise",
        "sat_seconds",
        "notifier",
        "outcome",
        "answered_at",
    ]


def test_reopening_keeps_the_rows_and_runs_no_migration_again(path: Path) -> None:
    first = History(path)
    first.record_reminder(T0, "crunch", 2700, "dbus")
    first.close()
    second = History(path)  # a re-run CREATE TABLE would fail
    assert second.schema_version == len(MIGRATIONS)
    assert [row.exercise for row in second.reminders()] == ["crunch"]
    second.close()


def test_only_the_missing_migrations_run(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    History(path).close()
    third = "CREATE TABLE marks (n INTEGER); INSERT INTO marks VALUES (1)"
    monkeypatch.setattr(schema, "MIGRATIONS", (*MIGRATIONS, third))
    for _ in range(2):
        reopened = History(path)
        assert reopened.schema_version == len(MIGRATIONS) + 1
        reopened.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM marks").fetchone()[0] == 1


def test_a_file_from_a_newer_version_is_refused(path: Path) -> None:
    History(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(HistoryTooNew, match=r"newer deskguard \(schema 99\): upgrade deskguard"):
        History(path)
    assert pragma(path, "user_version") == 99  # left as it was


def test_open_history_moves_a_garbage_file_aside_and_starts_a_new_one(path: Path) -> None:
    path.parent.mkdir(parents=True)
    garbage = b"this is not a database\n" * 200
    path.write_bytes(garbage)
    now = datetime(2026, 1, 5, 8, 7, 6)

    history, note = open_history(path, now)
    try:
        aside = path.with_name("history.sqlite3.corrupt-20260105-080706")
        assert aside.read_bytes() == garbage  # kept, never deleted
        assert note is not None
        title, message = note
        assert title == "deskguard started a new history"
        assert "could not be read (not a database)" in message
        assert str(aside) in message
        assert ".corrupt-" in aside.name
        assert history.schema_version == len(MIGRATIONS)
        reminder = history.record_reminder(T0, None, 60, "log")
        assert [row.id for row in history.reminders()] == [reminder]
        assert history.integrity_ok()
    finally:
        history.close()


def test_open_history_leaves_a_file_from_a_newer_version_in_place(path: Path) -> None:
    History(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")
    before = path.read_bytes()
    history, note = open_history(path, datetime(2026, 1, 5, 8, 7, 6))
    try:
        assert note is not None
        title, message = note
        assert title == "deskguard is not recording its history"
        assert "written by a newer deskguard (schema 99): upgrade deskguard" in message
        with pytest.raises(HistoryUnavailable, match="newer deskguard"):
            history.record_sitting(T0, 60)
        assert history.sitting() == []  # the daemon reads nothing rather than failing
    finally:
        history.close()
    assert [p.name for p in path.parent.iterdir() if ".corrupt-" in p.name] == []
    assert path.read_bytes() == before and pragma(path, "user_version") == 99


def test_open_history_of_a_good_file_has_no_message(path: Path) -> None:
    History(path).close()
    history, note = open_history(path, T0)
    history.close()
    assert note is None
    assert [p.name for p in path.parent.iterdir() if ".corrupt-" in p.name] == []


def test_reminders_and_outcomes_round_trip(history: History) -> None:
    first = history.record_reminder(T0, "standing-back-bend", 2712.5, "dbus")
    second = history.record_reminder(T0 + timedelta(hours=1), None, 2700, "log")
    history.record_outcome(first, "snoozed", T0 + timedelta(seconds=30))
    assert second == first + 1
    assert history.reminders() == [
        ReminderRow(
            id=first,
            shown_at=T0,
            exercise="standing-back-bend",
            sat_seconds=2712.5,
            notifier="dbus",
            outcome="snoozed",
            answered_at=T0 + timedelta(seconds=30),
        ),
        ReminderRow(
            id=second,
            shown_at=T0 + timedelta(hours=1),
            exercise=None,
            sat_seconds=2700,
            notifier="log",
            outcome=None,
            answered_at=None,
        ),
    ]
    assert [row.id for row in history.reminders(since=T0 + timedelta(minutes=1))] == [second]
    assert history.count("reminders") == 2


def test_times_keep_their_offset_and_lose_microseconds(history: History) -> None:
    zone = timezone(timedelta(hours=1))
    shown = datetime(2026, 1, 5, 9, 0, 0, 999_999, tzinfo=zone)
    history.record_reminder(shown, "crunch", 1, "dbus")
    [row] = history.reminders()
    assert row.shown_at == shown.replace(microsecond=0)
    assert row.shown_at.utcoffset() == timedelta(hours=1)


@pytest.mark.parametrize("outcome", sorted(OUTCOMES))
def test_every_known_outcome_is_stored(history: History, outcome: str) -> None:
    reminder = history.record_reminder(T0, "crunch", 100, "dbus")
    history.record_outcome(reminder, outcome, T0)
    assert history.reminders()[0].outcome == outcome


@pytest.mark.parametrize("outcome", ["ignored", "", "Accepted", "natural_break"])
def test_an_unknown_outcome_is_refused_and_nothing_changes(history: History, outcome: str) -> None:
    reminder = history.record_reminder(T0, "crunch", 100, "dbus")
    with pytest.raises(ValueError, match="unknown reminder outcome"):
        history.record_outcome(reminder, outcome, T0)
    assert history.reminders()[0].outcome is None
    assert history.reminders()[0].answered_at is None


def test_sitting_round_trips_and_filters_by_day(history: History) -> None:
    a = history.record_sitting(datetime(2026, 1, 4, 23, 59, 59), 1200.5)
    b = history.record_sitting(datetime(2026, 1, 5, 0, 0, 0), 60)
    assert [(r.id, r.ended_at, r.seconds) for r in history.sitting()] == [
        (a, datetime(2026, 1, 4, 23, 59, 59), 1200.5),
        (b, datetime(2026, 1, 5), 60),
    ]
    assert [r.id for r in history.sitting(since=date(2026, 1, 5))] == [b]
    assert history.sitting(since=date(2026, 1, 6)) == []


def test_a_negative_sitting_time_is_refused_by_the_schema(history: History) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        history.record_sitting(T0, -1)
    assert history.count("sitting") == 0


def test_routines_round_trip_with_progress(history: History) -> None:
    routine = history.start_routine(T0, "quick", 6)
    assert history.routines()[0].steps_done == 0
    history.routine_progress(routine, 3)
    assert (history.routines()[0].steps_done, history.routines()[0].finished_at) == (3, None)
    history.routine_progress(routine, 6, T0 + timedelta(minutes=2))
    [row] = history.routines()
    assert (row.id, row.started_at, row.kind, row.steps_total) == (routine, T0, "quick", 6)
    assert (row.steps_done, row.finished_at) == (6, T0 + timedelta(minutes=2))


def test_presence_round_trips_and_is_checked(history: History) -> None:
    end = T0 + timedelta(hours=2)
    span = history.record_presence(T0, end, 7000)
    [row] = history.presence()
    assert (row.id, row.started_at, row.ended_at, row.seconds) == (span, T0, end, 7000)
    with pytest.raises(ValueError, match="ends .* before it starts"):
        history.record_presence(end, T0, 10)
    with pytest.raises(ValueError, match="cannot be negative"):
        history.record_presence(T0, end, -1)
    assert history.count("presence") == 1


def test_walks_round_trip_and_are_checked(history: History) -> None:
    both = history.record_walk(T0, km=2.5, minutes=30)
    neither = history.record_walk(T0 + timedelta(hours=1))
    assert [(w.id, w.km, w.minutes) for w in history.walks()] == [
        (both, 2.5, 30),
        (neither, None, None),
    ]
    with pytest.raises(ValueError, match="negative km"):
        history.record_walk(T0, km=-1)
    with pytest.raises(ValueError, match="negative minutes"):
        history.record_walk(T0, minutes=-0.5)
    assert history.count("walks") == 2


def test_count_refuses_an_unknown_table(history: History) -> None:
    with pytest.raises(ValueError, match="no table 'users'"):
        history.count("users")


def test_integrity_is_ok_after_writes(path: Path, history: History) -> None:
    for n in range(50):
        history.record_reminder(T0 + timedelta(minutes=n), "crunch", n, "dbus")
    assert history.integrity_ok() is True
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_every_write_is_committed_at_once(path: Path, history: History) -> None:
    history.record_reminder(T0, "crunch", 1, "dbus")
    history.record_sitting(T0, 10)
    # a second connection sees the rows while the first is still open
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM reminders").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM sitting").fetchone()[0] == 1


def test_a_garbage_file_keeps_its_wal_and_shm_companions(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 100)
    for suffix, content in (("-wal", b"wal pages"), ("-shm", b"shared memory")):
        path.with_name(path.name + suffix).write_bytes(content)
    history, _message = open_history(path, datetime(2026, 1, 5, 8, 0, 0))
    history.close()
    aside = path.with_name("history.sqlite3.corrupt-20260105-080000")
    assert aside.with_name(aside.name + "-wal").read_bytes() == b"wal pages"
    assert aside.with_name(aside.name + "-shm").read_bytes() == b"shared memory"
