"""`deskguard service`: start deskguard at every login, or stop doing so."""

from __future__ import annotations

import click


@click.group()
def service() -> None:
    """Start deskguard at every login (systemd user service or XDG autostart entry)."""


@service.command()
@click.option(
    "--autostart",
    is_flag=True,
    help="Write an XDG autostart entry (~/.config/autostart) instead of a systemd user "
    "service; for desktops whose session does not run systemd's graphical-session.target.",
)
def install(autostart: bool) -> None:
    """Start deskguard at every login.

    By default writes a systemd user service and enables it, which also starts it now;
    where `systemctl --user` cannot be reached, prints the commands to run in the
    desktop session instead. Installing one way removes the other one, so deskguard
    never starts twice.
    """
    from deskguard.platform.autostart import SystemdUserService, XdgAutostart

    chosen, other = (
        (XdgAutostart(), SystemdUserService())
        if autostart
        else (SystemdUserService(), XdgAutostart())
    )
    if other.is_installed():
        click.echo(f"Replacing the {other.label} with the {chosen.label}:")
        for line in other.uninstall():
            click.echo(line)
    for line in chosen.install():
        click.echo(line)


@service.command()
def uninstall() -> None:
    """Stop starting deskguard at login.

    Removes whichever of the two ways was installed (a systemd user service is
    disabled and stopped first where `systemctl --user` can be reached).
    """
    from deskguard.platform.autostart import SystemdUserService, XdgAutostart

    mechanisms = (SystemdUserService(), XdgAutostart())
    present = [m for m in mechanisms if m.path.exists() or m.path.is_symlink()]
    if not present:
        service_file, autostart_file = (m.path for m in mechanisms)
        click.echo(
            "deskguard is not set to start at login: "
            f"neither {service_file} nor {autostart_file} exists."
        )
        return
    for mechanism in present:
        for line in mechanism.uninstall():
            click.echo(line)


def register(group: click.Group) -> None:
    """Add `deskguard service` to the top-level group."""
    group.add_command(service)
    # `deskguard doctor` (which also checks the installed service) is added here.
