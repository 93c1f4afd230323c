"""Control latency: how long `deskguard status --json` takes against a running daemon.

    python bench/control_latency.py [--runs 50]

Starts `deskguard run --no-tray` with no display and no session bus (private XDG
directories under a temporary folder), then times `--runs` round trips of the real
command, from spawning it to its exit. For reference it times a bare `python -c pass`
(interpreter start-up, the floor of any command), an interpreter that only imports the
command line (`deskguard.cli`), and the socket exchange alone, made from this process.
Target: median <= 120 ms.

Run it from the repository root with the project's virtual environment active.
"""

from __future__ import annotations

import argparse
import json
import math
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the daemon harness lives in tests/

from deskguard import ipc  # noqa: E402
from tests.support.env import isolated_env  # noqa: E402
from tests.support.process import DeskguardProcess, deskguard_executable  # noqa: E402

TARGET_MEDIAN_MS = 120.0


def timed(action: Callable[[], None], runs: int) -> list[float]:
    """Milliseconds per call of `action`, after one untimed warm-up call."""
    action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def percentile(samples: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


def run_checked(argv: Sequence[str], env: dict[str, str]) -> Callable[[], None]:
    def action() -> None:
        result = subprocess.run(list(argv), env=env, capture_output=True, check=False)
        if result.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed ({result.returncode}): {result.stderr.decode()}")

    return action


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args(argv).runs
    # SIGTERM ends the run like Ctrl+C: the cleanup stops every process it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tempfile.TemporaryDirectory(prefix="dg-latency-") as tmp:
        env = isolated_env(Path(tmp))
        daemon = DeskguardProcess(env, Path(tmp) / "deskguard.log").start()
        try:
            socket_path = Path(env["XDG_RUNTIME_DIR"]) / "deskguard" / "control.sock"
            command = [deskguard_executable(), "status", "--json"]
            answer = subprocess.run(command, env=env, capture_output=True, check=True)
            json.loads(answer.stdout)  # the command really prints the status

            import_cli = [sys.executable, "-c", "import deskguard.cli"]

            def socket_only() -> None:
                ipc.call("status", socket_path=socket_path)

            rows = [
                ("deskguard status --json", timed(run_checked(command, env), runs)),
                ("python -c pass", timed(run_checked([sys.executable, "-c", "pass"], env), runs)),
                ("import deskguard.cli only", timed(run_checked(import_cli, env), runs)),
                ("socket round trip only", timed(socket_only, runs)),
            ]
        finally:
            daemon.stop()

    print(f"\n{runs} runs each, milliseconds\n")
    header = f"{'what':<26} {'median':>8} {'p95':>8} {'min':>8} {'max':>8}"
    print(header)
    print("-" * len(header))
    for name, samples in rows:
        print(
            f"{name:<26} {statistics.median(samples):>8.1f} {percentile(samples, 0.95):>8.1f} "
            f"{min(samples):>8.1f} {max(samples):>8.1f}"
        )
    median = statistics.median(rows[0][1])
    verdict = "met" if median <= TARGET_MEDIAN_MS else "NOT MET"
    print(f"\ntarget: median <= {TARGET_MEDIAN_MS:.0f} ms: {median:.1f} ms {verdict}")


if __name__ == "__main__":
    main()
