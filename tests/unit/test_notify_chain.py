"""The notification fallback chain: order, recovery, `name`, and that it never raises."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from deskguard.platform.notify import (
    FallbackNotifier,
    LogNotifier,
    Notice,
    NotifierUnavailable,
    open_notifier,
)

T = TypeVar("T")
REMINDER = Notice(
    "Time to stand up",
    "You have been sitting for 45 minutes.",
    (("stretch", "Stretch now"), ("snooze", "Snooze 10 minutes"), ("skip", "Skip")),
)
INFO = Notice("deskguard kept its old configuration", "bad key")


def run(work: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(work)


class FakeBackend:
    """Shows notices into a list; `working` decides whether it can."""

    def __init__(self, name: str, *, working: bool = True, supports_actions: bool = False) -> None:
        self.name = name
        self.supports_actions = supports_actions
        self.working = working
        self.error: Exception = NotifierUnavailable(f"{name} is down")
        self.shown: list[Notice] = []
        self.closes = 0
        self.aclosed = False

    async def check(self) -> None:
        if not self.working:
            raise self.error

    async def show(self, notice: Notice) -> None:
        if not self.working:
            raise self.error
        self.shown.append(notice)

    async def close(self) -> None:
        self.closes += 1

    async def aclose(self) -> None:
        self.aclosed = True


def chain(*backends: FakeBackend) -> FallbackNotifier:
    return FallbackNotifier(backends, logging.getLogger("test.notify"))


def test_the_first_working_backend_delivers_and_names_itself() -> None:
    dbus, plyer, log = (
        FakeBackend("dbus (dunst)", supports_actions=True),
        FakeBackend("plyer"),
        FakeBackend("log"),
    )
    notifier = chain(dbus, plyer, log)

    run(notifier.show(REMINDER))

    assert dbus.shown == [REMINDER]
    assert plyer.shown == [] and log.shown == []
    assert notifier.name == "dbus (dunst)"
    assert notifier.supports_actions is True


def test_a_failing_backend_falls_through_in_order(caplog: pytest.LogCaptureFixture) -> None:
    dbus, plyer, log = (
        FakeBackend("dbus", working=False),
        FakeBackend("plyer", working=False),
        FakeBackend("log"),
    )
    notifier = chain(dbus, plyer, log)
    caplog.set_level(logging.INFO, "test.notify")

    run(notifier.show(REMINDER))

    assert log.shown == [REMINDER]
    assert notifier.name == "log"
    assert notifier.supports_actions is False
    assert "notices now go through log (dbus: dbus is down; plyer: plyer is down)" in caplog.text


def test_the_middle_backend_is_used_when_only_the_first_fails() -> None:
    dbus, plyer, log = FakeBackend("dbus", working=False), FakeBackend("plyer"), FakeBackend("log")
    notifier = chain(dbus, plyer, log)

    run(notifier.show(INFO))

    assert plyer.shown == [INFO] and log.shown == []
    assert notifier.name == "plyer"


def test_a_backend_that_comes_back_is_used_again_and_the_fallback_notice_closed() -> None:
    dbus, log = FakeBackend("dbus", supports_actions=True), FakeBackend("log")
    notifier = chain(dbus, log)

    async def scenario() -> list[str]:
        names = []
        await notifier.show(REMINDER)
        names.append(notifier.name)
        dbus.working = False  # the notification server was killed
        await notifier.show(REMINDER)
        names.append(notifier.name)
        dbus.working = True  # and restarted
        await notifier.show(REMINDER)
        names.append(notifier.name)
        return names

    assert run(scenario()) == ["dbus", "log", "dbus"]
    assert len(dbus.shown) == 2 and len(log.shown) == 1
    # Switching backends closes what the previous one showed: one notice on screen at most.
    assert dbus.closes == 1 and log.closes == 1


def test_close_after_close_does_nothing() -> None:
    dbus = FakeBackend("dbus")
    notifier = chain(dbus)

    async def scenario() -> None:
        await notifier.close()  # nothing shown yet
        await notifier.show(REMINDER)
        await notifier.close()
        await notifier.close()

    run(scenario())
    assert dbus.closes == 1


def test_unexpected_errors_fall_through_too_and_nothing_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    dbus, log = FakeBackend("dbus", working=False), FakeBackend("log", working=False)
    dbus.error = RuntimeError("library bug")
    log.error = OSError("disk full")
    notifier = chain(dbus, log)

    run(notifier.show(REMINDER))  # must not raise

    assert "could not show the notice 'Time to stand up'" in caplog.text
    assert "dbus: RuntimeError: library bug" in caplog.text
    assert "log: OSError: disk full" in caplog.text


def test_start_names_the_first_backend_that_would_work() -> None:
    dbus, plyer, log = FakeBackend("dbus", working=False), FakeBackend("plyer"), FakeBackend("log")
    notifier = chain(dbus, plyer, log)

    skipped = run(notifier.start())

    assert notifier.name == "plyer"
    assert skipped == ["dbus: dbus is down"]
    assert dbus.shown == plyer.shown == log.shown == []  # checking shows nothing


def test_before_start_the_chain_reports_its_last_resort() -> None:
    notifier = chain(FakeBackend("dbus"), FakeBackend("log"))
    assert notifier.name == "log"


def test_close_goes_to_the_backend_that_showed_the_notice_and_never_raises() -> None:
    class FailingClose(FakeBackend):
        async def close(self) -> None:
            raise NotifierUnavailable("gone")

    dbus, log = FailingClose("dbus"), FakeBackend("log")
    notifier = chain(dbus, log)

    async def scenario() -> None:
        await notifier.show(REMINDER)
        await notifier.close()  # the failing close is swallowed

    run(scenario())
    assert log.closes == 0
    assert dbus.shown == [REMINDER]


def test_aclose_closes_every_backend_even_after_a_failure() -> None:
    class FailingAclose(FakeBackend):
        async def aclose(self) -> None:
            raise RuntimeError("boom")

    dbus, plyer, log = FailingAclose("dbus"), FakeBackend("plyer"), FakeBackend("log")
    run(chain(dbus, plyer, log).aclose())
    assert plyer.aclosed and log.aclosed


def test_an_empty_chain_is_refused() -> None:
    with pytest.raises(ValueError):
        FallbackNotifier([], logging.getLogger("test.notify"))


def test_the_log_backend_writes_the_notice_and_how_to_answer_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "test.notify")
    run(LogNotifier(logging.getLogger("test.notify")).show(REMINDER))
    assert (
        "notice: Time to stand up: You have been sitting for 45 minutes. "
        "(answer with: deskguard break | deskguard snooze | deskguard skip)"
    ) in caplog.text


def test_open_notifier_log_is_the_log_alone(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "test.notify")
    log = logging.getLogger("test.notify")

    async def scenario() -> tuple[str, bool]:
        notifier = await open_notifier("log", lambda key: None, lambda: None, log)
        await notifier.show(INFO)
        await notifier.aclose()
        return notifier.name, notifier.supports_actions

    assert run(scenario()) == ("log", False)
    assert "notifications: log, no buttons (log: log)" in caplog.text
    assert "notice: deskguard kept its old configuration: bad key" in caplog.text


def test_open_notifier_refuses_an_unknown_backend() -> None:
    log = logging.getLogger("test.notify")
    with pytest.raises(ValueError, match="unknown notification backend 'growl'"):
        run(open_notifier("growl", lambda key: None, lambda: None, log))
