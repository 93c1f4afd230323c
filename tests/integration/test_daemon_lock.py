"""Locking the screen makes the running daemon count the user as away."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from dbus_fast.aio import MessageBus

from tests.integration.test_session_events import FakeScreenSaver
from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config

T = TypeVar("T")


class ScreenSaverService:
    """org.freedesktop.ScreenSaver exported on the test desktop's bus, from its own thread."""

    def __init__(self, bus_address: str) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.service = FakeScreenSaver("org.freedesktop.ScreenSaver")
        self._bus: MessageBus = self._call(self._export(bus_address))

    def _call(self, work: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(10)

    async def _export(self, address: str) -> MessageBus:
        bus = await MessageBus(bus_address=address).connect()
        bus.export("/org/freedesktop/ScreenSaver", self.service)
        await bus.request_name("org.freedesktop.ScreenSaver")
        return bus

    async def _set(self, active: bool) -> None:
        self.service.set_active(active)

    def set_locked(self, locked: bool) -> None:
        self._call(self._set(locked))

    def close(self) -> None:
        self._bus.disconnect()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@pytest.fixture
def screensaver(desktop: HeadlessDesktop) -> Iterator[ScreenSaverService]:
    service = ScreenSaverService(desktop.bus_address)
    yield service
    service.close()


def test_lock_makes_the_user_away_and_a_long_lock_is_a_break(
    desktop: HeadlessDesktop, screensaver: ScreenSaverService, tmp_path: Path
) -> None:
    write_config(
        desktop.env,
        '[reminder]\nsit_limit = "1h"\nnatural_break = "3s"\n'
        '[activity]\nsource = "none"\npoll = "1s"\n',
    )
    daemon = DeskguardProcess(desktop.env, tmp_path / "deskguard.log").start()
    try:
        poll(lambda: daemon.status()["sitting_seconds"] >= 2, what="some sitting")
        screensaver.set_locked(True)
        status = daemon.wait_for_state("away", timeout=5)
        assert status["locked"] is True
        poll(
            lambda: daemon.status()["sitting_seconds"] == 0,
            timeout=10,
            what="the lock to be a break",
        )
        screensaver.set_locked(False)
        status = daemon.wait_for_state("active", timeout=5)
        assert status["locked"] is False
    finally:
        daemon.stop()
