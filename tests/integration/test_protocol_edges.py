"""Requests at the edges of the control protocol, sent to the real daemon: numbers too
long for Python to read, ids past what the history holds, routines that are not under
way, pauses until anything but "tomorrow", waits under a second or over a year.

Each gets a clear "bad request" reply, changes nothing, and the daemon goes on answering
with no traceback in its log.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.hostile import assert_healthy, refused, request, running
from tests.integration.test_fault_socket import control_socket, exchange_one
from tests.support.polling import poll
from tests.support.process import DeskguardProcess

LARGEST_ID = 2**63 - 1


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DeskguardProcess]:
    with running(tmp_path) as process:
        yield process


@pytest.mark.parametrize(
    "line",
    [
        b'{"v": 1, "cmd": "snooze", "args": {"seconds": ' + b"9" * 5000 + b"}}",
        b'{"v": ' + b"1" * 5000 + b', "cmd": "status"}',
        b'{"v": 1, "cmd": "routine-progress", "args": {"event": "finished", "routine_id": '
        + b"7" * 4301
        + b', "steps_done": 1}}',
        b'{"v": 1, "cmd": "status", "args": {"a": [' + b"-" + b"1" * 6000 + b"]}}",
    ],
    ids=["seconds", "version", "routine id", "nested"],
)
def test_an_integer_too_long_to_read_gets_an_error_reply(
    daemon: DeskguardProcess, line: bytes
) -> None:
    answer = exchange_one(control_socket(daemon), line)
    assert answer is not None, "no reply at all"
    refused(answer, "a number with too many digits")
    assert_healthy(daemon)


@pytest.mark.parametrize(
    "args",
    [
        {"event": "finished", "routine_id": 2**70, "steps_done": 1},
        {"event": "step", "routine_id": LARGEST_ID + 1, "steps_done": 1},
        {"event": "step", "routine_id": 1, "steps_done": 2**64},
        {"event": "started", "kind": "quick", "steps_total": 2**63},
        {"event": "finished", "routine_id": 0, "steps_done": 1},
    ],
    ids=["id 2**70", "id 2**63", "steps 2**64", "total 2**63", "id 0"],
)
def test_numbers_past_what_the_history_holds_are_refused(
    daemon: DeskguardProcess, args: dict[str, Any]
) -> None:
    refused(request(daemon, "routine-progress", args), f"{LARGEST_ID}")
    assert assert_healthy(daemon)["state"] == "active"


def test_finishing_a_routine_that_is_not_under_way_is_no_break(
    daemon: DeskguardProcess,
) -> None:
    poll(lambda: daemon.status()["sitting_seconds"] >= 2, what="some sitting")
    for routine_id in (999, LARGEST_ID):
        args = {"event": "finished", "routine_id": routine_id, "steps_done": 4}
        refused(request(daemon, "routine-progress", args), f"no routine {routine_id}")
    assert daemon.status()["sitting_seconds"] >= 2, "an unknown routine counted as a break"

    started = {"event": "started", "kind": "quick", "steps_total": 4}
    routine_id = request(daemon, "routine-progress", started)["result"]["routine_id"]
    finished = {"event": "finished", "routine_id": routine_id, "steps_done": 4}
    assert request(daemon, "routine-progress", finished)["ok"] is True
    assert daemon.status()["sitting_seconds"] < 2  # the real one is a break
    poll(lambda: daemon.status()["sitting_seconds"] >= 2, what="sitting again")
    # Told twice that it finished: the second time is not another break.
    refused(request(daemon, "routine-progress", finished), f"no routine {routine_id}")
    refused(request(daemon, "routine-progress", {**finished, "event": "step"}))
    assert daemon.status()["sitting_seconds"] >= 2
    assert_healthy(daemon)


@pytest.mark.parametrize(
    "args",
    [
        {"until": "2001-01-01T00:00:00"},
        {"until": "yesterday"},
        {"until": None},
        {"until": 0},
        {"until": "tomorrow", "seconds": 60},
    ],
    ids=["a past time", "yesterday", "null", "zero", "both"],
)
def test_a_pause_until_anything_but_tomorrow_is_refused_not_forever(
    daemon: DeskguardProcess, args: dict[str, Any]
) -> None:
    refused(request(daemon, "pause", args), "until must be")
    status = assert_healthy(daemon)
    assert status["state"] == "active" and status["paused_until"] is None


@pytest.mark.parametrize(
    ("cmd", "seconds"),
    [
        ("snooze", "1e-300"),
        ("snooze", "0.5"),
        ("snooze", "5e-324"),
        ("pause", "1e-300"),
        ("pause", "0.999"),
        ("snooze", "31622401"),
    ],
)
def test_a_wait_under_a_second_or_over_a_year_is_refused_and_uses_up_nothing(
    daemon: DeskguardProcess, cmd: str, seconds: str
) -> None:
    before = daemon.status()
    refused(request(daemon, cmd, raw=f'{{"seconds": {seconds}}}'), "from 1 to 31622400")
    after = assert_healthy(daemon)
    for key in ("state", "snoozes_left", "snoozed_until", "paused_until"):
        assert after[key] == before[key], (key, before, after)
    # The bounds are inclusive: one second is a snooze.
    if cmd == "snooze":
        assert request(daemon, "snooze", {"seconds": 1})["ok"] is True
        assert daemon.status()["snoozes_left"] == before["snoozes_left"] - 1
