"""`deskguard doctor`: checks every facility deskguard relies on."""

from __future__ import annotations

import sys

import click

from deskguard.cli.params import echo_json, json_option


@click.command()
@json_option
def doctor(as_json: bool) -> None:
    """Check the desktop: session, notifications, tray, idle time, files, the daemon.

    Each line says what works; each problem comes with a way to fix it.
    Exits 1 when something important is missing.
    """
    from deskguard.doctor import doctor as run_doctor

    checks = run_doctor()
    if as_json:
        echo_json([check.__dict__ for check in checks])
    else:
        for check in checks:
            for line in check.lines():
                click.echo(line)
    essential = {"config", "history"}
    sys.exit(1 if any(not c.ok for c in checks if c.name in essential) else 0)


def register(group: click.Group) -> None:
    group.add_command(doctor)
