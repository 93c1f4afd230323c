"""`deskguard doctor`: what works on this desktop, and how to fix what does not."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from deskguard import paths
from deskguard.i18n import N_, NP_, _, pgettext

if TYPE_CHECKING:
    from deskguard.platform.focus import FocusProbe

NAME = "doctor check"
"""The translation context of the checks' names (short words like "session", "history")."""


@dataclass(frozen=True)
class Text:
    """Words of the report: English in the data (`deskguard doctor --json`, the same in
    every language), in the user's language where printed.

    `message` is marked with N_ (or NP_ with `context`) and filled with `values`, which
    may be texts themselves. Words from elsewhere (a probe's, an error's) are not
    `translated`: their message is shown as it is (its values are still filled in).
    """

    message: str = ""
    values: Mapping[str, str | Text] = field(default_factory=dict)
    context: str = ""
    translated: bool = True

    def english(self) -> str:
        return self._render(translate=False)

    def shown(self) -> str:
        return self._render(translate=True)

    def _render(self, translate: bool) -> str:
        text = self.message
        if translate and self.translated and text:  # gettext's "" is the catalog's header
            text = pgettext(self.context, text) if self.context else _(text)
        if not self.values:
            return text
        return text.format_map(
            {
                key: value._render(translate) if isinstance(value, Text) else value
                for key, value in self.values.items()
            }
        )


def as_is(text: object) -> Text:
    """Words from elsewhere, shown untranslated."""
    return Text(str(text), translated=False)


@dataclass(frozen=True)
class Check:
    label: Text
    """The check's name; its English (`name`) is the check's id."""
    ok: bool
    detail: Text
    fix: Text = Text()

    @property
    def name(self) -> str:
        return self.label.english()

    def data(self) -> dict[str, Any]:
        """What `deskguard doctor --json` prints of this check: English in every language."""
        return {
            "name": self.name,
            "ok": self.ok,
            "detail": self.detail.english(),
            "fix": self.fix.english(),
        }

    def lines(self) -> list[str]:
        mark = "ok " if self.ok else "!! "
        out = [f"{mark} {self.label.shown()}: {self.detail.shown()}"]
        if self.fix.message and not self.ok:
            # Translators: the line under a problem of `deskguard doctor`: what to do.
            out.append("    " + _("fix: {fix}").format(fix=self.fix.shown()))
        return out


def session_check() -> Check:
    # Translators: the names of the checks of `deskguard doctor`, each followed by a colon
    # and what was found.
    label = Text(NP_("doctor check", "session"), context=NAME)
    kind = os.environ.get("XDG_SESSION_TYPE") or (
        "wayland"
        if os.environ.get("WAYLAND_DISPLAY")
        else "x11"
        if os.environ.get("DISPLAY")
        else ""
    )
    desktop: str | Text = os.environ.get("XDG_CURRENT_DESKTOP", Text(N_("unknown desktop")))
    if not kind:
        return Check(
            label,
            False,
            Text(N_("no graphical session (no DISPLAY or WAYLAND_DISPLAY)")),
            Text(
                N_("run deskguard inside your desktop session; reminders go to the log meanwhile")
            ),
        )
    kind_on_desktop = Text(
        "{kind}, {desktop}", {"kind": kind, "desktop": desktop}, translated=False
    )
    return Check(label, True, kind_on_desktop)


def tray_check() -> Check:
    from deskguard.platform.tray_host import ICON_FOR_HOST, tray_host_available

    ok, found = tray_host_available()
    icon = ICON_FOR_HOST.get(found)
    return Check(
        Text(NP_("doctor check", "tray host"), context=NAME),
        ok,
        # Translators: {host} and {icon} are in English, like "XEmbed system tray found"
        # and "pystray's xorg icon".
        Text(N_("{host}; the icon: {icon}"), {"host": found, "icon": icon})
        if icon
        else as_is(found),
        Text(
            N_(
                "on GNOME install the AppIndicator extension; every action also works from "
                "notifications and the command line"
            )
        ),
    )


async def notification_check() -> Check:
    from deskguard.platform.notify import describe_server

    label = Text(NP_("doctor check", "notifications"), context=NAME)
    server = await describe_server()
    if not server.get("running"):
        reason = str(server["reason"]) if "reason" in server else Text(N_("not running"))
        return Check(
            label,
            False,
            # Translators: {reason} is in English, like "no session bus (...)".
            Text(N_("no notification server ({reason})"), {"reason": reason}),
            Text(
                N_(
                    "start your desktop's notification daemon (e.g. dunst); "
                    "reminders go to the log meanwhile"
                )
            ),
        )
    caps = server.get("capabilities", [])
    name = f"{server.get('name', '?')} {server.get('version', '')}".strip()
    values = {"server": name, "capabilities": ", ".join(caps)}
    if "actions" not in caps:
        return Check(
            label,
            False,
            # Translators: {server} is the notification server's name and version, like
            # "dunst 1.9.0"; {capabilities} its capabilities, like "body, actions".
            Text(N_("{server} shows no buttons (capabilities: {capabilities})"), values),
            Text(N_("use `deskguard snooze|skip|break` or the tray to answer reminders")),
        )
    return Check(
        label, True, Text(N_("{server}, with buttons (capabilities: {capabilities})"), values)
    )


async def activity_checks() -> list[Check]:
    from deskguard.platform.activity import probe_all

    results = await probe_all()
    other_systems = {"windows": "win32", "macos": "darwin"}
    checks = [
        Check(
            # Translators: {source} is the name of a way to read idle time, like "x11".
            Text(NP_("doctor check", "activity source {source}"), {"source": name}, NAME),
            detail.startswith("ok"),
            as_is(detail),
        )
        for name, detail in results.items()
        if other_systems.get(name, sys.platform) == sys.platform
    ]
    if not any(check.ok for check in checks if check.name != "activity source none"):
        checks.append(
            Check(
                Text(NP_("doctor check", "activity"), context=NAME),
                False,
                Text(N_("no idle-time source works: you count as active all the time")),
                Text(
                    N_(
                        "on X11 check that DISPLAY is set; on Wayland the compositor's idle "
                        "protocol (ext_idle_notifier_v1 or org_kde_kwin_idle) needs "
                        "WAYLAND_DISPLAY, and GNOME's Mutter idle monitor the session bus"
                    )
                ),
            )
        )
    return checks


FOCUS_FIXES = {
    "do-not-disturb": N_(
        "start your desktop's notification server; deskguard reads its Inhibited "
        "property (KDE and others), dunst's pause and GNOME's show-banners"
    ),
    "fullscreen": N_(
        "on Wayland deskguard asks the compositor (wlroots' foreign toplevels, "
        "KWin's scripting); GNOME shows Wayland windows to no other program, so there only "
        "X11 windows (XWayland, DISPLAY set) are seen"
    ),
    # Translators: video_devices and camera = false are settings of the config file.
    "camera": N_("set [focus] video_devices to your camera's device nodes, or camera = false"),
    # Translators: microphone = false is a setting of the config file.
    "microphone": N_("install pactl (Debian/Ubuntu: pulseaudio-utils), or microphone = false"),
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
        Check(
            # Translators: {signal} names something that keeps reminders waiting, as the
            # [focus] settings do: do-not-disturb, fullscreen, camera, microphone.
            Text(NP_("doctor check", "focus {signal}"), {"signal": name}, NAME),
            probe.state != "unavailable",
            focus_detail(probe),
            Text(FOCUS_FIXES[name]),
        )
        for name, probe in (await probe_focus(focus)).items()
    ]


def focus_detail(probe: FocusProbe) -> Text:
    how = as_is(probe.how)
    if probe.state == "off":
        return Text(N_("off in config"))
    if probe.state == "unavailable":
        # Translators: {how} is in English, like "DISPLAY is not set".
        return Text(N_("unavailable: {how}"), {"how": how})
    if probe.active:
        # Translators: {how} is in English: what the signal reads.
        return Text(N_("available: {how}; active now"), {"how": how})
    return Text(N_("available: {how}; inactive now"), {"how": how})


def sound_check() -> Check:
    """The routine's tones: a sound server that answers, the theme, a program to play."""
    from deskguard.platform.sound import THEME_SOUNDS, SoundTools, sound_server_reachable

    label = Text(NP_("doctor check", "sound"), context=NAME)
    fix = Text(
        N_(
            "start PipeWire (pipewire-pulse) or PulseAudio; install pulseaudio-utils and "
            "sound-theme-freedesktop (Debian/Ubuntu); the routine runs silently meanwhile"
        )
    )
    tools = SoundTools.find()
    reachable, server = sound_server_reachable()
    if not reachable:
        # Translators: {reason} is in English, like "Connection failure: Connection refused".
        return Check(label, False, Text(N_("no sound server ({reason})"), {"reason": server}), fix)
    if tools.player is None:
        # Translators: {server} is the sound server, like "PulseAudio (on PipeWire 1.0.5)".
        detail = Text(N_("{server}, but neither paplay nor pw-play is found"), {"server": server})
        return Check(label, False, detail, fix)
    missing = sorted(set(THEME_SOUNDS.values()) - {p.stem for p in tools.tones.values()})
    if missing:
        detail = Text(
            # Translators: {sounds} are the names of sound files, like "bell, complete".
            N_("{server}; the freedesktop sound theme lacks {sounds}"),
            {"server": server, "sounds": ", ".join(missing)},
        )
        return Check(label, False, detail, fix)
    theme = next(iter(tools.tones.values())).parent
    detail = Text(
        # Translators: {player} is a program, like "/usr/bin/paplay"; {folder} a folder.
        N_("{server}, playing with {player}, tones from {folder}"),
        {"server": server, "player": str(tools.player), "folder": str(theme)},
    )
    return Check(label, True, detail)


def speech_check() -> Check:
    """The routine's spoken cues ([routine] voice)."""
    from deskguard.platform.sound import SoundTools

    label = Text(NP_("doctor check", "speech"), context=NAME)
    speech = SoundTools.find().speech
    if speech is None:
        return Check(
            label,
            False,
            # Translators: [routine] voice is a setting of the config file.
            Text(N_("neither espeak-ng nor spd-say is found: [routine] voice stays silent")),
            Text(N_("install espeak-ng (or speech-dispatcher)")),
        )
    return Check(
        label,
        True,
        # Translators: {program} is a program, like "/usr/bin/espeak-ng"; [routine] voice
        # = true is a setting of the config file.
        Text(N_("{program} (spoken cues with [routine] voice = true)"), {"program": str(speech)}),
    )


def file_checks() -> list[Check]:
    from deskguard.settings import ConfigError, load_settings
    from deskguard.store import History, HistoryError

    config = Text(NP_("doctor check", "config"), context=NAME)
    checks = []
    try:
        load_settings()
        path = str(paths.user_config_file())
        checks.append(
            Check(config, True, Text(N_("{path} (valid or absent: defaults)"), {"path": path}))
        )
    except ConfigError as exc:
        fix = Text(N_("run `deskguard config check` and fix each line"))
        checks.append(Check(config, False, as_is(exc), fix))
    history_label = Text(NP_("doctor check", "history"), context=NAME)
    history = paths.history_file()
    if not history.exists() and not history.is_symlink():  # a dangling link is no history
        detail = Text(N_("{path} (created at the first run)"), {"path": str(history)})
        checks.append(Check(history_label, True, detail))
    else:
        try:
            store = History(history)
            healthy = store.integrity_ok()
            store.close()
            fix = Text(N_("the daemon moves a broken file aside"))
            checks.append(Check(history_label, healthy, as_is(history), fix))
        except HistoryError as exc:  # its message says what to do
            checks.append(Check(history_label, False, as_is(exc.title), as_is(exc.message)))
    return checks


def daemon_check() -> Check:
    from deskguard import ipc
    from deskguard.errors import HOW_TO_START, NOT_RUNNING, DaemonNotRunning, UserError

    label = Text(NP_("doctor check", "daemon"), context=NAME)
    try:
        status = ipc.Status.from_json(ipc.call("status", timeout=3))
    except DaemonNotRunning:  # its words in English too, for --json
        return Check(label, False, Text(NOT_RUNNING), Text(HOW_TO_START))
    except UserError as exc:
        return Check(label, False, as_is(exc.title), as_is(exc.message))
    # Translators: {state} is the daemon's state as `deskguard status --json` says it,
    # like "active" or "away".
    detail = Text(
        N_("running (pid {pid}), state {state}"), {"pid": str(status.pid), "state": status.state}
    )
    return Check(label, True, detail)


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
