"""Playing a routine in the terminal: a redrawn progress line, or one line per step.

On a terminal the progress line is redrawn in place (carriage return); when output goes
to a file or a pipe every step gets its own line instead. Ctrl+C stops the routine
cleanly and reports how far it got.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from typing import TextIO

from deskguard.core.cues import Cue
from deskguard.core.routine import Frame, Routine
from deskguard.routine import RoutineClock, Trace
from deskguard.routine.player import Player, Progress
from deskguard.routine.progress import ProgressReporter

TICK = 0.1
"""Longest real wait between two redraws, in seconds."""
BAR_WIDTH = 24


def progress_bar(progress: float, width: int = BAR_WIDTH) -> str:
    filled = round(max(0.0, min(progress, 1.0)) * width)
    return "[" + "#" * filled + "-" * (width - filled) + "]"


def exercise_header(frame: Frame) -> list[str]:
    """The exercise's name, dose and numbered instructions, shown when it begins."""
    exercise = frame.exercise
    lines = ["", f"{exercise.name} ({exercise.dose()})"]
    lines += [f"  {number}. {text}" for number, text in enumerate(exercise.steps, start=1)]
    return lines


def status_line(frame: Frame) -> str:
    """One line: bar, percentage, step and countdown, what comes next."""
    step = frame.step
    if step.kind == "hold":
        what = f"{step.rep_label} · hold {frame.countdown} s"
    else:
        what = f"{step.label} · {frame.countdown} s"
    upcoming = f" · next: {frame.next}" if frame.next else ""
    return f"{progress_bar(frame.progress)} {frame.progress:4.0%}  {what}{upcoming}"


def step_line(frame: Frame) -> str:
    """The line printed for a step when the output is not a terminal."""
    step = frame.step
    if step.kind == "hold":
        what = f"{step.rep_label}: hold {step.seconds} s"
    else:
        what = f"{step.label} ({step.seconds} s)"
    upcoming = f" · next: {frame.next}" if frame.next else ""
    return f"[{frame.progress:4.0%}] {step.exercise.name} · {what}{upcoming}"


class TerminalPlayer:
    """Plays a routine on `out`; `clock` gives routine seconds (see RoutineClock)."""

    def __init__(
        self,
        routine: Routine,
        reporter: ProgressReporter,
        out: TextIO,
        *,
        clock: RoutineClock | None = None,
        tty: bool | None = None,
        wait: Callable[[float], None] = time.sleep,
        trace: Trace | None = None,
        on_cue: Callable[[Cue], None] | None = None,
    ) -> None:
        self.player = Player(routine, on_cue)
        self.reporter = reporter
        self.out = out
        self.clock = clock or RoutineClock()
        self.tty = out.isatty() if tty is None else tty
        self._wait = wait
        self._trace = trace or Trace(None)
        self._shown_step = -1
        self._line_width = 0
        self.last: Progress | None = None

    def run(self) -> Progress:
        """Play to the end, or until Ctrl+C; returns the final report (finished/stopped)."""
        self.reporter.started()
        self.player.start(self.clock())
        try:
            while not self.player.over:
                self._handle(self.player.advance(self.clock()))
                self._show()
                if not self.player.over:
                    self._sleep()
        except KeyboardInterrupt:
            self._handle(self.player.stop(self.clock()))
        self._end_line()
        assert self.last is not None
        self.out.write(self.reporter.outcome_note(self.last) + "\n")
        self.out.flush()
        return self.last

    def _handle(self, events: list[Progress]) -> None:
        for progress in events:
            self.reporter.report(progress)
            if progress.event != "step":
                self.last = progress

    def _sleep(self) -> None:
        # Wake at the next step boundary (so a fast preview shows every step) or after TICK.
        left = self.player.frame(self.clock()).remaining
        self._wait(max(0.001, min(TICK, self.clock.real_seconds(left) + 0.001)))

    def _show(self) -> None:
        frame = self.player.frame(self.clock())
        self._trace.write(
            {
                "state": self.player.state.value,
                "exercise": frame.exercise.id,
                "step": frame.step_index,
                "countdown": frame.countdown,
                "steps_done": self.player.steps_done,
            }
        )
        if frame.finished:
            return
        first = self._shown_step + 1
        for index in range(first, frame.step_index + 1):
            passed = self.player.routine.at(self.player.routine.steps[index].start)
            if index == 0 or passed.step.kind == "prepare":
                self._end_line()
                self.out.write("\n".join(exercise_header(passed)) + "\n")
            if not self.tty:
                self.out.write(step_line(passed) + "\n")
        self._shown_step = max(self._shown_step, frame.step_index)
        if self.tty:
            self._redraw(status_line(frame))
        self.out.flush()

    def _redraw(self, line: str) -> None:
        width = max(shutil.get_terminal_size().columns - 1, 20)
        line = line[:width]
        # Pad over the end of a longer previous line instead of relying on escape codes.
        self.out.write("\r" + line.ljust(self._line_width))
        self._line_width = len(line)

    def _end_line(self) -> None:
        if self.tty and self._line_width:
            self.out.write("\n")
            self._line_width = 0
