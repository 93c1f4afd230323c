"""The texts of a desktop entry that people read in menus and launchers (its generic name,
comment and keywords, and the names of its actions), translated like any other message.

A desktop entry carries its translations itself, as `Comment[de]=…` keys beside the English
`Comment=` (the Desktop Entry Specification's localized values): `localized_entry` adds them
from deskguard's catalogs when an entry is written, and the desktop picks the user's. The
application's own name, `Name=` of the main group, is the product's and stays as it is.
`extract` is the Babel extraction method for the shipped entry (scripts/babel.cfg).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from deskguard.i18n import shipped_catalogs

LOCALIZED_KEYS = ("Name", "GenericName", "Comment", "Keywords")
MAIN_GROUP = "Desktop Entry"

COMMENTS = {
    "Keywords": "Translators: search words for the application menus, each ending in ';'. "
    "Keep the English ones that people may type, and add your language's.",
    "Name": "Translators: an action in the menu of the application's launcher or dock icon.",
}


def _translatable(group: str, line: str) -> tuple[str, str] | None:
    """(key, English text) when `line` of `group` is one people read, else None."""
    key, equals, value = line.partition("=")
    if not equals or key not in LOCALIZED_KEYS or (group == MAIN_GROUP and key == "Name"):
        return None
    return key, value


def _read(text: str) -> Iterator[tuple[str, tuple[str, str] | None]]:
    """Each line of `text`, with (key, English text) when it is one people read."""
    group = ""
    for line in text.splitlines():
        if line.startswith("["):
            group = line.strip().strip("[]")
        yield line, _translatable(group, line)


def localized_entry(text: str) -> str:
    """`text`, a desktop entry, with each text people read followed by its translation into
    every shipped language (`Comment[ru]=…`), where that language has one."""
    catalogs = shipped_catalogs()
    lines = []
    for line, found in _read(text):
        lines.append(line)
        if found:
            key, english = found
            for language, catalog in catalogs.items():
                translated = catalog.gettext(english)
                if translated != english:
                    lines.append(f"{key}[{language}]={translated}")
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


def extract(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extraction method: (line, function, message, translators' comments)."""
    for number, (_line, found) in enumerate(_read(fileobj.read().decode("utf-8")), 1):
        if not found:
            continue
        key, english = found
        comment = COMMENTS.get(key, f"Translators: the application entry's {key}.")
        yield number, None, english, [comment]
