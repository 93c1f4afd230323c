"""Where deskguard keeps its files (XDG base directories; each overridable by its variable).

platformdirs is imported only when a path is asked for: the daemon gets its paths from
its config child process (deskguard.daemon.config) and so never loads it, or the
tempfile and random modules it brings (about 1 MB of the idle daemon's memory).
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

APP = "deskguard"
APP_ID = "io.github.deskguard"
"""Who deskguard is to the desktop: its application entry, icon, AppStream component and
notifications all go by this one id (a D-Bus-style reverse-DNS name, as the Desktop Entry
and AppStream specifications ask)."""
CONFIG_ENV = "DESKGUARD_CONFIG"
_SHIPPED_IN_WHEEL = Path(__file__).parent / "_shipped"
_SHIPPED_IN_CHECKOUT = Path(__file__).parent.parent / "config"
_SYSTEMD_IN_CHECKOUT = Path(__file__).parent.parent / "systemd"


def shipped_file(name: str) -> Path:
    """A file from the project's `config/` or `systemd/` folder, installed or in a checkout."""
    for folder in (_SHIPPED_IN_WHEEL, _SHIPPED_IN_CHECKOUT, _SYSTEMD_IN_CHECKOUT):
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"deskguard is missing its shipped file {name!r}; reinstall it")


def _platformdirs() -> ModuleType:
    import platformdirs

    return platformdirs


def user_config_dir() -> Path:
    return Path(_platformdirs().user_config_path(APP))


def user_config_file() -> Path:
    """The user's config file: DESKGUARD_CONFIG if set, else the XDG location."""
    override = os.environ.get(CONFIG_ENV)
    return Path(override) if override else user_config_dir() / "config.toml"


def system_config_files() -> list[Path]:
    """System-wide config files, least important first (XDG_CONFIG_DIRS lists most first)."""
    dirs = str(_platformdirs().site_config_dir(APP, multipath=True)).split(os.pathsep)
    return [Path(d) / "config.toml" for d in reversed(dirs) if d]


@dataclass
class ConfigFiles:
    """The config files consulted, least important first; `user` may not exist."""

    system: list[Path] = field(default_factory=system_config_files)
    user: Path = field(default_factory=user_config_file)
    # Named on purpose (--config, DESKGUARD_CONFIG): missing is an error, not "defaults".
    user_required: bool = field(default_factory=lambda: bool(os.environ.get(CONFIG_ENV)))

    @property
    def layers(self) -> list[Path]:
        return [*self.system, self.user]

    @classmethod
    def chosen(cls, config_path: Path | None) -> ConfigFiles:
        """The files to read; a --config PATH must exist (a typo must not mean defaults)."""
        files = cls()
        if config_path is not None:
            files.user = config_path
            files.user_required = True
        return files


def user_catalog_file() -> Path:
    return user_config_dir() / "catalog.toml"


def history_file() -> Path:
    return Path(_platformdirs().user_state_path(APP)) / "history.sqlite3"


def sitting_state_file() -> Path:
    """The running sitting stretch, so a restarted daemon can carry it on."""
    return Path(_platformdirs().user_state_path(APP)) / "sitting.json"


def runtime_dir() -> Path:
    """$XDG_RUNTIME_DIR/deskguard; platformdirs picks a private fallback when it is unset."""
    with warnings.catch_warnings():
        # Without a login session (cron, ssh) the fallback is expected, not worth a warning.
        warnings.simplefilter("ignore")
        return Path(_platformdirs().user_runtime_path(APP))


def control_socket() -> Path:
    return runtime_dir() / "control.sock"
