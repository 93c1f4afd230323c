"""The daemon: wires the scheduler, the sitting tracker, the adapters and the control socket.

Threads: the main thread waits (or runs the tray); APScheduler's thread only hands work
to the event-loop thread, which owns the tracker, the history and every D-Bus adapter.
Policy lives in the core; this module reads inputs, asks the core, and acts.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from deskguard import __version__
from deskguard.core.durations import LONGEST
from deskguard.core.reminder_text import ACTION_SKIP, ACTION_SNOOZE, ACTION_STRETCH, reminder_text
from deskguard.core.schedule import WorkingHours
from deskguard.core.selection import ExerciseRotation
from deskguard.core.tracker import (
    SLEEP_NOISE,
    ActionRejected,
    CloseReminder,
    Decision,
    Deferred,
    Instant,
    Remind,
    SittingEnded,
    SittingTracker,
    State,
)
from deskguard.daemon import carry_over, sdnotify
from deskguard.daemon.adapters import Adapters, close_all, open_adapters
from deskguard.daemon.clock import read_instant, wall_time_of
from deskguard.daemon.config import DaemonConfig
from deskguard.daemon.config import load_async as load_config
from deskguard.daemon.control import ControlServer
from deskguard.daemon.instance import InstanceLock
from deskguard.errors import UserError
from deskguard.ipc import Request

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler


log = logging.getLogger("deskguard")
T = TypeVar("T")

TICK_JOB = "activity-tick"
DUE_JOB = "reminder-due"
ROLLOVER_JOB = "day-rollover"
WATCHDOG_JOB = "watchdog"
STATUS_JOB = "status-refresh"
END_OF_DAY_JOB = "end-of-day"
# Breaks starting in this window get a walk suggestion (the lunch break, on most days).
LUNCH_START, LUNCH_END = clock_time(11, 0), clock_time(14, 30)
DEFAULT_END_OF_DAY = clock_time(18, 0)
# Fire the due job a hair after the due moment, so the tracker sees the limit reached.
DUE_SLACK = timedelta(milliseconds=50)
# A due job this close to the new due moment is left where it is.
DUE_SLACK_MAX = 0.2
# Starts the debug line each activity tick logs (`deskguard run -v`).
TICK_LOG_PREFIX = "tick: "
# How often a sitting stretch that goes on is saved for a restart (seconds).
SITTING_SAVE_EVERY = 60.0


@dataclass(frozen=True)
class _Saved:
    """What the sitting file last said."""

    sitting_seconds: float
    present: bool
    boottime: float


def _seconds_arg(args: dict[str, Any], key: str) -> float | None:
    value = args.get(key)
    if value is None:
        return None
    # `not 0 < value <= LONGEST` is also true for NaN.
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= LONGEST:
        raise UserError("bad request", f"{key} must be a number of seconds from 1 to {LONGEST}")
    return float(value)


def _int_arg(args: dict[str, Any], key: str, minimum: int = 0) -> int:
    value = args.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise UserError("bad request", f"{key} must be a whole number of at least {minimum}")
    return value


ROUTINE_KINDS = ("quick", "full", "custom")
ROUTINE_EVENTS = ("started", "step", "finished", "stopped")


def _iso_or_none(seconds_from_now: float | None, now: Instant) -> str | None:
    if seconds_from_now is None or seconds_from_now == float("inf"):
        return None
    return (now.wall + timedelta(seconds=seconds_from_now)).isoformat(timespec="seconds")


class Daemon:
    """One running deskguard. `run()` blocks until stopped."""

    def __init__(
        self,
        config: DaemonConfig,
        config_path: Path | None = None,
        overrides: dict[str, Any] | None = None,
        clock: Callable[[], Instant] = read_instant,
    ) -> None:
        self.config = config
        self.config_path = config_path  # --config PATH, else the usual files
        self.paths = config.paths  # those of the first config: a reload does not move them
        self.overrides = overrides or {}
        self.clock = clock
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_quiet_about_lost_buses)
        self._loop_thread = threading.Thread(target=self._loop.run_forever, name="deskguard-io")
        self._stop_requested = threading.Event()
        self._serial = asyncio.Lock()
        self._scheduler: BackgroundScheduler | None = None
        self._adapters: Adapters | None = None
        self._control: ControlServer | None = None
        self._tracker: SittingTracker | None = None
        self._reminder_id: int | None = None
        self._present_since: Instant | None = None
        self._recorded_part = 0.0
        self._last_reading: Instant | None = None
        self._walk_suggested_on: date | None = None
        self._children: set[asyncio.Future[int]] = set()
        self._locked = False
        self._last_idle = 0.0
        self._activity_warned = False
        self._last_tick_done = time.monotonic()
        self._saved: _Saved | None = None
        self._published_state: str | None = None  # the state listeners were last told
        self._instance_lock = InstanceLock(self.paths.runtime_dir)
        # Told (from the event loop) about every new status, e.g. the tray icon.
        self._status_listeners: list[Callable[[dict[str, Any]], None]] = []
        self._on_stop: list[Callable[[], None]] = []

    # -- main thread ----------------------------------------------------------------

    def run(self) -> None:
        """Start, wait for a stop request (signal or `deskguard stop`), shut down."""
        # Before start-up: a SIGTERM that comes as soon as the socket answers must still
        # mean a clean stop, not the default sudden death.
        self._install_signal_handlers()
        self.start()
        # Start-up leaves garbage and long-lived objects behind: collect the one, and keep
        # the other out of every later collection (less memory, and less CPU all day).
        gc.collect()
        gc.freeze()
        try:
            sdnotify.ready()
            log.info("deskguard %s running (pid %d)", __version__, os.getpid())
            if not (self.config.tray and self._run_tray()):
                # No timeout: a signal still interrupts the wait (its handler sets the
                # event), and an idle daemon must not wake every second for nothing.
                self._stop_requested.wait()
        finally:
            self.shutdown()

    def _run_tray(self) -> bool:
        """Run the tray icon on this (main) thread until stopped; False if there is no tray."""
        from deskguard.tray.app import start_tray

        tray = start_tray(_TrayController(self), log)
        if tray is None:
            return False
        self._status_listeners.append(tray.update)
        self._on_stop.append(tray.stop)
        if self._stop_requested.is_set():  # a signal came before the tray could hear it
            tray.stop()
        tray.update(self.call(self._status_now()))
        tray.run()
        # The tray loop can also end on its own (the X connection broke): carry on without.
        self._stop_requested.wait()
        return True

    async def _status_now(self) -> dict[str, Any]:
        return self.status()

    async def _publish_status_now(self) -> None:
        self._publish_status()

    def start(self, schedule: bool = True) -> None:
        """Take the instance lock, open the adapters and (unless told not to) start the jobs.

        Tests that drive the clock themselves pass schedule=False and call `tick()`.
        """
        self._instance_lock.acquire()
        self._loop_thread.start()
        try:
            self._submit(self._start()).result()
            if schedule:
                self._start_scheduler()
        except BaseException:
            self.shutdown()
            raise

    def shutdown(self) -> None:
        """Stop the jobs, close the reminder, flush the history, release everything."""
        sdnotify.stopping()
        log.info("stopping")
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        try:
            if self._loop_thread.is_alive():
                self._submit(self._finish()).result(timeout=15)
        except Exception:
            log.exception("could not finish cleanly")  # still stop: never hang on the way out
        finally:
            if self._loop_thread.is_alive():
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._loop_thread.join(timeout=5)
            self._instance_lock.release()

    def call(self, work: Coroutine[Any, Any, Any], timeout: float = 30) -> Any:
        """Run `work` on the daemon's event loop and wait for its result (tests, tray)."""
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)

    def request_stop(self) -> None:
        self._stop_requested.set()
        for stop in self._on_stop:
            stop()

    def _install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.request_stop())
        signal.signal(signal.SIGINT, lambda *_: self.request_stop())
        signal.signal(signal.SIGHUP, lambda *_: self._submit(self._reload_quietly()))

    def _submit(self, work: Coroutine[Any, Any, Any]) -> Future[Any]:
        """Run `work` on the event loop from any thread; failures are logged."""
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        future.add_done_callback(_log_failure)
        return future

    def _start_scheduler(self) -> None:
        from apscheduler.executors.debug import DebugExecutor
        from apscheduler.schedulers.background import BackgroundScheduler

        # coalesce + a short grace: after a suspend or a clock jump a missed job runs
        # once at most, never once per missed interval. Every job only hands work to the
        # event loop, so it runs on the scheduler's own thread (DebugExecutor: "directly")
        # rather than waking a pool thread for it: one thread and wake-up less per tick.
        self._scheduler = BackgroundScheduler(
            executors={"default": DebugExecutor()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        )
        self._scheduler.add_job(
            self._tick_from_scheduler, "interval", seconds=self.config.poll, id=TICK_JOB
        )
        self._scheduler.add_job(
            self._tick_from_scheduler, "cron", hour=0, minute=0, id=ROLLOVER_JOB
        )
        self._schedule_end_of_day()
        # Decisions and changes of state reach the tray at once (`_act`); the sitting time
        # creeping on reaches it with this refresh.
        self._scheduler.add_job(
            lambda: self._submit(self._publish_status_now()),
            "interval",
            seconds=status_refresh_seconds(self.config.sit_limit),
            id=STATUS_JOB,
        )
        interval = sdnotify.watchdog_interval()
        if interval:
            self._scheduler.add_job(
                lambda: self._submit(self._watchdog()),
                "interval",
                seconds=interval / 2,
                id=WATCHDOG_JOB,
            )
        self._scheduler.start()
        self._submit(self._reschedule_due())

    def _schedule_end_of_day(self) -> None:
        """One job per working period's end (they follow `schedule.active` on reload)."""
        scheduler = self._scheduler
        if scheduler is None:
            return
        for job in scheduler.get_jobs():
            if job.id.startswith(END_OF_DAY_JOB):
                job.remove()
        for number, trigger in enumerate(end_of_day_triggers(self.config)):
            scheduler.add_job(
                lambda: self._submit(self._end_of_day()),
                "cron",
                id=f"{END_OF_DAY_JOB}-{number}",
                **trigger,
            )

    def _tick_from_scheduler(self) -> None:
        self._submit(self.tick())

    # -- event loop: start and finish -----------------------------------------------

    async def _start(self) -> None:
        self._adapters = await open_adapters(self.config, self._on_action, self._on_dismissed)
        start = self.clock()
        self._tracker = SittingTracker(self.config.policy(), self._rotation(), start)
        for note in self._adapters.notes:  # told once, when it happened
            log.warning("%s", note)
            await self._tell_user("deskguard started a new history", note)
        saved = carry_over.load(self.paths.sitting)
        resumed = carry_over.carried_sitting(saved, start, self.config.natural_break)
        if resumed > 0 and saved is not None:
            self._tracker.restore_sitting(resumed)
            self._recorded_part = saved.recorded_seconds
            log.info("carrying on a sitting stretch of %.0f s from before the restart", resumed)
        if self._adapters.session is not None:
            await self._adapters.session.start(self._on_lock, self._on_sleep)
        self._control = ControlServer(self.paths.control_socket, self.handle)
        await self._control.start()
        log.info(
            "activity source: %s; notifications: %s; control socket: %s",
            self._adapters.activity.name,
            self._adapters.notifier.name,
            self._control.path,
        )
        await self.tick()

    async def _finish(self) -> None:
        if self._control is not None:
            await self._control.close()
        adapters, tracker = self._adapters, self._tracker
        if adapters is None or tracker is None:
            return
        async with self._serial:
            at = self.clock()
            if self._reminder_id is not None:
                self._write_history(
                    adapters.history.record_outcome, self._reminder_id, "dismissed", at.wall
                )
                await adapters.notifier.close()
            unrecorded = tracker.sitting_seconds - self._recorded_part
            if unrecorded > 0:
                self._write_history(adapters.history.record_sitting, at.wall, unrecorded)
            with contextlib.suppress(OSError):
                carry_over.save(
                    self.paths.sitting, tracker.sitting_seconds, at, tracker.sitting_seconds
                )
            self._track_presence(at, leaving=True)
        await adapters.aclose()

    # -- event loop: the work ---------------------------------------------------------

    @property
    def tracker(self) -> SittingTracker:
        assert self._tracker is not None, "the daemon has not started"
        return self._tracker

    @property
    def adapters(self) -> Adapters:
        assert self._adapters is not None, "the daemon has not started"
        return self._adapters

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
            await self._act(self.tracker.observe(at, idle, self._locked, busy), at)
            self._track_presence(at)
            self._save_sitting(at)
            log.debug(
                "%sidle %.0f s, sitting %.0f s%s",
                TICK_LOG_PREFIX,
                idle,
                self.tracker.sitting_seconds,
                f", busy: {', '.join(busy)}" if busy else "",
            )
        self._last_tick_done = time.monotonic()

    def _save_sitting(self, at: Instant) -> None:
        """Keep the sitting stretch for a restart: when it ends or the user comes or goes,
        else once every SITTING_SAVE_EVERY. Nothing is lost in between: a restart adds the
        time since the save (carry_over.carried_sitting), and writing a file at every
        reading cost more CPU than the rest of the tick."""
        tracker, saved = self.tracker, self._saved
        if (
            saved is not None
            and tracker.present == saved.present
            and tracker.sitting_seconds >= saved.sitting_seconds
            and at.boottime - saved.boottime < SITTING_SAVE_EVERY
        ):
            return
        try:
            carry_over.save(self.paths.sitting, tracker.sitting_seconds, at)
        except OSError as exc:
            log.debug("could not save the sitting time: %s", exc)
            return
        self._saved = _Saved(tracker.sitting_seconds, tracker.present, at.boottime)

    def _track_presence(self, at: Instant, leaving: bool = False) -> None:
        """Record each span the user was at the computer when it ends (or at shutdown).

        A sleep between two readings ends the span at the reading before it.
        """
        last, self._last_reading = self._last_reading, at
        slept = (
            last is not None
            and (at.boottime - at.monotonic) - (last.boottime - last.monotonic) > SLEEP_NOISE
        )
        since = self._present_since
        if since is not None and (slept or leaving or not self.tracker.present):
            end = last if slept and last is not None else at
            # Gone because of no input: the user left at their last input, not now.
            gone_for = 0.0 if slept or leaving or self._locked else self._last_idle
            span = max(0.0, end.boottime - since.boottime - gone_for)
            seconds = min(span, max(0.0, end.monotonic - since.monotonic - gone_for))
            ended = end.wall - timedelta(seconds=gone_for)
            # From the boot clock, not since.wall: the wall clock may have been set back.
            started = ended - timedelta(seconds=span)
            self._write_history(self.adapters.history.record_presence, started, ended, seconds)
            self._present_since = None
        if self.tracker.present and not leaving and self._present_since is None:
            self._present_since = at

    async def _read_idle(self) -> float:
        from deskguard.platform.activity import ActivityUnavailable

        try:
            self._last_idle = await self.adapters.activity.idle_seconds()
            self._activity_warned = False
        except ActivityUnavailable as exc:
            if not self._activity_warned:
                log.warning("cannot read idle time (%s); counting the user as active", exc)
                self._activity_warned = True
            self._last_idle = 0.0
        return self._last_idle

    async def _act(self, decisions: list[Decision], at: Instant) -> None:
        for decision in decisions:
            if isinstance(decision, Remind):
                await self._show_reminder(decision, at)
            elif isinstance(decision, CloseReminder):
                await self.adapters.notifier.close()
                if self._reminder_id is not None:
                    history = self.adapters.history
                    self._write_history(
                        history.record_outcome, self._reminder_id, decision.outcome, at.wall
                    )
                    self._reminder_id = None
                log.info("reminder %s", decision.outcome)
            elif isinstance(decision, Deferred):
                self._write_history(
                    self.adapters.history.record_deferral, at.wall, decision.reasons
                )
                log.info("reminder deferred: %s", ", ".join(decision.reasons))
            elif isinstance(decision, SittingEnded):
                # Part of a carried-over stretch may be in the history already.
                new_part, self._recorded_part = decision.sat_for - self._recorded_part, 0.0
                if new_part > 0:
                    self._write_history(self.adapters.history.record_sitting, at.wall, new_part)
                if decision.natural:
                    log.info("natural break after %.0f s of sitting", decision.sat_for)
                    await self._maybe_suggest_walk(at)
        await self._reschedule_due()
        # Not on every tick: redrawing the tray's status each time cost more CPU than the
        # rest of an idle hour's work. The status refresh job covers the sitting time.
        if decisions or self.tracker.state(at).value != self._published_state:
            self._publish_status()

    def _write_history(self, write: Callable[..., T], *args: Any) -> T | None:
        """A history write that cannot take the daemon down (a full disk, a broken file):
        the reminder still works; what could not be written is logged."""
        try:
            return write(*args)
        except (sqlite3.Error, ValueError) as exc:
            log.error("could not write to the history (%s): %s", write.__name__, exc)
            return None

    def _publish_status(self) -> None:
        if self._status_listeners:
            status = self.status()
            self._published_state = status["state"]
            for listener in self._status_listeners:
                listener(status)

    async def _show_reminder(self, remind: Remind, at: Instant) -> None:
        from deskguard.platform.notify import Notice

        exercise = self.config.exercises.get(remind.exercise or "")
        text = reminder_text(
            sat_seconds=remind.sat_for,
            exercise_name=exercise.name if exercise else None,
            how_to=exercise.summary if exercise else None,
            can_snooze=remind.can_snooze,
            snooze_seconds=self.config.snooze,
        )
        notifier = self.adapters.notifier
        urgency: Literal["low", "normal"] = "low" if remind.quiet else "normal"
        await notifier.show(Notice(text.title, text.body, text.actions, urgency=urgency))
        self._reminder_id = self._write_history(
            self.adapters.history.record_reminder,
            at.wall,
            remind.exercise,
            remind.sat_for,
            notifier.name,
        )
        log.info("reminder: %s (via %s)", remind.exercise or "walk", notifier.name)

    async def _reschedule_due(self) -> None:
        """Put the one-shot reminder job at the moment the tracker says one falls due."""
        scheduler = self._scheduler
        if scheduler is None or self._tracker is None:
            return
        at = self.clock()
        due = self.tracker.next_reminder_at(at)
        if due is None:
            if scheduler.get_job(DUE_JOB) is not None:
                scheduler.remove_job(DUE_JOB)
            return
        run_date = wall_time_of(due, at) + DUE_SLACK
        job = scheduler.get_job(DUE_JOB)
        if job is not None and abs((job.next_run_time - run_date).total_seconds()) < DUE_SLACK_MAX:
            return  # already there: most ticks change nothing, and re-adding costs CPU
        scheduler.add_job(
            self._tick_from_scheduler, "date", run_date=run_date, id=DUE_JOB, replace_existing=True
        )

    async def _watchdog(self) -> None:
        # Ping only while ticks complete: a stuck tick makes systemd restart the daemon.
        alive_for = max(3.0 * self.config.poll, (sdnotify.watchdog_interval() or 0))
        if time.monotonic() - self._last_tick_done < alive_for:
            sdnotify.watchdog()

    async def user_action(self, name: str, seconds: float | None = None) -> list[Decision]:
        """Apply one user action (from a notification button, the CLI or the tray)."""
        async with self._serial:
            at = self.clock()
            tracker = self.tracker
            actions: dict[str, Callable[[], list[Decision]]] = {
                ACTION_STRETCH: lambda: tracker.accept(at),
                ACTION_SNOOZE: lambda: tracker.snooze(at, seconds),
                ACTION_SKIP: lambda: tracker.skip(at),
                "dismiss": lambda: tracker.dismiss(at),
                "pause": lambda: tracker.pause(at, seconds),
                "resume": lambda: tracker.resume(at),
                "routine-finished": lambda: tracker.routine_finished(at),
            }
            try:
                decisions = actions[name]()
            except ActionRejected as exc:
                raise UserError(str(exc)) from None
            await self._act(decisions, at)
        if name == ACTION_STRETCH:
            await self._open_quick_routine()
        return decisions

    async def _open_quick_routine(self) -> None:
        """Accepting a break opens the quick routine window (its own process), given a screen."""
        if not self.config.window_on_break:
            return
        if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            return
        # The window must not speak for the daemon to systemd.
        env = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "WATCHDOG_"))}
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "deskguard.routine",
                "--quick",
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            log.warning("could not open the routine window: %s", exc)
            return
        log.info("routine window opened (pid %d)", process.pid)
        waiting = asyncio.ensure_future(process.wait())  # reaps it when it exits
        self._children.add(waiting)
        waiting.add_done_callback(self._children.discard)

    # -- callbacks from adapters (may come from any thread) -----------------------------

    def _on_action(self, key: str) -> None:
        if key not in (ACTION_STRETCH, ACTION_SNOOZE, ACTION_SKIP):
            log.warning("ignoring unknown notification action %r", key)
            return
        self._submit(self._notification_action(key))

    def _on_dismissed(self) -> None:
        self._submit(self._notification_action("dismiss"))

    async def _notification_action(self, key: str) -> None:
        try:
            await self.user_action(key)
        except UserError as exc:
            log.warning("%s", exc)

    def _on_lock(self, locked: bool) -> None:
        self._locked = locked
        self._submit(self.tick())

    def _on_sleep(self, sleeping: bool) -> None:
        self._submit(self._sleep_changed(sleeping))

    async def _sleep_changed(self, sleeping: bool) -> None:
        async with self._serial:
            at = self.clock()
            tracker = self.tracker
            await self._act(tracker.suspended(at) if sleeping else tracker.resumed(at), at)

    # -- control requests -----------------------------------------------------------------

    async def handle(self, request: Request) -> dict[str, Any]:
        cmd, args = request.cmd, request.args
        if cmd == "status":
            return self.status()
        if cmd == "pause" and args.get("until") == "tomorrow":
            await self.user_action(cmd, self._seconds_until_tomorrow())
        elif cmd in ("snooze", "pause"):
            await self.user_action(cmd, _seconds_arg(args, "seconds"))
        elif cmd == "break":
            await self.user_action(ACTION_STRETCH)
        elif cmd in ("skip", "resume"):
            await self.user_action(cmd)
        elif cmd == "routine-progress":
            return await self._routine_progress(args)
        elif cmd == "reload":
            await self.reload()
        elif cmd == "stop":
            self._loop.call_later(0.1, self.request_stop)
            return {"stopping": True}
        else:
            raise UserError("not supported", f"the daemon cannot do {cmd!r} yet")
        return self.status()

    def _seconds_until_tomorrow(self) -> float:
        """Until the next working period starts on a later day (or the next midnight)."""
        now = self.clock().wall
        start = self.tracker.policy.working_hours.next_start(now)
        if start is None:
            midnight = datetime.min.time()
            start = datetime.combine(now.date() + timedelta(days=1), midnight, now.tzinfo)
        return max(1.0, (start - now).total_seconds())

    async def _routine_progress(self, args: dict[str, Any]) -> dict[str, Any]:
        """Record a routine run by the player; a finished one counts as a break."""
        event = args.get("event")
        if event not in ROUTINE_EVENTS:
            raise UserError("bad request", f"event must be one of {', '.join(ROUTINE_EVENTS)}")
        history, now = self.adapters.history, self.clock()
        if event == "started":
            kind = args.get("kind")
            if kind not in ROUTINE_KINDS:
                raise UserError("bad request", f"kind must be one of {', '.join(ROUTINE_KINDS)}")
            steps_total = _int_arg(args, "steps_total", minimum=1)
            return {"routine_id": history.start_routine(now.wall, str(kind), steps_total)}
        routine_id = _int_arg(args, "routine_id", minimum=1)
        steps_done = _int_arg(args, "steps_done")
        finished = now.wall if event == "finished" else None
        history.routine_progress(routine_id, steps_done, finished)
        if finished is not None:
            await self.user_action("routine-finished")
        return self.status()

    def status(self) -> dict[str, Any]:
        at = self.clock()
        snap = self.tracker.snapshot(at)
        return {
            "state": snap.state.value,
            "sitting_seconds": round(snap.sitting_seconds, 1),
            "next_reminder_in_seconds": (
                None if snap.next_reminder_in is None else round(snap.next_reminder_in, 1)
            ),
            "snoozed_until": _iso_or_none(snap.snoozed_for, at),
            "paused_until": _iso_or_none(snap.paused_for, at),
            "activity_source": self.adapters.activity.name,
            "notifier": self.adapters.notifier.name,
            "pending_exercise": snap.pending_exercise,
            "snoozes_left": snap.snoozes_left,
            "deferred_by": list(snap.deferred_by),
            "idle_seconds": round(self._last_idle, 1),
            "locked": self._locked,
            "config_file": str(self.paths.config_file),
            "sit_limit_seconds": self.config.sit_limit,
            "snooze_seconds": self.config.snooze,
            "pid": os.getpid(),
            "version": __version__,
        }

    async def reload(self) -> None:
        """Re-read config and catalog; an invalid config is refused and the old one kept."""
        try:
            config = await load_config(self.config_path, self.overrides)
        except UserError as exc:
            log.error("reload refused, keeping the old configuration:\n%s", exc)
            await self._tell_user("deskguard kept its old configuration", str(exc))
            raise UserError("invalid configuration; the old one is kept", str(exc)) from None
        async with self._serial:
            if config.focus != self.config.focus:
                await self._reopen_focus(config)
            self.config = config
            self.tracker.update_policy(config.policy())
            self.tracker.rotation = self._rotation(last=self.tracker.rotation.last)
            if self._scheduler is not None:
                self._scheduler.reschedule_job(TICK_JOB, trigger="interval", seconds=config.poll)
                self._scheduler.reschedule_job(
                    STATUS_JOB,
                    trigger="interval",
                    seconds=status_refresh_seconds(config.sit_limit),
                )
                self._schedule_end_of_day()
            await self._reschedule_due()
        self._publish_status()  # the limit may have changed, and the ring with it
        log.info("configuration reloaded")

    async def _reopen_focus(self, config: DaemonConfig) -> None:
        from deskguard.platform.focus import open_focus_signals

        await close_all(self.adapters.focus)
        self.adapters.focus = await open_focus_signals(config.focus, log)

    async def _reload_quietly(self) -> None:
        with contextlib.suppress(UserError):  # already logged and shown to the user
            await self.reload()

    async def _maybe_suggest_walk(self, at: Instant) -> None:
        """Once a day, a break that starts around midday gets a walk suggestion."""
        from deskguard.stats import lunch_walk_notice, read_rows, summarize

        today = at.wall.date()
        if self._walk_suggested_on == today or not LUNCH_START <= at.wall.time() < LUNCH_END:
            return
        self._walk_suggested_on = today
        goal = self.config.daily_goal_km
        rows = read_rows(self.adapters.history, today)
        walked = summarize(rows, today, today, goal).days[0].figures.walk_km
        if walked < goal:
            await self._tell_user(*lunch_walk_notice(goal, walked))

    async def _end_of_day(self) -> None:
        """The day's summary, sent only when the user was at the computer that day."""
        from deskguard.stats import day_notice, read_rows, summarize

        if not self.config.end_of_day_summary:
            return
        async with self._serial:
            at = self.clock()
            self._track_presence(at, leaving=True)  # count the span still going on
            self._track_presence(at)
            today = at.wall.date()
            rows = read_rows(self.adapters.history, today)
            summary = summarize(rows, today, today, self.config.daily_goal_km)
            notice = day_notice(summary.days[0])
        if notice is not None:
            await self._tell_user(*notice)

    async def _tell_user(self, title: str, body: str) -> None:
        from deskguard.platform.notify import Notice

        if self._adapters is not None and self.tracker.state(self.clock()) is not State.REMINDING:
            await self._adapters.notifier.show(Notice(title, body, urgency="normal"))

    def _rotation(self, last: str | None = None) -> ExerciseRotation:
        return ExerciseRotation(self.config.candidates, last=last)


def status_refresh_seconds(sit_limit: float) -> float:
    """How often the tray's view of the sitting time is refreshed: as often as what it
    shows can change, whole minutes or a step of the ring (at least once a second)."""
    from deskguard.tray.icon import STEPS

    return min(60.0, max(1.0, sit_limit / STEPS))


def end_of_day_triggers(config: DaemonConfig) -> list[dict[str, Any]]:
    """Cron fields for the end-of-day summary: when each working period ends, else 18:00."""
    periods = WorkingHours.parse(config.active).periods
    if not periods:
        return [{"hour": DEFAULT_END_OF_DAY.hour, "minute": DEFAULT_END_OF_DAY.minute}]
    return [
        {
            "day_of_week": ",".join(str(day) for day in sorted(period.days)),
            "hour": period.end.hour,  # "24:00" is parsed as 23:59:59
            "minute": period.end.minute,
        }
        for period in periods
    ]


class _TrayController:
    """What the tray may do with the daemon, from the main thread."""

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon

    def status(self) -> dict[str, Any]:
        status: dict[str, Any] = self._daemon.call(self._daemon._status_now())
        return status

    def command(self, cmd: str, **args: Any) -> dict[str, Any]:
        """Run a control command as if it came over the socket; UserError when refused."""
        result: dict[str, Any] = self._daemon.call(self._daemon.handle(Request(cmd, args)))
        return result


def _quiet_about_lost_buses(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """dbus-fast leaves an unread EOFError behind when the bus goes away; the adapters
    already handle the lost bus (fallbacks, log lines), so it is not worth a traceback."""
    if isinstance(context.get("exception"), EOFError):
        log.debug("a D-Bus connection was closed: %s", context.get("message"))
        return
    loop.default_exception_handler(context)


def _log_failure(future: Future[Any]) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None and not isinstance(error, UserError):
        log.error("background work failed", exc_info=error)
