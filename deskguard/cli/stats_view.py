"""How `deskguard stats` shows the figures: the `--json` object and the terminal table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from deskguard.core.day_text import hours_minutes, one_decimal
from deskguard.core.stats import Figures, Summary


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
                one_decimal(f.walk_km),
                one_decimal(f.walk_minutes),
                goal,
            ]
            for label, f, goal in zip(labels, every, met, strict=True)
        ],
    )
    lines.append(f"walking goal: {one_decimal(summary.goal_km)} km a day")
    return lines
