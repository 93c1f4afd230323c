"""The icon in an XEmbed tray's slot (pystray's xorg backend): square, centred, on the tray's
own background.

pystray 0.19.5 stretches the picture to its window (trayer's 24x30 slot turns the ring into
an oval) and pastes it on black, dropping its alpha: a black square on a light panel, and
coloured fringe pixels where the scaled picture is nearly transparent (those keep a colour
of their own). Here the picture is scaled to the slot's shorter side, centred, and blended
over what the tray paints behind its icons: the icon window takes its parent's background
(ParentRelative), the server paints it, and it is read back once per redraw.

`in_slot` is pure; `paint_on_tray_background` touches pystray's private `_window`, `_gc`,
`_icon` and `_draw` (pinned by pyproject's pystray range; tests/integration/test_tray.py
looks at the result in a real trayer).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

FALLBACK_BACKGROUND = (214, 214, 214)
"""Behind the icon when the tray's background cannot be read: a mid-light grey, which a
ring of any colour stands out on, rather than black."""

log = logging.getLogger(__name__)


def in_slot(picture: Image.Image, background: Image.Image) -> Image.Image:
    """`picture` (RGBA, square) scaled to the shorter side of `background` (RGB, the slot),
    centred on it and blended by its alpha: an RGB picture of the slot's size."""
    from PIL import Image

    width, height = background.size
    side = min(width, height)
    square = picture.convert("RGBA")
    if square.size != (side, side):
        # Pillow scales RGBA with premultiplied alpha, so nearly transparent pixels stay dark
        # and blending them adds no colour of their own.
        square = square.resize((side, side), Image.Resampling.LANCZOS)
    slot = background.convert("RGBA")
    slot.alpha_composite(square, ((width - side) // 2, (height - side) // 2))
    return slot.convert("RGB")


def paint_on_tray_background(icon: Any) -> None:
    """Make a `pystray._xorg.Icon` draw with `in_slot` on what its tray paints behind it."""
    from PIL import Image
    from Xlib import X, error

    window = icon._window
    borrowing = False  # whether the window has its parent's background yet

    def borrow_parent_background() -> bool:
        # Only a parent of the same depth can lend its background (else BadMatch), and
        # it must be the tray's: the window is reparented when docked, so look each time
        # until it is.
        tree = window.query_tree()
        docked = tree.parent.id != tree.root.id
        if not docked or tree.parent.get_geometry().depth != window.get_geometry().depth:
            return False
        window.change_attributes(background_pixmap=X.ParentRelative)
        return True

    def tray_background(width: int, height: int) -> Image.Image:
        nonlocal borrowing
        borrowing = borrowing or borrow_parent_background()
        if borrowing:
            window.clear_area(0, 0, width, height)  # the server paints the parent's background
            shown = window.get_image(0, 0, width, height, X.ZPixmap, 0xFFFFFFFF)
            if len(shown.data) == width * height * 4:  # 24-bit colour in 32-bit pixels
                lsb_first = window.display.info.image_byte_order == X.LSBFirst
                raw = "BGRX" if lsb_first else "XRGB"
                return Image.frombytes("RGB", (width, height), shown.data, "raw", raw)
        return Image.new("RGB", (width, height), FALLBACK_BACKGROUND)

    def draw() -> None:
        try:
            geometry = window.get_geometry()
            background = tray_background(geometry.width, geometry.height)
            window.put_pil_image(icon._gc, 0, 0, in_slot(icon._icon, background))
        except (error.BadDrawable, error.BadWindow):
            pass  # the window is gone: the icon is stopping
        except error.XError:
            log.debug("tray: could not draw the icon", exc_info=True)

    icon._draw = draw
