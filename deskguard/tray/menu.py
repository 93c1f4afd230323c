"""The tray menu as plain data: the entries a daemon status calls for, and what each one does.

`build_menu` is pure. `perform` carries out an entry through `Effects`, a handful of
injected functions (send a command to the daemon, start a process, tell the user), so the
daemon's tray (through its controller) and the popup process (through the control socket)
share one menu, and tests check every action without a daemon.
"""

from __future__ import annotations

import contextlib
import shlex
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from deskguard import paths
from deskguard.core.durations import readable_duration
from deskguard.errors import UserError
from deskguard.ipc.status import Status

# ---------------------------------------------------------------------------- actions


@dataclass(frozen=True)
class DaemonCommand:
    """A control command for the daemon (`snooze`, `pause`, `resume`, `break`, `stop`)."""

    cmd: str
    seconds: int | None = None
    until: str | None = None
    """For `pause`: "tomorrow" is the next start of the working hours, or midnight."""


@dataclass(frozen=True)
class RunRoutine:
    """The mini-routine player, a process of its own (Tk never runs in the daemon)."""


@dataclass(frozen=True)
class ShowToday:
    """Today's statistics: `deskguard stats --days 1` in a terminal window."""


@dataclass(frozen=True)
class OpenConfig:
    """The user's config file in their editor, created from the shipped defaults if absent."""


Action = DaemonCommand | RunRoutine | ShowToday | OpenConfig

# ---------------------------------------------------------------------------- entries


@dataclass(frozen=True)
class Entry:
    """One line of the menu. Entries that are not shown in a state are left out."""

    label: str
    action: Action | None = None
    enabled: bool = True
    submenu: tuple[Entry, ...] = ()
    separator: bool = False
    icon_png: bytes | None = None
    """A picture beside the label, where the host draws menu icons (PNG)."""


SEPARATOR = Entry("", separator=True)

START_ROUTINE = "Start mini-routine"
QUICK_STRETCH = "Quick stretch now"
NO_SNOOZES_LEFT = "No snoozes left"
PAUSE = "Pause"
PAUSE_UNTIL_TOMORROW = "Until tomorrow"
RESUME = "Resume"
TODAY = "Today"
OPEN_CONFIG = "Open config"
QUIT = "Quit"

PAUSE_LENGTHS = ((30 * 60, "30 min"), (60 * 60, "1 h"), (2 * 60 * 60, "2 h"))
# States with a reminder pending or coming that a snooze can postpone.
SNOOZABLE = frozenset({"active", "snoozed", "reminding"})

STATS_TODAY = ("stats", "--days", "1")


def build_menu(
    status: Status, now: datetime | None = None, *, quick_picture: bytes | None = None
) -> tuple[Entry, ...]:
    """The menu for one daemon status; `quick_picture` shows the quick stretch's exercise."""
    state = status.state
    entries = [
        Entry(status.headline(now), enabled=False),
        SEPARATOR,
        Entry(START_ROUTINE, RunRoutine()),
        # A break the user takes: the daemon opens the quick routine window for it
        # (unless routine.window_on_break is off), as for the reminder's "Stretch now".
        Entry(QUICK_STRETCH, DaemonCommand("break"), icon_png=quick_picture),
    ]
    if state in SNOOZABLE:
        entries.append(_snooze_entry(status))
    if state == "paused":
        entries.append(Entry(RESUME, DaemonCommand("resume")))
    else:
        entries.append(Entry(PAUSE, submenu=_pause_lengths()))
    entries += [
        SEPARATOR,
        Entry(TODAY, ShowToday()),
        Entry(OPEN_CONFIG, OpenConfig()),
        SEPARATOR,
        Entry(QUIT, DaemonCommand("stop")),
    ]
    return tuple(entries)


def snooze_label(status: Status) -> str:
    length = status.snooze_seconds
    return f"Snooze {readable_duration(length)}" if length else "Snooze"


def _snooze_entry(status: Status) -> Entry:
    left = status.snoozes_left
    if left is not None and left <= 0:
        return Entry(NO_SNOOZES_LEFT, enabled=False)
    # No length: the daemon applies its configured one, as for the notification's button.
    return Entry(snooze_label(status), DaemonCommand("snooze"))


def _pause_lengths() -> tuple[Entry, ...]:
    timed = tuple(Entry(label, DaemonCommand("pause", seconds)) for seconds, label in PAUSE_LENGTHS)
    # The daemon knows the working hours: it pauses until they start again, else midnight.
    return (*timed, Entry(PAUSE_UNTIL_TOMORROW, DaemonCommand("pause", until="tomorrow")))


# ---------------------------------------------------------------------------- effects


class SendCommand(Protocol):
    """Sends one control command to the daemon; raises UserError when it is refused."""

    def __call__(self, cmd: str, **args: Any) -> dict[str, Any]: ...


def _shipped_config() -> Path:
    return paths.shipped_file("deskguard.toml")


@dataclass
class Effects:
    """Everything performing an entry may do to the world."""

    command: SendCommand
    spawn: Callable[[Sequence[str]], object]
    """Start a program (argv) in the background, not waiting for it."""
    notify: Callable[[str, str], object]
    """Tell the user something (title, message)."""
    which: Callable[[str], str | None] = shutil.which
    config_file: Callable[[], Path] = paths.user_config_file
    shipped_config: Callable[[], Path] = _shipped_config


# Terminal emulators, each with the option after which it takes a command to run.
TERMINALS = (
    ("x-terminal-emulator", "-e"),
    ("gnome-terminal", "--"),
    ("konsole", "-e"),
    ("xfce4-terminal", "-x"),
    ("xterm", "-e"),
)


def deskguard_argv(*args: str) -> list[str]:
    """The command line that runs `deskguard ARGS` with this very installation."""
    return [sys.executable, "-m", "deskguard", *args]


ROUTINE_PLAYER = [sys.executable, "-m", "deskguard.routine"]
"""The routine player's own entry point (`deskguard routine` without click's start-up)."""


def perform(entry: Entry, effects: Effects) -> None:
    """Carry out what an entry does; a refusal or a failure is told to the user."""
    if entry.action is None:
        return
    try:
        _perform_one(entry.action, effects)
    except UserError as exc:
        effects.notify(exc.title, exc.message)
    except OSError as exc:
        effects.notify(f"deskguard could not do “{entry.label}”", str(exc))


def _perform_one(action: Action, effects: Effects) -> None:
    if isinstance(action, DaemonCommand):
        args = {"seconds": action.seconds, "until": action.until}
        effects.command(action.cmd, **{k: v for k, v in args.items() if v is not None})
    elif isinstance(action, RunRoutine):
        effects.spawn(ROUTINE_PLAYER)
    elif isinstance(action, ShowToday):
        _show_today(effects)
    else:
        _open_config(effects)


def _show_today(effects: Effects) -> None:
    stats = shlex.join(deskguard_argv(*STATS_TODAY))
    # Keep the window open until the user has read it.
    script = f"{stats}; printf '\\nPress Enter to close. '; read _"
    for name, run_option in TERMINALS:
        terminal = effects.which(name)
        if terminal:
            effects.spawn([terminal, run_option, "sh", "-c", script])
            return
    effects.notify(
        "No terminal window to show today's numbers in",
        f"Run `deskguard {shlex.join(STATS_TODAY)}` in a terminal to see them.",
    )


def _open_config(effects: Effects) -> None:
    path = effects.config_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        text = effects.shipped_config().read_text()
        with contextlib.suppress(FileExistsError), path.open("x") as handle:
            handle.write(text)  # "x": never overwrite a file that appeared meanwhile
    opener = effects.which("xdg-open")
    if opener:
        effects.spawn([opener, str(path)])
    else:
        effects.notify("Your configuration file", str(path))
