"""What deskguard says about the day: the end-of-day summary, the lunch-walk suggestion,
and how their figures are written (also in `deskguard stats`)."""

from __future__ import annotations

from deskguard.core.stats import Day


def hours_minutes(seconds: float) -> str:
    """ "h:mm", rounded to the nearest minute."""
    total = int(seconds / 60 + 0.5)
    return f"{total // 60}:{total % 60:02d}"


def one_decimal(value: float) -> str:
    """One decimal, left out when it is 0: "7.5", "7"."""
    return f"{value:.1f}".removesuffix(".0")


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
    walked = f"walked {one_decimal(figures.walk_km)} of {one_decimal(day.goal_km)} km"
    parts.append(walked + (" — goal met" if day.goal_met else ""))
    return "Your day at the desk", "Today you " + "; ".join(parts) + "."


def lunch_walk_notice(goal_km: float, walked_km: float) -> tuple[str, str]:
    """Suggested when a break starts around midday: the longest break of most days."""
    left = max(0.0, goal_km - walked_km)
    return (
        "Lunch break? Take a walk",
        f"Walking is the best thing for your back: {one_decimal(left)} km to go to today's "
        f"{one_decimal(goal_km)} km. Log it afterwards with `deskguard walk`.",
    )
