"""The control commands: each one's arguments, checked, and what it does.

A request from the control socket (or the tray, which speaks the same commands) is looked
up in COMMANDS; its handler checks the JSON arguments (UserError "bad request: ..." when
they are wrong) and acts on the session. Every reply is the status, except
where a command has a result of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol, get_args

from deskguard.core.decisions import SHORTEST_WAIT
from deskguard.core.durations import LONGEST
from deskguard.core.routine import RoutineKind
from deskguard.daemon.session import Session
from deskguard.errors import UserError

ROUTINE_KINDS: tuple[str, ...] = get_args(RoutineKind)
ROUTINE_EVENTS = ("started", "step", "finished", "stopped")


class Runtime(Protocol):
    """What commands need beyond the session: the running daemon's own controls."""

    @property
    def session(self) -> Session: ...

    async def reload(self) -> None: ...
    def stop_soon(self) -> None: ...


Args = Mapping[str, Any]
Reply = dict[str, Any]


Command = Callable[[Runtime, Args], Awaitable[Reply | None]]
"""Checks its arguments and acts; returns its own reply, or None for the status."""


# The largest integer SQLite stores (history row ids, step counts).
LARGEST_INT = 2**63 - 1


def seconds_arg(args: Args, key: str) -> float | None:
    value = args.get(key)
    if value is None:
        return None
    # `not SHORTEST <= value <= LONGEST` is also true for NaN.
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not SHORTEST_WAIT <= value <= LONGEST
    ):
        raise UserError(
            "bad request", f"{key} must be a number of seconds from {SHORTEST_WAIT} to {LONGEST}"
        )
    return float(value)


def int_arg(args: Args, key: str, minimum: int = 0) -> int:
    value = args.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= LARGEST_INT:
        raise UserError(
            "bad request", f"{key} must be a whole number from {minimum} to {LARGEST_INT}"
        )
    return value


def one_of(args: Args, key: str, choices: tuple[str, ...]) -> str:
    value = args.get(key)
    if value not in choices:
        raise UserError("bad request", f"{key} must be one of {', '.join(choices)}")
    return str(value)


async def _status(daemon: Runtime, args: Args) -> None:
    return None


async def _snooze(daemon: Runtime, args: Args) -> None:
    await daemon.session.user_action("snooze", seconds_arg(args, "seconds"))


async def _pause(daemon: Runtime, args: Args) -> None:
    """For `seconds`, until "tomorrow", or (neither) until resumed."""
    session = daemon.session
    if "until" not in args:
        await session.user_action("pause", seconds_arg(args, "seconds"))
        return
    # Anything else would pause until resumed: the one way a mistake must not end.
    if "seconds" in args or args["until"] != "tomorrow":
        raise UserError("bad request", 'until must be "tomorrow", without seconds')
    await session.user_action("pause", session.seconds_until_tomorrow())


async def _break(daemon: Runtime, args: Args) -> None:
    await daemon.session.user_action("stretch")


async def _skip(daemon: Runtime, args: Args) -> None:
    await daemon.session.user_action("skip")


async def _resume(daemon: Runtime, args: Args) -> None:
    await daemon.session.user_action("resume")


async def _reload(daemon: Runtime, args: Args) -> None:
    await daemon.reload()


async def _stop(daemon: Runtime, args: Args) -> Reply:
    daemon.stop_soon()
    return {"stopping": True}


async def _routine_progress(daemon: Runtime, args: Args) -> Reply | None:
    """A routine run by the player: started (answers its id), a step, finished, stopped."""
    event = one_of(args, "event", ROUTINE_EVENTS)
    session = daemon.session
    if event == "started":
        kind = one_of(args, "kind", ROUTINE_KINDS)
        steps_total = int_arg(args, "steps_total", minimum=1)
        return {"routine_id": await session.routine_started(kind, steps_total)}
    routine_id = int_arg(args, "routine_id", minimum=1)
    steps_done = int_arg(args, "steps_done")
    await session.routine_progress(routine_id, steps_done, finished=event == "finished")
    return None


COMMANDS: Mapping[str, Command] = {
    "status": _status,
    "snooze": _snooze,
    "pause": _pause,
    "resume": _resume,
    "break": _break,
    "skip": _skip,
    "reload": _reload,
    "stop": _stop,
    "routine-progress": _routine_progress,
}


async def run_command(daemon: Runtime, cmd: str, args: Args) -> Reply:
    """Run one control command; the reply is its result, or else the status."""
    command = COMMANDS.get(cmd)
    if command is None:
        raise UserError("not supported", f"the daemon cannot do {cmd!r} yet")
    reply = await command(daemon, args)
    return reply if reply is not None else daemon.session.status().to_json()
