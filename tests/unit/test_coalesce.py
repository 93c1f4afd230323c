"""OneAtATime: one run at a time, requests during a run served by one more run after it."""

from __future__ import annotations

import asyncio

import pytest

from deskguard.daemon.coalesce import OneAtATime


class Work:
    """Work that waits for the test to let it finish, and counts its runs."""

    def __init__(self) -> None:
        self.runs = 0
        self.running = 0
        self.most_at_once = 0
        self.release = asyncio.Event()
        self.fail_with: Exception | None = None

    async def __call__(self) -> None:
        self.runs += 1
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await self.release.wait()
            if self.fail_with is not None:
                raise self.fail_with
        finally:
            self.running -= 1


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_a_storm_of_requests_during_a_run_is_one_more_run() -> None:
    async def scenario() -> None:
        work = Work()
        runs = OneAtATime(work)
        runs.open()
        first = runs.request()
        await settle()
        storm = [runs.request() for _ in range(1000)]  # all during the first run
        assert len({id(future) for future in storm}) == 1  # one run serves them all
        work.release.set()
        await asyncio.gather(first, *storm)
        assert (work.runs, work.most_at_once) == (2, 1)

    asyncio.run(scenario())


def test_requests_before_open_wait_for_it() -> None:
    async def scenario() -> None:
        work = Work()
        work.release.set()
        runs = OneAtATime(work)
        waiting = [runs.request() for _ in range(3)]
        await settle()
        assert work.runs == 0
        runs.open()
        await asyncio.gather(*waiting)
        assert work.runs == 1

    asyncio.run(scenario())


def test_everyone_served_by_a_failed_run_hears_of_it() -> None:
    async def scenario() -> None:
        work = Work()
        work.fail_with = ValueError("bad file")
        runs = OneAtATime(work)
        runs.open()
        await settle()
        both = [runs.request(), runs.request()]
        work.release.set()
        for outcome in both:
            with pytest.raises(ValueError, match="bad file"):
                await outcome
        work.fail_with = None
        await runs.request()  # and the next run goes ahead
        assert work.runs == 2

    asyncio.run(scenario())


def test_close_cancels_the_run_and_those_waiting() -> None:
    async def scenario() -> None:
        work = Work()
        runs = OneAtATime(work)
        runs.open()
        under_way = runs.request()
        await settle()
        waiting = runs.request()
        runs.close()
        await settle()
        assert under_way.cancelled() and waiting.cancelled()
        assert work.running == 0
        later = runs.request()  # closed: never runs
        await settle()
        assert not later.done() and work.runs == 1

    asyncio.run(scenario())
