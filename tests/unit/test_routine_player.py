"""The routine player with a fake clock, its progress reports, terminal output and health notice."""

from __future__ import annotations

import io
import sqlite3
import tomllib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from deskguard.catalog import load_catalog
from deskguard.core.routine import Routine
from deskguard.core.routine_plan import custom_routine
from deskguard.errors import DaemonNotRunning, UserError
from deskguard.routine import RoutineClock, Trace, health, speed_from_env
from deskguard.routine.player import Player, PlayerState, Progress
from deskguard.routine.progress import (
    DaemonRecorder,
    HistoryRecorder,
    ProgressReporter,
)
from deskguard.routine.terminal import TerminalPlayer, progress_bar
from deskguard.store import History

CATALOG = load_catalog()


def routine(*ids: str) -> Routine:
    return custom_routine(CATALOG, list(ids)).routine


# Standing back bend: get ready 0-5, holds end at 10, 18, 26, 34, 42.
BEND = routine("standing-back-bend")
# Then quadriceps: its get-ready starts at 42.
BEND_QUAD = routine("standing-back-bend", "quadriceps-stretch")


# --------------------------------------------------------------------------- player


def test_countdown_advances_with_the_clock() -> None:
    player = Player(BEND)
    player.start(100.0)
    assert player.frame(100.0).countdown == 5
    assert player.frame(102.5).countdown == 3
    assert player.advance(104.0) == []
    hold = player.frame(105.0)
    assert (hold.step.kind, hold.countdown, hold.rep_label) == ("hold", 5, "rep 1 of 5")
    assert player.advance(110.0) == [Progress("step", 1)]
    assert player.frame(111.0).step.kind == "rest"


def test_pause_freezes_and_resume_continues_where_it_was() -> None:
    player = Player(BEND)
    player.start(0.0)
    player.pause(3.0)
    assert player.state == PlayerState.PAUSED
    assert player.frame(500.0).remaining == pytest.approx(2.0)
    assert player.advance(500.0) == []
    player.resume(500.0)
    assert player.state.value == "running"  # (.value: mypy narrowed the state above)
    assert player.frame(501.0).remaining == pytest.approx(1.0)
    assert player.toggle_pause(501.5) == []
    assert player.state.value == "paused"
    player.toggle_pause(900.0)
    assert player.position(900.5) == pytest.approx(5.0)  # 4.5 before the pause, then 0.5


def test_skip_jumps_to_the_next_exercise_without_counting_the_jumped_holds() -> None:
    player = Player(BEND_QUAD)
    player.start(0.0)
    assert player.skip(12.0) == [Progress("step", 1)]  # the first hold ended at 10
    frame = player.frame(12.0)
    assert frame.exercise.id == "quadriceps-stretch"
    assert frame.step.kind == "prepare" and frame.countdown == 10
    assert player.steps_done == 1
    assert player.frame(15.0).countdown == 7


def test_skip_while_paused_stays_paused() -> None:
    player = Player(BEND_QUAD)
    player.start(0.0)
    player.pause(1.0)
    player.skip(2.0)
    assert player.state == PlayerState.PAUSED
    assert player.frame(60.0).exercise.id == "quadriceps-stretch"
    assert player.frame(60.0).countdown == 10


def test_skip_past_the_last_exercise_finishes() -> None:
    player = Player(BEND_QUAD)
    player.start(0.0)
    player.skip(1.0)
    assert player.skip(2.0) == [Progress("finished", 0)]
    assert player.state == PlayerState.FINISHED
    assert player.frame(3.0).finished


def test_stop_reports_the_holds_done() -> None:
    player = Player(BEND)
    player.start(0.0)
    player.advance(19.0)
    assert player.stop(20.0) == [Progress("stopped", 2)]
    assert player.state == PlayerState.STOPPED
    assert player.stop(21.0) == []
    assert player.advance(100.0) == []
    assert player.skip(100.0) == []


def test_finishing_reports_every_hold_and_then_finished() -> None:
    player = Player(BEND)
    player.start(0.0)
    reports = [event for t in range(0, 60) for event in player.advance(float(t))]
    assert reports == [
        Progress("step", 1),
        Progress("step", 2),
        Progress("step", 3),
        Progress("step", 4),
        Progress("step", 5),
        Progress("finished", 5),
    ]
    assert player.state == PlayerState.FINISHED and player.over
    assert player.steps_total == 5


def test_a_long_gap_reports_the_holds_it_covers_at_once() -> None:
    player = Player(BEND)
    player.start(0.0)
    assert player.advance(30.0) == [Progress("step", 3)]


def test_a_player_starts_once_and_needs_steps() -> None:
    player = Player(BEND)
    player.start(0.0)
    with pytest.raises(RuntimeError):
        player.start(1.0)
    with pytest.raises(ValueError):
        Player(Routine("custom", ()))


def test_the_routine_clock_scales_real_seconds() -> None:
    now = [10.0]
    clock = RoutineClock(50.0, lambda: now[0])
    now[0] = 11.0
    assert clock() == pytest.approx(50.0)
    assert clock.real_seconds(100) == pytest.approx(2.0)
    assert speed_from_env({}) == 1.0
    assert speed_from_env({"DESKGUARD_ROUTINE_SPEED": "50"}) == 50.0
    for bad in ("0", "-3", "fast"):
        with pytest.raises(UserError, match="DESKGUARD_ROUTINE_SPEED"):
            speed_from_env({"DESKGUARD_ROUTINE_SPEED": bad})


# --------------------------------------------------------------------------- reporting


class FakeDaemon:
    def __init__(self, fail_from: int | None = None, refuse: bool = False) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.fail_from = fail_from
        self.refuse = refuse

    def __call__(self, cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        if self.fail_from is not None and len(self.calls) >= self.fail_from:
            raise DaemonNotRunning()
        if self.refuse:
            raise UserError("bad request", "unknown command 'routine-progress'")
        self.calls.append((cmd, args))
        return {"routine_id": 7} if args["event"] == "started" else {"state": "active"}


def routines_in(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as db:
        return db.execute(
            "SELECT id, kind, steps_total, steps_done, finished_at IS NOT NULL FROM routines"
        ).fetchall()


def test_progress_goes_to_the_daemon_when_it_runs(tmp_path: Path) -> None:
    daemon = FakeDaemon()
    reporter = ProgressReporter(
        "quick", 5, DaemonRecorder(daemon), lambda: HistoryRecorder(tmp_path / "h.sqlite3")
    )
    reporter.started()
    reporter.report(Progress("step", 1))
    reporter.report(Progress("finished", 5))
    assert [args for _cmd, args in daemon.calls] == [
        {"event": "started", "kind": "quick", "steps_total": 5},
        {"event": "step", "routine_id": 7, "steps_done": 1},
        {"event": "finished", "routine_id": 7, "steps_done": 5},
    ]
    assert {cmd for cmd, _args in daemon.calls} == {"routine-progress"}
    assert reporter.through_daemon
    assert "Counted as a break" in reporter.outcome_note(Progress("finished", 5))
    assert not (tmp_path / "h.sqlite3").exists()


def test_without_a_daemon_the_history_gets_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    reporter = ProgressReporter(
        "custom", 5, DaemonRecorder(FakeDaemon(fail_from=0)), lambda: HistoryRecorder(path)
    )
    reporter.started()
    reporter.report(Progress("step", 2))
    assert routines_in(path) == [(1, "custom", 5, 2, 0)]
    reporter.report(Progress("finished", 5))
    assert routines_in(path) == [(1, "custom", 5, 5, 1)]
    assert "not running" in reporter.outcome_note(Progress("finished", 5))


def test_when_the_daemon_goes_away_the_rest_goes_to_the_history_under_the_same_id(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.sqlite3"
    history = History(path)
    history.start_routine(datetime(2026, 1, 5, 9), "full", 10)
    history.start_routine(datetime(2026, 1, 5, 9), "full", 10)
    history.close()

    def answers_then_stops(cmd: str, args: dict[str, Any]) -> dict[str, Any]:
        if args["event"] == "started":
            return {"routine_id": 2}
        raise DaemonNotRunning()

    reporter = ProgressReporter(
        "full", 10, DaemonRecorder(answers_then_stops), lambda: HistoryRecorder(path)
    )
    reporter.started()
    reporter.report(Progress("stopped", 4))
    assert routines_in(path) == [(1, "full", 10, 0, 0), (2, "full", 10, 4, 0)]
    assert reporter.problem is not None and "daemon stopped" in reporter.problem


def test_a_daemon_that_refuses_the_command_is_bypassed(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    reporter = ProgressReporter(
        "quick", 3, DaemonRecorder(FakeDaemon(refuse=True)), lambda: HistoryRecorder(path)
    )
    reporter.started()
    reporter.report(Progress("finished", 3))
    assert routines_in(path) == [(1, "quick", 3, 3, 1)]
    assert reporter.problem is not None and "refused" in reporter.problem


# --------------------------------------------------------------------------- terminal


class FakeTime:
    """A clock that moves only when the player waits."""

    def __init__(self, interrupt_after: int | None = None) -> None:
        self.now = 0.0
        self.waits = 0
        self.interrupt_after = interrupt_after

    def __call__(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits += 1
        if self.interrupt_after is not None and self.waits > self.interrupt_after:
            raise KeyboardInterrupt
        self.now += seconds


class Recorded(ProgressReporter):
    def __init__(self, steps_total: int) -> None:
        super().__init__("custom", steps_total, DaemonRecorder(FakeDaemon()), HistoryRecorder)
        self.reports: list[Progress] = []

    def report(self, progress: Progress) -> None:
        self.reports.append(progress)
        super().report(progress)


def play(
    tty: bool, speed: float = 10.0, interrupt_after: int | None = None, trace: Path | None = None
) -> tuple[str, Recorded, Progress]:
    fake = FakeTime(interrupt_after)
    out = io.StringIO()
    reporter = Recorded(BEND.holds)
    player = TerminalPlayer(
        BEND,
        reporter,
        out,
        clock=RoutineClock(speed, fake),
        tty=tty,
        wait=fake.wait,
        trace=Trace(trace),
    )
    result = player.run()
    return out.getvalue(), reporter, result


def test_terminal_without_a_tty_prints_one_line_per_step(tmp_path: Path) -> None:
    text, reporter, result = play(tty=False, trace=tmp_path / "trace")
    assert "\r" not in text
    lines = text.splitlines()
    assert "Standing back bend (hold 5 s, 5 times)" in lines
    assert "  1. Stand up straight and rest your hands on your waist." in lines
    steps = [line for line in lines if line.startswith("[")]
    assert len(steps) == len(BEND.steps)
    assert steps[0] == "[  0%] Standing back bend · get ready (5 s) · next: rep 1 of 5"
    assert steps[1] == "[ 12%] Standing back bend · rep 1 of 5: hold 5 s · next: rep 2 of 5"
    assert steps[2].endswith("rest (3 s) · next: rep 2 of 5")
    assert (
        lines[-1]
        == "Finished: 5 of 5 holds done. Counted as a break; your sitting time starts again."
    )
    assert result == Progress("finished", 5)
    assert [p.event for p in reporter.reports] == ["step"] * 5 + ["finished"]
    assert '"countdown": 5' in (tmp_path / "trace").read_text()


def test_terminal_on_a_tty_redraws_one_progress_line() -> None:
    text, _reporter, result = play(tty=True, speed=4.0)
    assert result.event == "finished"
    redraws = text.split("\r")
    assert len(redraws) > len(BEND.steps)
    assert any("rep 3 of 5 · hold 2 s · next: rep 4 of 5" in part for part in redraws)
    assert redraws[1].startswith("[" + "-" * 24 + "]   0%  get ready · 5 s")
    assert progress_bar(0.5, 10) == "[#####-----]"


def test_ctrl_c_stops_cleanly_and_reports() -> None:
    text, reporter, result = play(tty=False, speed=1.0, interrupt_after=150)
    assert result.event == "stopped"
    assert 1 <= result.steps_done < 5
    assert reporter.reports[-1] == result
    assert (
        text.splitlines()[-1]
        == f"Stopped: {result.steps_done} of 5 holds done. Saved in the history."
    )


# --------------------------------------------------------------------------- health notice


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("DESKGUARD_CONFIG", raising=False)
    return tmp_path / "config" / "deskguard" / "config.toml"


def test_saving_the_answer_keeps_the_other_keys(xdg: Path) -> None:
    xdg.parent.mkdir(parents=True)
    xdg.write_text('# mine\n[reminder]\nsit_limit = "30m"\n[health]\ncontraindications = []\n')
    assert health.save_declared(["spinal-injury", "pregnancy"]) == xdg
    data = tomllib.loads(xdg.read_text())
    assert data == {
        "reminder": {"sit_limit": "30m"},
        "health": {"contraindications": ["spinal-injury", "pregnancy"]},
    }
    assert xdg.with_name("config.toml.bak").read_text().startswith("# mine")
    assert health.save_declared(["spinal-injury", "pregnancy"]) is None  # unchanged: no write


def test_saving_nothing_into_no_file_writes_nothing(xdg: Path) -> None:
    assert health.save_declared([]) is None
    assert not xdg.exists()
    assert health.save_declared(["bleeding"]) == xdg
    assert tomllib.loads(xdg.read_text()) == {"health": {"contraindications": ["bleeding"]}}


def test_an_unreadable_config_is_not_overwritten(xdg: Path) -> None:
    xdg.parent.mkdir(parents=True)
    xdg.write_text("this is [not toml\n")
    with pytest.raises(UserError, match="contraindications"):
        health.save_declared(["bleeding"])
    assert xdg.read_text() == "this is [not toml\n"


def test_answers_are_numbers_or_ids() -> None:
    ids = [key for key, _n, _d in health.conditions(CATALOG)]
    assert ids == list(CATALOG.contraindications)
    assert health.parse_answer("6, 1 6", ids) == ["severe-pain", "pregnancy"]
    assert health.parse_answer("  ", ids) == []
    assert health.parse_answer("bleeding", ids) == ["bleeding"]
    with pytest.raises(ValueError, match="1 to 6"):
        health.parse_answer("7", ids)


def answers(*replies: str) -> Callable[[str], str]:
    queue = list(replies)

    def ask(_prompt: str) -> str:
        if not queue:
            raise EOFError
        return queue.pop(0)

    return ask


def test_terminal_notice_asks_once_saves_and_remembers(xdg: Path) -> None:
    assert health.notice_due()
    out = io.StringIO()
    chosen = health.terminal_notice(CATALOG, [], out=out, ask=answers("nine", "4"))
    assert chosen == ["spinal-injury"]
    text = out.getvalue()
    assert "6. Pregnancy: Being pregnant." in text
    assert "'nine' is not one of the numbers 1 to 6" in text
    assert tomllib.loads(xdg.read_text())["health"]["contraindications"] == ["spinal-injury"]
    assert not health.notice_due()
    assert health.marker_file() == xdg.parents[2] / "state" / "deskguard" / "health-notice-shown"


def test_terminal_notice_without_a_terminal_prints_a_note_and_stays_due(xdg: Path) -> None:
    out = io.StringIO()
    assert health.terminal_notice(CATALOG, ["bleeding"], out=out, ask=None) == ["bleeding"]
    assert "Not asked: input is not a terminal" in out.getvalue()
    assert "2. Bleeding (declared)" in out.getvalue()
    assert health.notice_due() and not xdg.exists()
