"""The daemon's scheduler jobs: their ids, and the triggers that follow the configuration.

Every job only hands work to the event loop (deskguard.daemon.runtime); policy never lives
in a job. The triggers a configuration asks for are built before any job changes, so a
configuration they cannot be built for (an interval past the calendar) changes none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from deskguard.core.day import end_of_day_times
from deskguard.core.schedule import WorkingHours
from deskguard.daemon.config import DaemonConfig

if TYPE_CHECKING:
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.base import BaseTrigger

TICK_JOB = "activity-tick"
DUE_JOB = "reminder-due"
ROLLOVER_JOB = "day-rollover"
WATCHDOG_JOB = "watchdog"
STATUS_JOB = "status-refresh"
END_OF_DAY_JOB = "end-of-day"

Triggers = dict[str, "BaseTrigger"]
WorkFor = Callable[[str], Callable[[], object]]
"""What the job of an id does."""


def new_scheduler() -> BackgroundScheduler:
    from apscheduler.executors.debug import DebugExecutor
    from apscheduler.schedulers.background import BackgroundScheduler

    # coalesce + a short grace: after a suspend or a clock jump a missed job runs
    # once at most, never once per missed interval. Every job only hands work to the
    # event loop, so it runs on the scheduler's own thread (DebugExecutor: "directly")
    # rather than waking a pool thread for it: one thread and wake-up less per tick.
    return BackgroundScheduler(
        executors={"default": DebugExecutor()},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )


def configured_triggers(config: DaemonConfig, status_refresh: float) -> Triggers:
    """The triggers of the jobs that follow the configuration, by job id: the activity
    tick, the status refresh (every `status_refresh` seconds) and one end-of-day summary
    per working period's end."""
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    triggers: Triggers = {
        TICK_JOB: IntervalTrigger(seconds=config.settings.activity.poll),
        STATUS_JOB: IntervalTrigger(seconds=status_refresh),
    }
    for number, fields in enumerate(end_of_day_triggers(config)):
        triggers[f"{END_OF_DAY_JOB}-{number}"] = CronTrigger(**fields)
    return triggers


def reschedule(scheduler: BackgroundScheduler, triggers: Triggers, work_for: WorkFor) -> None:
    """Give the configured jobs these triggers; end-of-day jobs come and go with them."""
    for job in scheduler.get_jobs():
        if job.id.startswith(END_OF_DAY_JOB) and job.id not in triggers:
            job.remove()
    for job_id, trigger in triggers.items():
        if scheduler.get_job(job_id) is None:
            scheduler.add_job(work_for(job_id), trigger, id=job_id)
        else:
            scheduler.reschedule_job(job_id, trigger=trigger)


def end_of_day_triggers(config: DaemonConfig) -> list[dict[str, Any]]:
    """Cron fields for the end-of-day summary (when: core.day.end_of_day_times)."""
    hours = WorkingHours.parse(config.settings.schedule.active)
    triggers: list[dict[str, Any]] = []
    for days, moment in end_of_day_times(hours):
        trigger: dict[str, Any] = {"hour": moment.hour, "minute": moment.minute}
        if days is not None:
            trigger["day_of_week"] = ",".join(str(day) for day in sorted(days))
        triggers.append(trigger)
    return triggers
