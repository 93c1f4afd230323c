"""`deskguard simulate`: what the daemon would have done over a recorded day.

The timeline is printed as the trace is replayed, so a trace of any length keeps nothing
in memory; a malformed line stops it there, with a message naming the line.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from deskguard.errors import UserError
from deskguard.i18n import _, ngettext

# Wall-clock starts a trace of the longest length can run from without leaving the
# calendar (times up to ten years ahead, idle values as far back).
EARLIEST_START = datetime(1900, 1, 1)
LATEST_START = datetime(8999, 12, 31, 23, 59, 59)


def _clock(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def _describe(event: dict[str, object]) -> str:
    kind = event["kind"]
    if kind == "reminder":
        minutes = f"{float(event['sat_seconds']) / 60:.0f}"  # type: ignore[arg-type]
        exercise = event["exercise"] or _("walk")
        if event["can_snooze"]:
            # Translators: {exercise} is an exercise id like "standing-back-bend" (or "walk").
            return _("reminder: {exercise} after {minutes} min sitting").format(
                exercise=exercise, minutes=minutes
            )
        return _("reminder: {exercise} after {minutes} min sitting (no snooze left)").format(
            exercise=exercise, minutes=minutes
        )
    if kind == "natural_break":
        minutes = f"{float(event['sat_seconds']) / 60:.0f}"  # type: ignore[arg-type]
        return _("natural break after {minutes} min sitting").format(minutes=minutes)
    if kind == "rejected":
        # Translators: {action} is what was refused, like "snooze"; {reason} stays English.
        return _("{action} refused: {reason}").format(
            action=event["action"], reason=event["reason"]
        )
    return str(kind)


class _Text:
    """One line per event, then how many reminders and natural breaks there were."""

    def __init__(self) -> None:
        self.reminders = self.breaks = 0

    def event(self, event: dict[str, Any]) -> None:
        self.reminders += event["kind"] == "reminder"
        self.breaks += event["kind"] == "natural_break"
        click.echo(f"{_clock(float(event['t']))}  {_describe(event)}")

    def finish(self) -> None:
        reminders = ngettext("{count} reminder", "{count} reminders", self.reminders)
        breaks = ngettext("{count} natural break", "{count} natural breaks", self.breaks)
        # Translators: the last line of `deskguard simulate`, like "3 reminders, 1 natural break".
        click.echo(
            _("{reminders}, {breaks}").format(
                reminders=reminders.format(count=self.reminders),
                breaks=breaks.format(count=self.breaks),
            )
        )


class _Json:
    """`{"events": [...]}` written an event at a time, as `json.dumps(..., indent=2)` would."""

    def __init__(self) -> None:
        self.count = 0

    def event(self, event: dict[str, Any]) -> None:
        item = json.dumps(event, indent=2, ensure_ascii=False).replace("\n", "\n    ")
        opening = '{\n  "events": [\n' if self.count == 0 else ",\n"
        click.echo(f"{opening}    {item}", nl=False)
        self.count += 1

    def finish(self) -> None:
        click.echo("\n  ]\n}" if self.count else '{\n  "events": []\n}')


@click.command(
    help=_(
        "Replay an activity TRACE (CSV: time,idle_seconds,event) through the reminder logic.\n\n"
        "Prints when reminders, natural breaks, snoozes and skips would have happened, so "
        "you can preview a setting before living with it. The daemon need not run."
    )
)
@click.argument("trace", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--config",
    "config_path",
    # Any path: a folder or a pipe is reported like a bad config (one line, exit 78).
    type=click.Path(path_type=Path),
    metavar="PATH",  # English, like every placeholder: click would translate its own
    help=_("Config file to simulate with (default: your effective configuration)."),
)
@click.option("--json", "as_json", is_flag=True, help=_("Print the timeline as JSON."))
@click.option(
    "--start",
    type=click.DateTime(),
    default="2026-01-05 08:00:00",
    show_default=True,
    help=_("Wall-clock time of the trace's first second (for working hours)."),
)
def simulate(trace: Path, config_path: Path | None, as_json: bool, start: datetime) -> None:
    from deskguard.core.trace import TraceError, parse_trace, trace_lines
    from deskguard.daemon.config import resolve
    from deskguard.daemon.simulation import Simulation
    from deskguard.paths import ConfigFiles

    if not EARLIEST_START <= start <= LATEST_START:
        raise click.BadParameter(
            _("must be between {earliest} and {latest}").format(
                earliest=f"{EARLIEST_START:%Y-%m-%d}", latest=f"{LATEST_START:%Y-%m-%d}"
            ),
            param_hint="'--start'",
        )
    timeline = _Json() if as_json else _Text()
    config = resolve(ConfigFiles.chosen(config_path))
    simulation = Simulation(config, start, on_event=timeline.event)
    try:
        with trace.open("rb") as stream:
            simulation.run(parse_trace(trace_lines(stream.read1)))
    except TraceError as exc:
        raise UserError(_("{path}: malformed trace").format(path=trace), str(exc)) from None
    except OSError as exc:
        raise UserError(
            _("{path}: cannot read it").format(path=trace), exc.strerror or str(exc)
        ) from None
    finally:
        simulation.close()
    timeline.finish()


def register(group: click.Group) -> None:
    group.add_command(simulate)
