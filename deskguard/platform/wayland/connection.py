"""One connection to the Wayland compositor, driven by the daemon's asyncio loop.

The display's file descriptor is watched with `loop.add_reader`: events are read and
dispatched only when the compositor sends some, so nothing runs while nothing happens (no
thread, no polling). Every call happens on the loop's thread, which is what libwayland
wants of a single-threaded client. pywayland must be told to disconnect before the
interpreter exits (it crashes otherwise): `close()` does, and the adapters close theirs.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pywayland.client.display import Display
    from pywayland.protocol_core.interface import Interface

# A local compositor answers a round trip in a millisecond; one that does not within this
# long is hung or gone.
ROUNDTRIP_TIMEOUT = 3.0

log = logging.getLogger("deskguard.wayland")


class WaylandUnavailable(Exception):
    """No Wayland compositor to talk to, or it lacks what is needed; the message says why."""


@dataclass(frozen=True)
class Offered:
    """A global the compositor announced in its registry."""

    name: int
    version: int


class WaylandConnection:
    """The display, the globals the compositor offers, and the loop that dispatches its
    events. `on_lost` callbacks run once when the compositor goes away."""

    def __init__(self, display: Display, loop: asyncio.AbstractEventLoop) -> None:
        self._display = display
        self._loop = loop
        self._registry = display.get_registry()
        self.globals: dict[str, Offered] = {}
        self.on_lost: list[Callable[[str], None]] = []
        self.lost: str | None = None
        self._registry.dispatcher["global"] = self._on_global
        self._registry.dispatcher["global_remove"] = self._on_global_remove
        loop.add_reader(display.get_fd(), self._readable)

    @classmethod
    async def open(cls) -> WaylandConnection:
        """Connect to `$WAYLAND_DISPLAY` and learn its globals."""
        name = os.environ.get("WAYLAND_DISPLAY")
        if not name:
            raise WaylandUnavailable("WAYLAND_DISPLAY is not set")
        from pywayland.client.display import Display

        display = Display(name)
        try:
            display.connect()
        except ValueError as exc:  # pywayland's word for "could not connect"
            raise WaylandUnavailable(f"cannot connect to the Wayland display {name}") from exc
        connection = cls(display, asyncio.get_running_loop())
        try:
            await connection.roundtrip()
        except BaseException:
            connection.close()
            raise
        return connection

    # -- requests and events ---------------------------------------------------------------

    def bind(self, interface: type[Interface], highest: int) -> Any:
        """Bind the global `interface` at the highest version both sides speak.

        The proxy is `Any`, as pywayland's registry types it: its requests are methods of
        the interface's generated proxy class, which the registry's signature cannot name."""
        offered = self.globals.get(interface.name)
        if offered is None:
            raise WaylandUnavailable(f"the compositor offers no {interface.name}")
        return self._registry.bind(offered.name, interface, min(offered.version, highest))

    def flush(self) -> None:
        """Send the requests made so far (libwayland buffers them)."""
        if self.lost is None and self._display.flush() < 0:
            self._lose("cannot write to the compositor")

    async def roundtrip(self, timeout: float = ROUNDTRIP_TIMEOUT) -> None:
        """Wait until the compositor has handled every request so far and sent what they
        cause (the registry's globals, a toplevel's state), without blocking the loop."""
        done: asyncio.Future[None] = self._loop.create_future()

        def on_done(_callback: Any, _serial: int) -> None:
            if not done.done():
                done.set_result(None)

        def on_lost(reason: str) -> None:
            if not done.done():
                done.set_exception(WaylandUnavailable(reason))

        callback = self._display.sync()
        callback.dispatcher["done"] = on_done
        self.on_lost.append(on_lost)
        try:
            self.flush()
            if self.lost is not None:
                raise WaylandUnavailable(self.lost)
            await asyncio.wait_for(done, timeout)
        except TimeoutError:
            raise WaylandUnavailable(
                f"the compositor did not answer within {timeout:g} s"
            ) from None
        finally:
            self.on_lost.remove(on_lost)

    def _on_global(self, _registry: Any, name: int, interface: str, version: int) -> None:
        self.globals[interface] = Offered(name, version)

    def _on_global_remove(self, _registry: Any, name: int) -> None:
        for interface, offered in list(self.globals.items()):
            if offered.name == name:
                del self.globals[interface]

    def _readable(self) -> None:
        try:
            self._display.read()
            self._display.dispatch()
        except RuntimeError:  # libwayland's error return: the compositor is gone or refused us
            self._lose("the compositor closed the connection")
            return
        self.flush()  # handlers may have made requests

    def _lose(self, reason: str) -> None:
        if self.lost is not None:
            return
        self.lost = reason
        self._loop.remove_reader(self._display.get_fd())
        log.info("wayland: %s", reason)
        for listener in list(self.on_lost):
            listener(reason)

    # -- the end ---------------------------------------------------------------------------

    def close(self) -> None:
        if self.lost is None:
            self._loop.remove_reader(self._display.get_fd())
            self.lost = "closed"
        self._display.disconnect()
