"""Idle footprint: memory and CPU of `deskguard run` with its tray icon, next to Workrave.

    python bench/footprint.py [--settle 10] [--seconds 60] [--modules] [--no-variants]
                              [--no-workrave] [--no-sni] [--no-wayland]

Starts a desktop with no screen (Xvfb, a private session bus, dunst and the trayer system
tray: HeadlessDesktop from tests/support), then `deskguard run` on its default
configuration with its tray icon. After `--settle` seconds it measures `--seconds` of
idle time: RSS and PSS (/proc/PID/smaps_rollup) and CPU seconds (utime + stime from
/proc/PID/stat, reaped children included) of each process tree, CPU extrapolated to one
idle hour. In the same desktop and over the same window it also measures Workrave when
the `workrave` package is installed, a bare Python interpreter (the floor), and unless
`--no-variants` the daemon with other tray set-ups, to show what each one costs. Unless
`--no-sni`, a second desktop with a real xfce4-panel (a StatusNotifier host) runs the daemon
with its own StatusNotifierItem docked there, measured over the same window.
Unless `--no-wayland` the daemon without a tray runs on KDE's compositor (kwin_wayland
--virtual, Kwin from tests/support: Wayland idle and KWin's fullscreen check instead of
X11's), beside the same daemon on X11.

After the table come the daemon's largest memory mappings (/proc/PID/smaps). `--modules`
then starts the daemon once more with PYTHONPROFILEIMPORTTIME and reports what it imports:
modules and import time per top-level package, the Python memory each package holds
(tracemalloc) and what each third-party package costs in RSS imported alone.

Run it from the repository root with the project's virtual environment active.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the desktop harness lives in tests/support

from deskguard.daemon.lean import LEFT_OUT_MODULES  # noqa: E402
from tests.support import xfce_panel  # noqa: E402
from tests.support.desktop import HeadlessDesktop  # noqa: E402
from tests.support.wayland import Kwin  # noqa: E402
from tests.support.xfce_panel import XfcePanel  # noqa: E402

RSS_TARGET_MB = 36.0
# The daemon on a Wayland session may cost this much more than on X11 (pywayland).
WAYLAND_EXTRA_MB = 4.0
X11_NO_TRAY = "deskguard run --no-tray"
WAYLAND_NO_TRAY = "deskguard --no-tray, Wayland (kwin)"
CPU_TARGET_S_PER_HOUR = 1.0
SAMPLE_EVERY = 5.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MB = 1024 * 1024


# --------------------------------------------------------------------------- /proc


@dataclass(frozen=True)
class ProcStat:
    pid: int
    ppid: int
    cpu_ticks: int  # utime + stime + cutime + cstime


def read_stat(pid: int) -> ProcStat | None:
    """One process's /proc/PID/stat, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # The command name is in parentheses and may itself contain spaces or parentheses.
    fields = text[text.rindex(")") + 2 :].split()
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return ProcStat(pid, int(fields[1]), utime + stime + cutime + cstime)


def process_tree(root: int) -> list[ProcStat]:
    """`root` and every live descendant.

    Summing utime+stime+cutime+cstime over the live tree counts each process once: a
    child that exited is in the cutime/cstime of the parent that reaped it.
    """
    stats = [s for s in (read_stat(int(p)) for p in os.listdir("/proc") if p.isdigit()) if s]
    children: dict[int, list[ProcStat]] = {}
    for stat in stats:
        children.setdefault(stat.ppid, []).append(stat)
    top = next((s for s in stats if s.pid == root), None)
    if top is None:
        return []
    tree, queue = [top], [top]
    while queue:
        for child in children.get(queue.pop().pid, []):
            tree.append(child)
            queue.append(child)
    return tree


def run_time_ns(pid: int) -> int:
    """CPU time of a process's live threads in nanoseconds (/proc/PID/task/*/schedstat).

    Far finer than clock ticks, but a thread that exits takes its time with it."""
    total = 0
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(FileNotFoundError, ProcessLookupError):
                total += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[0])
    return total


def smaps_rollup(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in bytes; (0, 0) if it is gone."""
    sizes = {"Rss": 0, "Pss": 0}
    try:
        lines = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return 0, 0
    for line in lines:
        name, _, rest = line.partition(":")
        if name in sizes:
            sizes[name] = int(rest.split()[0]) * 1024
    return sizes["Rss"], sizes["Pss"]


def largest_mappings(pid: int, count: int) -> list[tuple[str, int]]:
    """The files (or [heap], [anon], ...) holding most of a process's RSS, in bytes."""
    by_name: dict[str, int] = {}
    name = "[anon]"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if parts and parts[0][0] in "0123456789abcdef" and "-" in parts[0]:
            name = parts[5] if len(parts) > 5 else "[anon]"
        elif parts and parts[0] == "Rss:":
            by_name[name] = by_name.get(name, 0) + int(parts[1]) * 1024
    return sorted(by_name.items(), key=lambda item: item[1], reverse=True)[:count]


# --------------------------------------------------------------------------- measuring


@dataclass
class Subject:
    """One program being measured, and what was seen of it."""

    name: str
    process: subprocess.Popen[bytes] | None
    note: str = ""
    cpu_start: int = 0
    cpu_end: int = 0
    ns_start: int = 0
    ns_end: int = 0
    rss: list[int] = field(default_factory=list)
    pss: list[int] = field(default_factory=list)
    processes: int = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def measured(self) -> bool:
        return bool(self.rss) and not self.note

    def cpu_ticks(self) -> int:
        assert self.process is not None
        return sum(stat.cpu_ticks for stat in process_tree(self.process.pid))

    def run_time_ns(self) -> int:
        assert self.process is not None
        return sum(run_time_ns(stat.pid) for stat in process_tree(self.process.pid))

    def sample_memory(self) -> None:
        assert self.process is not None
        tree = process_tree(self.process.pid)
        self.processes = max(self.processes, len(tree))
        sizes = [smaps_rollup(stat.pid) for stat in tree]
        self.rss.append(sum(rss for rss, _ in sizes))
        self.pss.append(sum(pss for _, pss in sizes))

    def cpu_seconds(self) -> float:
        return (self.cpu_end - self.cpu_start) / CLOCK_TICKS

    def run_seconds(self) -> float:
        return (self.ns_end - self.ns_start) / 1e9

    def check_alive(self, when: str) -> None:
        if self.process is not None and self.process.poll() is not None and not self.note:
            self.note = f"exited {when} (status {self.process.returncode})"


def measure(subjects: Sequence[Subject], seconds: float) -> None:
    """Sample every running subject over the same window."""
    live = [s for s in subjects if s.running]
    for subject in live:
        subject.cpu_start = subject.cpu_ticks()
        subject.ns_start = subject.run_time_ns()
        subject.sample_memory()
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(SAMPLE_EVERY, left))
        for subject in live:
            if subject.running:
                subject.sample_memory()
    for subject in live:
        subject.check_alive("during the measurement")
        if subject.running:
            subject.cpu_end = subject.cpu_ticks()
            subject.ns_end = subject.run_time_ns()


# --------------------------------------------------------------------------- programs


def deskguard_executable() -> str:
    beside = Path(sys.executable).parent / "deskguard"
    found = str(beside) if beside.exists() else shutil.which("deskguard")
    if found is None:
        sys.exit("deskguard is not installed: pip install -e . in this environment first")
    return found


def start(argv: Sequence[str], env: Mapping[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            list(argv),
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def wait_for_daemon(env: Mapping[str, str], process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"deskguard run exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        answer = subprocess.run(
            [deskguard_executable(), "status", "--json"],
            env=dict(env),
            capture_output=True,
            check=False,
        )
        if answer.returncode == 0:
            return
        time.sleep(0.2)
    sys.exit(f"deskguard did not answer within 30 s:\n{log.read_text()[-3000:]}")


def own_dirs(env: Mapping[str, str], folder: Path, runtime: Path) -> dict[str, str]:
    """`env` with a runtime and a state directory of its own: a second daemon in the same
    desktop (same display and bus) needs its own instance lock and control socket."""
    runtime.mkdir(mode=0o700, parents=True)
    (folder / "state").mkdir(parents=True, exist_ok=True)
    return {**env, "XDG_RUNTIME_DIR": str(runtime), "XDG_STATE_HOME": str(folder / "state")}


def workrave_version() -> str | None:
    """The installed Workrave package's version, or None when it is not installed."""
    if shutil.which("workrave") is None:
        return None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        query = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "workrave"],
            capture_output=True,
            text=True,
            check=False,
        )
        if query.returncode == 0 and query.stdout:
            return query.stdout
    return "(version unknown)"


# Other ways to run the daemon's tray, measured beside it: (label, extra env, run args).
VARIANTS: tuple[tuple[str, dict[str, str], tuple[str, ...]], ...] = (
    ("deskguard, GTK tray (appindicator)", {"PYSTRAY_BACKEND": "appindicator"}, ()),
    (X11_NO_TRAY, {}, ("--no-tray",)),
)


def start_subjects(
    env: Mapping[str, str],
    folder: Path,
    runtime: Path,
    variants: bool,
    workrave: bool,
    kwin: Kwin | None,
) -> list[Subject]:
    """Start everything to be measured; the first subject is the daemon as users run it."""
    log = folder / "deskguard.log"
    daemon = Subject("deskguard run (tray)", start([deskguard_executable(), "run"], env, log))
    subjects = [daemon]
    assert daemon.process is not None
    wait_for_daemon(env, daemon.process, log)
    if variants:
        for number, (label, extra, args) in enumerate(VARIANTS):
            variant_dirs = own_dirs(env, folder / f"variant-{number}", runtime / str(number))
            variant_env = {**variant_dirs, **extra}
            variant_log = folder / f"variant-{number}.log"
            process = start([deskguard_executable(), "run", *args], variant_env, variant_log)
            subjects.append(Subject(label, process))
            wait_for_daemon(variant_env, process, variant_log)
    if kwin is not None:
        subjects.append(start_on_wayland(env, folder, runtime, kwin))
    version = workrave_version() if workrave else None
    if version is not None:
        subjects.append(
            Subject(f"workrave {version}", start(["workrave"], env, folder / "workrave.log"))
        )
    else:
        subjects.append(Subject("workrave", None, note="not installed" if workrave else "skipped"))
    floor = [sys.executable, "-c", "import time; time.sleep(1e6)"]
    subjects.append(Subject("python, doing nothing", start(floor, env, folder / "python.log")))
    return subjects


def start_on_wayland(env: Mapping[str, str], folder: Path, runtime: Path, kwin: Kwin) -> Subject:
    """The daemon without a tray in a Wayland session with no XWayland: only KWin's socket
    and bus, so the Wayland adapters are the ones in use."""
    wayland_env = own_dirs(env, folder / "wayland", runtime / "wayland")
    wayland_env.pop("DISPLAY", None)
    wayland_env["WAYLAND_DISPLAY"] = kwin.env["WAYLAND_DISPLAY"]
    wayland_env["DBUS_SESSION_BUS_ADDRESS"] = kwin.env["DBUS_SESSION_BUS_ADDRESS"]
    log = folder / "wayland.log"
    process = start([deskguard_executable(), "run", "--no-tray"], wayland_env, log)
    wait_for_daemon(wayland_env, process, log)
    source = json.loads(
        subprocess.run(
            [deskguard_executable(), "status", "--json"],
            env=wayland_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )["activity_source"]
    print(f"the daemon on kwin_wayland uses activity source {source!r}", flush=True)
    return Subject(WAYLAND_NO_TRAY, process)


@contextlib.contextmanager
def sni_subject(folder: Path) -> Iterator[Subject]:
    """The daemon with its StatusNotifierItem docked in a real xfce4-panel, in a desktop of
    its own (the panel is an XEmbed tray too: beside trayer one of them would lose)."""
    if not xfce_panel.available():
        yield Subject(SNI_ROW, None, note="xfce4-panel not installed")
        return
    with HeadlessDesktop(folder / "sni-desktop") as desktop:
        panel = XfcePanel(desktop).start()
        subject = Subject(SNI_ROW, None)
        try:
            env = {k: v for k, v in desktop.env.items() if k != "PYSTRAY_BACKEND"}
            log = folder / "sni.log"
            subject.process = start([deskguard_executable(), "run"], env, log)
            wait_for_daemon(env, subject.process, log)
            deadline = time.monotonic() + 20
            while "own item" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            if "own item" not in log.read_text():
                subject.note = "its StatusNotifierItem did not register"
            yield subject
        finally:
            stop(subject.process)
            panel.stop()


SNI_ROW = "deskguard run (SNI, xfce4-panel)"


# --------------------------------------------------------------------------- report


def report(subjects: Sequence[Subject], seconds: float) -> None:
    print(f"\nIdle footprint over {seconds:.0f} s (memory: last sample, peak in brackets)\n")
    header = (
        f"{'process':<32} {'procs':>5} {'RSS MB':>14} {'PSS MB':>7} "
        f"{'CPU s':>6} {'CPU s/h':>8} {'sched s/h':>9}"
    )
    print(header)
    print("-" * len(header))
    for s in subjects:
        if not s.measured:
            print(f"{s.name:<32} {s.note or 'not measured'}")
            continue
        rss = f"{s.rss[-1] / MB:.1f} [{max(s.rss) / MB:.1f}]"
        print(
            f"{s.name:<32} {s.processes:>5} {rss:>14} {s.pss[-1] / MB:>7.1f} "
            f"{s.cpu_seconds():>6.2f} {s.cpu_seconds() * 3600 / seconds:>8.2f} "
            f"{s.run_seconds() * 3600 / seconds:>9.3f}"
        )
    daemon = subjects[0]
    if daemon.measured:
        print()
        for subject in (daemon, *(s for s in subjects if s.name == SNI_ROW and s.measured)):
            print(targets_line(subject, seconds))
        report_wayland(subjects)
        for other in subjects[1:]:
            if other.name.startswith("workrave") and other.measured:
                print(
                    f"deskguard / {other.name}: RSS {_ratio(daemon.rss[-1], other.rss[-1])}, "
                    f"PSS {_ratio(daemon.pss[-1], other.pss[-1])}, "
                    f"CPU {_ratio(daemon.cpu_seconds(), other.cpu_seconds())} "
                    f"(sched {_ratio(daemon.run_seconds(), other.run_seconds())})"
                )
    print(
        f"(CPU s: utime+stime in clock ticks of 1/{CLOCK_TICKS} s, so one tick in "
        f"{seconds:.0f} s is {3600 / seconds / CLOCK_TICKS:.2f} s per hour; sched: the "
        "threads' run time from /proc/PID/task/*/schedstat, in nanoseconds)"
    )


def report_wayland(subjects: Sequence[Subject]) -> None:
    """The Wayland row against the X11 one, both without a tray."""
    by_name = {s.name: s for s in subjects if s.measured}
    x11, wayland = by_name.get(X11_NO_TRAY), by_name.get(WAYLAND_NO_TRAY)
    if x11 is None or wayland is None:
        return
    extra = (wayland.rss[-1] - x11.rss[-1]) / MB
    print(
        "Wayland (kwin) vs X11, both --no-tray: RSS "
        f"{wayland.rss[-1] / MB:.1f} vs {x11.rss[-1] / MB:.1f} MB, {extra:+.1f} MB "
        f"(<= {WAYLAND_EXTRA_MB:.0f} MB more: {'met' if extra <= WAYLAND_EXTRA_MB else 'NOT MET'})"
    )


def targets_line(subject: Subject, seconds: float) -> str:
    rss_mb = subject.rss[-1] / MB
    # Judged on the run time in nanoseconds: in a 60 s window one clock tick of
    # utime+stime is already 0.6 s per hour, too coarse for a 1 s target.
    per_hour = subject.run_seconds() * 3600 / seconds
    ticks_per_hour = subject.cpu_seconds() * 3600 / seconds
    return (
        f"targets for {subject.name}: RSS <= {RSS_TARGET_MB:.0f} MB: {rss_mb:.1f} MB "
        f"{'met' if rss_mb <= RSS_TARGET_MB else 'NOT MET'}; "
        f"CPU <= {CPU_TARGET_S_PER_HOUR:.0f} s per idle hour: {per_hour:.2f} s "
        f"(sched; {ticks_per_hour:.2f} s in clock ticks) "
        f"{'met' if per_hour <= CPU_TARGET_S_PER_HOUR else 'NOT MET'}"
    )


def _ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs > 0 else "n/a"


def report_mappings(subject: Subject, count: int) -> None:
    if subject.process is None or not subject.running:
        return
    print(f"\nlargest mappings of {subject.name} (pid {subject.process.pid}) by RSS\n")
    for name, size in largest_mappings(subject.process.pid, count):
        print(f"{size / MB:>7.1f} MB  {name}")


# --------------------------------------------------------------------------- imports

_IMPORT_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|\s*(\S+)\s*$")

# Run in a fresh interpreter: import the modules in the order given and print, after each,
# the RSS and (when tracing) the Python memory allocated so far.
_PROBE = """\
import importlib, json, sys, tracemalloc
names, trace = json.loads(sys.argv[1]), sys.argv[2] == "1"
for blocked in json.loads(sys.argv[3]):  # what `deskguard run` keeps out, kept out here too
    sys.modules.setdefault(blocked, None)
def rss():
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmRSS:"))
if trace:
    tracemalloc.start()
steps = [["", rss(), tracemalloc.get_traced_memory()[0], True]]
for name in names:
    try:
        importlib.import_module(name)
        ok = True
    except BaseException:
        ok = False
    steps.append([name, rss(), tracemalloc.get_traced_memory()[0], ok])
print(json.dumps(steps))
"""


@dataclass
class Package:
    name: str
    modules: int = 0
    self_us: int = 0
    rss_added: int = 0
    python_added: int = 0


def import_steps(
    env: Mapping[str, str], modules: Sequence[str], trace: bool
) -> list[tuple[str, int, int, bool]]:
    """(module, RSS, traced bytes, imported) after importing each of `modules` in turn
    into a fresh interpreter; the first entry is the interpreter before any of them."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _PROBE,
            json.dumps(list(modules)),
            "1" if trace else "0",
            json.dumps(LEFT_OUT_MODULES),
        ],
        env=dict(env),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"the import probe failed: {result.stderr.strip()[-2000:]}")
    steps = json.loads(result.stdout.strip().splitlines()[-1])
    return [(str(name), int(rss), int(held), bool(ok)) for name, rss, held, ok in steps]


def import_profile(env: Mapping[str, str], folder: Path, wait: float) -> list[tuple[str, int]]:
    """(module, self import time in µs) for each module `deskguard run` imported during
    start-up and the next `wait` seconds, in the order their imports finished."""
    log = folder / "importtime.log"
    process = start([deskguard_executable(), "run"], {**env, "PYTHONPROFILEIMPORTTIME": "1"}, log)
    try:
        wait_for_daemon(env, process, log)
        time.sleep(wait)
    finally:
        stop(process)
    found = (_IMPORT_LINE.match(line) for line in log.read_text(errors="replace").splitlines())
    return [(match.group(3), int(match.group(1))) for match in found if match is not None]


def package_name(module: str) -> str:
    head = module.split(".")[0]
    return "<stdlib>" if head in sys.stdlib_module_names or head.startswith("_") else head


def report_modules(env: Mapping[str, str], folder: Path, top: int) -> None:
    """Per top-level package: modules, import time, and the RSS and Python memory added
    when the daemon's modules are imported again, in its order, into a fresh interpreter.

    The profile lists a module when its import finishes, so its dependencies come before
    it: each step's growth belongs to that module (and its package's __init__)."""
    print("\nWhat the daemon imports (deskguard run with its tray, PYTHONPROFILEIMPORTTIME)\n")
    profile = import_profile(env, folder, wait=3.0)
    # The tray picks its backend at run time; the probe below imports pystray with the same.
    chosen = re.search(r"pystray backend (\w+)", (folder / "importtime.log").read_text())
    if chosen:
        env = {**env, "PYSTRAY_BACKEND": chosen.group(1)}
    if not profile:
        print("no import lines found: was PYTHONPROFILEIMPORTTIME honoured?")
        return
    packages: dict[str, Package] = {}
    for module, self_us in profile:
        package = packages.setdefault(package_name(module), Package(package_name(module)))
        package.modules += 1
        package.self_us += self_us
    modules = [module for module, _ in profile if not module.startswith("__")]
    plain = import_steps(env, modules, trace=False)
    traced = import_steps(env, modules, trace=True)
    for (_, rss_before, _, _), (module, rss, _, _) in pairwise(plain):
        packages[package_name(module)].rss_added += rss - rss_before
    for (_, _, held_before, _), (module, _, held, _) in pairwise(traced):
        packages[package_name(module)].python_added += held - held_before
    failed = [module for module, _, _, ok in plain[1:] if not ok]
    total_ms = sum(p.self_us for p in packages.values()) / 1000
    print(
        f"{len(profile)} modules in {len(packages)} top-level packages (the standard library "
        f"counted as one); import time {total_ms:.0f} ms (self times summed)"
    )
    print(
        f"a fresh interpreter: {plain[0][1] / MB:.1f} MB RSS; after importing them all, in the "
        f"daemon's order: {plain[-1][1] / MB:.1f} MB"
        + (f" ({len(failed)} would not import on their own)" if failed else "")
    )
    print(
        f"Python memory allocated by those imports (tracemalloc): "
        f"{(traced[-1][2] - traced[0][2]) / MB:.1f} MB\n"
    )
    print(f"top {top} packages by RSS they add (in the daemon's import order)\n")
    print(f"{'package':<22} {'modules':>7} {'import ms':>9} {'RSS MB':>7} {'Python MB':>9}")
    for package in sorted(packages.values(), key=lambda p: p.rss_added, reverse=True)[:top]:
        print(
            f"{package.name:<22} {package.modules:>7} {package.self_us / 1000:>9.1f} "
            f"{package.rss_added / MB:>7.1f} {package.python_added / MB:>9.1f}"
        )
    print(
        "\n(RSS: pages of shared libraries and Python objects touched while importing; "
        "Python: what tracemalloc sees allocated. The rest of the daemon's RSS is its heap "
        "at run time, threads, and libraries loaded when the tray and the bus start.)"
    )


# --------------------------------------------------------------------------- main


@contextlib.contextmanager
def stopping(subjects: list[Subject]) -> Iterator[list[Subject]]:
    try:
        yield subjects
    finally:
        for subject in subjects:
            stop(subject.process)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--settle", type=float, default=10.0, help="seconds before measuring")
    parser.add_argument("--seconds", type=float, default=60.0, help="seconds measured")
    parser.add_argument("--modules", action="store_true", help="also report the imports")
    parser.add_argument("--top", type=int, default=15, help="rows in the detail tables")
    parser.add_argument("--no-variants", action="store_true", help="only the daemon as shipped")
    parser.add_argument("--no-workrave", action="store_true", help="do not measure Workrave")
    parser.add_argument("--no-wayland", action="store_true", help="no daemon on kwin_wayland")
    parser.add_argument("--no-sni", action="store_true", help="no daemon in xfce4-panel")
    args = parser.parse_args(argv)
    # SIGTERM ends the run like Ctrl+C: the cleanup stops every process it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with (
        tempfile.TemporaryDirectory(prefix="dg-bench-") as tmp,
        # Short: the control sockets of the variants live in it (socket paths are limited).
        tempfile.TemporaryDirectory(prefix="dg-run-") as runtime,
        HeadlessDesktop(Path(tmp) / "desktop", tray=True) as desktop,
        contextlib.ExitStack() as compositors,
        contextlib.ExitStack() as sni,
    ):
        folder = Path(tmp)
        kwin = None
        if not args.no_wayland:
            kwin = compositors.enter_context(Kwin(folder / "kwin"))
        started = start_subjects(
            desktop.env, folder, Path(runtime), not args.no_variants, not args.no_workrave, kwin
        )
        if not args.no_sni:
            started.insert(1, sni.enter_context(sni_subject(folder)))
        with stopping(started) as subjects:
            time.sleep(args.settle)
            for subject in subjects:
                subject.check_alive("while settling")
            measure(subjects, args.seconds)
            report(subjects, args.seconds)
            report_mappings(subjects[0], min(args.top, 12))
        tray = [
            line for line in (folder / "deskguard.log").read_text().splitlines() if "tray" in line
        ]
        if tray:
            print(f"\nthe daemon's log about its tray: {tray[-1].strip()}")
        if args.modules:
            report_modules(desktop.env, folder, args.top)


if __name__ == "__main__":
    main()
