"""Which exercise a reminder suggests."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from deskguard.model.exercise import Exercise


def allowed(exercise: Exercise, declared: Collection[str]) -> bool:
    """False when the user declared a condition under which this exercise must not be done."""
    return not set(exercise.contraindications) & set(declared)


def desk_friendly_ids(exercises: Iterable[Exercise], declared: Collection[str]) -> list[str]:
    """Ids a reminder may suggest: doable standing at a desk and not ruled out by health."""
    return [e.id for e in exercises if e.desk_friendly and allowed(e, declared)]


class ExerciseRotation:
    """Cycles through the candidates so the same one is never suggested twice in a row.

    With a single candidate there is nothing to rotate; with none, reminders fall back
    to a plain "stand up and walk" (None).
    """

    def __init__(self, candidates: Sequence[str], last: str | None = None) -> None:
        self._candidates = list(dict.fromkeys(candidates))
        self.last = last

    @property
    def candidates(self) -> list[str]:
        return list(self._candidates)

    def next(self) -> str | None:
        if not self._candidates:
            return None
        if self.last in self._candidates:
            index = (self._candidates.index(self.last) + 1) % len(self._candidates)
        else:
            index = 0
        self.last = self._candidates[index]
        return self.last
