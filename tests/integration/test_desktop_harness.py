"""The headless desktop harness itself, checked against the real programs it drives.

If these fail, every other integration test would be measuring the harness, not deskguard.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from tests.support.desktop import NOTIFICATIONS, HeadlessDesktop
from tests.support.polling import poll

pytestmark = pytest.mark.integration

# A client that talks to the server as deskguard does (dbus-fast, ActionInvoked): it
# prints the key of the button pressed.
BUTTON_CLIENT = textwrap.dedent(
    """
    import asyncio
    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    SERVER = "org.freedesktop.Notifications"

    async def main():
        bus = await MessageBus().connect()
        invoked, arrived = {}, asyncio.Event()  # notification id -> action key

        def on_message(message):
            if message.message_type is MessageType.SIGNAL and message.member == "ActionInvoked":
                invoked[message.body[0]] = message.body[1]
                arrived.set()

        bus.add_message_handler(on_message)
        await bus.call(Message(
            destination="org.freedesktop.DBus",
            path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus",
            member="AddMatch",
            signature="s",
            body=[f"type='signal',interface='{SERVER}',member='ActionInvoked'"],
        ))
        reply = await bus.call(Message(
            destination=SERVER,
            path="/org/freedesktop/Notifications",
            interface=SERVER,
            member="Notify",
            signature="susssasa{sv}i",
            body=[
                "harness-client", 0, "", "Time to stand up", "45 minutes",
                ["stretch", "Stretch", "snooze", "Snooze"], {}, 0,
            ],
        ))
        (nid,) = reply.body

        async def pressed():
            while nid not in invoked:
                arrived.clear()
                await arrived.wait()
            return invoked[nid]

        print("pressed", await asyncio.wait_for(pressed(), 30), flush=True)

    asyncio.run(main())
    """
)

# A bare Notify call, so a missing server shows up as the bus's error reply.
RAW_NOTIFY = textwrap.dedent(
    """
    import asyncio, sys
    from dbus_fast import Message, MessageType
    from dbus_fast.aio import MessageBus

    async def main():
        bus = await MessageBus().connect()
        reply = await bus.call(Message(
            destination="org.freedesktop.Notifications",
            path="/org/freedesktop/Notifications",
            interface="org.freedesktop.Notifications",
            member="Notify",
            signature="susssasa{sv}i",
            body=["raw", 0, "", sys.argv[1], "", [], {}, -1],
        ))
        print(reply.error_name if reply.message_type == MessageType.ERROR else reply.body[0])

    asyncio.run(main())
    """
)


@contextmanager
def background(desktop: HeadlessDesktop, *argv: str) -> Iterator[subprocess.Popen[str]]:
    """A client process in the desktop's environment, killed if the test leaves it running."""
    proc = subprocess.Popen(
        argv, env=desktop.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def children_of(pid: int) -> set[int]:
    """Process ids whose parent is ``pid``, read from /proc."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in status:
            found.add(int(entry.name))
    return found


def visible_dunst_windows(desktop: HeadlessDesktop) -> list[str]:
    found = desktop.run(["xdotool", "search", "--onlyvisible", "--class", "dunst"], check=False)
    return found.stdout.split()


def test_environment_points_only_at_this_desktop(desktop: HeadlessDesktop) -> None:
    env = desktop.env
    base = desktop.base_dir
    assert env["DISPLAY"] == desktop.display
    assert env["DBUS_SESSION_BUS_ADDRESS"] == desktop.bus_address
    assert env["NO_AT_BRIDGE"] == "1"
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        assert Path(env[name]).is_dir() and Path(env[name]).is_relative_to(base), name
    config_dirs = Path(env["XDG_CONFIG_DIRS"])
    assert config_dirs.is_relative_to(base) and list(config_dirs.iterdir()) == []
    runtime = Path(env["XDG_RUNTIME_DIR"])
    assert runtime != Path(os.environ.get("XDG_RUNTIME_DIR", "/nonexistent"))
    assert [p.name for p in runtime.iterdir()] == ["bus"]  # fresh: only our bus socket
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o700
    assert "WAYLAND_DISPLAY" not in env


def test_notify_send_is_observed_with_its_actions(desktop: HeadlessDesktop) -> None:
    argv = ("notify-send", "-A", "stretch=Stretch", "-A", "snooze=Snooze", "Title", "Body")
    with background(desktop, *argv):
        note = desktop.wait_for_notification(lambda n: n.summary == "Title")

    assert note.app_name == "notify-send"
    assert note.body == "Body"
    assert note.actions == {"stretch": "Stretch", "snooze": "Snooze"}
    assert note.replaces_id == 0
    assert note.id is not None and note.id > 0
    assert note.error is None
    assert note in desktop.notifications()


def test_invoke_action_reaches_a_real_client(desktop: HeadlessDesktop) -> None:
    with background(desktop, sys.executable, "-c", BUTTON_CLIENT) as client:
        note = desktop.wait_for_notification(lambda n: n.app_name == "harness-client")
        assert {"stretch": "Stretch", "snooze": "Snooze"}.items() <= note.actions.items()

        invoked = desktop.invoke_action("snooze")
        out, err = client.communicate(timeout=15)

    assert (invoked.id, invoked.key) == (note.id, "snooze")
    assert client.returncode == 0, err
    assert out.strip() == "pressed snooze"


def test_invoke_action_targets_the_newest_notification(desktop: HeadlessDesktop) -> None:
    argv = ("notify-send", "-A", "snooze=Snooze")
    with background(desktop, *argv, "First") as first:
        older = desktop.wait_for_notification(lambda n: n.summary == "First")
        with background(desktop, *argv, "Second") as second:
            newer = desktop.wait_for_notification(lambda n: n.summary == "Second")

            invoked = desktop.invoke_action("snooze")
            out, _ = second.communicate(timeout=15)

        assert (invoked.id, invoked.key) == (newer.id, "snooze")
        assert newer.id != older.id
        assert out.strip() == "snooze"
        assert first.poll() is None  # the older notification's client is still waiting


def test_middle_click_runs_the_default_action(desktop: HeadlessDesktop) -> None:
    argv = ("notify-send", "-A", "default=Open", "-A", "snooze=Snooze", "Click", "me")
    with background(desktop, *argv) as client:
        note = desktop.wait_for_notification(lambda n: n.summary == "Click")
        mark = len(desktop.closed_notifications())
        desktop.click_notification(button=2)
        out, _ = client.communicate(timeout=15)

    assert out.strip() == "default"
    assert [(a.id, a.key) for a in desktop.actions_invoked()] == [(note.id, "default")]
    closed = desktop.wait_for_closed(lambda c: c.id == note.id, after=mark)
    assert closed.reason == 2  # dismissed by the user


def test_dunst_history_lists_closed_notifications(desktop: HeadlessDesktop) -> None:
    desktop.run(["notify-send", "Remember", "to stretch"])
    note = desktop.wait_for_notification(lambda n: n.summary == "Remember")
    assert desktop.dunst_history() == []  # dunst only lists closed ones

    desktop.dunstctl("close-all")
    desktop.wait_for_closed(lambda c: c.id == note.id)
    history = desktop.dunst_history()

    assert [(h["id"], h["summary"], h["body"]) for h in history] == [
        (note.id, "Remember", "to stretch")
    ]


def test_paused_dunst_holds_notifications_back(desktop: HeadlessDesktop) -> None:
    def count(which: str) -> int:
        return int(desktop.dunstctl("count", which))

    desktop.set_dunst_paused(True)
    desktop.run(["notify-send", "Held", "back"])
    desktop.wait_for_notification(lambda n: n.summary == "Held")
    poll(lambda: count("waiting") == 1, 5.0, "the notification to be queued")
    assert count("displayed") == 0

    desktop.set_dunst_paused(False)
    poll(lambda: count("displayed") == 1, 5.0, "the notification to be shown")
    assert count("waiting") == 0


def test_key_press_resets_x_idle_time(desktop: HeadlessDesktop) -> None:
    poll(lambda: desktop.x_idle_ms() >= 400, 10.0, "the X server to be idle a while")
    pressed_at = time.monotonic()

    desktop.xdotool("key", "shift")
    after = desktop.x_idle_ms()

    # Without the reset, idle would still be >= 400 ms plus the time spent since.
    since_press_ms = (time.monotonic() - pressed_at) * 1000
    assert after <= since_press_ms + 20  # 20 ms: the X server's clock ticks separately


def test_stopping_dunst_releases_the_name_and_starting_reacquires_it(
    desktop: HeadlessDesktop,
) -> None:
    first_pid = desktop.dunst_pid
    assert first_pid is not None
    assert desktop.bus_name_owner_pid(NOTIFICATIONS) == first_pid

    desktop.stop_dunst()
    assert desktop.dunst_pid is None
    assert desktop.bus_name_owner_pid(NOTIFICATIONS) is None
    # Nothing re-activates a server behind the test's back: the call fails, and is recorded.
    result = desktop.run([sys.executable, "-c", RAW_NOTIFY, "Nobody there"])
    assert result.stdout.strip() == "org.freedesktop.DBus.Error.ServiceUnknown"
    unanswered = desktop.wait_for_notification(lambda n: n.summary == "Nobody there")
    assert (unanswered.id, unanswered.error) == (None, "org.freedesktop.DBus.Error.ServiceUnknown")

    desktop.start_dunst()
    second_pid = desktop.dunst_pid
    assert second_pid is not None and second_pid != first_pid
    assert desktop.bus_name_owner_pid(NOTIFICATIONS) == second_pid
    result = desktop.run([sys.executable, "-c", RAW_NOTIFY, "Back again"])
    note = desktop.wait_for_notification(lambda n: n.summary == "Back again")
    assert note.id == int(result.stdout)


def test_no_tray_without_trayer(desktop: HeadlessDesktop) -> None:
    assert "trayer" not in desktop.processes
    assert desktop.tray_owner() == 0


def test_trayer_owns_the_tray_selection(desktop_with_tray: HeadlessDesktop) -> None:
    owner = desktop_with_tray.tray_owner()
    assert owner != 0

    props = desktop_with_tray.run(["xprop", "-id", str(owner), "_NET_WM_PID"]).stdout
    assert props.split("=")[-1].strip() == str(desktop_with_tray.processes["trayer"])


def test_screenshot_shows_the_notification(desktop: HeadlessDesktop, tmp_path: Path) -> None:
    blank = Image.open(desktop.screenshot(tmp_path / "blank.png")).convert("RGB")
    assert blank.size == (1280, 800)

    desktop.run(["notify-send", "Look", "at me"])
    desktop.wait_for_notification()
    poll(lambda: bool(visible_dunst_windows(desktop)), 10.0, "dunst's window")
    geometry = desktop.xdotool("getwindowgeometry", "--shell", visible_dunst_windows(desktop)[0])
    box = dict(line.split("=") for line in geometry.split())
    x, y, w, h = (int(box[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
    region = (x, y, x + w, y + h)

    def drawn() -> bool:
        # A mapped window may not be painted yet: look until its area shows text.
        shown = Image.open(desktop.screenshot(tmp_path / "shown.png")).convert("RGB").crop(region)
        colors = shown.getcolors(maxcolors=w * h)
        changed = ImageChops.difference(blank.crop(region), shown).getbbox() is not None
        return changed and colors is not None and len(colors) > 2

    poll(drawn, 10.0, "the notification to appear on screen")
    outside = (0, 0, 1280, y)  # above the window nothing was drawn
    screen = Image.open(tmp_path / "shown.png").convert("RGB")
    assert ImageChops.difference(blank.crop(outside), screen.crop(outside)).getbbox() is None


def test_stop_kills_everything_it_started(tmp_path: Path) -> None:
    desktop = HeadlessDesktop(tmp_path / "desktop", tray=True).start()
    pids = desktop.processes
    assert set(pids) == {"Xvfb", "dbus-daemon", "dunst", "trayer"}
    assert set(pids.values()) <= children_of(os.getpid())

    desktop.stop()

    assert desktop.processes == {}
    assert not set(pids.values()) & children_of(os.getpid())


def test_a_component_that_fails_to_start_is_named_and_the_rest_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    broken = fake_bin / "dunst"
    broken.write_text("#!/bin/sh\necho 'dunst: broken on purpose' >&2\nexit 1\n")
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake_bin}{os.pathsep}{os.environ['PATH']}")
    before = children_of(os.getpid())

    desktop = HeadlessDesktop(tmp_path / "desktop")
    with pytest.raises(RuntimeError, match=r"(?s)dunst exited.*broken on purpose"):
        desktop.start()

    assert desktop.processes == {}
    assert children_of(os.getpid()) <= before
