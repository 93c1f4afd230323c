"""`python -m deskguard.routine [--quick] [--terminal] [--exercises ID,ID]`.

The routine player as a process of its own, for the daemon and the tray to start (Tk
never runs inside the daemon). Same options and exit codes as `deskguard routine`.
"""

from __future__ import annotations

import argparse
import sys

from deskguard.errors import InvalidConfiguration, UserError
from deskguard.routine.launch import RoutineRequest, parse_ids, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m deskguard.routine", description="Play a deskguard mini-routine."
    )
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--quick", action="store_true", help="one or two desk-friendly exercises")
    choice.add_argument("--exercises", metavar="ID,ID", help="exactly these exercises, in order")
    parser.add_argument("--terminal", action="store_true", help="run in this terminal")
    parser.add_argument(
        "--starting-with",
        metavar="ID",
        help="with --quick: begin with this exercise (the one the reminder named)",
    )
    options = parser.parse_args(argv)
    if options.starting_with and not options.quick:
        parser.error("--starting-with goes with --quick")

    request = RoutineRequest(
        options.quick, parse_ids(options.exercises), options.terminal, options.starting_with
    )
    try:
        return run(request)
    except InvalidConfiguration as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return exc.exit_code
    except UserError as exc:
        print(f"deskguard: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
