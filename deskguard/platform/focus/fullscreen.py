"""The `fullscreen` focus signal: the compositor's own word on Wayland
(deskguard.platform.focus.wayland_fullscreen), else the X server's."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING

from deskguard.platform.desktop import wayland_session
from deskguard.platform.focus.base import BaseSignal, FocusConfig, FocusUnavailable

if TYPE_CHECKING:
    from Xlib.display import Display


class Fullscreen(BaseSignal):
    """The active window is fullscreen, as the window manager tells X11 clients (EWMH):
    the root's `_NET_ACTIVE_WINDOW`, and `_NET_WM_STATE_FULLSCREEN` in that window's
    `_NET_WM_STATE`.

    The display is opened once. python-xlib calls block, but each is one round trip to a
    local server, so they run on the event loop directly rather than in a thread.
    """

    name = "fullscreen"

    def __init__(self, log: logging.Logger) -> None:
        super().__init__(log)
        self._where = os.environ.get("DISPLAY", "")
        self._display: Display | None = None
        self._atoms: dict[str, int] = {}
        if not self._where:
            raise FocusUnavailable(
                "DISPLAY is not set"
                + (": a Wayland session without XWayland" if wayland_session() else "")
            )
        self._display = self._connect()

    @classmethod
    async def open(cls, settings: FocusConfig, log: logging.Logger) -> BaseSignal:
        """On Wayland the compositor's view (it sees every window), else X11's."""
        reasons: list[str] = []
        if wayland_session():
            from deskguard.platform.focus.wayland_fullscreen import open_on_wayland

            found, reasons = await open_on_wayland(log)
            if found is not None:
                return found
        try:
            return cls(log)
        except FocusUnavailable as exc:
            raise FocusUnavailable("; ".join([*reasons, str(exc)])) from exc

    def _connect(self) -> Display:
        from Xlib import display, error

        try:
            connection = display.Display(self._where)
        except (error.DisplayError, OSError) as exc:
            raise FocusUnavailable(f"cannot open X display {self._where}: {exc}") from exc
        self._atoms = {
            name: connection.intern_atom(name)
            for name in (
                "_NET_ACTIVE_WINDOW",
                "_NET_WM_STATE",
                "_NET_WM_STATE_FULLSCREEN",
                "_NET_SUPPORTED",
            )
        }
        return connection

    @property
    def how(self) -> str:
        where = f"X11 {self._where}"
        if wayland_session():
            where += " (XWayland: X11 windows only; Wayland windows are not seen)"
        if self._display is not None and not self._manager_announces_active_window():
            return f"{where}, but no window manager announces _NET_ACTIVE_WINDOW now"
        return f"{where}, the window manager's active window"

    def _manager_announces_active_window(self) -> bool:
        from Xlib import X, error

        assert self._display is not None
        try:
            supported = self._display.screen().root.get_full_property(
                self._atoms["_NET_SUPPORTED"], X.AnyPropertyType
            )
        except (error.XError, error.ConnectionClosedError, OSError):
            return False
        return supported is not None and self._atoms["_NET_ACTIVE_WINDOW"] in supported.value

    async def _check(self) -> bool:
        from Xlib import error

        if self._display is None:
            self._display = self._connect()  # the X server went away earlier; try again
        try:
            return self._active_window_is_fullscreen(self._display)
        except (error.ConnectionClosedError, OSError):
            self._close()
            raise

    def _active_window_is_fullscreen(self, connection: Display) -> bool:
        from Xlib import X, error

        active = connection.screen().root.get_full_property(
            self._atoms["_NET_ACTIVE_WINDOW"], X.AnyPropertyType
        )
        if active is None or active.format != 32 or not active.value or not active.value[0]:
            return False  # no window manager, or no window has the focus
        window = connection.create_resource_object("window", int(active.value[0]))
        try:
            state = window.get_full_property(self._atoms["_NET_WM_STATE"], X.AnyPropertyType)
        except error.BadWindow:
            return False  # the window closed; the window manager has not caught up yet
        return state is not None and self._atoms["_NET_WM_STATE_FULLSCREEN"] in state.value

    def _close(self) -> None:
        connection, self._display = self._display, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # a connection that is already broken may not close cleanly
                self._log.debug("closing the X display", exc_info=True)

    async def aclose(self) -> None:
        self._close()
