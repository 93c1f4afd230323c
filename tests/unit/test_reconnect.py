"""Reconnector: one line when a server goes, retries with backoff, one line when it is back.

A scripted link stands in for the server; the waits between attempts are recorded instead
of slept, so the tests see the backoff without waiting for it.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from deskguard.core.backoff import Backoff
from deskguard.platform.reconnect import Reconnector

LOG = logging.getLogger("test.reconnect")


class ScriptedLink:
    """Fails `failures` connects, then connects; `drop()` ends the watched connection."""

    what = "scripted server"

    def __init__(self, failures: int = 0, watchable: bool = True) -> None:
        self.failures = failures
        self.watchable = watchable
        self.connects = 0
        self.closes = 0
        self._gone: asyncio.Future[str] | None = None

    async def connect(self) -> None:
        self.connects += 1
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionRefusedError("not there yet")

    async def disconnected(self) -> str | None:
        if not self.watchable:
            return None
        self._gone = asyncio.get_running_loop().create_future()
        return await self._gone

    async def close(self) -> None:
        self.closes += 1

    def drop(self, reason: str) -> None:
        assert self._gone is not None, "nobody watches the connection"
        self._gone.set_result(reason)


class RecordedSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def messages(caplog: pytest.LogCaptureFixture) -> list[tuple[int, str]]:
    return [(r.levelno, r.getMessage()) for r in caplog.records if r.name == LOG.name]


def test_a_dropped_connection_is_logged_retried_with_backoff_and_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, LOG.name)
    link, sleep, came_back = ScriptedLink(failures=3), RecordedSleep(), []

    async def on_back() -> None:
        came_back.append(link.connects)

    async def scenario() -> None:
        reconnector = Reconnector(link, LOG, on_back, Backoff(1.0, 4.0), sleep)
        reconnector.watch()
        await settle()
        assert reconnector.up
        link.drop("the bus closed")
        await settle()
        assert reconnector.up
        assert link.connects == 4 and came_back == [4]
        assert sleep.delays == [1.0, 2.0, 4.0, 4.0]
        assert link.closes == 4  # the broken connection, and each failed attempt's leftovers
        link.drop("again")  # the new connection is watched too, and backoff starts over
        await settle()
        assert sleep.delays[4:] == [1.0] and came_back == [4, 5]
        await reconnector.aclose()

    asyncio.run(scenario())
    lines = [(level, text) for level, text in messages(caplog) if level >= logging.INFO]
    assert lines == [
        (logging.WARNING, "scripted server lost (the bus closed); reconnecting"),
        (logging.INFO, "scripted server back after 0 s"),
        (logging.WARNING, "scripted server lost (again); reconnecting"),
        (logging.INFO, "scripted server back after 0 s"),
    ]
    still_away = "scripted server: still away (ConnectionRefusedError: not there yet)"
    assert (logging.DEBUG, still_away) in messages(caplog)


def test_a_loss_seen_in_calls_counts_once_however_often_it_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, LOG.name)
    link, sleep = ScriptedLink(failures=1, watchable=False), RecordedSleep()

    async def scenario() -> None:
        reconnector = Reconnector(link, LOG, backoff=Backoff(1.0, 30.0), sleep=sleep)
        reconnector.watch()
        await settle()
        assert reconnector.up  # not watchable: it stays up until a call says otherwise
        for _ in range(3):
            reconnector.lost("no reply")
        assert not reconnector.up
        await settle()
        assert reconnector.up and link.connects == 2 and sleep.delays == [1.0, 2.0]
        await reconnector.aclose()

    asyncio.run(scenario())
    assert [text for _, text in messages(caplog)] == [
        "scripted server lost (no reply); reconnecting",
        "scripted server back after 0 s",
    ]


def test_closing_stops_the_retries_of_a_server_that_never_returns() -> None:
    link = ScriptedLink(failures=10**6)

    async def scenario() -> None:
        waits: list[float] = []
        release = asyncio.Event()

        async def sleep(delay: float) -> None:
            waits.append(delay)
            if len(waits) >= 5:
                await release.wait()  # blocks here until closed
            await asyncio.sleep(0)

        reconnector = Reconnector(link, LOG, backoff=Backoff(1.0, 30.0), sleep=sleep)
        reconnector.watch()
        await settle()
        link.drop("gone for good")
        await settle()
        assert waits == [1.0, 2.0, 4.0, 8.0, 16.0] and not reconnector.up
        await reconnector.aclose()
        connects = link.connects
        reconnector.lost("after closing")  # ignored: nothing runs any more
        await settle()
        assert link.connects == connects and not reconnector.up

    asyncio.run(scenario())


def test_a_failing_catch_up_is_logged_and_the_link_stays_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    link = ScriptedLink()

    async def on_back() -> None:
        raise RuntimeError("could not re-read the lock state")

    async def scenario() -> bool:
        reconnector = Reconnector(link, LOG, on_back, sleep=RecordedSleep())
        reconnector.watch()
        await settle()
        link.drop("restart")
        await settle()
        up = reconnector.up
        await reconnector.aclose()
        return up

    assert asyncio.run(scenario())
    assert "scripted server: catching up after the return failed" in caplog.text
