"""Core throughput: replay a month of one-second activity samples, print rows per second.

    python bench/simulate_throughput.py [--days 30]

Generates a synthetic trace (work days with input, short pauses, coffee breaks, lunch,
nights with the screen locked), then replays it through the same code path as
`deskguard simulate`: CSV parsing and the daemon's session (the sitting tracker, the
reminder policy, the history in memory).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import datetime
from pathlib import Path

from deskguard.core.trace import parse_trace, trace_lines
from deskguard.daemon.config import resolve
from deskguard.daemon.simulation import Simulation
from deskguard.paths import ConfigFiles


def write_trace(path: Path, days: int, seed: int = 7, rows_at_most: int | None = None) -> int:
    """One row a second for `days` (or `rows_at_most` rows); how many rows it wrote."""
    rng = random.Random(seed)
    rows = 0
    seconds = days * 86400 if rows_at_most is None else min(days * 86400, rows_at_most)
    with path.open("w") as out:
        out.write("time,idle_seconds,event\n")
        idle = 0
        locked = False
        for t in range(seconds):
            hour = (t % 86400) / 3600
            at_work = 8 <= hour < 17 and not 12 <= hour < 13
            event = ""
            if at_work and locked:
                event, locked = "unlock", False
            elif not at_work and not locked:
                event, locked = "lock", True
            if at_work and rng.random() < 0.2:
                idle = 0  # a key press or a mouse move this second
            else:
                idle += 1
            out.write(f"{t},{idle},{event}\n")
            rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    days = parser.parse_args().days
    # The built-in defaults: no system or user file.
    config = resolve(ConfigFiles(system=[], user=Path("/nonexistent/deskguard.toml")))
    with tempfile.TemporaryDirectory() as folder:
        trace = Path(folder) / "month.csv"
        rows = write_trace(trace, days)
        started = time.perf_counter()
        simulation = Simulation(config, datetime(2026, 1, 5, 0, 0))
        with trace.open("rb") as stream:
            events = simulation.run(parse_trace(trace_lines(stream.read1)))
        simulation.close()
        elapsed = time.perf_counter() - started
    reminders = sum(1 for event in events if event["kind"] == "reminder")
    print(f"{'rows':>12} {'seconds':>8} {'rows/s':>12} {'reminders':>9}")
    print(f"{rows:>12,} {elapsed:>8.2f} {rows / elapsed:>12,.0f} {reminders:>9}")


if __name__ == "__main__":
    main()
