"""`deskguard stats`: what the history says about your days."""

from __future__ import annotations

from pathlib import Path

import click

from deskguard.errors import UserError


@click.command()
@click.option(
    "--days", type=click.IntRange(min=1), default=7, show_default=True, help="How many days."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--chart", type=click.Path(dir_okay=False, path_type=Path), help="Write a chart (PNG or SVG)."
)
def stats(days: int, as_json: bool, chart: Path | None) -> None:
    """Sitting time, breaks and reminders per day, read from the history file."""
    raise UserError(
        "statistics are not in this version yet",
        "the history is being recorded and will be shown once this command lands",
    )


def register(group: click.Group) -> None:
    group.add_command(stats)
