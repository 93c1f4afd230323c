"""Dates and moments written the user's language's way.

Weekday and month names are written out here rather than taken from strftime's %a and
%b: those follow LC_TIME, which deskguard never sets (and a language chosen in `[ui]`
may have no locale installed at all).
"""

from __future__ import annotations

from datetime import date, datetime

from deskguard.i18n import NP_, _, pgettext

WEEKDAYS = (
    NP_("weekday", "Mon"),
    NP_("weekday", "Tue"),
    NP_("weekday", "Wed"),
    NP_("weekday", "Thu"),
    NP_("weekday", "Fri"),
    NP_("weekday", "Sat"),
    NP_("weekday", "Sun"),
)
MONTHS = (
    NP_("month", "Jan"),
    NP_("month", "Feb"),
    NP_("month", "Mar"),
    NP_("month", "Apr"),
    NP_("month", "May"),
    NP_("month", "Jun"),
    NP_("month", "Jul"),
    NP_("month", "Aug"),
    NP_("month", "Sep"),
    NP_("month", "Oct"),
    NP_("month", "Nov"),
    NP_("month", "Dec"),
)


def weekday(day: date) -> str:
    """The short name of `day`'s weekday: "Fri", "Пт", "Fr"."""
    return pgettext("weekday", WEEKDAYS[day.weekday()])


def day_and_month(day: date) -> str:
    """A day of the year in digits: "05-03" (3 May), "03.05." in German."""
    # Translators: a day of the year in digits, {month} and {day} with two digits each:
    # "05-03" is 3 May. Write it the usual way, like "03.05.".
    return _("{month}-{day}").format(month=f"{day.month:02d}", day=f"{day.day:02d}")


def short_day(day: date) -> str:
    """A day in a table or a chart: "Fri 05-03"."""
    # Translators: a weekday and a day like "Fri 05-03"; {date} is written as "{month}-{day}".
    return _("{weekday} {date}").format(weekday=weekday(day), date=day_and_month(day))


def readable_moment(iso: str, now: datetime | None = None) -> str:
    """An ISO 8601 moment as the user wants to read it, local time: "14:30" today,
    "tomorrow 00:00", else "Fri 3 May 09:00". `now` defaults to the current time."""
    moment = datetime.fromisoformat(iso).astimezone()
    today = (now or datetime.now().astimezone()).astimezone().date()
    days = (moment.date() - today).days
    if days == 0:
        return moment.strftime("%H:%M")
    if days == 1:
        return _("tomorrow {time}").format(time=moment.strftime("%H:%M"))
    # Translators: a date and time like "Fri 3 May 09:00"; reorder the parts as usual.
    return _("{weekday} {day} {month} {time}").format(
        weekday=weekday(moment),
        day=moment.day,
        month=pgettext("month", MONTHS[moment.month - 1]),
        time=moment.strftime("%H:%M"),
    )
