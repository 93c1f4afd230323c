"""Whether this desktop has a system tray for deskguard's icon, and which kind.

Asked by the tray before it starts and by `deskguard doctor`. The X and D-Bus libraries
are imported only while asking.
"""

from __future__ import annotations

import os

STATUS_NOTIFIER_WATCHER = "org.kde.StatusNotifierWatcher"
"""The bus name of an AppIndicator / StatusNotifier host (KDE, GNOME's extension, ...)."""

PROBE_TIMEOUT = 3.0

SNI_FOUND = "StatusNotifier (AppIndicator) tray found"
XEMBED_FOUND = "XEmbed system tray found"
ICON_FOR_HOST = {
    SNI_FOUND: "deskguard's own StatusNotifierItem over D-Bus (no GTK)",
    XEMBED_FOUND: "pystray's xorg icon",
}
"""What deskguard's icon is made of on each kind of host (`deskguard doctor` says)."""


def tray_host_available() -> tuple[bool, str]:
    """Whether this desktop has a system tray deskguard's icon can live in, and what was found.

    A StatusNotifier host (`org.kde.StatusNotifierWatcher`) gets deskguard's own item over
    D-Bus; an XEmbed tray (the `_NET_SYSTEM_TRAY_S<n>` selection) gets pystray's icon.
    """
    return tray_host(xembed_tray_owned())


def tray_host(xembed: bool | None) -> tuple[bool, str]:
    """`tray_host_available` once the XEmbed tray has been looked for.

    A StatusNotifier host comes first: deskguard's own item serves it without GTK, and on
    Wayland it is the only tray there is.
    """
    if status_notifier_host():
        return True, SNI_FOUND
    if xembed:
        return True, XEMBED_FOUND
    if xembed is None and not os.environ.get("WAYLAND_DISPLAY"):
        return False, "no display to show a tray icon on (DISPLAY unset or unreachable)"
    return False, "no system tray found (on GNOME, install the AppIndicator extension)"


def xembed_tray_owned() -> bool | None:
    """Whether some window owns the XEmbed tray selection; None without an X display."""
    if not os.environ.get("DISPLAY"):
        return None
    try:
        from Xlib import X, display

        connection = display.Display()
    except Exception:
        return None
    try:
        atom = connection.intern_atom(f"_NET_SYSTEM_TRAY_S{connection.get_default_screen()}")
        return bool(connection.get_selection_owner(atom) != X.NONE)
    finally:
        connection.close()


def status_notifier_host() -> bool:
    """Whether a StatusNotifier host owns its name on the session bus (False without a bus)."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def has_owner() -> bool:
        from deskguard.platform.dbus import DBUS, call_method, connect

        bus = await connect()
        try:
            body = await call_method(bus, *DBUS, "NameHasOwner", "s", [STATUS_NOTIFIER_WATCHER])
            return bool(body and body[0])
        finally:
            bus.disconnect()

    async def bounded() -> bool:
        return await asyncio.wait_for(has_owner(), PROBE_TIMEOUT)

    try:
        # A thread of its own: callers may already run an event loop (`deskguard doctor`).
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, bounded()).result()
    except Exception:
        return False
