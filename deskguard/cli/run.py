"""`deskguard run`: the daemon in the foreground."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from deskguard.cli.click_language import environment_as_found
from deskguard.cli.config import config_file_option
from deskguard.i18n import _


# The help texts are in the user's language: deskguard.cli chose it before importing this.
@click.command(
    help=_(
        "Run the daemon in the foreground until stopped (Ctrl+C, SIGTERM or `deskguard stop`).\n"
        "\n"
        "It watches keyboard and mouse activity and reminds you to stand up and stretch "
        "when you have been sitting for reminder.sit_limit. Logs go to stderr."
    )
)
@click.option("--no-tray", is_flag=True, help=_("Run without a tray icon."))
@click.option("-v", "--verbose", is_flag=True, help=_("Log debugging detail."))
@config_file_option
def run(no_tray: bool, verbose: bool, config_path: Path | None) -> None:
    argv = [sys.executable, "-m", "deskguard.daemon"]
    argv += ["--no-tray"] * no_tray + ["--verbose"] * verbose
    if config_path is not None:
        argv += ["--config", str(config_path)]
    # The same process (pid, signals, systemd's view) becomes the daemon, without click and
    # the other commands in memory all day.
    os.execve(sys.executable, argv, environment_as_found())


def register(group: click.Group) -> None:
    group.add_command(run)
