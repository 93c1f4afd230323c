"""What the daemon runs on: the settings, catalog facts and paths it needs, as plain data.

The daemon runs all day, so it never imports pydantic (with pydantic-settings, about a
quarter of its idle memory: bench/footprint.py) or platformdirs. A short-lived child
process, `python -m deskguard.daemon.config`, finds the files, loads and validates the
configuration and the catalog with deskguard.settings and deskguard.catalog, and prints
a `DaemonConfig` as JSON; the daemon starts that child at start-up and on every reload.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from deskguard import paths
from deskguard.core.schedule import WorkingHours
from deskguard.core.tracker import Policy
from deskguard.errors import InvalidConfiguration, UserError
from deskguard.paths import ConfigFiles

# Loading the catalog and the config takes well under a second; this is for a stuck disk.
CHILD_TIMEOUT = 60.0


@dataclass(frozen=True)
class FocusOptions:
    """The `[focus]` section (see deskguard.platform.focus)."""

    do_not_disturb: bool
    fullscreen: bool
    camera: bool
    microphone: bool
    max_deferral: int
    video_devices: str


@dataclass(frozen=True)
class DaemonPaths:
    """Where the daemon's files are (see deskguard.paths)."""

    config_file: Path  # the user's config file, which may not exist
    history: Path
    sitting: Path
    runtime_dir: Path
    control_socket: Path

    @classmethod
    def found(cls, files: ConfigFiles) -> DaemonPaths:
        return cls(
            config_file=files.user,
            history=paths.history_file(),
            sitting=paths.sitting_state_file(),
            runtime_dir=paths.runtime_dir(),
            control_socket=paths.control_socket(),
        )


@dataclass(frozen=True)
class ExerciseText:
    """What a reminder says about an exercise."""

    name: str
    summary: str


@dataclass(frozen=True)
class DaemonConfig:
    """The effective configuration, as far as the daemon uses it."""

    sit_limit: int
    snooze: int
    max_snoozes: int
    natural_break: int
    activity_source: str
    poll: int
    active: tuple[str, ...]
    notifications_backend: str
    tray: bool
    focus: FocusOptions
    window_on_break: bool
    daily_goal_km: float
    end_of_day_summary: bool
    paths: DaemonPaths
    exercises: Mapping[str, ExerciseText] = field(default_factory=dict)
    # Exercises a reminder may suggest: desk-friendly, and allowed by the user's health.
    candidates: tuple[str, ...] = ()

    def policy(self) -> Policy:
        """The part the sitting tracker works with."""
        return Policy(
            sit_limit=self.sit_limit,
            snooze=self.snooze,
            max_snoozes=self.max_snoozes,
            natural_break=self.natural_break,
            working_hours=WorkingHours.parse(self.active),
            max_deferral=self.focus.max_deferral,
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str)  # paths as strings

    @classmethod
    def from_json(cls, text: str) -> DaemonConfig:
        data = json.loads(text)
        return cls(
            **{
                **data,
                "active": tuple(data["active"]),
                "focus": FocusOptions(**data["focus"]),
                "paths": DaemonPaths(**{k: Path(v) for k, v in data["paths"].items()}),
                "exercises": {
                    key: ExerciseText(**value) for key, value in data["exercises"].items()
                },
                "candidates": tuple(data["candidates"]),
            }
        )


def resolve(files: ConfigFiles, overrides: Mapping[str, Any] | None = None) -> DaemonConfig:
    """Load and validate the configuration and the catalog (imports pydantic: call it in
    the child process or in tests, never in the daemon)."""
    from deskguard.catalog import load_catalog
    from deskguard.core.selection import desk_friendly_ids
    from deskguard.settings import load_settings

    settings = load_settings(files, overrides)
    catalog = load_catalog()
    exercises, focus = list(catalog.exercises.values()), settings.focus
    return DaemonConfig(
        sit_limit=settings.reminder.sit_limit,
        snooze=settings.reminder.snooze,
        max_snoozes=settings.reminder.max_snoozes,
        natural_break=settings.reminder.natural_break,
        activity_source=settings.activity.source,
        poll=settings.activity.poll,
        active=tuple(settings.schedule.active),
        notifications_backend=settings.notifications.backend,
        tray=settings.tray.enabled,
        focus=FocusOptions(
            do_not_disturb=focus.do_not_disturb,
            fullscreen=focus.fullscreen,
            camera=focus.camera,
            microphone=focus.microphone,
            max_deferral=focus.max_deferral,
            video_devices=focus.video_devices,
        ),
        window_on_break=settings.routine.window_on_break,
        daily_goal_km=settings.walking.daily_goal_km,
        end_of_day_summary=settings.walking.end_of_day_summary,
        paths=DaemonPaths.found(files),
        exercises={e.id: ExerciseText(e.name, e.summary) for e in exercises},
        candidates=tuple(desk_friendly_ids(exercises, settings.health.contraindications)),
    )


def load(config_path: Path | None, overrides: Mapping[str, Any] | None = None) -> DaemonConfig:
    """`resolve` in a child process, for the files `ConfigFiles.chosen(config_path)`.
    Raises InvalidConfiguration (each problem as "FILE: key: reason") or UserError, as
    loading in-process would."""
    try:
        child = subprocess.run(
            _CHILD,
            input=_request(config_path, overrides),
            capture_output=True,
            timeout=CHILD_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError("cannot read the configuration", str(exc)) from None
    return _outcome(child.returncode, child.stdout, child.stderr)


async def load_async(
    config_path: Path | None, overrides: Mapping[str, Any] | None = None
) -> DaemonConfig:
    """`load` for the event loop (a reload): waits for the child without a thread."""
    import asyncio  # here: the child itself has no use for it

    try:
        child = await asyncio.create_subprocess_exec(
            *_CHILD,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        request = _request(config_path, overrides)
        out, err = await asyncio.wait_for(child.communicate(request), CHILD_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        raise UserError("cannot read the configuration", str(exc) or "no answer") from None
    return _outcome(child.returncode or 0, out, err)


_CHILD = (sys.executable, "-m", __name__)


def _request(config_path: Path | None, overrides: Mapping[str, Any] | None) -> bytes:
    request = {
        "config_path": None if config_path is None else str(config_path),
        "overrides": dict(overrides or {}),
    }
    return json.dumps(request).encode()


def _outcome(returncode: int, out: bytes, err: bytes) -> DaemonConfig:
    if returncode != 0:
        lines = err.decode(errors="replace").strip().splitlines()
        raise UserError("cannot read the configuration", (lines or [f"exit code {returncode}"])[-1])
    answer = json.loads(out)
    if "config" in answer:
        return DaemonConfig.from_json(answer["config"])
    if "problems" in answer:
        raise InvalidConfiguration(answer["title"], answer["problems"])
    raise UserError(answer["title"], answer["message"])


def _answer(request: Mapping[str, Any]) -> dict[str, Any]:
    config_path = request["config_path"]
    files = ConfigFiles.chosen(None if config_path is None else Path(config_path))
    try:
        config = resolve(files, request["overrides"])
    except InvalidConfiguration as exc:
        return {"title": exc.title, "problems": [str(problem) for problem in exc.problems]}
    except UserError as exc:
        return {"title": exc.title, "message": exc.message}
    return {"config": config.to_json()}


if __name__ == "__main__":
    json.dump(_answer(json.load(sys.stdin)), sys.stdout)
