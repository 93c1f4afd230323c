"""Shared fixtures for the integration tests: a real desktop with no screen.

Each test gets its own Xvfb, session bus and dunst (and trayer when it asks for a tray),
with every file under the test's tmp_path, stopped again when the test ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.desktop import HeadlessDesktop


@pytest.fixture
def desktop(tmp_path: Path) -> Iterator[HeadlessDesktop]:
    """Xvfb, a private session bus and dunst; no system tray."""
    with HeadlessDesktop(tmp_path / "desktop") as running:
        yield running


@pytest.fixture
def desktop_with_tray(tmp_path: Path) -> Iterator[HeadlessDesktop]:
    """The same desktop plus trayer, an XEmbed system tray host."""
    with HeadlessDesktop(tmp_path / "desktop", tray=True) as running:
        yield running


def use_desktop_environment(desktop: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make this test process's environment the test desktop's (undone after the test)."""
    for key in list(os.environ):
        if key not in desktop.env:
            monkeypatch.delenv(key)
    for key, value in desktop.env.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def session(desktop: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch) -> HeadlessDesktop:
    """The desktop, with this process's environment set to it, so adapters run in-process
    connect to its bus and display."""
    use_desktop_environment(desktop, monkeypatch)
    return desktop
