"""Errors meant for the user: a short title, a longer message, and the exit code."""

from __future__ import annotations

from collections.abc import Sequence

from deskguard.i18n import N_, _


class ExitCode:
    OK = 0
    ERROR = 1
    USAGE = 2
    NOT_RUNNING = 3
    BAD_CONFIG = 78


class UserError(Exception):
    """Something the user can act on; shown without a traceback by the CLI, tray and log."""

    exit_code = ExitCode.ERROR

    def __init__(self, title: str, message: str = "", exit_code: int | None = None) -> None:
        super().__init__(f"{title}: {message}" if message else title)
        self.title = title
        self.message = message
        if exit_code is not None:  # e.g. the daemon's refusal carries its own
            self.exit_code = exit_code


class InvalidConfiguration(UserError):
    """A config or catalog that cannot be used; `problems` lists each as "FILE: key: reason"."""

    exit_code = ExitCode.BAD_CONFIG

    def __init__(self, title: str, problems: Sequence[object]) -> None:
        self.problems: Sequence[object] = problems
        super().__init__(title, "\n".join(str(problem) for problem in problems))

    def __str__(self) -> str:
        return f"{self.title}:\n{self.message}"


NOT_RUNNING = N_("deskguard is not running")
HOW_TO_START = N_(
    "start it with `deskguard run` (or `deskguard service install` to start it at login)"
)
"""DaemonNotRunning's title and message in English (`deskguard doctor --json` says them so)."""


class DaemonNotRunning(UserError):
    """Nobody answers on the control socket. Raised only in the programs that ask the
    daemon (the command line, the tray's popup, the routine window), so it is in the
    language of the person using them."""

    exit_code = ExitCode.NOT_RUNNING

    def __init__(self) -> None:
        super().__init__(_(NOT_RUNNING), _(HOW_TO_START))


def report(error: UserError) -> int:
    """Print `error` for the user on stderr, the one way every entry point does; returns
    its exit code. An invalid configuration is one "FILE: key: reason" line per problem."""
    import sys

    if isinstance(error, InvalidConfiguration):
        lines = [str(problem) for problem in error.problems]
    else:
        lines = [f"deskguard: {error}"]
    sys.stderr.write("".join(line + "\n" for line in lines))
    return error.exit_code
