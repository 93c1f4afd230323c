"""Where the control socket lives, when that place is unsafe or unusable: one clear line.

Without XDG_RUNTIME_DIR the runtime dir falls back to $TMPDIR/runtime-UID, a name
another user can create first in a shared /tmp; and a socket's path holds at most 107
bytes. Both used to end in a traceback from `status`, or deep in the daemon.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.integration.test_hostile_config import deskguard, refused
from tests.support.env import isolated_env
from tests.support.process import DeskguardProcess

ERROR = 1
SOCKET_TAIL = "/deskguard/control.sock"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """No XDG_RUNTIME_DIR: the fallback in this test's own TMPDIR."""
    if os.access(f"/run/user/{os.geteuid()}", os.W_OK):
        pytest.skip("/run/user/UID exists: the temporary fallback is never used")
    env = isolated_env(tmp_path)
    del env["XDG_RUNTIME_DIR"]
    (tmp_path / "tmp").mkdir()
    env["TMPDIR"] = str(tmp_path / "tmp")
    return env


def fallback(env: dict[str, str]) -> Path:
    return Path(env["TMPDIR"]) / f"runtime-{os.geteuid()}"


def unsafe(env: dict[str, str]) -> str:
    """The line `status` and `run` agree on (exit 1: nothing started)."""
    lines = {
        refused(deskguard(env, "status"), ERROR),
        refused(deskguard(env, "run", "--no-tray"), ERROR),
    }
    assert len(lines) == 1, lines
    return lines.pop()


def test_an_absent_fallback_is_made_private_and_used(env: dict[str, str], tmp_path: Path) -> None:
    daemon = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    try:
        assert stat.S_IMODE(fallback(env).stat().st_mode) == 0o700
        assert (fallback(env) / "deskguard" / "control.sock").is_socket()
        assert daemon.status()["state"] == "active"  # and later commands still find it
    finally:
        assert daemon.stop() == 0


def test_a_fallback_open_to_the_group_is_refused(env: dict[str, str]) -> None:
    fallback(env).mkdir(mode=0o700)
    fallback(env).chmod(0o770)
    assert unsafe(env) == (
        f"deskguard: unsafe runtime directory: {fallback(env)} has mode 0770: others may "
        "use it; set XDG_RUNTIME_DIR to a directory only you can use"
    )
    # `config path` is where to look: it says so instead of failing.
    result = deskguard(env, "config", "path")
    assert result.returncode == 0, result.stderr
    assert f"control socket: (unsafe runtime directory: {fallback(env)} has mode 0770" in (
        result.stdout
    )


def test_a_fallback_planted_by_another_user_is_refused(env: dict[str, str]) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can make a directory that another user owns")
    fallback(env).mkdir(mode=0o700)
    os.chown(fallback(env), 65534, 65534)
    line = unsafe(env)
    assert line.startswith(f"deskguard: unsafe runtime directory: {fallback(env)} ")
    assert "owned by uid 65534" in line and "XDG_RUNTIME_DIR" in line


def test_a_fallback_that_is_a_link_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    fallback(env).symlink_to(elsewhere)
    line = unsafe(env)
    assert line.startswith(f"deskguard: unsafe runtime directory: {fallback(env)} ")
    assert "XDG_RUNTIME_DIR" in line


def runtime_dir_for(tmp_path: Path, socket_bytes: int) -> Path:
    """A private XDG_RUNTIME_DIR whose control socket path is `socket_bytes` long."""
    name_length = socket_bytes - len(os.fsencode(tmp_path)) - 1 - len(SOCKET_TAIL)
    if name_length < 1:
        pytest.skip(f"{tmp_path} is too long to build a {socket_bytes}-byte socket path")
    folder = tmp_path / ("r" * name_length)
    folder.mkdir(mode=0o700)
    assert len(os.fsencode(str(folder) + SOCKET_TAIL)) == socket_bytes
    return folder


def test_a_socket_path_over_107_bytes_names_xdg_runtime_dir(tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), "XDG_RUNTIME_DIR": str(runtime_dir_for(tmp_path, 108))}
    socket = env["XDG_RUNTIME_DIR"] + SOCKET_TAIL
    line = (
        f"deskguard: control socket path too long: {socket} is 108 bytes long, a Unix "
        "socket's path may have at most 107; set XDG_RUNTIME_DIR to a shorter directory"
    )
    assert refused(deskguard(env, "run", "--no-tray"), ERROR) == line
    assert refused(deskguard(env, "status"), ERROR) == line


def test_a_socket_path_of_107_bytes_works(tmp_path: Path) -> None:
    env = {**isolated_env(tmp_path), "XDG_RUNTIME_DIR": str(runtime_dir_for(tmp_path, 107))}
    daemon = DeskguardProcess(env, tmp_path / "deskguard.log").start()
    try:
        assert daemon.status()["state"] == "active"
    finally:
        assert daemon.stop() == 0
