"""The routine window the daemon opens speaks the daemon's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskguard.daemon.routine_window import window_environment
from deskguard.paths import ConfigFiles
from deskguard.settings import load_settings


def test_the_window_gets_the_daemons_language_and_keeps_the_locale() -> None:
    environ = {"LANG": "fr_FR.UTF-8", "LC_ALL": "fr_FR.UTF-8", "NOTIFY_SOCKET": "/run/x"}
    env = window_environment(environ, "ru")
    assert env["DESKGUARD_UI__LANGUAGE"] == "ru"
    assert env["LANG"] == env["LC_ALL"] == "fr_FR.UTF-8"
    assert "LANGUAGE" not in env and "NOTIFY_SOCKET" not in env


@pytest.mark.parametrize("language", ["ru", "de", "en"])
def test_the_windows_language_outranks_its_config_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    user = tmp_path / "config.toml"
    user.write_text('[ui]\nlanguage = "de"\n')
    for key, value in window_environment({}, language).items():
        monkeypatch.setenv(key, value)
    settings = load_settings(ConfigFiles.chosen(user))
    assert settings.ui.language == language
