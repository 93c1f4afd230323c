"""What `deskguard run` keeps out of the daemon's process, which sits in memory all day.

Each of these is a library the daemon never uses but would load anyway, and bench/
footprint.py measures what leaving it out saves. Call `leave_out_unused()` before the
daemon imports anything else; processes the daemon starts (the routine window, the tray's
menu, the config check) are not affected.
"""

from __future__ import annotations

import sys

LEFT_OUT_MODULES = ("ssl", "_ssl", "_hashlib", "PIL._imagingft")
"""Importing these fails in the daemon, and their users go without: asyncio without TLS
(the daemon speaks none), hashlib with Python's own SHA-1 for dbus-fast's cookie login
instead of OpenSSL (together about 8 MB), Pillow's drawing without FreeType (the tray
icon has no text)."""

XLIB_EXTENSIONS = ("MIT-SCREEN-SAVER",)
"""The X extensions the daemon uses: idle time. The tray icon and the fullscreen check use
the core protocol. python-xlib otherwise imports a module for every extension the X
server offers, in every process that opens a display."""


def leave_out_unused() -> None:
    for module in LEFT_OUT_MODULES:
        sys.modules.setdefault(module, None)  # type: ignore[arg-type]
    try:
        from Xlib import ext
    except ImportError:  # no python-xlib: no X11 adapters either
        return
    offered: list[tuple[str, str]] = getattr(ext, "__extensions__")  # noqa: B009 (untyped)
    offered[:] = [(name, module) for name, module in offered if name in XLIB_EXTENSIONS]
