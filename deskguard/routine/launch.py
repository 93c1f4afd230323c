"""Putting a routine together and playing it: in a window when there is a display, else here.

Shared by `deskguard routine` and `python -m deskguard.routine` (what the daemon and the
tray start, since Tk never runs inside the daemon).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from deskguard.core.routine import RoutineKind
from deskguard.core.routine_plan import Plan, custom_routine, full_routine, quick_routine
from deskguard.errors import ExitCode, UserError
from deskguard.routine import RoutineClock, Trace, speed_from_env

if TYPE_CHECKING:
    import tkinter as tk

    from deskguard.catalog import Catalog
    from deskguard.platform.sound import CuePlayer
    from deskguard.settings import Settings


@dataclass(frozen=True)
class RoutineRequest:
    """What the user asked for: --quick, --exercises ID,ID, --terminal; `first`: the
    exercise a quick routine begins with (the one the answered reminder named)."""

    quick: bool = False
    exercise_ids: tuple[str, ...] = ()
    terminal: bool = False
    first: str | None = None

    @property
    def kind(self) -> RoutineKind:
        if self.exercise_ids:
            return "custom"
        return "quick" if self.quick else "full"


def parse_ids(text: str | None) -> tuple[str, ...]:
    """Split "a, b,c" into ("a", "b", "c")."""
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def make_plan(
    request: RoutineRequest, catalog: Catalog, settings: Settings, declared: Sequence[str]
) -> Plan:
    if request.exercise_ids:
        return custom_routine(catalog, request.exercise_ids, declared)
    if request.quick:
        return quick_routine(catalog, declared, first=request.first)
    return full_routine(
        catalog, declared, settings.routine.length, at_desk=settings.routine.at_desk
    )


def _length(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def describe_plan(plan: Plan, catalog: Catalog) -> list[str]:
    """What to tell the user before the routine starts: its length, what was cut and why."""
    routine = plan.routine
    lines: list[str] = []
    if not routine.empty:
        included = ", ".join(e.name for e in routine.exercises)
        lines.append(f"Routine ({_length(routine.total_seconds)}): {included}")
    by_reason: dict[str, list[str]] = {}
    for item in plan.left_out:
        by_reason.setdefault(item.reason, []).append(catalog.exercises[item.exercise_id].name)
    for reason, names in by_reason.items():
        lines.append(f"Left out: {', '.join(names)}: {reason}")
    if plan.shortened:
        # One line however many: the window has room for a note, not a list.
        lines.append(f"Shortened: {'; '.join(plan.shortened)}")
    return lines


def nothing_to_do(plan: Plan) -> UserError:
    detail = (
        "every exercise was left out (see above); with a declared health condition,"
        " walking is the safer choice: see [health] contraindications in your config"
        if plan.left_out
        else "the routine has no exercises"
    )
    return UserError("nothing to do in this routine", detail)


class _Stopper:
    """SIGINT/SIGTERM stop the routine cleanly instead of killing it mid-write."""

    def __init__(self, stop: Callable[[], None]) -> None:
        self._stop = stop
        self._previous: dict[int, object] = {}

    def __enter__(self) -> _Stopper:
        for signum in (signal.SIGINT, signal.SIGTERM):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        self._stop()

    def __exit__(self, *_exc: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)  # type: ignore[arg-type]


def _interrupt() -> None:
    # The terminal player stops cleanly on KeyboardInterrupt; SIGTERM gets the same.
    raise KeyboardInterrupt


def _reading(stdin: TextIO, out: TextIO) -> Callable[[str], str]:
    def ask(prompt: str) -> str:
        out.write(prompt)
        out.flush()
        line = stdin.readline()
        if not line:
            raise EOFError
        return line

    return ask


def _cue_player(settings: Settings) -> CuePlayer:
    from deskguard.platform.sound import cue_player

    return cue_player(sounds=settings.routine.sounds, voice=settings.routine.voice)


def run_in_terminal(
    request: RoutineRequest,
    catalog: Catalog,
    settings: Settings,
    *,
    out: TextIO,
    stdin: TextIO,
) -> int:
    from deskguard.routine import health
    from deskguard.routine.progress import ProgressReporter
    from deskguard.routine.terminal import TerminalPlayer

    declared: list[str] = list(settings.health.contraindications)
    if health.notice_due():
        ask = _reading(stdin, out) if stdin.isatty() else None
        declared = health.terminal_notice(catalog, declared, out=out, ask=ask)
        out.write("\n")
    plan = make_plan(request, catalog, settings, declared)
    for line in describe_plan(plan, catalog):
        out.write(line + "\n")
    if plan.routine.empty:
        raise nothing_to_do(plan)
    out.write("Ctrl+C stops.\n")
    out.flush()
    reporter = ProgressReporter(request.kind, plan.routine.holds)
    cues = _cue_player(settings)
    player = TerminalPlayer(
        plan.routine,
        reporter,
        out,
        clock=RoutineClock(speed_from_env()),
        trace=Trace.from_env(),
        on_cue=cues.cue,
    )
    try:
        with _Stopper(_interrupt):
            player.run()
    finally:
        cues.close()  # lets the "done" tone finish
    return ExitCode.OK


def run_in_window(
    root: tk.Tk,
    request: RoutineRequest,
    catalog: Catalog,
    settings: Settings,
    *,
    out: TextIO,
) -> int:
    """Show the health notice (once) and the routine in `root`; returns the exit code."""
    from deskguard.routine import health
    from deskguard.routine.progress import ProgressReporter
    from deskguard.routine.window import RoutineWindow, show_message

    trace = Trace.from_env()
    clock = RoutineClock(speed_from_env())
    cues = _cue_player(settings)
    outcome: list[int] = []
    playing: list[RoutineWindow] = []

    def begin(declared: list[str]) -> None:
        plan = make_plan(request, catalog, settings, declared)
        lines = describe_plan(plan, catalog)
        for line in lines:
            out.write(line + "\n")
        out.flush()
        if plan.routine.empty:
            problem = nothing_to_do(plan)
            print(f"deskguard: {problem}", file=sys.stderr)
            show_message(
                root,
                problem.title.capitalize(),
                "\n".join([*lines, "", problem.message[:1].upper() + problem.message[1:]]),
            )
            trace.write({"event": "nothing-to-do"}, always=True)
            outcome.append(problem.exit_code)
            return
        notes = [line for line in lines if not line.startswith("Routine (")]
        reporter = ProgressReporter(request.kind, plan.routine.holds)
        window = RoutineWindow(
            root,
            plan.routine,
            reporter,
            clock=clock,
            notes=notes,
            trace=trace,
            on_over=lambda progress: print(reporter.outcome_note(progress), file=out, flush=True),
            cues=cues,
        )
        playing.append(window)
        window.start()

    def request_stop() -> None:
        if playing:
            playing[0].stop_requested = True
        else:
            root.after_idle(root.destroy)

    declared: list[str] = list(settings.health.contraindications)
    if health.notice_due():
        health.window_notice(
            root,
            catalog,
            declared,
            begin,
            on_layout=lambda boxes: trace.write(
                {"event": "health-notice", "controls": {k: list(v) for k, v in boxes.items()}},
                always=True,
            ),
        )
    else:
        begin(declared)
    try:
        with _Stopper(request_stop):
            root.mainloop()
    finally:
        cues.close()
    return outcome[0] if outcome else ExitCode.OK


def _open_window() -> tk.Tk | None:
    """A Tk root on the user's display, or None (with the reason on stderr) if impossible."""
    if not os.environ.get("DISPLAY"):
        return None
    import tkinter as tk

    from deskguard.routine.window import create_root

    try:
        return create_root()
    except tk.TclError as exc:
        print(f"deskguard: no routine window ({exc}); using the terminal", file=sys.stderr)
        return None


def run(
    request: RoutineRequest,
    *,
    out: TextIO | None = None,
    stdin: TextIO | None = None,
    settings: Settings | None = None,
    catalog: Catalog | None = None,
) -> int:
    """Build the routine and play it; returns the exit code (0: finished or stopped).

    Raises UserError for an unknown exercise or when nothing is left to do, and the
    settings' ConfigError for an invalid configuration.
    """
    from deskguard.catalog import load_catalog
    from deskguard.settings import load_settings

    out = out or sys.stdout
    stdin = stdin or sys.stdin
    settings = settings or load_settings()
    catalog = catalog or load_catalog()
    for exercise_id in request.exercise_ids:
        catalog.exercise(exercise_id)  # an unknown id fails before anything is shown
    speed_from_env()  # a bad test knob fails early too
    root = None if request.terminal else _open_window()
    if root is None:
        return run_in_terminal(request, catalog, settings, out=out, stdin=stdin)
    from tkinter import TclError

    try:
        return run_in_window(root, request, catalog, settings, out=out)
    finally:
        with contextlib.suppress(TclError):  # usually closed by the window itself
            root.destroy()
