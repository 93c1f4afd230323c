"""Putting a routine together: which exercises, how many times, in which order, and what
the user is told about it (left out for health or at the desk, shortened to fit).

Pure: builders take the catalog and the user's choices and return a Plan whose routine
(deskguard.core.routine) the player runs.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from deskguard.core.routine import (
    QUICK_MAX_SECONDS,
    QUICK_MIN_SECONDS,
    REP_REST,
    Routine,
    block_seconds,
    format_seconds,
    hold_seconds,
    planned_seconds,
)
from deskguard.core.selection import ExerciseRotation, allowed, desk_friendly_ids

if TYPE_CHECKING:
    from deskguard.model.exercise import Catalog, Exercise

_FLOOR_POSITIONS = {
    "lying-on-back": "lying on your back",
    "lying-face-down": "lying face down",
    "all-fours": "on all fours",
}


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


def quick_routine(
    catalog: Catalog,
    declared: Collection[str],
    last: str | None = None,
    *,
    first: str | None = None,
) -> Plan:
    """One or two desk-friendly exercises, about one to two minutes in all.

    The exercises rotate: the first is `first` when it is one of them (the exercise the
    reminder named: the user was told to do that one), else the desk-friendly exercise
    after `last` (the one done or suggested last time). Repetitions are cut to stay
    within two minutes (the plan says which); a second exercise is added while the
    routine is under a minute.
    """
    left_out = [
        LeftOut(e.id, reason)
        for e in catalog.exercises.values()
        if e.desk_friendly and (reason := health_reason(e, catalog, declared))
    ]
    candidates = desk_friendly_ids(catalog.exercises.values(), declared)
    if first in candidates:
        last = candidates[candidates.index(first) - 1]  # so the rotation begins at `first`
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
                    f"does not fit in the routine length of {format_seconds(length_seconds)}"
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
