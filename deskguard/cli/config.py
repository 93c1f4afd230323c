"""`deskguard config ...`: check, show and locate the configuration."""

from __future__ import annotations

from pathlib import Path

import click

from deskguard.errors import UserError
from deskguard.i18n import _


def config_file_option(function: click.decorators.FC) -> click.decorators.FC:
    """--config PATH: use this user config file instead of the XDG one."""
    return click.option(
        "--config",
        "config_path",
        # Any path: what is wrong with it (a folder, a pipe) is reported like a bad config,
        # one line and exit 78, the same from --config as from DESKGUARD_CONFIG.
        type=click.Path(path_type=Path),
        metavar="PATH",  # English, like every placeholder: click would translate its own
        envvar="DESKGUARD_CONFIG",
        help=_("User config file to use (default: $XDG_CONFIG_HOME/deskguard/config.toml)."),
    )(function)


# The help texts are in the user's language: deskguard.cli chose it before importing this.
@click.group(name="config", help=_("Check, show and locate the configuration."))
def config_group() -> None:
    pass


@config_group.command(
    help=_(
        "Validate PATH (default: every file in effect plus the environment).\n"
        "\n"
        "Exits 0 when valid, 78 when not, printing each problem as FILE: section.key: reason."
    )
)
@click.argument("path", type=click.Path(path_type=Path), required=False)
def check(path: Path | None) -> None:
    from deskguard.settings import ConfigError, check_file, load_settings

    if path is not None:
        problems = check_file(path)
        if problems:
            raise ConfigError(problems)
        # Translators: printed when the config file {path} is valid.
        click.echo(_("{path}: ok").format(path=path))
        return
    load_settings()
    click.echo(_("configuration ok"))


@config_group.command(help=_("Print the effective configuration (all layers merged) as TOML."))
@config_file_option
def show(config_path: Path | None) -> None:
    from deskguard.paths import ConfigFiles
    from deskguard.settings import load_settings, to_toml

    click.echo(to_toml(load_settings(ConfigFiles.chosen(config_path))), nl=False)


@config_group.command(
    name="path", help=_("Print where each file is looked for, most important last.")
)
def path_command() -> None:
    from deskguard import paths
    from deskguard.paths import ConfigFiles

    files = ConfigFiles()

    def found(path: Path, absent: str) -> str:
        return str(path) if path.exists() else f"{path}  {absent}"

    # Translators: the labels of `deskguard config path`, each followed by a path; the
    # paths are lined up after the longest label.
    rows = [(_("system config:"), found(file, _("(absent)"))) for file in files.system]
    rows.append((_("user config:"), found(files.user, _("(absent: defaults apply)"))))
    rows.append((_("user catalog:"), found(paths.user_catalog_file(), _("(absent)"))))
    rows.append((_("shipped config:"), str(paths.shipped_file("deskguard.toml"))))
    rows.append((_("history:"), str(paths.history_file())))
    try:
        socket = str(paths.control_socket())
    except UserError as exc:  # this command is where to look when the path is the trouble
        socket = f"({exc})"
    rows.append((_("control socket:"), socket))
    width = max(len(label) for label, _value in rows) + 1
    for label, value in rows:
        click.echo(f"{label:<{width}}{value}")


def register(group: click.Group) -> None:
    group.add_command(config_group)
