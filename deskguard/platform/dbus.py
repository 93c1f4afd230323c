"""What the D-Bus adapters share: their own connection, one method call that never starts a
service, one line on why a call failed, and the wait for a connection to be lost."""

from __future__ import annotations

import asyncio
from typing import Any

from dbus_fast import BusType, DBusError, ErrorType, Message, MessageFlag, MessageType
from dbus_fast.aio import MessageBus

DEFAULT_TIMEOUT = 5.0
# Destination, path and interface of the bus itself (NameHasOwner, GetNameOwner, AddMatch).
DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
# The errors that say a name is not on the bus at all (rather than that it failed).
NOT_THERE = (ErrorType.NAME_HAS_NO_OWNER.value, ErrorType.SERVICE_UNKNOWN.value)


async def connect(
    bus_type: BusType = BusType.SESSION, timeout: float = DEFAULT_TIMEOUT
) -> MessageBus:
    """A new connection of the caller's own; raises what connecting raised, or TimeoutError.

    Each adapter keeps its own, so one that breaks or is closed leaves the others working.
    """
    return await asyncio.wait_for(MessageBus(bus_type=bus_type).connect(), timeout)


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


async def add_match(bus: MessageBus, rule: str, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Have the bus route the signals `rule` matches to this connection's handlers."""
    await call_method(bus, *DBUS, "AddMatch", "s", [rule], timeout)


def reason_for(exc: BaseException, timeout: float | None = None) -> str:
    """Why a call, a connection or a helper program failed, in one line for logs and doctor.

    With `timeout` a TimeoutError says how long was waited, else only that it took too long.
    """
    if isinstance(exc, DBusError):
        return f"{exc.type}: {exc.text}"
    if isinstance(exc, TimeoutError):
        return "no answer in time" if timeout is None else f"no answer within {timeout:g} s"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def until_closed(bus: MessageBus) -> str:
    """Wait until `bus` has lost its connection (the bus daemon stopped, or closed it);
    the reason, for a Reconnector's log line (deskguard.platform.reconnect)."""
    try:
        await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
    except Exception as exc:  # how it broke: dbus-fast raises that here
        return f"the bus closed the connection: {reason_for(exc)}"
    return "the bus closed the connection"
