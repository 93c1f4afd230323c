"""The routine window under Xvfb: it opens, counts down, obeys its buttons and keys, records.

The window is followed through DESKGUARD_ROUTINE_TRACE (a test aid: the player appends
its state and, once drawn, its buttons' screen rectangles to that file as JSON lines),
and driven with xdotool like a person would: pointer clicks and key presses.
DESKGUARD_ROUTINE_SPEED makes the routine run faster than real time.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.desktop import HeadlessDesktop
from tests.support.process import (
    DeskguardProcess,
    deskguard_executable,
    history_path,
    poll,
    write_config,
)

TITLE = "deskguard routine"


class RoutineWindowProcess:
    """`deskguard routine ...` on the test desktop, with its trace file."""

    def __init__(
        self,
        desktop: HeadlessDesktop,
        tmp_path: Path,
        speed: float,
        *args: str,
        command: tuple[str, ...] | None = None,
    ):
        self.desktop = desktop
        self.trace = tmp_path / "routine-trace.jsonl"
        env = {
            **desktop.env,
            "DESKGUARD_ROUTINE_SPEED": str(speed),
            "DESKGUARD_ROUTINE_TRACE": str(self.trace),
        }
        self.env = env
        self.process = subprocess.Popen(
            [*(command or (deskguard_executable(), "routine")), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def records(self) -> list[dict[str, Any]]:
        if not self.trace.exists():
            return []
        return [json.loads(line) for line in self.trace.read_text().splitlines() if line]

    def states(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if "state" in r]

    def wait_for(
        self, check: Callable[[dict[str, Any]], bool], what: str, timeout: float = 20
    ) -> dict[str, Any]:
        """The first trace record (state or event) matching `check`."""

        def found() -> dict[str, Any] | None:
            if self.process.poll() is not None and not any(check(r) for r in self.records()):
                raise AssertionError(f"the routine exited while waiting for {what}: {self.output}")
            return next((r for r in self.records() if check(r)), None)

        return poll(found, timeout=timeout, what=what)

    def wait_for_window(self) -> str:
        def window() -> str | None:
            found = self.desktop.run(["xdotool", "search", "--name", TITLE], check=False)
            return found.stdout.split()[0] if found.stdout.split() else None

        return poll(window, timeout=20, what="the routine window")

    def click(self, box: list[int]) -> None:
        x, y, width, height = box
        self.desktop.xdotool("mousemove", str(x + width // 2), str(y + height // 2), "click", "1")

    def finish(self, timeout: float = 30) -> int:
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.process.returncode

    @property
    def output(self) -> str:
        if self.process.poll() is None:
            return "(still running)"
        out, err = self.process.communicate()
        return f"stdout:\n{out}\nstderr:\n{err}"

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


def skip_health_notice(env: dict[str, str]) -> None:
    marker = Path(env["XDG_STATE_HOME"]) / "deskguard" / "health-notice-shown"
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text("shown\n")


def routine_rows(env: dict[str, str]) -> list[dict[str, Any]]:
    with sqlite3.connect(history_path(env)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM routines ORDER BY id")]


@pytest.fixture
def daemon(desktop: HeadlessDesktop, tmp_path: Path) -> Iterator[DeskguardProcess]:
    write_config(
        desktop.env,
        '[reminder]\nsit_limit = "1h"\nnatural_break = "1h"\n[activity]\npoll = "1s"\n',
    )
    process = DeskguardProcess(desktop.env, tmp_path / "deskguard.log").start()
    yield process
    process.stop()


def test_window_counts_down_skips_and_a_finished_routine_resets_sitting(
    desktop: HeadlessDesktop, daemon: DeskguardProcess, tmp_path: Path
) -> None:
    skip_health_notice(desktop.env)

    def sitting_a_while() -> dict[str, Any] | None:
        status = daemon.status()
        return status if status["sitting_seconds"] >= 3 else None

    sat_before = poll(sitting_a_while, timeout=15, what="sitting")["sitting_seconds"]
    routine = RoutineWindowProcess(
        desktop, tmp_path, 10, "--exercises", "quadriceps-stretch,standing-back-bend"
    )
    try:
        window = routine.wait_for_window()
        assert window
        shot = desktop.screenshot(tmp_path / "routine.png")
        assert shot.stat().st_size > 0

        # The countdown advances: the get-ready countdown of 5, then lower numbers.
        first = routine.wait_for(lambda r: r.get("countdown") == 5, "countdown 5")
        assert first["exercise"] == "quadriceps-stretch" and first["step_kind"] == "prepare"
        routine.wait_for(
            lambda r: r.get("step_kind") == "prepare" and r.get("countdown") == 3, "countdown 3"
        )
        routine.wait_for(lambda r: r.get("rep") == "rep 1 of 3 · left leg" and
                         r.get("step_kind") == "hold", "the first hold")  # fmt: skip

        # Skip, clicked with the pointer, moves to the next exercise.
        layout = routine.wait_for(lambda r: r.get("event") == "layout", "the window's layout")
        routine.click(layout["buttons"]["skip"])
        bend = routine.wait_for(
            lambda r: r.get("exercise") == "standing-back-bend", "the next exercise"
        )
        assert bend["step_kind"] == "prepare" and bend["exercise_index"] == 1

        routine.wait_for(lambda r: r.get("state") == "finished", "the finish", timeout=30)
        # Right away, while the window still says "Well done": sitting started again.
        sitting_after = daemon.status()["sitting_seconds"]
        closed = routine.wait_for(lambda r: r.get("event") == "closed", "the window to close")
        assert closed["result"] == "finished"
        assert routine.finish() == 0, routine.output
    finally:
        routine.close()
    (row,) = routine_rows(desktop.env)
    assert (row["kind"], row["steps_total"]) == ("custom", 11)
    assert row["finished_at"] is not None
    assert 5 <= row["steps_done"] < 11  # the skipped quadriceps holds do not count
    assert row["steps_done"] == closed["steps_done"]
    # Not reset, it would be over sat_before (3 s or more) plus the routine's own seconds.
    assert sat_before >= 3 and sitting_after < 2.0


def test_keys_pause_skip_and_stop(desktop: HeadlessDesktop, tmp_path: Path) -> None:
    skip_health_notice(desktop.env)
    routine = RoutineWindowProcess(
        desktop, tmp_path, 10, "--exercises", "standing-back-bend,quadriceps-stretch"
    )
    try:
        window = routine.wait_for_window()
        routine.wait_for(lambda r: r.get("state") == "running", "the routine to run")
        desktop.xdotool("windowfocus", "--sync", window)

        desktop.xdotool("key", "space")
        paused = routine.wait_for(lambda r: r.get("state") == "paused", "the pause")
        desktop.xdotool("key", "Right")
        skipped = routine.wait_for(
            lambda r: r.get("state") == "paused" and r.get("exercise") == "quadriceps-stretch",
            "the skip while paused",
        )
        assert skipped["countdown"] == 10 and skipped["steps_done"] == paused["steps_done"]
        # Frozen: a screenshot takes well over a tenth of a second (a routine second
        # at this speed), and still nothing moved.
        desktop.screenshot(tmp_path / "paused.png")
        assert routine.states()[-1] == skipped

        desktop.xdotool("key", "space")
        routine.wait_for(
            lambda r: r.get("state") == "running" and r.get("exercise") == "quadriceps-stretch"
            and r.get("countdown", 99) < 10, "the countdown to run again")  # fmt: skip

        desktop.xdotool("key", "Escape")
        assert routine.finish() == 0, routine.output
        out, _err = routine.process.communicate()
    finally:
        routine.close()
    assert out.splitlines()[-1].startswith("Stopped: ")
    assert out.splitlines()[-1].endswith(" of 11 holds done. Saved in the history.")
    assert routine.records()[-1] == {"event": "closed", "result": "stopped",
                                     "steps_done": skipped["steps_done"]}  # fmt: skip
    (row,) = routine_rows(desktop.env)  # no daemon: written straight into the history
    assert row["finished_at"] is None and row["steps_done"] == skipped["steps_done"]


def test_health_notice_declares_a_condition_that_rules_the_routine_out(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    config = write_config(desktop.env, '[reminder]\nsit_limit = "50m"\n')
    routine = RoutineWindowProcess(desktop, tmp_path, 10, "--quick")
    try:
        window = routine.wait_for_window()
        notice = routine.wait_for(lambda r: r.get("event") == "health-notice", "the notice")
        assert set(notice["controls"]) == {
            "severe-pain", "bleeding", "chronic-flare-up", "spinal-injury",
            "kidney-or-heart-disease", "pregnancy", "continue",
        }  # fmt: skip
        routine.click(notice["controls"]["pregnancy"])
        routine.click(notice["controls"]["continue"])
        routine.wait_for(lambda r: r.get("event") == "nothing-to-do", "the explanation")
        assert (Path(desktop.env["XDG_STATE_HOME"]) / "deskguard" / "health-notice-shown").exists()
        desktop.xdotool("windowfocus", "--sync", window)
        desktop.xdotool("key", "Return")
        assert routine.finish() == 1
        out, err = routine.process.communicate()
    finally:
        routine.close()
    assert (
        "Left out: Standing back bend, Standing quadriceps stretch:"
        " not to be done with a condition you declared (Pregnancy)\n"
    ) in out
    assert "deskguard: nothing to do in this routine" in err
    assert config.read_text() == (
        '[reminder]\nsit_limit = "50m"\n\n[health]\ncontraindications = [\n    "pregnancy",\n]\n'
    )
    assert not history_path(desktop.env).exists() or routine_rows(desktop.env) == []


def test_the_process_entry_for_the_daemon_stops_cleanly_on_sigterm(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    skip_health_notice(desktop.env)
    routine = RoutineWindowProcess(
        desktop, tmp_path, 1, "--quick", command=(sys.executable, "-m", "deskguard.routine")
    )
    try:
        routine.wait_for_window()
        routine.wait_for(lambda r: r.get("state") == "running", "the routine to run")
        routine.process.send_signal(signal.SIGTERM)
        assert routine.finish() == 0, routine.output
        out, err = routine.process.communicate()
    finally:
        routine.close()
    assert "Routine (1 min 57 s): Standing back bend, Standing quadriceps stretch" in out
    assert out.splitlines()[-1] == "Stopped: 0 of 7 holds done. Saved in the history."
    assert "Traceback" not in err
    assert routine.records()[-1] == {"event": "closed", "result": "stopped", "steps_done": 0}
    (row,) = routine_rows(desktop.env)
    assert (row["kind"], row["steps_total"], row["finished_at"]) == ("quick", 7, None)
