"""One schema: every key documented in config/deskguard.toml, set through the environment,
reaches the running daemon, which reports it back in `status --json` under `config`."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from deskguard import paths
from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess

# A value other than the default for each documented key: (environment value, as reported).
CHANGED: dict[str, tuple[str, Any]] = {
    "reminder.sit_limit": ("47m", "47m"),
    "reminder.snooze": ("11m", "11m"),
    "reminder.max_snoozes": ("2", 2),
    "reminder.natural_break": ("6m", "6m"),
    "activity.source": ("none", "none"),
    "activity.poll": ("7s", "7s"),
    "schedule.active": ('["mon-sun 00:00-24:00"]', ["mon-sun 00:00-24:00"]),
    "notifications.backend": ("log", "log"),
    "health.contraindications": ('["pregnancy"]', ["pregnancy"]),
    "tray.enabled": ("false", False),
    "routine.length": ("12m", "12m"),
    "routine.at_desk": ("true", True),
    "routine.window_on_break": ("false", False),
    "routine.sounds": ("false", False),
    "routine.voice": ("true", True),
    "walking.daily_goal_km": ("6.5", 6.5),
    "walking.end_of_day_summary": ("false", False),
    "focus.do_not_disturb": ("false", False),
    "focus.fullscreen": ("false", False),
    "focus.camera": ("false", False),
    "focus.microphone": ("false", False),
    "focus.max_deferral": ("31m", "31m"),
    "focus.video_devices": ("/dev/no-camera-here*", "/dev/no-camera-here*"),
}


def documented_keys() -> list[str]:
    """Every `section.key` the shipped, documented config file sets."""
    text = paths.shipped_file("deskguard.toml").read_text(encoding="utf-8")
    keys = [f"{section}.{key}" for section, table in tomllib.loads(text).items() for key in table]
    assert len(keys) == len(re.findall(r"^[a-z_]+\s*=", text, flags=re.M))
    return keys


def test_every_documented_key_reaches_the_daemon(tmp_path: Path) -> None:
    keys = documented_keys()
    assert sorted(CHANGED) == sorted(keys), "give every documented key a value here"
    env = isolated_env(tmp_path)
    for key, (value, _) in CHANGED.items():
        section, name = key.split(".")
        env[f"DESKGUARD_{section.upper()}__{name.upper()}"] = value
    daemon = DeskguardProcess(env, tmp_path / "daemon.log").start()
    try:
        reported = daemon.status()["config"]
    finally:
        daemon.stop()
    for key in keys:
        section, name = key.split(".")
        assert reported[section][name] == CHANGED[key][1], key
    assert sum(len(table) for table in reported.values()) == len(keys)
