"""What `deskguard simulate` costs on traces long in rows and long in time: print its time
and peak memory.

    python bench/simulate_bounds.py [--rows 10000000]

Runs the real command (text output into a file) on:

- `--rows` one-second samples (work days, pauses, lunch, locked nights: the trace of
  simulate_throughput.py), 10 million by default, about 116 days: the cost of rows;
- 3 rows spanning 1e12 seconds, which it refuses at the first time past its bound;
- 3 rows spanning the longest trace it accepts (10 years) with a poll of 1 s: the cost
  of time, which skipping the steady polls keeps to a few readings.

Each run is capped at 1 GiB of address space and 30 minutes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the measuring runner lives in tests/support

from bench.simulate_throughput import write_trace  # noqa: E402
from deskguard.core.trace import MAX_SECONDS  # noqa: E402
from tests.support.env import isolated_env  # noqa: E402
from tests.support.measured import Measured, run_measured  # noqa: E402

HEADER = "time,idle_seconds,event\n"


def simulate(trace: Path, folder: Path, poll: str = "10s") -> Measured:
    home = folder / f"home-{trace.stem}"
    home.mkdir()
    env = isolated_env(home)
    env["DESKGUARD_ACTIVITY__POLL"] = poll
    args = [sys.executable, "-m", "deskguard", "simulate", str(trace)]
    return run_measured(args, env, timeout=1800, address_space_mib=1024)


def outcome(result: Measured) -> str:
    """The summary line, or the error (without the trace's path)."""
    if result.timed_out:
        return "timed out"
    if result.returncode != 0:
        return result.stderr.strip().splitlines()[-1].split("malformed trace: ")[-1]
    return result.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        dense = folder / "dense.csv"
        started = time.perf_counter()
        written = write_trace(dense, days=rows // 86400 + 1, rows_at_most=rows)
        print(f"(wrote {written:,} rows in {time.perf_counter() - started:.1f} s)")
        far = folder / "far.csv"
        far.write_text(HEADER + "0,0,\n5e11,0,\n1e12,0,\n")
        longest = folder / "longest.csv"
        longest.write_text(HEADER + f"0,0,\n{MAX_SECONDS // 2},0,\n{MAX_SECONDS},0,\n")
        runs = [
            (f"{written:,} rows of one second", simulate(dense, folder)),
            ("3 rows spanning 1e12 s", simulate(far, folder)),
            (f"3 rows spanning {MAX_SECONDS:,} s, poll 1 s", simulate(longest, folder, "1s")),
        ]
    print(f"{'trace':<40} {'seconds':>8} {'peak MB':>8}  outcome")
    for label, result in runs:
        peak = result.peak_rss_mib * 2**20 / 1e6
        print(f"{label:<40} {result.seconds:>8.2f} {peak:>8.1f}  {outcome(result)}")


if __name__ == "__main__":
    main()
