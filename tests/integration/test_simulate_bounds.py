"""`deskguard simulate` on hostile and absurd traces, through the real executable: its cost
follows the rows, never the seconds they span nor the size of a line, and what it refuses
gets one line naming the line of the trace, exit code 1 and no traceback.

Every run is capped (tests.support.measured): a regression that spins runs into the
timeout, one that grows into the address-space limit, so it fails instead of hanging
the suite or filling the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from subprocess import DEVNULL
from typing import IO

import pytest

from deskguard.core.trace import MAX_SECONDS
from tests.support.env import isolated_env
from tests.support.measured import Measured, run_measured

HEADER = "time,idle_seconds,event\n"
# Far more than the simulation needs (about 45 MB resident), far less than a regression.
ADDRESS_SPACE_MIB = 512
# Generous: each of these traces takes well under a second and, before the bounds, took
# from minutes to forever.
TIMEOUT = 60.0
# What any of these runs may reach resident; the interpreter and deskguard take about 45.
PEAK_RSS_MIB = 120


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    env = isolated_env(tmp_path)
    env["DESKGUARD_ACTIVITY__POLL"] = "1s"  # the most polls a span can have
    return env


def simulate(
    env: dict[str, str], trace: Path | str, *options: str, stdin: IO[bytes] | int = DEVNULL
) -> Measured:
    args = [sys.executable, "-m", "deskguard", "simulate", str(trace), *options]
    result = run_measured(args, env, stdin, TIMEOUT, ADDRESS_SPACE_MIB)
    assert not result.timed_out, f"simulate ran for more than {TIMEOUT} s"
    assert "Traceback" not in result.stderr, result.stderr
    assert result.peak_rss_mib < PEAK_RSS_MIB, result.peak_rss_mib
    return result


def write(folder: Path, text: str | bytes, name: str = "trace.csv") -> Path:
    path = folder / name
    if isinstance(text, str):
        path.write_text(text)
    else:
        path.write_bytes(text)
    return path


def assert_refused(result: Measured, trace: Path | str, reason: str) -> None:
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"deskguard: {trace}: malformed trace: {reason}\n"


def events(result: Measured) -> list[tuple[float, str]]:
    assert result.returncode == 0, result.stderr
    return [(event["t"], event["kind"]) for event in json.loads(result.stdout)["events"]]


# -- times --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ("0,0,\n1e308,0,\n", "line 3: time 1e308 is more than 315360000 seconds (10 years)"),
        (
            "0,0,suspend\n1e308,0,resume\n",
            "line 3: time 1e308 is more than 315360000 seconds (10 years)",
        ),
        ("0,0,\n1e999,0,\n", "line 3: time 1e999 is more than 315360000 seconds (10 years)"),
        ("0,0,\ninf,0,\n", "line 3: time inf is more than 315360000 seconds (10 years)"),
        (
            f"0,0,\n{MAX_SECONDS + 1},0,\n",
            "line 3: time 315360001 is more than 315360000 seconds (10 years)",
        ),
        (
            "0,1e12,\n",
            "line 2: idle_seconds 1e12 is more than 315360000 seconds (10 years)",
        ),
    ],
)
def test_a_time_beyond_ten_years_is_refused_naming_its_line(
    env: dict[str, str], tmp_path: Path, rows: str, reason: str
) -> None:
    trace = write(tmp_path, HEADER + rows)
    assert_refused(simulate(env, trace), trace, reason)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # Sitting for ten years: one reminder, and nobody to answer it.
        (f"0,0,\n{MAX_SECONDS},0,\n", [(2700, "reminder")]),
        ("0,0,\n1e8,0,\n", [(2700, "reminder")]),  # took 52 s at a tick every 10 s
        # Asleep for ten years: waking up is a natural break after 100 s of sitting.
        (f"0,0,\n100,0,suspend\n{MAX_SECONDS},0,resume\n", [(MAX_SECONDS, "natural_break")]),
        # Locked for ten years: a natural break 5 minutes into it.
        (f"0,0,\n100,0,lock\n{MAX_SECONDS},0,unlock\n", [(400, "natural_break")]),
        # Away from the keyboard for ten years.
        (f"0,0,\n100,400,\n{MAX_SECONDS},0,\n", [(100, "natural_break")]),
    ],
)
def test_the_longest_trace_costs_what_its_rows_cost(
    env: dict[str, str], tmp_path: Path, rows: str, expected: list[tuple[float, str]]
) -> None:
    trace = write(tmp_path, HEADER + rows)
    assert events(simulate(env, trace, "--json")) == expected


def test_ten_years_of_working_hours_cost_a_few_readings_a_day(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Each start and end of working hours is read (a reminder may fall due at a start);
    the rest of a day is skipped. The trace starts on Monday 2026-01-05 08:00."""
    env["DESKGUARD_SCHEDULE__ACTIVE"] = '["mon-fri 09:00-09:30"]'
    env["DESKGUARD_REMINDER__SIT_LIMIT"] = "2h"
    trace = write(tmp_path, HEADER + f"0,0,\n7200,0,skip\n8000,0,\n{MAX_SECONDS},0,\n")
    # 08:00 + 2 h is off hours: none then. The skip is refused; the next working period
    # starts on Tuesday at 09:00, 25 h after the start.
    assert events(simulate(env, trace, "--json")) == [(7200, "rejected"), (90000, "reminder")]


# -- lines and bytes --------------------------------------------------------------------


def test_dev_zero_is_not_text(env: dict[str, str]) -> None:
    """It grew to 16 GB before: the whole "line" was read first."""
    assert_refused(simulate(env, "/dev/zero"), "/dev/zero", "line 1: not text (a NUL byte)")


def test_an_endless_line_is_refused_at_its_first_kilobyte(env: dict[str, str]) -> None:
    """A line with no end, through a pipe: memory stays flat (one 200 MB line took 1.6 GB)."""
    endless = "printf 'time,idle_seconds,event\\n0,0,\\n'; exec tr '\\0' 7 < /dev/zero"
    producer = subprocess.Popen(["sh", "-c", endless], stdout=subprocess.PIPE)
    assert producer.stdout is not None
    try:
        result = simulate(env, "/dev/stdin", stdin=producer.stdout)
    finally:
        producer.kill()
        producer.wait()
    assert_refused(result, "/dev/stdin", "line 3: longer than 1024 bytes")


def test_a_long_line_in_a_file_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    trace = write(tmp_path, HEADER + "0,0,\n" + "1" * 5_000_000 + ",0,\n")
    assert_refused(simulate(env, trace), trace, "line 3: longer than 1024 bytes")


def test_a_line_of_exactly_the_bound_is_read(env: dict[str, str], tmp_path: Path) -> None:
    comment = "#" + "x" * 1023 + "\r\n"  # 1024 bytes and a Windows line break
    trace = write(tmp_path, comment + HEADER + "0,0,\n3000,0,\n")
    assert events(simulate(env, trace, "--json")) == [(2700, "reminder")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "line 1: not text (not UTF-8)"),
        (b"\xff\xfe\x00t\x00i\x00m\x00e", "line 1: not text (a NUL byte)"),  # UTF-16
        (b"\xc0\xff\xee\n", "line 1: not text (not UTF-8)"),
        (HEADER.encode() + b"0,0,\n5,0,\n# caf\xe9 (Latin-1)\n", "line 4: not text (not UTF-8)"),
        (HEADER.encode() + b"0,0,\n" * 30_000 + b"7\x00,0,\n", "line 30002: not text (a NUL byte)"),
    ],
)
def test_a_binary_file_is_not_text(
    env: dict[str, str], tmp_path: Path, content: bytes, reason: str
) -> None:
    trace = write(tmp_path, content)
    assert_refused(simulate(env, trace), trace, reason)


def test_a_byte_order_mark_is_allowed(env: dict[str, str], tmp_path: Path) -> None:
    trace = write(tmp_path, b"\xef\xbb\xbf" + (HEADER + "0,0,\n3000,0,\n").encode())
    assert events(simulate(env, trace, "--json")) == [(2700, "reminder")]


# -- the timeline is streamed -----------------------------------------------------------


def peak_for_rejected_actions(env: dict[str, str], folder: Path, rows: int) -> Measured:
    """`rows` skips with nothing to skip: an event ("rejected") for every row."""
    lines = "0,0,skip\n" * rows
    return simulate(env, write(folder, HEADER + lines, f"skips-{rows}.csv"))


def test_memory_does_not_grow_with_the_timeline(env: dict[str, str], tmp_path: Path) -> None:
    """The timeline is printed as it comes, not kept: six times the events, the same peak
    (kept, 100,000 events took about 35 MB more)."""
    few = peak_for_rejected_actions(env, tmp_path, 20_000)
    many = peak_for_rejected_actions(env, tmp_path, 120_000)
    assert many.returncode == few.returncode == 0
    assert len(many.stdout.splitlines()) == 120_000 + 1  # and the summary line
    assert many.peak_rss_mib - few.peak_rss_mib < 8, (few.peak_rss_mib, many.peak_rss_mib)


def test_the_streamed_json_is_the_document_it_always_was(env: dict[str, str]) -> None:
    trace = Path(__file__).resolve().parents[2] / "config" / "traces" / "office-day.csv"
    result = simulate(env, trace, "--json")
    document = json.loads(result.stdout)
    assert len(document["events"]) == 13
    assert result.stdout == json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def test_an_empty_trace_is_an_empty_timeline(env: dict[str, str], tmp_path: Path) -> None:
    trace = write(tmp_path, HEADER)
    assert simulate(env, trace, "--json").stdout == '{\n  "events": []\n}\n'
    assert simulate(env, trace).stdout == "0 reminders, 0 natural breaks\n"


def test_a_malformed_line_stops_the_timeline_there(env: dict[str, str], tmp_path: Path) -> None:
    trace = write(tmp_path, HEADER + "0,0,\n2760,0,accept\n2770,0,dance\n")
    result = simulate(env, trace)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "00:45:00  reminder: standing-back-bend after 45 min sitting",
        "00:46:00  accepted",
    ]
    expected = "line 4: unknown event 'dance' (expected one of"
    assert result.stderr.startswith(f"deskguard: {trace}: malformed trace: {expected}")
    assert result.stderr.count("\n") == 1


# -- the start ----------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["9999-12-31", "0001-01-01"])
def test_a_start_off_the_calendar_is_a_usage_error(
    env: dict[str, str], tmp_path: Path, start: str
) -> None:
    """A wall clock ten years past the start (or an idle time before it) must exist."""
    trace = write(tmp_path, HEADER + f"0,0,\n{MAX_SECONDS},0,\n")
    result = simulate(env, trace, "--start", start)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--start': must be between 1900-01-01 and 8999-12-31"
    )
