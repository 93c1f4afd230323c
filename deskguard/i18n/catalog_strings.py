"""The texts of an exercise catalog file that people read, for the translation template.

`extract` is a Babel extraction method (scripts/babel.cfg names it); it needs only the
standard library, as does `translatable_texts`, which the tests use too. English is the
source language of the catalog: its own text is the msgid.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from typing import IO, Any

EXERCISE_FIELDS = ("name", "purpose", "summary")
EXERCISE_LISTS = ("steps", "equipment")
CONTRAINDICATION_FIELDS = ("name", "description")


def translatable_texts(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, text) for every text of a catalog, `where` like "exercises.crunch.steps.2"."""
    for key, entry in data.get("exercises", {}).items():
        yield from _exercise_texts(f"exercises.{key}", entry)
    for key, entry in data.get("contraindications", {}).items():
        for name in CONTRAINDICATION_FIELDS:
            if name in entry:
                yield f"contraindications.{key}.{name}", entry[name]
    for section in ("walking", "routine"):
        if "why" in data.get(section, {}):
            yield f"{section}.why", data[section]["why"]
    for habit in data.get("habits", ()):
        yield f"habits.{habit.get('id', '')}", habit["text"]
    for key, text in data.get("notes", {}).items():
        yield f"notes.{key}", text


def _exercise_texts(where: str, entry: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    for name in EXERCISE_FIELDS:
        if name in entry:
            yield f"{where}.{name}", entry[name]
    for name in EXERCISE_LISTS:
        for index, text in enumerate(entry.get(name, ())):
            yield f"{where}.{name}.{index + 1}", text


def extract(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel's extraction method: (line, function, message, translators' comments)."""
    source = fileobj.read()
    lines = source.decode("utf-8").splitlines()
    for where, text in translatable_texts(tomllib.loads(source.decode("utf-8"))):
        line = next((n for n, content in enumerate(lines, 1) if text in content), 0)
        yield line, None, text, [f"Translators: exercise catalog, {where}"]
