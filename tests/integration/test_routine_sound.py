"""Sound and voice cues of a routine, heard on a real PipeWire server's null sink.

The routine is the hamstring stretch (per leg) with holds of 8 s, played 8 times faster
than real time, so each hold lasts one real second; the tones themselves play at their
real length (0.05 to 1 s).
"""

from __future__ import annotations

import json
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.test_routine_window import RoutineWindowProcess, skip_health_notice
from tests.support.desktop import HeadlessDesktop
from tests.support.env import isolated_env
from tests.support.process import deskguard_executable, write_config
from tests.support.sound import RATE, Burst, SoundServer, bursts, sound_tools_missing

SPEED = 8
HOLD = 8


def short_holds(env: dict[str, str], reps: int) -> None:
    catalog = Path(env["XDG_CONFIG_HOME"]) / "deskguard" / "catalog.toml"
    catalog.parent.mkdir(parents=True, exist_ok=True)
    catalog.write_text(
        "[exercises.hamstring-stretch]\n"
        f"hold = {{ min_seconds = {HOLD}, max_seconds = {HOLD}, from_source = false }}\n"
        f"repetitions = {{ count = {reps}, from_source = false }}\n"
    )


@pytest.fixture(scope="module")
def server() -> Iterator[SoundServer]:
    if missing := sound_tools_missing():
        pytest.fail(f"missing {', '.join(missing)}: run scripts/system-packages.sh")
    started = SoundServer().start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def desktop(
    server: SoundServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HeadlessDesktop]:
    """A screen for the routine window, whose programs play on the test sound server."""
    with HeadlessDesktop(tmp_path_factory.mktemp("desktop")) as running:
        running.env.update(server.client_env({}))
        yield running


def play_routine(env: dict[str, str], speed: int = SPEED) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [deskguard_executable(), "routine", "--terminal", "--exercises", "hamstring-stretch"],
        env={**env, "DESKGUARD_ROUTINE_SPEED": str(speed)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def heard_during(server: SoundServer, env: dict[str, str], tmp_path: Path) -> list[Burst]:
    recording = server.record(tmp_path / "heard.raw")
    result = play_routine(server.client_env(env))
    assert result.returncode == 0, result.stderr
    assert "sound cues off" not in result.stderr
    return recording.stop()


def test_a_tone_at_each_hold_start_and_end_and_silence_between(
    server: SoundServer, tmp_path: Path
) -> None:
    env = isolated_env(tmp_path)
    short_holds(env, reps=2)
    heard = heard_during(server, env, tmp_path)
    # Routine seconds: get ready 0-5, left holds 5-13 and 16-24, switch 24-29, right
    # holds 29-37 and 40-48. A tone at every hold's start and end, nothing else (the
    # voice is off, so the name at 0 is not said).
    cue_seconds = [5, 13, 16, 24, 29, 37, 40, 48]
    assert len(heard) == len(cue_seconds), heard
    first = heard[0].start
    for burst, second in zip(heard, cue_seconds, strict=True):
        expected = (second - cue_seconds[0]) / SPEED
        assert abs(burst.start - first - expected) < 0.15, (heard, second)
    # Silence between: each tone is over well before the next cue.
    for burst, following in zip(heard, heard[1:], strict=False):
        assert following.start - burst.end > 0.1, heard
    # Distinct tones: the hold start ("bell") is the same each time, the end of the
    # routine ("complete") is the longest of all.
    assert heard[-1].seconds == max(b.seconds for b in heard)
    assert heard[-1].seconds > 2 * heard[0].seconds


def test_nothing_is_heard_with_sounds_off(server: SoundServer, tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    short_holds(env, reps=1)
    write_config(env, "[routine]\nsounds = false\n")
    heard = heard_during(server, env, tmp_path)
    assert heard == []


def test_without_a_sound_server_the_routine_finishes_and_says_so_once(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)  # its private runtime dir has no sound server
    short_holds(env, reps=2)
    write_config(env, "[routine]\nvoice = true\n")
    result = play_routine(env)
    assert result.returncode == 0, result.stderr
    assert "Finished: 4 of 4 holds done." in result.stdout
    said = [line for line in result.stderr.splitlines() if "cues off" in line]
    assert len(said) == 1, result.stderr
    assert said[0].startswith("sound cues off: paplay: ")


PAUSE_IN_SPEECH = 0.4
"""Longest silence inside one spoken cue (after a full stop)."""


def spoken_seconds(tmp_path: Path, text: str) -> float:
    """How long espeak-ng's rendering of `text` is audible, from first to last sound."""
    wav = tmp_path / "expected.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), text], check=True, timeout=30)
    with wave.open(str(wav)) as speech:
        assert speech.getsampwidth() == 2 and speech.getnchannels() == 1
        rate, raw = speech.getframerate(), speech.readframes(speech.getnframes())
    # The recorder's analysis works on 10 ms windows at 48 kHz: stretch the time axis.
    found = bursts(raw, bridge=PAUSE_IN_SPEECH * rate / RATE)
    return (found[-1].end - found[0].start) * RATE / rate


def test_the_voice_says_when_to_switch_sides(server: SoundServer, tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    short_holds(env, reps=1)
    write_config(env, "[routine]\nsounds = false\nvoice = true\n")
    recording = server.record(tmp_path / "heard.raw")
    # Slower, so the phrases do not run into each other: get ready 0-5, left hold 5-13,
    # switch 13-18, right hold 18-26 routine seconds.
    speed = 3
    result = play_routine(server.client_env(env), speed=speed)
    assert result.returncode == 0, result.stderr
    heard = bursts(recording.stop_raw(), bridge=PAUSE_IN_SPEECH)
    # The exercise's name at 0 (running into "Hold" at 5), the switch at 13, "Hold" at
    # 18, done at 26: the switch is heard from its moment on, on its own.
    assert len(heard) >= 3, heard
    at_switch = [b for b in heard if abs(b.start - heard[0].start - 13 / speed) < 0.3]
    assert len(at_switch) == 1, heard
    switch = at_switch[0]
    # It is speech, at least as long as the words "Release. Switch to the right leg" (the
    # "Hold" queued behind them may follow without a pause); no tone lasts that long.
    expected = spoken_seconds(tmp_path, "Release. Switch to the right leg")
    assert expected > 1.2
    assert switch.seconds > expected - 0.3, (switch, expected)


def test_bursts_merge_the_pauses_between_words() -> None:
    silence, sound = b"\0\0" * 480, b"\xff\x7f" * 480  # 10 ms each
    raw = silence * 10 + sound * 5 + silence * 5 + sound * 5 + silence * 50 + sound
    assert bursts(raw) == [Burst(0.1, 0.25), Burst(0.75, 0.76)]


def doctor(env: dict[str, str]) -> dict[str, dict[str, object]]:
    result = subprocess.run(
        [deskguard_executable(), "doctor", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return {check["name"]: check for check in json.loads(result.stdout)}


def test_doctor_reports_sound_and_speech(server: SoundServer, tmp_path: Path) -> None:
    found = doctor(server.client_env(isolated_env(tmp_path)))
    assert found["sound"]["ok"], found["sound"]
    assert "PulseAudio (on PipeWire" in str(found["sound"]["detail"])
    assert "freedesktop/stereo" in str(found["sound"]["detail"])
    assert found["speech"]["ok"] and "espeak-ng" in str(found["speech"]["detail"])


def test_doctor_says_when_no_sound_server_answers(tmp_path: Path) -> None:
    found = doctor(isolated_env(tmp_path))
    assert not found["sound"]["ok"]
    assert str(found["sound"]["detail"]).startswith("no sound server")
    assert "routine runs silently" in str(found["sound"]["fix"])


def test_s_in_the_window_turns_the_sounds_off(
    server: SoundServer, desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    env = desktop.env
    short_holds(env, reps=1)
    skip_health_notice(env)
    recording = server.record(tmp_path / "heard.raw")
    # Real seconds at speed 4: the first hold starts at 1.25 (a tone), the switch comes at
    # 3.25, the second hold at 4.5, the end at 6.5.
    window = RoutineWindowProcess(desktop, tmp_path, 4, "--exercises", "hamstring-stretch")
    try:
        window.wait_for(lambda r: r.get("step_kind") == "hold", "the first hold")
        desktop.xdotool("key", "s")
        switched = window.wait_for(lambda r: r.get("event") == "cues", "the sounds switched")
        assert switched == {"event": "cues", "sounds": False, "voice": False}
        window.wait_for(lambda r: r.get("state") == "finished", "the finish", timeout=30)
        heard = recording.stop()
        assert window.finish() == 0
    finally:
        window.close()
    assert len(heard) == 1, heard  # the first hold's start, and nothing after the key
