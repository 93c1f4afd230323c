"""The runtime: the threads, the scheduler, signals, systemd and the control socket around
one `Session` (deskguard.daemon.session), which does the actual work.

Threads: the main thread waits (or runs the tray); APScheduler's thread only hands work
to the event-loop thread, which owns the session, the history and every D-Bus adapter.
The daemon does no network I/O (it runs without TLS: deskguard.daemon.lean); anything
that ever needs the network belongs in a helper process.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import Future
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from deskguard import __version__
from deskguard.core.decisions import Instant
from deskguard.core.reminder_text import ACTIONS
from deskguard.daemon import sdnotify
from deskguard.daemon.adapters import Adapters, close_all, open_adapters
from deskguard.daemon.clock import read_instant, wall_time_of
from deskguard.daemon.coalesce import OneAtATime
from deskguard.daemon.commands import run_command
from deskguard.daemon.config import DaemonConfig
from deskguard.daemon.config import load_async as load_config
from deskguard.daemon.control import ControlServer
from deskguard.daemon.instance import InstanceLock
from deskguard.daemon.jobs import (
    DUE_JOB,
    ROLLOVER_JOB,
    STATUS_JOB,
    TICK_JOB,
    WATCHDOG_JOB,
    configured_triggers,
    new_scheduler,
    reschedule,
)
from deskguard.daemon.routine_window import RoutineWindows
from deskguard.daemon.session import Session
from deskguard.errors import UserError
from deskguard.i18n import _, use_language
from deskguard.i18n.catalog import status_in_language
from deskguard.ipc import Request
from deskguard.ipc.status import Status

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler

    from deskguard.platform.focus import FocusSignal
    from deskguard.tray.app import TrayIcon as Tray

log = logging.getLogger("deskguard")

OpenAdapters = Callable[
    [DaemonConfig, Callable[[str], None], Callable[[], None]], Awaitable[Adapters]
]

# Fire the due job a hair after the due moment, so the tracker sees the limit reached.
DUE_SLACK = timedelta(milliseconds=50)
# A due job this close to the new due moment is left where it is.
DUE_SLACK_MAX = 0.2
# Without a tray, the status nobody shows is still refreshed this often (seconds).
UNSHOWN_STATUS_REFRESH = 60.0
# The quick stretch's picture in a host's menu, which draws it at about 16-24 px.
MENU_PICTURE_SIZE = (48, 48)


class StartFailed(UserError):
    """Start-up failed on something other than a UserError (which says it all itself)."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__("deskguard could not start", f"{type(cause).__name__}: {cause}")


class StopDuringStart(Exception):
    """SIGTERM or SIGINT came while the daemon was still starting."""


class Daemon:
    """One running deskguard. `run()` blocks until stopped."""

    def __init__(
        self,
        config: DaemonConfig,
        config_path: Path | None = None,
        overrides: dict[str, Any] | None = None,
        clock: Callable[[], Instant] = read_instant,
        adapters: OpenAdapters = open_adapters,
    ) -> None:
        self.config = config
        use_language(config.settings.ui.language)
        self.config_path = config_path  # --config PATH, else the usual files
        self.paths = config.paths  # those of the first config: a reload does not move them
        self.overrides = overrides or {}
        self.clock = clock
        self._open_adapters = adapters
        self._loop = asyncio.new_event_loop()
        self._loop.set_exception_handler(_quiet_about_lost_buses)
        # A daemon thread: should the loop ever hang, it must not keep the process alive.
        self._loop_thread = threading.Thread(
            target=self._loop.run_forever, name="deskguard-io", daemon=True
        )
        self._stop_requested = threading.Event()
        self._scheduler: BackgroundScheduler | None = None
        self._session: Session | None = None
        self._control: ControlServer | None = None
        self._tray: Tray | None = None
        self._routine_windows = RoutineWindows()
        self._last_tick_done = time.monotonic()
        self._instance_lock = InstanceLock(self.paths.runtime_dir)
        self._on_stop: list[Callable[[], None]] = []
        self._starting = False  # a stop signal now interrupts start-up (StopDuringStart)
        self._ready = False  # started: control requests are served from now on
        self._shut_down = False
        self._reloads = OneAtATime(self._reload_now)
        self._problem_told: str | None = None  # the last refused reload's, told once

    @property
    def session(self) -> Session:
        assert self._session is not None, "the daemon has not started"
        return self._session

    @property
    def adapters(self) -> Adapters:
        return self.session.adapters

    # -- main thread ----------------------------------------------------------------

    def run(self) -> None:
        """Start, wait for a stop request (signal or `deskguard stop`), shut down."""
        # Before start-up: a SIGTERM that comes while starting, or as soon as the socket
        # answers, must still mean a clean stop, not the default sudden death.
        self._install_signal_handlers()
        try:
            self.start()
        except StopDuringStart:
            log.info("stopped before start-up finished")
            return
        except UserError:
            raise
        except Exception as exc:
            log.debug("start-up failed", exc_info=True)
            raise StartFailed(exc) from exc
        # Start-up leaves garbage and long-lived objects behind: collect the one, and keep
        # the other out of every later collection (less memory, and less CPU all day).
        gc.collect()
        gc.freeze()
        try:
            sdnotify.ready()
            log.info("deskguard %s running (pid %d)", __version__, os.getpid())
            if not (self.config.settings.tray.enabled and self._run_tray()):
                # No timeout: a signal still interrupts the wait (its handler sets the
                # event), and an idle daemon must not wake every second for nothing.
                self._stop_requested.wait()
        finally:
            self.shutdown()

    def _run_tray(self) -> bool:
        """Run the tray icon on this (main) thread until stopped; False if there is no tray."""
        from deskguard.tray.app import start_tray

        tray = start_tray(_TrayController(self), log, self._loop)
        if tray is None:
            return False
        self._tray = tray
        self.call(self._show_status_in(tray))
        self._on_stop.append(tray.stop)
        if self._stop_requested.is_set():  # a signal came before the tray could hear it
            tray.stop()
        tray.run()
        # The tray loop can also end on its own (the X connection broke): carry on without.
        self._stop_requested.wait()
        return True

    async def _show_status_in(self, tray: Tray) -> None:
        def show(status: Status) -> None:
            tray.update(status_in_language(status, self.config.catalog))

        self.session.listen.status.append(show)
        show(self.session.status())
        self._pace_status_refresh()

    def start(self, schedule: bool = True) -> None:
        """Take the instance lock, open the adapters, (unless told not to) start the jobs,
        and serve control requests once all that is done.

        Tests that drive the clock themselves pass schedule=False and call `tick()`.
        A start that fails or is interrupted (StopDuringStart) shuts down what it began.
        """
        self._instance_lock.acquire()
        self._loop_thread.start()
        self._starting = True
        try:
            starting = self._submit(self._start())
            try:
                starting.result()
            finally:
                starting.cancel()  # interrupted: whatever it still waits for is abandoned
            if schedule:
                self._start_scheduler()
            self._ready = True
            self._submit(self._open_reloads()).result()
        except BaseException:
            self._starting = False  # from here on a signal only asks to stop
            self.shutdown()
            raise
        finally:
            self._starting = False

    def shutdown(self) -> None:
        """Stop the jobs, close the reminder, flush the history, release everything.

        Runs to the end whatever fails on the way, and however far start-up got."""
        if self._shut_down:
            return
        self._shut_down = True
        self._ready = False
        sdnotify.stopping()
        log.info("stopping")
        if self._scheduler is not None:
            with contextlib.suppress(Exception):  # a scheduler that never started
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

    def stop_soon(self) -> None:
        """`deskguard stop`: after the reply has gone out."""
        self._loop.call_later(0.1, self.request_stop)

    def _install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGHUP, self._on_hangup)

    def _on_stop_signal(self, *_: object) -> None:
        self.request_stop()
        if self._starting:
            # Start-up may wait long (a bus that never answers): interrupt it where the
            # main thread waits. Once only, so shutting down is never interrupted.
            self._starting = False
            raise StopDuringStart()

    def _on_hangup(self, *_: object) -> None:
        # Only a flag and a wake-up here: the reloads themselves run one at a time.
        with contextlib.suppress(RuntimeError):  # the loop has closed: nothing to reload
            self._loop.call_soon_threadsafe(self._reload_in_background)

    def _submit(self, work: Coroutine[Any, Any, Any]) -> Future[Any]:
        """Run `work` on the event loop from any thread; failures are logged."""
        future = asyncio.run_coroutine_threadsafe(work, self._loop)
        future.add_done_callback(_log_failure)
        return future

    # -- the scheduler ----------------------------------------------------------------

    def _start_scheduler(self) -> None:
        # The triggers first: one that cannot be built fails before any job exists.
        triggers = configured_triggers(self.config, self._status_refresh_seconds(self.config))
        self._scheduler = scheduler = new_scheduler()
        scheduler.add_job(self._tick_soon, "cron", hour=0, minute=0, id=ROLLOVER_JOB)
        reschedule(scheduler, triggers, self._job_work)
        interval = sdnotify.watchdog_interval()
        if interval:
            scheduler.add_job(
                lambda: self._submit(self._watchdog()),
                "interval",
                seconds=interval / 2,
                id=WATCHDOG_JOB,
            )
        scheduler.start()
        self._submit(self._due_moved_now())

    def _job_work(self, job_id: str) -> Callable[[], object]:
        if job_id == TICK_JOB:
            return self._tick_soon
        if job_id == STATUS_JOB:
            # Decisions and changes of state reach the tray at once (Session.publish_status);
            # the sitting time creeping on reaches it with this refresh.
            return lambda: self._submit(self._publish_status())
        return lambda: self._submit(self.session.end_of_day())

    def _status_refresh_seconds(self, config: DaemonConfig) -> float:
        """As often as the tray's display can change (it says), else once a minute."""
        if self._tray is None:
            return UNSHOWN_STATUS_REFRESH
        return self._tray.refresh_seconds(config.settings.reminder.sit_limit)

    def _pace_status_refresh(self) -> None:
        from apscheduler.triggers.interval import IntervalTrigger

        if self._scheduler is not None and self._scheduler.get_job(STATUS_JOB) is not None:
            seconds = self._status_refresh_seconds(self.config)
            self._scheduler.reschedule_job(STATUS_JOB, trigger=IntervalTrigger(seconds=seconds))

    def _tick_soon(self) -> None:
        self._submit(self.tick())

    def _due_moved(self, due: float | None) -> None:
        """Put the one-shot reminder job at the moment the session says one falls due."""
        scheduler = self._scheduler
        if scheduler is None or not scheduler.running:
            return  # not started yet: it places the job itself once it has
        if due is None:
            if scheduler.get_job(DUE_JOB) is not None:
                scheduler.remove_job(DUE_JOB)
            return
        run_date = wall_time_of(due, self.clock()) + DUE_SLACK
        job = scheduler.get_job(DUE_JOB)
        if job is not None and abs((job.next_run_time - run_date).total_seconds()) < DUE_SLACK_MAX:
            return  # already there: most ticks change nothing, and re-adding costs CPU
        scheduler.add_job(
            self._tick_soon, "date", run_date=run_date, id=DUE_JOB, replace_existing=True
        )

    async def _due_moved_now(self) -> None:
        self._due_moved(self.session.next_due())

    async def _publish_status(self) -> None:
        self.session.publish_status()

    async def _watchdog(self) -> None:
        # Ping only while ticks complete: a stuck tick makes systemd restart the daemon.
        poll = self.config.settings.activity.poll
        alive_for = max(3.0 * poll, (sdnotify.watchdog_interval() or 0))
        if time.monotonic() - self._last_tick_done < alive_for:
            sdnotify.watchdog()

    # -- event loop: start, work, finish -------------------------------------------------

    async def _start(self) -> None:
        # The socket first: while the rest starts (seconds, with a bus slow to answer) the
        # commands hear "starting" rather than "not running" (see `handle`).
        self._control = ControlServer(self.paths.control_socket, self.handle)
        await self._control.start()
        adapters = await self._open_adapters(self.config, self._on_action, self._on_dismissed)
        session = self._session = Session(self.config, adapters, self.clock)
        session.listen.due.append(self._due_moved)
        session.listen.stretch.append(self._open_quick_routine_soon)
        await session.start()
        if adapters.session is not None:
            await adapters.session.start(self._on_lock, self._on_sleep)
        log.info(
            "activity source: %s; notifications: %s; control socket: %s",
            adapters.activity.name,
            adapters.notifier.name,
            self._control.path,
        )
        await self.tick()

    async def _open_reloads(self) -> None:
        self._reloads.open()  # a SIGHUP during start-up is a reload now

    async def _finish(self) -> None:
        """Each step whatever became of the one before: the history is flushed even when
        the socket will not close, and the adapters closed even when flushing failed."""
        self._reloads.close()
        if self._control is not None:
            try:
                await self._control.close()
            except Exception:
                log.exception("could not close the control socket")
        if self._session is None:
            return
        try:
            await self._session.finish()
        finally:
            await self._session.adapters.aclose()

    async def tick(self) -> None:
        """One activity reading (the scheduler's tick, a lock change, the due moment)."""
        await self.session.tick()
        self._last_tick_done = time.monotonic()

    async def user_action(self, name: Any, seconds: float | None = None) -> Any:
        return await self.session.user_action(name, seconds)

    def status(self) -> dict[str, Any]:
        """The `deskguard status --json` object (on the event loop)."""
        return self.session.status().to_json()

    async def handle(self, request: Request) -> dict[str, Any]:
        """A control request (the socket, the tray): run it, reply with its result.

        Refused until start-up is done: before that there is nothing to act on, and an
        action half applied would be reported as a failure."""
        if not self._ready:
            raise UserError("starting", _("deskguard is still starting; try again in a moment"))
        return await run_command(self, request.cmd, request.args)

    async def reload(self) -> None:
        """Re-read config and catalog and switch to them, or (UserError) keep the old ones.

        One reload at a time: asked for during one, by `deskguard reload` or SIGHUP, one
        more follows it, however often it was asked for (deskguard.daemon.coalesce)."""
        await asyncio.shield(self._reloads.request())

    def _reload_in_background(self) -> None:
        """SIGHUP: no one waits for the outcome, which the reload logged and told."""
        self._reloads.request().add_done_callback(_outcome_seen)

    async def _reload_now(self) -> None:
        try:
            config = await load_config(self.config_path, self.overrides)
            await self._switch_to(config)
        except Exception as exc:
            problem = str(exc) if isinstance(exc, UserError) else f"{type(exc).__name__}: {exc}"
            log.error("reload refused, keeping the old configuration:\n%s", problem)
            log.debug("the reload failed here", exc_info=True)
            if problem != self._problem_told:  # a storm of HUPs is not a storm of notices
                self._problem_told = problem
                await self.session.tell_user(_("deskguard kept its old configuration"), problem)
            code = exc.exit_code if isinstance(exc, UserError) else None
            raise UserError(
                "invalid configuration; the old one is kept", problem, exit_code=code
            ) from None
        self._problem_told = None
        log.info("configuration reloaded")

    async def _switch_to(self, config: DaemonConfig) -> None:
        """All or nothing: what can fail is done before anything changes, or undone."""
        old = self.config
        focus = await self._focus_signals_for(config)  # the old ones stay open meanwhile
        try:
            self._apply(config)
        except BaseException:
            self._apply(old)  # it ran before, so it runs again
            if focus is not None:
                await close_all(focus)
            raise
        if focus is not None:
            old_focus, self.adapters.focus = self.adapters.focus, focus
            await close_all(old_focus)

    async def _focus_signals_for(self, config: DaemonConfig) -> list[FocusSignal] | None:
        """Newly opened focus signals when the `[focus]` section changed, else None."""
        from deskguard.platform.focus import open_focus_signals

        if config.settings.focus == self.config.settings.focus:
            return None
        return await open_focus_signals(config.settings.focus, log)

    def _apply(self, config: DaemonConfig) -> None:
        triggers = configured_triggers(config, self._status_refresh_seconds(config))
        self.config = config
        use_language(config.settings.ui.language)
        self.session.apply_config(config)
        if self._scheduler is not None:
            reschedule(self._scheduler, triggers, self._job_work)

    def _open_quick_routine_soon(self, exercise: str | None) -> None:
        if self.config.settings.routine.window_on_break:
            self._loop.create_task(self._routine_windows.open_quick(exercise))

    # -- callbacks from adapters (may come from any thread) -----------------------------

    def _on_action(self, key: str) -> None:
        if key not in ACTIONS:
            log.warning("ignoring unknown notification action %r", key)
            return
        self._submit(self._notification_action(key))

    def _on_dismissed(self) -> None:
        self._submit(self._notification_action("dismiss"))

    async def _notification_action(self, key: Any) -> None:
        try:
            await self.session.user_action(key)
        except UserError as exc:
            log.warning("%s", exc)

    def _on_lock(self, locked: bool) -> None:
        self._submit(self.session.lock_changed(locked))

    def _on_sleep(self, sleeping: bool) -> None:
        self._submit(self.session.sleep_changed(sleeping))


class _TrayController:
    """What the tray may do with the daemon, from the main thread."""

    def __init__(self, daemon: Daemon) -> None:
        self._daemon = daemon
        self._pictures: dict[str, bytes | None] = {}  # by exercise id, read once

    def status(self) -> Status:
        status: Status = self._daemon.call(self._status())
        return status

    async def _status(self) -> Status:
        return self._daemon.session.status()

    def command(self, cmd: str, **args: Any) -> dict[str, Any]:
        """Run a control command as if it came over the socket; UserError when refused."""
        result: dict[str, Any] = self._daemon.call(self._daemon.handle(Request(cmd, args)))
        return result

    def quick_stretch_picture(self, status: Status) -> bytes | None:
        """The reminder's exercise while one is on screen, else the quick routine's first.

        Drawn (once, then cached on disk) only when the tray's host shows menu icons,
        which is the only tray that asks.
        """
        from deskguard.core.routine_plan import quick_routine

        config = self._daemon.config
        catalog, declared = config.catalog, config.settings.health.contraindications
        exercise = catalog.exercises.get(status.pending_exercise or "")
        if exercise is None:
            exercises = quick_routine(catalog, declared).routine.exercises
            exercise = exercises[0] if exercises else None
        if exercise is None or exercise.figure is None or config.paths.pictures is None:
            return None
        if exercise.id not in self._pictures:
            from deskguard.pictures.cache import cached_picture

            try:
                picture = cached_picture(exercise, config.paths.pictures, MENU_PICTURE_SIZE)
                self._pictures[exercise.id] = picture.read_bytes()
            except (OSError, ValueError) as exc:
                log.warning("the quick stretch goes without its picture: %s", exc)
                self._pictures[exercise.id] = None
        return self._pictures[exercise.id]


def _quiet_about_lost_buses(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """dbus-fast leaves an unread EOFError behind when the bus goes away; the adapters
    already handle the lost bus (fallbacks, log lines), so it is not worth a traceback."""
    if isinstance(context.get("exception"), EOFError):
        log.debug("a D-Bus connection was closed: %s", context.get("message"))
        return
    loop.default_exception_handler(context)


def _outcome_seen(outcome: asyncio.Future[None]) -> None:
    if not outcome.cancelled():
        outcome.exception()  # retrieved, so asyncio does not log it again


def _log_failure(future: Future[Any]) -> None:
    if future.cancelled():
        return
    error = future.exception()
    if error is not None and not isinstance(error, UserError):
        log.error("background work failed", exc_info=error)
