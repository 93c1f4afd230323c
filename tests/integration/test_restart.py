"""A restarted daemon carries on the sitting stretch, without counting it twice."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from deskguard.core.carry_over import SavedSitting, carried_sitting
from deskguard.core.decisions import Instant
from deskguard.daemon import carry_over
from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, history_path, write_config

CONFIG = '[reminder]\nsit_limit = "1h"\nnatural_break = "20s"\n[activity]\npoll = "1s"\n'


def sitting_in_history(env: dict[str, str]) -> float:
    with sqlite3.connect(history_path(env)) as db:
        return float(db.execute("SELECT coalesce(sum(seconds), 0) FROM sitting").fetchone()[0])


def test_restart_soon_after_carries_on_and_counts_once(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    write_config(env, CONFIG)
    first = DeskguardProcess(env, tmp_path / "first.log").start()
    poll(lambda: first.status()["sitting_seconds"] >= 3.5, what="3 s of sitting")
    assert first.stop() == 0
    recorded_at_stop = sitting_in_history(env)
    assert recorded_at_stop >= 3

    second = DeskguardProcess(env, tmp_path / "second.log").start()
    try:
        assert second.status()["sitting_seconds"] >= recorded_at_stop
        assert "carrying on a sitting stretch" in second.log()
    finally:
        assert second.stop() == 0
    total = sitting_in_history(env)
    final = json.loads((Path(env["XDG_STATE_HOME"]) / "deskguard" / "sitting.json").read_text())
    # One stretch, recorded in two parts: their sum is the stretch, not more.
    assert abs(total - final["sitting_seconds"]) < 0.01


def test_after_a_kill_the_stretch_carries_on(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    write_config(env, CONFIG)
    first = DeskguardProcess(env, tmp_path / "first.log").start()
    poll(lambda: first.status()["sitting_seconds"] >= 3, what="3 s of sitting")
    before = first.status()["sitting_seconds"]
    first.kill()
    second = DeskguardProcess(env, tmp_path / "second.log").start()
    try:
        assert second.status()["sitting_seconds"] >= before - 1.5  # saved at the last reading
    finally:
        second.stop()


def test_a_long_gap_or_another_boot_starts_from_zero(tmp_path: Path) -> None:
    from datetime import datetime

    boot = carry_over.boot_id()
    saved = SavedSitting(600, boottime=1000, boot=boot)
    at = Instant(monotonic=0, boottime=1010, wall=datetime.now())
    assert carried_sitting(saved, at, natural_break=300, boot=boot) == 610
    later = Instant(monotonic=0, boottime=1400, wall=datetime.now())
    assert carried_sitting(saved, later, natural_break=300, boot=boot) == 0
    other_boot = SavedSitting(600, boottime=1000, boot="another-boot")
    assert carried_sitting(other_boot, at, natural_break=300, boot=boot) == 0
    assert carried_sitting(None, at, natural_break=300, boot=boot) == 0
    path = tmp_path / "sitting.json"
    path.write_text("{not json")
    assert carry_over.load(path) is None
    carry_over.save(path, 42.0, at, recorded_seconds=40.0)
    assert carry_over.load(path) == SavedSitting(42.0, 1010, boot, 40.0)
