"""`deskguard simulate`: the daemon's own session, driven by a trace on a simulated clock.

The session (deskguard.daemon.session) is the one the daemon runs, with adapters that
replay the trace instead of asking the desktop: idle time from the current row, a
notifier that shows nothing, the history and the saved stretch in memory (nothing is
written to disk). Ticks come where the daemon's scheduler
puts them: every `poll` seconds and at the moment a reminder falls due, plus one for each
lock or unlock. What the session decides is the timeline this prints.

The cost follows the rows, not the time they span: while a row holds and the tracker says
nothing can change (`SittingTracker.steady_until`), the polls in between are skipped,
since one later reading adds the same time to the sitting or away counters as all of
them. The timeline is the same as with a tick at every poll (`skip_steady=False`, the
reference a test compares against) whenever the sums are exact, as they are for times in
whole or half seconds; other fractions may differ in a float's last digit.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from deskguard.core.decisions import (
    CloseReminder,
    Decision,
    Instant,
    Outcome,
    Remind,
    SittingEnded,
)
from deskguard.core.trace import SimulatedClock, TraceRow
from deskguard.daemon.adapters import Adapters
from deskguard.daemon.carry_over import SittingInMemory
from deskguard.daemon.config import DaemonConfig
from deskguard.daemon.session import Session, UserAction
from deskguard.errors import UserError
from deskguard.platform.activity import GivenIdle

# What became of a reminder, as the timeline calls it.
_CLOSE_KIND = {
    Outcome.ACCEPTED: "accepted",
    Outcome.SNOOZED: "snoozed",
    Outcome.SKIPPED: "skipped",
    Outcome.DISMISSED: "dismissed",
    Outcome.NATURAL_BREAK: "superseded",
}
_ACTIONS: dict[str, UserAction] = {"snooze": "snooze", "accept": "stretch", "skip": "skip"}
_DONE = {"snooze": "snoozed", "accept": "accepted"}
# Moments computed from sums of floats can be off by a rounding: the poll just before one
# is read too, which costs a tick and can never skip one that matters.
_EARLY = 1e-3

Event = dict[str, Any]


class _NoScreen:
    """Shows nothing: the timeline records what the session decided."""

    name = "simulate"
    supports_actions = True  # as a desktop's notification server: the trace answers

    async def show(self, notice: Any) -> None:
        pass

    async def close(self) -> None:
        pass

    async def aclose(self) -> None:
        pass


class Simulation:
    """Feeds trace rows to a session and collects the timeline of what happened."""

    def __init__(
        self,
        config: DaemonConfig,
        start: datetime,
        on_event: Callable[[Event], None] | None = None,
        skip_steady: bool = True,
    ) -> None:
        """`on_event` hears each event as it happens (default: collected in `events`);
        `skip_steady=False` ticks at every poll, as the daemon's scheduler does."""
        from deskguard.store import History

        self.config = config
        self.clock = SimulatedClock(start)
        self.poll = config.settings.activity.poll  # whole seconds: k * poll is exact
        self.skip_steady = skip_steady
        self.events: list[Event] = []
        self._emit = self.events.append if on_event is None else on_event
        self._idle = GivenIdle("trace")
        adapters = Adapters(
            history=History(Path(":memory:")),
            activity=self._idle,
            notifier=_NoScreen(),
            sitting=SittingInMemory(),
        )
        self.session = Session(self.config, adapters, self.clock.instant)
        self.session.listen.decisions.append(self._record)
        self.session.listen.due.append(self._due_moved)
        self._t = 0.0  # trace time of the session's current call
        self._suspended = False
        self._read = False  # whether the session has read the current row (ticked with it)
        self._polls = 0  # polls ticked (or skipped) so far; the next is at _polls * poll
        self._next_poll = 0.0
        self._due = self.session.next_due()
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self.session.start())

    def close(self) -> None:
        self._loop.run_until_complete(self.session.adapters.aclose())
        self._loop.close()

    def run(self, rows: Iterable[TraceRow]) -> list[Event]:
        self._loop.run_until_complete(self._rows(rows))
        return self.events

    async def _rows(self, rows: Iterable[TraceRow]) -> None:
        for row in rows:
            # Most rows of a dense trace fall between two ticks: they only change the reading.
            if min(self._next_poll, self._due_in_trace_time()) < row.time:
                await self._ticks_until(row.time, before_sleep=row.event == "suspend")
            if row.event or row.idle_seconds != self._idle.seconds:
                self._read = False  # the session has yet to read this row
            self._idle.seconds = row.idle_seconds
            if row.event:
                await self._event(row)

    async def _ticks_until(self, end: float, before_sleep: bool) -> None:
        """Tick at each poll and each due reminder before `end`, under the current row,
        skipping the polls at which nothing can change."""
        while True:
            if self.skip_steady and (self._read or self._suspended):
                self._skip_steady_polls(end, before_sleep)
            due = self._due_in_trace_time()
            moment = min(self._next_poll, due)
            if moment >= end:
                return
            if moment == self._next_poll:
                self._polls_done(self._polls + 1)
            await self._tick(max(moment, self.clock.now))

    def _skip_steady_polls(self, end: float, before_sleep: bool) -> None:
        """Once the session has read this row, the polls up to the next row at `end` read
        the same: skip those before the tracker's steady moment.

        The last poll before the next row is read all the same while the user is present
        (the tracker keeps the sitting at the last input from it, which a natural break
        reports) and before a suspend (the presence log ends a span at the reading before
        the machine went to sleep).
        """
        if self._next_poll >= end:
            return  # no poll to skip (the usual case in a dense trace)
        tracker = self.session.tracker
        # While suspended no poll reads anything until a row says `resume`.
        steady = math.inf if self._suspended else tracker.steady_until(self.clock.instant())
        stop = self._first_poll_from(min(steady - _EARLY, end))
        if before_sleep or tracker.present:
            stop = min(stop, self._first_poll_from(end) - 1)
        if stop > self._polls:
            self._polls_done(stop)

    def _first_poll_from(self, moment: float) -> int:
        """The number of the first poll at or after `moment` (a finite time)."""
        polls = max(0, math.ceil(moment / self.poll))
        while polls > 0 and (polls - 1) * self.poll >= moment:  # the division may round up
            polls -= 1
        while polls * self.poll < moment:  # ...or down
            polls += 1
        return polls

    def _polls_done(self, polls: int) -> None:
        self._polls = polls
        self._next_poll = float(polls * self.poll)

    def _due_moved(self, due: float | None) -> None:
        self._due = due

    def _due_in_trace_time(self) -> float:
        """The boot clock of a simulation starts at 0 with the trace: the same seconds."""
        if self._suspended or self._due is None:
            return math.inf
        return self._due

    def _advance(self, t: float) -> Instant:
        self._t = t
        return self.clock.advance_to(t, self._suspended)

    async def _tick(self, t: float) -> None:
        self._advance(t)
        if not self._suspended:
            await self.session.tick()
            self._read = True

    async def _event(self, row: TraceRow) -> None:
        self._advance(row.time)
        event = row.event
        if event in ("lock", "unlock"):
            await self.session.lock_changed(event == "lock")  # a tick: the row is read
            self._read = True
        elif event == "suspend":
            await self.session.sleep_changed(True)
            self._suspended = True
        elif event == "resume":
            self._suspended = False
            await self.session.sleep_changed(False)
            await self.session.tick()
            self._read = True
        else:
            await self._user_action(row.time, event)

    async def _user_action(self, t: float, event: str) -> None:
        try:
            decisions = await self.session.user_action(_ACTIONS[event])
        except UserError as exc:
            self._emit({"t": t, "kind": "rejected", "action": event, "reason": str(exc)})
            return
        if not any(isinstance(d, CloseReminder) for d in decisions):
            # Nothing was pending: the action still happened (a snooze of the next one).
            self._emit({"t": t, "kind": _DONE[event]})

    def _record(self, at: Instant, decisions: list[Decision]) -> None:
        t = self._t
        for decision in decisions:
            if isinstance(decision, Remind):
                self._emit(
                    {
                        "t": t,
                        "kind": "reminder",
                        "exercise": decision.exercise,
                        "can_snooze": decision.can_snooze,
                        "sat_seconds": round(decision.sat_for, 1),
                    }
                )
            elif isinstance(decision, CloseReminder):
                self._emit({"t": t, "kind": _CLOSE_KIND[decision.outcome]})
            elif isinstance(decision, SittingEnded) and decision.natural:
                self._emit(
                    {"t": t, "kind": "natural_break", "sat_seconds": round(decision.sat_for, 1)}
                )
