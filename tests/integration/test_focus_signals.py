"""Focus signals against real processes: dunst's pause, notification servers exported on the
test desktop's session bus, GNOME's setting through gsettings, fullscreen windows under Xvfb
(a Tk window among them), a process holding a fake video device open, and pactl's output."""

from __future__ import annotations

import asyncio
import logging
import os
import select
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, TypeVar

import pytest
from dbus_fast import NameFlag
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusSignature
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property
from Xlib import X, Xatom, display
from Xlib import error as xerror
from Xlib.protocol import event as xevent

from deskguard.platform.focus import (
    FocusProbe,
    FocusSignal,
    busy_reasons,
    open_focus_signals,
    probe_focus,
)
from deskguard.platform.focus import base as focus_base
from deskguard.settings import FocusSettings
from tests.support.aio import run
from tests.support.desktop import NOTIFICATIONS, HeadlessDesktop
from tests.support.polling import eventually

T = TypeVar("T")
LOG = logging.getLogger("test.focus")
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
ServerInformation = Annotated[list[str], DBusSignature("ssss")]


def switched_on(**keys: Any) -> FocusSettings:
    """The `[focus]` section with every signal off but those `keys` switch on."""
    off = {"do_not_disturb": False, "fullscreen": False, "camera": False, "microphone": False}
    return FocusSettings(**{**off, **keys})


async def becomes(signal: FocusSignal, wanted: bool) -> None:
    async def check() -> bool:
        return await signal.active() is wanted

    await eventually(check, f"{signal.name} to be {'active' if wanted else 'inactive'}")


async def only(settings: FocusSettings) -> FocusSignal:
    """The one signal `settings` enables, opened as the daemon opens them."""
    signals = await open_focus_signals(settings, LOG)
    assert len(signals) == 1, [s.name for s in signals]
    return signals[0]


# -- do not disturb ---------------------------------------------------------------------------


class FakeServer(ServiceInterface):
    """A notification server as far as the do-not-disturb check looks: its name only."""

    def __init__(self, name: str) -> None:
        super().__init__(NOTIFICATIONS)
        self.server_name = name

    @dbus_method()
    def GetServerInformation(self) -> ServerInformation:  # noqa: N802 (the D-Bus name)
        return [self.server_name, "test", "1.0", "1.2"]


class InhibitingServer(FakeServer):
    """A server with the `Inhibited` property, as KDE Plasma's has."""

    def __init__(self, name: str, inhibited: bool) -> None:
        super().__init__(name)
        self.inhibited = inhibited

    @dbus_property(access=PropertyAccess.READ)
    def Inhibited(self) -> DBusBool:  # noqa: N802
        return self.inhibited


async def export_server(service: ServiceInterface, flags: NameFlag = NameFlag.NONE) -> MessageBus:
    bus = await MessageBus().connect()
    bus.export(NOTIFICATIONS_PATH, service)
    await bus.request_name(NOTIFICATIONS, flags)
    return bus


DND = switched_on(do_not_disturb=True)


def test_pausing_dunst_is_do_not_disturb(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        with caplog.at_level(logging.INFO, logger="test.focus"):
            signal = await only(DND)
        try:
            assert signal.name == "do-not-disturb"
            assert not await signal.active()
            session.set_dunst_paused(True)
            assert await signal.active()
            assert await busy_reasons([signal]) == ("do-not-disturb",)
            session.set_dunst_paused(False)
            assert not await signal.active()
            assert await busy_reasons([signal]) == ()
        finally:
            await signal.aclose()

    run(scenario())
    assert "do-not-disturb (dunst: its paused state)" in caplog.text


def test_the_inhibited_property_is_read_and_a_new_server_is_noticed(
    session: HeadlessDesktop,
) -> None:
    async def scenario() -> None:
        signal = await only(DND)
        try:
            session.set_dunst_paused(True)
            assert await signal.active()

            session.stop_dunst()
            assert not await signal.active()  # no server: nothing to be quiet

            plain = await export_server(FakeServer("xfce4-notifyd"), NameFlag.ALLOW_REPLACEMENT)
            server = InhibitingServer("Plasma", inhibited=True)
            try:
                assert not await signal.active()
                # Another server takes the name over, with no moment without an owner.
                inhibiting = await export_server(server, NameFlag.REPLACE_EXISTING)
                try:
                    assert await signal.active()
                    server.inhibited = False
                    assert not await signal.active()
                    server.inhibited = True
                    assert await signal.active()
                finally:
                    inhibiting.disconnect()
            finally:
                plain.disconnect()
            await becomes(signal, False)

            session.start_dunst()  # a fresh dunst is not paused
            assert not await signal.active()
            session.set_dunst_paused(True)
            assert await signal.active()
        finally:
            await signal.aclose()

    run(scenario())


def test_gnome_shell_reads_show_banners_through_gsettings(
    session: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A settings file instead of dconf, so the test's gsettings and the adapter's share it.
    monkeypatch.setenv("GSETTINGS_BACKEND", "keyfile")

    def show_banners(value: str) -> None:
        subprocess.run(
            ["gsettings", "set", "org.gnome.desktop.notifications", "show-banners", value],
            check=True,
            timeout=30,
        )

    async def scenario() -> None:
        session.stop_dunst()
        bus = await export_server(FakeServer("gnome-shell"))
        signal = await only(DND)
        try:
            assert not await signal.active()  # banners are shown by default
            show_banners("false")
            assert await signal.active()
            show_banners("true")
            assert not await signal.active()
        finally:
            await signal.aclose()
            bus.disconnect()

    run(scenario())


def test_a_server_without_a_readable_state_is_reported_and_never_active(
    session: HeadlessDesktop,
) -> None:
    async def scenario() -> tuple[bool, dict[str, str]]:
        session.stop_dunst()
        bus = await export_server(FakeServer("xfce4-notifyd"))
        try:
            signal = await only(DND)
            try:
                answer = await signal.active()
            finally:
                await signal.aclose()
            return answer, await probe_focus(DND)
        finally:
            bus.disconnect()

    answer, probed = run(scenario())
    assert answer is False
    assert probed["do-not-disturb"] == FocusProbe(
        "unavailable", "xfce4-notifyd: no do-not-disturb state deskguard can read"
    )


# -- fullscreen -------------------------------------------------------------------------------


class WindowManagerStandIn:
    """The two things a window manager does that the fullscreen signal reads: it names the
    active window on the root window, and it applies the `_NET_WM_STATE` changes clients
    ask for (client messages to the root). Xvfb has no window manager of its own."""

    def __init__(self, where: str) -> None:
        self._events = display.Display(where)  # used only by the thread
        self._requests = display.Display(where)  # used only by the test
        self._atom = self._events.intern_atom
        root = self._events.screen().root
        root.change_attributes(event_mask=X.SubstructureNotifyMask)
        self._events.sync()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="wm-stand-in", daemon=True)
        self._thread.start()

    def announce(self) -> None:
        """Say on the root which hints are kept up to date, as EWMH window managers do."""
        names = ("_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN")
        atoms = [self._requests.intern_atom(name) for name in names]
        root = self._requests.screen().root
        root.change_property(self._requests.intern_atom("_NET_SUPPORTED"), Xatom.ATOM, 32, atoms)
        self._requests.sync()

    def activate(self, window: int) -> None:
        root = self._requests.screen().root
        atom = self._requests.intern_atom("_NET_ACTIVE_WINDOW")
        root.change_property(atom, Xatom.WINDOW, 32, [window])
        self._requests.sync()

    def _serve(self) -> None:
        while not self._stop.is_set():
            select.select([self._events.fileno()], [], [], 0.05)
            while self._events.pending_events():
                message = self._events.next_event()
                if isinstance(message, xevent.ClientMessage) and message.client_type == self._atom(
                    "_NET_WM_STATE"
                ):
                    self._change_state(message)

    def _change_state(self, message: xevent.ClientMessage) -> None:
        action, first, second = message.data[1][:3]
        state = self._atom("_NET_WM_STATE")
        try:
            current = message.window.get_full_property(state, Xatom.ATOM)
        except xerror.BadWindow:
            return  # the client closed its window meanwhile
        atoms = list(current.value) if current is not None else []
        for atom in (first, second):
            if not atom:
                continue
            add = action == 1 or (action == 2 and atom not in atoms)
            atoms = [a for a in atoms if a != atom] + ([atom] if add else [])
        message.window.change_property(state, Xatom.ATOM, 32, atoms)
        self._events.flush()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._events.close()
        self._requests.close()


@pytest.fixture
def window_manager(session: HeadlessDesktop) -> Iterator[WindowManagerStandIn]:
    stand_in = WindowManagerStandIn(session.display)
    yield stand_in
    stand_in.close()


TK_WINDOW = textwrap.dedent(
    """
    import sys, tkinter
    root = tkinter.Tk()
    # Before the window is mapped Tk writes _NET_WM_STATE itself; afterwards it asks the
    # window manager with a client message.
    root.attributes("-fullscreen", True)
    root.update()
    print(root.winfo_id(), flush=True)
    for line in sys.stdin:
        root.attributes("-fullscreen", line.strip() == "fullscreen")
        root.update()
        print("done", flush=True)
    """
)


def tk_toplevel(where: str, inner: int) -> int:
    """The window Tk hands to the window manager: the parent of the Tk widget's window."""
    connection = display.Display(where)
    try:
        return int(connection.create_resource_object("window", inner).query_tree().parent.id)
    finally:
        connection.close()


FULLSCREEN = switched_on(fullscreen=True)


def test_a_tk_window_set_fullscreen_and_active_is_fullscreen(
    session: HeadlessDesktop,
    window_manager: WindowManagerStandIn,
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def tell(tk: asyncio.subprocess.Process, line: str) -> None:
        assert tk.stdin is not None and tk.stdout is not None
        tk.stdin.write(f"{line}\n".encode())
        await tk.stdin.drain()
        assert (await tk.stdout.readline()).strip() == b"done"

    async def scenario() -> None:
        signal = await only(FULLSCREEN)
        tk = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            TK_WINDOW,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert tk.stdout is not None
            toplevel = tk_toplevel(session.display, int(await tk.stdout.readline()))
            assert not await signal.active()  # fullscreen, but nobody said it is active

            window_manager.activate(toplevel)
            assert await signal.active()
            assert await busy_reasons([signal]) == ("fullscreen",)

            await tell(tk, "windowed")
            await becomes(signal, False)
            await tell(tk, "fullscreen")
            await becomes(signal, True)

            assert tk.stdin is not None
            tk.stdin.close()
            assert await tk.wait() == 0
            # The window is gone but still named active: no error, just not fullscreen.
            assert not await signal.active()
        finally:
            if tk.returncode is None:
                tk.kill()
                await tk.wait()
            await signal.aclose()

    with caplog.at_level(logging.DEBUG, logger="test.focus"):
        run(scenario())
    assert "cannot tell" not in caplog.text  # a closed window is an answer, not a failure


def test_only_the_active_window_counts_and_its_state_is_read_live(
    session: HeadlessDesktop, window_manager: WindowManagerStandIn
) -> None:
    connection = display.Display(session.display)
    state = connection.intern_atom("_NET_WM_STATE")
    fullscreen = connection.intern_atom("_NET_WM_STATE_FULLSCREEN")
    above = connection.intern_atom("_NET_WM_STATE_ABOVE")
    root = connection.screen().root

    def window(*states: int) -> int:
        made = root.create_window(0, 0, 1280, 800, 0, X.CopyFromParent)
        made.change_property(state, Xatom.ATOM, 32, list(states))
        made.map()
        connection.sync()
        return int(made.id)

    def set_state(window_id: int, *states: int) -> None:
        made = connection.create_resource_object("window", window_id)
        made.change_property(state, Xatom.ATOM, 32, list(states))
        connection.sync()

    async def scenario() -> None:
        signal = await only(FULLSCREEN)
        try:
            video = window(above, fullscreen)
            editor = window(above)
            window_manager.activate(editor)
            assert not await signal.active()  # a fullscreen window in the background
            window_manager.activate(video)
            assert await signal.active()
            set_state(video, above)
            assert not await signal.active()
            set_state(video, fullscreen)
            assert await signal.active()
            window_manager.activate(0)  # nothing has the focus
            assert not await signal.active()
        finally:
            await signal.aclose()

    try:
        run(scenario())
    finally:
        connection.close()


def test_fullscreen_needs_an_x_display(
    session: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("DISPLAY")
    with caplog.at_level(logging.INFO, logger="test.focus"):
        assert run(open_focus_signals(FULLSCREEN, LOG)) == []
    assert "focus fullscreen: not watched: DISPLAY is not set" in caplog.text
    monkeypatch.setenv("DISPLAY", ":987")
    probed = run(probe_focus(FULLSCREEN))["fullscreen"]
    assert probed.state == "unavailable"
    assert probed.how.startswith("cannot open X display :987")


# -- camera -----------------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys
    handle = None
    for line in sys.stdin:
        if line.strip() == "open":
            handle = open(sys.argv[1], "rb")
        elif handle is not None:
            handle.close()
        print("done", flush=True)
    """
)


def test_a_process_holding_a_video_device_open_is_the_camera_in_use(tmp_path: Path) -> None:
    device = tmp_path / "video0"
    device.write_bytes(b"")
    (tmp_path / "by-id").mkdir()
    (tmp_path / "by-id" / "usb-Camera-video-index0").symlink_to(device)
    settings = switched_on(camera=True, video_devices=str(tmp_path / "*"))
    by_id = switched_on(camera=True, video_devices=str(tmp_path / "by-id" / "*"))
    no_match = switched_on(camera=True, video_devices=str(tmp_path / "none*"))

    async def tell(holder: asyncio.subprocess.Process, line: str) -> None:
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write(f"{line}\n".encode())
        await holder.stdin.drain()
        assert (await holder.stdout.readline()).strip() == b"done"

    async def scenario() -> None:
        signal, linked, unmatched = [await only(s) for s in (settings, by_id, no_match)]
        holder = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            HOLDER,
            str(device),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            assert not await signal.active()
            await tell(holder, "open")
            assert await signal.active()
            assert await linked.active()  # the pattern matched a link to the device
            assert not await unmatched.active()
            assert await busy_reasons([signal, unmatched]) == ("camera",)
            await tell(holder, "close")  # the process lives on, the device is closed
            assert not await signal.active()
            with device.open("rb"):  # deskguard's own process does not count
                assert not await signal.active()
        finally:
            assert holder.stdin is not None
            holder.stdin.close()
            await holder.wait()
            for opened in (signal, linked, unmatched):
                await opened.aclose()

    run(scenario())


# -- microphone -------------------------------------------------------------------------------

FAKE_PACTL = """\
#!/bin/sh
# Stands in for pactl: answers `pactl list short source-outputs` as the test directs.
[ "$*" = "list short source-outputs" ] || {{ echo "unexpected: $*" >&2; exit 2; }}
echo $$ > {dir}/pid
case "$(cat {dir}/mode)" in
    refused) echo "Connection failure: Connection refused" >&2; exit 1 ;;
    hang) exec sleep 60 ;;
esac
cat {dir}/streams
"""


@pytest.fixture
def pactl(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `pactl` first on PATH whose answers the test sets: `mode` and `streams` files."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "pactl"
    script.write_text(FAKE_PACTL.format(dir=tmp_path))
    script.chmod(0o755)
    (tmp_path / "mode").write_text("ok")
    (tmp_path / "streams").write_text("")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return tmp_path


MICROPHONE = switched_on(microphone=True)


def test_a_recording_stream_is_the_microphone_in_use(
    pactl: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def scenario() -> None:
        signal = await only(MICROPHONE)
        try:
            assert not await signal.active()
            (pactl / "streams").write_text("57\t3\t61\t1\tfloat32le 1ch 48000Hz\n")
            assert await signal.active()
            (pactl / "streams").write_text("")
            assert not await signal.active()

            (pactl / "streams").write_text("57\t3\t61\t1\tfloat32le 1ch 48000Hz\n")
            (pactl / "mode").write_text("hang")
            monkeypatch.setattr(focus_base, "CALL_TIMEOUT", 0.5)
            assert not await signal.active()  # no answer in time counts as off
            hung = int((pactl / "pid").read_text())
            with pytest.raises(ProcessLookupError):
                os.kill(hung, 0)  # and the hung pactl was not left behind
        finally:
            await signal.aclose()

    run(scenario())


def test_pactl_without_a_sound_server_is_unavailable(
    pactl: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (pactl / "mode").write_text("refused")
    with caplog.at_level(logging.INFO, logger="test.focus"):
        assert run(open_focus_signals(MICROPHONE, LOG)) == []
    assert "focus microphone: not watched: pactl cannot list recording streams" in caplog.text
    assert "Connection refused" in caplog.text
    assert run(probe_focus(MICROPHONE))["microphone"] == FocusProbe(
        "unavailable",
        "pactl cannot list recording streams: "
        "OSError: pactl exited with 1: Connection failure: Connection refused",
    )


# -- all of them, as the daemon and doctor see them -------------------------------------------


def test_doctor_probe_and_daemon_signals_on_the_test_desktop(
    session: HeadlessDesktop,
    window_manager: WindowManagerStandIn,
    pactl: Path,
    tmp_path: Path,
) -> None:
    settings = FocusSettings(video_devices=str(tmp_path / "video*"))
    (tmp_path / "video0").write_bytes(b"")
    probed = run(probe_focus(settings))
    assert list(probed) == ["do-not-disturb", "fullscreen", "camera", "microphone"]
    assert probed["do-not-disturb"] == FocusProbe("available", "dunst: its paused state")
    assert probed["fullscreen"] == FocusProbe(
        "available",
        f"X11 {session.display}, but no window manager announces _NET_ACTIVE_WINDOW now",
    )
    assert probed["camera"] == FocusProbe(
        "available", f"open {tmp_path}/video* in other processes (1 device)"
    )
    assert probed["microphone"] == FocusProbe(
        "available", f"recording streams listed by {pactl}/bin/pactl"
    )
    window_manager.announce()
    assert run(probe_focus(settings))["fullscreen"] == FocusProbe(
        "available", f"X11 {session.display}, the window manager's active window"
    )
    session.set_dunst_paused(True)
    (pactl / "streams").write_text("57\t3\t61\t1\tfloat32le 1ch 48000Hz\n")

    async def daemon_view() -> tuple[list[str], tuple[str, ...]]:
        signals = await open_focus_signals(settings, LOG)
        try:
            return [s.name for s in signals], await busy_reasons(signals)
        finally:
            for signal in signals:
                await signal.aclose()

    names, reasons = run(daemon_view())
    assert names == ["do-not-disturb", "fullscreen", "camera", "microphone"]
    assert reasons == ("do-not-disturb", "microphone")
    assert run(probe_focus(settings))["do-not-disturb"] == FocusProbe(
        "available", "dunst: its paused state", active=True
    )
