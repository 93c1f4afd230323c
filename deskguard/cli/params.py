"""Shared click parameter types and output helpers."""

from __future__ import annotations

import json
from typing import Any

import click

from deskguard.core.durations import LONGEST, parse_duration


class DurationType(click.ParamType):  # type: ignore[type-arg]
    """A duration like 45m, 90s, 1h30m or plain seconds, converted to seconds."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            seconds = parse_duration(str(value))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)
        if seconds <= 0:
            self.fail("must be longer than zero seconds", param, ctx)
        if seconds > LONGEST:
            self.fail("must be at most a year", param, ctx)
        return seconds


DURATION = DurationType()

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
