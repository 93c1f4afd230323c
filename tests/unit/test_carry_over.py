"""The saved sitting stretch is read back like input and written without following links."""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import datetime
from pathlib import Path

import pytest

from deskguard.core.carry_over import SavedSitting, carried_sitting, saved_problem
from deskguard.core.decisions import Instant
from deskguard.daemon import carry_over

NOW = Instant(monotonic=5000.0, boottime=5000.0, wall=datetime(2026, 1, 5, 9, 0))
BOOT = "this-boot"


def saved_text(sitting: str, boottime: str = "4990", recorded: str = "0") -> str:
    """A sitting file as JSON text, numbers written as given (`Infinity`, `1e999`...)."""
    return (
        f'{{"sitting_seconds": {sitting}, "boottime": {boottime}, "boot": "{BOOT}",'
        f' "recorded_seconds": {recorded}}}'
    )


POISONED = {
    "infinite sitting": saved_text("Infinity"),
    "sitting beyond any float": saved_text("1e999"),
    "sitting of 1e308": saved_text("1e308"),
    "an integer beyond any float": saved_text("1" + "0" * 400),
    "not a number": saved_text("NaN"),
    "negative sitting": saved_text("-60"),
    "longer than the boot": saved_text("6000", boottime="4990"),
    "more recorded than sat": saved_text("60", recorded="120"),
    "infinite boot time": saved_text("60", boottime="Infinity"),
    "a text for a number": saved_text('"60"'),
    "a flag for a number": saved_text("true"),
    "a list": "[60, 4990]",
    "nested deep": "[" * 2000 + "]" * 2000,
    "too big": saved_text("60") + " " * 10_000,
    "not UTF-8": "\udcff",
    "no boot": '{"sitting_seconds": 60, "boottime": 4990}',
}


def write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("text", POISONED.values(), ids=POISONED.keys())
def test_a_poisoned_file_is_ignored_with_one_line(
    tmp_path: Path, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "sitting.json"
    write(path, text)
    with caplog.at_level(logging.WARNING, logger="deskguard"):
        assert carry_over.load(path) is None
    [record] = caplog.records
    assert record.getMessage().startswith(f"ignoring the saved sitting time in {path}: ")
    assert "\n" not in record.getMessage() and len(record.getMessage()) < 300


def test_a_good_file_is_carried_on(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "sitting.json"
    write(path, saved_text("600", recorded="100"))
    saved = carry_over.load(path)
    assert saved == SavedSitting(600, 4990, BOOT, 100)
    assert carried_sitting(saved, NOW, natural_break=300, boot=BOOT) == 610
    assert caplog.records == []


def test_no_file_is_nothing_to_say(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    assert carry_over.load(tmp_path / "sitting.json") is None
    assert caplog.records == []


def test_a_stretch_saved_in_the_future_is_not_carried_on() -> None:
    future = SavedSitting(60, boottime=NOW.boottime + 10, boot=BOOT)
    assert saved_problem(future) is None  # plausible on its own...
    assert carried_sitting(future, NOW, natural_break=300, boot=BOOT) == 0  # ...not now


def test_carried_sitting_checks_what_it_is_given() -> None:
    """Even a SavedSitting that did not come through `load`."""
    for poisoned in (
        SavedSitting(float("inf"), 4990, BOOT),
        SavedSitting(1e308, 4990, BOOT),
        SavedSitting(60, float("nan"), BOOT),
    ):
        assert saved_problem(poisoned) is not None
        assert carried_sitting(poisoned, NOW, natural_break=300, boot=BOOT) == 0


def test_a_link_is_not_followed(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    target = tmp_path / "elsewhere.json"
    write(target, saved_text("60"))
    path = tmp_path / "sitting.json"
    path.symlink_to(target)
    with caplog.at_level(logging.WARNING, logger="deskguard"):
        assert carry_over.load(path) is None
    assert "a symbolic link, not followed" in caplog.text


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_what_is_not_a_file_is_not_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "sitting.json"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    else:
        path = Path("/dev/zero")
    started = time.monotonic()
    assert carry_over.load(path) is None
    assert time.monotonic() - started < 2  # a pipe with no writer does not hang the start


def test_save_refuses_a_number_that_is_not_finite(tmp_path: Path) -> None:
    path = tmp_path / "sitting.json"
    carry_over.save(path, 60.0, NOW)
    before = path.read_text()
    with pytest.raises(ValueError):
        carry_over.save(path, float("inf"), NOW)
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sitting.json"]


def test_save_writes_through_no_planted_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    other = tmp_path / "other.txt"
    other.write_text("also precious")
    path = tmp_path / "sitting.json"
    for name in ("sitting.tmp", f"sitting.{os.getpid()}.tmp"):
        (tmp_path / name).symlink_to(victim)
    path.symlink_to(other)  # the file itself a link: replaced, its target untouched
    carry_over.save(path, 60.0, NOW, recorded_seconds=30.0)
    assert victim.read_text() == "precious" and other.read_text() == "also precious"
    assert not path.is_symlink()
    assert json.loads(path.read_text())["sitting_seconds"] == 60.0
    assert not (tmp_path / f"sitting.{os.getpid()}.tmp").exists()


def test_save_into_a_folder_it_cannot_write_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "sitting.json"
    path.mkdir()  # os.replace cannot put a file in a directory's place
    with pytest.raises(OSError):
        carry_over.save(path, 60.0, NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sitting.json"]
