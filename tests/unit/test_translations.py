"""The translations: the template matches the code, every translation keeps the source's
placeholders and its language's plural forms, and the chosen language is the one used."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from deskguard import i18n
from deskguard.core.durations import readable_duration
from deskguard.ipc.status import Status

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "deskguard" / "locale"
LANGUAGES = (LOCALE / "LANGUAGES").read_text().split()
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd]")
PLURAL_FORMS = {
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
    "(n%100<10 || n%100>=20) ? 1 : 2);",
    "de": "nplurals=2; plural=(n != 1);",
}


def read(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file)


def messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


def key(message: Message) -> tuple[str | None, str]:
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return message.context, msgid


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def test_the_template_holds_every_marked_message(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("pybabel")),
            "extract",
            "--no-wrap",
            "-F",
            "scripts/babel.cfg",
            "-k",
            "NP_:1c,2",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    wanted = {key(message) for message in messages(read(fresh))}
    have = {key(message) for message in messages(read(LOCALE / "deskguard.pot"))}
    assert wanted, "the extraction found nothing"
    missing = wanted - have
    assert not missing, f"run scripts/update-translations.sh; not in the template: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_the_placeholders_of_the_source(language: str) -> None:
    po = read(LOCALE / language / "LC_MESSAGES" / "deskguard.po")
    wrong = []
    for message in messages(po):
        sources = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        expected = placeholders(sources[-1])
        wrong += [(sources[0], text) for text in strings if text and placeholders(text) != expected]
    assert not wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_messages_have_as_many_forms_as_the_language(language: str) -> None:
    po = read(LOCALE / language / "LC_MESSAGES" / "deskguard.po")
    assert po.plural_forms == PLURAL_FORMS[language]
    for message in messages(po):
        if message.pluralizable:
            assert len(message.string) == po.num_plurals, message.id


def test_plural_forms_follow_the_language() -> None:
    try:
        assert i18n.use_language("ru") == "ru"
        assert [readable_duration(m * 60) for m in (1, 3, 5, 21)] == [
            "1 минута",
            "3 минуты",
            "5 минут",
            "21 минута",
        ]
        assert i18n.use_language("de") == "de"
        assert readable_duration(65 * 60) == "1 Stunde 5 Minuten"
        assert i18n.use_language("xx") == "en"
        assert readable_duration(1) == "1 second"
        assert readable_duration(2 * 3600) == "2 hours"
    finally:
        i18n.use_language("en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_language_is_fully_translated(language: str) -> None:
    po = read(LOCALE / language / "LC_MESSAGES" / "deskguard.po")
    template = {key(message) for message in messages(read(LOCALE / "deskguard.pot"))}
    assert {key(message) for message in messages(po)} >= template, "run the update script"
    untranslated = [
        message.id
        for message in messages(po)
        if message.fuzzy
        or not (message.string if isinstance(message.string, str) else all(message.string))
    ]
    assert not untranslated


def test_the_routines_cues_are_spoken_in_the_language() -> None:
    from deskguard.catalog import load_catalog
    from deskguard.core.cues import cue_schedule
    from deskguard.core.routine_plan import custom_routine

    quad = custom_routine(load_catalog(), ["quadriceps-stretch"]).routine
    try:
        i18n.use_language("ru")
        words = [cue.speech for cue in cue_schedule(quad)]
        assert words[1] == "Повтор 1 из 3. Держите"
        assert words[2] == "Отпустите"
        assert "Отпустите. Смените ногу на правую" in words
        assert words[-1] == "Готово. Отлично"
        i18n.use_language("de")
        assert [cue.speech for cue in cue_schedule(quad)][1] == "Wiederholung 1 von 3. Halten"
    finally:
        i18n.use_language("en")


@pytest.mark.parametrize("language", ["ru", "de", "en", "pt_BR"])
def test_the_voice_is_the_languages(language: str) -> None:
    from deskguard.platform.sound import speech_command

    voice = language.partition("_")[0]
    wav = Path("/tmp/speech.wav")
    assert speech_command("espeak-ng", "Hold", wav, language) == [
        "espeak-ng",
        "-v",
        voice,
        "-w",
        str(wav),
        "Hold",
    ]
    assert speech_command("spd-say", "Hold", None, language) == [
        "spd-say",
        "--wait",
        "-l",
        voice,
        "Hold",
    ]


def test_the_cue_switches_line_speaks_the_language() -> None:
    from deskguard.routine.window import cue_switches_text

    try:
        assert cue_switches_text(True, False) == "Sounds on (S) · Voice off (V)"
        i18n.use_language("de")
        assert cue_switches_text(False, True) == "Töne aus (S) · Stimme an (V)"
        i18n.use_language("ru")
        assert cue_switches_text(True, True) == "Звуки вкл. (S) · Голос вкл. (V)"
    finally:
        i18n.use_language("en")


def test_the_pending_exercise_is_named_in_the_language_but_the_json_stays_english() -> None:
    from deskguard.ipc.status import Status

    status = Status(
        state="reminding",
        sitting_seconds=45 * 60,
        pending_exercise="standing-back-bend",
        pending_exercise_name="Standing back bend",
    )
    try:
        i18n.use_language("ru")
        assert "Прогиб назад стоя" in status.headline()
        assert "Прогиб назад стоя" in status.describe()
        assert status.to_json()["pending_exercise_name"] == "Standing back bend"
    finally:
        i18n.use_language("en")
    assert "Standing back bend" in status.headline()


def test_the_tray_names_an_exercise_as_the_users_own_catalog_translates_it(
    tmp_path: Path,
) -> None:
    from deskguard.catalog import load_catalog
    from deskguard.i18n.catalog import exercise_name

    user = tmp_path / "catalog.toml"
    user.write_text(
        '[exercises.standing-back-bend.translations.ru]\nname = "Мой прогиб"\n'
        '[exercises.crunch.translations.de]\nname = "Mein Crunch"\n',
        encoding="utf-8",
    )
    catalog = load_catalog(user=user)
    try:
        i18n.use_language("ru")
        assert exercise_name(catalog, "standing-back-bend") == "Мой прогиб"
        assert exercise_name(catalog, "crunch") == "Скручивание на верхний пресс"
        assert exercise_name(catalog, "no-such-exercise") is None
        assert exercise_name(catalog, None) is None
        i18n.use_language("de")
        assert exercise_name(catalog, "crunch") == "Mein Crunch"
    finally:
        i18n.use_language("en")
    assert exercise_name(catalog, "crunch") == "Upper abdominal crunch"


@pytest.mark.parametrize(
    ("language", "day", "figure", "walked"),
    [
        ("en", "Fri 05-03", "3.5", "Walked today: 3.5 of 7 km, 40 min."),
        ("de", "Fr 03.05.", "3,5", "Heute gegangen: 3,5 von 7 km, 40 min."),
        ("ru", "пт 03.05", "3,5", "Пройдено сегодня: 3,5 из 7 км, 40 мин."),
    ],
)
def test_days_and_numbers_are_written_the_languages_way(
    language: str, day: str, figure: str, walked: str
) -> None:
    from datetime import date

    from deskguard.i18n.dates import short_day

    try:
        i18n.use_language(language)
        assert short_day(date(2024, 5, 3)) == day
        assert i18n.number(3.5) == figure
        assert i18n.number(7.0) == "7"
        assert (
            i18n._("Walked today: {walked} of {goal} km, {minutes} min.").format(
                walked=i18n.number(3.5), goal=i18n.number(7), minutes=i18n.number(40)
            )
            == walked
        )
    finally:
        i18n.use_language("en")


def test_the_stats_table_speaks_the_language_and_its_json_does_not() -> None:
    from datetime import date

    from deskguard.cli.stats_view import render_table, summary_json
    from deskguard.core.records import Rows
    from deskguard.core.stats import summarize

    summary = summarize(Rows(), date(2024, 5, 1), date(2024, 5, 3), 7.0)
    english = summary_json(summary)
    try:
        i18n.use_language("de")
        table = render_table(summary)
        assert summary_json(summary) == english
    finally:
        i18n.use_language("en")
    assert table[0] == "3 Tage, 2024-05-01 – 2024-05-03 (Zeiten in h:mm)"
    assert table[2].split()[:3] == ["Tag", "am", "Computer"]
    assert table[3].startswith("Mi 01.05.")
    assert table[-1] == "Gehziel: 7 km am Tag"


def test_the_popup_menu_is_handed_the_daemons_language(monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    from deskguard.tray import app
    from tests.unit.test_tray_menu import FAKE_PYSTRAY, Controller

    started: list[Mapping[str, str] | None] = []
    monkeypatch.setattr(app, "spawn_detached", lambda argv, env=None: started.append(env))
    tray = app.Tray(FAKE_PYSTRAY, Controller(Status()), logging.getLogger("test"))
    try:
        i18n.use_language("de")
        tray._open_popup(None, None)
    finally:
        i18n.use_language("en")
    [env] = started
    assert env is not None and env[i18n.CHOSEN_LANGUAGE_VARIABLE] == "de"


def test_doctors_focus_lines_speak_the_language_around_the_probes_english() -> None:
    from deskguard.doctor import focus_detail
    from deskguard.platform.focus import FocusProbe

    probes = (
        FocusProbe("available", "dunst: its paused state", active=True),
        FocusProbe("available", "dunst: its paused state"),
        FocusProbe("unavailable", "DISPLAY is not set"),
        FocusProbe("off"),
    )
    try:
        i18n.use_language("de")
        shown = [focus_detail(probe).shown() for probe in probes]
        english = [focus_detail(probe).english() for probe in probes]
    finally:
        i18n.use_language("en")
    assert shown == [
        "verfügbar: dunst: its paused state; gerade aktiv",
        "verfügbar: dunst: its paused state; gerade nicht aktiv",
        "nicht verfügbar: DISPLAY is not set",
        "in der Konfiguration ausgeschaltet",
    ]
    assert english == [  # what `doctor --json` prints in every language
        "available: dunst: its paused state; active now",
        "available: dunst: its paused state; inactive now",
        "unavailable: DISPLAY is not set",
        "off in config",
    ]
