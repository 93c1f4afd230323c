"""What the D-Bus adapters share: one method call that never starts a service."""

from __future__ import annotations

import asyncio
from typing import Any

from dbus_fast import DBusError, Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus

DEFAULT_TIMEOUT = 5.0
# Destination, path and interface of the bus itself (NameHasOwner, GetNameOwner, AddMatch).
DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")


async def call_method(
    bus: MessageBus,
    destination: str,
    path: str,
    interface: str,
    member: str,
    signature: str = "",
    body: list[Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[Any]:
    """The reply's body; an error reply is raised as DBusError.

    NO_AUTOSTART: asking whether something is there must never start it (a notification
    server, an idle monitor) as a side effect.
    """
    message = Message(
        destination=destination,
        path=path,
        interface=interface,
        member=member,
        signature=signature,
        body=body or [],
        flags=MessageFlag.NO_AUTOSTART,
    )
    reply = await asyncio.wait_for(bus.call(message), timeout)
    if reply.message_type is MessageType.ERROR:
        raise DBusError(reply.error_name or "unknown", str(reply.body[0]) if reply.body else "")
    return list(reply.body)
