"""The control protocol: requests checked, replies encoded, the client on a real socket."""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from deskguard import paths
from deskguard.errors import DaemonNotRunning, ExitCode, UserError
from deskguard.ipc import (
    COMMANDS,
    MAX_LINE,
    VERSION,
    ProtocolError,
    Request,
    call,
    error_reply,
    ok_reply,
    parse_request,
)


def line(message: object) -> bytes:
    return (json.dumps(message) + "\n").encode()


# -- requests -------------------------------------------------------------------------


def test_a_good_request_is_accepted() -> None:
    request = parse_request(line({"v": 1, "cmd": "snooze", "args": {"seconds": 600}}))
    assert request == Request("snooze", {"seconds": 600})


def test_args_may_be_left_out() -> None:
    assert parse_request(b'{"v": 1, "cmd": "status"}') == Request("status", {})


@pytest.mark.parametrize("cmd", sorted(COMMANDS))
def test_every_command_is_understood(cmd: str) -> None:
    assert parse_request(Request(cmd, {"x": 1}).encode()) == Request(cmd, {"x": 1})


def test_a_request_encodes_as_one_json_line() -> None:
    encoded = Request("pause", {"seconds": 60, "note": "a\nb"}).encode()
    assert encoded.endswith(b"\n") and encoded.count(b"\n") == 1
    assert json.loads(encoded) == {
        "v": VERSION,
        "cmd": "pause",
        "args": {"seconds": 60, "note": "a\nb"},
    }


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"status\n", "not a JSON object: "),
        (b"", "not a JSON object: "),
        (b'{"v": 1, "cmd": "status"', "not a JSON object: "),
        (b"\xff\xfe\x00garbage", "not a JSON object: "),
        (line([1, "status"]), "not a JSON object"),
        (line("status"), "not a JSON object"),
        (line(None), "not a JSON object"),
        (line({"cmd": "status"}), "unsupported protocol version None (expected 1)"),
        (line({"v": 2, "cmd": "status"}), "unsupported protocol version 2 (expected 1)"),
        (line({"v": 0, "cmd": "status"}), "unsupported protocol version 0 (expected 1)"),
        (line({"v": "1", "cmd": "status"}), "unsupported protocol version '1' (expected 1)"),
        (line({"v": 1, "cmd": "dance"}), "unknown command 'dance'"),
        (line({"v": 1, "cmd": "STATUS"}), "unknown command 'STATUS'"),
        (line({"v": 1}), "unknown command None"),
        (line({"v": 1, "cmd": ["status"]}), "unknown command ['status']"),
        (line({"v": 1, "cmd": "status", "args": [1]}), "args must be a JSON object"),
        (line({"v": 1, "cmd": "status", "args": None}), "args must be a JSON object"),
        (b'{"v": ' + b"1" * 5000 + b"}", "not a JSON object: a number with too many digits"),
        (line({"v": 1, "cmd": "status", "args": "x"}), "args must be a JSON object"),
    ],
)
def test_a_bad_request_is_a_protocol_error_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_request(raw)
    assert str(caught.value).startswith(reason)
    if not reason.endswith(": "):
        assert str(caught.value) == reason


def padded_request(size: int) -> bytes:
    """A valid status request exactly `size` bytes long (newline included)."""
    bare = Request("status", {"pad": ""}).encode()
    encoded = Request("status", {"pad": "x" * (size - len(bare))}).encode()
    assert len(encoded) == size
    return encoded


def test_a_line_of_the_maximum_length_is_read() -> None:
    assert parse_request(padded_request(MAX_LINE)).cmd == "status"


def test_a_longer_line_is_refused_unread() -> None:
    with pytest.raises(ProtocolError, match=f"message longer than {MAX_LINE} bytes"):
        parse_request(padded_request(MAX_LINE + 1))
    with pytest.raises(ProtocolError, match="longer than"):
        parse_request(b"[" * (MAX_LINE + 1))  # not even parsed


# -- replies --------------------------------------------------------------------------


def test_an_ok_reply_is_one_json_line() -> None:
    reply = ok_reply({"state": "active", "note": "two\nlines"})
    assert reply.endswith(b"\n") and reply.count(b"\n") == 1
    assert json.loads(reply) == {
        "v": 1,
        "ok": True,
        "result": {"state": "active", "note": "two\nlines"},
    }
    assert json.loads(ok_reply()) == {"v": 1, "ok": True, "result": {}}


def test_an_error_reply_is_one_json_line_with_title_and_message() -> None:
    reply = error_reply("no snoozes left", "take the break\nor skip it")
    assert reply.endswith(b"\n") and reply.count(b"\n") == 1
    assert json.loads(reply) == {
        "v": 1,
        "ok": False,
        "error": {"title": "no snoozes left", "message": "take the break\nor skip it"},
    }
    assert json.loads(error_reply("bad"))["error"] == {"title": "bad", "message": ""}


# -- the client against a real socket -----------------------------------------------------

Answer = Callable[[bytes], bytes | None]


class Server:
    """A Unix socket server in a thread; `answer` turns each request line into the reply."""

    def __init__(self, path: Path, answer: Answer) -> None:
        self.path = path
        self.answer = answer
        self.requests: list[bytes] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                request = self.rfile.readline(MAX_LINE + 1)
                outer.requests.append(request)
                reply = outer.answer(request)
                if reply is None:  # keep the connection open without answering
                    self.rfile.read()
                else:
                    self.wfile.write(reply)

        self.server = socketserver.ThreadingUnixStreamServer(str(path), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def daemon_like(request: bytes) -> bytes:
    """Answers like the daemon: a parsed status gets a result, anything else an error."""
    try:
        parsed = parse_request(request)
    except ProtocolError as exc:
        return error_reply("bad request", str(exc))
    if parsed.cmd == "status":
        return ok_reply({"state": "active", "sitting_seconds": 125.0, "args": parsed.args})
    if parsed.cmd == "snooze":
        return error_reply("cannot snooze", "no snoozes left (3 in a row)")
    return error_reply("not supported")


@pytest.fixture
def socket_path(tmp_path: Path) -> Path:
    return tmp_path / "control.sock"


@pytest.fixture
def served(socket_path: Path) -> Iterator[Server]:
    with Server(socket_path, daemon_like) as server:
        yield server


def test_call_sends_one_request_line_and_returns_the_result(
    served: Server, socket_path: Path
) -> None:
    result = call("status", {"verbose": True}, socket_path=socket_path)
    assert result == {"state": "active", "sitting_seconds": 125.0, "args": {"verbose": True}}
    assert served.requests == [Request("status", {"verbose": True}).encode()]


def test_call_turns_an_error_reply_into_a_user_error(served: Server, socket_path: Path) -> None:
    with pytest.raises(UserError) as caught:
        call("snooze", {"seconds": 60}, socket_path=socket_path)
    assert caught.value.title == "cannot snooze"
    assert caught.value.message == "no snoozes left (3 in a row)"
    assert str(caught.value) == "cannot snooze: no snoozes left (3 in a row)"
    assert caught.value.exit_code == ExitCode.ERROR
    assert not isinstance(caught.value, DaemonNotRunning)


def test_call_uses_the_control_socket_in_the_runtime_dir_by_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "run"
    (runtime / "deskguard").mkdir(parents=True)
    runtime.chmod(0o700)  # XDG_RUNTIME_DIR must be private or it is ignored
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert paths.control_socket() == runtime / "deskguard" / "control.sock"
    with Server(runtime / "deskguard" / "control.sock", daemon_like):
        assert call("status")["state"] == "active"


def test_a_missing_socket_means_the_daemon_is_not_running(tmp_path: Path) -> None:
    with pytest.raises(DaemonNotRunning) as caught:
        call("status", socket_path=tmp_path / "nobody-here.sock")
    assert caught.value.exit_code == ExitCode.NOT_RUNNING == 3
    assert "deskguard run" in caught.value.message


def test_a_socket_nobody_listens_on_means_the_daemon_is_not_running(tmp_path: Path) -> None:
    stale = tmp_path / "stale.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.bind(str(stale))  # bound, never listening: like a socket left by a crash
    with pytest.raises(DaemonNotRunning):
        call("status", socket_path=stale)


@pytest.mark.parametrize(
    ("reply", "title", "message"),
    [
        (b"not json\n", "the daemon sent an unreadable reply", ""),
        (b"[1, 2]\n", "the daemon sent an unreadable reply", ""),
        (b"", "the daemon hung up without answering", "try again"),
        (b'{"v": 1, "ok": false}\n', "the daemon refused", ""),
        (b'{"v": 1, "ok": false, "error": {"message": "why"}}\n', "the daemon refused", "why"),
    ],
)
def test_odd_replies_become_user_errors(
    socket_path: Path, reply: bytes, title: str, message: str
) -> None:
    with Server(socket_path, lambda _request: reply), pytest.raises(UserError) as caught:
        call("status", socket_path=socket_path)
    assert (caught.value.title, caught.value.message) == (title, message)


def test_a_daemon_that_hangs_up_before_reading_is_still_heard(socket_path: Path) -> None:
    """Told "busy", a client is hung up on at once: its request may meet a closed socket
    (EPIPE) or be thrown away unread (a reset), and the reason must still come through."""
    busy = error_reply("busy", "too many connections; try again")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(socket_path))
        listener.listen(8)

        def refuse_all() -> None:
            for _ in range(20):
                connection, _ = listener.accept()
                connection.sendall(busy)
                connection.close()

        refusing = threading.Thread(target=refuse_all, daemon=True)
        refusing.start()
        padding = "x" * (4 * 1024 * 1024)  # more than the socket holds: it hangs up meanwhile
        for _ in range(20):
            with pytest.raises(UserError) as caught:
                call("status", {"pad": padding}, socket_path=socket_path, timeout=5)
            assert caught.value.title == "busy"
        refusing.join(5)


@pytest.mark.parametrize(
    ("reply", "result"),
    [
        (b'{"v": 1, "ok": true}\n', {}),
        (b'{"v": 1, "ok": true, "result": [1]}\n', {}),
        (b'{"v": 1, "ok": true, "result": {"a": 1}}', {"a": 1}),  # no newline: closed after
    ],
)
def test_a_reply_without_a_result_object_gives_an_empty_result(
    socket_path: Path, reply: bytes, result: dict[str, Any]
) -> None:
    with Server(socket_path, lambda _request: reply):
        assert call("status", socket_path=socket_path) == result


def test_a_reply_in_several_pieces_is_put_together(socket_path: Path) -> None:
    big = {"history": ["x" * 100] * 200}  # about 21 kB: more than one recv on most systems
    with Server(socket_path, lambda _request: ok_reply(big)):
        assert call("status", socket_path=socket_path) == big


def test_a_daemon_that_does_not_answer_times_out(socket_path: Path) -> None:
    with Server(socket_path, lambda _request: None), pytest.raises(UserError) as caught:
        call("status", socket_path=socket_path, timeout=0.2)
    assert caught.value.title == "the daemon did not answer in time"


@pytest.mark.parametrize("version", [True, 1.0, "1"])
def test_a_version_must_be_the_integer_1(version: object) -> None:
    line = json.dumps({"v": version, "cmd": "status"}).encode()
    with pytest.raises(ProtocolError, match="unsupported protocol version"):
        parse_request(line)


def test_an_error_reply_carries_an_exit_code_other_than_the_plain_error() -> None:
    refused = json.loads(error_reply("invalid configuration", "f: k: why", 78))
    assert refused["error"] == {
        "title": "invalid configuration",
        "message": "f: k: why",
        "exit_code": 78,
    }
    plain = json.loads(error_reply("bad request", "why", ExitCode.ERROR))
    assert plain["error"] == {"title": "bad request", "message": "why"}
