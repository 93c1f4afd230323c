"""`deskguard run`: the daemon in the foreground (what the service or autostart starts)."""

from __future__ import annotations

from pathlib import Path

import click

from deskguard.cli.config import config_file_option


@click.command()
@click.option("--no-tray", is_flag=True, help="Run without a tray icon.")
@click.option("-v", "--verbose", is_flag=True, help="Log debugging detail.")
@config_file_option
def run(no_tray: bool, verbose: bool, config_path: Path | None) -> None:
    """Run the daemon in the foreground until stopped (Ctrl+C, SIGTERM or `deskguard stop`).

    It watches keyboard and mouse activity and reminds you to stand up and stretch
    when you have been sitting for reminder.sit_limit. Logs go to stderr.
    """
    from deskguard.daemon.lean import leave_out_unused

    leave_out_unused()  # first: before the daemon's imports load what it does not use
    from deskguard.daemon.app import Daemon
    from deskguard.daemon.config import load
    from deskguard.daemon.logs import setup_logging

    setup_logging(verbose)
    overrides = {"tray": {"enabled": False}} if no_tray else {}
    Daemon(load(config_path, overrides), config_path, overrides).run()


def register(group: click.Group) -> None:
    group.add_command(run)
