"""The daemon in the test's own process, on a fake clock, with injected adapters.

What the daemon's entry point leaves out of its process (deskguard.daemon.lean) is left
out here too while the daemon starts and runs, so code that reaches for one of those
modules fails in these tests as it would in the real daemon.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from deskguard.daemon.adapters import Adapters, open_adapters
from deskguard.daemon.config import DaemonConfig, DaemonPaths, resolve
from deskguard.daemon.lean import LEFT_OUT_MODULES
from deskguard.daemon.runtime import Daemon, OpenAdapters
from deskguard.model.settings import Settings
from deskguard.paths import ConfigFiles
from deskguard.platform.activity import GivenIdle
from tests.support.env import isolated_env
from tests.unit.test_tracker import FakeClock


class ScriptedIdle(GivenIdle):
    """An activity source whose idle time the test sets (`seconds`)."""

    def __init__(self) -> None:
        super().__init__("test")


def with_activity(idle: ScriptedIdle) -> OpenAdapters:
    """The daemon's real adapters, with `idle` as its activity source."""

    async def open_them(
        config: DaemonConfig, on_action: Callable[[str], None], on_dismissed: Callable[[], None]
    ) -> Adapters:
        adapters = await open_adapters(config, on_action, on_dismissed)
        await adapters.activity.aclose()
        adapters.activity = idle
        return adapters

    return open_them


@contextlib.contextmanager
def lean_process() -> Iterator[None]:
    """Make the left-out modules unimportable (those not imported yet), then restore."""
    blocked = [name for name in LEFT_OUT_MODULES if name not in sys.modules]
    for name in blocked:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        yield
    finally:
        for name in blocked:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]


@contextlib.contextmanager
def daemon_in_process(
    tmp_path: Path, clock: FakeClock, *, schedule: bool = False
) -> Iterator[tuple[Daemon, ScriptedIdle]]:
    """The daemon with the configuration of the environment (the test sets it), started on
    `clock`; shut down at the end even when the test failed."""
    idle = ScriptedIdle()
    # Resolved here, not in the lean part: the daemon loads it in a child process.
    config = resolve(ConfigFiles(system=[], user=tmp_path / "absent.toml"))
    with lean_process():
        daemon = Daemon(config, clock=clock.now, adapters=with_activity(idle))
        daemon.start(schedule=schedule)
        try:
            yield daemon, idle
        finally:
            daemon.shutdown()


def config_with(settings: Settings) -> DaemonConfig:
    """A daemon configuration of these settings and the shipped catalog (for a simulation,
    which keeps its files apart)."""
    from deskguard.catalog import load_catalog

    nowhere = Path("/nonexistent/deskguard")
    return DaemonConfig(
        settings,
        load_catalog(),
        DaemonPaths(nowhere / "config.toml", nowhere, nowhere, nowhere, nowhere),
    )


QUIET = {
    "activity.source": "none",
    "notifications.backend": "log",
    # Focus signals would read the real machine (which processes hold a camera...).
    "focus.do_not_disturb": "false",
    "focus.fullscreen": "false",
    "focus.camera": "false",
    "focus.microphone": "false",
}


def quiet_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Mapping[str, str] = {}
) -> None:
    """This process's environment for a daemon in it: isolated (tests.support.env), no
    activity source, the log notifier, no focus signals, plus `settings` ("section.key":
    value) as DESKGUARD_* variables."""
    for key, value in isolated_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    for key, value in {**QUIET, **settings}.items():
        section, name = key.split(".")
        monkeypatch.setenv(f"DESKGUARD_{section.upper()}__{name.upper()}", value)
