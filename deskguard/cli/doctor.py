"""`deskguard doctor`: checks every facility deskguard relies on."""

from __future__ import annotations

import sys

import click

from deskguard.cli.params import echo_json, json_option
from deskguard.i18n import _


# The help text is in the user's language: deskguard.cli chose it before importing this.
@click.command(
    help=_(
        "Check the desktop: session, notifications, tray, idle time, files, the daemon.\n"
        "\n"
        "Each line says what works; each problem comes with a way to fix it. "
        "Exits 1 when something important is missing."
    )
)
@json_option
def doctor(as_json: bool) -> None:
    from deskguard.doctor import doctor as run_doctor

    checks = run_doctor()
    if as_json:
        echo_json([check.data() for check in checks])  # English whatever the language
    else:
        for check in checks:
            for line in check.lines():
                click.echo(line)
    essential = {"config", "history"}
    sys.exit(1 if any(not c.ok for c in checks if c.name in essential) else 0)


def register(group: click.Group) -> None:
    group.add_command(doctor)
