"""The application entry as installed: the shipped one, its commands pointing at one deskguard.

The shipped entry (config/desktop/) names `deskguard` as found on PATH, which serves a
system-wide install. A user's install puts the command in ~/.local/bin, which a desktop
session started before that folder existed does not have on its PATH, so the installed
entry names the command by its absolute path, the way `deskguard service install` does.
`python -m deskguard.platform.desktop_entry COMMAND` prints the entry for COMMAND
(scripts/install.sh writes it to the user's applications folder), and `--metainfo` the
AppStream metadata with its translations (for the user's metainfo folder).
"""

from __future__ import annotations

import re
import sys

from deskguard.i18n.desktop_strings import localized_entry
from deskguard.i18n.metainfo_strings import localized_metainfo
from deskguard.paths import APP_ID, shipped_file
from deskguard.platform.autostart import desktop_exec_line

ENTRY_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
_SHIPPED_COMMAND = "deskguard"


def shipped_entry() -> str:
    return shipped_file(f"desktop/{ENTRY_FILE}").read_text(encoding="utf-8")


def entry_for(command: str) -> str:
    """The shipped entry with every Exec= (the main one and each action's) and TryExec=
    starting `command` (an absolute path) instead of the `deskguard` on PATH, and its texts
    in every shipped language."""
    exec_word = desktop_exec_line([command])
    # TryExec is a plain string value: of its escapes only the backslash can occur in a path.
    try_exec = command.replace("\\", "\\\\")
    text = re.sub(
        rf"^Exec={_SHIPPED_COMMAND}(?= |$)",
        lambda _: f"Exec={exec_word}",
        localized_entry(shipped_entry()),
        flags=re.M,
    )
    return re.sub(
        rf"^TryExec={_SHIPPED_COMMAND}$", lambda _: f"TryExec={try_exec}", text, flags=re.M
    )


def installed_metainfo() -> str:
    """The shipped AppStream metadata with its texts in every shipped language."""
    shipped = shipped_file(f"desktop/{METAINFO_FILE}").read_text(encoding="utf-8")
    return localized_metainfo(shipped)


def main(argv: list[str]) -> int:
    if argv == ["--metainfo"]:
        sys.stdout.write(installed_metainfo())
        return 0
    if len(argv) != 1 or argv[0].startswith("-"):
        print(
            "usage: python -m deskguard.platform.desktop_entry COMMAND | --metainfo",
            file=sys.stderr,
        )
        return 2
    sys.stdout.write(entry_for(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
