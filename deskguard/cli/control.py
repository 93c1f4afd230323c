"""Commands that steer the running daemon over its control socket."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from deskguard.cli.params import DURATION, echo_json, json_option
from deskguard.i18n import _

if TYPE_CHECKING:
    from deskguard.ipc.status import Status


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

        click.echo(_named_in_language(Status.from_json(result)).describe())


def _named_in_language(status: Status) -> Status:
    """The pending exercise named as the user's own catalog may translate it; the shipped
    translations alone when that catalog cannot be read (`catalog check` says why)."""
    if not status.pending_exercise:
        return status
    from deskguard.catalog import CatalogError, load_catalog
    from deskguard.i18n.catalog import status_in_language

    try:
        return status_in_language(status, load_catalog())
    except CatalogError:
        return status


@click.command(
    help=_("Postpone the pending (or next) reminder by DURATION (default: reminder.snooze).")
)
@click.argument("duration", type=DURATION, required=False)
def snooze(duration: int | None) -> None:
    result = _call("snooze", seconds=duration)
    click.echo(_("Snoozed until {moment}.").format(moment=_moment(result.get("snoozed_until"))))


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
    if until:
        click.echo(_("Paused until {moment}.").format(moment=_moment(until)))
    else:
        click.echo(_("Paused until you run `deskguard resume`."))


@click.command(help=_("End a pause."))
def resume() -> None:
    _call("resume")
    click.echo(_("Reminders are back on."))


@click.command(
    name="break", help=_("Accept: take a stretch break now (sitting time starts again from zero).")
)
def take_break() -> None:
    result = _call("break")
    exercise = result.get("exercise")
    if exercise:
        # Translators: {exercise} is the id of an exercise, like "standing-back-bend".
        click.echo(_("Break started: {exercise}. Sitting time reset.").format(exercise=exercise))
    else:
        click.echo(_("Break started. Sitting time reset."))


@click.command(
    help=_("Skip the pending reminder; the next one comes after another full sitting limit.")
)
def skip() -> None:
    _call("skip")
    click.echo(_("Skipped."))


@click.command(
    help=_("Re-read the configuration (an invalid one is rejected and the old one kept).")
)
def reload() -> None:
    _call("reload")
    click.echo(_("Configuration reloaded."))


# The daemon takes up to 20 s to shut down when something it closes does not answer.
STOP_WAIT = 25.0


@click.command(help=_("Stop the running daemon (and wait until it has)."))
def stop() -> None:
    from deskguard import ipc

    _result, pid = ipc.call_daemon("stop")
    if not _exited(pid, STOP_WAIT):
        from deskguard.errors import UserError

        raise UserError(
            _("deskguard did not stop"),
            # Translators: {pid} is a process number; `kill {pid}` is a command to type.
            _(
                "pid {pid} still runs {seconds} s after it was asked to; `kill {pid}` ends it"
            ).format(pid=pid, seconds=f"{STOP_WAIT:.0f}"),
        )
    click.echo(_("deskguard stopped."))


def _moment(iso: object) -> str:
    """The daemon's ISO 8601 moment as the user reads it ("14:30", "tomorrow 09:00")."""
    from deskguard.i18n.dates import readable_moment

    return readable_moment(iso) if isinstance(iso, str) else "?"


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
