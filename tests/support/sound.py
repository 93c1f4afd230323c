"""A real sound server for tests: PipeWire with a null sink, and a recorder of what it plays.

PipeWire, WirePlumber (with every device monitor off, so it never touches real sound
cards) and pipewire-pulse run on a private session bus in a private runtime dir. Clients
reach it through PULSE_SERVER. `Recording` captures the null sink's monitor with parec,
so a test can tell when something was heard.
"""

from __future__ import annotations

import array
import math
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.polling import poll

RATE = 48_000
WINDOW = RATE // 100
"""Samples in one 10 ms window: the resolution at which sound is told from silence."""
LOUD_DBFS = -50.0
SINK = "test"

_NO_DEVICES = """\
alsa_monitor.enabled = false
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
"""


def sound_tools_missing() -> list[str]:
    names = ("pipewire", "wireplumber", "pipewire-pulse", "pactl", "parec", "paplay", "espeak-ng")
    return [name for name in names if shutil.which(name) is None]


@dataclass(frozen=True)
class Burst:
    """One stretch of sound in a recording, in seconds from the recording's start."""

    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


class SoundServer:
    """PipeWire + WirePlumber + pipewire-pulse with a null sink named "test"."""

    def __init__(self) -> None:
        # Short: the socket path must fit in 107 characters.
        self.dir = Path(tempfile.mkdtemp(prefix="dg-snd-"))
        self.runtime = self.dir / "rt"
        self.runtime.mkdir(mode=0o700)
        monitors = self.dir / "cfg" / "wireplumber"
        (monitors / "main.lua.d").mkdir(parents=True)
        (monitors / "main.lua.d" / "90-no-devices.lua").write_text(_NO_DEVICES)
        (monitors / "bluetooth.lua.d").mkdir()
        (monitors / "bluetooth.lua.d" / "90-no-bluez.lua").write_text(
            "bluez_monitor.enabled = false\n"
        )
        self._processes: list[subprocess.Popen[bytes]] = []
        self.env: dict[str, str] = {}

    @property
    def pulse_server(self) -> str:
        return f"unix:{self.runtime / 'pulse' / 'native'}"

    def client_env(self, env: dict[str, str]) -> dict[str, str]:
        """`env` with this server as the sound server."""
        return {**env, "PULSE_SERVER": self.pulse_server}

    def start(self) -> SoundServer:
        base = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("XDG_", "PULSE_", "PIPEWIRE_", "DBUS_"))
        }
        base.update(XDG_RUNTIME_DIR=str(self.runtime), XDG_CONFIG_HOME=str(self.dir / "cfg"))
        bus = subprocess.run(
            [
                "dbus-daemon",
                "--session",
                "--fork",
                "--nopidfile",
                f"--address=unix:path={self.dir / 'bus'}",
                "--print-address=1",
                "--print-pid=1",
            ],
            env=base,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        address, pid = bus.stdout.split()[:2]
        self._bus_pid = int(pid)
        self.env = {**base, "DBUS_SESSION_BUS_ADDRESS": address}
        # WirePlumber exits unless PipeWire's socket exists first.
        self._spawn("pipewire")
        poll(lambda: (self.runtime / "pipewire-0").exists(), timeout=10, what="pipewire socket")
        self._spawn("wireplumber")
        self._spawn("pipewire-pulse")
        poll(lambda: (self.runtime / "pulse" / "native").exists(), timeout=10, what="pulse socket")
        poll(self._null_sink_ready, timeout=15, what="the null sink as default")
        return self

    def _spawn(self, name: str) -> None:
        log = (self.dir / f"{name}.log").open("wb")
        self._processes.append(
            subprocess.Popen(
                [name], env=self.env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        )

    def pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args],
            env=self.client_env(self.env),
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )

    def _null_sink_ready(self) -> bool:
        if SINK not in self.pactl("list", "short", "sinks").stdout.split():
            self.pactl("load-module", "module-null-sink", f"sink_name={SINK}")
        self.pactl("set-default-sink", SINK)
        return self.pactl("get-default-sink").stdout.strip() == SINK

    def stop(self) -> None:
        for process in reversed(self._processes):
            process.terminate()
        for process in self._processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        if getattr(self, "_bus_pid", None):
            os.kill(self._bus_pid, signal.SIGTERM)
        shutil.rmtree(self.dir, ignore_errors=True)

    def record(self, path: Path) -> Recording:
        return Recording(self, path).start()


class Recording:
    """parec on the null sink's monitor, 16-bit mono at 48 kHz, into a raw file."""

    def __init__(self, server: SoundServer, path: Path) -> None:
        self.server = server
        self.path = path
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> Recording:
        with self.path.open("wb") as out:
            self._process = subprocess.Popen(
                [
                    "parec",
                    f"--device={SINK}.monitor",
                    "--raw",
                    "--format=s16le",
                    f"--rate={RATE}",
                    "--channels=1",
                    "--latency-msec=10",
                ],
                env=self.server.client_env(self.server.env),
                stdout=out,
                stdin=subprocess.DEVNULL,
            )
        # Samples flow ~20 ms after parec starts; from then on the file grows steadily.
        poll(lambda: self.path.stat().st_size > 0, timeout=10, what="the recording to start")
        return self

    @property
    def seconds(self) -> float:
        """How much has been recorded so far."""
        return self.path.stat().st_size / 2 / RATE

    def stop_raw(self) -> bytes:
        """Stop recording (SIGINT: SIGTERM loses the buffer); returns the samples."""
        assert self._process is not None
        self._process.send_signal(signal.SIGINT)
        self._process.wait(timeout=10)
        return self.path.read_bytes()

    def stop(self) -> list[Burst]:
        """Stop recording; returns the sound heard."""
        return bursts(self.stop_raw())


def loud_windows(raw: bytes) -> list[bool]:
    """For each 10 ms window of s16le mono samples: does it peak above -50 dBFS?"""
    samples = array.array("h")
    samples.frombytes(raw[: len(raw) - len(raw) % 2])
    threshold = 32768 * math.pow(10, LOUD_DBFS / 20)
    return [
        max((abs(s) for s in samples[i : i + WINDOW]), default=0) > threshold
        for i in range(0, len(samples) - WINDOW + 1, WINDOW)
    ]


def bursts(raw: bytes, bridge: float = 0.2) -> list[Burst]:
    """The stretches of sound, merging those less than `bridge` seconds apart (the pauses
    between spoken words, the short dips inside one tone)."""
    found: list[Burst] = []
    for index, loud in enumerate(loud_windows(raw)):
        if not loud:
            continue
        start, end = index / 100, (index + 1) / 100
        if found and start - found[-1].end < bridge:
            found[-1] = Burst(found[-1].start, end)
        else:
            found.append(Burst(start, end))
    return found
