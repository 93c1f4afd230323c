"""The routine timeline: the steps of a routine and what is shown at each second.

Pure: `Routine.at` takes a second from the start and says what the player shows then.
Which exercises a routine holds is decided in deskguard.core.routine_plan. Nothing here
reads a file or a clock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from deskguard.i18n import N_, _

if TYPE_CHECKING:
    from deskguard.model.exercise import Exercise

RoutineKind = Literal["quick", "full", "custom"]
StepKind = Literal["prepare", "hold", "rest", "change-side"]

GET_READY = 5
"""Seconds before the first exercise: time to read what comes and get into position."""
POSITION_CHANGE = 10
"""Seconds between two exercises, to get from one position into the next."""
REP_REST = 3
"""Seconds between two repetitions on the same side: release, breathe, go again."""
SIDE_CHANGE = 5
"""Seconds to change to the other leg or side."""
QUICK_MIN_SECONDS = 60
QUICK_MAX_SECONDS = 120

_SIDE_NAMES = {"per-leg": ("left leg", "right leg"), "per-side": ("left side", "right side")}
# The sides stay English in the step (the routine's trace records them); these are what
# people read. Whole phrases per side, as other languages change the words with the case.
SIDE_LABELS = {
    "left leg": N_("left leg"),
    "right leg": N_("right leg"),
    "left side": N_("left side"),
    "right side": N_("right side"),
}
CHANGE_LABELS = {
    "left leg": N_("change to the left leg"),
    "right leg": N_("change to the right leg"),
    "left side": N_("change to the left side"),
    "right side": N_("change to the right side"),
}
CHANGE_INSTRUCTIONS = {
    "left leg": N_("Change to the left leg and get into position again."),
    "right leg": N_("Change to the right leg and get into position again."),
    "left side": N_("Change to the left side and get into position again."),
    "right side": N_("Change to the right side and get into position again."),
}


def hold_seconds(exercise: Exercise) -> int:
    """How long the player counts down one repetition: the longest hold the catalog gives.

    A countdown that ends early tells the user to let go before the exercise has done
    its work; one that runs to the top of the range never does, and whoever finds it
    long can skip ahead. This matches `Exercise.total_seconds`, which also plans with
    the longest hold.
    """
    return math.ceil(exercise.hold.seconds("max"))


def block_seconds(exercise: Exercise, reps: int, *, first: bool) -> int:
    """The time one exercise takes in a routine: its preparation, holds and rests."""
    sides = exercise.side_count
    prepare = GET_READY if first else POSITION_CHANGE
    holds = hold_seconds(exercise) * reps * sides
    rests = (reps - 1) * sides * REP_REST + (sides - 1) * SIDE_CHANGE
    return prepare + holds + rests


def planned_seconds(entries: Iterable[tuple[Exercise, int]]) -> int:
    """The total time of a routine made of these (exercise, repetitions) entries."""
    return sum(
        block_seconds(exercise, reps, first=index == 0)
        for index, (exercise, reps) in enumerate(entries)
    )


def format_seconds(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    # Translators: short units, as on a timer: "40 s", "2 min", "1 min 57 s".
    if not minutes:
        return _("{seconds} s").format(seconds=rest)
    if not rest:
        return _("{minutes} min").format(minutes=minutes)
    return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=rest)


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Step:
    """One stretch of the timeline: getting ready, one held repetition, or a rest.

    `rep`, `reps` and `side` describe the repetition a hold is (for a rest or a side
    change: the repetition that follows it). `exercise_index` counts the exercises of
    the routine from 0, so the same exercise done twice stays two blocks.
    """

    kind: StepKind
    exercise: Exercise
    exercise_index: int
    start: int
    seconds: int
    rep: int
    reps: int
    side: str | None = None

    @property
    def end(self) -> int:
        return self.start + self.seconds

    @property
    def rep_label(self) -> str:
        """Like "rep 3 of 10 · left leg"."""
        # Translators: a repetition of an exercise, like "rep 3 of 10".
        label = _("rep {rep} of {reps}").format(rep=self.rep, reps=self.reps)
        return f"{label} · {_(SIDE_LABELS[self.side])}" if self.side else label

    @property
    def label(self) -> str:
        """What this step is, in a few words: "rep 3 of 10 · left leg", "rest", ..."""
        if self.kind == "hold":
            return self.rep_label
        if self.kind == "prepare":
            return _("get ready")
        if self.kind == "change-side" and self.side:
            return _(CHANGE_LABELS[self.side])
        return _("rest")

    @property
    def instruction(self) -> str:
        """One line telling the user what to do during this step."""
        if self.kind == "prepare":
            return _("Get into position: {summary}").format(summary=self.exercise.summary)
        if self.kind == "change-side" and self.side:
            return _(CHANGE_INSTRUCTIONS[self.side])
        if self.kind == "rest":
            return _("Release slowly and relax.")
        if self.exercise.kind == "stretch":
            return _("Hold the stretch and breathe calmly.")
        return _("Hold the position and keep breathing.")


def _exercise_steps(exercise: Exercise, reps: int, index: int, start: int) -> list[Step]:
    """Get ready, then every repetition on one side (with rests), then the other side."""
    sides: Sequence[str | None] = _SIDE_NAMES.get(exercise.sides, (None,))
    prepare = GET_READY if index == 0 else POSITION_CHANGE
    steps = [Step("prepare", exercise, index, start, prepare, 1, reps, sides[0])]
    hold = hold_seconds(exercise)
    for side_number, side in enumerate(sides):
        if side_number:
            steps.append(
                Step("change-side", exercise, index, steps[-1].end, SIDE_CHANGE, 1, reps, side)
            )
        for rep in range(1, reps + 1):
            if rep > 1:
                steps.append(
                    Step("rest", exercise, index, steps[-1].end, REP_REST, rep, reps, side)
                )
            steps.append(Step("hold", exercise, index, steps[-1].end, hold, rep, reps, side))
    return steps


# --------------------------------------------------------------------------- frames


@dataclass(frozen=True)
class Frame:
    """What the player shows at one second of the routine."""

    second: float
    step: Step
    step_index: int
    remaining: float
    """Seconds left in the current step (0 once the routine is over)."""
    progress: float
    """How much of the whole routine is behind, from 0 to 1."""
    next: str
    """What comes after the current step: "rep 4 of 10 · left leg", another exercise's
    name, or "" at the end."""
    finished: bool

    @property
    def exercise(self) -> Exercise:
        return self.step.exercise

    @property
    def countdown(self) -> int:
        """The whole seconds left in the current step, as a countdown shows them."""
        return math.ceil(self.remaining)

    @property
    def rep_label(self) -> str:
        return self.step.rep_label

    @property
    def instruction(self) -> str:
        return self.step.instruction


@dataclass(frozen=True)
class Routine:
    """An ordered timeline of steps; `kind` is what the history calls it."""

    kind: RoutineKind
    steps: tuple[Step, ...]

    @classmethod
    def from_entries(cls, kind: RoutineKind, entries: Iterable[tuple[Exercise, int]]) -> Routine:
        """A routine doing each exercise the given number of times, in this order."""
        steps: list[Step] = []
        for index, (exercise, reps) in enumerate(entries):
            if reps < 1:
                raise ValueError(f"{exercise.id}: a routine needs at least one repetition")
            steps += _exercise_steps(exercise, reps, index, steps[-1].end if steps else 0)
        return cls(kind, tuple(steps))

    @property
    def total_seconds(self) -> int:
        return self.steps[-1].end if self.steps else 0

    @property
    def empty(self) -> bool:
        return not self.steps

    @property
    def entries(self) -> list[tuple[Exercise, int]]:
        """(exercise, repetitions per side) for each exercise of the routine, in order."""
        return [(s.exercise, s.reps) for s in self.steps if s.kind == "prepare"]

    @property
    def exercises(self) -> list[Exercise]:
        return [exercise for exercise, _reps in self.entries]

    @property
    def holds(self) -> int:
        """How many held repetitions the routine has: the steps the history counts."""
        return sum(1 for s in self.steps if s.kind == "hold")

    def holds_ending_between(self, after: float, until: float) -> int:
        """Held repetitions whose end lies in (after, until]."""
        return sum(1 for s in self.steps if s.kind == "hold" and after < s.end <= until)

    def next_exercise_start(self, second: float) -> int:
        """Where the exercise after the one at `second` starts (the total if none)."""
        for step in self.steps:
            if step.kind == "prepare" and step.start > second:
                return step.start
        return self.total_seconds

    def at(self, second: float) -> Frame:
        """What is shown `second` seconds after the start (clamped to the routine)."""
        if not self.steps:
            raise ValueError("an empty routine has nothing to show")
        total = self.total_seconds
        second = min(max(second, 0.0), float(total))
        if second >= total:
            return Frame(second, self.steps[-1], len(self.steps) - 1, 0.0, 1.0, "", True)
        index = bisect.bisect_right([s.start for s in self.steps], second) - 1
        step = self.steps[index]
        return Frame(
            second=second,
            step=step,
            step_index=index,
            remaining=step.end - second,
            progress=second / total,
            next=self._next_after(index),
            finished=False,
        )

    def _next_after(self, index: int) -> str:
        current = self.steps[index]
        for step in self.steps[index + 1 :]:
            if step.exercise_index != current.exercise_index:
                return step.exercise.name
            if step.kind == "hold":
                return step.rep_label
        return ""
