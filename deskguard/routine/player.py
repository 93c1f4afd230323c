"""The routine player's state machine, driven by the times the caller passes in.

`now` is any steadily increasing number of seconds (the window and the terminal pass a
monotonic clock, sped up by DESKGUARD_ROUTINE_SPEED; tests pass plain numbers). The
player never reads a clock itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from deskguard.core.cues import Cue, CueCursor, cue_schedule
from deskguard.core.routine import Frame, Routine


class PlayerState(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"


@dataclass(frozen=True)
class Progress:
    """Something to report: held repetitions completed, the end, or a stop."""

    event: Literal["step", "finished", "stopped"]
    steps_done: int


class Player:
    """Plays one routine: start, pause/resume, skip to the next exercise, stop, finish.

    `steps_done` counts the held repetitions the user went through; those jumped over
    by a skip do not count. Every method that moves time returns what to report, in order.

    The player is the one place where routine time moves, so it also hands each sound
    and voice cue (deskguard.core.cues) to `on_cue` as its moment is reached, for the
    window and the terminal alike.
    """

    def __init__(self, routine: Routine, on_cue: Callable[[Cue], None] | None = None) -> None:
        if routine.empty:
            raise ValueError("an empty routine cannot be played")
        self.routine = routine
        self._on_cue = on_cue
        self._cues = CueCursor(cue_schedule(routine))
        self.state = PlayerState.READY
        self.steps_done = 0
        self._position = 0.0  # routine second reached at `_since`
        self._since = 0.0

    @property
    def steps_total(self) -> int:
        return self.routine.holds

    @property
    def over(self) -> bool:
        return self.state in (PlayerState.FINISHED, PlayerState.STOPPED)

    def position(self, now: float) -> float:
        """The routine second shown at `now`."""
        if self.state != PlayerState.RUNNING:
            return self._position
        return min(self._position + max(now - self._since, 0.0), float(self.routine.total_seconds))

    def frame(self, now: float) -> Frame:
        return self.routine.at(self.position(now))

    def start(self, now: float) -> None:
        if self.state != PlayerState.READY:
            raise RuntimeError(f"cannot start a player that is {self.state}")
        self.state = PlayerState.RUNNING
        self._since = now
        self._cue(0.0)

    def _cue(self, position: float) -> None:
        self._play(self._cues.reach(position))

    def _play(self, cues: list[Cue]) -> None:
        if self._on_cue is not None:
            for cue in cues:
                self._on_cue(cue)

    def advance(self, now: float) -> list[Progress]:
        """Move to `now`; reports each batch of completed holds and the finish."""
        if self.state != PlayerState.RUNNING:
            return []
        before, after = self._position, self.position(now)
        self._position, self._since = after, now
        self._cue(after)
        events: list[Progress] = []
        done = self.routine.holds_ending_between(before, after)
        if done:
            self.steps_done += done
            events.append(Progress("step", self.steps_done))
        if after >= self.routine.total_seconds:
            self.state = PlayerState.FINISHED
            events.append(Progress("finished", self.steps_done))
        return events

    def pause(self, now: float) -> list[Progress]:
        events = self.advance(now)
        if self.state == PlayerState.RUNNING:
            self.state = PlayerState.PAUSED
        return events

    def resume(self, now: float) -> None:
        if self.state == PlayerState.PAUSED:
            self.state = PlayerState.RUNNING
            self._since = now

    def toggle_pause(self, now: float) -> list[Progress]:
        if self.state == PlayerState.PAUSED:
            self.resume(now)
            return []
        return self.pause(now)

    def skip(self, now: float) -> list[Progress]:
        """Jump to the start of the next exercise; past the last one, the routine finishes."""
        events = self.advance(now)
        if self.over or self.state == PlayerState.READY:
            return events
        self._position = float(self.routine.next_exercise_start(self._position))
        self._since = now
        self._play(self._cues.jump(self._position))
        if self._position >= self.routine.total_seconds:
            self.state = PlayerState.FINISHED
            events.append(Progress("finished", self.steps_done))
        return events

    def stop(self, now: float) -> list[Progress]:
        """End early; reports the holds done (nothing when the routine is over already)."""
        events = self.advance(now)
        if self.over:
            return events
        self.state = PlayerState.STOPPED
        events.append(Progress("stopped", self.steps_done))
        return events
