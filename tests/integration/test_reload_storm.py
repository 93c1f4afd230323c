"""Reloading under pressure: a storm of SIGHUPs, an invalid configuration under one, and
reloads that fail halfway.

Reloads run one at a time (HUPs during one mean one more after it, which reads the file
as it is then), each distinct problem is told once, and a reload that fails anywhere
leaves the old configuration in place everywhere: settings, tracker, jobs and focus
signals.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deskguard.core.decisions import Policy
from deskguard.daemon.config import resolve
from deskguard.daemon.jobs import STATUS_JOB, TICK_JOB
from deskguard.daemon.runtime import Daemon
from deskguard.errors import UserError
from deskguard.paths import ConfigFiles
from tests.integration.hostile import ChildCount, assert_healthy, children_of, running
from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config

HUPS = 2000
BASE = '[activity]\npoll = "1s"\n[notifications]\nbackend = "log"\n'
NOTICE = "notice: deskguard kept its old configuration"


def config(sit_limit: str) -> str:
    return f'[reminder]\nsit_limit = "{sit_limit}"\n' + BASE


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DeskguardProcess]:
    with running(tmp_path, config("1h")) as process:
        yield process


def storm(daemon: DeskguardProcess, seconds: float = 1.0) -> None:
    """HUPS SIGHUPs spread over `seconds`."""
    assert daemon.process is not None
    for _ in range(HUPS):
        os.kill(daemon.process.pid, signal.SIGHUP)
        time.sleep(seconds / HUPS)


def settled(daemon: DeskguardProcess) -> str:
    """The log once no reload has run for a second (and none is running)."""
    assert daemon.process is not None
    pid = daemon.process.pid

    def quiet() -> str | None:
        before = daemon.log()
        time.sleep(1)
        after = daemon.log()
        return after if after == before and not children_of(pid) else None

    return poll(quiet, timeout=60, what="the reloads to end")


def sit_limit(daemon: DeskguardProcess) -> Any:
    return daemon.status()["config"]["reminder"]["sit_limit"]


@pytest.mark.timeout(180)
def test_a_sighup_storm_runs_one_reload_at_a_time_and_the_last_file_wins(
    daemon: DeskguardProcess,
) -> None:
    assert daemon.process is not None
    with ChildCount(daemon.process.pid) as children:
        write_config(daemon.env, config("2h"))
        storm(daemon)
        write_config(daemon.env, config("3h"))  # while reloads still come
        storm(daemon)
        log = settled(daemon)
    assert children.most == 1, f"{children.most} config children at once"
    reloads = log.count("configuration reloaded")
    assert 1 <= reloads <= 20, f"{reloads} reloads for {2 * HUPS} SIGHUPs"
    assert sit_limit(daemon) == "3h"
    assert_healthy(daemon)


@pytest.mark.timeout(180)
def test_an_invalid_config_under_a_storm_is_told_once_per_problem(
    daemon: DeskguardProcess,
) -> None:
    write_config(daemon.env, '[reminder]\nsit_limit = "soon"\n')
    storm(daemon)
    assert settled(daemon).count(NOTICE) == 1
    write_config(daemon.env, "[reminder]\nmax_snoozes = -1\n")  # another problem
    storm(daemon)
    log = settled(daemon)
    assert log.count(NOTICE) == 2, log[-3000:]
    assert "reminder.max_snoozes" in log.split(NOTICE)[-1][:400]
    assert sit_limit(daemon) == "1h"  # the old configuration all along

    write_config(daemon.env, config("2h"))
    assert daemon.cli("reload").returncode == 0
    write_config(daemon.env, '[reminder]\nsit_limit = "soon"\n')  # the first again
    result = daemon.cli("reload")
    assert result.returncode == 78 and "old one is kept" in result.stderr
    assert settled(daemon).count(NOTICE) == 3  # told again: it came back after a good one
    assert sit_limit(daemon) == "2h"
    assert_healthy(daemon)


def test_a_reload_asked_for_during_a_storm_answers_with_its_own_outcome(
    daemon: DeskguardProcess,
) -> None:
    """`deskguard reload` waits for a reload that read the file after it was asked."""
    hups = threading.Thread(target=storm, args=(daemon, 2.0))
    hups.start()
    try:
        time.sleep(0.5)
        write_config(daemon.env, config("4h"))
        result = daemon.cli("reload")
        assert result.returncode == 0, result.stderr
        assert sit_limit(daemon) == "4h"
    finally:
        hups.join()
    settled(daemon)
    assert_healthy(daemon)


# ---------------------------------------------------------------- all or nothing


@pytest.fixture
def scheduled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Daemon, Path]]:
    """The daemon in this process, with its scheduler, on a config file the test writes."""
    for key, value in isolated_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "config.toml"
    path.write_text(config("1h"))
    daemon = Daemon(resolve(ConfigFiles(system=[], user=path)), config_path=path)
    daemon.start()
    try:
        yield daemon, path
    finally:
        daemon.shutdown()


def interval_of(daemon: Daemon, job_id: str) -> float:
    assert daemon._scheduler is not None
    job = daemon._scheduler.get_job(job_id)
    assert job is not None
    return float(job.trigger.interval.total_seconds())


def assert_still_the_old(daemon: Daemon, old: Any, focus: list[Any]) -> None:
    assert daemon.config == old
    assert daemon.session.config == old
    assert daemon.session.tracker.policy == Policy.of(old.settings)
    assert interval_of(daemon, TICK_JOB) == old.settings.activity.poll == 1
    assert daemon.adapters.focus == focus


CHANGED = config("2h").replace('poll = "1s"', 'poll = "7s"') + '[focus]\nmax_deferral = "10m"\n'


def test_a_reload_that_cannot_open_focus_signals_changes_nothing(
    scheduled: tuple[Daemon, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    daemon, path = scheduled
    old, focus = daemon.config, list(daemon.adapters.focus)
    closed: list[object] = []

    async def record_closing(closables: Any) -> None:
        closed.extend(closables)

    monkeypatch.setattr("deskguard.daemon.runtime.close_all", record_closing)

    async def cannot_open(*_: object) -> list[Any]:
        raise OSError("no such device")

    monkeypatch.setattr("deskguard.platform.focus.open_focus_signals", cannot_open)
    path.write_text(CHANGED)
    with pytest.raises(UserError, match="old one is kept") as refused:
        daemon.call(daemon.reload())
    assert "OSError: no such device" in refused.value.message
    assert_still_the_old(daemon, old, focus)
    assert closed == []  # the signals in use stay open


def test_a_reload_that_fails_rescheduling_halfway_is_undone(
    scheduled: tuple[Daemon, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    daemon, path = scheduled
    old, focus = daemon.config, list(daemon.adapters.focus)
    scheduler = daemon._scheduler
    assert scheduler is not None
    reschedule = scheduler.reschedule_job
    failed: list[str] = []

    def fail_once_halfway(job_id: str, **kwargs: Any) -> Any:
        if job_id == STATUS_JOB and not failed:  # the tick job has moved already
            failed.append(job_id)
            raise OverflowError("date value out of range")
        return reschedule(job_id, **kwargs)

    monkeypatch.setattr(scheduler, "reschedule_job", fail_once_halfway)
    path.write_text(CHANGED)
    with pytest.raises(UserError, match="old one is kept"):
        daemon.call(daemon.reload())
    assert failed == [STATUS_JOB]
    assert_still_the_old(daemon, old, focus)

    # And with nothing in the way, the same file is taken as a whole.
    daemon.call(daemon.reload())
    assert interval_of(daemon, TICK_JOB) == 7
    assert daemon.session.tracker.policy.sit_limit == 7200
    assert daemon.config.settings.focus.max_deferral == 600
