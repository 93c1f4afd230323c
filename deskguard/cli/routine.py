"""`deskguard routine`: the guided mini-routine."""

from __future__ import annotations

import click

from deskguard.errors import UserError


@click.command()
@click.option("--quick", is_flag=True, help="One or two desk-friendly exercises (1-2 minutes).")
@click.option("--terminal", is_flag=True, help="Run in this terminal instead of a window.")
@click.option("--exercises", metavar="ID,ID", help="Exactly these catalog exercises, in order.")
def routine(quick: bool, terminal: bool, exercises: str | None) -> None:
    """Guide you through a short routine of stretches and strengthening exercises."""
    raise UserError(
        "the mini-routine player is not in this version yet",
        "see `deskguard catalog show ID` for step-by-step instructions meanwhile",
    )


def register(group: click.Group) -> None:
    group.add_command(routine)
