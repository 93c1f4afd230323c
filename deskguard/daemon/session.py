"""The session: the sitting tracker, the adapters it was given, and what the daemon does
about each of the tracker's decisions.

It is the only code that acts on decisions: show or close a reminder, write the history,
save the sitting stretch for a restart, suggest a walk, send the day's summary, tell the
tray. Rules live in the core; the session reads inputs, asks the core and acts. It runs
on one asyncio loop and knows nothing of threads, the scheduler or signals (the runtime,
deskguard.daemon.runtime, drives it on the real clock; `deskguard simulate` drives the
same session on a simulated one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from deskguard import __version__
from deskguard.core import carry_over as carry_rules
from deskguard.core.day import seconds_until_tomorrow, walk_suggestion_due
from deskguard.core.decisions import (
    ActionRejected,
    CloseReminder,
    Decision,
    Deferred,
    Instant,
    Policy,
    Remind,
    SittingEnded,
    State,
)
from deskguard.core.presence import PresenceLog
from deskguard.core.reminder_text import reminder_text
from deskguard.core.selection import ExerciseRotation
from deskguard.core.tracker import SittingTracker
from deskguard.daemon.config import DaemonConfig
from deskguard.errors import UserError
from deskguard.ipc.status import Status
from deskguard.model import plain
from deskguard.store.errors import HistoryError

if TYPE_CHECKING:
    from pathlib import Path

    from deskguard.daemon.adapters import Adapters
    from deskguard.model.exercise import Exercise

log = logging.getLogger("deskguard")
T = TypeVar("T")

# Starts the debug line each activity tick logs (`deskguard run -v`).
TICK_LOG_PREFIX = "tick: "

UserAction = Literal["stretch", "snooze", "skip", "dismiss", "pause", "resume", "routine-finished"]


def _iso_or_none(seconds_from_now: float | None, now: Instant) -> str | None:
    if seconds_from_now is None or seconds_from_now == float("inf"):
        return None
    return (now.wall + timedelta(seconds=seconds_from_now)).isoformat(timespec="seconds")


@dataclass
class Listeners:
    """Who hears of the session's changes (all called on the event loop)."""

    status: list[Callable[[Status], None]] = field(default_factory=list)
    # The moment (boot clock) the next reminder falls due changed: the runtime moves its
    # reminder job, a simulation its next tick.
    due: list[Callable[[float | None], None]] = field(default_factory=list)
    # Every batch of decisions, as the tracker made them (a simulation's timeline).
    decisions: list[Callable[[Instant, list[Decision]], None]] = field(default_factory=list)
    # A break was accepted: the runtime opens the quick routine window, beginning with
    # the exercise the answered reminder named (None: no reminder named one).
    stretch: list[Callable[[str | None], None]] = field(default_factory=list)


class Session:
    """One user's sitting day, on one event loop. Call `start()` first, `finish()` last."""

    def __init__(
        self, config: DaemonConfig, adapters: Adapters, clock: Callable[[], Instant]
    ) -> None:
        self.config = config
        self.adapters = adapters
        self.clock = clock
        self.listen = Listeners()
        self.tracker = SittingTracker(
            Policy.of(config.settings), ExerciseRotation(config.candidates), clock()
        )
        self.locked = False
        self.last_idle = 0.0
        self._serial = asyncio.Lock()
        self._reminder_id: int | None = None
        self._presence = PresenceLog()
        self._recorded_part = 0.0  # of a carried-over stretch, already in the history
        self._saved: carry_rules.SaveMark | None = None
        self._walk_suggested_on: date | None = None
        self._activity_warned = False
        # The last idle time a source gave, and when (monotonic): the base while it is away.
        self._idle_at_last_reading = 0.0
        self._idle_read_at = clock().monotonic
        self._published_state: str | None = None

    # -- start and finish -----------------------------------------------------------

    async def start(self) -> None:
        """Tell the user what start-up found, and carry on a stretch from before a restart."""
        for title, note in self.adapters.notes:  # told once, when it happened
            log.warning("%s", note)
            await self.tell_user(title, note)
        store = self.adapters.sitting
        saved = store.load()
        natural_break = self.config.settings.reminder.natural_break
        resumed = carry_rules.carried_sitting(saved, self.clock(), natural_break, store.boot)
        if resumed > 0 and saved is not None:
            self.tracker.restore_sitting(resumed)
            self._recorded_part = saved.recorded_seconds
            log.info("carrying on a sitting stretch of %.0f s from before the restart", resumed)

    async def finish(self) -> None:
        """Close the reminder, write what is not in the history yet, save the stretch."""
        async with self._serial:
            at, tracker = self.clock(), self.tracker
            if self._reminder_id is not None:
                self._write(
                    self.adapters.history.record_outcome, self._reminder_id, "dismissed", at.wall
                )
                await self.adapters.notifier.close()
            unrecorded = tracker.sitting_seconds - self._recorded_part
            if unrecorded > 0:
                self._write(self.adapters.history.record_sitting, at.wall, unrecorded)
            with contextlib.suppress(OSError):
                self.adapters.sitting.save(tracker.sitting_seconds, at, tracker.sitting_seconds)
            self._presence_reading(at, leaving=True)

    # -- inputs ---------------------------------------------------------------------

    async def tick(self) -> None:
        """Read the user's idle time and let the tracker decide."""
        from deskguard.platform.focus import busy_reasons

        idle = await self._read_idle()
        # Asking the focus signals is most of a tick's cost, and they only matter at the
        # moment a reminder falls due (or while it waits for the user to be free).
        due = self.tracker.reminder_due(self.clock())
        busy = await busy_reasons(self.adapters.focus) if due else ()
        async with self._serial:
            at = self.clock()
            await self._act(self.tracker.observe(at, idle, self.locked, busy), at)
            self._presence_reading(at)
            self._save_sitting(at)
            log.debug(
                "%sidle %.0f s, sitting %.0f s%s",
                TICK_LOG_PREFIX,
                idle,
                self.tracker.sitting_seconds,
                f", busy: {', '.join(busy)}" if busy else "",
            )

    async def lock_changed(self, locked: bool) -> None:
        self.locked = locked
        await self.tick()

    async def sleep_changed(self, sleeping: bool) -> None:
        async with self._serial:
            at = self.clock()
            tracker = self.tracker
            await self._act(tracker.suspended(at) if sleeping else tracker.resumed(at), at)

    async def user_action(self, name: UserAction, seconds: float | None = None) -> list[Decision]:
        """Apply one user action (a notification button, the CLI, the tray); UserError when
        it makes no sense now."""
        async with self._serial:
            at = self.clock()
            try:
                decisions = self._apply(name, at, seconds)
            except ActionRejected as exc:
                raise UserError(str(exc)) from None
            await self._act(decisions, at)
        if name == "stretch":
            named = next((d.exercise for d in decisions if isinstance(d, CloseReminder)), None)
            for listener in self.listen.stretch:
                listener(named)
        return decisions

    def _apply(self, name: UserAction, at: Instant, seconds: float | None) -> list[Decision]:
        tracker = self.tracker
        if name in ("snooze", "pause"):
            return (tracker.snooze if name == "snooze" else tracker.pause)(at, seconds)
        act = {
            "stretch": tracker.accept,
            "skip": tracker.skip,
            "dismiss": tracker.dismiss,
            "resume": tracker.resume,
            "routine-finished": tracker.routine_finished,
        }[name]
        return act(at)

    def seconds_until_tomorrow(self) -> float:
        """For "pause until tomorrow": until the next working day starts."""
        return seconds_until_tomorrow(self.tracker.policy.working_hours, self.clock().wall)

    async def routine_started(self, kind: str, steps_total: int) -> int:
        """Record a routine the user started. One started while a reminder waits for an
        answer (from the tray, `deskguard routine`) is the answer: the reminder is
        accepted and closed, without opening a second routine."""
        async with self._serial:
            at = self.clock()
            if self.tracker.state(at).value == "reminding":
                await self._act(self.tracker.accept(at), at)
        return self.adapters.history.start_routine(self.clock().wall, kind, steps_total)

    async def routine_progress(self, routine_id: int, steps_done: int, finished: bool) -> None:
        """Record a routine's progress; a finished one counts as a break. UserError for a
        routine that is not under way (unknown, or finished already): it is no break."""
        at = self.clock()
        # A routine lasts minutes; one begun before yesterday is not under way any more.
        under_way = self.adapters.history.routines(at.wall.date() - timedelta(days=1))
        if not any(row.id == routine_id and row.finished_at is None for row in under_way):
            raise UserError("bad request", f"no routine {routine_id} is under way")
        self.adapters.history.routine_progress(
            routine_id, steps_done, at.wall if finished else None
        )
        if finished:
            await self.user_action("routine-finished")

    def apply_config(self, config: DaemonConfig) -> None:
        """A reloaded configuration; the sitting stretch and pending actions carry over."""
        self.config = config
        self.tracker.update_policy(Policy.of(config.settings))
        self.tracker.rotation = ExerciseRotation(config.candidates, last=self.tracker.rotation.last)
        self._due_changed()
        self.publish_status()  # the limit may have changed, and the ring with it

    async def end_of_day(self) -> None:
        """The day's summary, sent only when the user was at the computer that day."""
        from deskguard.stats import day_notice, read_rows, summarize

        if not self.config.settings.walking.end_of_day_summary:
            return
        async with self._serial:
            at = self.clock()
            self._presence_reading(at, leaving=True)  # count the span still going on
            self._presence_reading(at)
            today = at.wall.date()
            rows = read_rows(self.adapters.history, today)
            goal = self.config.settings.walking.daily_goal_km
            notice = day_notice(summarize(rows, today, today, goal).days[0])
        if notice is not None:
            await self.tell_user(*notice)

    # -- what the outside sees ------------------------------------------------------

    def status(self) -> Status:
        at = self.clock()
        snap = self.tracker.snapshot(at)
        reminder = self.config.settings.reminder
        return Status(
            state=snap.state.value,
            sitting_seconds=round(snap.sitting_seconds, 1),
            next_reminder_in_seconds=(
                None if snap.next_reminder_in is None else round(snap.next_reminder_in, 1)
            ),
            snoozed_until=_iso_or_none(snap.snoozed_for, at),
            paused_until=_iso_or_none(snap.paused_for, at),
            activity_source=self.adapters.activity.name,
            notifier=self.adapters.notifier.name,
            pending_exercise=snap.pending_exercise,
            pending_exercise_name=self._exercise_name(snap.pending_exercise),
            snoozes_left=snap.snoozes_left,
            deferred_by=snap.deferred_by,
            idle_seconds=round(self.last_idle, 1),
            locked=self.locked,
            config_file=str(self.config.paths.config_file),
            sit_limit_seconds=reminder.sit_limit,
            snooze_seconds=reminder.snooze,
            pid=os.getpid(),
            version=__version__,
            config=plain.encode(self.config.settings),
        )

    def next_due(self) -> float | None:
        """When (boot clock) the next reminder falls due if the user keeps sitting."""
        return self.tracker.next_reminder_at(self.clock())

    def publish_status(self) -> None:
        if self.listen.status:
            status = self.status()
            self._published_state = status.state
            for listener in self.listen.status:
                listener(status)

    async def tell_user(self, title: str, body: str) -> None:
        """A plain notice (not while a reminder is on screen: it would replace it)."""
        from deskguard.platform.notify import Notice

        if self.tracker.state(self.clock()) is not State.REMINDING:
            await self.adapters.notifier.show(Notice(title, body, urgency="normal"))

    # -- acting on decisions --------------------------------------------------------

    async def _act(self, decisions: list[Decision], at: Instant) -> None:
        for decision in decisions:
            if isinstance(decision, Remind):
                await self._show_reminder(decision, at)
            elif isinstance(decision, CloseReminder):
                await self.adapters.notifier.close()
                if self._reminder_id is not None:
                    history = self.adapters.history
                    self._write(
                        history.record_outcome, self._reminder_id, decision.outcome, at.wall
                    )
                    self._reminder_id = None
                log.info("reminder %s", decision.outcome)
            elif isinstance(decision, Deferred):
                self._write(self.adapters.history.record_deferral, at.wall, decision.reasons)
                log.info("reminder deferred: %s", ", ".join(decision.reasons))
            elif isinstance(decision, SittingEnded):
                await self._sitting_ended(decision, at)
        for listener in self.listen.decisions:
            listener(at, decisions)
        self._due_changed()
        # Not on every tick: redrawing the tray's status each time cost more CPU than the
        # rest of an idle hour's work. The runtime's status refresh covers the sitting time.
        if decisions or self.tracker.state(at).value != self._published_state:
            self.publish_status()

    async def _sitting_ended(self, ended: SittingEnded, at: Instant) -> None:
        # Part of a carried-over stretch may be in the history already.
        new_part, self._recorded_part = ended.sat_for - self._recorded_part, 0.0
        if new_part > 0:
            self._write(self.adapters.history.record_sitting, at.wall, new_part)
        if ended.natural:
            log.info("natural break after %.0f s of sitting", ended.sat_for)
            await self._maybe_suggest_walk(at)

    async def _show_reminder(self, remind: Remind, at: Instant) -> None:
        from deskguard.platform.notify import Notice

        exercise = self.config.catalog.exercises.get(remind.exercise or "")
        text = reminder_text(
            sat_seconds=remind.sat_for,
            exercise_name=exercise.name if exercise else None,
            how_to=exercise.summary if exercise else None,
            can_snooze=remind.can_snooze,
            snooze_seconds=self.config.settings.reminder.snooze,
        )
        notifier = self.adapters.notifier
        urgency: Literal["low", "normal"] = "low" if remind.quiet else "normal"
        image = await self._picture(exercise) if exercise else None
        await notifier.show(
            Notice(text.title, text.body, text.actions, urgency=urgency, image=image)
        )
        self._reminder_id = self._write(
            self.adapters.history.record_reminder,
            at.wall,
            remind.exercise,
            remind.sat_for,
            notifier.name,
        )
        log.info("reminder: %s (via %s)", remind.exercise or "walk", notifier.name)

    async def _picture(self, exercise: Exercise) -> Path | None:
        """The exercise's picture for a notice, drawn on first use (off the event loop);
        None when it has no figure or the cache cannot be written: the text still goes."""
        folder = self.config.paths.pictures
        if exercise.figure is None or folder is None:
            return None
        from deskguard.pictures.cache import cached_picture

        try:
            return await asyncio.to_thread(cached_picture, exercise, folder)
        except (OSError, ValueError) as exc:
            log.warning("reminder goes without its picture: %s", exc)
            return None

    def _exercise_name(self, exercise_id: str | None) -> str | None:
        exercise = self.config.catalog.exercises.get(exercise_id or "")
        return exercise.name if exercise else None

    async def _maybe_suggest_walk(self, at: Instant) -> None:
        """Once a day, a break that starts around midday gets a walk suggestion."""
        from deskguard.stats import lunch_walk_notice, read_rows, summarize

        if not walk_suggestion_due(at.wall, self._walk_suggested_on):
            return
        today = self._walk_suggested_on = at.wall.date()
        goal = self.config.settings.walking.daily_goal_km
        rows = read_rows(self.adapters.history, today)
        walked = summarize(rows, today, today, goal).days[0].figures.walk_km
        if walked < goal:
            await self.tell_user(*lunch_walk_notice(goal, walked))

    def _due_changed(self) -> None:
        due = self.next_due()
        for listener in self.listen.due:
            listener(due)

    # -- bookkeeping ------------------------------------------------------------------

    async def _read_idle(self) -> float:
        from deskguard.platform.activity import ActivityUnavailable

        try:
            self.last_idle = await self.adapters.activity.idle_seconds()
            self._idle_read_at = self.clock().monotonic
            self._activity_warned = False
        except ActivityUnavailable as exc:
            # The source's server is away (its adapter logged that and is reconnecting).
            # No input is known since the last reading, so the idle time goes on from
            # there: a short gap changes nothing, a long one reads as time away rather
            # than as the user sitting at a screen nobody can see.
            if not self._activity_warned:
                log.debug("cannot read idle time (%s); no input seen since the last reading", exc)
                self._activity_warned = True
            self.last_idle = self._idle_at_last_reading + (
                self.clock().monotonic - self._idle_read_at
            )
            return self.last_idle
        self._idle_at_last_reading = self.last_idle
        return self.last_idle

    def _presence_reading(self, at: Instant, leaving: bool = False) -> None:
        span = self._presence.reading(
            at, self.tracker.present, self.last_idle, self.locked, leaving=leaving
        )
        if span is not None:
            self._write(
                self.adapters.history.record_presence, span.started, span.ended, span.seconds
            )

    def _save_sitting(self, at: Instant) -> None:
        """Keep the sitting stretch for a restart (when: core.carry_over.save_due)."""
        tracker = self.tracker
        if not carry_rules.save_due(self._saved, tracker.sitting_seconds, tracker.present, at):
            return
        try:
            self.adapters.sitting.save(tracker.sitting_seconds, at)
        except (OSError, ValueError) as exc:
            log.debug("could not save the sitting time: %s", exc)
            return
        self._saved = carry_rules.SaveMark(tracker.sitting_seconds, tracker.present, at.boottime)

    def _write(self, write: Callable[..., T], *args: Any) -> T | None:
        """A history write that cannot take the daemon down (a full disk, a broken file):
        the reminder still works; what could not be written is logged."""
        try:
            return write(*args)
        except (HistoryError, sqlite3.Error, ValueError) as exc:
            log.error("could not write to the history (%s): %s", write.__name__, exc)
            return None
