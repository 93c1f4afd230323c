"""The user's language: gettext catalogs for every message deskguard shows to people.

Strings are marked with `_`, `ngettext`, `pgettext` (a context where the English alone
is ambiguous for translators) and `N_` (marked where defined, translated where shown).
`use_language` picks the catalog once per process: `[ui] language` when set, else the
usual LANGUAGE / LC_ALL / LC_MESSAGES / LANG. Only the standard library is used here:
the daemon imports this module and stays small. The `.mo` files are compiled from the
`.po` sources when the package is built (scripts/hatch_build.py).
"""

from __future__ import annotations

import gettext
from pathlib import Path

DOMAIN = "deskguard"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
ENVIRONMENT_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
CHOSEN_LANGUAGE_VARIABLE = "DESKGUARD_UI__LANGUAGE"
"""`[ui] language` set through the environment: how the daemon hands the language it
chose to the windows and menus it starts as processes of their own."""

_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def use_language(language: str = "") -> str:
    """Translate from now on into `language` (or the environment's when empty); returns
    the language actually used ("en" when no shipped catalog matches)."""
    global _translations, _language
    wanted = [language] if language else None  # None: gettext reads the variables
    found = gettext.find(DOMAIN, str(LOCALE_DIR), languages=wanted)
    if found is None:
        _translations, _language = gettext.NullTranslations(), "en"
    else:
        with open(found, "rb") as mo:
            _translations = gettext.GNUTranslations(mo)
        _language = Path(found).parent.parent.name
    return _language


def current_language() -> str:
    """The language messages are in now, like "ru", "de" or "en" (the source)."""
    return _language


def _(message: str) -> str:
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translations.ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    return _translations.pgettext(context, message)


def N_(message: str) -> str:
    """Marks `message` for the template without translating it (yet)."""
    return message


def NP_(context: str, message: str) -> str:
    """Marks `message` (in `context`) for the template; `pgettext` translates it later."""
    return message


def number(value: float, decimals: int = 1) -> str:
    """`value` rounded to `decimals` places, trailing zeros left out, with the language's
    decimal separator: "3.5" and "7" in English, "3,5" in German and Russian."""
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    # Translators: the character between the whole number and its fraction, as in 3.5.
    return text.replace(".", pgettext("decimal separator", "."))


def shipped_catalogs() -> dict[str, gettext.GNUTranslations]:
    """Every shipped language's compiled catalog, by language, in a stable order: for the
    files that carry their translations themselves (desktop entry, AppStream metadata)."""
    catalogs = {}
    for compiled in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo")):
        with compiled.open("rb") as mo:
            catalogs[compiled.parent.parent.name] = gettext.GNUTranslations(mo)
    return catalogs
