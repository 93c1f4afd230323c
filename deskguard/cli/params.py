"""Shared click parameter types and output helpers."""

from __future__ import annotations

import json
from typing import Any

import click

from deskguard.core.durations import LONGEST, NOT_A_DURATION, DurationError, parse_duration
from deskguard.i18n import _


class DurationType(click.ParamType):  # type: ignore[type-arg]
    """A duration like 45m, 90s, 1h30m or plain seconds, converted to seconds."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            seconds = parse_duration(str(value))
        except DurationError as exc:
            self.fail(_(NOT_A_DURATION).format(value=exc.shown), param, ctx)
        if seconds <= 0:
            # Translators: said of a duration given on the command line.
            self.fail(_("must be longer than zero seconds"), param, ctx)
        if seconds > LONGEST:
            # Translators: said of a duration given on the command line.
            self.fail(_("must be at most a year"), param, ctx)
        return seconds


DURATION = DurationType()

# In the user's language: only command modules import this one, after deskguard.cli chose it.
json_option = click.option("--json", "as_json", is_flag=True, help=_("Print JSON for scripts."))


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
