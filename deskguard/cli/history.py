"""`deskguard stats`, `walk` and `export`: the history file, read and written directly.

None of these needs the daemon: SQLite in WAL mode lets them share the file with it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from deskguard.cli.params import echo_json, json_option
from deskguard.i18n import _, number

if TYPE_CHECKING:
    from deskguard.core.records import Rows
    from deskguard.settings import Settings
    from deskguard.store import History

# A bare number up to this is a distance in km; above it, minutes.
BARE_KM_LIMIT = 20.0
MAX_KM = 200.0
MAX_MINUTES = 24 * 60.0


def _settings() -> Settings:
    from deskguard.settings import load_settings

    return load_settings()


def _open(path: Path) -> History:
    """The history file; one line for the user (a HistoryError, exit 1) when it cannot be
    used: damaged, locked, on a full disk, read-only, a link, from a newer deskguard."""
    from deskguard.store import History

    return History(path)


def _missing(path: Path) -> bool:
    """No history yet (a link, even a dangling one, is a history to refuse, not none)."""
    return not path.exists() and not path.is_symlink()


def _warn_skipped(history: History) -> None:
    note = history.skipped_note()
    if note is not None:
        click.echo(_("deskguard: warning: {problem}").format(problem=note), err=True)


def _today() -> date:
    return datetime.now().astimezone().date()


def _rows(path: Path, first_day: date) -> Rows:
    from deskguard.core.records import Rows
    from deskguard.store import read_rows

    if _missing(path):
        return Rows()
    history = _open(path)
    try:
        rows = read_rows(history, first_day)
        _warn_skipped(history)
        return rows
    finally:
        history.close()


def _day_option(name: str, help_text: str) -> Callable[[click.decorators.FC], click.decorators.FC]:
    """An option that takes a local calendar day, YYYY-MM-DD."""
    return click.option(
        name, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE", help=help_text
    )


def _use_unicode() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "").startswith("utf")


# The help texts are in the user's language: deskguard.cli chose it before importing this.
@click.command(
    help=_(
        "Time at the computer, sitting, breaks, reminders, routines and walks, per day.\n\n"
        "Reads the history file directly; the daemon need not run. Days are local calendar "
        "days; times in the table are h:mm, in --json seconds. Compliance is the share of "
        "reminders followed by a break (accepted, or a natural break came first)."
    )
)
@click.option(
    "--days",
    type=click.IntRange(min=1, max=3660),
    default=7,
    show_default=True,
    help=_("How many days, ending with --until."),
)
@_day_option("--until", _("The last day to show (YYYY-MM-DD; default: today)."))
@json_option
@click.option(
    "--chart",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",  # as the help names it: click would translate its own placeholder
    help=_("Also write a chart of the days to FILE (.png or .svg; needs deskguard[chart])."),
)
def stats(days: int, until: datetime | None, as_json: bool, chart: Path | None) -> None:
    from deskguard import paths
    from deskguard.cli.stats_chart import chart_format
    from deskguard.cli.stats_view import render_table, summary_json
    from deskguard.core.stats import summarize

    if chart is not None:
        chart_format(chart)  # a wrong extension fails before any work
    settings = _settings()
    last_day = until.date() if until is not None else _today()
    first_day = last_day - timedelta(days=days - 1)
    path = paths.history_file()
    summary = summarize(_rows(path, first_day), first_day, last_day, settings.walking.daily_goal_km)
    if _missing(path):
        click.echo(
            _(
                "No history yet: {path} does not exist. It is written while `deskguard run`"
                " is running (or when you log a walk); until then every figure is zero."
            ).format(path=path),
            err=as_json,
        )
    if chart is not None:
        from deskguard.cli.stats_chart import chart as draw_chart

        draw_chart(summary.days, chart)
    if as_json:
        echo_json({"history": str(path), **summary_json(summary)})
    else:
        for line in render_table(summary, unicode=_use_unicode()):
            click.echo(line)
    if chart is not None:
        click.echo(_("chart written to {path}").format(path=chart), err=as_json)


_AMOUNT = re.compile(
    r"^(?P<number>\d+(?:[.,]\d+)?)\s*(?P<unit>km|k|m|min|mins|minutes?|h|hours?)?$"
)


def parse_walk_amount(text: str) -> tuple[str, float]:
    """("km", 3.5) for "3.5km"; ("minutes", 40) for "40m", "40min" or "1h30m"; a bare
    number up to 20 is km, above it minutes."""
    cleaned = text.strip().lower()
    match = _AMOUNT.match(cleaned)
    if match is None:
        from deskguard.core.durations import parse_duration

        if not re.fullmatch(r"\d+h\d+m", cleaned):
            raise ValueError(
                _(
                    "{text} is not a distance or a time: write e.g. 3.5km, 40m, 40min or 1h30m"
                ).format(text=repr(text))
            )
        return "minutes", parse_duration(cleaned) / 60
    number = float(match["number"].replace(",", "."))
    unit = match["unit"]
    if unit in ("km", "k"):
        return "km", number
    if unit is None:
        return ("km", number) if number <= BARE_KM_LIMIT else ("minutes", number)
    return "minutes", number * 60 if unit.startswith("h") else number


def _joined(amounts: tuple[str, ...]) -> list[str]:
    """`3.5 km` typed as two words is one amount."""
    joined: list[str] = []
    for text in amounts:
        if joined and text.isalpha() and joined[-1][-1:].isdigit():
            joined[-1] += text
        else:
            joined.append(text)
    return joined


def _walk_amounts(amounts: tuple[str, ...]) -> dict[str, float]:
    found: dict[str, float] = {}
    for text in _joined(amounts):
        try:
            kind, value = parse_walk_amount(text)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="AMOUNT") from None
        if kind in found:
            message = (
                _("more than one distance given") if kind == "km" else _("more than one time given")
            )
            raise click.BadParameter(message, param_hint="AMOUNT")
        limit = MAX_KM if kind == "km" else MAX_MINUTES
        if not 0 < value <= limit:
            message = (
                _("{text}: the distance must be more than 0 and at most {limit} km")
                if kind == "km"
                else _("{text}: the time must be more than 0 and at most {limit} minutes")
            )
            raise click.BadParameter(
                message.format(text=repr(text), limit=f"{limit:g}"), param_hint="AMOUNT"
            )
        found[kind] = value
    return found


@click.command(
    # Translators: keep the \b line (it keeps the examples as they are) and the commands;
    # align the explanations in one column.
    help=_(
        "Log a walk you took today, by distance, time or both.\n\n"
        "\b\n"
        "Examples:\n"
        "  deskguard walk 3.5km        3.5 kilometres\n"
        "  deskguard walk 40m          40 minutes: m is minutes, not metres\n"
        "                              (also 40min, 1h, 1h30m)\n"
        "  deskguard walk 3.5km 40m    both\n"
        "  deskguard walk 4            a bare number up to 20 is km ...\n"
        "  deskguard walk 45           ... and above 20 it is minutes\n\n"
        "The distance counts toward the daily walking goal ([walking] daily_goal_km) in "
        "`deskguard stats`. Written straight into the history; the daemon need not run."
    )
)
@click.argument("amounts", metavar="[KM|MINUTES]...", nargs=-1)
def walk(amounts: tuple[str, ...]) -> None:
    from deskguard import paths
    from deskguard.core.records import Rows
    from deskguard.core.stats import summarize
    from deskguard.settings import ConfigError, load_settings

    found = _walk_amounts(amounts)
    now = datetime.now().astimezone()
    history = _open(paths.history_file())
    try:
        history.record_walk(now, km=found.get("km"), minutes=found.get("minutes"))
        today = Rows(walks=history.walks(now.date()))
    finally:
        history.close()
    click.echo(_logged(found))
    try:
        goal = load_settings().walking.daily_goal_km
    except ConfigError:
        click.echo(_("(the configuration has problems: see `deskguard config check`)"), err=True)
        return
    figures = summarize(today, now.date(), now.date(), goal).total
    click.echo(
        _("Walked today: {walked} of {goal} km, {minutes} min.").format(
            walked=number(figures.walk_km, 2),
            goal=number(goal, 2),
            minutes=number(figures.walk_minutes),
        )
    )


def _logged(found: dict[str, float]) -> str:
    km, minutes = found.get("km"), found.get("minutes")
    if km is not None and minutes is not None:
        return _("Logged a walk of {km} km and {minutes} min.").format(
            km=number(km, 2), minutes=number(minutes)
        )
    if km is not None:
        return _("Logged a walk of {km} km.").format(km=number(km, 2))
    if minutes is not None:
        return _("Logged a walk of {minutes} min.").format(minutes=number(minutes))
    return _("Logged a walk.")


@click.command(
    help=_(
        "Print the raw history: every row of every table, with a `table` column.\n\n"
        "Tables: sitting, reminders, routines, presence, walks. Timestamps are as stored "
        "(ISO 8601 with the UTC offset). The daemon need not run."
    )
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
    help=_("CSV (one header, a `table` column) or JSON."),
)
@_day_option("--since", _("Only rows dated on this local day or later (YYYY-MM-DD)."))
def export(output_format: str, since: datetime | None) -> None:
    from deskguard import paths

    path = paths.history_file()
    rows: list[tuple[str, dict[str, Any]]] = []
    columns = ["table"]
    if not _missing(path):
        history = _open(path)
        try:
            rows = history.export_rows(since.date() if since is not None else None)
            _warn_skipped(history)
            for names in history.columns().values():
                columns += [name for name in names if name not in columns]
        finally:
            history.close()
    else:
        click.echo(_("No history yet: {path} does not exist.").format(path=path), err=True)
    records = [{"table": table, **row} for table, row in rows]
    if output_format == "json":
        echo_json({"history": str(path), "rows": records})
        return
    import csv

    writer = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)


def register(group: click.Group) -> None:
    group.add_command(stats)
    group.add_command(walk)
    group.add_command(export)
