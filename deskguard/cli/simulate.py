"""`deskguard simulate`: what the daemon would have done over a recorded day."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from deskguard.cli.params import echo_json
from deskguard.errors import UserError


def _clock(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _describe(event: dict[str, object]) -> str:
    kind = event["kind"]
    if kind == "reminder":
        suffix = "" if event["can_snooze"] else " (no snooze left)"
        sat = float(event["sat_seconds"])  # type: ignore[arg-type]
        return f"reminder: {event['exercise'] or 'walk'} after {sat / 60:.0f} min sitting{suffix}"
    if kind == "natural_break":
        sat = float(event["sat_seconds"])  # type: ignore[arg-type]
        return f"natural break after {sat / 60:.0f} min sitting"
    if kind == "rejected":
        return f"{event['action']} refused: {event['reason']}"
    return str(kind)


@click.command()
@click.argument("trace", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file to simulate with (default: your effective configuration).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as JSON.")
@click.option(
    "--start",
    type=click.DateTime(),
    default="2026-01-05 08:00:00",
    show_default=True,
    help="Wall-clock time of the trace's first second (for working hours).",
)
def simulate(trace: Path, config_path: Path | None, as_json: bool, start: datetime) -> None:
    """Replay an activity TRACE (CSV: time,idle_seconds,event) through the reminder logic.

    Prints when reminders, natural breaks, snoozes and skips would have happened, so
    you can preview a setting before living with it. The daemon need not run.
    """
    from deskguard.core.trace import TraceError, parse_trace
    from deskguard.daemon.config import resolve
    from deskguard.daemon.simulation import Simulation
    from deskguard.paths import ConfigFiles

    simulation = Simulation(resolve(ConfigFiles.chosen(config_path)), start)
    try:
        with trace.open(newline="") as lines:
            events = simulation.run(parse_trace(lines))
    except TraceError as exc:
        raise UserError(f"{trace}: malformed trace", str(exc)) from None
    finally:
        simulation.close()
    if as_json:
        echo_json({"events": events})
        return
    for event in events:
        click.echo(f"{_clock(float(event['t']))}  {_describe(event)}")
    reminders = sum(1 for event in events if event["kind"] == "reminder")
    breaks = sum(1 for event in events if event["kind"] == "natural_break")
    click.echo(f"{reminders} reminders, {breaks} natural breaks")


def register(group: click.Group) -> None:
    group.add_command(simulate)
