"""deskguard's StatusNotifierItem against a real host: xfce4-panel's Status Tray under Xvfb.

The panel is started once for the module (it takes a second or two), on the desktop's
private bus; the daemon runs with its tray on, and the test reads what the host reads
(the watcher's list of items, the item's properties, the menu's layout) over that bus,
clicks the menu's entries the way the host does (`Event(id, "clicked")`), and looks at
the panel's pixels.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from PIL import Image

from deskguard.platform.dbus import add_match, call_method
from deskguard.tray.icon import GREEN, TRACK
from tests.integration.test_doctor import checks
from tests.integration.test_tray import children_running, count_colour
from tests.support import xfce_panel
from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll
from tests.support.process import DeskguardProcess, write_config
from tests.support.xfce_panel import PANEL_SIZE, WATCHER, XfcePanel, labels_in

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not xfce_panel.available(), reason="xfce4-panel is not installed"),
]

ITEM_PATH = "/StatusNotifierItem"
SIT_LIMIT = 40
MENU = ("/MenuBar", "com.canonical.dbusmenu")


@pytest.fixture(scope="module")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HeadlessDesktop]:
    with HeadlessDesktop(tmp_path_factory.mktemp("sni-desktop")) as started:
        yield started


@pytest.fixture(scope="module")
def panel(desktop: HeadlessDesktop) -> Iterator[XfcePanel]:
    started = XfcePanel(desktop).start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def daemon(
    desktop: HeadlessDesktop, panel: XfcePanel, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeskguardProcess]:
    env = dict(desktop.env)
    env.pop("PYSTRAY_BACKEND", None)
    log = tmp_path_factory.mktemp("sni-daemon") / "daemon.log"
    # A short sit limit: the ring fills a step every 1.25 s, and no reminder comes by itself
    # while the module runs (a few seconds); the one test that wants one shortens it.
    write_config(env, f'[reminder]\nsit_limit = "{SIT_LIMIT}s"\n')
    process = DeskguardProcess(env, log, args=("-v",)).start()
    try:
        yield process
    finally:
        process.stop()


# ---------------------------------------------------------------------------- the bus


def bus_call(desktop: HeadlessDesktop, *call: Any) -> list[Any]:
    """One method call on the desktop's bus, as the host would make it; its reply's body.

    `call`: destination, path, interface, member, signature, body (as for `call_method`)."""

    async def ask() -> list[Any]:
        bus = await MessageBus(bus_address=desktop.bus_address).connect()
        try:
            return await call_method(bus, *call)
        finally:
            bus.disconnect()

    return asyncio.run(ask())


def prop(desktop: HeadlessDesktop, destination: str, path: str, interface: str, name: str) -> Any:
    (value,) = bus_call(desktop, destination, path, "org.freedesktop.DBus.Properties", "Get",
                        "ss", [interface, name])  # fmt: skip
    assert isinstance(value, Variant)
    return value.value


def registered(desktop: HeadlessDesktop) -> list[str]:
    items: list[str] = prop(desktop, WATCHER, "/StatusNotifierWatcher", WATCHER,
                            "RegisteredStatusNotifierItems")  # fmt: skip
    return [item for item in items if "StatusNotifierItem-" in item]


def item_name(desktop: HeadlessDesktop, daemon: DeskguardProcess) -> str:
    """The item's bus name, once the host lists it (xfce lists "name/path" or "name")."""
    found = poll(
        lambda: registered(desktop) or None, 20, f"the item registered; log:\n{daemon.log()}"
    )
    return found[0].split("/", 1)[0]


def menu_ids(desktop: HeadlessDesktop, name: str) -> dict[str, int]:
    """Every menu entry's id by its label, submenus included (what the host draws)."""
    _revision, layout = bus_call(desktop, name, *MENU, "GetLayout", "iias", [0, -1, []])
    return labels_in(layout)


def click(desktop: HeadlessDesktop, name: str, label: str) -> None:
    ids = menu_ids(desktop, name)
    assert label in ids, ids
    bus_call(desktop, name, *MENU, "Event", "isvu", [ids[label], "clicked", Variant("s", ""), 0])


def signals_while(
    desktop: HeadlessDesktop,
    name: str,
    act: Callable[[], object],
    until: Callable[[Message], bool],
    timeout: float = 20,
) -> list[Message]:
    """The item's signals from just before `act` until one satisfies `until` (that one last).

    Subscribed the way a host is, with a match rule on the item's bus name, so what
    arrives here is what the panel hears."""

    async def watch() -> list[Message]:
        bus = await MessageBus(bus_address=desktop.bus_address).connect()
        seen: list[Message] = []
        arrived = asyncio.Event()

        def on_message(message: Message) -> None:
            if message.message_type is MessageType.SIGNAL and not arrived.is_set():
                seen.append(message)
                if until(message):
                    arrived.set()

        try:
            bus.add_message_handler(on_message)
            await add_match(bus, f"type='signal',sender='{name}'")
            await asyncio.to_thread(act)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(arrived.wait(), timeout)
            assert arrived.is_set(), [(m.member, m.body) for m in seen]
            return seen
        finally:
            bus.disconnect()

    return asyncio.run(watch())


def member(name: str, *body: Any) -> Callable[[Message], bool]:
    """A signal named `name` whose body starts with `body`."""
    return lambda message: message.member == name and list(message.body[: len(body)]) == [*body]


def ok(daemon: DeskguardProcess, *args: str) -> Callable[[], None]:
    def run() -> None:
        result = daemon.cli(*args)
        assert result.returncode == 0, result.stderr

    return run


# ---------------------------------------------------------------------------- the tests


def test_the_item_registers_with_the_host_and_shows_its_pixmaps(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    name = item_name(desktop, daemon)
    pixmaps = prop(desktop, name, ITEM_PATH, "org.kde.StatusNotifierItem", "IconPixmap")
    sizes = sorted(width for width, _height, _pixels in pixmaps)
    assert 22 in sizes and 32 in sizes
    for width, height, pixels in pixmaps:
        assert width == height and len(pixels) == width * height * 4
    assert prop(desktop, name, ITEM_PATH, "org.kde.StatusNotifierItem", "ItemIsMenu") is True
    assert prop(desktop, name, ITEM_PATH, "org.kde.StatusNotifierItem", "Status") == "Active"
    tooltip = prop(desktop, name, ITEM_PATH, "org.kde.StatusNotifierItem", "ToolTip")
    assert tooltip[2] == "deskguard" and tooltip[3]


def panel_pixels(desktop: HeadlessDesktop, tmp_path: Path, rgb: tuple[int, int, int]) -> int:
    """How many pixels of the panel (the top left strip) have about the colour `rgb`."""
    shot = Image.open(desktop.screenshot(tmp_path / "screen.png")).convert("RGB")
    return count_colour(shot.crop((0, 0, 400, PANEL_SIZE)), rgb, tolerance=24)


def test_the_icon_is_drawn_in_the_panel(
    desktop: HeadlessDesktop, daemon: DeskguardProcess, tmp_path: Path
) -> None:
    item_name(desktop, daemon)
    # The ring's grey track of a fresh start: over a hundred pixels at 24 px (none without).
    poll(lambda: panel_pixels(desktop, tmp_path, TRACK) > 60, 20, "the ring's pixels in the panel")


def test_the_ring_in_the_panel_turns_green_as_sitting_grows(
    desktop: HeadlessDesktop, daemon: DeskguardProcess, tmp_path: Path
) -> None:
    item_name(desktop, daemon)
    # Only a new IconPixmap, read again by the host after the item signals a change, does.
    poll(lambda: panel_pixels(desktop, tmp_path, GREEN) > 30, 20, "green in the panel's ring")


# Live updates. These share the module's daemon with the tests around them and need it
# sitting ("active"): they come before the host's menu starts a quick stretch (a break).


def test_pause_from_the_cli_reshapes_the_hosts_menu(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    name = item_name(desktop, daemon)
    assert "Pause" in menu_ids(desktop, name)
    seen = signals_while(desktop, name, ok(daemon, "pause", "30m"), member("LayoutUpdated"))
    revision, parent = seen[-1].body
    assert parent == 0  # the whole menu
    # What the host reads on that signal: the new revision, Resume where Pause was.
    new_revision, layout = bus_call(desktop, name, *MENU, "GetLayout", "iias", [0, -1, []])
    assert new_revision == revision
    labels = labels_in(layout)
    assert "Resume" in labels and "Pause" not in labels and "30 minutes" not in labels

    signals_while(desktop, name, ok(daemon, "resume"), member("LayoutUpdated"))
    assert "Pause" in menu_ids(desktop, name) and "Resume" not in menu_ids(desktop, name)
    daemon.wait_for_state("active")


def test_the_status_line_is_updated_in_place(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    name = item_name(desktop, daemon)
    daemon.wait_for_state("active")
    status_line = next(iter(menu_ids(desktop, name).items()))  # the first entry, by label
    label, item_id = status_line
    assert label.startswith("Sitting"), label

    def new_status_line(message: Message) -> bool:
        if message.member != "ItemsPropertiesUpdated":
            return False
        updated = dict(message.body[0])
        return item_id in updated and updated[item_id]["label"].value != label

    # Sitting grows by a step of the ring every 1.25 s: the line changes, its place does not.
    seen = signals_while(desktop, name, lambda: None, new_status_line)
    assert not [m for m in seen if m.member == "LayoutUpdated"]
    labels_by_id = {number: text for text, number in menu_ids(desktop, name).items()}
    assert labels_by_id[item_id].startswith("Sitting") and labels_by_id[item_id] != label
    properties = bus_call(desktop, name, *MENU, "GetGroupProperties", "aias", [[item_id], []])
    [[answered_id, answered]] = properties[0]
    assert answered_id == item_id and answered["enabled"].value is False


def test_a_pending_reminder_asks_for_attention_until_it_is_answered(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    name = item_name(desktop, daemon)
    item = "org.kde.StatusNotifierItem"
    # A reminder within seconds; one snooze at most, so the second one has none left.
    write_config(daemon.env, '[reminder]\nsit_limit = "3s"\nsnooze = "2s"\nmax_snoozes = 1\n')
    try:
        signals_while(desktop, name, ok(daemon, "reload"), member("NewStatus", "NeedsAttention"))
        assert daemon.status()["state"] == "reminding"
        assert prop(desktop, name, ITEM_PATH, item, "Status") == "NeedsAttention"
        snooze = next(label for label in menu_ids(desktop, name) if label.startswith("Snooze"))

        # Snoozed, with the cap reached: no longer asking, and the snooze entry gone from
        # the host's menu. When the snooze is over, the item asks again.
        seen = signals_while(desktop, name, ok(daemon, "snooze"), member("LayoutUpdated"))
        assert any(member("NewStatus", "Active")(m) for m in seen), [m.member for m in seen]
        labels = menu_ids(desktop, name)
        assert snooze not in labels and "No snoozes left" in labels
        signals_while(desktop, name, lambda: None, member("NewStatus", "NeedsAttention"))

        signals_while(desktop, name, ok(daemon, "skip"), member("NewStatus", "Active"))
        assert prop(desktop, name, ITEM_PATH, item, "Status") == "Active"
    finally:
        write_config(daemon.env, f'[reminder]\nsit_limit = "{SIT_LIMIT}s"\n')
        ok(daemon, "reload")()


def test_the_host_menu_changes_the_daemon_state(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    name = item_name(desktop, daemon)
    ids = menu_ids(desktop, name)
    assert {"Quick stretch now", "Pause", "30 minutes", "1 hour", "Until tomorrow", "Quit"} <= set(
        ids
    )

    click(desktop, name, "30 minutes")
    daemon.wait_for_state("paused")
    poll(lambda: "Resume" in menu_ids(desktop, name), 10, "Resume in the menu")
    click(desktop, name, "Resume")
    daemon.wait_for_state("active")

    snooze = poll(
        lambda: next(
            (label for label in menu_ids(desktop, name) if label.startswith("Snooze")), None
        ),
        10,
        "Snooze in the menu",
    )
    click(desktop, name, snooze)
    daemon.wait_for_state("snoozed")

    click(desktop, name, "Quick stretch now")
    daemon.wait_for_state("break")


def test_the_quick_stretch_entry_shows_the_picture_of_its_exercise(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    name = item_name(desktop, daemon)
    entry = menu_ids(desktop, name)["Quick stretch now"]
    [icon] = bus_call(desktop, name, *MENU, "GetProperty", "is", [entry, "icon-data"])
    png = bytes(icon.value)
    with Image.open(io.BytesIO(png)) as image:
        assert (image.format, image.size) == ("PNG", (48, 48))
    # Not reminding: the picture of the quick routine's first exercise, the first
    # desk-friendly one, from the daemon's picture cache.
    listed = json.loads(daemon.cli("catalog", "list", "--json").stdout)
    first = next(e["id"] for e in listed if e["desk_friendly"])
    cache = Path(desktop.env["XDG_CACHE_HOME"]) / "deskguard" / "pictures"
    [cached] = cache.glob(f"{first}-48x48-*.png")
    assert cached.read_bytes() == png


def close_routine_windows(daemon: DeskguardProcess) -> None:
    """End the routine windows the daemon opened: with no window manager a new window sits
    at the top left, over the panel, and would take the clicks meant for the icon."""
    assert daemon.process is not None
    parent = daemon.process.pid
    for pid in children_running(parent, "deskguard.routine"):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    poll(lambda: not children_running(parent, "deskguard.routine"), 10, "the windows to close")


def test_a_click_on_the_icon_opens_the_hosts_menu(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    item_name(desktop, daemon)
    close_routine_windows(daemon)
    before = daemon.log().count("AboutToShow")

    def menu_asked_for() -> bool:
        # The panel is at the top left, the item its only icon; a click the panel takes
        # before it has drawn the icon opens nothing, so click until the host asks.
        desktop.xdotool("mousemove", str(PANEL_SIZE // 2), str(PANEL_SIZE // 2), "click", "1")
        try:
            with contextlib.suppress(AssertionError):
                return poll(lambda: daemon.log().count("AboutToShow") > before, 2, "the host")
            return False
        finally:
            desktop.xdotool("key", "Escape")

    poll(menu_asked_for, 20, f"the host's AboutToShow after a click; log:\n{daemon.log()}")


def test_the_item_comes_back_when_the_panel_restarts(
    desktop: HeadlessDesktop, panel: XfcePanel, daemon: DeskguardProcess
) -> None:
    item_name(desktop, daemon)
    panel.kill_panel()
    panel.start_panel()
    poll(
        lambda: registered(desktop) or None, 20, f"the item registered again; log:\n{daemon.log()}"
    )


def test_doctor_names_the_host_and_what_the_icon_uses(
    desktop: HeadlessDesktop, panel: XfcePanel, tmp_path: Path
) -> None:
    tray = checks(DeskguardProcess(desktop.env, tmp_path / "log"))["tray host"]
    assert tray["ok"], tray
    assert "StatusNotifier" in str(tray["detail"]) and "own StatusNotifierItem" in str(
        tray["detail"]
    )


def test_the_daemon_with_its_item_docked_maps_no_gtk(
    desktop: HeadlessDesktop, daemon: DeskguardProcess
) -> None:
    item_name(desktop, daemon)
    assert daemon.process is not None
    maps = Path(f"/proc/{daemon.process.pid}/maps").read_text()
    # The right process: the one that drew the icon and speaks D-Bus.
    assert "PIL/_imaging" in maps and "dbus_fast/message" in maps
    for library in ("libgtk", "libgdk", "libgobject", "_gi."):
        assert library not in maps, f"{library} is mapped into the daemon"
