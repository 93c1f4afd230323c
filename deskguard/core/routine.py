"""The routine timeline: which exercises, in which order, and what is shown at each second.

Pure: builders take the catalog and the user's choices and return a plan; `Routine.at`
takes a second from the start and says what the player shows then. Nothing here reads
a file or a clock.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, NamedTuple

from deskguard.core.selection import ExerciseRotation, allowed, desk_friendly_ids

if TYPE_CHECKING:
    from deskguard.model.exercise import Catalog, Exercise

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
_FLOOR_POSITIONS = {
    "lying-on-back": "lying on your back",
    "lying-face-down": "lying face down",
    "all-fours": "on all fours",
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


def _format_seconds(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} s"
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


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
        label = f"rep {self.rep} of {self.reps}"
        return f"{label} · {self.side}" if self.side else label

    @property
    def label(self) -> str:
        """What this step is, in a few words: "rep 3 of 10 · left leg", "rest", ..."""
        if self.kind == "hold":
            return self.rep_label
        if self.kind == "prepare":
            return "get ready"
        if self.kind == "change-side":
            return f"change to the {self.side}"
        return "rest"

    @property
    def instruction(self) -> str:
        """One line telling the user what to do during this step."""
        if self.kind == "prepare":
            return f"Get into position: {self.exercise.summary}"
        if self.kind == "change-side":
            return f"Change to the {self.side} and get into position again."
        if self.kind == "rest":
            return "Release slowly and relax."
        if self.exercise.kind == "stretch":
            return "Hold the stretch and breathe calmly."
        return "Hold the position and keep breathing."


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


# --------------------------------------------------------------------------- plans


class LeftOut(NamedTuple):
    """An exercise the routine does not contain, and why (for the user)."""

    exercise_id: str
    reason: str


@dataclass(frozen=True)
class Plan:
    """A routine plus what the user should be told about how it was put together."""

    routine: Routine
    left_out: tuple[LeftOut, ...] = ()
    shortened: tuple[str, ...] = ()
    """Exercises done fewer times than the catalog says, like "Crunch: 4 of 10 times"."""


def health_reason(exercise: Exercise, catalog: Catalog, declared: Collection[str]) -> str | None:
    """Why a declared condition rules the exercise out, or None when it does not."""
    if allowed(exercise, declared):
        return None
    blocking = [c for c in exercise.contraindications if c in set(declared)]
    names = ", ".join(
        catalog.contraindications[c].name if c in catalog.contraindications else c for c in blocking
    )
    return f"not to be done with a condition you declared ({names})"


def floor_reason(exercise: Exercise) -> str | None:
    """Why the exercise is left out at a desk, or None when it is done standing."""
    where = _FLOOR_POSITIONS.get(exercise.position)
    if where is None:
        return None
    return f"done {where} on the floor, and routine.at_desk is on"


def _shortened_note(exercise: Exercise, reps: int) -> str:
    per = {"per-leg": " per leg", "per-side": " per side"}.get(exercise.sides, "")
    return f"{exercise.name}: {reps} of {exercise.repetitions.count} times{per}"


def _notes(entries: Sequence[tuple[Exercise, int]]) -> tuple[str, ...]:
    return tuple(_shortened_note(e, r) for e, r in entries if r < e.repetitions.count)


def _max_reps(exercise: Exercise, budget: int, *, first: bool) -> int:
    """The most repetitions (up to the catalog's count) that fit in `budget` seconds."""
    best = 0
    for reps in range(1, exercise.repetitions.count + 1):
        if block_seconds(exercise, reps, first=first) > budget:
            break
        best = reps
    return best


def quick_routine(catalog: Catalog, declared: Collection[str], last: str | None = None) -> Plan:
    """One or two desk-friendly exercises, about one to two minutes in all.

    The exercises rotate: the first is the desk-friendly exercise after `last` (the one
    done or suggested last time). Repetitions are cut to stay within two minutes (the
    plan says which); a second exercise is added while the routine is under a minute.
    """
    left_out = [
        LeftOut(e.id, reason)
        for e in catalog.exercises.values()
        if e.desk_friendly and (reason := health_reason(e, catalog, declared))
    ]
    candidates = desk_friendly_ids(catalog.exercises.values(), declared)
    rotation = ExerciseRotation(candidates, last)
    order = [rotation.next() or "" for _ in candidates]
    entries: list[tuple[Exercise, int]] = []
    for exercise_id in order:
        if len(entries) == 2 or (entries and planned_seconds(entries) >= QUICK_MIN_SECONDS):
            break
        exercise = catalog.exercises[exercise_id]
        budget = QUICK_MAX_SECONDS - planned_seconds(entries)
        reps = _max_reps(exercise, budget, first=not entries)
        if reps:
            entries.append((exercise, reps))
        else:
            left_out.append(LeftOut(exercise.id, "too long for a quick routine"))
    return Plan(Routine.from_entries("quick", entries), tuple(left_out), _notes(entries))


def _phases(order: Sequence[str], exercises: Sequence[Exercise]) -> list[list[Exercise]]:
    """Share each kind's exercises out over the phases of that kind, in catalog order.

    With the order stretch → strength → stretch, the first half of the stretches warms
    up and the second half closes the routine: every exercise is done once and earlier
    phases get the odd one out.
    """
    phases: list[list[Exercise]] = [[] for _ in order]
    for kind in dict.fromkeys(order):
        slots = [i for i, k in enumerate(order) if k == kind]
        of_kind = [e for e in exercises if e.kind == kind]
        size, extra = divmod(len(of_kind), len(slots))
        start = 0
        for number, slot in enumerate(slots):
            count = size + (1 if number < extra else 0)
            phases[slot] = of_kind[start : start + count]
            start += count
    return phases


def _round_robin(phases: Sequence[Sequence[Exercise]]) -> list[tuple[int, int]]:
    """(phase, position) pairs: every phase's first exercise, then every second, ..."""
    depth = max((len(p) for p in phases), default=0)
    return [(p, i) for i in range(depth) for p, phase in enumerate(phases) if i < len(phase)]


def _grow(entries: list[tuple[Exercise, int]], length: int) -> list[tuple[Exercise, int]]:
    """Add repetitions, always to the exercise furthest from its full dose, while they fit."""
    reps = [r for _e, r in entries]
    growing = set(range(len(entries)))
    total = planned_seconds(entries)
    while growing:
        index = min(growing, key=lambda i: (reps[i] / entries[i][0].repetitions.count, i))
        exercise = entries[index][0]
        if reps[index] >= exercise.repetitions.count:
            growing.discard(index)
            continue
        # One more repetition on every side, and the rest before it.
        cost = (hold_seconds(exercise) + REP_REST) * exercise.side_count
        if total + cost > length:
            growing.discard(index)
            continue
        reps[index] += 1
        total += cost
    return [(e, r) for (e, _old), r in zip(entries, reps, strict=True)]


def full_routine(
    catalog: Catalog, declared: Collection[str], length_seconds: int, at_desk: bool
) -> Plan:
    """The whole routine in the catalog's order (warm-up stretches, strength, stretches).

    Left out, with the reason: exercises a declared condition rules out, floor exercises
    when `at_desk`, kinds the order does not mention, and what does not fit in
    `length_seconds` even once. Exercises are kept one phase at a time in turn (each
    phase's first, then each phase's second, ...), so a short routine still warms up,
    strengthens and cools down. Then repetitions are added, always to the exercise
    furthest from its full dose, while they fit. The total never exceeds the length.
    """
    left_out: list[LeftOut] = []
    eligible: list[Exercise] = []
    order = catalog.routine.order
    for exercise in catalog.exercises.values():
        reason = health_reason(exercise, catalog, declared)
        if reason is None and at_desk:
            reason = floor_reason(exercise)
        if reason is None and exercise.kind not in order:
            reason = f"the catalog's routine order has no {exercise.kind} part"
        if reason is None:
            eligible.append(exercise)
        else:
            left_out.append(LeftOut(exercise.id, reason))

    phases = _phases(order, eligible)
    kept: set[tuple[int, int]] = set()
    for phase, position in _round_robin(phases):
        trial = kept | {(phase, position)}
        if planned_seconds((phases[p][i], 1) for p, i in sorted(trial)) <= length_seconds:
            kept = trial
        else:
            left_out.append(
                LeftOut(
                    phases[phase][position].id,
                    f"does not fit in the routine length of {_format_seconds(length_seconds)}"
                    " (routine.length)",
                )
            )
    entries = _grow([(phases[p][i], 1) for p, i in sorted(kept)], length_seconds)
    return Plan(Routine.from_entries("full", entries), tuple(left_out), _notes(entries))


def custom_routine(catalog: Catalog, ids: Sequence[str], declared: Collection[str] = ()) -> Plan:
    """Exactly these exercises, in this order, each with its full dose.

    Unknown ids raise the catalog's UnknownExerciseError (which lists the known ones);
    an exercise ruled out by a declared condition is left out, with the reason.
    """
    exercises = [catalog.exercise(exercise_id) for exercise_id in ids]
    entries: list[tuple[Exercise, int]] = []
    left_out: list[LeftOut] = []
    for exercise in exercises:
        reason = health_reason(exercise, catalog, declared)
        if reason is None:
            entries.append((exercise, exercise.repetitions.count))
        elif exercise.id not in {x.exercise_id for x in left_out}:
            left_out.append(LeftOut(exercise.id, reason))
    return Plan(Routine.from_entries("custom", entries), tuple(left_out))
