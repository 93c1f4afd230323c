"""Run a command with a cap on its memory and its time, and measure what it used: for the
tests (a regression fails instead of hanging the suite or filling the machine) and the
benchmarks (the figures)."""

from __future__ import annotations

import os
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO

# How often the runner looks whether the command has ended.
_POLL = 0.01


@dataclass(frozen=True)
class Measured:
    returncode: int
    stdout: str
    stderr: str
    seconds: float  # wall clock, start to exit
    peak_rss_mib: float  # the largest resident set it reached
    timed_out: bool


def _address_space(limit_bytes: int) -> Callable[[], None]:
    def limit() -> None:  # in the child, before exec
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return limit


def _high_water_kib(pid: int) -> int:
    """The peak RSS of the program `pid` runs now (VmHWM). Not wait4's ru_maxrss: Linux
    carries that over from the forking process (the test run, hundreds of MB) into the
    program it execs."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass  # between fork and exec, or already gone: the last reading stands
    return 0


def run_measured(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    stdin: IO[bytes] | int | None = subprocess.DEVNULL,
    timeout: float = 60.0,
    address_space_mib: int = 512,
) -> Measured:
    """Run `args` with at most `address_space_mib` of address space (more: MemoryError, not
    swap) for at most `timeout` seconds (then killed); its peak RSS sampled while it runs."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            args,
            env=env,
            stdin=stdin,
            stdout=out,
            stderr=err,
            preexec_fn=_address_space(address_space_mib * 2**20),
        )
        timed_out = False
        peak_kib = 0
        while True:
            peak_kib = max(peak_kib, _high_water_kib(process.pid))
            pid, status, _usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout and not timed_out:
                timed_out = True
                process.kill()
            time.sleep(_POLL)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(
            returncode=process.returncode,
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            seconds=seconds,
            peak_rss_mib=peak_kib / 1024,
            timed_out=timed_out,
        )
