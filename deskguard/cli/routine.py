"""`deskguard routine`: the guided mini-routine."""

from __future__ import annotations

import sys

import click

from deskguard.i18n import N_, _

# The help texts are in the user's language: deskguard.cli chose it before importing this.
HELP = (
    N_("Guide you through a short routine of stretches and strengthening exercises."),
    N_(
        "The full routine follows the catalog's order (stretches, strength, stretches) "
        "within routine.length, leaving out floor exercises when routine.at_desk is on and "
        "anything a declared health condition rules out; you are told what was left out "
        "and why. Before the first routine a health notice asks which conditions apply to you."
    ),
    N_(
        "With a display the routine opens in a window (Space pauses, Right skips to the next "
        "exercise, Esc stops); without one, or with --terminal, it runs here. Progress goes "
        "to the running daemon (a finished routine counts as a break) or, when it is not "
        "running, straight into the history."
    ),
)


@click.command(help="\n\n".join(map(_, HELP)))
@click.option("--quick", is_flag=True, help=_("One or two desk-friendly exercises (1-2 minutes)."))
@click.option("--terminal", is_flag=True, help=_("Run in this terminal instead of a window."))
@click.option("--exercises", metavar="ID,ID", help=_("Exactly these catalog exercises, in order."))
def routine(quick: bool, terminal: bool, exercises: str | None) -> None:
    from deskguard.routine.launch import RoutineRequest, parse_ids, run

    if quick and exercises:
        # Translators: --quick and --exercises are options of the command, kept as they are.
        raise click.UsageError(_("--quick and --exercises cannot be combined"))
    ids = parse_ids(exercises)
    if exercises is not None and not ids:
        raise click.UsageError(_("--exercises needs at least one exercise id"))
    # The window runs right here: this command is already a process of its own, so a
    # second interpreter would only add start-up time and hide the exit code and
    # Ctrl+C. `python -m deskguard.routine` is the entry for the daemon and the tray.
    code = run(RoutineRequest(quick, ids, terminal))
    if code:
        sys.exit(code)


def register(group: click.Group) -> None:
    group.add_command(routine)
