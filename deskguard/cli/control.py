"""Commands that steer the running daemon over its control socket."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from deskguard.cli.params import DURATION, echo_json, json_option
from deskguard.i18n import _


def _call(cmd: str, **args: Any) -> dict[str, Any]:
    from deskguard import ipc

    return ipc.call(cmd, {key: value for key, value in args.items() if value is not None})


# The help texts are in the user's language: deskguard.cli chose it before importing this.
@click.command(help=_("Show what the running daemon sees: state, sitting time, next reminder."))
@json_option
def status(as_json: bool) -> None:
    result = _call("status")
    if as_json:
        echo_json(result)  # as the daemon sent it, keys this version does not know included
    else:
        from deskguard.ipc.status import Status

        click.echo(Status.from_json(result).describe())


@click.command(
    help=_("Postpone the pending (or next) reminder by DURATION (default: reminder.snooze).")
)
@click.argument("duration", type=DURATION, required=False)
def snooze(duration: int | None) -> None:
    result = _call("snooze", seconds=duration)
    click.echo(f"Snoozed until {result.get('snoozed_until')}.")


@click.command(
    help=_(
        'No reminders for DURATION, or until the working hours start again "tomorrow" '
        "(default: until `deskguard resume`)."
    )
)
@click.argument("duration", metavar="[DURATION|tomorrow]", required=False)
def pause(duration: str | None) -> None:
    if duration == "tomorrow":
        result = _call("pause", until="tomorrow")
    else:
        seconds = None if duration is None else DURATION.convert(duration, None, None)
        result = _call("pause", seconds=seconds)
    until = result.get("paused_until")
    click.echo(f"Paused until {until}." if until else "Paused until you run `deskguard resume`.")


@click.command(help=_("End a pause."))
def resume() -> None:
    _call("resume")
    click.echo("Reminders are back on.")


@click.command(
    name="break", help=_("Accept: take a stretch break now (sitting time starts again from zero).")
)
def take_break() -> None:
    result = _call("break")
    exercise = result.get("exercise")
    click.echo(f"Break started{': ' + exercise if exercise else ''}. Sitting time reset.")


@click.command()
def skip() -> None:
    """Skip the pending reminder; the next one comes after another full sitting limit."""
    _call("skip")
    click.echo("Skipped.")


@click.command()
def reload() -> None:
    """Re-read the configuration (an invalid one is rejected and the old one kept)."""
    _call("reload")
    click.echo("Configuration reloaded.")


# The daemon takes up to 20 s to shut down when something it closes does not answer.
STOP_WAIT = 25.0


@click.command()
def stop() -> None:
    """Stop the running daemon (and wait until it has)."""
    from deskguard import ipc

    _result, pid = ipc.call_daemon("stop")
    if not _exited(pid, STOP_WAIT):
        from deskguard.errors import UserError

        raise UserError(
            "deskguard did not stop",
            f"pid {pid} still runs {STOP_WAIT:.0f} s after it was asked to; `kill {pid}` ends it",
        )
    click.echo("deskguard stopped.")


def _exited(pid: int, timeout: float) -> bool:
    """Wait up to `timeout` seconds for process `pid` to end (exited, or a zombie)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (FileNotFoundError, ProcessLookupError):
            return True
        # "PID (COMMAND) STATE ...": the command may hold spaces and parentheses.
        if stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"]):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


def register(group: click.Group) -> None:
    for command in (status, snooze, pause, resume, take_break, skip, reload, stop):
        group.add_command(command)
