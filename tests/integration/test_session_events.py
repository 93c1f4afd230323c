"""Screen lock and sleep events through real D-Bus signals: screensavers exported on the test
desktop's session bus, and a stand-in logind on a bus given to the watcher as its system bus."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TypeVar

import pytest
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusObjectPath, DBusStr, DBusUInt32
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from deskguard.platform.session import SessionWatcher
from tests.integration.conftest import use_desktop_environment
from tests.support.aio import run
from tests.support.desktop import HeadlessDesktop
from tests.support.polling import eventually

T = TypeVar("T")
LOG = logging.getLogger("test.session")
SESSION_PATH = "/org/freedesktop/login1/session/_37"


@pytest.fixture
def session(
    desktop: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> HeadlessDesktop:
    """The test desktop's environment, with no system bus unless a test provides one."""
    use_desktop_environment(desktop, monkeypatch)
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-system-bus'}")
    monkeypatch.delenv("XDG_SESSION_ID", raising=False)
    return desktop


class FakeScreenSaver(ServiceInterface):
    def __init__(self, name: str, active: bool = False) -> None:
        super().__init__(name)
        self.active = active

    @dbus_method()
    def GetActive(self) -> DBusBool:  # noqa: N802 (the D-Bus method's name)
        return self.active

    @dbus_signal()
    def ActiveChanged(self) -> DBusBool:  # noqa: N802
        return self.active

    def set_active(self, active: bool) -> None:
        self.active = active
        self.ActiveChanged()


class FakeLogindManager(ServiceInterface):
    def __init__(self) -> None:
        super().__init__("org.freedesktop.login1.Manager")
        self.asked: list[str] = []
        self.sleeping = False

    @dbus_method()
    def GetSession(self, session_id: DBusStr) -> DBusObjectPath:  # noqa: N802
        self.asked.append(f"GetSession {session_id}")
        return SESSION_PATH

    @dbus_method()
    def GetSessionByPID(self, pid: DBusUInt32) -> DBusObjectPath:  # noqa: N802
        self.asked.append(f"GetSessionByPID {pid}")
        return SESSION_PATH

    @dbus_signal()
    def PrepareForSleep(self) -> DBusBool:  # noqa: N802
        return self.sleeping

    def sleep(self, sleeping: bool) -> None:
        self.sleeping = sleeping
        self.PrepareForSleep()


class FakeLogindSession(ServiceInterface):
    def __init__(self, locked_hint: bool = False) -> None:
        super().__init__("org.freedesktop.login1.Session")
        self._locked_hint = locked_hint

    @dbus_property(access=PropertyAccess.READ)
    def LockedHint(self) -> DBusBool:  # noqa: N802
        return self._locked_hint

    @dbus_signal()
    def Lock(self) -> None:  # noqa: N802
        return None

    @dbus_signal()
    def Unlock(self) -> None:  # noqa: N802
        return None


async def export(name: str, *objects: tuple[str, ServiceInterface]) -> MessageBus:
    bus = await MessageBus().connect()
    for path, service in objects:
        bus.export(path, service)
    await bus.request_name(name)
    return bus


class Recorder:
    def __init__(self) -> None:
        self.locks: list[bool] = []
        self.sleeps: list[bool] = []

    def on_lock(self, locked: bool) -> None:
        self.locks.append(locked)

    def on_sleep(self, sleeping: bool) -> None:
        self.sleeps.append(sleeping)


def test_screensaver_active_changed_locks_and_unlocks(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "test.session")
    seen = Recorder()

    async def scenario() -> list[str]:
        screensaver = FakeScreenSaver("org.freedesktop.ScreenSaver")
        service = await export(
            "org.freedesktop.ScreenSaver", ("/org/freedesktop/ScreenSaver", screensaver)
        )
        watcher = SessionWatcher(LOG)
        try:
            watching = await watcher.start(seen.on_lock, seen.on_sleep)
            assert watcher.locked is False and seen.locks == []
            screensaver.set_active(True)
            await eventually(lambda: seen.locks == [True], "on_lock(True)")
            assert watcher.locked is True
            screensaver.set_active(True)  # a repeat is not a new event
            screensaver.set_active(False)
            await eventually(lambda: seen.locks == [True, False], "on_lock(False)")
            assert watcher.locked is False
            return watching
        finally:
            await watcher.aclose()
            service.disconnect()

    # Only what is running is reported; the system bus here is missing, and that is logged.
    assert run(scenario()) == ["org.freedesktop.ScreenSaver"]
    assert seen.sleeps == []
    [line] = [r.getMessage() for r in caplog.records if "session events" in r.getMessage()]
    assert line.startswith(
        "session events from: org.freedesktop.ScreenSaver; "
        "missing: org.gnome.ScreenSaver (not running); logind (no system bus at unix:path="
    )
    assert "screen locked (org.freedesktop.ScreenSaver)" in caplog.text


def test_an_already_active_gnome_screensaver_counts_as_locked_at_start(
    session: HeadlessDesktop,
) -> None:
    seen = Recorder()

    async def scenario() -> tuple[list[str], bool]:
        screensaver = FakeScreenSaver("org.gnome.ScreenSaver", active=True)
        service = await export("org.gnome.ScreenSaver", ("/org/gnome/ScreenSaver", screensaver))
        watcher = SessionWatcher(LOG)
        try:
            watching = await watcher.start(seen.on_lock, seen.on_sleep)
            locked_at_start = watcher.locked
            screensaver.set_active(False)
            await eventually(lambda: seen.locks == [True, False], "the unlock")
            return watching, locked_at_start
        finally:
            await watcher.aclose()
            service.disconnect()

    assert run(scenario()) == (["org.gnome.ScreenSaver"], True)


def test_a_screensaver_that_starts_later_is_still_heard(session: HeadlessDesktop) -> None:
    seen = Recorder()

    async def scenario() -> list[str]:
        watcher = SessionWatcher(LOG)
        watching = await watcher.start(seen.on_lock, seen.on_sleep)
        screensaver = FakeScreenSaver("org.freedesktop.ScreenSaver")
        service = await export(
            "org.freedesktop.ScreenSaver", ("/org/freedesktop/ScreenSaver", screensaver)
        )
        try:
            screensaver.set_active(True)
            await eventually(lambda: seen.locks == [True], "on_lock(True)")
            return watching
        finally:
            await watcher.aclose()
            service.disconnect()

    assert run(scenario()) == []


def test_a_gnome_screensaver_that_starts_later_locked_is_read_at_once(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    # GNOME's org.gnome.ScreenSaver is a proxy D-Bus starts on demand: when it comes up
    # the screen may be locked already, and no ActiveChanged tells of that.
    caplog.set_level(logging.INFO, "test.session")
    seen = Recorder()

    async def scenario() -> list[str]:
        watcher = SessionWatcher(LOG)
        watching = await watcher.start(seen.on_lock, seen.on_sleep)
        screensaver = FakeScreenSaver("org.gnome.ScreenSaver", active=True)
        service = await export("org.gnome.ScreenSaver", ("/org/gnome/ScreenSaver", screensaver))
        try:
            await eventually(lambda: seen.locks == [True], "the lock read when the proxy started")
            assert watcher.locked is True
            screensaver.set_active(False)
            await eventually(lambda: seen.locks == [True, False], "the unlock")
            return watching
        finally:
            await watcher.aclose()
            service.disconnect()

    assert run(scenario()) == []
    assert "org.gnome.ScreenSaver started" in caplog.text
    assert "screen locked (org.gnome.ScreenSaver)" in caplog.text


def test_logind_lock_unlock_and_sleep_on_the_system_bus(
    session: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The private bus stands in for the system bus: the watcher connects to it as such.
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", session.bus_address)
    monkeypatch.setenv("XDG_SESSION_ID", "37")
    seen = Recorder()
    manager, login_session = FakeLogindManager(), FakeLogindSession()

    async def scenario() -> list[str]:
        screensaver = FakeScreenSaver("org.freedesktop.ScreenSaver")
        services = [
            await export(
                "org.freedesktop.login1",
                ("/org/freedesktop/login1", manager),
                (SESSION_PATH, login_session),
            ),
            await export(
                "org.freedesktop.ScreenSaver", ("/org/freedesktop/ScreenSaver", screensaver)
            ),
        ]
        watcher = SessionWatcher(LOG)
        try:
            watching = await watcher.start(seen.on_lock, seen.on_sleep)
            login_session.Lock()
            await eventually(lambda: seen.locks == [True], "logind Lock")
            # logind's Lock asks the locker to lock; the screensaver's unlock ends it.
            screensaver.set_active(False)
            login_session.Unlock()  # already unlocked: no second callback
            login_session.Lock()
            await eventually(lambda: seen.locks == [True, False, True], "the second lock")
            manager.sleep(True)
            manager.sleep(False)
            await eventually(lambda: seen.sleeps == [True, False], "PrepareForSleep")
            return watching
        finally:
            await watcher.aclose()
            for bus in services:
                bus.disconnect()

    assert run(scenario()) == ["org.freedesktop.ScreenSaver", "logind sleep", "logind session _37"]
    assert manager.asked == ["GetSession 37"]


def test_logind_session_found_by_pid_and_locked_hint_read_at_start(
    session: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", session.bus_address)
    seen = Recorder()
    manager, login_session = FakeLogindManager(), FakeLogindSession(locked_hint=True)

    async def scenario() -> tuple[list[str], bool]:
        service = await export(
            "org.freedesktop.login1",
            ("/org/freedesktop/login1", manager),
            (SESSION_PATH, login_session),
        )
        watcher = SessionWatcher(LOG)
        try:
            watching = await watcher.start(seen.on_lock, seen.on_sleep)
            return watching, watcher.locked
        finally:
            await watcher.aclose()
            service.disconnect()

    assert run(scenario()) == (["logind sleep", "logind session _37"], True)
    assert seen.locks == [True]
    assert manager.asked == [f"GetSessionByPID {os.getpid()}"]


def test_a_failing_callback_is_logged_and_watching_goes_on(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[bool] = []

    def broken(locked: bool) -> None:
        calls.append(locked)
        raise RuntimeError("handler bug")

    async def scenario() -> None:
        screensaver = FakeScreenSaver("org.freedesktop.ScreenSaver")
        service = await export(
            "org.freedesktop.ScreenSaver", ("/org/freedesktop/ScreenSaver", screensaver)
        )
        watcher = SessionWatcher(LOG)
        try:
            await watcher.start(broken, lambda sleeping: None)
            screensaver.set_active(True)
            screensaver.set_active(False)
            await eventually(lambda: calls == [True, False], "both calls despite the error")
        finally:
            await watcher.aclose()
            service.disconnect()

    run(scenario())
    assert "the lock handler failed" in caplog.text
