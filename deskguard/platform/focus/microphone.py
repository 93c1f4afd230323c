"""The `microphone` focus signal, read with `pactl`."""

from __future__ import annotations

import logging
import shutil

from deskguard.platform.dbus import reason_for
from deskguard.platform.focus.base import BaseSignal, FocusConfig, FocusUnavailable, run_program


class MicrophoneInUse(BaseSignal):
    """Some program records from a sound source: `pactl list short source-outputs` prints a
    line per recording stream, on PulseAudio and on PipeWire (pipewire-pulse) alike."""

    name = "microphone"

    def __init__(self, pactl: str, log: logging.Logger) -> None:
        super().__init__(log)
        self._pactl = pactl

    @classmethod
    async def open(cls, settings: FocusConfig, log: logging.Logger) -> MicrophoneInUse:
        pactl = shutil.which("pactl")
        if pactl is None:
            raise FocusUnavailable("pactl not found (Debian/Ubuntu: pulseaudio-utils)")
        signal = cls(pactl, log)
        try:
            await signal._check()
        except Exception as exc:
            raise FocusUnavailable(
                f"pactl cannot list recording streams: {reason_for(exc)}"
            ) from exc
        return signal

    @property
    def how(self) -> str:
        return f"recording streams listed by {self._pactl}"

    async def _check(self) -> bool:
        return capturing(await run_program([self._pactl, "list", "short", "source-outputs"]))


def capturing(source_outputs: str) -> bool:
    """Whether `pactl list short source-outputs` listed any stream (one per line)."""
    return any(line.strip() for line in source_outputs.splitlines())
