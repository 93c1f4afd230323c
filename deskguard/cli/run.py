"""`deskguard run`: the daemon in the foreground (what the service or autostart starts)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from deskguard.cli.config import config_file_option, report_problems
from deskguard.errors import ExitCode


@click.command()
@click.option("--no-tray", is_flag=True, help="Run without a tray icon.")
@click.option("-v", "--verbose", is_flag=True, help="Log debugging detail.")
@config_file_option
def run(no_tray: bool, verbose: bool, config_path: Path | None) -> None:
    """Run the daemon in the foreground until stopped (Ctrl+C, SIGTERM or `deskguard stop`).

    It watches keyboard and mouse activity and reminds you to stand up and stretch
    when you have been sitting for reminder.sit_limit. Logs go to stderr.
    """
    from deskguard.daemon.app import Daemon
    from deskguard.daemon.logs import setup_logging
    from deskguard.settings import ConfigError, ConfigFiles, load_settings

    setup_logging(verbose)
    files = ConfigFiles()
    if config_path is not None:
        files.user = config_path
    overrides = {"tray": {"enabled": False}} if no_tray else {}
    try:
        settings = load_settings(files, overrides)
    except ConfigError as exc:
        report_problems(list(exc.problems))
        sys.exit(ExitCode.BAD_CONFIG)
    Daemon(settings, files, overrides).run()


def register(group: click.Group) -> None:
    group.add_command(run)
