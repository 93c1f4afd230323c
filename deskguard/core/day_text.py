"""What deskguard says about the day: the end-of-day summary, the lunch-walk suggestion,
and how their figures are written (also in `deskguard stats`)."""

from __future__ import annotations

from deskguard.core.stats import Day
from deskguard.i18n import _, ngettext, number


def hours_minutes(seconds: float) -> str:
    """ "h:mm", rounded to the nearest minute."""
    total = int(seconds / 60 + 0.5)
    return f"{total // 60}:{total % 60:02d}"


def day_notice(day: Day) -> tuple[str, str] | None:
    """The end-of-day notification (title, body); None when the user was not active that day."""
    figures = day.figures
    if figures.present_seconds <= 0 and figures.sitting_seconds <= 0:
        return None
    breaks = ngettext("{count} break", "{count} breaks", figures.breaks)
    routines = ngettext("{count} routine done", "{count} routines done", figures.routines_finished)
    walked = _("walked {walked} of {goal} km").format(
        walked=number(figures.walk_km), goal=number(day.goal_km)
    )
    if day.goal_met:
        walked = _("{walked} — goal met").format(walked=walked)
    # Translators: the end-of-day notification; {sat} and {longest} are like "5:30" (h:mm),
    # {breaks} like "3 breaks", {routines} like "1 routine done", {walked} like "walked
    # 2.5 of 7 km".
    body = _(
        "Today you sat {sat} in all, longest stretch {longest}; {breaks}; {routines}; {walked}."
    )
    return _("Your day at the desk"), body.format(
        sat=hours_minutes(figures.sitting_seconds),
        longest=hours_minutes(figures.longest_sitting_seconds),
        breaks=breaks.format(count=figures.breaks),
        routines=routines.format(count=figures.routines_finished),
        walked=walked,
    )


def lunch_walk_notice(goal_km: float, walked_km: float) -> tuple[str, str]:
    """Suggested when a break starts around midday: the longest break of most days."""
    left = max(0.0, goal_km - walked_km)
    body = _(
        "Walking is the best thing for your back: {left} km to go to today's {goal} km. "
        "Log it afterwards with `deskguard walk`."
    )
    return _("Lunch break? Take a walk"), body.format(left=number(left), goal=number(goal_km))
