"""Daemon logging: plain lines on a terminal, priority prefixes for the journal."""

from __future__ import annotations

import logging

import pytest

from deskguard.daemon.logs import setup_logging


def test_journal_gets_priority_prefixes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    log = setup_logging()
    log.info("hello")
    log.warning("careful")
    logging.getLogger("deskguard.x").error("broken")
    assert capsys.readouterr().err.splitlines() == [
        "<6>deskguard: hello",
        "<4>deskguard: careful",
        "<3>deskguard.x: broken",
    ]


def test_terminal_gets_time_and_level(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JOURNAL_STREAM", raising=False)
    setup_logging(verbose=True).debug("detail")
    line = capsys.readouterr().err.strip()
    assert line.endswith("DEBUG   deskguard: detail")
    assert logging.getLogger("apscheduler").level == logging.WARNING
