"""Focus signals without a desktop: asking several at once, failures, parsing, the /proc scan."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest

from deskguard.platform.focus import (
    ORDER,
    BaseSignal,
    FocusProbe,
    FocusSignal,
    busy_reasons,
    capturing,
    checks,
    enabled,
    find_holder,
    open_focus_signals,
    parse_gsettings_bool,
    probe_focus,
)
from deskguard.settings import FocusSettings

T = TypeVar("T")
ALL_OFF = FocusSettings(do_not_disturb=False, fullscreen=False, camera=False, microphone=False)


def run(work: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(asyncio.wait_for(work, 10))


class Fixed:
    def __init__(self, name: str, answer: bool) -> None:
        self.name = name
        self.answer = answer
        self.asked = 0

    async def active(self) -> bool:
        self.asked += 1
        return self.answer

    async def aclose(self) -> None:
        pass


class Broken:
    """Breaks the promise never to raise."""

    name = "camera"

    async def active(self) -> bool:
        raise RuntimeError("device vanished")

    async def aclose(self) -> None:
        pass


class Hung:
    name = "microphone"

    async def active(self) -> bool:
        await asyncio.Event().wait()
        return True

    async def aclose(self) -> None:
        pass


class Meeting:
    """Answers only once the other one has been asked too: a sequential ask never ends."""

    def __init__(self, name: str, both_asked: asyncio.Barrier) -> None:
        self.name = name
        self._both_asked = both_asked

    async def active(self) -> bool:
        await self._both_asked.wait()
        return True

    async def aclose(self) -> None:
        pass


# -- busy_reasons -----------------------------------------------------------------------------


def test_busy_reasons_names_the_active_ones_in_a_fixed_order() -> None:
    signals: list[FocusSignal] = [
        Fixed("meeting-app", True),
        Fixed("microphone", True),
        Fixed("camera", False),
        Fixed("fullscreen", True),
        Fixed("do-not-disturb", True),
    ]
    assert run(busy_reasons(signals)) == (
        "do-not-disturb",
        "fullscreen",
        "microphone",
        "meeting-app",
    )
    assert run(busy_reasons(list(reversed(signals)))) == run(busy_reasons(signals))


def test_busy_reasons_with_nothing_active_or_no_signals_is_empty() -> None:
    assert run(busy_reasons([Fixed("camera", False), Fixed("fullscreen", False)])) == ()
    assert run(busy_reasons([])) == ()


def test_busy_reasons_asks_every_signal_at_once() -> None:
    async def scenario() -> tuple[str, ...]:
        both_asked = asyncio.Barrier(2)
        return await busy_reasons(
            [Meeting("camera", both_asked), Meeting("fullscreen", both_asked)]
        )

    assert run(scenario()) == ("fullscreen", "camera")


def test_a_signal_that_raises_or_hangs_counts_as_off_and_the_others_still_count(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(checks, "CHECK_TIMEOUT", 0.05)
    fullscreen = Fixed("fullscreen", True)
    with caplog.at_level(logging.DEBUG, logger="deskguard.focus"):
        reasons = run(busy_reasons([Broken(), Hung(), fullscreen]))
    assert reasons == ("fullscreen",)
    assert fullscreen.asked == 1
    messages = [r.getMessage() for r in caplog.records]
    assert "focus camera: RuntimeError: device vanished, counting it as off" in messages
    assert "focus microphone: no answer in time, counting it as off" in messages
    assert all(r.levelno == logging.DEBUG for r in caplog.records)


# -- the never-raising wrapper every adapter shares -------------------------------------------


class Scripted(BaseSignal):
    """An adapter whose checks go as scripted: a bool is the answer, an exception is raised."""

    name = "fullscreen"

    def __init__(self, script: list[bool | Exception], log: logging.Logger) -> None:
        super().__init__(log)
        self._script = script

    @property
    def how(self) -> str:
        return "a script"

    async def _check(self) -> bool:
        step = self._script.pop(0)
        if isinstance(step, Exception):
            raise step
        return step


def test_a_failing_check_is_false_with_one_debug_line_per_new_reason(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("test.focus")
    signal = Scripted(
        [OSError("gone"), OSError("gone"), TimeoutError(), True, OSError("gone"), False], log
    )

    async def ask_all() -> list[bool]:
        return [await signal.active() for _ in range(6)]

    with caplog.at_level(logging.DEBUG, logger="test.focus"):
        answers = run(ask_all())
    assert answers == [False, False, False, True, False, False]
    assert [r.getMessage() for r in caplog.records] == [
        "focus fullscreen: cannot tell (OSError: gone), counting it as off",
        "focus fullscreen: cannot tell (no answer in time), counting it as off",
        "focus fullscreen: readable again",
        "focus fullscreen: cannot tell (OSError: gone), counting it as off",
        "focus fullscreen: readable again",
    ]
    assert {r.levelno for r in caplog.records} == {logging.DEBUG}


# -- config switches --------------------------------------------------------------------------


def test_each_signal_has_its_own_switch() -> None:
    assert all(enabled(FocusSettings(), name) for name in ORDER)
    only_camera_off = FocusSettings(camera=False)
    assert [name for name in ORDER if not enabled(only_camera_off, name)] == ["camera"]


def test_probe_reports_signals_switched_off_in_the_config() -> None:
    assert run(probe_focus(ALL_OFF)) == {name: FocusProbe("off") for name in ORDER}


def test_nothing_is_opened_when_everything_is_off_and_the_log_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("test.focus")
    with caplog.at_level(logging.INFO, logger="test.focus"):
        assert run(open_focus_signals(ALL_OFF, log)) == []
    assert [r.getMessage() for r in caplog.records] == [
        "focus signals: none; off in config: do-not-disturb, fullscreen, camera, microphone"
    ]


# -- parsing what helper programs print -------------------------------------------------------


def test_gsettings_booleans() -> None:
    assert parse_gsettings_bool("true\n") is True
    assert parse_gsettings_bool("false\n") is False
    with pytest.raises(ValueError, match="not a boolean"):
        parse_gsettings_bool("No such schema “org.gnome.desktop.notifications”\n")


def test_any_source_output_line_means_the_microphone_is_recording() -> None:
    assert not capturing("")
    assert not capturing("\n  \n")
    assert capturing("42\t3\t57\t1\tfloat32le 1ch 48000Hz\n")


# -- who holds a device open ------------------------------------------------------------------


def fake_proc(root: Path, open_files: dict[str, list[str]]) -> str:
    """A /proc-like tree: one `PID/fd/N -> path` link per open file."""
    for pid, paths in open_files.items():
        fd_dir = root / pid / "fd"
        fd_dir.mkdir(parents=True)
        for number, path in enumerate(paths, start=3):
            os.symlink(path, fd_dir / str(number))
    return str(root)


def test_the_holder_is_found_among_other_processes_and_our_own_does_not_count(
    tmp_path: Path,
) -> None:
    proc = fake_proc(
        tmp_path,
        {
            "self": ["/dev/video0"],  # not a process id: passed over
            "10": ["/dev/null", "/dev/pts/1"],
            "20": ["/dev/video0"],  # this process
            "30": ["socket:[1234]", "/dev/video1"],
        },
    )
    (tmp_path / "40").mkdir()  # a process that ended while the scan ran: no fd directory
    video0 = frozenset({"/dev/video0"})
    assert find_holder(video0, None, own_pid=20, proc=proc) is None
    assert find_holder(video0, None, own_pid=1, proc=proc) == 20
    assert find_holder(frozenset({"/dev/video0", "/dev/video1"}), None, 20, proc) == 30
    assert find_holder(frozenset({"/dev/video9"}), None, 20, proc) is None


def test_the_last_holder_is_looked_at_first_and_a_gone_one_is_passed_over(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {"10": ["/dev/video0"], "20": ["/dev/video0"]})
    devices = frozenset({"/dev/video0"})
    found = find_holder(devices, None, own_pid=1, proc=proc)
    assert found in (10, 20)
    other = 30 - found
    assert find_holder(devices, other, own_pid=1, proc=proc) == other
    assert find_holder(devices, 99, own_pid=1, proc=proc) in (10, 20)
    assert find_holder(devices, None, own_pid=1, proc=str(tmp_path / "missing")) is None
