"""Real Wayland compositors without a screen, for integration tests.

`Kwin` runs `kwin_wayland --virtual` (KDE Plasma's compositor) and `Sway` runs sway with
wlroots' headless backend, each on a private session bus without service activation and
in a runtime directory of its own. `env` is what a client needs: WAYLAND_DISPLAY is the
socket's full path, so the program under test may keep its own XDG_RUNTIME_DIR.

Two quirks of this kind of machine are handled here: kwin_wayland's installed binary
carries a file capability a container may refuse to honour, so a plain copy runs (it
must keep its file name); sway refuses to run as root, so it runs as an unprivileged uid
(root clients still connect to its socket).

Missing programs raise RuntimeError naming them: a test that quietly did not run proves
nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self
from xml.sax.saxutils import escape as xml_escape

from tests.support.desktop import (
    _BUS_CONFIG,
    START_TIMEOUT,
    _dbus_escape,
    _log_tail,
    _read_line,
    _terminate,
    require_program,
)
from tests.support.polling import poll

# Sway's unprivileged user: "nobody" on Debian.
UNPRIVILEGED_UID = 65534

# A GTK 3 window on Wayland, in Debian's own python3 (python3-gi, gir1.2-gtk-3.0): the
# program stands for "a video player", fullscreen when asked. It prints "shown" once
# mapped, so a test knows when the compositor has it.
GTK_WINDOW = """\
import sys
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import GLib, Gtk
window = Gtk.Window(title=sys.argv[1])
window.set_default_size(320, 200)
window.connect("destroy", Gtk.main_quit)
window.show_all()
if "--fullscreen" in sys.argv:
    window.fullscreen()
GLib.idle_add(lambda: print("shown", flush=True))
Gtk.main()
"""


class Compositor:
    """A private bus and one compositor, started and stopped as a unit."""

    name = ""

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir.resolve()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self._logs = self.base_dir / "logs"
        self._logs.mkdir(exist_ok=True)
        # Unix socket paths are short (107 bytes): the runtime dir lives in /tmp.
        self.runtime = Path(tempfile.mkdtemp(prefix=f"{self.name}-"))
        self.runtime.chmod(0o700)
        self.env: dict[str, str] = {}
        self._stack = contextlib.ExitStack()
        self._stack.callback(shutil.rmtree, self.runtime, True)

    def __enter__(self) -> Self:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self._stack.close()

    # -- shared steps ------------------------------------------------------------------------

    def _base_env(self) -> dict[str, str]:
        keep = ("PATH", "LANG", "LC_ALL", "TZ")
        env = {key: os.environ[key] for key in keep if key in os.environ}
        env.update(
            HOME=str(self.base_dir),
            XDG_RUNTIME_DIR=str(self.runtime),
            NO_AT_BRIDGE="1",
            GSETTINGS_BACKEND="memory",
        )
        return env

    def _spawn(self, name: str, argv: list[str], **kwargs: object) -> subprocess.Popen[bytes]:
        with open(self._logs / f"{name}.log", "ab") as log:
            proc = subprocess.Popen(  # type: ignore[call-overload]
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=kwargs.pop("env", self.env),
                **kwargs,
            )
        self._stack.callback(_terminate, proc)
        return proc  # type: ignore[no-any-return]

    def _start_bus(self) -> None:
        listen = "unix:path=" + _dbus_escape(str(self.runtime / "bus"))
        config = self.base_dir / "bus.conf"
        config.write_text(_BUS_CONFIG.format(listen=xml_escape(listen)))
        read_fd, write_fd = os.pipe()
        try:
            self._spawn(
                "dbus-daemon",
                [
                    "dbus-daemon",
                    f"--config-file={config}",
                    "--nofork",
                    "--nopidfile",
                    f"--print-address={write_fd}",
                ],
                pass_fds=(write_fd,),
            )
            os.close(write_fd)
            address = _read_line(read_fd, START_TIMEOUT)
        finally:
            os.close(read_fd)
        if not address:
            raise RuntimeError(
                "dbus-daemon did not start:\n" + _log_tail(self._logs / "dbus-daemon.log")
            )
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address

    def _wait_for_socket(self, proc: subprocess.Popen[bytes], find: str) -> Path:
        def ready() -> Path | None:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited {proc.returncode}:\n"
                    + _log_tail(self._logs / f"{self.name}.log")
                )
            found = [p for p in self.runtime.glob(find) if not p.name.endswith(".lock")]
            return found[0] if found and found[0].is_socket() else None

        socket = poll(ready, START_TIMEOUT, what=f"{self.name}'s Wayland socket")
        self.env["WAYLAND_DISPLAY"] = str(socket)
        return socket

    def run_client(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        """A Wayland client of this compositor, stopped with it at the latest."""
        return self._spawn(name, argv)

    def open_window(self, title: str, fullscreen: bool = False) -> subprocess.Popen[bytes]:
        """A GTK 3 window on this compositor; returns once it is shown."""
        script = self.base_dir / "window.py"
        script.write_text(GTK_WINDOW)
        argv = ["/usr/bin/python3", str(script), title] + (["--fullscreen"] if fullscreen else [])
        env = dict(self.env, GDK_BACKEND="wayland")
        log = self._logs / f"window-{title}.log"
        proc = self._spawn(f"window-{title}", argv, env=env)

        def shown() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"the GTK window exited {proc.returncode}:\n{_log_tail(log)}")
            return "shown" in log.read_text(errors="replace")

        poll(shown, START_TIMEOUT, what=f"the window {title!r}")
        return proc


class Kwin(Compositor):
    """`kwin_wayland --virtual`: ext_idle_notifier_v1, org_kde_kwin_idle, KWin's D-Bus
    (scripting, org.freedesktop.ScreenSaver with Lock and SimulateUserActivity)."""

    name = "kwin"

    def start(self) -> None:
        installed = require_program("kwin_wayland")
        require_program("dbus-daemon")
        # A plain copy: the installed file's capability (cap_sys_resource) makes exec fail
        # where the container does not grant it. KWin finds its plugins by its file name.
        binary = self.base_dir / "kwin_wayland"
        shutil.copyfile(installed, binary)
        binary.chmod(0o755)
        self.env = self._base_env() | {"QT_QPA_PLATFORM": "offscreen"}
        self._start_bus()
        proc = self._spawn(
            self.name,
            [str(binary), "--virtual", "--width", "1280", "--height", "800", "--socket", "wl-kwin"],
        )
        self._wait_for_socket(proc, "wl-kwin")


class Sway(Compositor):
    """sway on wlroots' headless backend: org_kde_kwin_idle (sway 1.7) and
    zwlr_foreign_toplevel_manager_v1; `swaymsg` drives it."""

    name = "sway"

    def start(self) -> None:
        sway = require_program("sway")
        require_program("dbus-daemon")
        require_program("setpriv")
        # Its config lives in its runtime dir: pytest's folders are closed to other users.
        config = self.runtime / "sway.conf"
        config.write_text(
            "output HEADLESS-1 resolution 1280x800\nseat seat0 fallback true\nxwayland disable\n"
        )
        for path in (self.runtime, config):
            os.chown(path, UNPRIVILEGED_UID, UNPRIVILEGED_UID)
        self.env = self._base_env()
        self._start_bus()
        sway_env = self.env | {
            "WLR_BACKENDS": "headless",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
            "WLR_HEADLESS_OUTPUTS": "1",
        }
        sway_env.pop("DBUS_SESSION_BUS_ADDRESS")  # sway itself needs no bus
        unprivileged = str(UNPRIVILEGED_UID)
        self._argv = [
            "setpriv",
            f"--reuid={unprivileged}",
            f"--regid={unprivileged}",
            "--clear-groups",
            sway,
            "-c",
            str(config),
        ]
        self._sway_env = sway_env
        self._launch()

    def restart(self) -> None:
        """End sway and start it again on the same socket, as after a crash of the session's
        compositor: its clients lose their connection and must come back by themselves."""
        socket = self.env["WAYLAND_DISPLAY"]
        _terminate(self._proc)
        poll(lambda: not Path(socket).exists(), START_TIMEOUT, what="sway's socket to go")
        self._launch()
        if self.env["WAYLAND_DISPLAY"] != socket:
            raise RuntimeError(f"sway came back on {self.env['WAYLAND_DISPLAY']}, not {socket}")

    def _launch(self) -> None:
        proc = self._proc = self._spawn(self.name, self._argv, env=self._sway_env)
        self._wait_for_socket(proc, "wayland-*")
        ipc = poll(
            lambda: next(iter(self.runtime.glob("sway-ipc.*.sock")), None),
            START_TIMEOUT,
            what="sway's IPC socket",
        )
        self.env["SWAYSOCK"] = str(ipc)

    def swaymsg(self, *args: str) -> str:
        result = subprocess.run(
            ["swaymsg", *args], env=self.env, capture_output=True, text=True, timeout=10
        )
        if result.returncode != 0:
            raise RuntimeError(f"swaymsg {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def set_fullscreen(self, title: str, on: bool) -> None:
        """Fullscreen the window titled `title` (or not), once sway has it."""
        command = f"[title={title}] fullscreen {'enable' if on else 'disable'}"

        def done() -> bool:
            try:
                self.swaymsg(command)
            except RuntimeError:  # "No matching node": the title has not arrived yet
                return False
            return True

        poll(done, START_TIMEOUT, what=f"sway to have the window {title!r}")
