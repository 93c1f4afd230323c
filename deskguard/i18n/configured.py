"""The language the config files choose, read before anything else is loaded: the command
line needs it before any command module is imported (click builds the help texts then),
and the tray's popup menu, a process of its own, needs it without the command line."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from deskguard import paths
from deskguard.i18n import CHOSEN_LANGUAGE_VARIABLE
from deskguard.validation import ProblemsFound, read_toml


def configured_language(argv: Sequence[str]) -> str:
    """`[ui] language` as the environment or the config files set it ("" when unset).

    A quick look, not a validation: a broken file is reported by the command that loads
    it, and until then the messages follow the environment's language."""
    if os.environ.get(CHOSEN_LANGUAGE_VARIABLE):
        return os.environ[CHOSEN_LANGUAGE_VARIABLE]
    language = ""
    for path in paths.ConfigFiles.chosen(_config_option(argv)).layers:
        try:
            # read_toml refuses what is not a regular file: a named pipe would block here.
            section = read_toml(path).get("ui", {})
        except (OSError, ValueError, ProblemsFound):
            continue
        value = section.get("language") if isinstance(section, dict) else None
        if isinstance(value, str) and value:
            language = value  # later layers (the user's file) win
    return language


def _config_option(argv: Sequence[str]) -> Path | None:
    """The value of a `--config PATH` (or `--config=PATH`) among the arguments."""
    for index, argument in enumerate(argv):
        if argument == "--config" and index + 1 < len(argv):
            return Path(argv[index + 1])
        if argument.startswith("--config="):
            return Path(argument.removeprefix("--config="))
    return None
