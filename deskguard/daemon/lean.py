"""What the daemon's process leaves out: it sits in memory all day.

`python -m deskguard.daemon` calls `leave_out_unused()` as its first statement. Each
module here is one the daemon never uses but would load anyway (bench/footprint.py
measures what leaving it out saves); processes the daemon starts (the routine window,
the tray's menu, the config child) are not affected. tests/integration/test_lean_daemon.py
checks the running daemon maps none of their libraries, and the in-process daemon tests
apply the same rule (tests/support), so code that needs one of them fails in the tests too.
"""

from __future__ import annotations

import sys

LEFT_OUT_MODULES = ("ssl", "_ssl", "_hashlib", "PIL._imagingft")
"""Importing these fails in the daemon, and their users go without: asyncio without TLS
(the daemon does no network I/O; anything that ever needs the network runs in a helper
process), hashlib with Python's own SHA-1 for dbus-fast's cookie login instead of OpenSSL
(together about 8 MB), Pillow's drawing without FreeType (the tray icon has no text)."""


XLIB_EXTENSIONS = ("MIT-SCREEN-SAVER",)
"""The X extensions the daemon uses: idle time (the tray icon and the fullscreen check use
the core protocol). python-xlib otherwise imports a module for every extension the X
server offers, in every process that opens a display: about 0.9 MB the daemon would carry
all day. The list it reads is python-xlib's own `Xlib.ext.__extensions__`;
tests/unit/test_lean.py fails if a python-xlib release renames or reshapes it."""


def leave_out_unused() -> None:
    for module in LEFT_OUT_MODULES:
        sys.modules.setdefault(module, None)  # type: ignore[arg-type]
    _only_the_x_extensions_used()


def _only_the_x_extensions_used() -> None:
    try:
        from Xlib import ext
    except ImportError:  # no python-xlib: no X11 adapters either
        return
    offered: list[tuple[str, str]] = getattr(ext, "__extensions__")  # noqa: B009 (untyped)
    offered[:] = [(name, module) for name, module in offered if name in XLIB_EXTENSIONS]
