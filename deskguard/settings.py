"""Loading the configuration: built-in defaults < system files < user file < environment
< flags, validated by pydantic into the schema's `Settings` (deskguard.model.settings).

Every layer is validated on its own first, so a problem is reported against the file
(or environment variable) it came from, with the key path and the reason.
"""

from __future__ import annotations

import dataclasses
import json
import os
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError, create_model
from pydantic.dataclasses import dataclass as pydantic_dataclass
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from deskguard import paths
from deskguard.errors import InvalidConfiguration
from deskguard.model import plain
from deskguard.model.settings import FocusSettings as FocusSettings
from deskguard.model.settings import Settings as Settings
from deskguard.paths import ConfigFiles as ConfigFiles
from deskguard.validation import (
    Problem,
    ProblemsFound,
    deep_merge,
    dotted,
    read_toml_if_present,
    reason_of,
)
from deskguard.validation import read_toml as _read_toml

ENV_PREFIX = "DESKGUARD_"
ENV_DELIMITER = "__"

ConfigProblem = Problem
_LAYER = TypeAdapter(Settings)


def _environment_model() -> type[BaseSettings]:
    """pydantic-settings reads `DESKGUARD_<SECTION>__<KEY>` into the schema's sections."""
    # pydantic-settings finds the keys of a section (and decodes JSON for arrays) only in
    # pydantic's own dataclasses: it reads sections as those, `_from_environment` turns
    # them into the schema's.
    hints = typing.get_type_hints(Settings)
    sections: dict[str, Any] = {
        f.name: (pydantic_dataclass(hints[f.name], frozen=True), {})
        for f in dataclasses.fields(Settings)
    }

    class _FromEnvironment(BaseSettings):
        model_config = SettingsConfigDict(
            env_prefix=ENV_PREFIX, env_nested_delimiter=ENV_DELIMITER, extra="forbid"
        )

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

    model: type[BaseSettings] = create_model("Settings", __base__=_FromEnvironment, **sections)
    return model


_FROM_ENVIRONMENT = _environment_model()


class ConfigError(InvalidConfiguration):
    """The configuration cannot be used; `problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("invalid configuration", list(problems))
        self.problems: Sequence[Problem] = list(problems)


def _problems(source: str, error: ValidationError) -> list[Problem]:
    return [Problem(source, dotted(loc), why) for loc, why in map(reason_of, error.errors())]


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file as a dict; syntax errors become a ConfigError naming the file."""
    try:
        return _read_toml(path)
    except ProblemsFound as exc:
        raise ConfigError(exc.problems) from exc


def _read_layer(path: Path, required: bool) -> tuple[dict[str, Any] | None, list[Problem]]:
    """One config file's data (None when it is absent and may be) and its problems. Only
    absence means "defaults": a directory, a pipe or a device at the path is a problem."""
    if required and not os.path.lexists(path):
        named_by = f" (from {paths.CONFIG_ENV})" if os.environ.get(paths.CONFIG_ENV) else ""
        return None, [Problem(str(path), "", "no such file" + named_by)]
    try:
        data = read_toml_if_present(path)
    except ProblemsFound as exc:
        return None, list(exc.problems)
    return data, [] if data is None else _check_layer(str(path), data)


def _check_layer(source: str, data: Mapping[str, Any]) -> list[Problem]:
    try:
        _LAYER.validate_python(data)
    except ValidationError as exc:
        return _problems(source, exc)
    return []


def _env_source_name(key: str) -> str:
    parts = key.split(".")[:2]
    return "environment " + ENV_PREFIX + ENV_DELIMITER.join(part.upper() for part in parts)


def _nested_too_deeply() -> list[Problem]:
    """The variables whose JSON is nested beyond what Python's parser can follow."""
    problems: list[Problem] = []
    for name, value in os.environ.items():
        if not name.startswith(ENV_PREFIX):
            continue
        try:
            json.loads(value)
        except RecursionError:
            key = name.removeprefix(ENV_PREFIX).lower().replace(ENV_DELIMITER.lower(), ".")
            problems.append(
                Problem(_env_source_name(key), key, "arrays or tables nested too deeply")
            )
        except ValueError:
            pass  # not JSON: pydantic reports it when it matters
    return problems or [Problem("environment", "", "a value nested too deeply")]


def _from_environment(files_merged: Mapping[str, Any]) -> Settings:
    try:
        loaded = _FROM_ENVIRONMENT(**files_merged)
    except RecursionError:  # pydantic-settings decodes arrays from JSON
        raise ConfigError(_nested_too_deeply()) from None
    except ValidationError as exc:
        # Every file passed on its own, so what fails now came from the environment.
        raise ConfigError(
            [
                Problem(_env_source_name(dotted(loc)), dotted(loc), why)
                for loc, why in map(reason_of, exc.errors())
            ]
        ) from exc
    return _LAYER.validate_python(loaded.model_dump())


def load_settings(
    files: ConfigFiles | None = None, overrides: Mapping[str, Any] | None = None
) -> Settings:
    """The effective settings; raises ConfigError listing every problem in every layer."""
    files = files or ConfigFiles()
    layers: list[dict[str, Any]] = []
    problems: list[Problem] = []
    for path in files.layers:
        data, found = _read_layer(path, required=path == files.user and files.user_required)
        problems += found
        if data is not None:
            layers.append(data)
    if problems:
        raise ConfigError(problems)
    settings = _from_environment(deep_merge(layers))
    if overrides:
        raw = plain.encode(settings, durations_as_text=False)
        settings = _LAYER.validate_python(deep_merge([raw, overrides]))
    return settings


def validate_settings(data: Mapping[str, Any]) -> Settings:
    """One layer's data (as read from TOML) as Settings; raises pydantic's ValidationError."""
    return _LAYER.validate_python(data)


def check_file(path: Path) -> list[Problem]:
    """Every problem in one config file on its own (for `deskguard config check PATH`)."""
    try:
        return _check_layer(str(path), read_toml(path))
    except ConfigError as exc:
        return list(exc.problems)


def to_toml(settings: Settings) -> str:
    """The settings as a config file (durations written like "45m")."""
    import tomli_w

    text: str = tomli_w.dumps(plain.encode(settings))
    return text
