"""`deskguard doctor`: what works on this desktop, and how to fix what does not."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass

from deskguard import paths


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def lines(self) -> list[str]:
        mark = "ok " if self.ok else "!! "
        out = [f"{mark} {self.name}: {self.detail}"]
        if self.fix and not self.ok:
            out.append(f"    fix: {self.fix}")
        return out


def session_check() -> Check:
    kind = os.environ.get("XDG_SESSION_TYPE") or (
        "wayland"
        if os.environ.get("WAYLAND_DISPLAY")
        else "x11"
        if os.environ.get("DISPLAY")
        else ""
    )
    desktop = os.environ.get("XDG_CURRENT_DESKTOP", "unknown desktop")
    if not kind:
        return Check(
            "session",
            False,
            "no graphical session (no DISPLAY or WAYLAND_DISPLAY)",
            "run deskguard inside your desktop session; reminders go to the log meanwhile",
        )
    return Check("session", True, f"{kind}, {desktop}")


def tray_check() -> Check:
    from deskguard.platform.tray_host import ICON_FOR_HOST, tray_host_available

    ok, found = tray_host_available()
    icon = ICON_FOR_HOST.get(found)
    return Check(
        "tray host",
        ok,
        f"{found}; the icon: {icon}" if icon else found,
        "on GNOME install the AppIndicator extension; every action also works from "
        "notifications and the command line",
    )


async def notification_check() -> Check:
    from deskguard.platform.notify import describe_server

    server = await describe_server()
    if not server.get("running"):
        return Check(
            "notifications",
            False,
            f"no notification server ({server.get('reason', 'not running')})",
            "start your desktop's notification daemon (e.g. dunst); "
            "reminders go to the log meanwhile",
        )
    caps = server.get("capabilities", [])
    name = f"{server.get('name', '?')} {server.get('version', '')}".strip()
    if "actions" not in caps:
        return Check(
            "notifications",
            False,
            f"{name} shows no buttons (capabilities: {', '.join(caps)})",
            "use `deskguard snooze|skip|break` or the tray to answer reminders",
        )
    return Check("notifications", True, f"{name}, with buttons (capabilities: {', '.join(caps)})")


async def activity_checks() -> list[Check]:
    from deskguard.platform.activity import probe_all

    results = await probe_all()
    other_systems = {"windows": "win32", "macos": "darwin"}
    checks = [
        Check(f"activity source {name}", detail.startswith("ok"), detail)
        for name, detail in results.items()
        if other_systems.get(name, sys.platform) == sys.platform
    ]
    if not any(check.ok for check in checks if check.name != "activity source none"):
        checks.append(
            Check(
                "activity",
                False,
                "no idle-time source works: you count as active all the time",
                "on X11 check that DISPLAY is set; on Wayland the compositor's idle protocol "
                "(ext_idle_notifier_v1 or org_kde_kwin_idle) needs WAYLAND_DISPLAY, and GNOME's "
                "Mutter idle monitor the session bus",
            )
        )
    return checks


FOCUS_FIXES = {
    "do-not-disturb": "start your desktop's notification server; deskguard reads its Inhibited "
    "property (KDE and others), dunst's pause and GNOME's show-banners",
    "fullscreen": "on Wayland deskguard asks the compositor (wlroots' foreign toplevels, "
    "KWin's scripting); GNOME shows Wayland windows to no other program, so there only "
    "X11 windows (XWayland, DISPLAY set) are seen",
    "camera": "set [focus] video_devices to your camera's device nodes, or camera = false",
    "microphone": "install pactl (Debian/Ubuntu: pulseaudio-utils), or microphone = false",
}


async def focus_checks() -> list[Check]:
    """Each signal that keeps a due reminder waiting: available, unavailable (why), or off."""
    from deskguard.platform.focus import probe_focus
    from deskguard.settings import ConfigError, FocusSettings, load_settings

    try:
        focus = load_settings().focus
    except ConfigError:
        focus = FocusSettings()  # the config check reports the problem
    return [
        Check(f"focus {name}", not detail.startswith("unavailable"), detail, FOCUS_FIXES[name])
        for name, detail in (await probe_focus(focus)).items()
    ]


def sound_check() -> Check:
    """The routine's tones: a sound server that answers, the theme, a program to play."""
    from deskguard.platform.sound import THEME_SOUNDS, SoundTools, sound_server_reachable

    fix = (
        "start PipeWire (pipewire-pulse) or PulseAudio; install pulseaudio-utils and "
        "sound-theme-freedesktop (Debian/Ubuntu); the routine runs silently meanwhile"
    )
    tools = SoundTools.find()
    reachable, server = sound_server_reachable()
    if not reachable:
        return Check("sound", False, f"no sound server ({server})", fix)
    if tools.player is None:
        return Check("sound", False, f"{server}, but neither paplay nor pw-play is found", fix)
    missing = sorted(set(THEME_SOUNDS.values()) - {p.stem for p in tools.tones.values()})
    if missing:
        return Check(
            "sound", False, f"{server}; the freedesktop sound theme lacks {', '.join(missing)}", fix
        )
    theme = next(iter(tools.tones.values())).parent
    return Check("sound", True, f"{server}, playing with {tools.player}, tones from {theme}")


def speech_check() -> Check:
    """The routine's spoken cues ([routine] voice)."""
    from deskguard.platform.sound import SoundTools

    speech = SoundTools.find().speech
    if speech is None:
        return Check(
            "speech",
            False,
            "neither espeak-ng nor spd-say is found: [routine] voice stays silent",
            "install espeak-ng (or speech-dispatcher)",
        )
    return Check("speech", True, f"{speech} (spoken cues with [routine] voice = true)")


def file_checks() -> list[Check]:
    from deskguard.settings import ConfigError, load_settings
    from deskguard.store import History, HistoryError

    checks = []
    try:
        load_settings()
        checks.append(
            Check("config", True, f"{paths.user_config_file()} (valid or absent: defaults)")
        )
    except ConfigError as exc:
        checks.append(
            Check("config", False, str(exc), "run `deskguard config check` and fix each line")
        )
    history = paths.history_file()
    if not history.exists() and not history.is_symlink():  # a dangling link is no history
        checks.append(Check("history", True, f"{history} (created at the first run)"))
    else:
        try:
            store = History(history)
            healthy = store.integrity_ok()
            store.close()
            checks.append(
                Check("history", healthy, str(history), "the daemon moves a broken file aside")
            )
        except HistoryError as exc:  # its message says what to do
            checks.append(Check("history", False, exc.title, exc.message))
    return checks


def daemon_check() -> Check:
    from deskguard import ipc
    from deskguard.errors import UserError

    try:
        status = ipc.Status.from_json(ipc.call("status", timeout=3))
    except UserError as exc:
        return Check("daemon", False, exc.title, exc.message)
    return Check("daemon", True, f"running (pid {status.pid}), state {status.state}")


async def run_checks() -> list[Check]:
    checks = [session_check(), await notification_check(), tray_check()]
    checks += await activity_checks()
    checks += await focus_checks()
    checks += [sound_check(), speech_check()]
    checks += file_checks()
    checks.append(daemon_check())
    return checks


def doctor() -> list[Check]:
    return asyncio.run(run_checks())
