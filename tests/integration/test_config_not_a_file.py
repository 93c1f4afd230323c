"""A config path that is not a config file is never "defaults": one line, exit 78.

A directory or a named pipe where the config should be used to be skipped as if absent,
and /dev/zero was read forever. Every way of naming a config file — `config check PATH`,
`--config PATH` (show, run), DESKGUARD_CONFIG and the XDG location itself — must say
the same thing about it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.test_hostile_config import deskguard, refused
from tests.support.env import isolated_env

MiB = 1024 * 1024


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return isolated_env(tmp_path)


def a_directory(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "config.toml").write_text("")  # even one holding a config
    return path


def a_named_pipe(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.fixture
def a_socket(tmp_path: Path) -> Iterator[Callable[[Path], Path]]:
    bound: list[socket.socket] = []

    def make(path: Path) -> Path:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(path))
        bound.append(server)
        return path

    yield make
    for server in bound:
        server.close()


NOT_FILES: list[tuple[str, Callable[[Path], Path], str]] = [
    ("directory", a_directory, "not a regular file (a directory)"),
    ("named pipe", a_named_pipe, "not a regular file (a named pipe)"),
    ("/dev/zero", lambda _path: Path("/dev/zero"), "not a regular file (a character device)"),
    ("/dev/null", lambda _path: Path("/dev/null"), "not a regular file (a character device)"),
]


def every_way_of_naming(env: dict[str, str], path: Path) -> set[str]:
    """The lines each command prints for `path` as the user's config file."""
    named = {**env, "DESKGUARD_CONFIG": str(path)}
    trace = Path(env["HOME"]) / "trace.csv"
    trace.write_text("time,idle_seconds,event\n0,0,\n")
    return {
        refused(deskguard(env, "simulate", str(trace), "--config", str(path))),
        refused(deskguard(env, "config", "check", str(path))),
        refused(deskguard(env, "config", "show", "--config", str(path))),
        refused(deskguard(env, "run", "--no-tray", "--config", str(path))),
        refused(deskguard(named, "config", "check")),
        refused(deskguard(named, "config", "show")),
        refused(deskguard(named, "run", "--no-tray")),
    }


@pytest.mark.parametrize(("kind", "make", "reason"), NOT_FILES, ids=[k for k, _m, _r in NOT_FILES])
def test_a_path_that_is_not_a_file_is_refused_the_same_everywhere(
    env: dict[str, str],
    tmp_path: Path,
    kind: str,
    make: Callable[[Path], Path],
    reason: str,
) -> None:
    path = make(tmp_path / "config.toml")
    assert every_way_of_naming(env, path) == {f"{path}: {reason}"}


def test_a_socket_is_refused_too(
    env: dict[str, str], tmp_path: Path, a_socket: Callable[[Path], Path]
) -> None:
    path = a_socket(tmp_path / "c.sock")
    assert every_way_of_naming(env, path) == {f"{path}: not a regular file (a socket)"}


@pytest.mark.parametrize(
    ("kind", "make", "reason"), NOT_FILES[:2], ids=[k for k, _m, _r in NOT_FILES[:2]]
)
def test_the_xdg_config_path_as_something_else_is_not_defaults(
    env: dict[str, str], kind: str, make: Callable[[Path], Path], reason: str
) -> None:
    folder = Path(env["XDG_CONFIG_HOME"]) / "deskguard"
    folder.mkdir()
    path = make(folder / "config.toml")
    line = f"{path}: {reason}"
    assert refused(deskguard(env, "config", "check")) == line
    assert refused(deskguard(env, "config", "show")) == line
    assert refused(deskguard(env, "run", "--no-tray")) == line


def test_a_system_config_that_is_a_pipe_is_refused(env: dict[str, str], tmp_path: Path) -> None:
    site = tmp_path / "site" / "deskguard"
    site.mkdir(parents=True)
    pipe = a_named_pipe(site / "config.toml")
    env["XDG_CONFIG_DIRS"] = str(tmp_path / "site")
    line = f"{pipe}: not a regular file (a named pipe)"
    assert refused(deskguard(env, "config", "check")) == line
    assert refused(deskguard(env, "run", "--no-tray")) == line


def test_a_user_catalog_that_is_a_directory_is_refused(env: dict[str, str]) -> None:
    catalog = a_directory(Path(env["XDG_CONFIG_HOME"]) / "deskguard" / "catalog.toml")
    line = f"{catalog}: not a regular file (a directory)"
    assert refused(deskguard(env, "catalog", "list")) == line
    assert refused(deskguard(env, "run", "--no-tray")) == line


def test_a_dangling_link_at_the_xdg_path_says_where_it_points(env: dict[str, str]) -> None:
    folder = Path(env["XDG_CONFIG_HOME"]) / "deskguard"
    folder.mkdir()
    (folder / "config.toml").symlink_to("/nowhere/dotfiles/deskguard.toml")
    line = f"{folder / 'config.toml'}: a link to a missing file (/nowhere/dotfiles/deskguard.toml)"
    assert refused(deskguard(env, "config", "check")) == line
    assert refused(deskguard(env, "run", "--no-tray")) == line


def test_a_file_over_one_mib_is_refused_and_one_mib_is_read(
    env: dict[str, str], tmp_path: Path
) -> None:
    comment = b"# " + b"x" * 97 + b"\n"  # 100 bytes
    path = tmp_path / "big.toml"
    path.write_bytes(b"[tray]\nenabled = false\n" + comment * ((MiB - 23) // 100))
    path.write_bytes(path.read_bytes().ljust(MiB, b"\n"))
    assert path.stat().st_size == MiB
    result = deskguard(env, "config", "show", "--config", str(path))
    assert result.returncode == 0, result.stderr
    assert "[tray]\nenabled = false\n" in result.stdout
    with path.open("ab") as grown:
        grown.write(b"\n")
    assert every_way_of_naming(env, path) == {f"{path}: larger than 1 MiB; is it the right file?"}


def test_a_link_to_a_regular_file_is_still_a_config(env: dict[str, str], tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "deskguard.toml"
    real.parent.mkdir()
    real.write_text('[reminder]\nsit_limit = "30m"\n')
    link = tmp_path / "config.toml"
    link.symlink_to(real)
    result = deskguard(env, "config", "show", "--config", str(link))
    assert result.returncode == 0, result.stderr
    assert 'sit_limit = "30m"' in result.stdout
