"""click's own messages ("Usage:", "Options", its errors), translated by deskguard: the
template holds exactly what the installed click translates, every shipped language
translates all of it keeping what must stay as it is, and the command line makes click
speak the language deskguard chose."""

from __future__ import annotations

import gettext
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from babel.messages.catalog import Message

from deskguard import i18n
from deskguard.cli import click_language
from tests.unit.test_translations import LANGUAGES, LOCALE, messages, read

TEMPLATE = LOCALE / "click.pot"
UPDATE = "run scripts/update-translations.sh"
VARIABLE_MESSAGES = {(None, "required")}
"""What click translates from a variable (`_(extra["required"])`), where no extraction
sees it: scripts/update-translations.sh adds it to the template."""
# click's placeholders include conversions ({name!r}); options like '--{name}' are literal.
PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rsa])?\}|%\([a-z_]+\)[sd]|%[sd]")
LITERAL = re.compile(r"--[\w{}]+|[\n\t]|DeprecationWarning|true/false|Bash|UUID|Windows")


def full_key(message: Message) -> tuple[str | None, str | tuple[str, ...]]:
    """The context and the whole id: a plural's too, so a message turning plural counts."""
    return message.context, message.id if isinstance(message.id, str) else tuple(message.id)


def singular(message: Message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def sources_and_translations(message: Message) -> tuple[list[str], list[str]]:
    sources = [message.id] if isinstance(message.id, str) else list(message.id)
    strings = [message.string] if isinstance(message.string, str) else list(message.string or ())
    return sources, strings


def test_the_template_holds_exactly_what_click_translates(tmp_path: Path) -> None:
    fresh = tmp_path / "click.pot"
    folder = Path(click.__file__).resolve().parent
    subprocess.run(
        [str(Path(sys.executable).with_name("pybabel")), "extract", "--no-wrap", "-o"]
        + [str(fresh), folder.name],
        cwd=folder.parent,
        check=True,
        capture_output=True,
    )
    extracted = {full_key(message) for message in messages(read(fresh))}
    assert len(extracted) > 50, "the extraction found (almost) nothing"
    wanted = extracted | VARIABLE_MESSAGES
    have = {full_key(message) for message in messages(read(TEMPLATE))}
    missing = sorted(wanted - have, key=str)
    assert not missing, f"the installed click has new messages ({UPDATE}): {missing}"
    gone = sorted(have - wanted, key=str)
    assert not gone, f"the installed click no longer has these messages ({UPDATE}): {gone}"


def test_click_still_shows_the_messages_it_translates_from_a_variable() -> None:
    command = click.Command("show", params=[click.Option(["--name"], required=True)])
    shown = command.get_help(click.Context(command, info_name="show"))
    for _context, message in VARIABLE_MESSAGES:
        assert f"[{message}]" in shown, f"{message!r} is no longer shown: drop it ({UPDATE})"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_language_translates_all_of_click(language: str) -> None:
    po = read(LOCALE / language / "LC_MESSAGES" / "click.po")
    template = {full_key(message) for message in messages(read(TEMPLATE))}
    missing = template - {full_key(message) for message in messages(po)}
    assert not missing, f"{UPDATE}; not in {language}/click.po: {missing}"
    untranslated = [
        singular(message)
        for message in messages(po)
        if message.fuzzy or not all(sources_and_translations(message)[1])
    ]
    assert not untranslated


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_clicks_placeholders_and_literals(language: str) -> None:
    po = read(LOCALE / language / "LC_MESSAGES" / "click.po")
    wrong = []
    for message in messages(po):
        sources, strings = sources_and_translations(message)
        if message.pluralizable:
            # A form may name the count where English says "1" or "an": the Russian one
            # serves 21 as well. Each form keeps to the source's placeholders, and all of
            # them are used.
            allowed = {found for source in sources for found in PLACEHOLDER.findall(source)}
            used = [set(PLACEHOLDER.findall(string)) for string in strings]
            if any(not forms <= allowed for forms in used) or set().union(*used) != allowed:
                wrong.append(singular(message))
        elif sorted(PLACEHOLDER.findall(sources[0])) != sorted(PLACEHOLDER.findall(strings[0])):
            wrong.append(singular(message))
        literals = {tuple(LITERAL.findall(source)) for source in sources}
        if any(tuple(LITERAL.findall(string)) not in literals for string in strings):
            wrong.append(singular(message))
    assert not wrong


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_forms_are_those_of_deskguards_own_catalog(language: str) -> None:
    po = read(LOCALE / language / "LC_MESSAGES" / "click.po")
    own = read(LOCALE / language / "LC_MESSAGES" / "deskguard.po")
    assert po.plural_forms == own.plural_forms
    plurals = [message for message in messages(po) if message.pluralizable]
    assert plurals
    for message in plurals:
        assert len(sources_and_translations(message)[1]) == po.num_plurals, message.id


# -- at run time ------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def language_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """After each test: deskguard in English again, the global text domain, LANGUAGE and
    what click_language remembers as they were (it sets them for the whole process)."""
    domain = gettext.textdomain()
    # Recorded by setting it (deleting an unset variable records nothing), undone last.
    monkeypatch.setenv("LANGUAGE", "")
    monkeypatch.delenv("LANGUAGE")
    monkeypatch.setattr(click_language, "_found_language", None)
    monkeypatch.setattr(click_language, "_changed", False)
    yield
    i18n.use_language("en")
    gettext.textdomain(domain)


def greet() -> click.Command:
    """A command with click's help texts: a default shown, a required option, --help."""
    return click.Command(
        "greet",
        params=[
            click.Option(["--count"], default=3, show_default=True, help="How many."),
            click.Option(["--name"], required=True, help="Whose."),
        ],
    )


def help_of(command: click.Command) -> str:
    return command.get_help(click.Context(command, info_name=command.name))


def complaint(command: click.Command, args: list[str]) -> str:
    with pytest.raises(click.UsageError) as raised:
        command.main(args, prog_name=command.name, standalone_mode=False)
    return raised.value.format_message()


def choose(language: str) -> str:
    """What the command line does first: deskguard's language, then click's."""
    used = i18n.use_language(language)
    click_language.speak_through_click(language)
    return used


def test_click_speaks_the_chosen_language_not_the_environments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANGUAGE", "ru")
    assert choose("de") == "de"
    shown = help_of(greet())
    assert shown.startswith("Aufruf: greet [OPTIONS]")
    assert "Optionen:" in shown and "[Standard: 3]" in shown and "[erforderlich]" in shown
    assert "Diese Hilfe anzeigen und beenden." in shown
    assert complaint(greet(), []) == "Fehlende Option '--name'."
    assert complaint(greet(), ["--name", "x", "--count", "many"]) == (
        "Ungültiger Wert für '--count': 'many' ist kein gültiger Wert vom Typ integer."
    )


def test_an_unknown_language_leaves_click_in_english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "de")
    assert choose("xx") == "en"
    shown = help_of(greet())
    assert shown.startswith("Usage: greet [OPTIONS]")
    assert "[default: 3]" in shown and "[required]" in shown
    assert complaint(greet(), []) == "Missing option '--name'."


def test_without_a_chosen_language_click_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANGUAGE", "ru")
    assert choose("") == "ru"
    assert help_of(greet()).startswith("Использование: greet [OPTIONS]")
    assert complaint(greet(), []) == "Не указан параметр '--name'."
    assert os.environ["LANGUAGE"] == "ru"
    assert click_language.environment_as_found()["LANGUAGE"] == "ru"


def test_the_daemon_gets_the_language_of_the_environment_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `deskguard run` becomes the daemon: should `[ui] language` be taken out of the config
    # later, a reload must follow the desktop's language, not the one chosen at start.
    monkeypatch.setenv("LANGUAGE", "ru")
    choose("de")
    assert os.environ["LANGUAGE"] == "de"
    assert click_language.environment_as_found()["LANGUAGE"] == "ru"


def test_the_daemon_gets_no_language_when_the_environment_had_none() -> None:
    choose("de")
    choose("ru")  # chosen twice (as by a test harness): the first finding is kept
    assert os.environ["LANGUAGE"] == "ru"
    found = click_language.environment_as_found()
    assert "LANGUAGE" not in found
    assert found["PATH"] == os.environ["PATH"]
