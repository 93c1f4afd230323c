"""What the history says about each day: rows in, per-day and total figures out.

A day is the local calendar day written in a timestamp (they are stored with their UTC
offset), so a day means what it meant where and when it was recorded. Spans that cross
midnight (time at the computer, a sitting stretch) are shared out between the days they
cover; the longest stretch and the break that ended it count on the day it ended.
Reminders count on the day they were shown, routines on the day they started, walks on
the day they were logged.

Everything here is pure except `read_rows` (reads an open history) and `chart` (writes
an image with matplotlib, an optional dependency).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deskguard.errors import UserError
from deskguard.store import (
    DeferralRow,
    PresenceRow,
    ReminderRow,
    RoutineRow,
    SittingRow,
    WalkRow,
)

if TYPE_CHECKING:
    from deskguard.store import History

CHART_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class Rows:
    """The history rows the figures are made from."""

    sitting: Sequence[SittingRow] = ()
    presence: Sequence[PresenceRow] = ()
    reminders: Sequence[ReminderRow] = ()
    routines: Sequence[RoutineRow] = ()
    walks: Sequence[WalkRow] = ()
    deferrals: Sequence[DeferralRow] = ()


def read_rows(history: History, first_day: date) -> Rows:
    """The rows that can count on `first_day` or later (a span ending on it may start before)."""
    return Rows(
        sitting=history.sitting(first_day),
        presence=history.presence(first_day),
        # A naive midnight compares with stored timestamps by their own local date.
        reminders=history.reminders(datetime.combine(first_day, time())),
        routines=history.routines(first_day),
        walks=history.walks(first_day),
        deferrals=history.deferrals(first_day),
    )


@dataclass
class Reminders:
    """Reminders shown, by what became of them; `unanswered` ones have no outcome yet."""

    shown: int = 0
    accepted: int = 0
    snoozed: int = 0
    skipped: int = 0
    dismissed: int = 0
    natural_break: int = 0
    unanswered: int = 0

    def count(self, outcome: str | None) -> None:
        self.shown += 1
        name = "unanswered" if outcome is None else outcome.replace("-", "_")
        if name in ("accepted", "snoozed", "skipped", "dismissed", "natural_break"):
            setattr(self, name, getattr(self, name) + 1)
        else:
            self.unanswered += 1

    @property
    def compliance(self) -> float | None:
        """Share of reminders followed by a break (accepted, or overtaken by a natural one)."""
        if not self.shown:
            return None
        return (self.accepted + self.natural_break) / self.shown


@dataclass
class Figures:
    """The figures of one day, or of several added up."""

    present_seconds: float = 0.0
    sitting_seconds: float = 0.0
    longest_sitting_seconds: float = 0.0
    breaks: int = 0
    reminders: Reminders = field(default_factory=Reminders)
    routines_started: int = 0
    routines_finished: int = 0
    exercise_seconds: float = 0.0
    walks: int = 0
    walk_km: float = 0.0
    walk_minutes: float = 0.0
    deferrals: int = 0

    @classmethod
    def total(cls, parts: Sequence[Figures]) -> Figures:
        total = cls()
        for part in parts:
            total.present_seconds += part.present_seconds
            total.sitting_seconds += part.sitting_seconds
            total.longest_sitting_seconds = max(
                total.longest_sitting_seconds, part.longest_sitting_seconds
            )
            total.breaks += part.breaks
            for name in vars(total.reminders):
                setattr(
                    total.reminders,
                    name,
                    getattr(total.reminders, name) + getattr(part.reminders, name),
                )
            total.routines_started += part.routines_started
            total.routines_finished += part.routines_finished
            total.exercise_seconds += part.exercise_seconds
            total.walks += part.walks
            total.walk_km += part.walk_km
            total.walk_minutes += part.walk_minutes
            total.deferrals += part.deferrals
        return total


@dataclass(frozen=True)
class Day:
    day: date
    figures: Figures
    goal_km: float

    @property
    def goal_met(self) -> bool:
        return self.figures.walk_km >= self.goal_km


@dataclass(frozen=True)
class Summary:
    """The figures of each day from `first_day` to `last_day`, and their total."""

    days: list[Day]
    total: Figures
    goal_km: float

    @property
    def first_day(self) -> date:
        return self.days[0].day

    @property
    def last_day(self) -> date:
        return self.days[-1].day

    @property
    def days_goal_met(self) -> int:
        return sum(1 for day in self.days if day.goal_met)


def _local(moment: datetime) -> datetime:
    """Timestamps keep their own offset; a naive one is taken as this machine's local time."""
    return moment if moment.tzinfo is not None else moment.astimezone()


def split_by_day(start: datetime, end: datetime, seconds: float) -> Iterator[tuple[date, float]]:
    """`seconds` shared out over the local days from `start` to `end`, by wall-clock time."""
    end = _local(end)
    start = _local(start).astimezone(end.tzinfo)
    span = (end - start).total_seconds()
    if span <= 0 or start.date() == end.date():
        yield end.date(), seconds
        return
    cursor = start
    while cursor < end:
        midnight = datetime.combine(cursor.date() + timedelta(days=1), time(), end.tzinfo)
        piece_end = min(midnight, end)
        yield cursor.date(), seconds * (piece_end - cursor).total_seconds() / span
        cursor = piece_end


class _Days:
    """Figures per day, for the days in the window only."""

    def __init__(self, first_day: date, last_day: date) -> None:
        count = (last_day - first_day).days + 1
        self.figures = {first_day + timedelta(days=n): Figures() for n in range(count)}

    def on(self, moment: datetime) -> Figures | None:
        return self.figures.get(_local(moment).date())

    def add_sitting(self, row: SittingRow) -> None:
        start = row.ended_at - timedelta(seconds=row.seconds)
        for day, seconds in split_by_day(start, row.ended_at, row.seconds):
            if day in self.figures:
                self.figures[day].sitting_seconds += seconds
        ended = self.on(row.ended_at)
        if ended is not None:
            ended.breaks += 1
            ended.longest_sitting_seconds = max(ended.longest_sitting_seconds, row.seconds)

    def add_presence(self, row: PresenceRow) -> None:
        for day, seconds in split_by_day(row.started_at, row.ended_at, row.seconds):
            if day in self.figures:
                self.figures[day].present_seconds += seconds

    def add_reminder(self, row: ReminderRow) -> None:
        figures = self.on(row.shown_at)
        if figures is not None:
            figures.reminders.count(row.outcome)

    def add_routine(self, row: RoutineRow) -> None:
        figures = self.on(row.started_at)
        if figures is None:
            return
        figures.routines_started += 1
        if row.finished_at is not None:
            figures.routines_finished += 1
            took = (_local(row.finished_at) - _local(row.started_at)).total_seconds()
            figures.exercise_seconds += max(took, 0.0)

    def add_walk(self, row: WalkRow) -> None:
        figures = self.on(row.logged_at)
        if figures is None:
            return
        figures.walks += 1
        figures.walk_km += row.km or 0.0
        figures.walk_minutes += row.minutes or 0.0

    def add_deferral(self, row: DeferralRow) -> None:
        figures = self.on(row.deferred_at)
        if figures is not None:
            figures.deferrals += 1


def summarize(rows: Rows, first_day: date, last_day: date, goal_km: float) -> Summary:
    """Per-day figures from `first_day` to `last_day` (both included) and their total."""
    if last_day < first_day:
        raise ValueError(f"the last day {last_day} is before the first {first_day}")
    days = _Days(first_day, last_day)
    for sitting in rows.sitting:
        days.add_sitting(sitting)
    for presence in rows.presence:
        days.add_presence(presence)
    for reminder in rows.reminders:
        days.add_reminder(reminder)
    for routine in rows.routines:
        days.add_routine(routine)
    for walk in rows.walks:
        days.add_walk(walk)
    for deferral in rows.deferrals:
        days.add_deferral(deferral)
    listed = [Day(day, figures, goal_km) for day, figures in days.figures.items()]
    return Summary(listed, Figures.total([day.figures for day in listed]), goal_km)


# -- output -------------------------------------------------------------------------


def _seconds(value: float) -> float:
    return round(value, 3)


def figures_json(figures: Figures, goal_km: float) -> dict[str, Any]:
    reminders = figures.reminders
    return {
        "present_seconds": _seconds(figures.present_seconds),
        "sitting_seconds": _seconds(figures.sitting_seconds),
        "longest_sitting_seconds": _seconds(figures.longest_sitting_seconds),
        "breaks": figures.breaks,
        "reminders": {
            "shown": reminders.shown,
            "accepted": reminders.accepted,
            "snoozed": reminders.snoozed,
            "skipped": reminders.skipped,
            "dismissed": reminders.dismissed,
            "natural_break": reminders.natural_break,
            "unanswered": reminders.unanswered,
        },
        "compliance": reminders.compliance,
        "deferred": figures.deferrals,
        "routines": {"started": figures.routines_started, "finished": figures.routines_finished},
        "exercise_seconds": _seconds(figures.exercise_seconds),
        "walks": {
            "count": figures.walks,
            "km": round(figures.walk_km, 3),
            "minutes": round(figures.walk_minutes, 3),
            "goal_km": goal_km,
            "goal_met": figures.walk_km >= goal_km,
        },
    }


def summary_json(summary: Summary) -> dict[str, Any]:
    """The `deskguard stats --json` object."""
    total = figures_json(summary.total, summary.goal_km * len(summary.days))
    total["walks"]["days_goal_met"] = summary.days_goal_met
    return {
        "from": summary.first_day.isoformat(),
        "to": summary.last_day.isoformat(),
        "daily_walk_goal_km": summary.goal_km,
        "days": [
            {"date": day.day.isoformat(), **figures_json(day.figures, day.goal_km)}
            for day in summary.days
        ],
        "total": total,
    }


def hours_minutes(seconds: float) -> str:
    """ "h:mm", rounded to the nearest minute."""
    total = int(seconds / 60 + 0.5)
    return f"{total // 60}:{total % 60:02d}"


def bar(value: float, largest: float, width: int = 10, unicode: bool = True) -> str:
    """A bar `width` characters long at `largest`, in eighths of a character."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(8 * width * value / largest))
    if not unicode:
        return "#" * max(1, eighths // 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _percent(share: float | None, none: str) -> str:
    return none if share is None else f"{share * 100:.0f}%"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Aligned columns: the first `left` ones to the left, the rest to the right."""
    widths = [max(len(row[n]) for row in [headers, *rows]) for n in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            cell.ljust(width) if n < left else cell.rjust(width)
            for n, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return [line(headers), *(line(row) for row in rows[:-1]), rule, line(rows[-1])]


def _label(day: date) -> str:
    return day.strftime("%a %m-%d")


def render_table(summary: Summary, unicode: bool = True) -> list[str]:
    """The terminal report: three aligned blocks (sitting, reminders, moving), each with a
    line per day and a total line. Times are h:mm."""
    days, total = summary.days, summary.total
    largest = max(day.figures.sitting_seconds for day in days)
    labels = [*(_label(day.day) for day in days), "total"]
    every = [*(day.figures for day in days), total]
    dash = "–" if unicode else "-"
    lines = [
        f"{len(days)} days, {summary.first_day.isoformat()} {dash} {summary.last_day.isoformat()}"
        " (times in h:mm)",
        "",
    ]
    sitting_bars = [bar(f.sitting_seconds, largest, unicode=unicode) for f in every[:-1]] + [""]
    lines += _table(
        ["day", "at computer", "sitting", "", "longest", "breaks"],
        [
            [
                label,
                hours_minutes(f.present_seconds),
                hours_minutes(f.sitting_seconds),
                sitting_bar.ljust(10),
                hours_minutes(f.longest_sitting_seconds),
                str(f.breaks),
            ]
            for label, f, sitting_bar in zip(labels, every, sitting_bars, strict=True)
        ],
    )
    lines.append("")
    lines += _table(
        [
            "day",
            "reminders",
            "accepted",
            "natural",
            "snoozed",
            "skipped",
            "dismissed",
            "deferred",
            "compliance",
        ],
        [
            [
                label,
                str(f.reminders.shown),
                str(f.reminders.accepted),
                str(f.reminders.natural_break),
                str(f.reminders.snoozed),
                str(f.reminders.skipped),
                str(f.reminders.dismissed),
                str(f.deferrals),
                _percent(f.reminders.compliance, dash),
            ]
            for label, f in zip(labels, every, strict=True)
        ],
    )
    lines.append("")
    met = [("met" if day.goal_met else "") for day in days]
    met.append(f"{summary.days_goal_met}/{len(days)}")
    lines += _table(
        ["day", "routines", "finished", "exercise", "walked km", "walk min", "goal"],
        [
            [
                label,
                str(f.routines_started),
                str(f.routines_finished),
                hours_minutes(f.exercise_seconds),
                _number(f.walk_km),
                _number(f.walk_minutes),
                goal,
            ]
            for label, f, goal in zip(labels, every, met, strict=True)
        ],
    )
    lines.append(f"walking goal: {_number(summary.goal_km)} km a day")
    return lines


# -- chart --------------------------------------------------------------------------


def chart_format(path: Path) -> str:
    """The image format from the file name (png or svg); a UserError for anything else."""
    suffix = path.suffix.lower().removeprefix(".")
    if suffix not in CHART_FORMATS:
        raise UserError(
            f"cannot write a chart to {path}",
            "the file name must end in .png or .svg",
        )
    return suffix


def chart(days: Sequence[Day], path: Path) -> None:
    """Sitting minutes per day as bars, the longest stretch as a line, breaks taken on a
    second axis; PNG or SVG by the file's extension. Needs matplotlib (deskguard[chart])."""
    image_format = chart_format(path)
    try:
        import matplotlib
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator
    except ImportError:
        raise UserError(
            "the chart needs matplotlib",
            "install deskguard[chart] (pip install 'deskguard[chart]'), or leave out --chart",
        ) from None

    positions = list(range(len(days)))
    sitting = [day.figures.sitting_seconds / 60 for day in days]
    longest = [day.figures.longest_sitting_seconds / 60 for day in days]
    breaks = [day.figures.breaks for day in days]
    stride = -(-len(days) // 12)  # at most 12 labels
    label_format = "%a\n%m-%d" if stride == 1 else "%m-%d"
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "deskguard"}):
        figure = Figure(figsize=(10, 5), dpi=100, layout="constrained")
        axes = figure.add_subplot()
        handles = [
            axes.bar(positions, sitting, color="#4c72b0", label="sitting (min)"),
            axes.plot(
                positions, longest, color="#dd8452", marker="o", label="longest stretch (min)"
            )[0],
        ]
        axes.set_ylabel("minutes")
        axes.set_ylim(bottom=0, top=max([*sitting, *longest, 60.0]) * 1.1)
        axes.set_xticks(
            positions[::stride],
            [day.day.strftime(label_format) for day in days][::stride],
        )
        axes.grid(axis="y", alpha=0.3)
        other = axes.twinx()
        handles += other.plot(
            positions, breaks, color="#55a868", marker="s", linestyle="--", label="breaks taken"
        )
        other.set_ylabel("breaks")
        other.set_ylim(bottom=0, top=max([*breaks, 4]) * 1.1)
        other.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_axisbelow(True)
        first, last = days[0].day.isoformat(), days[-1].day.isoformat()
        axes.set_title(f"Sitting per day, {first} to {last}")
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles))
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format=image_format, metadata=_metadata(image_format))


def _metadata(image_format: str) -> dict[str, Any]:
    # No creation date in the file: the same history gives the same chart.
    return {"Date": None} if image_format == "svg" else {}


def day_notice(day: Day) -> tuple[str, str] | None:
    """The end-of-day notification (title, body); None when the user was not active that day."""
    figures = day.figures
    if figures.present_seconds <= 0 and figures.sitting_seconds <= 0:
        return None
    parts = [
        f"sat {hours_minutes(figures.sitting_seconds)} in all, "
        f"longest stretch {hours_minutes(figures.longest_sitting_seconds)}",
        f"{figures.breaks} break{'s' if figures.breaks != 1 else ''}",
        f"{figures.routines_finished} routine{'s' if figures.routines_finished != 1 else ''} done",
    ]
    walked = f"walked {_number(figures.walk_km)} of {_number(day.goal_km)} km"
    parts.append(walked + (" — goal met" if day.goal_met else ""))
    return "Your day at the desk", "Today you " + "; ".join(parts) + "."


def lunch_walk_notice(goal_km: float, walked_km: float) -> tuple[str, str]:
    """Suggested when a break starts around midday: the longest break of most days."""
    left = max(0.0, goal_km - walked_km)
    return (
        "Lunch break? Take a walk",
        f"Walking is the best thing for your back: {_number(left)} km to go to today's "
        f"{_number(goal_km)} km. Log it afterwards with `deskguard walk`.",
    )
