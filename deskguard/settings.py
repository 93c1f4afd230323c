"""Typed configuration: built-in defaults < system files < user file < environment < flags.

Every layer is validated on its own first, so a problem is reported against the file
(or environment variable) it came from, with the key path and the reason.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
    create_model,
    field_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from deskguard import paths
from deskguard.core.durations import format_duration, parse_duration
from deskguard.core.schedule import WorkingHours, parse_period
from deskguard.core.tracker import Policy
from deskguard.errors import InvalidConfiguration
from deskguard.paths import ConfigFiles as ConfigFiles

ENV_PREFIX = "DESKGUARD_"
ENV_DELIMITER = "__"
CONTRAINDICATIONS = (
    "severe-pain",
    "bleeding",
    "chronic-flare-up",
    "spinal-injury",
    "kidney-or-heart-disease",
    "pregnancy",
)


def _positive_duration(value: Any) -> int:
    seconds = parse_duration(value)
    if seconds <= 0:
        raise ValueError("must be longer than zero seconds")
    return seconds


Duration = Annotated[
    int,
    BeforeValidator(_positive_duration),
    PlainSerializer(format_duration, return_type=str),
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReminderSettings(_Section):
    sit_limit: Duration = 45 * 60
    snooze: Duration = 10 * 60
    max_snoozes: int = Field(default=3, ge=0)
    natural_break: Duration = 5 * 60


class ActivitySettings(_Section):
    source: Literal["auto", "mutter", "freedesktop", "x11", "windows", "macos", "none"] = "auto"
    poll: Duration = 10


class ScheduleSettings(_Section):
    active: list[str] = []

    @field_validator("active")
    @classmethod
    def _periods_parse(cls, value: list[str]) -> list[str]:
        for text in value:
            parse_period(text)
        return value


class NotificationSettings(_Section):
    backend: Literal["auto", "dbus", "plyer", "log"] = "auto"


class HealthSettings(_Section):
    contraindications: list[Literal[CONTRAINDICATIONS]] = []  # type: ignore[valid-type]


class TraySettings(_Section):
    enabled: bool = True


class FocusSettings(_Section):
    do_not_disturb: bool = True
    fullscreen: bool = True
    camera: bool = True
    microphone: bool = True
    max_deferral: Duration = 30 * 60
    video_devices: str = "/dev/video*"


class WalkingSettings(_Section):
    daily_goal_km: float = Field(default=7.0, gt=0, le=100)
    end_of_day_summary: bool = True


class RoutineSettings(_Section):
    length: Duration = 10 * 60
    at_desk: bool = False
    window_on_break: bool = True


class Settings(BaseSettings):
    """The whole configuration; field names are the TOML sections and keys."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        extra="forbid",
        frozen=True,
    )

    reminder: ReminderSettings = ReminderSettings()
    activity: ActivitySettings = ActivitySettings()
    schedule: ScheduleSettings = ScheduleSettings()
    notifications: NotificationSettings = NotificationSettings()
    health: HealthSettings = HealthSettings()
    tray: TraySettings = TraySettings()
    routine: RoutineSettings = RoutineSettings()
    walking: WalkingSettings = WalkingSettings()
    focus: FocusSettings = FocusSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Files arrive merged as init arguments; the environment outranks them.
        return (env_settings, init_settings)

    def policy(self) -> Policy:
        """The part of the settings the sitting tracker works with."""
        return Policy(
            sit_limit=self.reminder.sit_limit,
            snooze=self.reminder.snooze,
            max_snoozes=self.reminder.max_snoozes,
            natural_break=self.reminder.natural_break,
            working_hours=WorkingHours.parse(self.schedule.active),
            max_deferral=self.focus.max_deferral,
        )

    def to_toml(self) -> str:
        import tomli_w

        return tomli_w.dumps(self.model_dump(mode="json"))


# The fields of Settings in a plain model. Validating Settings itself runs its __init__,
# which mixes in the environment; a layer must be checked (and overrides applied) alone.
_LAYER_FIELDS: dict[str, Any] = {
    name: (info.annotation, info.default) for name, info in Settings.model_fields.items()
}
_Layer = create_model("_Layer", __config__=ConfigDict(extra="forbid"), **_LAYER_FIELDS)


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with one layer of the configuration."""

    source: str
    key: str
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.source}: {self.key}: {self.reason}"
            if self.key
            else f"{self.source}: {self.reason}"
        )


class ConfigError(InvalidConfiguration):
    """The configuration cannot be used; `problems` lists every reason."""

    def __init__(self, problems: Sequence[ConfigProblem]) -> None:
        super().__init__("invalid configuration", list(problems))
        self.problems: Sequence[ConfigProblem] = list(problems)


def _describe(error: Mapping[str, Any]) -> tuple[str, str]:
    key = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return key, "unknown key"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "literal_error":
        message = f"{message} (got {error['input']!r})"
    return key, message


def _problems(source: str, error: ValidationError) -> list[ConfigProblem]:
    return [ConfigProblem(source, *_describe(e)) for e in error.errors()]


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; syntax errors become a ConfigError naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([ConfigProblem(str(path), "", f"not valid TOML: {exc}")]) from exc
    except OSError as exc:
        raise ConfigError([ConfigProblem(str(path), "", exc.strerror or str(exc))]) from exc


def _deep_merge(layers: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
                merged[key] = _deep_merge([merged[key], value])
            else:
                merged[key] = value
    return merged


def _check_layer(source: str, data: Mapping[str, Any]) -> list[ConfigProblem]:
    try:
        _Layer.model_validate(data)
    except ValidationError as exc:
        return _problems(source, exc)
    return []


def _env_source_name(key: str) -> str:
    parts = key.split(".")[:2]
    return "environment " + ENV_PREFIX + ENV_DELIMITER.join(part.upper() for part in parts)


def load_settings(
    files: ConfigFiles | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """The effective settings; raises ConfigError listing every problem in every layer."""
    files = files or ConfigFiles()
    layers: list[dict[str, Any]] = []
    problems: list[ConfigProblem] = []
    for path in files.layers:
        if path == files.user and files.user_required and not path.exists():
            named_by = f" (from {paths.CONFIG_ENV})" if os.environ.get(paths.CONFIG_ENV) else ""
            problems.append(ConfigProblem(str(path), "", "no such file" + named_by))
        if not path.is_file():
            continue
        try:
            data = read_toml(path)
        except ConfigError as exc:
            problems += exc.problems
            continue
        problems += _check_layer(str(path), data)
        layers.append(data)
    if problems:
        raise ConfigError(problems)
    try:
        settings = Settings(**_deep_merge(layers))
    except ValidationError as exc:
        # Every file passed on its own, so what fails now came from the environment.
        raise ConfigError(
            [
                ConfigProblem(_env_source_name(key), key, reason)
                for key, reason in map(_describe, exc.errors())
            ]
        ) from exc
    if overrides:
        layer = _Layer.model_validate(_deep_merge([settings.model_dump(), overrides]))
        settings = Settings.model_construct(**dict(layer))
    return settings


def check_file(path: Path) -> list[ConfigProblem]:
    """Every problem in one config file on its own (for `deskguard config check PATH`)."""
    try:
        return _check_layer(str(path), read_toml(path))
    except ConfigError as exc:
        return list(exc.problems)
