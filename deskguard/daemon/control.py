"""The control socket: serves JSON-line requests from this user's `deskguard` commands.

Runs on the daemon's event loop. Only the owner can connect (directory 0700, socket
0600, peer uid checked); every bad request gets an error reply and the server goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from deskguard import ipc
from deskguard.daemon.instance import ensure_private_dir
from deskguard.errors import UserError

Handler = Callable[[ipc.Request], Awaitable[dict[str, Any]]]

IDLE_TIMEOUT = 30.0
MAX_CLIENTS = 64

log = logging.getLogger("deskguard.control")


def peer_uid(sock: socket.socket) -> int:
    """The uid of the process at the other end (Linux SO_PEERCRED)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return int(uid)


class ControlServer:
    def __init__(self, path: Path, handler: Handler) -> None:
        self.path = path
        self._handler = handler
        self._server: asyncio.AbstractServer | None = None
        self._clients = 0

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
        self._clients += 1
        try:
            if self._clients > MAX_CLIENTS:
                writer.write(ipc.error_reply("busy", "too many connections; try again"))
                return
            sock = writer.get_extra_info("socket")
            if sock is not None and peer_uid(sock) != os.getuid():
                writer.write(ipc.error_reply("permission denied", "not the daemon's user"))
                return
            await self._conversation(reader, writer)
        except (ConnectionError, TimeoutError):
            pass  # the client went away or stalled; nothing to answer
        finally:
            self._clients -= 1
            await _close_quietly(writer)

    async def _conversation(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        while True:
            try:
                line = await asyncio.wait_for(reader.readline(), IDLE_TIMEOUT)
            except (ValueError, asyncio.LimitOverrunError):
                # The rest of an oversized line cannot be resynchronised: answer and hang up.
                writer.write(
                    ipc.error_reply("bad request", f"message longer than {ipc.MAX_LINE} bytes")
                )
                await writer.drain()
                return
            if not line:
                return
            if line.strip():
                writer.write(await self._answer(line))
                await writer.drain()

    async def _answer(self, line: bytes) -> bytes:
        try:
            request = ipc.parse_request(line)
        except ipc.ProtocolError as exc:
            return ipc.error_reply("bad request", str(exc))
        try:
            return ipc.ok_reply(await self._handler(request))
        except UserError as exc:
            return ipc.error_reply(exc.title, exc.message)
        except Exception as exc:  # a bug must not take the daemon down with it
            log.exception("control command %s failed", request.cmd)
            return ipc.error_reply("internal error", f"{type(exc).__name__}: {exc}")


async def _close_quietly(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()
