"""Reminder accuracy: from the moment a reminder falls due to its notification in dunst.

    python bench/reminder_accuracy.py [--reminders 20] [--verbose]

Starts a desktop with no screen (Xvfb, a private session bus and dunst: the integration
tests' HeadlessDesktop) and `deskguard run --no-tray` with a 3 s sitting limit and a 3 s
snooze. Each reminder is answered through the CLI, skip and snooze in turn, and the next
one awaited. "Due" is what the daemon says: right after the answer, `status` is asked
over the control socket and its `next_reminder_in_seconds` added to the moment of that
call. "Shown" is when dunst's reply to the daemon's `Notify` call crosses the session bus
(the harness watches the bus as a monitor). Target: at most 1 s, every time.

`status` rounds to a tenth of a second, so each due moment is known to +-0.05 s.
Run it from the repository root with the project's virtual environment active.
"""

from __future__ import annotations

import argparse
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the test harness lives in tests/

from deskguard import ipc  # noqa: E402
from tests.support.desktop import HeadlessDesktop, Notification  # noqa: E402
from tests.support.process import DeskguardProcess, write_config  # noqa: E402

TARGET_S = 1.0
CONFIG = """\
[reminder]
sit_limit = "3s"
snooze = "3s"
max_snoozes = 3
natural_break = "1h"
"""


@dataclass(frozen=True)
class Sample:
    number: int
    after: str  # what answered the reminder before this one
    due_in: float
    late: float


def is_reminder(note: Notification) -> bool:
    return "skip" in note.actions


def due_moment(socket_path: Path) -> tuple[float, float]:
    """(monotonic moment the next reminder falls due, seconds until then) per the daemon."""
    before = time.monotonic()
    status = ipc.call("status", socket_path=socket_path)
    after = time.monotonic()
    due_in = status["next_reminder_in_seconds"]
    if due_in is None:
        sys.exit(f"the daemon has no reminder coming (state {status['state']!r})")
    return (before + after) / 2 + float(due_in), float(due_in)


def collect(
    desktop: HeadlessDesktop, daemon: DeskguardProcess, count: int, verbose: bool
) -> list[Sample]:
    socket_path = Path(daemon.env["XDG_RUNTIME_DIR"]) / "deskguard" / "control.sock"
    samples: list[Sample] = []
    answered_with = "start"
    for number in range(1, count + 1):
        mark = len(desktop.notifications())
        due, due_in = due_moment(socket_path)
        note = desktop.wait_for_notification(is_reminder, timeout=due_in + 15, after=mark)
        shown = time.monotonic()
        samples.append(Sample(number, answered_with, due_in, shown - due))
        if verbose:
            print(
                f"#{number:<3} after {answered_with:<6} due in {due_in:4.1f} s, late by "
                f"{(shown - due) * 1000:6.0f} ms: {note.summary!r}"
            )
        answered_with = "skip" if number % 2 else "snooze"
        answer = daemon.cli(answered_with)
        if answer.returncode != 0:
            sys.exit(f"deskguard {answered_with} failed: {answer.stderr.strip()}")
    return samples


def report(samples: Sequence[Sample], notifier: str) -> None:
    print(f"\n{len(samples)} reminders through {notifier}; seconds from due to shown in dunst\n")
    header = f"{'reminders':<20} {'n':>3} {'median':>8} {'p95':>8} {'min':>8} {'max':>8}"
    print(header)
    print("-" * len(header))
    groups = [
        ("all", list(samples)),
        ("after a skip", [s for s in samples if s.after == "skip"]),
        ("after a snooze", [s for s in samples if s.after == "snooze"]),
    ]
    for name, group in groups:
        if not group:
            continue
        late = sorted(s.late for s in group)
        p95 = late[max(1, -(-len(late) * 95 // 100)) - 1]
        print(
            f"{name:<20} {len(late):>3} {statistics.median(late):>8.3f} {p95:>8.3f} "
            f"{late[0]:>8.3f} {late[-1]:>8.3f}"
        )
    worst = max(s.late for s in samples)
    verdict = "met" if worst <= TARGET_S else "NOT MET"
    print(f"\ntarget: every reminder within {TARGET_S:.0f} s of due: worst {worst:.3f} s {verdict}")
    print("(due moments are known to +-0.05 s: status rounds to a tenth of a second)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reminders", type=int, default=20)
    parser.add_argument("--verbose", action="store_true", help="print every reminder")
    args = parser.parse_args(argv)
    # SIGTERM ends the run like Ctrl+C: the cleanup stops every process it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with (
        tempfile.TemporaryDirectory(prefix="dg-accuracy-") as tmp,
        HeadlessDesktop(Path(tmp) / "desktop") as desktop,
    ):
        write_config(desktop.env, CONFIG)
        daemon = DeskguardProcess(desktop.env, Path(tmp) / "deskguard.log").start()
        try:
            notifier = str(daemon.status()["notifier"])
            samples = collect(desktop, daemon, args.reminders, args.verbose)
        finally:
            daemon.stop()
    report(samples, notifier)


if __name__ == "__main__":
    main()
