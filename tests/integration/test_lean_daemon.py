"""The running daemon keeps out of its memory what it does not use (see bench/footprint.py).

Each library named here once sat in the idle daemon all day: GTK (with an XEmbed tray the
icon is drawn with python-xlib), pydantic (the config is validated in a child process),
OpenSSL (asyncio's ssl, hashlib) and FreeType (Pillow's text drawing).
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_tray import start_daemon, wait_for_icon
from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll
from tests.support.process import DeskguardProcess

LEFT_OUT = ("libgtk-3", "libgdk-3", "_pydantic_core", "libcrypto", "libssl", "libfreetype")


def mapped_files(pid: int) -> set[str]:
    maps = Path(f"/proc/{pid}/maps").read_text().splitlines()
    return {line.split(maxsplit=5)[5] for line in maps if len(line.split(maxsplit=5)) == 6}


def test_the_idle_daemon_with_its_tray_icon_maps_none_of_the_left_out_libraries(
    desktop_with_tray: HeadlessDesktop, tmp_path: Path
) -> None:
    daemon: DeskguardProcess = start_daemon(desktop_with_tray, tmp_path, backend=None)
    try:
        wait_for_icon(desktop_with_tray, daemon)
        poll(lambda: "pystray backend xorg" in daemon.log(), what="the xorg tray backend")
        assert daemon.status()["notifier"].startswith("dbus")  # the bus is in use too
        assert daemon.process is not None
        files = mapped_files(daemon.process.pid)
        assert any("libpython" in name or "python3" in name for name in files)
        loaded = sorted(name for name in files if any(lib in name for lib in LEFT_OUT))
        assert loaded == [], f"the daemon loaded {loaded}"
    finally:
        assert daemon.stop() == 0
