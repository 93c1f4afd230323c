"""Report to systemd how the daemon is doing (the sd_notify protocol); a no-op outside it."""

from __future__ import annotations

import os
import socket


def notify(message: str) -> bool:
    """Send one datagram to $NOTIFY_SOCKET; False when unset, unsupported or unreachable."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if address.startswith("@"):
        address = "\0" + address[1:]  # a Linux abstract socket
    elif not address.startswith("/"):
        return False  # unset, or a transport (vsock:) this daemon does not speak
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.sendto(message.encode(), address)
    except OSError:
        return False
    return True


def ready() -> bool:
    return notify("READY=1")


def stopping() -> bool:
    return notify("STOPPING=1")


def watchdog() -> bool:
    """Call from the loop that does the work, so a hung loop stops the pings."""
    return notify("WATCHDOG=1")


def status(text: str) -> bool:
    """One line for `systemctl --user status` (newlines would end the field early)."""
    return notify("STATUS=" + " ".join(text.splitlines()))


def watchdog_interval() -> float | None:
    """Seconds within which systemd expects a ping, or None when no watchdog is set for us."""
    pid = os.environ.get("WATCHDOG_PID")
    if pid is not None and pid != str(os.getpid()):
        return None  # inherited from the parent; the watchdog is not ours
    try:
        usec = int(os.environ.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 1_000_000 if usec > 0 else None
