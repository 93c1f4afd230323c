"""The tray icon: live sitting progress at a glance, and a menu of what deskguard can do.

`start_tray(controller, log)` gives the daemon a `Tray` (or None when this desktop has no
tray: deskguard.platform.tray_host says whether there is one, and which). Where a
StatusNotifier host exists the icon is deskguard's own item on the daemon's event loop
(deskguard.tray.sni, no GTK); else pystray's, whose X11 icon deskguard.tray.xorg_picture
and deskguard.tray.xorg_tooltip mend. pystray is imported only inside
`start_tray`, so importing this package is cheap.
"""

from __future__ import annotations

from deskguard.tray.app import Tray, TrayController, start_tray

__all__ = ["Tray", "TrayController", "start_tray"]
