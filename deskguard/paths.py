"""Where deskguard keeps its files (XDG base directories; each overridable by its variable).

platformdirs is imported only when a path is asked for: the daemon gets its paths from
its config child process (deskguard.daemon.config) and so never loads it, or the
tempfile and random modules it brings (about 1 MB of the idle daemon's memory).
"""

from __future__ import annotations

import contextlib
import os
import stat
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from deskguard.errors import UserError

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


def pictures_cache_dir() -> Path:
    """The exercise pictures drawn for notifications and the tray (safe to delete)."""
    return Path(_platformdirs().user_cache_path(APP)) / "pictures"


def sitting_state_file() -> Path:
    """The running sitting stretch, so a restarted daemon can carry it on."""
    return Path(_platformdirs().user_state_path(APP)) / "sitting.json"


def runtime_dir() -> Path:
    """$XDG_RUNTIME_DIR/deskguard. Without a private XDG_RUNTIME_DIR, platformdirs falls back
    to /run/user/UID or $TMPDIR/runtime-UID; in a shared /tmp another user can create that
    one first, so a fallback must be this user's own, closed to everyone else."""
    with warnings.catch_warnings():
        # Without a login session (cron, ssh) the fallback is expected, not worth a warning.
        warnings.simplefilter("ignore")
        try:
            folder = Path(_platformdirs().user_runtime_path(APP))
        except PermissionError as exc:  # platformdirs found its fallback unsafe itself
            reason = str(exc).removeprefix("runtime directory ")
            raise UserError(UNSAFE_RUNTIME_DIR, reason) from None
    if folder.parent != Path(os.environ.get("XDG_RUNTIME_DIR", "")):  # a fallback
        _check_private(folder.parent)
    return folder


UNSAFE_RUNTIME_DIR = "unsafe runtime directory"


def _check_private(folder: Path) -> None:
    # Made here, private, when absent: whoever creates it first owns it.
    with contextlib.suppress(OSError):
        folder.mkdir(mode=0o700)
    try:
        info = folder.lstat()
    except FileNotFoundError:
        return  # its parent is missing too: nothing anyone could have planted
    except OSError as exc:
        raise UserError(UNSAFE_RUNTIME_DIR, f"{folder}: {exc.strerror}{_SET_RUNTIME_DIR}") from None
    uid = os.geteuid()
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        problem = "is not a directory"
    elif info.st_uid != uid:
        problem = f"is owned by uid {info.st_uid}, not {uid}"
    elif info.st_mode & 0o077:
        problem = f"has mode {info.st_mode & 0o777:04o}: others may use it"
    else:
        return
    raise UserError(UNSAFE_RUNTIME_DIR, f"{folder} {problem}{_SET_RUNTIME_DIR}")


_SET_RUNTIME_DIR = "; set XDG_RUNTIME_DIR to a directory only you can use"

SOCKET_PATH_LONGEST = 107
"""Bytes in a Unix socket's path: sun_path holds 108 with the final NUL."""


def control_socket() -> Path:
    path = runtime_dir() / "control.sock"
    size = len(os.fsencode(path))
    if size > SOCKET_PATH_LONGEST:
        raise UserError(
            "control socket path too long",
            f"{path} is {size} bytes long, a Unix socket's path may have at most "
            f"{SOCKET_PATH_LONGEST}; "
            "set XDG_RUNTIME_DIR to a shorter directory",
        )
    return path
