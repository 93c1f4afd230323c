"""What the daemon runs on: the settings, catalog facts and paths it needs, as plain data.

The daemon runs all day, so it never imports pydantic (with pydantic-settings, about a
quarter of its idle memory: bench/footprint.py) or platformdirs. A short-lived child
process, `python -m deskguard.daemon.config`, finds the files, loads and validates the
configuration and the catalog with deskguard.settings and deskguard.catalog, and prints
a `DaemonConfig` (the schema's own types, deskguard.model) as JSON; the daemon starts that
child at start-up and on every reload and rebuilds the same types with
`deskguard.model.plain.decode`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deskguard import paths
from deskguard.core.selection import desk_friendly_ids
from deskguard.errors import InvalidConfiguration, UserError
from deskguard.model import plain
from deskguard.model.exercise import Catalog
from deskguard.model.settings import Settings
from deskguard.paths import ConfigFiles

# Loading the catalog and the config takes well under a second; this is for a stuck disk.
CHILD_TIMEOUT = 60.0


@dataclass(frozen=True)
class DaemonPaths:
    """Where the daemon's files are (see deskguard.paths)."""

    config_file: Path  # the user's config file, which may not exist
    history: Path
    sitting: Path
    runtime_dir: Path
    control_socket: Path
    pictures: Path | None = None
    """Where exercise pictures are cached; None: reminders go without one."""

    @classmethod
    def found(cls, files: ConfigFiles) -> DaemonPaths:
        return cls(
            config_file=files.user,
            history=paths.history_file(),
            sitting=paths.sitting_state_file(),
            runtime_dir=paths.runtime_dir(),
            control_socket=paths.control_socket(),
            pictures=paths.pictures_cache_dir(),
        )


@dataclass(frozen=True)
class DaemonConfig:
    """What the daemon runs on: the validated settings and catalog, and its paths."""

    settings: Settings
    catalog: Catalog
    paths: DaemonPaths

    @property
    def candidates(self) -> tuple[str, ...]:
        """Exercises a reminder may suggest: desk-friendly, allowed by the user's health."""
        exercises = self.catalog.exercises.values()
        return tuple(desk_friendly_ids(exercises, self.settings.health.contraindications))

    def to_json(self) -> str:
        return json.dumps(plain.encode(self, durations_as_text=False))

    @classmethod
    def from_json(cls, text: str) -> DaemonConfig:
        return plain.decode(cls, json.loads(text))


def resolve(files: ConfigFiles, overrides: Mapping[str, Any] | None = None) -> DaemonConfig:
    """Load and validate the configuration and the catalog (imports pydantic: call it in
    the child process or in tests, never in the daemon)."""
    from deskguard.catalog import load_catalog
    from deskguard.settings import load_settings

    settings = load_settings(files, overrides)
    return DaemonConfig(settings, load_catalog(), DaemonPaths.found(files))


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
        return plain.decode(DaemonConfig, answer["config"])
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
    return {"config": plain.encode(config, durations_as_text=False)}


if __name__ == "__main__":
    json.dump(_answer(json.load(sys.stdin)), sys.stdout)
