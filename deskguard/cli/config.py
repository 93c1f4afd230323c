"""`deskguard config ...`: check, show and locate the configuration."""

from __future__ import annotations

from pathlib import Path

import click

from deskguard.errors import UserError


def config_file_option(function: click.decorators.FC) -> click.decorators.FC:
    """--config PATH: use this user config file instead of the XDG one."""
    return click.option(
        "--config",
        "config_path",
        # Any path: what is wrong with it (a folder, a pipe) is reported like a bad config,
        # one line and exit 78, the same from --config as from DESKGUARD_CONFIG.
        type=click.Path(path_type=Path),
        envvar="DESKGUARD_CONFIG",
        help="User config file to use (default: $XDG_CONFIG_HOME/deskguard/config.toml).",
    )(function)


@click.group(name="config")
def config_group() -> None:
    """Check, show and locate the configuration."""


@config_group.command()
@click.argument("path", type=click.Path(path_type=Path), required=False)
def check(path: Path | None) -> None:
    """Validate PATH (default: every file in effect plus the environment).

    Exits 0 when valid, 78 when not, printing each problem as FILE: section.key: reason.
    """
    from deskguard.settings import ConfigError, check_file, load_settings

    if path is not None:
        problems = check_file(path)
        if problems:
            raise ConfigError(problems)
        click.echo(f"{path}: ok")
        return
    load_settings()
    click.echo("configuration ok")


@config_group.command()
@config_file_option
def show(config_path: Path | None) -> None:
    """Print the effective configuration (all layers merged) as TOML."""
    from deskguard.paths import ConfigFiles
    from deskguard.settings import load_settings, to_toml

    click.echo(to_toml(load_settings(ConfigFiles.chosen(config_path))), nl=False)


@config_group.command(name="path")
def path_command() -> None:
    """Print where each file is looked for, most important last."""
    from deskguard import paths
    from deskguard.paths import ConfigFiles

    files = ConfigFiles()
    for system_file in files.system:
        click.echo(f"system config:  {system_file}{'' if system_file.exists() else '  (absent)'}")
    user = files.user
    click.echo(f"user config:    {user}{'' if user.exists() else '  (absent: defaults apply)'}")
    catalog = paths.user_catalog_file()
    click.echo(f"user catalog:   {catalog}{'' if catalog.exists() else '  (absent)'}")
    click.echo(f"shipped config: {paths.shipped_file('deskguard.toml')}")
    click.echo(f"history:        {paths.history_file()}")
    try:
        socket = str(paths.control_socket())
    except UserError as exc:  # this command is where to look when the path is the trouble
        socket = f"({exc})"
    click.echo(f"control socket: {socket}")


def register(group: click.Group) -> None:
    group.add_command(config_group)
