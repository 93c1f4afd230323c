"""`deskguard open`: what choosing deskguard in the desktop's application menu does."""

from __future__ import annotations

import os
import sys

import click

from deskguard.i18n import _


# The help text is in the user's language: deskguard.cli chose it before importing this.
@click.command(
    name="open",
    help=_(
        "Start deskguard if it is not running; if it is, open the mini-routine.\n"
        "\n"
        "The application entry in the desktop's menu runs this. deskguard works in the "
        "background, so the first launch starts it: as the systemd user service when "
        "`deskguard service install` set one up (systemd then watches and restarts it), "
        "else right here, in the foreground, as `deskguard run`. Launched again while it "
        "runs, it opens the routine window: the one window deskguard has, and what someone "
        "opening a stretch reminder most likely wants."
    ),
)
@click.pass_context
def open_deskguard(ctx: click.Context) -> None:
    from deskguard import ipc
    from deskguard.errors import DaemonNotRunning

    try:
        ipc.call("status")
    except DaemonNotRunning:
        _start_daemon()
        return
    from deskguard.cli.routine import routine

    ctx.invoke(routine)


def _start_daemon() -> None:
    from deskguard.platform.autostart import (
        SystemdUserService,
        deskguard_command,
        systemctl_user_works,
    )

    service = SystemdUserService()
    if service.is_installed() and systemctl_user_works():
        for line in service.start():
            click.echo(line)
        return
    argv = [*deskguard_command(), "run"]
    # A new program rather than `run` called here: the daemon starts lean, without the
    # modules this command has loaded.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)


def register(group: click.Group) -> None:
    group.add_command(open_deskguard)
