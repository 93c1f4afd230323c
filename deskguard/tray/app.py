"""The tray icon on the desktop: a thin adapter from the menu model and the icon drawing to pystray.

Threads: `Tray.run()` is pystray's event loop on the daemon's main thread. `update()` and
`stop()` only hand over to a worker thread of the tray, so they never block and are safe
from any thread, including a signal handler. Menu actions run on short-lived threads, so
a slow daemon answer never freezes the icon.

Backends: with a StatusNotifier host, no pystray at all: deskguard.tray.sni's item on the
daemon's event loop (`run()` then only waits), unless `PYSTRAY_BACKEND` forces pystray.
Otherwise xorg where an XEmbed tray is all there is (it costs far less memory than GTK),
else pystray's choice of appindicator, gtk, then xorg; `PYSTRAY_BACKEND` forces one.
appindicator and gtk show a real GTK menu. xorg has no menu, and pystray 0.19.5 never
selects button presses on its icon window; here the window asks for them, and a click
opens `deskguard.tray.popup` at the pointer, a separate process (Tk never runs in here).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, Protocol

from deskguard import paths
from deskguard.daemon.routine_window import window_environment
from deskguard.i18n import current_language
from deskguard.ipc.status import Status
from deskguard.platform.tray_host import status_notifier_host, tray_host, xembed_tray_owned
from deskguard.tray.icon import IconKey, draw_icon, icon_key, refresh_seconds
from deskguard.tray.menu import Effects, Entry, build_menu, perform
from deskguard.tray.sni import SniTray, StatusNotifierItem
from deskguard.tray.xorg_picture import paint_on_tray_background
from deskguard.tray.xorg_tooltip import Tooltip

SNI_START_TIMEOUT = 10.0

POPUP_MODULE = "deskguard.tray.popup"


class TrayController(Protocol):
    """What the tray needs from the daemon."""

    def status(self) -> Status:
        """The daemon's status now."""
        ...

    def command(self, cmd: str, **args: Any) -> dict[str, Any]:
        """A control command ("snooze", "pause", ...); raises UserError when refused."""
        ...

    def quick_stretch_picture(self, status: Status) -> bytes | None:
        """The picture (PNG) of the exercise the quick stretch starts with, if it has one.
        Called on the daemon's event loop."""
        ...


class TrayIcon(Protocol):
    """What the daemon does with its tray, whichever kind it is (`Tray`, `SniTray`)."""

    def update(self, status: Status) -> None: ...
    def refresh_seconds(self, sit_limit: float) -> float: ...
    def stop(self) -> None: ...
    def run(self) -> None: ...


# ---------------------------------------------------------------------------- backend


def lean_backend(xembed: bool | None) -> str | None:
    """The xorg backend where it serves as well as GTK would: an XEmbed tray and no StatusNotifier
    host, and no backend forced by PYSTRAY_BACKEND. Otherwise None: pystray's own choice.

    GTK costs a daemon that sits idle all day about 27 MB (bench/footprint.py); the
    xorg icon is drawn the same and opens deskguard's own menu. A StatusNotifier host
    (KDE, GNOME's extension) gets appindicator: an XEmbed proxy there may not show it.
    """
    if os.environ.get("PYSTRAY_BACKEND") or not xembed:
        return None
    return None if status_notifier_host() else "xorg"


# ---------------------------------------------------------------------------- effects


def spawn_detached(
    argv: Sequence[str], env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a program that outlives its starter's signals; reaped when it exits."""
    process = subprocess.Popen(
        list(argv),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    threading.Thread(target=process.wait, name="deskguard-reaper", daemon=True).start()
    return process


def notify_user(log: logging.Logger, title: str, message: str) -> None:
    """Tell the user: the log always, and a desktop notification when notify-send exists."""
    log.warning("%s: %s", title, message)
    with contextlib.suppress(OSError):  # no notify-send: the log line is all there is
        spawn_detached(["notify-send", "--app-name=deskguard", "--", title, message])


def effects_for(command: Any, log: logging.Logger, status: Status) -> Effects:
    """The real effects: `command` sends control commands (controller or control socket).

    "Open config" opens the file the daemon reads (`run --config PATH` included)."""
    daemon_config = status.config_file
    return Effects(
        command=command,
        spawn=spawn_detached,
        notify=partial(notify_user, log),
        config_file=lambda: Path(daemon_config) if daemon_config else paths.user_config_file(),
    )


# ---------------------------------------------------------------------------- the icon


def start_tray(
    controller: TrayController,
    log: logging.Logger,
    loop: asyncio.AbstractEventLoop | None = None,
) -> TrayIcon | None:
    """A tray icon for the daemon, or None (and one log line saying why) when there can't be one.

    Call on the main thread, which must later call `run()`. Given the daemon's running
    event `loop`, a StatusNotifier host gets deskguard's own item on that loop (no GTK);
    PYSTRAY_BACKEND forces pystray.
    """
    if loop is not None and not os.environ.get("PYSTRAY_BACKEND") and status_notifier_host():
        sni = start_sni_tray(controller, log, loop)
        if sni is not None:
            return sni
    xembed = xembed_tray_owned()  # looked for once: both questions below need it
    available, reason = tray_host(xembed)
    if not available:
        log.info("no tray icon: %s", reason)
        return None
    # A tray icon draws no OpenGL, but GTK would load Mesa and LLVM for it at start-up:
    # about 55 MB of the daemon's idle memory (see bench/footprint.py).
    os.environ.setdefault("GDK_GL", "disable")
    backend = lean_backend(xembed)
    if backend is not None:
        os.environ["PYSTRAY_BACKEND"] = backend
    if os.environ.get("PYSTRAY_BACKEND") != "xorg":
        _name_the_program_for_gtk()
    try:
        # Without a display pystray's import raises Xlib's DisplayNameError, not ImportError.
        import pystray
    except Exception as exc:
        log.warning("no tray icon: pystray cannot start (%s: %s)", type(exc).__name__, exc)
        return None
    try:
        tray = Tray(pystray, controller, log)
    except Exception as exc:
        log.warning("no tray icon: %s: %s", type(exc).__name__, exc)
        return None
    log.info("tray icon: %s; pystray backend %s", reason, tray.backend)
    return tray


def start_sni_tray(
    controller: TrayController, log: logging.Logger, loop: asyncio.AbstractEventLoop
) -> SniTray | None:
    """The StatusNotifierItem on the daemon's loop, registered with the host; None if it fails."""
    status = _first_status(controller, log)
    effects = effects_for(controller.command, log, status)
    item = StatusNotifierItem(
        lambda entry: perform(entry, effects), log, controller.quick_stretch_picture
    )
    try:
        asyncio.run_coroutine_threadsafe(item.start(), loop).result(SNI_START_TIMEOUT)
    except Exception as exc:
        log.warning("no StatusNotifier icon: %s: %s", type(exc).__name__, exc)
        loop.call_soon_threadsafe(item.stop)
        return None
    tray = SniTray(loop, item, log)
    tray.update(status)
    log.info("tray icon: StatusNotifier host found; deskguard's own item %s", item.bus_name)
    return tray


class Tray:
    """deskguard's icon in the system tray: live sitting progress and the menu."""

    def __init__(self, pystray: ModuleType, controller: TrayController, log: logging.Logger):
        self._pystray = pystray
        self._log = log
        self.backend: str = pystray.Icon.__module__.rsplit(".", 1)[-1].lstrip("_")
        self._changed = threading.Condition()  # reentrant: stop() may run in a signal handler
        self._latest: Status | None = None
        self._stopping = False
        self._loop_ended = False
        self._popup: subprocess.Popen[bytes] | None = None
        status = _first_status(controller, log)
        self._effects = effects_for(controller.command, log, status)
        self._key: IconKey = icon_key(status)
        self._title = status.headline()
        self._entries = build_menu(status)
        self._icon: Any = pystray.Icon(
            "deskguard",
            draw_icon(self._key),
            self._window_title(self._title),
            menu=self._pystray_menu(self._entries),
        )
        self._adapt_backend()

    # -- any thread -------------------------------------------------------------------

    def update(self, status: Status) -> None:
        """Show a new daemon status; redraws only what changes. Never blocks."""
        with self._changed:
            self._latest = status
            self._changed.notify_all()

    def refresh_seconds(self, sit_limit: float) -> float:
        """How often the tray wants a new status (`update`) to keep what it shows current."""
        return refresh_seconds(sit_limit)

    def stop(self) -> None:
        """End `run()`. Never blocks; safe from signal handlers and before `run()`."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    # -- main thread ------------------------------------------------------------------

    def run(self) -> None:
        """Show the icon and handle its events until `stop()`; blocks (main thread).

        Also returns if the tray's event loop ends by itself; the daemon should then carry
        on without a tray.
        """
        try:
            self._icon.run(setup=self._setup)
        finally:
            with self._changed:
                self._loop_ended = self._stopping = True
                self._changed.notify_all()

    # -- the tray's threads -----------------------------------------------------------

    def _setup(self, icon: Any) -> None:
        """Runs once pystray's loop is ready (on a thread of pystray's)."""
        try:
            icon.visible = True
        except Exception:
            self._log.exception("tray: the icon could not be shown")
        threading.Thread(target=self._follow_status, name="deskguard-tray", daemon=True).start()

    def _follow_status(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._latest is not None or self._stopping)
                if self._stopping:
                    break
                status, self._latest = self._latest, None
            try:
                self._show(status or Status())
            except Exception:
                self._log.exception("tray: could not show the new status")
        with self._changed:
            if self._loop_ended:
                return
        self._icon.stop()

    def _show(self, status: Status) -> None:
        key, title, entries = icon_key(status), status.headline(), build_menu(status)
        if key != self._key:
            self._icon.icon = draw_icon(key)
            self._key = key
        if title != self._title:
            self._icon.title = self._window_title(title)
            self._title = title
        if entries != self._entries:
            self._icon.menu = self._pystray_menu(entries)
            self._entries = entries

    def _window_title(self, title: str) -> str:
        # The xorg backend sets the title as WM_NAME, which holds Latin-1 only.
        if self.backend != "xorg":
            return title
        return title.replace("—", "-").encode("latin-1", "replace").decode("latin-1")

    def _chosen(self, entry: Entry, icon: Any, item: Any) -> None:
        """A menu entry was clicked (on the tray's event loop): do it on a thread of its own."""
        threading.Thread(
            target=perform, args=(entry, self._effects), name="deskguard-tray-action", daemon=True
        ).start()

    def _open_popup(self, icon: Any, item: Any) -> None:
        """The xorg backend's click: deskguard's own menu, in another process, at the pointer."""
        if self._popup is not None and self._popup.poll() is None:
            return  # one is open already
        try:
            self._popup = spawn_detached(
                [sys.executable, "-m", POPUP_MODULE],
                window_environment(os.environ, current_language()),
            )
        except OSError as exc:
            self._log.warning("tray: cannot open the menu: %s", exc)

    # -- building -----------------------------------------------------------------------

    def _pystray_menu(self, entries: tuple[Entry, ...]) -> Any:
        menu, menu_item = self._pystray.Menu, self._pystray.MenuItem

        def item(entry: Entry) -> Any:
            if entry.separator:
                return menu.SEPARATOR
            if entry.submenu:
                return menu_item(
                    entry.label, menu(*map(item, entry.submenu)), enabled=entry.enabled
                )
            return menu_item(entry.label, partial(self._chosen, entry), enabled=entry.enabled)

        items = [item(entry) for entry in entries]
        if not self._pystray.Icon.HAS_MENU:
            # What a click on the icon runs: the popup stands in for the missing menu.
            items.insert(0, menu_item("Menu", self._open_popup, default=True, visible=False))
        return menu(*items)

    def _adapt_backend(self) -> None:
        if self.backend == "xorg":
            mend_xorg_icon(self._icon, self._on_button_press)
        elif self.backend == "gtk":
            # A left click opens the same menu as a right click (appindicator does so itself).
            status_icon = self._icon._status_icon
            status_icon.connect(
                "activate", lambda widget: self._icon._on_status_icon_popup_menu(widget, 1, 0)
            )
        initialize = getattr(self._icon, "_initialize", None)
        if initialize is not None:
            self._icon._initialize = partial(_keeping_sigint, initialize)

    def _on_button_press(self, event: Any) -> None:
        if event.detail in (1, 3):  # left or right button: both open the menu
            self._icon()


def mend_xorg_icon(icon: Any, on_button_press: Callable[[Any], None]) -> None:
    """Mend five faults of pystray 0.19.5's xorg icon (`icon` is a `pystray._xorg.Icon`).

    - The icon window never asks for button presses, so clicks never reach it.
    - Every redraw asks the tray to dock the icon again, and trayer keeps an empty slot for
      each request: the panel grows a pixel per redraw. Dock once (again only if the tray
      itself went away).
    - Calls from other threads reach the event thread through the icon's own X connection,
      shared with that thread; python-xlib then sometimes leaves a request unsent (a flush
      is skipped while another thread sends), and the caller waits forever. Send those
      calls over a connection of their own instead.
    - The picture is stretched to the slot and pasted on black: deskguard.tray.xorg_picture
      draws it square, centred, on the tray's own background.
    - It has no tooltip: deskguard.tray.xorg_tooltip shows the title under the pointer.
    """
    from Xlib import X, display
    from Xlib.protocol import event

    tooltip = Tooltip(icon)
    tooltip_events = tooltip.install(icon._message_handlers)
    icon._window.change_attributes(
        event_mask=X.ExposureMask | X.StructureNotifyMask | X.ButtonPressMask | tooltip_events
    )

    def on_press(event: Any) -> None:
        tooltip.hide()  # the menu opens where it was
        on_button_press(event)

    icon._message_handlers[X.ButtonPress] = on_press
    dock = icon._dock_window

    def assert_docked() -> None:
        if icon._systray_manager is None:
            dock()
        assert icon._systray_manager

    icon._assert_docked = assert_docked
    paint_on_tray_background(icon)
    icon._display.flush()

    sender = display.Display()
    window = sender.create_resource_object("window", icon._window.id)

    def call_on_event_thread(name: str) -> None:
        if threading.current_thread() is getattr(icon, "_thread", None):
            getattr(type(icon), name)(icon)
            return
        # pystray's event thread runs the method on this message and answers on its queue.
        message = event.ClientMessage(
            window=window,
            client_type=sender.intern_atom(f"_PYSTRAY_{name.upper()}"),
            data=(32, (X.CurrentTime, 0, 0, 0, 0)),
        )
        window.send_event(message, event_mask=X.NoEventMask)
        sender.flush()
        outcome = icon._queue.get()
        if outcome is not True:
            raise outcome[1]

    for name in ("_show", "_hide", "_update_icon", "_update_title", "_stop"):
        setattr(icon, name, partial(call_on_event_thread, name))


def _name_the_program_for_gtk() -> None:
    """GTK names the icon's window (its WM_CLASS, which trays and panels show) after the
    program, from sys.argv[0] unless told otherwise: "__main__.py" under `python -m
    deskguard.daemon`. Tell it before pystray loads GTK; without PyGObject there is no GTK."""
    try:
        glib = importlib.import_module("gi.repository.GLib")
    except ImportError:
        return
    glib.set_prgname("deskguard")


def _keeping_sigint(initialize: Any) -> None:
    """pystray's GTK loop resets Ctrl+C to "kill at once"; keep the daemon's clean shutdown."""
    handler = signal.getsignal(signal.SIGINT)
    initialize()
    if handler is not None and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, handler)


def _first_status(controller: TrayController, log: logging.Logger) -> Status:
    try:
        return controller.status()
    except Exception as exc:
        log.debug("tray: no status yet (%s); starting with a neutral icon", exc)
        return Status()
