"""Configuration: defaults, the shipped file, layer precedence, and readable problems."""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path

import pytest

from deskguard import paths
from deskguard.core.decisions import Policy
from deskguard.core.schedule import WorkingHours
from deskguard.model import plain
from deskguard.settings import (
    ConfigError,
    ConfigFiles,
    ConfigProblem,
    Settings,
    check_file,
    load_settings,
    to_toml,
    validate_settings,
)


class Env:
    """The XDG folders of one test, all under tmp_path."""

    def __init__(self, tmp_path: Path) -> None:
        self.home = tmp_path / "config"
        self.system_first = tmp_path / "xdg-first"  # listed first in XDG_CONFIG_DIRS: wins
        self.system_second = tmp_path / "xdg-second"

    @property
    def user_file(self) -> Path:
        return self.home / "deskguard" / "config.toml"

    def system_file(self, first: bool) -> Path:
        return (self.system_first if first else self.system_second) / "deskguard" / "config.toml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    for name in list(os.environ):
        if name.startswith(("XDG_", "DESKGUARD_")):
            monkeypatch.delenv(name)
    folders = Env(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folders.home))
    monkeypatch.setenv(
        "XDG_CONFIG_DIRS", f"{folders.system_first}{os.pathsep}{folders.system_second}"
    )
    return folders


def problems_of(files: ConfigFiles | None = None) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_settings(files)
    return caught.value.problems


# -- defaults and the shipped file ----------------------------------------------------


def test_the_defaults_are_the_documented_ones() -> None:
    settings = Settings()
    assert settings.reminder.sit_limit == 45 * 60
    assert settings.reminder.snooze == 10 * 60
    assert settings.reminder.max_snoozes == 3
    assert settings.reminder.natural_break == 5 * 60
    assert settings.activity.source == "auto"
    assert settings.activity.poll == 10
    assert settings.schedule.active == ()
    assert settings.notifications.backend == "auto"
    assert settings.health.contraindications == ()
    assert settings.tray.enabled is True
    assert settings.routine.length == 10 * 60
    assert settings.routine.at_desk is False
    assert settings.walking.daily_goal_km == 7.0
    assert settings.walking.end_of_day_summary is True
    assert settings.focus.max_deferral == 30 * 60
    assert settings.focus.video_devices == "/dev/video*"
    assert (
        settings.focus.do_not_disturb,
        settings.focus.fullscreen,
        settings.focus.camera,
        settings.focus.microphone,
    ) == (True, True, True, True)


def test_no_files_at_all_gives_the_defaults(env: Env) -> None:
    assert not env.user_file.exists()
    assert load_settings() == Settings()


def test_the_shipped_config_is_exactly_the_defaults() -> None:
    shipped = paths.shipped_file("deskguard.toml")
    assert check_file(shipped) == []
    assert load_settings(ConfigFiles(system=[shipped], user=shipped)) == Settings()
    assert load_settings(ConfigFiles(system=[], user=shipped)) == Settings()


def _keys_with_comments(lines: list[str]) -> list[tuple[str, str, bool]]:
    """(section, key, preceded by a comment line) for every key line of a TOML file."""
    found: list[tuple[str, str, bool]] = []
    section = ""
    for number, line in enumerate(lines):
        if header := re.fullmatch(r"\[([a-z_]+)\]", line.strip()):
            section = header[1]
        elif key := re.match(r"([a-z_]+)\s*=", line):
            documented = number > 0 and lines[number - 1].lstrip().startswith("#")
            found.append((section, key[1], documented))
    return found


def test_the_shipped_config_documents_every_key_with_a_comment() -> None:
    lines = paths.shipped_file("deskguard.toml").read_text(encoding="utf-8").splitlines()
    found = _keys_with_comments(lines)
    undocumented = [f"{section}.{key}" for section, key, documented in found if not documented]
    assert undocumented == []
    listed = {f"{section}.{key}" for section, key, _ in found}
    dumped = plain.encode(Settings())
    expected = {f"{section}.{key}" for section, values in dumped.items() for key in values}
    assert listed == expected
    assert len(found) == len(listed)  # no key twice


# -- where the files are --------------------------------------------------------------


def test_config_files_follow_the_xdg_variables(env: Env) -> None:
    files = ConfigFiles()
    # least important first: XDG_CONFIG_DIRS lists the most important first
    assert files.system == [env.system_file(first=False), env.system_file(first=True)]
    assert files.user == env.user_file
    assert files.layers == [*files.system, env.user_file]


def test_deskguard_config_replaces_the_user_file(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESKGUARD_CONFIG", str(tmp_path / "elsewhere.toml"))
    assert ConfigFiles().user == tmp_path / "elsewhere.toml"


# -- precedence -----------------------------------------------------------------------


def test_each_layer_outranks_the_one_before(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(
        env.system_file(first=False),
        '[reminder]\nsit_limit = "30m"\nsnooze = "7m"\nnatural_break = "4m"\nmax_snoozes = 1\n',
    )
    write(env.system_file(first=True), '[reminder]\nsit_limit = "20m"\nnatural_break = "3m"\n')
    write(env.user_file, '[reminder]\nnatural_break = "2m"\n[tray]\nenabled = false\n')

    settings = load_settings()
    assert settings.reminder.max_snoozes == 1  # only the second system file sets it
    assert settings.reminder.snooze == 7 * 60
    assert settings.reminder.sit_limit == 20 * 60  # the first system file beats the second
    assert settings.reminder.natural_break == 2 * 60  # the user file beats both
    assert settings.tray.enabled is False

    monkeypatch.setenv("DESKGUARD_REMINDER__SIT_LIMIT", "3s")
    monkeypatch.setenv("DESKGUARD_REMINDER__NATURAL_BREAK", "90")
    settings = load_settings()
    assert settings.reminder.sit_limit == 3  # the environment beats every file
    assert settings.reminder.natural_break == 90
    assert settings.reminder.snooze == 7 * 60

    overrides = {"reminder": {"sit_limit": "1m"}, "tray": {"enabled": True}}
    settings = load_settings(overrides=overrides)
    assert settings.reminder.sit_limit == 60  # overrides beat the environment
    assert settings.tray.enabled is True
    assert settings.reminder.natural_break == 90
    assert settings.reminder.snooze == 7 * 60
    assert isinstance(settings, Settings)


def test_the_user_file_can_come_from_deskguard_config(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(env.system_file(first=True), '[reminder]\nsnooze = "7m"\nsit_limit = "20m"\n')
    write(env.user_file, '[reminder]\nsit_limit = "25m"\n')
    chosen = write(tmp_path / "chosen.toml", '[reminder]\nsit_limit = "15m"\n')
    monkeypatch.setenv("DESKGUARD_CONFIG", str(chosen))
    settings = load_settings()
    assert settings.reminder.sit_limit == 15 * 60  # the XDG user file is not read
    assert settings.reminder.snooze == 7 * 60


def test_the_user_file_can_be_given_to_config_files(env: Env, tmp_path: Path) -> None:
    write(env.user_file, '[reminder]\nsit_limit = "25m"\n')
    chosen = write(tmp_path / "chosen.toml", '[activity]\nsource = "x11"\n')
    settings = load_settings(ConfigFiles(user=chosen))
    assert settings.activity.source == "x11"
    assert settings.reminder.sit_limit == 45 * 60


def test_lists_from_a_later_layer_replace_earlier_lists(env: Env) -> None:
    write(env.system_file(first=True), '[schedule]\nactive = ["mon-fri 08:00-18:00"]\n')
    write(env.user_file, '[schedule]\nactive = ["sat 10:00-12:00"]\n')
    assert load_settings().schedule.active == ("sat 10:00-12:00",)


def test_structured_values_come_from_the_environment_as_json(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DESKGUARD_SCHEDULE__ACTIVE", '["mon-fri 08:00-18:00"]')
    monkeypatch.setenv("DESKGUARD_HEALTH__CONTRAINDICATIONS", '["pregnancy"]')
    monkeypatch.setenv("DESKGUARD_TRAY__ENABLED", "false")
    settings = load_settings()
    assert settings.schedule.active == ("mon-fri 08:00-18:00",)
    assert settings.health.contraindications == ("pregnancy",)
    assert settings.tray.enabled is False


# -- problems -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "key", "reason"),
    [
        ('[reminder]\nsit_limt = "3s"\n', "reminder.sit_limt", "unknown key"),
        ("[remindr]\nsit_limit = 3\n", "remindr", "unknown key"),
        ("colour = 1\n", "colour", "unknown key"),
        (
            '[reminder]\nsnooze = "soon"\n',
            "reminder.snooze",
            "expected a duration like '45m', '90s' or '1h30m', got 'soon'",
        ),
        ('[activity]\npoll = "0s"\n', "activity.poll", "must be longer than zero seconds"),
        ("[reminder]\nsit_limit = 0\n", "reminder.sit_limit", "must be longer than zero seconds"),
        (
            "[reminder]\nsit_limit = -5\n",
            "reminder.sit_limit",
            "a duration cannot be negative, got -5",
        ),
        (
            "[reminder]\nsit_limit = 1.5\n",
            "reminder.sit_limit",
            "expected a duration like '45m', '90s' or '1h30m', got 1.5",
        ),
        (
            "[reminder]\nsit_limit = true\n",
            "reminder.sit_limit",
            "expected a duration like '45m', '90s' or '1h30m', got True",
        ),
        (
            '[schedule]\nactive = ["xyz 08:00-18:00"]\n',
            "schedule.active",
            "unknown day 'xyz' (use mon, tue, wed, thu, fri, sat, sun)",
        ),
        (
            '[schedule]\nactive = ["mon 18:00-08:00"]\n',
            "schedule.active",
            "in 'mon 18:00-08:00' the end time must be after the start time",
        ),
        (
            "[reminder]\nmax_snoozes = -1\n",
            "reminder.max_snoozes",
            "Input should be greater than or equal to 0",
        ),
    ],
)
def test_a_bad_value_is_reported_with_file_key_and_reason(
    env: Env, toml: str, key: str, reason: str
) -> None:
    path = write(env.user_file, toml)
    expected = [ConfigProblem(str(path), key, reason)]
    assert problems_of() == expected
    assert check_file(path) == expected
    assert str(expected[0]) == f"{path}: {key}: {reason}"


def test_a_bad_choice_lists_the_choices_and_what_was_given(env: Env) -> None:
    path = write(env.user_file, '[activity]\nsource = "gnome"\n')
    [problem] = problems_of()
    assert (problem.source, problem.key) == (str(path), "activity.source")
    for choice in ("auto", "mutter", "freedesktop", "x11", "windows", "macos", "none"):
        assert f"'{choice}'" in problem.reason
    assert problem.reason.endswith("(got 'gnome')")


def test_a_bad_contraindication_is_reported_at_its_position(env: Env) -> None:
    path = write(env.user_file, '[health]\ncontraindications = ["pregnancy", "flu"]\n')
    [problem] = problems_of()
    assert (problem.source, problem.key) == (str(path), "health.contraindications.1")
    assert "'severe-pain'" in problem.reason and "'pregnancy'" in problem.reason
    assert problem.reason.endswith("(got 'flu')")


def test_a_toml_syntax_error_names_the_file_and_the_position(env: Env) -> None:
    path = write(env.user_file, '[reminder\nsit_limit = "3s"\n')
    [problem] = problems_of()
    assert (problem.source, problem.key) == (str(path), "")
    assert problem.reason.startswith("not valid TOML: ")
    assert "line 1" in problem.reason
    assert str(problem) == f"{path}: {problem.reason}"
    assert check_file(path) == [problem]


def test_a_missing_deskguard_config_file_is_a_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "missing.toml"
    monkeypatch.setenv("DESKGUARD_CONFIG", str(missing))
    assert problems_of() == [
        ConfigProblem(str(missing), "", "no such file (from DESKGUARD_CONFIG)")
    ]


def test_a_missing_xdg_user_file_is_fine(env: Env) -> None:
    assert load_settings(ConfigFiles(user=env.home / "nothing-here.toml")) == Settings()


def test_check_file_reports_a_file_that_cannot_be_read(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    assert check_file(missing) == [ConfigProblem(str(missing), "", "no such file")]


def test_every_problem_of_a_file_is_reported_at_once(env: Env) -> None:
    path = write(
        env.user_file,
        "[reminder]\n"
        'sit_limt = "3s"\n'
        'snooze = "soon"\n'
        "natural_break = 0\n"
        "[activity]\n"
        'source = "gnome"\n'
        "[schedule]\n"
        'active = ["mon 08:00-07:00"]\n'
        "[health]\n"
        'contraindications = ["flu"]\n',
    )
    problems = problems_of()
    assert {problem.source for problem in problems} == {str(path)}
    assert sorted(problem.key for problem in problems) == [
        "activity.source",
        "health.contraindications.0",
        "reminder.natural_break",
        "reminder.sit_limt",
        "reminder.snooze",
        "schedule.active",
    ]
    assert check_file(path) == problems


def test_problems_in_several_files_are_reported_together(env: Env) -> None:
    system = write(env.system_file(first=False), '[reminder]\nsnooze = "10x"\n')
    write(env.system_file(first=True), '[reminder]\nsnooze = "9m"\n')
    user = write(env.user_file, "[tray]\nenable = false\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert [(p.source, p.key) for p in caught.value.problems] == [
        (str(system), "reminder.snooze"),
        (str(user), "tray.enable"),
    ]
    message = str(caught.value)
    assert message.splitlines() == [
        "invalid configuration:",
        *(str(problem) for problem in caught.value.problems),
    ]
    assert caught.value.exit_code == 78


@pytest.mark.parametrize(
    ("variable", "value", "key", "reason"),
    [
        (
            "DESKGUARD_REMINDER__SIT_LIMIT",
            "3x",
            "reminder.sit_limit",
            "expected a duration like '45m', '90s' or '1h30m', got '3x'",
        ),
        ("DESKGUARD_REMINDER__SIT_LIMT", "3s", "reminder.sit_limt", "unknown key"),
        ("DESKGUARD_ACTIVITY__POLL", "0", "activity.poll", "must be longer than zero seconds"),
        (
            "DESKGUARD_SCHEDULE__ACTIVE",
            '["xyz 08:00-09:00"]',
            "schedule.active",
            "unknown day 'xyz' (use mon, tue, wed, thu, fri, sat, sun)",
        ),
    ],
)
def test_a_bad_environment_variable_is_reported_as_the_environment(
    env: Env, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, key: str, reason: str
) -> None:
    # A valid file in every layer: the problem must not be blamed on any of them.
    write(env.system_file(first=True), '[reminder]\nsnooze = "9m"\n')
    write(env.user_file, '[reminder]\nsit_limit = "30m"\n')
    monkeypatch.setenv(variable, value)
    assert problems_of() == [ConfigProblem(f"environment {variable}", key, reason)]


def test_a_bad_choice_in_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DESKGUARD_NOTIFICATIONS__BACKEND", "carrier-pigeon")
    [problem] = problems_of()
    assert problem.source == "environment DESKGUARD_NOTIFICATIONS__BACKEND"
    assert problem.key == "notifications.backend"
    assert problem.reason.endswith("(got 'carrier-pigeon')")


def test_checking_one_file_ignores_the_environment(
    env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = write(tmp_path / "bad.toml", '[reminder]\nsit_limit = "3x"\n')
    good = write(tmp_path / "good.toml", '[reminder]\nsit_limit = "30m"\n')
    monkeypatch.setenv("DESKGUARD_REMINDER__SIT_LIMIT", "3s")  # must not hide the bad value
    assert [p.key for p in check_file(bad)] == ["reminder.sit_limit"]
    monkeypatch.setenv("DESKGUARD_REMINDER__SIT_LIMIT", "3x")  # must not be blamed on the file
    assert check_file(good) == []


# -- what the rest of deskguard gets -----------------------------------------------------


def test_policy_carries_the_reminder_schedule_and_deferral_values(env: Env) -> None:
    write(
        env.user_file,
        "[reminder]\n"
        'sit_limit = "50m"\n'
        'snooze = "5m"\n'
        "max_snoozes = 1\n"
        'natural_break = "2m30s"\n'
        "[schedule]\n"
        'active = ["mon-fri 08:00-18:00", "sat 10:00-12:00"]\n'
        "[focus]\n"
        'max_deferral = "20m"\n',
    )
    policy = Policy.of(load_settings())
    assert policy == Policy(
        sit_limit=3000,
        snooze=300,
        max_snoozes=1,
        natural_break=150,
        working_hours=WorkingHours.parse(["mon-fri 08:00-18:00", "sat 10:00-12:00"]),
        max_deferral=1200,
    )
    assert len(policy.working_hours.periods) == 2


def test_the_default_policy_is_the_trackers_default() -> None:
    assert Policy.of(Settings()) == Policy()


def test_to_toml_round_trips_the_defaults() -> None:
    text = to_toml(Settings())
    data = tomllib.loads(text)
    assert data["reminder"] == {
        "sit_limit": "45m",
        "snooze": "10m",
        "max_snoozes": 3,
        "natural_break": "5m",
    }
    assert validate_settings(data) == Settings()


def test_to_toml_round_trips_changed_values(env: Env, tmp_path: Path) -> None:
    write(
        env.user_file,
        "[reminder]\n"
        "sit_limit = 5400\n"
        'snooze = "90s"\n'
        'natural_break = "1h 1s"\n'
        "[activity]\n"
        'source = "x11"\n'
        "[schedule]\n"
        'active = ["mon-fri 08:00-18:00"]\n'
        "[health]\n"
        'contraindications = ["pregnancy", "bleeding"]\n'
        "[walking]\n"
        "daily_goal_km = 6.5\n",
    )
    settings = load_settings()
    text = to_toml(settings)
    data = tomllib.loads(text)
    assert data["reminder"]["sit_limit"] == "1h30m"
    assert data["reminder"]["snooze"] == "1m30s"
    assert data["reminder"]["natural_break"] == "1h1s"
    assert data["health"]["contraindications"] == ["pregnancy", "bleeding"]
    assert validate_settings(data) == settings
    copy = write(tmp_path / "copy.toml", text)
    assert check_file(copy) == []
    assert load_settings(ConfigFiles(system=[], user=copy)) == settings
