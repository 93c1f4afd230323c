"""The windows of a wlroots compositor (sway, Hyprland, labwc, river...) as other
programs may see them: `zwlr_foreign_toplevel_manager_v1` announces every toplevel and
sends its state (activated, fullscreen, ...) whenever it changes, so asking costs no
more than a round trip."""

from __future__ import annotations

from array import array
from typing import Any

from deskguard.platform.wayland.connection import WaylandConnection, WaylandUnavailable

PROTOCOL = "zwlr_foreign_toplevel_manager_v1"
# The protocol's state enum (zwlr_foreign_toplevel_handle_v1.state).
ACTIVATED = 2
FULLSCREEN = 3


def states_of(raw: bytes) -> frozenset[int]:
    """A `state` event's array: native-endian 32-bit values."""
    values = array("I")
    values.frombytes(raw[: len(raw) - len(raw) % values.itemsize])
    return frozenset(values)


class ForeignToplevels:
    """The latest state of each toplevel, kept up to date by the compositor's events."""

    def __init__(self, connection: WaylandConnection) -> None:
        self._connection = connection
        self._states: dict[Any, frozenset[int]] = {}
        self._manager: Any = None

    @classmethod
    async def open(cls) -> ForeignToplevels:
        connection = await WaylandConnection.open()
        try:
            if PROTOCOL not in connection.globals:
                raise WaylandUnavailable(f"the compositor offers no {PROTOCOL}")
            from deskguard.platform.wayland.protocols.wlr_foreign_toplevel import (
                ZwlrForeignToplevelManagerV1,
            )

            toplevels = cls(connection)
            toplevels._manager = connection.bind(ZwlrForeignToplevelManagerV1, 3)
            toplevels._manager.dispatcher["toplevel"] = toplevels._on_toplevel
            connection.flush()
            await connection.roundtrip()  # the toplevels there are now, with their states
        except BaseException:
            connection.close()
            raise
        return toplevels

    # pywayland calls these with the object the event is for; they must return None.
    def _on_toplevel(self, _manager: Any, handle: Any) -> None:
        self._states[handle] = frozenset()
        handle.dispatcher["state"] = self._on_state
        handle.dispatcher["closed"] = self._on_closed

    def _on_state(self, handle: Any, raw: bytes) -> None:
        self._states[handle] = states_of(raw)

    def _on_closed(self, handle: Any) -> None:
        self._states.pop(handle, None)
        handle.destroy()

    async def active_is_fullscreen(self) -> bool:
        """Whether the focused window is fullscreen, as of a round trip from now."""
        if self._connection.lost is not None:
            raise WaylandUnavailable(self._connection.lost)
        await self._connection.roundtrip()
        return any({ACTIVATED, FULLSCREEN} <= states for states in self._states.values())

    def close(self) -> None:
        self._connection.close()
