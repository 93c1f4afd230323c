"""What kind of graphical session deskguard runs in."""

from __future__ import annotations

import os


def wayland_session() -> bool:
    """A Wayland session: X11 clients there see XWayland's windows and input only."""
    return os.environ.get("XDG_SESSION_TYPE") == "wayland" or bool(
        os.environ.get("WAYLAND_DISPLAY")
    )
