"""`deskguard service`: start deskguard at every login, or stop doing so."""

from __future__ import annotations

import click

from deskguard.i18n import _


# The help texts are in the user's language: deskguard.cli chose it before importing this.
@click.group(
    help=_("Start deskguard at every login (systemd user service or XDG autostart entry).")
)
def service() -> None:
    pass


@service.command(
    help=_(
        "Start deskguard at every login.\n"
        "\n"
        "By default writes a systemd user service and enables it, which also starts it now; "
        "where `systemctl --user` cannot be reached, prints the commands to run in the "
        "desktop session instead. Installing one way removes the other one, so deskguard "
        "never starts twice."
    )
)
@click.option(
    "--autostart",
    is_flag=True,
    help=_(
        "Write an XDG autostart entry (~/.config/autostart) instead of a systemd user "
        "service; for desktops whose session does not run systemd's graphical-session.target."
    ),
)
def install(autostart: bool) -> None:
    from deskguard.platform.autostart import SystemdUserService, XdgAutostart

    chosen, other = (
        (XdgAutostart(), SystemdUserService())
        if autostart
        else (SystemdUserService(), XdgAutostart())
    )
    if other.is_installed():
        # Translators: {old} and {new} are "systemd user service" and "XDG autostart entry"
        # (one each, either way round).
        replacing = _("Replacing the {old} with the {new}:")
        click.echo(replacing.format(old=other.label, new=chosen.label))
        for line in other.uninstall():
            click.echo(line)
    for line in chosen.install():
        click.echo(line)


@service.command(
    help=_(
        "Stop starting deskguard at login.\n"
        "\n"
        "Removes whichever of the two ways was installed (a systemd user service is "
        "disabled and stopped first where `systemctl --user` can be reached)."
    )
)
def uninstall() -> None:
    from deskguard.platform.autostart import SystemdUserService, XdgAutostart

    mechanisms = (SystemdUserService(), XdgAutostart())
    present = [m for m in mechanisms if m.path.exists() or m.path.is_symlink()]
    if not present:
        service_file, autostart_file = (m.path for m in mechanisms)
        # Translators: {service_file} and {autostart_file} are paths.
        nowhere = _(
            "deskguard is not set to start at login: neither {service_file} nor "
            "{autostart_file} exists."
        )
        click.echo(nowhere.format(service_file=service_file, autostart_file=autostart_file))
        return
    for mechanism in present:
        for line in mechanism.uninstall():
            click.echo(line)


def register(group: click.Group) -> None:
    """Add `deskguard service` to the top-level group."""
    group.add_command(service)
    # `deskguard doctor` (which also checks the installed service) is added here.
