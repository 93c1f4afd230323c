"""An isolated environment for a deskguard process: nothing of the machine's own session."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

_SESSION = ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "NOTIFY_SOCKET")


def isolated_env(tmp_path: Path, config_dirs: Sequence[Path] = ()) -> dict[str, str]:
    """No graphical session, no session bus, no deskguard or XDG variables from outside;
    every XDG folder under `tmp_path` (the system config folders: `config_dirs`, else a
    folder that does not exist)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in _SESSION and not key.startswith(("XDG_", "DESKGUARD_"))
    }
    for name in ("config", "state", "data", "cache", "runtime"):
        (tmp_path / name).mkdir(mode=0o700, exist_ok=True)
    (tmp_path / "runtime").chmod(0o700)  # XDG_RUNTIME_DIR must be private or it is ignored
    env.update(
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_STATE_HOME=str(tmp_path / "state"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_RUNTIME_DIR=str(tmp_path / "runtime"),
        XDG_CONFIG_DIRS=os.pathsep.join(str(p) for p in config_dirs or [tmp_path / "nowhere"]),
        # Without a bus address D-Bus libraries would try to autolaunch one.
        DBUS_SESSION_BUS_ADDRESS="unix:path=" + str(tmp_path / "no-bus"),
    )
    return env
