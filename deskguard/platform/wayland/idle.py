"""The `wayland` activity source: idle time from the compositor's own idle protocol.

`ext_idle_notifier_v1` (KDE Plasma 5.27+, sway 1.8+, Hyprland, niri, labwc, COSMIC...)
first, else KDE's older `org_kde_kwin_idle` (sway 1.7, KWin). Both send events (idled
after a timeout without input, resumed on input) rather than answer a question;
deskguard.core.idle_events turns them into seconds, so a reading costs no I/O at all.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from deskguard.core.idle_events import IdleFromEvents
from deskguard.platform.wayland.connection import WaylandConnection, WaylandUnavailable

PROTOCOLS = ("ext_idle_notifier_v1", "org_kde_kwin_idle")


class WaylandIdle:
    """Subscribed once at start-up, with the timeout the natural break calls for."""

    name = "wayland"

    def __init__(self, connection: WaylandConnection, protocol: str, timeout: float) -> None:
        self._connection = connection
        self.protocol = protocol
        self._events = IdleFromEvents(timeout)
        self._notification: Any = None

    @classmethod
    async def open(cls, timeout: float) -> WaylandIdle:
        connection = await WaylandConnection.open()
        try:
            offered = [name for name in PROTOCOLS if name in connection.globals]
            if not offered:
                raise WaylandUnavailable(f"the compositor offers neither {' nor '.join(PROTOCOLS)}")
            if "wl_seat" not in connection.globals:
                raise WaylandUnavailable("the compositor offers no seat (wl_seat)")
            source = cls(connection, offered[0], timeout)
            source._subscribe()
            await connection.roundtrip()  # a refusal (a protocol error) shows up here
        except BaseException:
            connection.close()
            raise
        return source

    def _subscribe(self) -> None:
        from pywayland.protocol.wayland import WlSeat

        seat = self._connection.bind(WlSeat, 1)
        milliseconds = round(self._events.timeout * 1000)
        if self.protocol == "ext_idle_notifier_v1":
            from pywayland.protocol.ext_idle_notify_v1 import ExtIdleNotifierV1

            notifier = self._connection.bind(ExtIdleNotifierV1, 1)
            notification = notifier.get_idle_notification(milliseconds, seat)
            notification.dispatcher["idled"] = self._on_idled
            notification.dispatcher["resumed"] = self._on_resumed
        else:
            from deskguard.platform.wayland.protocols.kde_idle import OrgKdeKwinIdle

            kde_idle = self._connection.bind(OrgKdeKwinIdle, 1)
            notification = kde_idle.get_idle_timeout(seat, milliseconds)
            notification.dispatcher["idle"] = self._on_idled
            notification.dispatcher["resumed"] = self._on_resumed
        self._notification = notification
        self._connection.flush()

    # pywayland calls these with the object the event is for; they must return None.
    def _on_idled(self, _notification: Any) -> None:
        self._events.idled(time.monotonic())

    def _on_resumed(self, _notification: Any) -> None:
        self._events.resumed(time.monotonic())

    @property
    def how(self) -> str:
        return f"{self.protocol}, timeout {self._events.timeout:g} s"

    async def idle_seconds(self) -> float:
        from deskguard.platform.activity import ActivityUnavailable

        if self._connection.lost is not None:
            raise ActivityUnavailable(f"lost the Wayland compositor ({self._connection.lost})")
        return self._events.idle_seconds(time.monotonic())

    async def disconnected(self) -> str:
        """Returns, with the reason, once the compositor closes the connection: the socket
        tells at once, long before a reading would (deskguard.platform.reconnect)."""
        if self._connection.lost is not None:
            return self._connection.lost
        lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def on_lost(reason: str) -> None:
            if not lost.done():
                lost.set_result(reason)

        self._connection.on_lost.append(on_lost)
        try:
            return await lost
        finally:
            self._connection.on_lost.remove(on_lost)

    async def aclose(self) -> None:
        self._connection.close()
