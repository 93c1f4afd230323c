"""The `fullscreen` focus signal on Wayland, where each compositor says it its own way:
wlroots' foreign toplevels (sway, Hyprland, labwc...), KWin's scripting (KDE Plasma).
GNOME shows its Wayland windows to no other program."""

from __future__ import annotations

import logging
import os

from deskguard.platform.focus.base import BaseSignal, FocusUnavailable

GNOME_HIDES = "GNOME on Wayland shows its Wayland windows to no other program"


class WlrFullscreen(BaseSignal):
    name = "fullscreen"

    def __init__(self, log: logging.Logger, toplevels: object) -> None:
        from deskguard.platform.wayland.toplevels import ForeignToplevels

        super().__init__(log)
        assert isinstance(toplevels, ForeignToplevels)
        self._toplevels = toplevels

    @property
    def how(self) -> str:
        return "the compositor's active window (zwlr_foreign_toplevel_manager_v1)"

    async def _check(self) -> bool:
        return await self._toplevels.active_is_fullscreen()

    async def aclose(self) -> None:
        self._toplevels.close()


async def open_on_wayland(log: logging.Logger) -> tuple[BaseSignal | None, list[str]]:
    """The signal this compositor supports, or None and why each way did not work."""
    from deskguard import paths
    from deskguard.errors import UserError
    from deskguard.platform.focus.kwin_fullscreen import KWinFullscreen
    from deskguard.platform.wayland.connection import WaylandUnavailable
    from deskguard.platform.wayland.toplevels import ForeignToplevels

    reasons: list[str] = []
    try:
        return WlrFullscreen(log, await ForeignToplevels.open()), reasons
    except WaylandUnavailable as exc:
        reasons.append(str(exc))
    try:
        return await KWinFullscreen.open(log, paths.runtime_dir()), reasons
    except (FocusUnavailable, OSError, UserError) as exc:
        reasons.append(str(exc))
    if "GNOME" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper().split(":"):
        reasons.append(GNOME_HIDES)
    return None, reasons
