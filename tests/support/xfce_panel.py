"""xfce4-panel's Status Tray as a real StatusNotifier host inside a HeadlessDesktop.

The desktop's private bus starts no services, so xfconfd (the panel's settings store,
normally bus-activated) is started here first, in the desktop's environment. The panel
gets a seeded configuration: one panel at the top left holding only the systray plugin,
which is the `org.kde.StatusNotifierWatcher`, the SNI host and an XEmbed tray at once.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from dbus_fast import Variant

from tests.support.desktop import HeadlessDesktop, _terminate
from tests.support.polling import poll

XFCONFD = Path("/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd")
WATCHER = "org.kde.StatusNotifierWatcher"
PANEL_SIZE = 32
START_TIMEOUT = 20.0

PANEL_XML = f"""\
<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="{PANEL_SIZE}"/>
      <property name="icon-size" type="uint" value="24"/>
      <property name="length" type="uint" value="20"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
"""


def labels_in(layout: list[Any]) -> dict[str, int]:
    """Every entry's id by its label in a dbusmenu `(ia{sv}av)` layout, submenus included."""
    ids: dict[str, int] = {}

    def walk(node: list[Any]) -> None:
        item_id, properties, children = node
        if "label" in properties:
            ids[properties["label"].value] = item_id
        for child in children:
            assert isinstance(child, Variant) and child.signature == "(ia{sv}av)"
            walk(child.value)

    walk(layout)
    return ids


def available() -> bool:
    return shutil.which("xfce4-panel") is not None and XFCONFD.exists()


class XfcePanel:
    """The panel (and its xfconfd) on `desktop`; `restart()` kills the panel and starts anew."""

    def __init__(self, desktop: HeadlessDesktop) -> None:
        self.desktop = desktop
        self._xfconfd: subprocess.Popen[bytes] | None = None
        self._panel: subprocess.Popen[bytes] | None = None
        self._logs = desktop.base_dir / "logs"

    def start(self) -> XfcePanel:
        channel = Path(self.desktop.env["XDG_CONFIG_HOME"]) / "xfce4/xfconf/xfce-perchannel-xml"
        channel.mkdir(parents=True, exist_ok=True)
        (channel / "xfce4-panel.xml").write_text(PANEL_XML)
        self._xfconfd = self._spawn("xfconfd", [str(XFCONFD)])
        poll(lambda: self.desktop.bus_name_owner_pid("org.xfce.Xfconf"), START_TIMEOUT, "xfconfd")
        self.start_panel()
        return self

    def start_panel(self) -> None:
        self._panel = self._spawn("xfce4-panel", ["xfce4-panel", "--disable-wm-check"])
        poll(self.watcher_pid, START_TIMEOUT, f"xfce4-panel to own {WATCHER}")

    def kill_panel(self) -> None:
        if self._panel is not None:
            self._panel.kill()
            self._panel.wait(10)
            self._panel = None
        poll(lambda: self.watcher_pid() is None, START_TIMEOUT, f"{WATCHER} to go away")

    def watcher_pid(self) -> int | None:
        return self.desktop.bus_name_owner_pid(WATCHER)

    def stop(self) -> None:
        for proc in (self._panel, self._xfconfd):
            if proc is not None:
                _terminate(proc)
        self._panel = self._xfconfd = None

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        with open(self._logs / f"{name}.log", "ab") as log:
            return subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self.desktop.env,
            )
