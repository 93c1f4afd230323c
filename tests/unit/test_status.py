"""The daemon's status: its JSON both ways, the text of `deskguard status`, the tray's title."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deskguard.ipc.status import Status

# What `deskguard status --json` printed before the status had a type, in its order.
NOW = datetime(2024, 5, 3, 10, 0, tzinfo=UTC)


def _local(iso: str) -> str:
    """A moment on NOW's day as `deskguard status` writes it: the local clock time."""
    return f"{datetime.fromisoformat(iso).astimezone():%H:%M}"


DAEMON_JSON: dict[str, Any] = {
    "state": "snoozed",
    "sitting_seconds": 3000.0,
    "next_reminder_in_seconds": 480.0,
    "snoozed_until": "2024-05-03T10:08:00+00:00",
    "paused_until": None,
    "activity_source": "x11",
    "notifier": "dbus (dunst)",
    "pending_exercise": None,
    "pending_exercise_name": None,
    "snoozes_left": 2,
    "deferred_by": ["camera"],
    "idle_seconds": 3.5,
    "locked": False,
    "config_file": "/home/someone/.config/deskguard/config.toml",
    "sit_limit_seconds": 2700,
    "snooze_seconds": 600,
    "pid": 4242,
    "version": "0.1.0",
}


def status(state: str = "active", **extra: Any) -> Status:
    defaults: dict[str, Any] = {
        "state": state,
        "sitting_seconds": 0,
        "sit_limit_seconds": 45 * 60,
        "activity_source": "x11",
        "notifier": "dbus",
    }
    return Status(**{**defaults, **extra})


# ---------------------------------------------------------------------------- JSON


def test_the_json_is_todays_object_plus_the_configuration() -> None:
    config = {"reminder": {"sit_limit": 2700, "snooze": 600}}
    data = Status.from_json({**DAEMON_JSON, "config": config}).to_json()
    assert list(data) == [*DAEMON_JSON, "config"]
    assert data == {**DAEMON_JSON, "config": config}


def test_the_json_reads_back_to_the_same_status() -> None:
    read = Status.from_json(DAEMON_JSON)
    assert read.deferred_by == ("camera",)
    assert read.sit_limit_seconds == 2700 and read.pid == 4242
    assert Status.from_json(read.to_json()) == read


def test_an_older_daemon_leaves_keys_out_and_a_newer_one_adds_some() -> None:
    older = {key: DAEMON_JSON[key] for key in ("state", "sitting_seconds", "activity_source")}
    read = Status.from_json({**older, "something_new": 1})
    assert (read.state, read.sitting_seconds, read.activity_source) == ("snoozed", 3000.0, "x11")
    assert read.config == {} and read.deferred_by == () and read.snoozes_left is None
    assert Status.from_json({}) == Status()


def test_null_means_the_default() -> None:
    assert Status.from_json({"sitting_seconds": None, "deferred_by": None}) == Status()


def test_the_status_and_the_tray_need_neither_click_nor_pydantic_nor_the_cli() -> None:
    # The daemon imports both: with those modules made unimportable, they must still load.
    probe = (
        "import sys; sys.modules.update(dict.fromkeys(('click', 'pydantic', 'deskguard.cli'))); "
        "import deskguard.ipc.status, deskguard.tray.app, deskguard.tray.popup"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------------------- `deskguard status`


@pytest.mark.parametrize(
    ("reading", "text"),
    [
        (
            status(sitting_seconds=32 * 60, next_reminder_in_seconds=13 * 60),
            "Sitting for 32 minutes\nNext stretch in 13 minutes\n"
            "Activity: x11 · notifications: dbus",
        ),
        (
            status(sitting_seconds=40, next_reminder_in_seconds=0),
            "Sitting for 40 seconds\nNext stretch in 0 seconds\n"
            "Activity: x11 · notifications: dbus",
        ),
        (status("paused"), "Paused until you resume\nActivity: x11 · notifications: dbus"),
        (
            status("paused", paused_until="2024-05-03T12:00:00+00:00"),
            f"Paused until {_local('2024-05-03T12:00:00+00:00')}\n"
            "Activity: x11 · notifications: dbus",
        ),
        (
            Status.from_json(DAEMON_JSON),
            f"Snoozed until {_local('2024-05-03T10:08:00+00:00')} (sitting for 50 minutes)\n"
            "Next stretch in 8 minutes\nActivity: x11 · notifications: dbus (dunst)",
        ),
        (
            status(
                "reminding",
                pending_exercise="standing-back-bend",
                pending_exercise_name="Standing back bend",
            ),
            "Time to stretch: Standing back bend\nActivity: x11 · notifications: dbus",
        ),
        (  # a daemon from before names were sent: the id, readable
            status("reminding", pending_exercise="standing-back-bend"),
            "Time to stretch: standing back bend\nActivity: x11 · notifications: dbus",
        ),
        (
            status("reminding"),
            "Time to stretch: stand up and walk\nActivity: x11 · notifications: dbus",
        ),
        (status("away"), "Away from the computer\nActivity: x11 · notifications: dbus"),
        (status("break"), "On a break\nActivity: x11 · notifications: dbus"),
        (status("off-hours"), "Outside working hours\nActivity: x11 · notifications: dbus"),
        (status("something-new"), "something-new\nActivity: x11 · notifications: dbus"),
        (Status(), "?\nActivity: None · notifications: None"),
    ],
)
def test_the_status_command_describes_each_state(reading: Status, text: str) -> None:
    assert reading.describe(NOW) == text


# ---------------------------------------------------------------------------- the tray's title


def test_the_title_says_how_long_and_how_long_until_the_next_stretch() -> None:
    active = status(sitting_seconds=32 * 60, next_reminder_in_seconds=13 * 60)
    assert active.headline() == "Sitting 32 minutes — next stretch in 13 minutes"
    assert status(sitting_seconds=40, next_reminder_in_seconds=0).headline() == (
        "Sitting 40 seconds — stretch due now"
    )
    assert status(sitting_seconds=90).headline() == "Sitting 1 minute"


def test_the_title_of_each_state() -> None:
    snoozed = status("snoozed", sitting_seconds=50 * 60, next_reminder_in_seconds=8 * 60)
    assert snoozed.headline() == "Snoozed — next stretch in 8 minutes (sitting 50 minutes)"
    reminding = status("reminding", sitting_seconds=45 * 60, pending_exercise="standing-back-bend")
    assert reminding.headline() == "Time to stretch: standing back bend (sitting 45 minutes)"
    named = replace(reminding, pending_exercise_name="Standing back bend")
    assert named.headline() == "Time to stretch: Standing back bend (sitting 45 minutes)"
    assert (
        status("reminding", pending_exercise=None)
        .headline()
        .startswith("Time to stretch: stand up and walk")
    )
    assert status("away").headline() == "Away from the computer"
    assert status("break").headline() == "On a break"
    assert status("off-hours").headline() == "Outside working hours"
    assert Status().headline() == "deskguard"


def test_a_pause_ends_at_a_local_clock_time() -> None:
    local = NOW.astimezone()
    today = (local + timedelta(minutes=30)).replace(second=0).isoformat()
    tomorrow = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0).isoformat()
    later = (local + timedelta(days=3)).replace(hour=9, minute=0, second=0).isoformat()
    assert status("paused", paused_until=None).headline(NOW) == "Paused until you resume"
    assert status("paused", paused_until=today).headline(NOW) == (
        f"Paused until {local + timedelta(minutes=30):%H:%M}"
    )
    assert status("paused", paused_until=tomorrow).headline(NOW) == "Paused until tomorrow 00:00"
    assert status("paused", paused_until=later).headline(NOW) == (
        f"Paused until {local + timedelta(days=3):%a %-d %b} 09:00"
    )
