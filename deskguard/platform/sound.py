"""Playing routine cues: freedesktop theme tones and spoken words on the user's sound server.

Thin on purpose: the theme files are found through the XDG data dirs, played with
`paplay` or `pw-play` (PulseAudio or PipeWire), speech is rendered with espeak-ng into a
WAV file and played the same way (espeak-ng alone answers rc 0 even when it could not
play anything), or said by `spd-say`. Everything runs on one worker thread, one cue
after the other, each command with a timeout: a frozen sound server must not freeze the
routine, and a tone must not talk over the words. The first failure is logged once and
the cues go silent; the routine goes on.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deskguard.core.cues import Cue, Tone
from deskguard.i18n import current_language

log = logging.getLogger("deskguard.routine")

THEME_SOUNDS: Mapping[Tone, str] = {
    "hold-start": "bell",
    "hold-end": "dialog-information",
    "switch-side": "message",
    "done": "complete",
}
"""Which freedesktop theme sound marks which moment: a distinct one for each."""

COMMAND_TIMEOUT = 10.0
"""Longest a single play or speech command may take; a frozen server blocks ~30 s."""
STALE_AFTER = 3.0
"""A cue still waiting this many seconds after its moment is dropped: a late "Hold"
misleads more than a missing one."""
PLAYERS = ("paplay", "pw-play")
SPEECH_ENGINES = ("espeak-ng", "espeak", "spd-say")


def data_dirs(environ: Mapping[str, str] | None = None) -> list[Path]:
    """The XDG data directories, the user's first."""
    env = os.environ if environ is None else environ
    home = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".local/share")
    system = env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    return [Path(part) for part in [home, *system.split(":")] if part]


def theme_sound(name: str, environ: Mapping[str, str] | None = None) -> Path | None:
    """The freedesktop sound theme's file for `name` (like "bell"), or None."""
    for directory in data_dirs(environ):
        candidate = directory / "sounds" / "freedesktop" / "stereo" / f"{name}.oga"
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class SoundTools:
    """What this system has for playing cues; None where nothing was found."""

    player: str | None
    tones: Mapping[Tone, Path]
    speech: str | None

    @classmethod
    def find(cls, environ: Mapping[str, str] | None = None) -> SoundTools:
        player = next((path for name in PLAYERS if (path := shutil.which(name))), None)
        speech = next((path for name in SPEECH_ENGINES if (path := shutil.which(name))), None)
        tones = {
            tone: sound
            for tone, name in THEME_SOUNDS.items()
            if (sound := theme_sound(name, environ)) is not None
        }
        return cls(player, tones, speech)

    @property
    def renders_speech(self) -> bool:
        """espeak writes a file we play ourselves; spd-say talks through its own server."""
        return self.speech is not None and Path(self.speech).name.startswith("espeak")


def sound_server_reachable(timeout: float = 3.0) -> tuple[bool, str]:
    """Whether a PulseAudio-compatible server (PulseAudio, pipewire-pulse) answers."""
    pactl = shutil.which("pactl")
    if pactl is None:
        return False, "pactl not found (Debian/Ubuntu: pulseaudio-utils)"
    try:
        done = subprocess.run(
            [pactl, "info"], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return False, "the sound server does not answer"
    except OSError as exc:
        return False, str(exc)
    if done.returncode != 0:
        return False, (done.stderr.strip() or "no sound server").splitlines()[0]
    for line in done.stdout.splitlines():
        if line.startswith("Server Name:"):
            return True, line.split(":", 1)[1].strip()
    return True, "a sound server"


class _Failed(Exception):
    """A command that did not play; the message says why."""


class CuePlayer:
    """Plays cues as the routine reaches them: `cue()` queues, a worker thread plays.

    `sounds` and `voice` may be flipped at any time (the window's keys); a cue plays
    what is on at the moment it is queued.
    """

    def __init__(self, tools: SoundTools, *, sounds: bool, voice: bool) -> None:
        self.tools = tools
        self.sounds = sounds
        self.voice = voice
        self.silent = False
        self._jobs: queue.Queue[tuple[float, Path | str] | None] = queue.Queue()
        self._scratch: Path | None = None
        self._worker: threading.Thread | None = None
        self._told: set[str] = set()

    # -- the routine's side ----------------------------------------------------------

    def cue(self, cue: Cue) -> None:
        """Queue what this cue plays with the current switches; never blocks."""
        if self.silent:
            return
        now = time.monotonic()
        if self.sounds and cue.tone is not None:
            self._queue_tone(now, cue.tone)
        if self.voice and cue.speech:
            self._queue_speech(now, cue.speech)

    def close(self, wait: float = 5.0) -> None:
        """Let queued cues finish (at most `wait` seconds), then stop the worker."""
        if self._worker is not None:
            self._jobs.put(None)
            self._worker.join(wait)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _queue_tone(self, now: float, tone: Tone) -> None:
        if self.tools.player is None:
            self._tell_once("sound cues off: neither paplay nor pw-play is installed")
            return
        path = self.tools.tones.get(tone)
        if path is None:
            self._tell_once("sound cues off: the freedesktop sound theme is not installed")
            return
        self._put(now, path)

    def _queue_speech(self, now: float, text: str) -> None:
        if self.tools.speech is None:
            self._tell_once("voice cues off: neither espeak-ng nor spd-say is installed")
            return
        if self.tools.renders_speech and self.tools.player is None:
            self._tell_once("voice cues off: neither paplay nor pw-play is installed")
            return
        self._put(now, text)

    def _tell_once(self, message: str) -> None:
        if message not in self._told:
            self._told.add(message)
            log.warning("%s", message)

    def _put(self, now: float, job: Path | str) -> None:
        if self._worker is None:
            self._worker = threading.Thread(target=self._work, name="cues", daemon=True)
            self._worker.start()
        self._jobs.put((now, job))

    # -- the worker ------------------------------------------------------------------

    def _work(self) -> None:
        while (item := self._jobs.get()) is not None:
            queued, job = item
            if self.silent or time.monotonic() - queued > STALE_AFTER:
                continue
            try:
                if isinstance(job, Path):
                    self._play(job)
                else:
                    self._say(job)
            except _Failed as exc:
                # Most likely no sound server at all: one line, then quiet for good.
                self.silent = True
                log.warning("sound cues off: %s", exc)

    def _play(self, path: Path) -> None:
        assert self.tools.player is not None
        self._run([self.tools.player, str(path)])

    def _say(self, text: str) -> None:
        assert self.tools.speech is not None
        if not self.tools.renders_speech:
            self._run(speech_command(self.tools.speech, text, None, current_language()))
            return
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="deskguard-cues-"))
        wav = self._scratch / "speech.wav"
        self._run(speech_command(self.tools.speech, text, wav, current_language()))
        self._play(wav)
        with contextlib.suppress(OSError):
            wav.unlink()

    @staticmethod
    def _run(command: list[str]) -> None:
        name = Path(command[0]).name
        try:
            done = subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise _Failed(f"{name} did not finish in {COMMAND_TIMEOUT:.0f} s") from None
        except OSError as exc:
            raise _Failed(f"{name}: {exc}") from None
        if done.returncode != 0:
            reason = (done.stderr.strip() or f"exit status {done.returncode}").splitlines()[-1]
            raise _Failed(f"{name}: {reason}")


def speech_command(speech: str, text: str, wav: Path | None, language: str) -> list[str]:
    """The command saying `text` with the voice of `language` ("ru", "pt_BR"): espeak
    writes it into `wav`, spd-say (`wav` None) speaks it itself."""
    voice = language.partition("_")[0] or "en"
    if wav is None:
        return [speech, "--wait", "-l", voice, text]
    return [speech, "-v", voice, "-w", str(wav), text]


def cue_player(*, sounds: bool, voice: bool) -> CuePlayer:
    """A player for this system's tools, with the configured switches."""
    return CuePlayer(SoundTools.find(), sounds=sounds, voice=voice)
