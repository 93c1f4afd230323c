"""The `deskguard` command. Thin: heavy modules are imported inside the commands that use them."""

from __future__ import annotations

import sys

import click

from deskguard import __version__
from deskguard.cli import (
    catalog,
    config,
    control,
    doctor,
    history,
    routine,
    run,
    service,
    simulate,
)
from deskguard.errors import ExitCode, InvalidConfiguration, UserError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deskguard")
def cli() -> None:
    """Notices when you have been sitting too long and gets you to stand up and stretch.

    Start the background service with `deskguard run` (or install it to start at login
    with `deskguard service install`), then use the other commands to look at it or
    steer it. Every command has --help.
    """


for module in (run, control, routine, history, simulate, catalog, config, service, doctor):
    module.register(cli)


def main() -> None:
    """Entry point: user mistakes print a clear message and an exit code, never a traceback."""
    try:
        # Without standalone mode click returns the code of --help/--version exits.
        code = cli.main(prog_name="deskguard", standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(ExitCode.ERROR)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InvalidConfiguration as exc:
        for problem in exc.problems:  # one "FILE: key: reason" per line, nothing else
            click.echo(str(problem), err=True)
        sys.exit(exc.exit_code)
    except UserError as exc:
        click.echo(f"deskguard: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else ExitCode.OK)
