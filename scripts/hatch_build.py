"""Compiles the translations (deskguard/locale/*/LC_MESSAGES/deskguard.po) into the `.mo`
files gettext reads, whenever hatchling builds a wheel: `pip install .` and the editable
`pip install -e .` alike. The `.mo` files are build products and never committed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def compile_translations(package: Path) -> list[Path]:
    """Every `.po` under `package`/locale compiled next to itself; returns the `.mo` paths."""
    compiled = []
    for po in sorted((package / "locale").glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalog = read_po(source)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalog, use_fuzzy=False)  # a fuzzy entry is no translation
        compiled.append(mo)
    return compiled


class TranslationsHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        for mo in compile_translations(root / "deskguard"):
            # Ignored by git, so hatchling would leave them out of a regular wheel; an
            # editable one reads them from the source tree where they were just written.
            build_data["force_include"][str(mo)] = str(mo.relative_to(root))
