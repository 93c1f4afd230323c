"""The sitting tracker: from clock readings, idle time and user actions to reminders.

Time inside the tracker is CLOCK_BOOTTIME seconds, which keeps running while the
machine is suspended; CLOCK_MONOTONIC, which stops then, tells how much of an
interval the machine was asleep. Wall-clock time is used only for working hours, so a
wall-clock jump can neither add sitting nor release a burst of reminders.

Readings hold until the next one: the state seen at one observation describes the
interval up to the next. Every method returns the decisions the caller must act on.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from deskguard.core.decisions import (
    SHORTEST_WAIT,
    SLEEP_NOISE,
    ActionRejected,
    CloseReminder,
    Decision,
    Deferred,
    Instant,
    Outcome,
    Policy,
    Remind,
    SittingEnded,
    Snapshot,
    State,
)
from deskguard.core.durations import LONGEST
from deskguard.core.selection import ExerciseRotation
from deskguard.i18n import _

if TYPE_CHECKING:
    pass


class SittingTracker:
    """Accumulates sitting time and decides when to remind.

    Not thread-safe: the daemon calls it from one thread only.
    """

    def __init__(self, policy: Policy, rotation: ExerciseRotation, start: Instant) -> None:
        self.policy = policy
        self.rotation = rotation
        self._last = start
        self._sitting = 0.0
        self._sitting_at_last_input = 0.0
        self._away_run = 0.0
        self._present = True
        self._locked = False
        self._suspended = False
        self._broke_this_absence = False
        self._extra_threshold = 0.0
        self._earliest = -math.inf
        self._snoozed_until: float | None = None
        self._snoozes_in_row = 0
        self._paused_until: float | None = None
        self._break_until: float | None = None
        self._reminding = False
        self._pending_exercise: str | None = None
        self._unreported: list[Decision] = []
        self._busy: tuple[str, ...] = ()
        self._deferred_since: float | None = None

    # -- observations ---------------------------------------------------------------

    def observe(
        self,
        at: Instant,
        idle_seconds: float,
        locked: bool = False,
        busy: tuple[str, ...] = (),
    ) -> list[Decision]:
        """A periodic reading: seconds since the last keyboard/mouse input, the lock, and
        what keeps the user busy right now (do-not-disturb, fullscreen, a meeting...)."""
        self._advance(at)
        self._locked = locked
        self._busy = busy
        idle = max(0.0, idle_seconds)
        decisions: list[Decision] = []
        if not (locked or self._suspended) and idle >= self.policy.natural_break:
            decisions += self._natural_break()
        self._present = not locked and not self._suspended and idle < self.policy.natural_break
        if self._present:
            self._away_run = 0.0
            self._broke_this_absence = False
            self._sitting_at_last_input = max(0.0, self._sitting - idle)
        return self._report(decisions + self._maybe_remind(at))

    def suspended(self, at: Instant) -> list[Decision]:
        """The system announced it is going to sleep."""
        self._advance(at)
        self._suspended = True
        self._present = False
        return self._report([])

    def resumed(self, at: Instant) -> list[Decision]:
        """The system woke up; sitting starts again only with the next active observation."""
        self._advance(at)
        self._suspended = False
        return self._report([])

    # -- user actions ---------------------------------------------------------------

    def snooze(self, at: Instant, seconds: float | None = None) -> list[Decision]:
        """Postpone the pending (or next) reminder."""
        self._advance(at)
        if self._snoozes_in_row >= self.policy.max_snoozes:
            raise ActionRejected(
                _("no snoozes left ({count} in a row): take the break now or skip this one").format(
                    count=self.policy.max_snoozes
                )
            )
        length = self.policy.snooze if seconds is None else seconds
        if not SHORTEST_WAIT <= length <= LONGEST:  # also true for NaN
            raise ActionRejected(
                _("a snooze must last from {shortest} to {longest} seconds").format(
                    shortest=SHORTEST_WAIT, longest=LONGEST
                )
            )
        self._snoozes_in_row += 1
        self._snoozed_until = self._earliest = at.boottime + length
        return self._report(self._close(Outcome.SNOOZED))

    def skip(self, at: Instant) -> list[Decision]:
        """Skip the pending reminder; the next comes after another full sitting limit."""
        self._advance(at)
        if not self._reminding:
            raise ActionRejected(_("no reminder is pending"))
        self._extra_threshold = self._sitting
        self._snoozes_in_row = 0
        return self._report(self._close(Outcome.SKIPPED))

    def dismiss(self, at: Instant) -> list[Decision]:
        """The user closed the reminder without answering it; treated like a skip."""
        self._advance(at)
        if not self._reminding:
            return self._report([])
        self._extra_threshold = self._sitting
        self._snoozes_in_row = 0
        return self._report(self._close(Outcome.DISMISSED))

    def accept(self, at: Instant) -> list[Decision]:
        """The user is stretching now: sitting resets and a break begins."""
        self._advance(at)
        ended = self._end_sitting()
        self._break_until = at.boottime + self.policy.natural_break
        return self._report(self._close(Outcome.ACCEPTED) + ended)

    def routine_finished(self, at: Instant) -> list[Decision]:
        """A finished routine counts as a break: sitting resets and the break ends."""
        self._advance(at)
        ended = self._end_sitting()
        self._break_until = None
        return self._report(self._close(Outcome.ACCEPTED) + ended)

    def pause(self, at: Instant, seconds: float | None = None) -> list[Decision]:
        """No reminders for `seconds` (None: until resumed)."""
        self._advance(at)
        if seconds is not None and not SHORTEST_WAIT <= seconds <= LONGEST:
            raise ActionRejected(
                _("a pause must last from {shortest} to {longest} seconds").format(
                    shortest=SHORTEST_WAIT, longest=LONGEST
                )
            )
        self._paused_until = math.inf if seconds is None else at.boottime + seconds
        return self._report(self._close(Outcome.DISMISSED))

    def resume(self, at: Instant) -> list[Decision]:
        """End a pause; a reminder that fell due meanwhile comes at the next observation."""
        self._advance(at)
        if not self._is_paused(at):
            raise ActionRejected(_("deskguard is not paused"))
        self._paused_until = None
        return self._report([])

    def restore_sitting(self, seconds: float) -> None:
        """Carry over the sitting stretch of a daemon that stopped moments ago."""
        self._sitting = self._sitting_at_last_input = max(0.0, seconds)

    def update_policy(self, policy: Policy) -> None:
        """New settings (reload); sitting and pending actions carry over."""
        self.policy = policy

    # -- what the outside sees ------------------------------------------------------

    @property
    def sitting_seconds(self) -> float:
        return self._sitting

    @property
    def present(self) -> bool:
        """At the computer as of the last reading: unlocked, awake, recent input."""
        return self._present

    def state(self, at: Instant) -> State:
        if self._is_paused(at):
            return State.PAUSED
        if not self.policy.working_hours.is_active(at.wall):
            return State.OFF_HOURS
        if self._reminding:
            return State.REMINDING
        if self._in_break(at):
            return State.BREAK
        if not self._present:
            return State.AWAY
        if self._snoozed_until is not None and at.boottime < self._snoozed_until:
            return State.SNOOZED
        return State.ACTIVE

    def reminder_due(self, at: Instant) -> bool:
        """Whether a reminder falls due by `at` if the user is still sitting: only then does
        what keeps them busy matter, so only then is it worth asking."""
        self._advance(at)
        due = self.next_reminder_at(at)
        return due is not None and at.boottime >= due

    def next_reminder_at(self, at: Instant) -> float | None:
        """When (boot-clock seconds) a reminder falls due if the user keeps sitting."""
        if self.state(at) not in (State.ACTIVE, State.SNOOZED):
            return None
        threshold = self.policy.sit_limit + self._extra_threshold
        due = at.boottime + max(0.0, threshold - self._sitting)
        return max(due, self._earliest)

    def steady_until(self, at: Instant) -> float:
        """Until when (boot clock) readings like the last one decide nothing.

        Up to that moment, another reading with the same idle time, lock and busy reasons
        only adds the time since the one before to the sitting or the away time, the same
        in one step as in many; a caller that knows the readings stay the same (a
        simulation) may skip them. It is `at` itself when something is due now.
        """
        self._advance(at)
        now = at.boottime
        if self._suspended or self._unreported:
            return now
        # Decisions fall due at these moments...
        due = self.next_reminder_at(at)
        moments = [] if due is None else [due]
        if not self._present and not self._broke_this_absence:
            moments.append(self._last.boottime + self.policy.natural_break - self._away_run)
        # ...and the state changes at these, when they are still ahead.
        ends = (self._break_until, self._snoozed_until, self._paused_until)
        moments += [end for end in ends if end is not None and end > now]
        # Working hours matter only to a reminder that may come: to a present user with
        # none on screen (a pause or break ends at one of the moments above first).
        hours_change = self.policy.working_hours.next_change(at.wall)
        if hours_change is not None and self._present and not self._reminding:
            moments.append(now + (hours_change - at.wall).total_seconds())
        return max(now, min(moments, default=math.inf))

    def snapshot(self, at: Instant) -> Snapshot:
        self._advance(at)
        now = at.boottime
        due = self.next_reminder_at(at)
        snoozed = self._snoozed_until if self.state(at) is State.SNOOZED else None
        paused = self._paused_until if self._is_paused(at) else None
        return Snapshot(
            state=self.state(at),
            sitting_seconds=self._sitting,
            next_reminder_in=None if due is None else due - now,
            snoozed_for=None if snoozed is None else snoozed - now,
            paused_for=None if paused is None else paused - now,
            pending_exercise=self._pending_exercise if self._reminding else None,
            snoozes_left=max(0, self.policy.max_snoozes - self._snoozes_in_row),
            deferred_by=self._busy if self._deferred_since is not None else (),
        )

    # -- internals ------------------------------------------------------------------

    def _advance(self, at: Instant) -> None:
        """Account for the time since the last reading, then move the clock forward.

        A natural break found on the way (time asleep or locked reached its length) is
        kept for the next returned list, so a rejected action cannot lose it.
        """
        elapsed = max(0.0, at.boottime - self._last.boottime)
        awake = min(elapsed, max(0.0, at.monotonic - self._last.monotonic))
        asleep = elapsed - awake
        if asleep < SLEEP_NOISE:  # the two clocks are read one after the other
            awake, asleep = elapsed, 0.0
        if self._present and not self._suspended and not self._in_break(self._last):
            self._sitting += awake
        elif not self._present:
            self._away_run += awake
        self._away_run += asleep
        if asleep > 0:
            self._present = False
        self._last = at  # frozen: safe to keep
        if self._away_run >= self.policy.natural_break:
            self._unreported += self._natural_break()

    def _report(self, decisions: list[Decision]) -> list[Decision]:
        """`decisions`, preceded by any found while advancing the clock."""
        reported, self._unreported = [*self._unreported, *decisions], []
        return reported

    def _natural_break(self) -> list[Decision]:
        if self._broke_this_absence:
            return []
        self._broke_this_absence = True
        sat_for = self._sitting_at_last_input
        self._reset_sitting()
        closed = self._close(Outcome.NATURAL_BREAK)
        return [*closed, SittingEnded(sat_for, natural=True)] if sat_for > 0 or closed else []

    def _end_sitting(self) -> list[Decision]:
        """Reset sitting because the user takes a break now (not a natural one)."""
        sat_for = self._sitting
        self._reset_sitting()
        return [SittingEnded(sat_for, natural=False)] if sat_for > 0 else []

    def _reset_sitting(self) -> None:
        self._sitting = 0.0
        self._sitting_at_last_input = 0.0
        self._extra_threshold = 0.0
        self._snoozes_in_row = 0
        self._snoozed_until = None

    def _maybe_remind(self, at: Instant) -> list[Decision]:
        if self.state(at) not in (State.ACTIVE, State.SNOOZED):
            return []
        due = self.next_reminder_at(at)
        if due is None or at.boottime < due:
            self._deferred_since = None
            return []
        deferred_for = 0.0 if self._deferred_since is None else at.boottime - self._deferred_since
        quiet = bool(self._busy) and deferred_for >= self.policy.max_deferral
        if self._busy and not quiet:
            if self._deferred_since is None:
                self._deferred_since = at.boottime
                return [Deferred(self._busy)]
            return []
        self._deferred_since = None
        exercise = self.rotation.next()
        self._reminding = True
        self._pending_exercise = exercise
        self._snoozed_until = None
        self._earliest = at.boottime + self.policy.snooze
        can_snooze = self._snoozes_in_row < self.policy.max_snoozes
        return [Remind(exercise, can_snooze, self._sitting, quiet=quiet, deferred_for=deferred_for)]

    def _close(self, outcome: Outcome) -> list[Decision]:
        if not self._reminding:
            return []
        self._reminding = False
        exercise, self._pending_exercise = self._pending_exercise, None
        return [CloseReminder(exercise, outcome)]

    def _is_paused(self, at: Instant) -> bool:
        return self._paused_until is not None and at.boottime < self._paused_until

    def _in_break(self, at: Instant) -> bool:
        return self._break_until is not None and at.boottime < self._break_until
