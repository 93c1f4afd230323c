"""The control protocol: one JSON object per line over a Unix socket, both ways.

A request is `{"v": 1, "cmd": "status", "args": {...}}`; the reply is
`{"v": 1, "ok": true, "result": {...}}` or `{"v": 1, "ok": false, "error":
{"title": ..., "message": ...}}`. Lines longer than MAX_LINE are refused unread.
The result of `status` is a `Status` (deskguard.ipc.status) as JSON.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deskguard import paths
from deskguard.errors import DaemonNotRunning, ExitCode, UserError
from deskguard.ipc.status import Status

__all__ = [
    "COMMANDS",
    "MAX_LINE",
    "VERSION",
    "ProtocolError",
    "Request",
    "Status",
    "call",
    "call_daemon",
    "error_reply",
    "ok_reply",
    "parse_request",
    "peer_credentials",
]

VERSION = 1
MAX_LINE = 64 * 1024
COMMANDS = frozenset(
    {"status", "snooze", "pause", "resume", "break", "skip", "reload", "stop", "routine-progress"}
)


class ProtocolError(Exception):
    """A request the daemon cannot understand; the reply says why."""


@dataclass(frozen=True)
class Request:
    cmd: str
    args: dict[str, Any] = field(default_factory=dict)

    def encode(self) -> bytes:
        return (json.dumps({"v": VERSION, "cmd": self.cmd, "args": self.args}) + "\n").encode()


def parse_request(line: bytes) -> Request:
    """Validate one request line; raises ProtocolError with a reason for the client."""
    if len(line) > MAX_LINE:
        raise ProtocolError(f"message longer than {MAX_LINE} bytes")
    try:
        message = json.loads(line)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"not a JSON object: {exc}") from None
    except RecursionError:
        raise ProtocolError("not a JSON object: nested too deeply") from None
    except ValueError:  # Python reads no integer of more than 4300 digits
        raise ProtocolError("not a JSON object: a number with too many digits") from None
    if not isinstance(message, dict):
        raise ProtocolError("not a JSON object")
    version = message.get("v")
    if type(version) is not int or version != VERSION:  # true == 1 in Python; not here
        raise ProtocolError(f"unsupported protocol version {version!r} (expected {VERSION})")
    cmd, args = message.get("cmd"), message.get("args", {})
    if not isinstance(cmd, str) or cmd not in COMMANDS:
        raise ProtocolError(f"unknown command {cmd!r}")
    if not isinstance(args, dict):
        raise ProtocolError("args must be a JSON object")
    return Request(cmd, args)


def ok_reply(result: dict[str, Any] | None = None) -> bytes:
    return (json.dumps({"v": VERSION, "ok": True, "result": result or {}}) + "\n").encode()


def error_reply(title: str, message: str = "", exit_code: int | None = None) -> bytes:
    """`exit_code`: what the command should exit with when it is not the plain error (1),
    e.g. 78 for a refused configuration."""
    error: dict[str, object] = {"title": title, "message": message}
    if exit_code not in (None, ExitCode.ERROR):
        error["exit_code"] = exit_code
    return (json.dumps({"v": VERSION, "ok": False, "error": error}) + "\n").encode()


# The exit codes a refusal may ask for (DESIGN: 1 error, 78 invalid configuration).
_EXIT_CODES = (ExitCode.ERROR, ExitCode.BAD_CONFIG)


def call(
    cmd: str,
    args: dict[str, Any] | None = None,
    *,
    socket_path: Path | None = None,
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Send one request to the running daemon and return its result.

    Raises DaemonNotRunning when nobody listens, UserError when the daemon refuses.
    """
    result, _pid = call_daemon(cmd, args, socket_path=socket_path, timeout=timeout)
    return result


def call_daemon(
    cmd: str,
    args: dict[str, Any] | None = None,
    *,
    socket_path: Path | None = None,
    timeout: float = 10.0,
) -> tuple[dict[str, Any], int]:
    """`call`, and the pid of the daemon that answered (as this process sees it: the
    kernel's word for who listens on the socket, not the daemon's own)."""
    path = socket_path or paths.control_socket()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        try:
            sock.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise DaemonNotRunning() from None
        pid, _uid, _gid = peer_credentials(sock)
        # Hung up on at once ("busy"): why is waiting to be read all the same.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(Request(cmd, args or {}).encode())
        reply = _read_line(sock)
    if not reply.get("ok"):
        error = reply.get("error") or {}
        code = error.get("exit_code")
        raise UserError(
            str(error.get("title", "the daemon refused")),
            str(error.get("message", "")),
            exit_code=code if code in _EXIT_CODES else None,
        )
    result = reply.get("result", {})
    return (result if isinstance(result, dict) else {}), pid


def peer_credentials(sock: socket.socket) -> tuple[int, int, int]:
    """The pid, uid and gid at the other end of a Unix socket (Linux SO_PEERCRED)."""
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", creds)
    return int(pid), int(uid), int(gid)


def _read_line(sock: socket.socket) -> dict[str, Any]:
    chunks: list[bytes] = []
    size = 0
    while True:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            raise UserError("the daemon did not answer in time") from None
        except ConnectionResetError:
            chunk = b""  # hung up with our request unread: what came before still counts
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if chunk.endswith(b"\n") or size > MAX_LINE:
            break
    if not chunks:
        raise UserError("the daemon hung up without answering", "try again")
    try:
        reply = json.loads(b"".join(chunks))
    except json.JSONDecodeError:
        raise UserError("the daemon sent an unreadable reply") from None
    if not isinstance(reply, dict):
        raise UserError("the daemon sent an unreadable reply")
    return reply
