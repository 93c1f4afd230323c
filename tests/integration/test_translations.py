"""The real `deskguard` speaks the user's language, and its JSON does not change with it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_routine_window import RoutineWindowProcess, skip_health_notice
from tests.integration.test_tray_sni import item_name, menu_ids
from tests.support.desktop import HeadlessDesktop
from tests.support.env import isolated_env
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config
from tests.support.xfce_panel import XfcePanel

pytestmark = pytest.mark.integration
CHECKOUT = Path(__file__).resolve().parents[2]

FIRST_LINES = {
    "ru": "Прогиб назад стоя (standing-back-bend)",
    "de": "Rückbeuge im Stehen (standing-back-bend)",
    "xx": "Standing back bend (standing-back-bend)",
}
# Moments and the pid differ from run to run; everything else must not.
CHANGING = ("sitting_seconds", "next_reminder_in_seconds", "idle_seconds", "pid", "config_file")


@pytest.mark.parametrize("language", sorted(FIRST_LINES))
def test_catalog_show_speaks_the_language(tmp_path: Path, language: str) -> None:
    env = {**isolated_env(tmp_path), "LANGUAGE": language}
    shown = subprocess.run(
        [sys.executable, "-m", "deskguard", "catalog", "show", "standing-back-bend"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown.splitlines()[0] == FIRST_LINES[language]
    assert "[pregnancy]" in shown  # ids stay as they are


OWN_CATALOG = """
[exercises.wall-push]
id = "wall-push"
name = "Wall push"
kind = "stretch"
position = "standing"
hold = { min_seconds = 10, max_seconds = 10 }
repetitions = { count = 3 }
sides = "none"
purpose = "Opens the chest after hours over the keyboard."
summary = "Push gently against a wall with straight arms."
steps = ["Stand an arm's length from a wall.", "Lean into the wall with straight arms."]
contraindications = []

[exercises.wall-push.translations.ru]
name = "Упор в стену"
steps = ["Встаньте на расстоянии вытянутой руки от стены.", "Наклонитесь к стене."]

[exercises.standing-back-bend.translations.de]
name = "Meine Rückbeuge"
"""


def test_a_users_exercise_speaks_the_languages_its_catalog_gives(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    catalog = Path(env["XDG_CONFIG_HOME"]) / "deskguard" / "catalog.toml"
    catalog.parent.mkdir(parents=True)
    catalog.write_text(OWN_CATALOG, encoding="utf-8")

    def show(language: str, exercise: str, *more: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "deskguard", "catalog", "show", exercise, *more],
            env={**env, "LANGUAGE": language},
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    russian = show("ru", "wall-push")
    assert russian.splitlines()[0] == "Упор в стену (wall-push)"
    assert "1. Встаньте на расстоянии вытянутой руки от стены." in russian
    # What the user left untranslated stays as the user wrote it; deskguard's words around
    # it are Russian.
    assert "Push gently against a wall with straight arms." in russian
    assert "положение:" in russian
    assert show("de", "wall-push").splitlines()[0] == "Wall push (wall-push)"
    # A shipped exercise's own translation beats the shipped one.
    assert show("de", "standing-back-bend").splitlines()[0] == (
        "Meine Rückbeuge (standing-back-bend)"
    )
    assert show("ru", "standing-back-bend").splitlines()[0] == FIRST_LINES["ru"]
    assert json.loads(show("ru", "wall-push", "--json"))["name"] == "Wall push"


def status_in(tmp_path: Path, language: str) -> dict[str, Any]:
    home = tmp_path / language
    home.mkdir()
    env = {**isolated_env(home), "LANGUAGE": language}
    env["DESKGUARD_ACTIVITY__SOURCE"] = "none"
    env["DESKGUARD_NOTIFICATIONS__BACKEND"] = "log"
    env["DESKGUARD_TRAY__ENABLED"] = "false"
    daemon = DeskguardProcess(env, tmp_path / f"{language}.log").start()
    try:
        status = daemon.status()
    finally:
        daemon.stop()
    return {k: v for k, v in status.items() if k not in CHANGING}


def test_status_json_is_the_same_in_every_language(tmp_path: Path) -> None:
    english = status_in(tmp_path, "xx")
    assert english["state"] == "active" and english["config"]["ui"]["language"] == ""
    assert status_in(tmp_path, "ru") == english
    assert status_in(tmp_path, "de") == english


FAST = """
[reminder]
sit_limit = "3s"
natural_break = "1h"
[activity]
source = "x11"
poll = "1s"
[tray]
enabled = false
"""
REMINDERS = {
    "ru": ("Пора встать: ", "Вы сидите уже ", "Размяться сейчас"),
    "de": ("Zeit aufzustehen: ", "Sie sitzen seit ", "Jetzt dehnen"),
    "xx": ("Time to stand up: ", "You have been sitting for ", "Stretch now"),
}
NAMES = {
    "ru": ("Прогиб назад стоя", "Растяжка квадрицепса стоя"),
    "de": ("Rückbeuge im Stehen", "Dehnung des vorderen Oberschenkels im Stehen"),
    "xx": ("Standing back bend", "Standing quadriceps stretch"),
}


@pytest.mark.parametrize("language", ["ru", "de", "xx"])
def test_a_real_reminder_on_dunst_speaks_the_language(
    desktop: HeadlessDesktop, tmp_path: Path, language: str
) -> None:
    write_config(desktop.env, FAST)
    title, body, button = REMINDERS[language]
    env = {**desktop.env, "LANGUAGE": language}
    daemon = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    try:
        notice = desktop.wait_for_notification(
            lambda n: getattr(n, "summary", "").startswith(title), timeout=15
        )
    finally:
        daemon.stop()
    assert notice.summary.removeprefix(title) in NAMES[language]
    assert notice.body.startswith(body)
    assert notice.actions["stretch"] == button


def test_a_reminder_speaks_the_configured_language_without_language_variables(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    write_config(desktop.env, FAST + '[ui]\nlanguage = "ru"\n')
    env = {k: v for k, v in desktop.env.items() if k not in ("LANGUAGE", "LC_MESSAGES")}
    env["LANG"] = env["LC_ALL"] = "C.UTF-8"
    title, body, button = REMINDERS["ru"]
    daemon = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    try:
        notice = desktop.wait_for_notification(
            lambda n: getattr(n, "summary", "").startswith(("Time to", title)), timeout=15
        )
    finally:
        daemon.stop()
    assert notice.summary.startswith(title), notice.summary
    assert notice.summary.removeprefix(title) in NAMES["ru"]
    assert notice.body.startswith(body)
    assert notice.actions["stretch"] == button


TRAY_LABELS = {
    "ru": (
        {"Начать мини-разминку", "Быстрая разминка сейчас", "Пауза", "30 минут", "1 час"}
        | {"2 часа", "До завтра", "Сегодня", "Открыть настройки", "Выход"},
        "Сидите ",
    ),
    "de": (
        {"Mini-Übungsfolge starten", "Jetzt kurz dehnen", "Pausieren", "30 Minuten"}
        | {"1 Stunde", "2 Stunden", "Bis morgen", "Heute", "Einstellungen öffnen", "Beenden"},
        "Sitzen ",
    ),
    "xx": (
        {"Start mini-routine", "Quick stretch now", "Pause", "30 minutes", "1 hour", "2 hours"}
        | {"Until tomorrow", "Today", "Open config", "Quit"},
        "Sitting ",
    ),
}


@pytest.fixture(scope="module")
def panel_desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessDesktop]:
    """One desktop with xfce4-panel (a StatusNotifier host) for every language's menu."""
    with HeadlessDesktop(tmp_path_factory.mktemp("panel-desktop")) as desktop:
        panel = XfcePanel(desktop).start()
        try:
            yield desktop
        finally:
            panel.stop()


@pytest.mark.parametrize("language", sorted(TRAY_LABELS))
def test_the_tray_menu_speaks_the_language(
    panel_desktop: HeadlessDesktop, tmp_path: Path, language: str
) -> None:
    env = {**panel_desktop.env, "LANGUAGE": language}
    env.pop("PYSTRAY_BACKEND", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    write_config(env, '[reminder]\nsit_limit = "40s"\n')
    daemon = DeskguardProcess(env, tmp_path / "tray.log", args=("-v",)).start()
    try:
        labels = set(menu_ids(panel_desktop, item_name(panel_desktop, daemon)))
    finally:
        daemon.stop()
    expected, headline = TRAY_LABELS[language]
    assert expected <= labels, labels
    assert any(label.startswith(headline) for label in labels), labels


def test_the_tray_and_status_name_the_exercise_as_the_users_catalog_translates_it(
    panel_desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    env = {**panel_desktop.env, "LANGUAGE": "ru"}
    env.pop("PYSTRAY_BACKEND", None)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    write_config(env, FAST.replace("enabled = false", "enabled = true"))
    # Every shipped exercise gets a Russian name of the user's: whichever is chosen.
    shipped = tomllib.loads((CHECKOUT / "config" / "catalog.toml").read_text(encoding="utf-8"))
    own = "".join(
        f'[exercises.{key}.translations.ru]\nname = "Своё упражнение {number}"\n'
        for number, key in enumerate(shipped["exercises"])
    )
    (Path(env["XDG_CONFIG_HOME"]) / "deskguard" / "catalog.toml").write_text(own, "utf-8")
    daemon = DeskguardProcess(env, tmp_path / "tray.log", args=("-v",)).start()
    try:
        name = item_name(panel_desktop, daemon)
        status = daemon.wait_for_state("reminding", timeout=20)
        labels = poll(
            lambda: [label for label in menu_ids(panel_desktop, name) if "Своё" in label],
            timeout=10,
            what="the user's name for the exercise in the tray menu",
        )
        said = daemon.cli("status").stdout
    finally:
        daemon.stop()
    number = list(shipped["exercises"]).index(status["pending_exercise"])
    assert any(f"Своё упражнение {number} " in label for label in labels), labels
    assert said.startswith(f"Пора размяться: Своё упражнение {number}\n"), said
    # The status JSON keeps the catalog's English name.
    assert (
        status["pending_exercise_name"] == shipped["exercises"][status["pending_exercise"]]["name"]
    )


WINDOW_TEXTS = {
    "ru": {
        "title": "Разминка deskguard",
        "name": "Прогиб назад стоя",
        "step": "1. Встаньте прямо и положите руки на талию.",
        "buttons": {"pause": "Пауза (пробел)", "skip": "Пропустить (→)", "stop": "Стоп (Esc)"},
        "upcoming": "Далее: ",
    },
    "de": {
        "title": "deskguard-Übungsfolge",
        "name": "Rückbeuge im Stehen",
        "step": "1. Stellen Sie sich gerade hin und legen Sie die Hände an die Taille.",
        "buttons": {
            "pause": "Pause (Leertaste)",
            "skip": "Überspringen (→)",
            "stop": "Beenden (Esc)",
        },
        "upcoming": "Als Nächstes: ",
    },
    "xx": {
        "title": "deskguard routine",
        "name": "Standing back bend",
        "step": "1. Stand up straight and rest your hands on your waist.",
        "buttons": {"pause": "Pause (Space)", "skip": "Skip (→)", "stop": "Stop (Esc)"},
        "upcoming": "Next: ",
    },
}


@pytest.mark.parametrize("language", sorted(WINDOW_TEXTS))
def test_the_routine_window_speaks_the_language(
    desktop: HeadlessDesktop, tmp_path: Path, language: str
) -> None:
    expected = WINDOW_TEXTS[language]
    skip_health_notice(desktop.env)
    desktop.env["LANGUAGE"] = language
    routine = RoutineWindowProcess(
        desktop, tmp_path, 1, "--exercises", "standing-back-bend,quadriceps-stretch"
    )
    try:
        texts = routine.wait_for(lambda r: r.get("event") == "texts", "the window's texts")
        # xdotool's --name matches ASCII only; every title has "deskguard" in it.
        window = poll(
            lambda: (
                desktop.run(
                    ["xdotool", "search", "--name", "deskguard"], check=False
                ).stdout.split()
                or None
            ),
            what="the routine window",
        )[0]
        name = desktop.run(["xdotool", "getwindowname", window]).stdout
        assert name.strip() == expected["title"]
        routine.process.send_signal(signal.SIGTERM)
        routine.finish()
    finally:
        routine.close()
    assert texts["title"] == expected["title"]
    assert texts["name"] == expected["name"]
    assert texts["steps"].splitlines()[0] == expected["step"]
    assert texts["buttons"] == expected["buttons"]
    assert texts["upcoming"].startswith(expected["upcoming"])


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", ("resume", "Завершить паузу.")),
        ("de", ("resume", "Eine Pause beenden.")),
        ("", ("resume", "End a pause.")),
        ("ru", ("routine", "Запустить в этом терминале, а не в окне.")),
        ("de", ("routine", "Führt Sie durch eine kurze Folge")),
    ],
)
def test_command_help_speaks_the_configured_language(
    tmp_path: Path, language: str, words: tuple[str, str]
) -> None:
    command, expected = words
    # The environment names another language: the configured one wins.
    env = {**isolated_env(tmp_path), "LANGUAGE": "de" if language != "de" else "ru"}
    write_config(env, f'[ui]\nlanguage = "{language or "en"}"\n')
    shown = subprocess.run(
        [sys.executable, "-m", "deskguard", command, "--help"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert expected in " ".join(shown.split())  # as one line: click wraps the help


COMMAND_LINE = {
    "ru": {
        "--help": "Замечает, что вы слишком долго сидите",
        "snooze --help": "Отложить текущее (или следующее) напоминание на DURATION",
        "walk 3.5km": "Записана прогулка: 3,5 км.",
        "stats --days 3": "3 дня, ",
        "config path": "настройки пользователя:",
        "status": "deskguard не запущен",
        "doctor": "уведомления: ",
    },
    "de": {
        "--help": "Bemerkt, wenn Sie zu lange sitzen",
        "snooze --help": "Die anstehende (oder nächste) Erinnerung um DURATION verschieben",
        "walk 3.5km": "Spaziergang eingetragen: 3,5 km.",
        "stats --days 3": "3 Tage, ",
        "config path": "Benutzer-Konfiguration:",
        "status": "deskguard läuft nicht",
        "doctor": "Benachrichtigungen: ",
    },
    "xx": {
        "--help": "Notices when you have been sitting too long",
        "snooze --help": "Postpone the pending (or next) reminder by DURATION",
        "walk 3.5km": "Logged a walk of 3.5 km.",
        "stats --days 3": "3 days, ",
        "config path": "user config:",
        "status": "deskguard is not running",
        "doctor": "notifications: ",
    },
}


def deskguard(env: dict[str, str], command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "deskguard", *command.split()],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("language", sorted(COMMAND_LINE))
def test_the_command_line_speaks_the_language(tmp_path: Path, language: str) -> None:
    env = {**isolated_env(tmp_path), "LANGUAGE": language}
    for command, expected in COMMAND_LINE[language].items():
        result = deskguard(env, command)
        shown = " ".join((result.stdout + result.stderr).split())  # click wraps the help
        assert expected in shown, (command, shown)
    assert deskguard(env, "status").returncode == 3  # the exit code is the contract's


def test_the_json_of_stats_and_doctor_is_the_same_in_every_language(tmp_path: Path) -> None:
    printed = {}
    for language in ("ru", "de", "xx"):
        (tmp_path / language).mkdir()
        env = {**isolated_env(tmp_path / language), "LANGUAGE": language}
        assert deskguard(env, "walk 3.5km 40m").returncode == 0
        stats = deskguard(env, "stats --json --days 3").stdout
        doctor = deskguard(env, "doctor --json").stdout
        # The history's path differs with the home folder; nothing else may.
        home = str(tmp_path / language)
        printed[language] = (stats.replace(home, "HOME"), doctor.replace(home, "HOME"))
    assert json.loads(printed["xx"][0])["total"]["walks"]["km"] == 3.5
    assert {"config", "history"} <= {check["name"] for check in json.loads(printed["xx"][1])}
    assert printed["ru"] == printed["xx"] == printed["de"]


# Messages that come from below the command line: parsing a duration, the exercise catalog,
# a trace file, and the daemon's refusal of an action.
DEEPER_MESSAGES = {
    "ru": {
        "snooze 5x": "ожидается длительность вроде «45m», «90s» или «1h30m», получено '5x'",
        "catalog show nope": "неизвестное упражнение 'nope': известные идентификаторы: ",
        "simulate TRACE": "строка 1: заголовок должен быть 'time,idle_seconds,event'",
        "resume": "deskguard не на паузе",
    },
    "de": {
        "snooze 5x": "erwartet wird eine Dauer wie „45m“, „90s“ oder „1h30m“, erhalten: '5x'",
        "catalog show nope": "unbekannte Übung 'nope': bekannte IDs: ",
        "simulate TRACE": "Zeile 1: die Kopfzeile muss 'time,idle_seconds,event' lauten",
        "resume": "deskguard ist nicht pausiert",
    },
    "xx": {
        "snooze 5x": "expected a duration like '45m', '90s' or '1h30m', got '5x'",
        "catalog show nope": "unknown exercise 'nope': known ids: ",
        "simulate TRACE": "line 1: the header must be 'time,idle_seconds,event'",
        "resume": "deskguard is not paused",
    },
}


@pytest.mark.parametrize("language", sorted(DEEPER_MESSAGES))
def test_errors_from_the_core_and_the_daemon_speak_the_language(
    tmp_path: Path, language: str
) -> None:
    env = {**isolated_env(tmp_path), "LANGUAGE": language}
    env["DESKGUARD_ACTIVITY__SOURCE"] = "none"
    env["DESKGUARD_NOTIFICATIONS__BACKEND"] = "log"
    env["DESKGUARD_TRAY__ENABLED"] = "false"
    trace = tmp_path / "trace.csv"
    trace.write_text("time,idle,event\n0,0,\n", encoding="utf-8")
    daemon = DeskguardProcess(env, tmp_path / "daemon.log").start()
    try:
        for command, expected in DEEPER_MESSAGES[language].items():
            result = deskguard(env, command.replace("TRACE", str(trace)))
            assert result.returncode != 0, command
            assert expected in " ".join(result.stderr.split()), (command, result.stderr)
        assert daemon.status()["state"] == "active"  # a refused action changes nothing
    finally:
        daemon.stop()


FOCUS_LINES = {
    "ru": "признак занятости camera: доступно: open ",
    "de": "Fokus-Signal camera: verfügbar: open ",
    "xx": "focus camera: available: open ",
}


@pytest.mark.parametrize("language", sorted(FOCUS_LINES))
def test_doctors_focus_lines_speak_the_language(tmp_path: Path, language: str) -> None:
    env = {**isolated_env(tmp_path), "LANGUAGE": language}
    env["DESKGUARD_FOCUS__VIDEO_DEVICES"] = str(tmp_path / "video*")
    printed = deskguard(env, "doctor").stdout
    assert FOCUS_LINES[language] in printed, printed
    assert f"{tmp_path}/video* in other processes (no device yet)" in printed
