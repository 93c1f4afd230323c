"""The tray icon: live sitting progress at a glance, and a menu of what deskguard can do.

`start_tray(controller, log)` gives the daemon a `Tray` (or None when this desktop has no
tray); `tray_host_available()` tells `deskguard doctor` whether there is a tray and which.
pystray is imported only inside `start_tray`, so importing this package is cheap.
"""

from __future__ import annotations

from deskguard.tray.app import Tray, TrayController, start_tray, tray_host_available

__all__ = ["Tray", "TrayController", "start_tray", "tray_host_available"]
