"""The real `deskguard` shows click's own words (headings, --help, its errors) in the same
language as its own: the environment's, or `[ui] language` when configured."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess, write_config

pytestmark = pytest.mark.integration

HELP = {
    "de": ("Aufruf: deskguard stats", "Optionen:", "Diese Hilfe anzeigen und beenden."),
    "ru": ("Использование: deskguard stats", "Параметры:", "Показать эту справку и выйти."),
    "xx": ("Usage: deskguard stats", "Options:", "Show this message and exit."),
}


def deskguard(env: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskguard", *args],
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def shows(shown: str, words: tuple[str, ...]) -> bool:
    return all(word in " ".join(shown.split()) for word in words)  # click wraps the help


@pytest.mark.parametrize("language", sorted(HELP))
def test_clicks_words_follow_the_environments_language(tmp_path: Path, language: str) -> None:
    done = deskguard({**isolated_env(tmp_path), "LANGUAGE": language}, "stats", "--help")
    assert done.returncode == 0, done.stderr
    assert shows(done.stdout, HELP[language]), done.stdout


@pytest.mark.parametrize(("configured", "shown"), [("ru", "ru"), ("xx", "xx")])
def test_clicks_words_follow_the_configured_language(
    tmp_path: Path, configured: str, shown: str
) -> None:
    # The environment names another language: the configured one wins, an unknown one
    # (deskguard falls back to English) included.
    env = {**isolated_env(tmp_path), "LANGUAGE": "de"}
    write_config(env, f'[ui]\nlanguage = "{configured}"\n')
    done = deskguard(env, "stats", "--help")
    assert done.returncode == 0, done.stderr
    assert shows(done.stdout, HELP[shown]), done.stdout
    assert "Aufruf:" not in done.stdout


def test_a_bad_value_is_refused_in_german(tmp_path: Path) -> None:
    done = deskguard({**isolated_env(tmp_path), "LANGUAGE": "de"}, "stats", "--days", "0")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "Aufruf: deskguard stats [OPTIONS]",
        "Hilfe erhalten Sie mit „deskguard stats --help“.",
        "",
        "Fehler: Ungültiger Wert für '--days': 0 liegt nicht im Bereich 1<=x<=3660.",
    ]


def test_an_unknown_command_is_refused_in_german(tmp_path: Path) -> None:
    done = deskguard({**isolated_env(tmp_path), "LANGUAGE": "de"}, "statz")
    assert done.returncode == 2
    assert "Fehler: Unbekannter Befehl 'statz'." in done.stderr
    assert "Hilfe erhalten Sie mit „deskguard --help“." in done.stderr
    assert "Error" not in done.stderr and "Usage" not in done.stderr


def test_the_groups_options_are_in_german_and_placeholders_stay_english(tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), "LANGUAGE": "de"}
    group = deskguard(env, "--help")
    assert group.returncode == 0, group.stderr
    assert shows(group.stdout, ("Optionen:", "--version Version anzeigen und beenden."))
    assert "Befehle:" in group.stdout and "Commands:" not in group.stdout
    stats = deskguard(env, "stats", "--help")
    # The help text names the placeholder FILE: click's own would be DATEI.
    assert "--chart FILE" in stats.stdout and "in FILE schreiben" in stats.stdout, stats.stdout
    assert "--config PATH" in deskguard(env, "simulate", "--help").stdout


def test_the_daemon_keeps_the_environments_language(tmp_path: Path) -> None:
    # The command line sets LANGUAGE to the configured language for click; `deskguard run`
    # becomes the daemon, which must see the desktop's LANGUAGE: were `[ui] language`
    # dropped from the config, a reload would follow it.
    env = {**isolated_env(tmp_path), "LANGUAGE": "ru"}
    write_config(env, '[ui]\nlanguage = "de"\n')
    daemon = DeskguardProcess(env, tmp_path / "daemon.log").start()
    try:
        assert daemon.process is not None
        variables = Path(f"/proc/{daemon.process.pid}/environ").read_bytes().split(b"\0")
        assert b"LANGUAGE=ru" in variables
        assert b"LANGUAGE=de" not in variables
        assert daemon.status()["config"]["ui"]["language"] == "de"
    finally:
        assert daemon.stop() == 0
