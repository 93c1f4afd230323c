"""Focus signals: is the user in something a reminder must not interrupt right now?

One small adapter per signal behind `FocusSignal`, a module each: the notification
server's do-not-disturb state, a fullscreen active window (X11), the camera and the
microphone in use. `open_focus_signals` opens the enabled ones at start-up (and again
when a reload changes the `[focus]` section); the daemon asks them with `busy_reasons`
only when a reminder falls due, and while a due one waits for the user to be free.
Every adapter is async and runs on the daemon's event-loop thread.
"""

from deskguard.platform.focus.base import (
    BaseSignal,
    FocusConfig,
    FocusSignal,
    FocusUnavailable,
)
from deskguard.platform.focus.camera import CameraInUse, find_holder
from deskguard.platform.focus.checks import (
    OPENERS,
    ORDER,
    FocusProbe,
    busy_reasons,
    enabled,
    open_focus_signals,
    probe_focus,
)
from deskguard.platform.focus.do_not_disturb import DoNotDisturb, parse_gsettings_bool
from deskguard.platform.focus.fullscreen import Fullscreen
from deskguard.platform.focus.microphone import MicrophoneInUse, capturing

__all__ = [
    "OPENERS",
    "ORDER",
    "BaseSignal",
    "CameraInUse",
    "DoNotDisturb",
    "FocusConfig",
    "FocusProbe",
    "FocusSignal",
    "FocusUnavailable",
    "Fullscreen",
    "MicrophoneInUse",
    "busy_reasons",
    "capturing",
    "enabled",
    "find_holder",
    "open_focus_signals",
    "parse_gsettings_bool",
    "probe_focus",
]
