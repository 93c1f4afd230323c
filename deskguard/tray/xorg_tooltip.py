"""A tooltip for the XEmbed icon (pystray's xorg backend has none): the status line under
the pointer while it is over the icon.

A small override-redirect window, drawn with core X requests in the server's "fixed" font,
so no toolkit is loaded. It shows the icon's title (Latin-1 already: see
`Tray._window_title`) when the pointer enters the icon, and goes when it leaves or clicks.
Everything here runs on pystray's event thread, on the icon's own X connection.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

PADDING = 4
GAP = 6
"""Pixels between the icon (or the pointer) and the tooltip."""
BACKGROUND = (0xFF, 0xFF, 0xE1)
TEXT = (0x20, 0x20, 0x20)
TOOLTIP_CLASS = ("deskguard-tooltip", "deskguard")


def placed(
    pointer_x: int, icon_top: int, icon_bottom: int, size: tuple[int, int], screen: tuple[int, int]
) -> tuple[int, int]:
    """Where a tooltip of `size` goes: centred on the pointer, below the icon, or above it
    when the icon is at the bottom of the screen; always on the screen."""
    width, height = size
    screen_width, screen_height = screen
    x = min(max(0, pointer_x - width // 2), max(0, screen_width - width))
    below = icon_bottom + GAP
    y = below if below + height <= screen_height else max(0, icon_top - GAP - height)
    return x, y


class Tooltip:
    """The tooltip of one `pystray._xorg.Icon`; `install()` hooks it into the icon's events."""

    def __init__(self, icon: Any) -> None:
        self._icon = icon
        self._display = icon._display
        self._window: Any = None
        self._gc: Any = None
        self._text = b""
        self._font: Any = None
        self._ascent = 0

    def install(self, handlers: dict[int, Any]) -> int:
        """Take the icon's Enter, Leave and Expose events; returns the event mask it needs."""
        from Xlib import X

        handlers[X.EnterNotify] = lambda event: self._guarded(self.show, event)
        handlers[X.LeaveNotify] = lambda event: self._guarded(self.hide)
        icon_expose = handlers[X.Expose]

        def on_expose(event: Any) -> None:
            if self._window is not None and event.window.id == self._window.id:
                self._guarded(self._draw)
            else:
                icon_expose(event)

        handlers[X.Expose] = on_expose
        return int(X.EnterWindowMask | X.LeaveWindowMask)

    def _guarded(self, action: Any, *args: Any) -> None:
        # A tooltip that fails must never end pystray's event loop (and with it the icon).
        try:
            action(*args)
        except Exception:
            log.debug("tray: tooltip failed", exc_info=True)

    def show(self, event: Any) -> None:
        from Xlib import X

        self.hide()
        self._text = str(self._icon.title).encode("latin-1", "replace")
        if not self._text:
            return
        screen = self._display.screen()
        if self._font is None:
            self._font = self._display.open_font("fixed")
        extents = self._font.query_text_extents(self._text)
        size = (
            extents.overall_width + 2 * PADDING,
            extents.font_ascent + extents.font_descent + 2 * PADDING,
        )
        icon_window = self._icon._window
        origin = icon_window.translate_coords(screen.root, 0, 0)
        top = -origin.y
        bottom = top + icon_window.get_geometry().height
        x, y = placed(
            event.root_x, top, bottom, size, (screen.width_in_pixels, screen.height_in_pixels)
        )
        colours = screen.default_colormap
        background = colours.alloc_color(*(c * 257 for c in BACKGROUND)).pixel
        window = screen.root.create_window(
            x, y, size[0], size[1], 1, screen.root_depth,
            X.InputOutput, X.CopyFromParent,
            background_pixel=background, border_pixel=screen.black_pixel,
            override_redirect=True, event_mask=X.ExposureMask,
        )  # fmt: skip
        window.set_wm_name(self._text.decode("latin-1"))
        window.set_wm_class(*TOOLTIP_CLASS)
        self._gc = window.create_gc(
            font=self._font,
            foreground=colours.alloc_color(*(c * 257 for c in TEXT)).pixel,
            background=background,
        )
        self._ascent = extents.font_ascent
        self._window = window
        window.map()
        self._display.flush()

    def _draw(self) -> None:
        if self._window is not None:
            self._window.draw_text(self._gc, PADDING, PADDING + self._ascent, self._text)
            self._display.flush()

    def hide(self) -> None:
        window, self._window = self._window, None
        if window is not None:
            window.destroy()
            self._display.flush()
