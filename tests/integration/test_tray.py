"""The tray icon of the real daemon under Xvfb + trayer, looked at and clicked like a person would.

The icon is found where the tray host embedded it (a window of deskguard's inside trayer's
panel) and read off screenshots; menus are found as the new window a click opens, their
rows read off a screenshot (one band of text per entry), and clicked with xdotool.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from PIL import Image
from Xlib import X
from Xlib import display as xdisplay
from Xlib.xobject.drawable import Window

from deskguard.ipc.status import Status
from deskguard.platform.tray_host import tray_host_available
from deskguard.tray.icon import DIM, GREEN, TRACK
from deskguard.tray.menu import Entry, build_menu
from deskguard.tray.xorg_tooltip import TOOLTIP_CLASS
from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config

pytestmark = pytest.mark.integration

RGB = tuple[int, int, int]


# ---------------------------------------------------------------------------- looking


@dataclass(frozen=True)
class Box:
    """A window's rectangle on the screen."""

    window: int
    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2

    def crop(self, shot: Image.Image, inset: int = 0) -> Image.Image:
        return shot.crop(
            (
                self.x + inset,
                self.y + inset,
                self.x + self.width - inset,
                self.y + self.height - inset,
            )
        ).convert("RGB")


@contextlib.contextmanager
def x_connection(desktop: HeadlessDesktop) -> Iterator[xdisplay.Display]:
    connection = xdisplay.Display(desktop.display)
    try:
        yield connection
    finally:
        connection.close()


def _box(window: Window, root: Window) -> Box:
    geometry = window.get_geometry()
    origin = window.translate_coords(root.id, 0, 0)
    return Box(window.id, -origin.x, -origin.y, geometry.width, geometry.height)


def _descendants(window: Window) -> Iterator[Window]:
    for child in window.query_tree().children:
        yield child
        yield from _descendants(child)


def docked_icon(desktop: HeadlessDesktop) -> Box | None:
    """deskguard's window inside trayer's panel, where the tray host embedded it."""
    with x_connection(desktop) as connection:
        root = connection.screen().root
        for top in root.query_tree().children:
            if top.get_wm_class() != ("panel", "trayer"):
                continue
            for window in _descendants(top):
                wm_class = window.get_wm_class() or ()
                if any("deskguard" in part for part in wm_class):
                    return _box(window, root)
    return None


def shown_tooltip(desktop: HeadlessDesktop) -> tuple[str, Box] | None:
    """The xorg icon's tooltip while it is shown: its text (the window's name) and place."""
    with x_connection(desktop) as connection:
        root = connection.screen().root
        for child in root.query_tree().children:
            if (
                child.get_wm_class() == TOOLTIP_CLASS
                and child.get_attributes().map_state == X.IsViewable
            ):
                return str(child.get_wm_name()), _box(child, root)
    return None


def shown_windows(desktop: HeadlessDesktop) -> dict[int, Box]:
    """The top-level windows on the screen now (a menu is one of them while it is open)."""
    with x_connection(desktop) as connection:
        root = connection.screen().root
        return {
            child.id: _box(child, root)
            for child in root.query_tree().children
            if child.get_attributes().map_state == X.IsViewable
        }


def screenshot(desktop: HeadlessDesktop, tmp_path: Path) -> Image.Image:
    return Image.open(desktop.screenshot(tmp_path / "screen.png"))


def count_colour(picture: Image.Image, rgb: RGB, tolerance: int = 30) -> int:
    """How many pixels of an RGB picture are within `tolerance` of `rgb` in every channel."""
    data = picture.tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(all(abs(a - b) <= tolerance for a, b in zip(p, rgb, strict=True)) for p in pixels)


def pixels(picture: Image.Image) -> list[RGB]:
    data = picture.convert("RGB").tobytes()
    return list(zip(data[0::3], data[1::3], data[2::3], strict=True))


def drawn_box(picture: Image.Image, background: RGB) -> tuple[int, int, int, int] | None:
    """The bounding box of the pixels clearly unlike `background`: what is drawn on it."""
    mask = Image.new("L", picture.size)
    far = [
        max(abs(a - b) for a, b in zip(p, background, strict=True)) > 40 for p in pixels(picture)
    ]
    mask.putdata([255 if is_far else 0 for is_far in far])
    return mask.getbbox()


def text_rows(picture: Image.Image) -> list[int]:
    """The vertical middles of the lines of text in a menu's picture, top to bottom.

    A row counts when some of its pixels are clearly darker than the menu's background;
    bands shorter than text (separator lines) are left out.
    """
    grey = picture.convert("L")
    width, height = grey.size
    background = max(range(256), key=grey.histogram().__getitem__)
    inked = [
        sum(grey.getpixel((x, y)) < background - 40 for x in range(width)) > 1  # type: ignore[operator]
        for y in range(height)
    ]
    rows, start = [], None
    for y, ink in enumerate([*inked, False]):
        if ink and start is None:
            start = y
        elif not ink and start is not None:
            if y - start >= 5:
                rows.append((start + y) // 2)
            start = None
    return rows


def items(entries: tuple[Entry, ...]) -> list[str]:
    """The labels a menu shows, one text row each (separators are lines, not text)."""
    return [entry.label for entry in entries if not entry.separator]


# ---------------------------------------------------------------------------- acting


def start_daemon(
    desktop: HeadlessDesktop,
    tmp_path: Path,
    backend: str | None,
    args: tuple[str, ...] = (),
    settings: dict[str, str] | None = None,
) -> DeskguardProcess:
    """`deskguard run ARGS` with pystray's `backend` (None: its own choice) and
    `settings` as DESKGUARD_<KEY> variables."""
    env = dict(desktop.env)
    env.pop("PYSTRAY_BACKEND", None)
    if backend is not None:
        env["PYSTRAY_BACKEND"] = backend
    env.update({f"DESKGUARD_{key.upper()}": value for key, value in (settings or {}).items()})
    return DeskguardProcess(env, tmp_path / "daemon.log", args=args).start()


@pytest.fixture
def stack() -> Iterator[list[DeskguardProcess]]:
    """Daemons to stop at the end of the test, whatever happens."""
    started: list[DeskguardProcess] = []
    yield started
    for daemon in started:
        daemon.stop()


def start_with_icon(
    desktop: HeadlessDesktop,
    tmp_path: Path,
    stack: list[DeskguardProcess],
    backend: str,
    **settings: str,
) -> tuple[DeskguardProcess, Box]:
    """The daemon with its tray icon on `backend`, docked and big enough to be seen."""
    daemon = start_daemon(desktop, tmp_path, backend, settings=settings)
    stack.append(daemon)
    return daemon, wait_for_icon(desktop, daemon)


def wait_for_icon(desktop: HeadlessDesktop, daemon: DeskguardProcess) -> Box:
    """The icon once docked at a size to be seen (a tray may first give it a 1-pixel slot)."""

    def found() -> Box | None:
        assert daemon.process is not None and daemon.process.poll() is None, daemon.log()
        icon = docked_icon(desktop)
        return icon if icon is not None and min(icon.width, icon.height) >= 16 else None

    return poll(found, timeout=20, what=f"the icon in the tray; log:\n{daemon.log()}")


def open_menu(
    desktop: HeadlessDesktop, tmp_path: Path, click: Callable[[], object], expected: list[str]
) -> tuple[Box, list[int]]:
    """`click`, then the new window that shows `expected` as rows of text, and the rows."""
    before = shown_windows(desktop)
    click()

    def menu_drawn() -> tuple[Box, list[int]] | None:
        new = [box for wid, box in shown_windows(desktop).items() if wid not in before]
        menus = [box for box in new if box.height > 40]
        if not menus:
            return None
        menu = menus[0]
        rows = text_rows(menu.crop(screenshot(desktop, tmp_path), inset=4))
        return (menu, rows) if len(rows) == len(expected) else None

    return poll(menu_drawn, timeout=15, what=f"a menu with the rows {expected}")


def click_icon(desktop: HeadlessDesktop, icon: Box, button: str) -> Callable[[], object]:
    x, y = icon.centre
    return lambda: desktop.xdotool("mousemove", str(x), str(y), "click", button)


def click_entry(
    desktop: HeadlessDesktop, menu: Box, rows: list[int], labels: list[str], label: str
) -> str:
    row = rows[labels.index(label)]
    return desktop.xdotool("mousemove", str(menu.x + 30), str(menu.y + 4 + row), "click", "1")


def children_running(parent: int, module: str) -> list[int]:
    """Processes started by `parent` whose command line names `module`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if ppid == parent and module.encode() in argv:
                found.append(int(entry.name))
    return found


# ---------------------------------------------------------------------------- tests


@pytest.mark.parametrize("backend", ["xorg", "gtk", "appindicator"])
def test_the_icon_docks_and_shows_the_sitting_time_live(
    desktop_with_tray: HeadlessDesktop,
    tmp_path: Path,
    stack: list[DeskguardProcess],
    backend: str,
) -> None:
    desktop = desktop_with_tray
    daemon, icon = start_with_icon(
        desktop, tmp_path, stack, backend, REMINDER__SIT_LIMIT="40s", ACTIVITY__POLL="1s"
    )
    poll(lambda: f"pystray backend {backend}" in daemon.log(), what=f"the {backend} backend")

    # Xvfb counts as fresh input: the user sits, and the ring fills green as time passes.
    # GTK paints the docked icon a moment after the slot appears, and may resize the slot
    # first: look again at the slot as it is now until the empty ring is there.
    def empty_ring() -> Box | None:
        now = wait_for_icon(desktop, daemon)
        return now if count_colour(now.crop(screenshot(desktop, tmp_path)), TRACK) > 20 else None

    icon = poll(empty_ring, timeout=20, what="the empty ring on the screen")

    def some_green() -> bool:
        return count_colour(icon.crop(screenshot(desktop, tmp_path)), GREEN) > 6

    # Generous: under a loaded machine GTK may take a while to repaint the docked icon.
    poll(some_green, timeout=45, what="the ring to fill green")

    assert daemon.cli("pause").returncode == 0

    def paused_look() -> bool:
        picture = icon.crop(screenshot(desktop, tmp_path))
        return count_colour(picture, GREEN) == 0 and count_colour(picture, DIM, 20) > 4

    poll(paused_look, timeout=10, what="the paused look (grey ring, pause bars)")


LIGHT_PANEL = (238, 238, 238)


@pytest.fixture
def light_tray(tmp_path: Path) -> Iterator[HeadlessDesktop]:
    """trayer painted a light grey, as many panels are."""
    colour = int.from_bytes(bytes(LIGHT_PANEL), "big")
    with HeadlessDesktop(tmp_path / "desktop", tray=True, tray_colour=colour) as running:
        yield running


def test_the_xorg_icon_is_a_round_ring_centred_in_its_slot_on_the_panels_colour(
    light_tray: HeadlessDesktop, tmp_path: Path, stack: list[DeskguardProcess]
) -> None:
    desktop = light_tray
    daemon, icon = start_with_icon(desktop, tmp_path, stack, "xorg")

    def empty_ring() -> tuple[Box, Image.Image] | None:
        now = wait_for_icon(desktop, daemon)
        slot = now.crop(screenshot(desktop, tmp_path))
        return (now, slot) if count_colour(slot, TRACK) > 20 else None

    icon, slot = poll(empty_ring, timeout=20, what="the empty ring on the screen")
    # trayer's slots are taller than wide: a picture stretched to the slot would show it.
    assert icon.height > icon.width, icon
    box = drawn_box(slot, LIGHT_PANEL)
    assert box is not None
    left, top, right, bottom = box
    assert abs((right - left) - (bottom - top)) <= 2, (box, icon)  # a circle, not an oval
    assert abs((left + right) - icon.width) <= 2 and abs((top + bottom) - icon.height) <= 2, box
    assert right - left >= icon.width - 4  # as large as the slot allows
    shown = pixels(slot)
    # The panel's own colour around the ring: no black square, no coloured fringe (the
    # empty ring is grey on grey, so every pixel is nearly grey).
    assert count_colour(slot, (0, 0, 0), 60) == 0
    coloured = {p for p in shown if max(p) - min(p) > 16}
    assert not coloured, coloured
    corners = (shown[0], shown[-1])  # top left, bottom right
    near_panel = [max(abs(a - b) for a, b in zip(c, LIGHT_PANEL, strict=True)) for c in corners]
    assert max(near_panel) <= 8, corners


def test_the_xorg_icon_shows_the_status_line_as_a_tooltip_under_the_pointer(
    desktop_with_tray: HeadlessDesktop, tmp_path: Path, stack: list[DeskguardProcess]
) -> None:
    desktop = desktop_with_tray
    daemon, icon = start_with_icon(desktop, tmp_path, stack, "xorg")
    daemon.wait_for_state("active")
    x, y = icon.centre
    desktop.xdotool("mousemove", str(x), str(y))
    text, box = poll(lambda: shown_tooltip(desktop), timeout=10, what="the icon's tooltip")
    assert text.startswith("Sitting"), text  # the status line, as the menu's first line
    assert box.y >= icon.y + icon.height and box.x >= 0  # under the icon, on the screen

    # The text is drawn: dark strokes on the light tooltip.
    def written() -> Image.Image | None:
        shown = box.crop(screenshot(desktop, tmp_path), inset=1)
        return shown if count_colour(shown, (32, 32, 32), 60) > 20 else None

    picture = poll(written, timeout=10, what="the tooltip's text")
    assert count_colour(picture, (255, 255, 225), 12) > picture.width * picture.height // 2

    desktop.xdotool("mousemove", "900", "600")
    poll(lambda: shown_tooltip(desktop) is None, timeout=10, what="the tooltip to go")


def test_a_left_click_on_the_xorg_icon_opens_the_popup_menu_which_snoozes(
    desktop_with_tray: HeadlessDesktop, tmp_path: Path, stack: list[DeskguardProcess]
) -> None:
    desktop = desktop_with_tray
    daemon, icon = start_with_icon(desktop, tmp_path, stack, "xorg")
    status = daemon.wait_for_state("active")
    labels = items(build_menu(Status.from_json(status)))
    assert "Snooze 10 minutes" in labels

    menu, rows = open_menu(desktop, tmp_path, click_icon(desktop, icon, "1"), labels)
    assert daemon.process is not None
    [popup] = children_running(daemon.process.pid, "deskguard.tray.popup")

    click_entry(desktop, menu, rows, labels, "Snooze 10 minutes")
    daemon.wait_for_state("snoozed")
    poll(lambda: menu.window not in shown_windows(desktop), what="the popup menu to close")
    poll(lambda: not os.path.exists(f"/proc/{popup}"), what="the popup process to end")


def test_a_click_outside_the_xorg_popup_closes_it_and_does_nothing(
    desktop_with_tray: HeadlessDesktop, tmp_path: Path, stack: list[DeskguardProcess]
) -> None:
    desktop = desktop_with_tray
    daemon, icon = start_with_icon(desktop, tmp_path, stack, "xorg")
    labels = items(build_menu(Status.from_json(daemon.wait_for_state("active"))))

    right_click = click_icon(desktop, icon, "3")  # the right button opens it too
    menu, _ = open_menu(desktop, tmp_path, right_click, labels)
    desktop.xdotool("mousemove", "900", "600", "click", "1")
    poll(lambda: menu.window not in shown_windows(desktop), what="the popup menu to close")
    assert daemon.process is not None
    pid = daemon.process.pid
    poll(lambda: not children_running(pid, "deskguard.tray.popup"), what="the popup to end")
    assert daemon.status()["state"] == "active"


@pytest.mark.parametrize("backend", ["gtk", "appindicator"])
def test_the_gtk_menu_snoozes_and_quits_the_running_daemon(
    desktop_with_tray: HeadlessDesktop,
    tmp_path: Path,
    stack: list[DeskguardProcess],
    backend: str,
) -> None:
    desktop = desktop_with_tray
    daemon, icon = start_with_icon(desktop, tmp_path, stack, backend)
    labels = items(build_menu(Status.from_json(daemon.wait_for_state("active"))))

    menu, rows = open_menu(desktop, tmp_path, click_icon(desktop, icon, "3"), labels)
    click_entry(desktop, menu, rows, labels, "Snooze 10 minutes")
    snoozed = daemon.wait_for_state("snoozed")
    poll(lambda: menu.window not in shown_windows(desktop), what="the menu to close")

    # The menu follows the state: Snooze is still there (snoozes left), Pause too.
    labels = items(build_menu(Status.from_json(snoozed)))
    menu, rows = open_menu(desktop, tmp_path, click_icon(desktop, icon, "3"), labels)
    click_entry(desktop, menu, rows, labels, "Quit")
    assert daemon.process is not None
    assert daemon.process.wait(20) == 0
    assert "stopping" in daemon.log()


def test_the_gtk_pause_submenu_pauses_until_tomorrow(
    desktop_with_tray: HeadlessDesktop, tmp_path: Path, stack: list[DeskguardProcess]
) -> None:
    desktop = desktop_with_tray
    daemon, icon = start_with_icon(desktop, tmp_path, stack, "gtk")
    entries = build_menu(Status.from_json(daemon.wait_for_state("active")))
    labels = items(entries)

    left_click = click_icon(desktop, icon, "1")  # the left button opens it as well
    menu, rows = open_menu(desktop, tmp_path, left_click, labels)
    submenu_labels = items(next(e for e in entries if e.label == "Pause").submenu)
    submenu, sub_rows = open_menu(
        desktop,
        tmp_path,
        lambda: click_entry(desktop, menu, rows, labels, "Pause"),
        submenu_labels,
    )
    click_entry(desktop, submenu, sub_rows, submenu_labels, "Until tomorrow")
    paused = daemon.wait_for_state("paused")
    until = datetime.fromisoformat(paused["paused_until"])
    # No working hours are configured, so "tomorrow" starts at the next local midnight.
    midnight = datetime.combine(until.date(), time(), until.tzinfo)
    if until - midnight > timedelta(hours=12):
        midnight += timedelta(days=1)
    assert abs((until - midnight).total_seconds()) <= 2
    assert until - datetime.now(until.tzinfo) <= timedelta(days=1)


@pytest.mark.parametrize(
    ("args", "config"),
    [(("--no-tray",), ""), ((), "[tray]\nenabled = false\n")],
    ids=["--no-tray", "tray.enabled=false"],
)
def test_the_daemon_runs_without_the_tray_when_told_to(
    desktop_with_tray: HeadlessDesktop,
    tmp_path: Path,
    stack: list[DeskguardProcess],
    args: tuple[str, ...],
    config: str,
) -> None:
    desktop = desktop_with_tray
    if config:
        write_config(desktop.env, config)
    daemon = start_daemon(desktop, tmp_path, None, args=args)
    stack.append(daemon)
    assert daemon.cli("pause", "30m").returncode == 0
    assert daemon.status()["state"] == "paused"
    # Nothing can prove an absence at one instant: watch for a while (an icon docks well
    # within this when the tray is on, see the tests above), then check the log too.
    with pytest.raises(AssertionError, match="timed out"):
        poll(lambda: docked_icon(desktop), timeout=3, what="no icon")
    assert "tray icon:" not in daemon.log()
    assert daemon.stop() == 0


def test_without_a_tray_host_the_daemon_says_so_and_runs_on(
    desktop: HeadlessDesktop, tmp_path: Path, stack: list[DeskguardProcess]
) -> None:
    daemon = start_daemon(desktop, tmp_path, None)
    stack.append(daemon)
    poll(lambda: "no tray icon: no system tray found" in daemon.log(), what="the reason")
    assert daemon.cli("snooze").returncode == 0
    assert daemon.status()["state"] == "snoozed"
    assert daemon.stop() == 0


def test_the_popup_without_a_daemon_says_how_to_start_it(desktop: HeadlessDesktop) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deskguard.tray.popup"],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 3
    assert "deskguard is not running" in result.stderr


# ---------------------------------------------------------------------------- doctor's probe


def _probe_in(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> tuple[bool, str]:
    """`tray_host_available()` with this process seeing `env`'s display and bus."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS"):
        if name in env:
            monkeypatch.setenv(name, env[name])
        else:
            monkeypatch.delenv(name, raising=False)

    async def from_a_running_loop() -> tuple[bool, str]:  # as `deskguard doctor` calls it
        return tray_host_available()

    return asyncio.run(from_a_running_loop())


def test_the_probe_finds_an_xembed_tray(
    desktop_with_tray: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _probe_in(desktop_with_tray.env, monkeypatch) == (True, "XEmbed system tray found")


def test_the_probe_finds_no_tray_and_no_display(
    desktop: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    ok, reason = _probe_in(desktop.env, monkeypatch)
    assert not ok and reason.startswith("no system tray found")
    no_display = {k: v for k, v in desktop.env.items() if k != "DISPLAY"}
    ok, reason = _probe_in(no_display, monkeypatch)
    assert not ok and reason.startswith("no display")


def test_the_probe_finds_a_status_notifier_host(
    desktop: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def while_a_host_watches() -> tuple[bool, str]:
        bus = await MessageBus(bus_address=desktop.bus_address).connect()
        try:
            await bus.request_name("org.kde.StatusNotifierWatcher")
            return await asyncio.to_thread(_probe_in, desktop.env, monkeypatch)
        finally:
            bus.disconnect()

    assert asyncio.run(while_a_host_watches()) == (True, "StatusNotifier (AppIndicator) tray found")


def test_the_popup_speaks_the_language_the_daemon_hands_it(desktop: HeadlessDesktop) -> None:
    # The daemon's language outranks the environment's (see tray.app.popup_environment).
    env = {**desktop.env, "LANGUAGE": "ru", "DESKGUARD_UI__LANGUAGE": "de"}
    result = subprocess.run(
        [sys.executable, "-m", "deskguard.tray.popup"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 3
    assert "deskguard läuft nicht" in result.stderr, result.stderr
