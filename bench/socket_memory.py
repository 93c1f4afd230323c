"""Socket memory: the daemon's RSS under rounds of clients that never read a reply.

    python bench/socket_memory.py [--rounds 5] [--clients 64] [--seconds 8]

Starts `deskguard run --no-tray` with no display and no session bus (private XDG
directories under a temporary folder). Each round opens `--clients` connections that
pipeline status requests as fast as the daemon takes them and never read one, for
`--seconds`; meanwhile it times one `deskguard status --json` and samples the daemon's
RSS. Between rounds it waits for every flooding client to be dropped. It prints, per
round, the RSS at the start, its peak, the RSS a few seconds after the round, how long
the status took and how many bytes of requests went out. Target: after the last round
the RSS is within 8 MiB of the first round's start (the integration test's bound).

Run it from the repository root with the project's virtual environment active.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the daemon harness lives in tests/

from deskguard.daemon.control import WRITE_TIMEOUT  # noqa: E402
from tests.integration.hostile import NonReaders, rss_bytes, running  # noqa: E402
from tests.support.process import DeskguardProcess  # noqa: E402

TARGET_GROWTH_MIB = 8.0
MIB = 2**20


def one_round(daemon: DeskguardProcess, clients: int, seconds: float) -> tuple[float, ...]:
    """(RSS at start, peak, after; status seconds; MiB sent) for one round."""
    assert daemon.process is not None
    pid = daemon.process.pid
    path = Path(daemon.env["XDG_RUNTIME_DIR"]) / "deskguard" / "control.sock"
    start = peak = rss_bytes(pid)
    status_took: float | None = None  # -1: refused
    with NonReaders(path, clients) as flood:
        begun = time.monotonic()
        while time.monotonic() - begun < seconds:
            time.sleep(0.1)
            peak = max(peak, rss_bytes(pid))
            if status_took is None and time.monotonic() - begun > seconds / 2:
                asked = time.monotonic()
                result = daemon.cli("status", "--json")
                status_took = time.monotonic() - asked if result.returncode == 0 else -1.0
        flood.wait_until_all_dropped(WRITE_TIMEOUT + 10)
        sent = flood.sent
    time.sleep(3)
    took = -1.0 if status_took is None else status_took
    return start / MIB, peak / MIB, rss_bytes(pid) / MIB, took, sent / MIB


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=8.0)
    options = parser.parse_args(argv)
    # SIGTERM ends the run like Ctrl+C: the cleanup stops every process it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="dg-sockmem-") as tmp, running(Path(tmp)) as daemon:
        rows = [one_round(daemon, options.clients, options.seconds) for _ in range(options.rounds)]
        still_up = daemon.process is not None and daemon.process.poll() is None

    print(f"\n{options.clients} non-reading clients, {options.seconds:.0f} s a round\n")
    header = f"{'round':>5} {'start MiB':>10} {'peak MiB':>9} {'after MiB':>10} {'status s':>9}"
    header += f" {'sent MiB':>9}"
    print(header)
    print("-" * len(header))
    for number, (start, peak, after, took, sent) in enumerate(rows, 1):
        shown = "busy" if took < 0 else f"{took:.2f}"
        print(f"{number:>5} {start:>10.1f} {peak:>9.1f} {after:>10.1f} {shown:>9} {sent:>9.0f}")
    growth = rows[-1][2] - rows[0][0]
    verdict = "met" if growth <= TARGET_GROWTH_MIB and still_up else "NOT MET"
    print(f"\ntarget: RSS back within {TARGET_GROWTH_MIB:.0f} MiB: grew {growth:.1f} MiB {verdict}")


if __name__ == "__main__":
    main()
