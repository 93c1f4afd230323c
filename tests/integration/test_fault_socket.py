"""The control socket under 10,000 hostile messages, generated with hypothesis.

Malformed and truncated JSON, raw bytes, wrong types, unknown commands, wrong protocol
versions, valid commands with bad arguments, lines over 64 KiB, connections half-closed
in the middle of a line or dropped without reading, and many clients at once. The real
daemon must stay up, answer every complete line with an error (a valid `status` request
with `ok: true`), and keep its memory: RSS may not grow by more than RSS_GROWTH_LIMIT.

Valid requests that would change the daemon's state (stop, pause, snooze, ...) are never
sent, so the same daemon serves the whole run and can be checked at the end.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deskguard.ipc import COMMANDS, MAX_LINE
from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess, write_config

MESSAGES = 10_000
BATCH = 50
EXAMPLES = MESSAGES // BATCH
MAX_CLIENTS_AT_ONCE = 24  # below the daemon's limit of 64 connections
RSS_GROWTH_LIMIT = 10 * 1024 * 1024
CONFIG = '[reminder]\nsit_limit = "1h"\n[activity]\npoll = "1s"\n'
STATE_CHANGING = sorted(COMMANDS - {"status"})


# --------------------------------------------------------------------------- the oracle


def expected_reply(line: bytes) -> bool | None:
    """What the daemon must answer to one line: None for a blank line (no answer), True
    for a valid status request, False (an error) for anything else that was sent."""
    if not line.strip():
        return None
    if len(line) + 1 > MAX_LINE:
        return False
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(message, dict)
        and type(message.get("v")) is int  # JSON true is not version 1
        and message.get("v") == 1
        and message.get("cmd") == "status"
        and isinstance(message.get("args", {}), dict)
    )


def changes_state(line: bytes) -> bool:
    """A well-formed request for a command other than status: never sent. (Broader than
    the daemon's check: a version of true or 1.0 counts too, so it is not sent either.)"""
    try:
        message = json.loads(line)
    except (ValueError, RecursionError):
        return False
    return (
        isinstance(message, dict)
        and message.get("v") == 1
        and message.get("cmd") in STATE_CHANGING
        and isinstance(message.get("args", {}), dict)
    )


# --------------------------------------------------------------------------- strategies


@dataclass(frozen=True)
class Hostile:
    kind: str
    line: bytes  # without its newline; never contains one
    expect_error: bool = False  # refused by the command itself (valid shape, bad arguments)

    @property
    def expected(self) -> bool | None:
        return False if self.expect_error else expected_reply(self.line)

    @property
    def huge(self) -> bool:
        return len(self.line) + 1 > MAX_LINE


def one_line(data: bytes) -> bytes:
    return data.replace(b"\n", b" ")


json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=4,
)


def encoded(message: Any) -> bytes:
    return json.dumps(message).encode()


def hostile(kind: str, lines: st.SearchStrategy[bytes], expect_error: bool = False) -> Any:
    return lines.map(lambda line: Hostile(kind, one_line(line), expect_error))


raw_bytes = hostile("raw bytes", st.binary(min_size=1, max_size=40))
raw_text = hostile("text", st.text(min_size=1, max_size=40).map(str.encode))
truncated = hostile(
    "truncated JSON",
    st.tuples(
        st.fixed_dictionaries({"v": st.just(1), "cmd": st.sampled_from(sorted(COMMANDS))}),
        st.floats(min_value=0.05, max_value=0.95),
    ).map(lambda pair: encoded(pair[0])[: max(1, int(len(encoded(pair[0])) * pair[1]))]),
)
not_objects = hostile(
    "JSON, not an object", json_values.filter(lambda v: not isinstance(v, dict)).map(encoded)
)
wrong_types = hostile(
    "wrong types",
    st.fixed_dictionaries(
        {},
        optional={"v": json_values, "cmd": json_values, "args": json_values},
    ).map(encoded),
)
unknown_commands = hostile(
    "unknown command",
    st.fixed_dictionaries(
        {"v": st.just(1), "cmd": st.text(max_size=20).filter(lambda c: c not in COMMANDS)},
        optional={"args": st.dictionaries(st.text(max_size=6), json_scalars, max_size=3)},
    ).map(encoded),
)
wrong_versions = hostile(
    "wrong version",
    st.fixed_dictionaries(
        {
            "v": st.one_of(
                st.integers().filter(lambda v: v != 1),
                st.floats(allow_nan=False).filter(lambda v: v != 1),
                st.text(max_size=4),
                st.none(),
                st.sampled_from([False, True, 1.0, "1", [1]]),  # 1, but not the integer 1
            ),
            "cmd": st.sampled_from(sorted(COMMANDS)),  # even "stop": refused by version
            "args": st.just({}),
        }
    ).map(encoded),
)
bad_durations = st.one_of(
    st.text(max_size=8),
    st.booleans(),
    st.just([1]),
    st.integers(max_value=0),
    st.floats(max_value=0.0, allow_nan=False),
    st.dictionaries(st.text(max_size=3), json_scalars, max_size=2),
)
bad_arguments = st.one_of(
    hostile(
        "bad arguments",
        st.builds(
            lambda cmd, seconds: encoded({"v": 1, "cmd": cmd, "args": {"seconds": seconds}}),
            st.sampled_from(["snooze", "pause"]),
            bad_durations,
        ),
        expect_error=True,
    ),
    hostile(
        "bad arguments",
        st.builds(
            lambda event: encoded({"v": 1, "cmd": "routine-progress", "args": {"event": event}}),
            json_values.filter(lambda e: e not in ("started", "step", "finished", "stopped")),
        ),
        expect_error=True,
    ),
)
valid_status = hostile(
    "valid status",
    st.fixed_dictionaries(
        {"v": st.just(1), "cmd": st.just("status")},
        optional={
            "args": st.dictionaries(st.text(max_size=6), json_values, max_size=3),
            "extra": json_scalars,
        },
    ).map(encoded),
)
huge_lines = hostile(
    "over 64 KiB",
    st.tuples(st.integers(MAX_LINE, 3 * MAX_LINE), st.booleans()).map(
        lambda pair: (
            encoded({"v": 1, "cmd": "status", "args": {"pad": "x" * pair[0]}})
            if pair[1]
            else b"x" * pair[0]
        )
    ),
)
messages = st.one_of(
    raw_bytes,
    raw_text,
    truncated,
    not_objects,
    wrong_types,
    unknown_commands,
    wrong_versions,
    bad_arguments,
    valid_status,
    huge_lines,
).filter(lambda m: not changes_state(m.line) or m.expect_error)

MODES = ("half-close", "unterminated", "trickle", "drop")


@dataclass(frozen=True)
class Client:
    """One connection: its messages, and how it talks.

    half-close: every line, then shutdown(SHUT_WR), then read every answer.
    unterminated: the same, but the last line lacks its newline (answered at end of file).
    trickle: the bytes go out in small pieces, then as half-close.
    drop: every line, then the connection is closed without reading any answer.
    """

    mode: str
    messages: tuple[Hostile, ...]

    def payload(self) -> bytes:
        lines = [m.line + b"\n" for m in self.messages]
        if self.mode == "unterminated" and lines:
            lines[-1] = lines[-1][:-1]
        return b"".join(lines)

    def expected(self) -> list[bool]:
        """One entry per answer, in order; a line over the limit is the last answered."""
        answers = []
        for message in self.messages:
            if message.expected is not None:
                answers.append(message.expected)
            if message.huge:
                break
        return answers


@st.composite
def deliveries(draw: st.DrawFn) -> list[Client]:
    """BATCH messages spread over up to MAX_CLIENTS_AT_ONCE connections; a line over the
    limit ends its connection (the daemon hangs up after refusing it), so it goes last."""
    batch = draw(st.lists(messages, min_size=BATCH, max_size=BATCH))
    count = draw(st.integers(1, MAX_CLIENTS_AT_ONCE))
    groups: list[list[Hostile]] = [[] for _ in range(count)]
    for index, message in enumerate(batch):
        groups[index % count].append(message)
    clients = []
    for group in groups:
        huge = [m for m in group if m.huge]
        ordinary = [m for m in group if not m.huge]
        mode = draw(st.sampled_from(MODES))
        if huge and mode == "unterminated":
            mode = "half-close"
        clients.append(Client(mode, tuple(ordinary + huge[:1])))
        clients += [Client("half-close", (m,)) for m in huge[1:]]
    return [c for c in clients if c.messages]


# --------------------------------------------------------------------------- talking


def converse(path: Path, client: Client) -> list[dict[str, Any]] | None:
    """Talk as `client`; the answers, or None for a client that does not read them."""
    payload = client.payload()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(20)
        sock.connect(str(path))
        try:
            if client.mode == "trickle":
                for start in range(0, len(payload), 7):
                    sock.sendall(payload[start : start + 7])
            else:
                sock.sendall(payload)
            if client.mode == "drop":
                return None
            sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            # The daemon hangs up after refusing a line over the limit, maybe before
            # the rest of that line was sent; its answer is still waiting to be read.
            if client.mode == "drop":
                return None
        data = read_to_end(sock)
    return [json.loads(line) for line in data.split(b"\n") if line]


def read_to_end(sock: socket.socket) -> bytes:
    """Everything the daemon sent. A hang-up with our bytes still unread on its side
    shows as a reset after its last answer: that counts as the end too."""
    data = b""
    try:
        while chunk := sock.recv(1 << 16):
            data += chunk
    except ConnectionResetError:
        pass
    return data


def check_answers(client: Client, answers: list[dict[str, Any]]) -> None:
    expected = client.expected()
    sent = [(m.kind, m.line[:80]) for m in client.messages]
    assert len(answers) == len(expected), (
        f"{len(answers)} answers to {len(expected)} lines ({client.mode}): {sent}\n{answers}"
    )
    for answer, ok, message in zip(answers, expected, client.messages, strict=False):
        assert answer.get("v") == 1, answer
        assert answer.get("ok") is ok, f"{message.kind} {message.line[:120]!r} -> {answer}"
        if ok:
            assert answer["result"]["state"], answer
        else:
            error = answer["error"]
            assert isinstance(error["title"], str) and isinstance(error["message"], str)
            assert error["title"] != "internal error", f"{message.line[:120]!r} -> {answer}"


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for pid {pid}")


def control_socket(daemon: DeskguardProcess) -> Path:
    return Path(daemon.env["XDG_RUNTIME_DIR"]) / "deskguard" / "control.sock"


@pytest.fixture
def daemon(tmp_path: Path) -> Iterator[DeskguardProcess]:
    env = isolated_env(tmp_path)
    write_config(env, CONFIG)
    process = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    try:
        yield process
    finally:
        process.stop()


# --------------------------------------------------------------------------- tests


def warm_up(daemon: DeskguardProcess, pool: ThreadPoolExecutor) -> None:
    """One of every kind of delivery, so buffers and caches have their working size
    before the baseline is taken."""
    status = Hostile("valid status", b'{"v": 1, "cmd": "status"}')
    big = Hostile("over 64 KiB", b"x" * 3 * MAX_LINE)
    clients = [Client(mode, (status, status)) for mode in MODES for _ in range(6)]
    clients += [Client("half-close", (status, big)) for _ in range(MAX_CLIENTS_AT_ONCE)]
    for client, answers in zip(
        clients, pool.map(lambda c: converse(control_socket(daemon), c), clients), strict=True
    ):
        if answers is not None:
            check_answers(client, answers)


@pytest.mark.timeout(300)
def test_hostile_messages_get_errors_and_the_daemon_stays_up_and_small(
    daemon: DeskguardProcess,
) -> None:
    assert daemon.process is not None
    pid = daemon.process.pid
    path = control_socket(daemon)
    before = daemon.status()
    sent: Counter[str] = Counter()
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=2 * MAX_CLIENTS_AT_ONCE) as pool:
        warm_up(daemon, pool)
        baseline = rss_bytes(pid)

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        )
        @given(clients=deliveries())
        def deliver(clients: list[Client]) -> None:
            for client, answers in zip(
                clients, pool.map(lambda c: converse(path, c), clients), strict=True
            ):
                if answers is not None:
                    check_answers(client, answers)
                with lock:
                    sent.update(m.kind for m in client.messages)
            assert daemon.process is not None and daemon.process.poll() is None

        deliver()
        grown = rss_bytes(pid) - baseline

    total = sum(sent.values())
    print(
        f"{total} messages {dict(sent)}; "
        f"RSS {baseline / 2**20:.1f} MiB, grew {grown / 2**10:.0f} KiB"
    )
    assert total >= MESSAGES, f"only {total} messages were sent: {dict(sent)}"
    assert set(sent) >= {
        "raw bytes",
        "text",
        "truncated JSON",
        "JSON, not an object",
        "wrong types",
        "unknown command",
        "wrong version",
        "bad arguments",
        "valid status",
        "over 64 KiB",
    }, dict(sent)
    assert daemon.process.poll() is None, daemon.log()[-4000:]
    after = daemon.status()
    for key in ("state", "paused_until", "snoozed_until", "snoozes_left", "pid"):
        assert after[key] == before[key], (key, before, after)
    assert grown <= RSS_GROWTH_LIMIT, (
        f"RSS grew by {grown / 2**20:.1f} MiB over {total} hostile messages "
        f"(baseline {baseline / 2**20:.1f} MiB)"
    )
    log = daemon.log()
    assert "Traceback" not in log and "Unhandled exception" not in log, log[-4000:]


def test_more_clients_than_allowed_are_told_busy(daemon: DeskguardProcess) -> None:
    """80 connections held open at once: the daemon serves 64, tells the rest it is busy
    and hangs up on them, and serves again once they are gone."""
    path = control_socket(daemon)
    held: list[socket.socket] = []
    try:
        for _ in range(80):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(10)
            sock.connect(str(path))
            held.append(sock)
        busy = 0
        for sock in held:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(b'{"v": 1, "cmd": "status"}\n')  # refused ones hung up already
            answer = json.loads(read_to_end_of_line(sock))
            if answer["ok"]:
                continue
            assert answer["error"]["title"] == "busy", answer
            busy += 1
        assert busy == 80 - 64
    finally:
        for sock in held:
            sock.close()
    assert daemon.status()["state"]


def read_to_end_of_line(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(1 << 16)
        if not chunk:
            break
        data += chunk
    return data


def exchange_one(path: Path, line: bytes) -> dict[str, Any] | None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(10)
        sock.connect(str(path))
        sock.sendall(line + b"\n")
        sock.shutdown(socket.SHUT_WR)
        data = read_to_end(sock)
    return json.loads(data.split(b"\n")[0]) if data else None


def test_deeply_nested_json_gets_an_error_reply(daemon: DeskguardProcess) -> None:
    """Nesting deeper than the JSON parser's recursion limit, well under 64 KiB."""
    path = control_socket(daemon)
    for line in (
        b"[" * 50_000,
        b'{"a":' * 20_000,
        b'{"v": 1, "cmd": "status", "args": ' + b"[" * 30_000,
    ):
        answer = exchange_one(path, line)
        assert answer is not None, f"no answer at all to {line[:40]!r}... ({len(line)} bytes)"
        assert answer["ok"] is False and answer["error"]["title"] == "bad request", answer
    assert daemon.status()["state"]


def test_durations_out_of_range_are_refused(tmp_path: Path) -> None:
    """Not a number, infinite, or past the end of the calendar: refused as a bad request,
    nothing changed, status still readable. (`deskguard snooze 100000000h` sends 3.6e11.)
    Each case gets a daemon of its own, so one wrongly accepted cannot mask the next."""
    problems = []
    cases = [
        (cmd, s) for cmd in ("snooze", "pause") for s in ("NaN", "Infinity", "1e300", "3.6e11")
    ]
    for number, (cmd, seconds) in enumerate(cases):
        folder = tmp_path / f"c{number}"  # short: the control socket's path is limited
        folder.mkdir()
        env = isolated_env(folder)
        write_config(env, CONFIG)
        case = DeskguardProcess(env, folder / "deskguard.log").start()
        try:
            problem = _refusal_problem(case, cmd, seconds)
        finally:
            case.kill()
        if problem:
            problems.append(f"{cmd} {seconds}: {problem}")
    assert not problems, "\n".join(problems)


def _refusal_problem(daemon: DeskguardProcess, cmd: str, seconds: str) -> str | None:
    before = daemon.status()
    line = f'{{"v": 1, "cmd": "{cmd}", "args": {{"seconds": {seconds}}}}}'.encode()
    answer = exchange_one(control_socket(daemon), line)
    if answer is None or answer.get("ok") is not False:
        return f"not refused: {answer}"
    if answer["error"]["title"] != "bad request":
        return f"refused, but as {answer['error']}"
    status = daemon.cli("status", "--json")
    if status.returncode != 0:
        return f"status fails afterwards: {status.stderr.strip()}"
    after = json.loads(status.stdout)
    changed = [
        k
        for k in ("state", "paused_until", "snoozed_until", "snoozes_left")
        if after[k] != before[k]
    ]
    return f"changed {changed}: {before} -> {after}" if changed else None
