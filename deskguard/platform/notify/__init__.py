"""Desktop notifications: the reminder with its buttons, and how it gets on screen.

Backends: `dbus` (org.freedesktop.Notifications over dbus-fast, with buttons; `dbus.py`),
`plyer` (no buttons) and `log` (`fallbacks.py`). Whatever is configured, a notice that
cannot be shown falls through to the next backend and finally to the log (`chain.py`), so
showing never raises. Runs on the daemon's event-loop thread; the callbacks are called on
that thread.
"""

from deskguard.platform.notify.chain import BACKENDS, FallbackNotifier, open_notifier
from deskguard.platform.notify.dbus import DBusNotifier, ServerInfo, describe_server
from deskguard.platform.notify.fallbacks import CLI_FOR_ACTION, LogNotifier, PlyerNotifier
from deskguard.platform.notify.notice import (
    APP_NAME,
    Backend,
    Notice,
    Notifier,
    NotifierUnavailable,
)

__all__ = [
    "APP_NAME",
    "BACKENDS",
    "CLI_FOR_ACTION",
    "Backend",
    "DBusNotifier",
    "FallbackNotifier",
    "LogNotifier",
    "Notice",
    "Notifier",
    "NotifierUnavailable",
    "PlyerNotifier",
    "ServerInfo",
    "describe_server",
    "open_notifier",
]
