"""Shared fixtures for the integration tests: a real desktop with no screen.

Each test gets its own Xvfb, session bus and dunst (and trayer when it asks for a tray),
with every file under the test's tmp_path, stopped again when the test ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.desktop import HeadlessDesktop


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
