"""The `deskguard` command. Thin: heavy modules are imported inside the commands that use them."""

from __future__ import annotations

import gettext
import importlib
import sys

import click

from deskguard import __version__
from deskguard.errors import ExitCode, UserError, report
from deskguard.i18n import N_

COMMANDS = {
    "run": "run",
    "open": "launcher",
    **dict.fromkeys(
        ("status", "snooze", "pause", "resume", "break", "skip", "reload", "stop"), "control"
    ),
    "routine": "routine",
    **dict.fromkeys(("stats", "walk", "export"), "history"),
    "simulate": "simulate",
    "catalog": "catalog",
    "config": "config",
    "service": "service",
    "doctor": "doctor",
}
"""Each command and the module of deskguard.cli that defines it (and has `register`)."""


class LazyGroup(click.Group):
    """Imports a command's module only when that command runs (or for --help): the daemon
    (`deskguard run`) then does not carry the other commands in memory all day."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"deskguard.cli.{COMMANDS[cmd_name]}").register(self)
        return super().get_command(ctx, cmd_name)


# Marked here, translated in main(): this module is imported before the language is chosen.
CLI_HELP = N_(
    "Notices when you have been sitting too long and gets you to stand up and stretch.\n"
    "\n"
    "Start the background service with `deskguard run` (or install it to start at login "
    "with `deskguard service install`), then use the other commands to look at it or "
    "steer it. Every command has --help."
)


@click.group(cls=LazyGroup, help=CLI_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deskguard")
def cli() -> None:
    pass


def main() -> None:
    """Entry point: user mistakes print a clear message and an exit code, never a traceback."""
    from deskguard.cli.click_language import speak_through_click
    from deskguard.i18n import _, use_language
    from deskguard.i18n.configured import configured_language

    chosen = configured_language(sys.argv[1:])
    use_language(chosen)
    speak_through_click(chosen)
    # Built at import, before the language was chosen: the group's help and --version's.
    cli.help = _(CLI_HELP)
    for option in cli.params:
        if option.name == "version" and isinstance(option, click.Option) and option.help:
            option.help = gettext.gettext(option.help)  # click's own message: its domain
    try:
        # Without standalone mode click returns the code of --help/--version exits.
        code = cli.main(prog_name="deskguard", standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(ExitCode.ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except UserError as exc:
        sys.exit(report(exc))
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
