"""Takes the README's picture of the tray icon and its menu, from a real StatusNotifier host.

    python scripts/screenshot-tray.py [OUTPUT.png]

Starts a desktop with no screen (Xvfb, a private session bus, dunst: HeadlessDesktop from
tests/support) with xfce4-panel's Status Tray in it, then `deskguard run` with its own
StatusNotifierItem; once the ring has filled a little, clicks the icon so the panel opens
deskguard's menu, and saves the panel and the open menu, cropped, as a PNG (by default
config/desktop/screenshots/tray-menu.png). Needs what scripts/system-packages.sh installs.
Run it from the repository root with the project's virtual environment active.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the desktop harness lives in tests/support

from PIL import Image  # noqa: E402
from Xlib import X  # noqa: E402
from Xlib import display as xdisplay  # noqa: E402

from tests.support.desktop import HeadlessDesktop  # noqa: E402
from tests.support.polling import poll  # noqa: E402
from tests.support.process import DeskguardProcess, write_config  # noqa: E402
from tests.support.xfce_panel import PANEL_SIZE, XfcePanel  # noqa: E402

OUTPUT = REPO / "config/desktop/screenshots/tray-menu.png"
MARGIN = 8
FILLING = 12.0
"""Seconds of sitting before the picture: a quarter of the 40 s ring, drawn green."""


def shown_windows(desktop: HeadlessDesktop) -> dict[int, tuple[int, int, int, int]]:
    """The mapped top-level windows: id -> (x, y, width, height)."""
    connection = xdisplay.Display(desktop.display)
    try:
        found = {}
        for child in connection.screen().root.query_tree().children:
            if child.get_attributes().map_state != X.IsViewable:
                continue
            geometry = child.get_geometry()
            found[child.id] = (geometry.x, geometry.y, geometry.width, geometry.height)
        return found
    finally:
        connection.close()


def open_menu(desktop: HeadlessDesktop) -> tuple[int, int, int, int]:
    """Click the panel's only icon until a menu window appears; its rectangle."""
    before = shown_windows(desktop)

    def menu() -> tuple[int, int, int, int] | None:
        desktop.xdotool("mousemove", str(PANEL_SIZE // 2), str(PANEL_SIZE // 2), "click", "1")
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:
            new = [box for wid, box in shown_windows(desktop).items() if wid not in before]
            tall = [box for box in new if box[3] > 100]
            if tall:
                return tall[0]
            time.sleep(0.2)
        desktop.xdotool("key", "Escape")  # a click taken before the icon was drawn
        return None

    return poll(menu, 30, "the panel to open deskguard's menu")


def main() -> None:
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT
    with TemporaryDirectory(prefix="dg-shot-") as tmp, HeadlessDesktop(Path(tmp)) as desktop:
        panel = XfcePanel(desktop).start()
        env = {k: v for k, v in desktop.env.items() if k != "PYSTRAY_BACKEND"}
        write_config(env, '[reminder]\nsit_limit = "40s"\n')
        daemon = DeskguardProcess(env, Path(tmp) / "daemon.log", args=()).start()
        try:
            poll(lambda: "own item" in daemon.log(), 20, "the item to register")
            time.sleep(FILLING)
            x, y, width, height = open_menu(desktop)
            time.sleep(0.5)  # the menu's first paint
            shot = Image.open(desktop.screenshot(Path(tmp) / "screen.png")).convert("RGB")
            right = max(x + width, 4 * PANEL_SIZE) + MARGIN
            shot.crop((0, 0, right, y + height + MARGIN)).save(output, optimize=True)
        finally:
            daemon.stop()
            panel.stop()
    print(f"saved {output}")


if __name__ == "__main__":
    main()
