"""The daemon's configuration, loaded in a child process: what it holds and what it refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from deskguard.core.decisions import Policy
from deskguard.daemon.config import DaemonConfig, load, resolve
from deskguard.errors import InvalidConfiguration
from deskguard.paths import ConfigFiles
from tests.support.env import isolated_env


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ConfigFiles:
    for key, value in isolated_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    return ConfigFiles(system=[], user=tmp_path / "config" / "deskguard" / "config.toml")


def write(files: ConfigFiles, text: str) -> None:
    files.user.parent.mkdir(parents=True, exist_ok=True)
    files.user.write_text(text)


def test_the_child_gives_what_loading_in_process_gives(files: ConfigFiles) -> None:
    write(
        files,
        '[reminder]\nsit_limit = "20m"\n[schedule]\nactive = ["mon-fri 09:00-17:00"]\n'
        "[focus]\ncamera = false\n",
    )
    config = load(files.user, {"tray": {"enabled": False}})
    assert config == resolve(files, {"tray": {"enabled": False}})
    assert DaemonConfig.from_json(config.to_json()) == config
    settings = config.settings
    assert settings.reminder.sit_limit == 1200
    assert (settings.schedule.active, settings.tray.enabled) == (("mon-fri 09:00-17:00",), False)
    assert settings.focus.camera is False and settings.focus.max_deferral == 30 * 60
    assert Policy.of(settings).working_hours.periods  # the periods are parsed for the tracker
    # The paths come from the child too (the daemon never loads platformdirs).
    assert config.paths.config_file == files.user
    assert config.paths.history == files.user.parents[2] / "state/deskguard/history.sqlite3"
    # Reminders suggest the exercises done standing at a desk, with their names.
    assert {"standing-back-bend", "quadriceps-stretch"} <= set(config.candidates)
    assert "crunch" not in config.candidates
    assert config.catalog.exercises["standing-back-bend"].name == "Standing back bend"
    # A declared health condition takes out the exercises it rules out.
    pregnant = load(files.user, {"health": {"contraindications": ["pregnancy"]}})
    assert set(pregnant.candidates) < set(config.candidates)


def test_a_bad_file_and_a_bad_variable_are_each_named(
    files: ConfigFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(files, '[reminder]\nsnooze = "soon"\n')
    with pytest.raises(InvalidConfiguration) as bad_file:
        load(files.user)
    (problem,) = bad_file.value.problems
    assert str(problem).startswith(f"{files.user}: reminder.snooze: ")
    write(files, "")
    monkeypatch.setenv("DESKGUARD_ACTIVITY__POLL", "-3s")
    with pytest.raises(InvalidConfiguration) as bad_variable:
        load(files.user)
    (problem,) = bad_variable.value.problems
    assert str(problem).startswith("environment DESKGUARD_ACTIVITY__POLL: activity.poll: ")


def test_a_broken_user_catalog_is_refused_with_its_file(files: ConfigFiles) -> None:
    catalog = files.user.parent / "catalog.toml"
    write(files, "")
    catalog.write_text("[exercises.\n")
    with pytest.raises(InvalidConfiguration) as refused:
        load(files.user)
    assert any(str(catalog) in str(problem) for problem in refused.value.problems)
