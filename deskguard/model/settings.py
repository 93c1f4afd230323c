"""The configuration: one dataclass per TOML section, field names are the keys.

Defaults here are the built-in ones; config/deskguard.toml documents every key with the
same defaults (a test keeps the two equal), and the bounds of every duration and number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal, get_args

from annotated_types import Ge, Gt, Le

from deskguard.core.durations import DAY, HOUR
from deskguard.model.fields import (
    FORBID_UNKNOWN_KEYS,
    DeviceGlob,
    DurationRule,
    Periods,
    Rule,
    check_language,
)

ActivitySource = Literal[
    "auto", "wayland", "mutter", "freedesktop", "x11", "windows", "macos", "none"
]
NotificationBackend = Literal["auto", "dbus", "plyer", "log"]
ContraindicationId = Literal[
    "severe-pain",
    "bleeding",
    "chronic-flare-up",
    "spinal-injury",
    "kidney-or-heart-disease",
    "pregnancy",
]
"""The conditions the shipped catalog lists under [contraindications] (a test keeps them
equal): the exercises' safety rules refer to these ids."""
CONTRAINDICATIONS: tuple[str, ...] = get_args(ContraindicationId)


@dataclass(frozen=True)
class ReminderSettings:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    sit_limit: Annotated[int, DurationRule(longest=DAY)] = 45 * 60
    snooze: Annotated[int, DurationRule(longest=DAY)] = 10 * 60
    max_snoozes: Annotated[int, Ge(0), Le(100)] = 3
    natural_break: Annotated[int, DurationRule(longest=DAY)] = 5 * 60


@dataclass(frozen=True)
class ActivitySettings:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    source: ActivitySource = "auto"
    poll: Annotated[int, DurationRule(longest=HOUR)] = 10


@dataclass(frozen=True)
class ScheduleSettings:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    active: Periods = ()


@dataclass(frozen=True)
class NotificationSettings:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    backend: NotificationBackend = "auto"


@dataclass(frozen=True)
class HealthSettings:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    contraindications: tuple[ContraindicationId, ...] = ()


@dataclass(frozen=True)
class TraySettings:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    enabled: bool = True


@dataclass(frozen=True)
class RoutineSettings:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    length: Annotated[int, DurationRule(longest=2 * HOUR)] = 10 * 60
    at_desk: bool = False
    window_on_break: bool = True
    sounds: bool = True
    voice: bool = False


@dataclass(frozen=True)
class WalkingSettings:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    daily_goal_km: Annotated[float, Gt(0), Le(100)] = 7.0
    end_of_day_summary: bool = True


@dataclass(frozen=True)
class FocusSettings:
    """What keeps a due reminder waiting (see deskguard.platform.focus)."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    do_not_disturb: bool = True
    fullscreen: bool = True
    camera: bool = True
    microphone: bool = True
    max_deferral: Annotated[int, DurationRule(longest=DAY)] = 30 * 60
    video_devices: DeviceGlob = "/dev/video*"


def _language_or_empty(value: str) -> str:
    return value and check_language(value)  # empty: the environment's language


@dataclass(frozen=True)
class UiSettings:
    """How deskguard speaks to people (deskguard.i18n)."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    language: Annotated[str, Rule(_language_or_empty)] = ""


@dataclass(frozen=True)
class Settings:
    """The whole configuration; field names are the TOML sections."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    reminder: ReminderSettings = field(default_factory=ReminderSettings)
    activity: ActivitySettings = field(default_factory=ActivitySettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    notifications: NotificationSettings = field(default_factory=NotificationSettings)
    health: HealthSettings = field(default_factory=HealthSettings)
    tray: TraySettings = field(default_factory=TraySettings)
    routine: RoutineSettings = field(default_factory=RoutineSettings)
    walking: WalkingSettings = field(default_factory=WalkingSettings)
    focus: FocusSettings = field(default_factory=FocusSettings)
    ui: UiSettings = field(default_factory=UiSettings)
