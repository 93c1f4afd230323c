"""The real daemon's control socket against same-uid clients that pipeline requests and
never read a reply: they are dropped, `deskguard status` still answers promptly, and the
memory the flood took comes back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from deskguard.daemon.control import STALLED_AFTER, WRITE_TIMEOUT
from tests.integration.hostile import NonReaders, assert_healthy, rss_bytes, running
from tests.integration.test_fault_socket import control_socket
from tests.support.polling import poll
from tests.support.process import DeskguardProcess

# "Within a few MB": glibc and Python keep some of what a burst freed in their pools.
RSS_RETURN_LIMIT = 8 * 1024 * 1024
ROUNDS = 3
# While the flood goes on, a `deskguard status` must answer within this (seconds).
PROMPT = 3.0


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DeskguardProcess]:
    with running(tmp_path) as process:
        yield process


def flood_round(daemon: DeskguardProcess) -> tuple[float, int]:
    """64 clients pipeline status requests and read nothing; meanwhile `deskguard status`
    is timed. Returns its time and the daemon's RSS at the height of the flood."""
    assert daemon.process is not None
    with NonReaders(control_socket(daemon), 64) as flood:
        # Every place taken and, once the daemon has filled their sockets, every client
        # stalled for longer than a newcomer's place needs.
        time.sleep(STALLED_AFTER + 1.5)
        started = time.monotonic()
        status = daemon.cli("status", "--json")
        # A loaded machine may not have stalled every client yet: "busy" is a fair answer
        # then, as long as a place comes free within PROMPT (the assertion on `took`).
        while status.returncode != 0 and "busy" in status.stderr:
            if time.monotonic() - started > PROMPT:
                break
            time.sleep(0.2)
            status = daemon.cli("status", "--json")
        took = time.monotonic() - started
        peak = rss_bytes(daemon.process.pid)
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["state"] == "active"
        assert flood.wait_until_all_dropped(WRITE_TIMEOUT + 10), (
            f"{flood.dropped} of 64 non-reading clients dropped"
        )
        assert flood.sent > 64 * 64 * 1024, f"only {flood.sent} bytes of requests went out"
    return took, peak


@pytest.mark.timeout(240)
def test_clients_that_never_read_are_dropped_and_the_memory_comes_back(
    daemon: DeskguardProcess,
) -> None:
    assert daemon.process is not None
    pid = daemon.process.pid
    flood_round(daemon)  # buffers and caches at their working size before the baseline
    time.sleep(1)
    baseline = rss_bytes(pid)
    rounds = [flood_round(daemon) for _ in range(ROUNDS)]
    slowest = max(took for took, _peak in rounds)
    assert slowest < PROMPT, f"status took {slowest:.1f} s during a flood: {rounds}"

    def settled() -> int | None:
        grown = rss_bytes(pid) - baseline
        return grown if grown <= RSS_RETURN_LIMIT else None

    poll(settled, timeout=15, what=f"RSS back within 8 MiB of {baseline / 2**20:.1f} MiB")
    assert_healthy(daemon)
