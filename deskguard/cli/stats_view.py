"""How `deskguard stats` shows the figures: the `--json` object and the terminal table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from deskguard.core.day_text import hours_minutes
from deskguard.core.stats import Figures, Summary
from deskguard.i18n import _, ngettext, number, pgettext
from deskguard.i18n.dates import short_day


def _seconds(value: float) -> float:
    return round(value, 3)


def figures_json(figures: Figures, goal_km: float) -> dict[str, Any]:
    return {
        "present_seconds": _seconds(figures.present_seconds),
        "sitting_seconds": _seconds(figures.sitting_seconds),
        "longest_sitting_seconds": _seconds(figures.longest_sitting_seconds),
        "breaks": figures.breaks,
        "reminders": asdict(figures.reminders),
        "compliance": figures.reminders.compliance,
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


def bar(value: float, largest: float, width: int = 10, unicode: bool = True) -> str:
    """A bar `width` characters long at `largest`, in eighths of a character."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(8 * width * value / largest))
    if not unicode:
        return "#" * max(1, eighths // 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])


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


def render_table(summary: Summary, unicode: bool = True) -> list[str]:
    """The terminal report: three aligned blocks (sitting, reminders, moving), each with a
    line per day and a total line. Times are h:mm."""
    days, total = summary.days, summary.total
    largest = max(day.figures.sitting_seconds for day in days)
    labels = [*(short_day(day.day) for day in days), pgettext("stats table", "total")]
    every = [*(day.figures for day in days), total]
    dash = "–" if unicode else "-"
    # Translators: the first line of `deskguard stats`, like "7 days, 2024-05-01 – 2024-05-07
    # (times in h:mm)"; {dash} is a dash between the first and the last day.
    heading = ngettext(
        "{count} day, {first} {dash} {last} (times in h:mm)",
        "{count} days, {first} {dash} {last} (times in h:mm)",
        len(days),
    )
    first, last = summary.first_day.isoformat(), summary.last_day.isoformat()
    lines = [heading.format(count=len(days), first=first, last=last, dash=dash), ""]
    day = pgettext("stats table", "day")
    sitting_bars = [bar(f.sitting_seconds, largest, unicode=unicode) for f in every[:-1]] + [""]
    lines += _table(
        [
            day,
            pgettext("stats table", "at computer"),
            pgettext("stats table", "sitting"),
            "",
            pgettext("stats table", "longest"),
            pgettext("stats table", "breaks"),
        ],
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
            day,
            pgettext("stats table", "reminders"),
            pgettext("stats table", "accepted"),
            # Translators: reminders answered by a natural break (the user stood up anyway).
            pgettext("stats table", "natural"),
            pgettext("stats table", "snoozed"),
            pgettext("stats table", "skipped"),
            pgettext("stats table", "dismissed"),
            # Translators: reminders put off because of a fullscreen window or a meeting.
            pgettext("stats table", "deferred"),
            pgettext("stats table", "compliance"),
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
    met = [(pgettext("walking goal", "met") if each.goal_met else "") for each in days]
    met.append(f"{summary.days_goal_met}/{len(days)}")
    lines += _table(
        [
            day,
            pgettext("stats table", "routines"),
            pgettext("stats table", "finished"),
            pgettext("stats table", "exercise"),
            pgettext("stats table", "walked km"),
            pgettext("stats table", "walk min"),
            pgettext("stats table", "goal"),
        ],
        [
            [
                label,
                str(f.routines_started),
                str(f.routines_finished),
                hours_minutes(f.exercise_seconds),
                number(f.walk_km),
                number(f.walk_minutes),
                goal,
            ]
            for label, f, goal in zip(labels, every, met, strict=True)
        ],
    )
    lines.append(_("walking goal: {goal} km a day").format(goal=number(summary.goal_km)))
    return lines
