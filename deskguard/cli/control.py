"""Commands that steer the running daemon over its control socket."""

from __future__ import annotations

from typing import Any

import click

from deskguard.cli.params import DURATION, echo_json, json_option


def _call(cmd: str, **args: Any) -> dict[str, Any]:
    from deskguard import ipc

    return ipc.call(cmd, {key: value for key, value in args.items() if value is not None})


@click.command()
@json_option
def status(as_json: bool) -> None:
    """Show what the running daemon sees: state, sitting time, next reminder."""
    result = _call("status")
    if as_json:
        echo_json(result)  # as the daemon sent it, keys this version does not know included
    else:
        from deskguard.ipc.status import Status

        click.echo(Status.from_json(result).describe())


@click.command()
@click.argument("duration", type=DURATION, required=False)
def snooze(duration: int | None) -> None:
    """Postpone the pending (or next) reminder by DURATION (default: reminder.snooze)."""
    result = _call("snooze", seconds=duration)
    click.echo(f"Snoozed until {result.get('snoozed_until')}.")


@click.command()
@click.argument("duration", metavar="[DURATION|tomorrow]", required=False)
def pause(duration: str | None) -> None:
    """No reminders for DURATION, or until the working hours start again "tomorrow"
    (default: until `deskguard resume`)."""
    if duration == "tomorrow":
        result = _call("pause", until="tomorrow")
    else:
        seconds = None if duration is None else DURATION.convert(duration, None, None)
        result = _call("pause", seconds=seconds)
    until = result.get("paused_until")
    click.echo(f"Paused until {until}." if until else "Paused until you run `deskguard resume`.")


@click.command()
def resume() -> None:
    """End a pause."""
    _call("resume")
    click.echo("Reminders are back on.")


@click.command(name="break")
def take_break() -> None:
    """Accept: take a stretch break now (sitting time starts again from zero)."""
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


@click.command()
def stop() -> None:
    """Stop the running daemon."""
    _call("stop")
    click.echo("deskguard stopped.")


def register(group: click.Group) -> None:
    for command in (status, snooze, pause, resume, take_break, skip, reload, stop):
        group.add_command(command)
