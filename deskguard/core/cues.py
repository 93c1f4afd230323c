"""The cue schedule: which tone and which spoken words mark each moment of a routine.

Pure: derived from the routine timeline (deskguard.core.routine), so someone lying on
the floor can follow the routine by ear. Playing the cues is deskguard.platform.sound.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Literal

from deskguard.core.routine import Routine, Step
from deskguard.i18n import NP_, pgettext

Tone = Literal["hold-start", "hold-end", "switch-side", "done"]


@dataclass(frozen=True)
class Cue:
    """What to play `at` seconds into the routine: a tone, words, or both."""

    at: int
    tone: Tone | None
    speech: str

    def __post_init__(self) -> None:
        if self.tone is None and not self.speech:
            raise ValueError("a cue plays a tone or says something")


# The words are spoken (and shown) in the user's language; whole phrases per side, as
# other languages change the words with the case.
SWITCH_WORDS = {
    "left leg": NP_("spoken cue", "Release. Switch to the left leg"),
    "right leg": NP_("spoken cue", "Release. Switch to the right leg"),
    "left side": NP_("spoken cue", "Release. Switch to the left side"),
    "right side": NP_("spoken cue", "Release. Switch to the right side"),
}


def _hold_start_words(step: Step) -> str:
    if step.reps > 1:
        words = pgettext("spoken cue", "Repetition {rep} of {reps}. Hold")
        return words.format(rep=step.rep, reps=step.reps)
    return pgettext("spoken cue", "Hold")


def _after_hold(hold: Step, following: Step | None) -> Cue:
    """The cue at the end of a hold: it also announces whatever comes next."""
    if following is None:
        return Cue(hold.end, "done", pgettext("spoken cue", "Done. Well done"))
    if following.kind == "change-side":
        words = SWITCH_WORDS.get(following.side or "", NP_("spoken cue", "Release"))
        return Cue(hold.end, "switch-side", pgettext("spoken cue", words))
    return Cue(hold.end, "hold-end", pgettext("spoken cue", "Release"))


def cue_schedule(routine: Routine) -> tuple[Cue, ...]:
    """Every cue of the routine, in time order: the exercise's name as it starts, a tone
    and words at every hold's start and end, a distinct tone to switch sides and another
    one when the routine is done."""
    cues: list[Cue] = []
    steps = routine.steps
    for index, step in enumerate(steps):
        following = steps[index + 1] if index + 1 < len(steps) else None
        if step.kind == "prepare":
            cues.append(Cue(step.start, None, step.exercise.name))
        elif step.kind == "hold":
            cues.append(Cue(step.start, "hold-start", _hold_start_words(step)))
            cues.append(_after_hold(step, following))
    return tuple(cues)


class CueCursor:
    """Hands out each cue once as the routine's position moves forward.

    A position that jumps (skipping to the next exercise) silently passes the cues in
    between: the end of a hold that was skipped is no moment to say "Release".
    """

    def __init__(self, cues: tuple[Cue, ...]) -> None:
        self.cues = cues
        self._times = [cue.at for cue in cues]
        self._next = 0  # index of the first cue not handed out or passed yet

    def reach(self, position: float) -> list[Cue]:
        """The cues at or before `position` not handed out yet."""
        end = bisect.bisect_right(self._times, position)
        due = list(self.cues[self._next : end])
        self._next = max(self._next, end)
        return due

    def jump(self, position: float) -> list[Cue]:
        """Pass over the cues up to `position`; returns those at `position` that begin
        something (the exercise's name, a hold), which are still worth playing."""
        start = max(self._next, bisect.bisect_left(self._times, position))
        self._next = max(self._next, bisect.bisect_right(self._times, position))
        landing = self.cues[start : self._next]
        return [cue for cue in landing if cue.tone in (None, "hold-start")]
