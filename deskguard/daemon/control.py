"""The control socket: serves JSON-line requests from this user's `deskguard` commands.

Runs on the daemon's event loop. Only the owner can connect (directory 0700, socket
0600, peer uid checked); every bad request gets an error reply and the server goes on.
A client that does not read its replies is dropped (WRITE_TIMEOUT), and with every place
taken a stalled client gives its place to a newcomer: clients that never read can neither
keep `deskguard status` out nor make the daemon hold on to their replies.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import socket
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from deskguard import ipc
from deskguard.daemon.instance import ensure_private_dir
from deskguard.daemon.memory import give_back_freed_memory
from deskguard.errors import UserError

T = TypeVar("T")
Handler = Callable[[ipc.Request], Awaitable[dict[str, Any]]]

IDLE_TIMEOUT = 30.0
MAX_CLIENTS = 64
# Replies queued for one client beyond what its socket holds: past this, the next request
# is read only once the client has read some (the status is about 2 KiB).
WRITE_BUFFER = 16 * 1024
# What the kernel holds for one client (it doubles this for its own bookkeeping): dozens
# of replies, so a client that reads only once it has sent everything gets them all, but
# not the hundred statuses worked out for nothing that the default holds for one that
# never reads.
KERNEL_BUFFER = 64 * 1024
# How long one reply may wait for the client to read it before the client is dropped.
WRITE_TIMEOUT = 5.0
# With every place taken, a client that has kept the daemon waiting this long (for its
# next line, or to read a reply) gives its place to a newcomer.
STALLED_AFTER = 1.0
# This many connections at once is a burst: once it is over, its buffers go back to the
# system (deskguard.daemon.memory).
BURST = 16

log = logging.getLogger("deskguard.control")


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end."""
    _pid, uid, _gid = ipc.peer_credentials(sock)
    return uid


class _Client:
    """One connection, and since when the daemon has been waiting for the client."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.waiting_since: float | None = None

    async def waiting(self, work: Awaitable[T], timeout: float) -> T:
        """`work` that waits for the client: TimeoutError after `timeout` seconds."""
        self.waiting_since = time.monotonic()
        try:
            return await asyncio.wait_for(work, timeout)
        finally:
            self.waiting_since = None

    async def send(self, reply: bytes) -> None:
        self.writer.write(reply)
        await self.waiting(self.writer.drain(), WRITE_TIMEOUT)

    def drop(self) -> None:
        """Hang up at once; what the client has not read goes with it."""
        self.writer.transport.abort()


class ControlServer:
    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self._handler = handler
        self._server: asyncio.AbstractServer | None = None
        self._clients: set[_Client] = set()
        self._burst = False

    async def start(self) -> None:
        ensure_private_dir(self.path.parent)
        self.path.unlink(missing_ok=True)  # left by a crash; the instance lock says we own it
        old_umask = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._serve, path=str(self.path), limit=ipc.MAX_LINE + 1
            )
        finally:
            os.umask(old_umask)
        os.chmod(self.path, 0o600)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.path.unlink(missing_ok=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.transport.set_write_buffer_limits(high=WRITE_BUFFER)
        client = _Client(writer)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, KERNEL_BUFFER)
        try:
            if not self._admit(client):
                writer.write(ipc.error_reply("busy", "too many connections; try again"))
                return
            if sock is not None and peer_uid(sock) != os.getuid():
                writer.write(ipc.error_reply("permission denied", "not the daemon's user"))
                return
            await self._conversation(reader, client)
        except TimeoutError:
            client.drop()  # it stalled, or left its replies unread
        except ConnectionError:
            pass  # the client went away; nothing to answer
        finally:
            await _close_quietly(writer)
            self._leave(client)

    def _admit(self, client: _Client) -> bool:
        """Give `client` a place: a free one, else that of the longest-stalled client."""
        if len(self._clients) >= MAX_CLIENTS:
            stalled = min(self._clients, key=_waiting_since)
            if _waiting_since(stalled) > time.monotonic() - STALLED_AFTER:
                return False
            stalled.drop()
            self._clients.discard(stalled)
        self._clients.add(client)
        self._burst = self._burst or len(self._clients) >= BURST
        return True

    def _leave(self, client: _Client) -> None:
        self._clients.discard(client)
        if self._burst and not self._clients:
            self._burst = False
            give_back_freed_memory()

    async def _conversation(self, reader: asyncio.StreamReader, client: _Client) -> None:
        while True:
            try:
                line = await client.waiting(reader.readline(), IDLE_TIMEOUT)
            except (ValueError, asyncio.LimitOverrunError):
                # The rest of an oversized line cannot be resynchronised: answer and hang up.
                await client.send(
                    ipc.error_reply("bad request", f"message longer than {ipc.MAX_LINE} bytes")
                )
                return
            if not line:
                return
            if line.strip():
                await client.send(await self._answer(line))

    async def _answer(self, line: bytes) -> bytes:
        try:
            request = ipc.parse_request(line)
        except ipc.ProtocolError as exc:
            return ipc.error_reply("bad request", str(exc))
        try:
            return ipc.ok_reply(await self._handler(request))
        except UserError as exc:
            return ipc.error_reply(exc.title, exc.message, exc.exit_code)
        except Exception as exc:  # a bug must not take the daemon down with it
            log.exception("control command %s failed", request.cmd)
            return ipc.error_reply("internal error", f"{type(exc).__name__}: {exc}")


def _waiting_since(client: _Client) -> float:
    """For finding the longest-stalled client; one busy with its request sorts last."""
    return math.inf if client.waiting_since is None else client.waiting_since


async def _close_quietly(writer: asyncio.StreamWriter) -> None:
    """Hang up. Replies still unread get WRITE_TIMEOUT to go out, then are thrown away:
    a plain close would keep them, and the connection, until the client reads them."""
    writer.close()
    try:
        await asyncio.wait_for(writer.wait_closed(), WRITE_TIMEOUT)
    except TimeoutError:
        writer.transport.abort()
    except (ConnectionError, OSError):
        pass
