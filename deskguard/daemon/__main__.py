"""`python -m deskguard.daemon`: the daemon itself, as systemd and autostart start it.

`deskguard run` (the command for people) replaces its own process with this one, so the
daemon never carries click or the other commands. Leaving out what the daemon never uses
comes first, before any other import can load it.
"""

from deskguard.daemon.lean import leave_out_unused

leave_out_unused()

import argparse  # noqa: E402  (after leave_out_unused, on purpose)
import logging  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from deskguard.errors import ExitCode, UserError, report  # noqa: E402


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m deskguard.daemon",
        description="The deskguard daemon (for people: `deskguard run`, which has --help).",
    )
    parser.add_argument("--no-tray", action="store_true", help="run without a tray icon")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debugging detail")
    parser.add_argument("--config", type=Path, help="user config file to use")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    from deskguard.daemon.config import load
    from deskguard.daemon.logs import setup_logging
    from deskguard.daemon.runtime import Daemon

    arguments = _arguments(argv)
    setup_logging(arguments.verbose)
    overrides = {"tray": {"enabled": False}} if arguments.no_tray else {}
    try:
        Daemon(load(arguments.config, overrides), arguments.config, overrides).run()
    except UserError as exc:
        return report(exc)
    except KeyboardInterrupt:
        return 130
    except Exception:  # a bug: it ended the daemon, so say where
        logging.getLogger("deskguard").exception("deskguard stopped on an error")
        return ExitCode.ERROR
    return ExitCode.OK


def end_process(code: int) -> None:
    """Exit now, with `code`. The daemon has shut down: its history is flushed and its
    lock released. A thread still stuck in a call that never returns (a D-Bus or desktop
    call in a worker thread) must not keep the process, and the lock with it, alive."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    end_process(main(sys.argv[1:]))
