"""The daemon's history: a file it cannot use now is left in place and tried again."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from deskguard.store import HistoryUnavailable, RetryingHistory, open_history, opening, retrying

T0 = datetime(2026, 1, 5, 9, 30).astimezone()
NOW = datetime(2026, 1, 5, 8, 7, 6)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "history.sqlite3"


def make_newer(path: Path) -> None:
    RetryingHistory(path).close()
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 99")


def test_a_history_it_cannot_use_is_tried_again_only_after_a_while(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    make_newer(path)
    clock = Clock()
    history = RetryingHistory(path, clock)
    assert history.problem is not None
    tries: list[Path] = []

    def counted(tried: Path) -> sqlite3.Connection:
        tries.append(tried)
        return opening.connect(tried)

    monkeypatch.setattr("deskguard.store.retrying.connect", counted)
    raised: list[HistoryUnavailable] = []
    for _ in range(3):
        with pytest.raises(HistoryUnavailable, match="newer deskguard") as caught:
            history.record_sitting(T0, 60)
        raised.append(caught.value)
    assert tries == [] and len({id(error) for error in raised}) == 3  # fresh, none retried
    assert history.sitting() == [] and history.walks() == []  # reads are best effort

    with sqlite3.connect(path) as db:  # the newer deskguard's file, put back by the user
        db.execute("PRAGMA user_version = 3")
    clock.now += retrying.RETRY_EVERY
    with caplog.at_level(logging.INFO, logger="deskguard"):
        row = history.record_sitting(T0, 60)
    assert tries == [path] and history.problem is None
    assert [r.id for r in history.sitting()] == [row]
    assert f"the history {path} can be used again" in caplog.text
    history.close()


def test_a_problem_that_changes_on_a_retry_is_logged_once(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    make_newer(path)
    clock = Clock()
    history = RetryingHistory(path, clock)
    path.unlink()
    path.mkdir()  # now something else is wrong
    with caplog.at_level(logging.WARNING, logger="deskguard"):
        for _ in range(3):
            clock.now += retrying.RETRY_EVERY
            with pytest.raises(HistoryUnavailable, match="is a directory"):
                history.record_sitting(T0, 60)
    assert [r.getMessage().count("is a directory") for r in caplog.records] == [1]


def test_a_damaged_file_that_cannot_be_moved_aside_stays_and_is_said(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 100)

    def cannot_move(_path: Path, _now: datetime) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("deskguard.store.retrying.move_aside", cannot_move)
    history, note = open_history(path, NOW)
    assert note is not None
    title, message = note
    assert title == retrying.NOT_RECORDING
    assert "is damaged (not a database)" in message and "could not be moved aside" in message
    assert path.read_bytes() == b"garbage" * 100
    with pytest.raises(HistoryUnavailable):
        history.record_sitting(T0, 60)
    history.close()


def test_a_moved_aside_file_whose_new_one_cannot_start_says_both(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"garbage" * 100)

    def move_and_block(damaged: Path, now: datetime) -> Path:
        aside = opening.move_aside(damaged, now)
        damaged.mkdir()  # something takes the file's place at once
        return aside

    monkeypatch.setattr("deskguard.store.retrying.move_aside", move_and_block)
    history, note = open_history(path, NOW)
    assert note is not None
    title, message = note
    assert title == "deskguard started a new history"
    assert "it was moved to" in message and "a new one cannot be started" in message
    assert "is a directory" in message
    history.close()


def test_two_damaged_files_in_one_second_keep_both(path: Path) -> None:
    for content in (b"first garbage", b"second garbage"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content * 10)
        history, _note = open_history(path, NOW)
        history.close()
        path.unlink()
    kept = sorted(p.name for p in path.parent.iterdir() if ".corrupt-" in p.name)
    assert kept == [
        "history.sqlite3.corrupt-20260105-080706",
        "history.sqlite3.corrupt-20260105-080706-1",
    ]
