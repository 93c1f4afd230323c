"""Start deskguard at login: a systemd user service, or an XDG autostart entry as the fallback."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path

import platformdirs

from deskguard.errors import UserError
from deskguard.i18n import N_, _
from deskguard.i18n.desktop_strings import localized_entry
from deskguard.paths import shipped_file

UNIT_NAME = "deskguard.service"
DESKTOP_ENTRY_NAME = "deskguard.desktop"
# The first line of every file `install` writes: `uninstall` removes only files that carry it,
# and `install` never overwrites a file without it (it would be the user's own).
MARKER = "# Written by `deskguard service install`; `deskguard service uninstall` removes it."
# A standard icon name (freedesktop Icon Naming Spec), so every icon theme has something to show.
ICON = "appointment-soon"
_SYSTEMCTL_TIMEOUT = 60
SYSTEMCTL_USER = "systemctl --user"


def deskguard_command() -> list[str]:
    """Absolute argv that starts this deskguard (a service manager's PATH is not the shell's)."""
    argv0 = Path(sys.argv[0])
    # The script being run comes first: `which` could find a different installation.
    # Made absolute but symlinks kept, so a ~/.local/bin link survives reinstalls.
    if argv0.name == "deskguard" and argv0.is_file():
        return [os.path.abspath(argv0)]
    found = shutil.which("deskguard")
    if found:
        return [os.path.abspath(found)]
    # Not resolved either: a venv's python is a symlink, and following it leaves the venv.
    return [os.path.abspath(sys.executable), "-m", "deskguard"]


def daemon_command(command: Sequence[str]) -> list[str]:
    """Absolute argv of the daemon itself (`python -m deskguard.daemon`) for the deskguard
    that `command` starts: the interpreter its console script names, so the service runs
    the same installation. Where that cannot be read, `deskguard run`, which becomes it."""
    if command[1:] == ["-m", "deskguard"]:
        return [command[0], "-m", "deskguard.daemon"]
    try:
        with open(command[0], "rb") as script:
            first_line = script.readline(512)
    except OSError:
        first_line = b""
    interpreter = first_line.removeprefix(b"#!").strip().decode(errors="replace")
    if first_line.startswith(b"#!") and Path(interpreter).name.startswith("python"):
        return [interpreter, "-m", "deskguard.daemon"]
    return [*command, "run"]


def systemctl_user_works() -> bool:
    """Whether a systemd user manager answers (not in containers, CI or ssh without a session)."""
    if shutil.which("systemctl") is None:
        return False
    try:
        probe = subprocess.run(
            ["systemctl", "--user", "show", "--property=Version"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _systemctl(*args: str) -> str:
    """Run `systemctl --user ARGS`; returns the line to report, raises UserError on failure."""
    command = ["systemctl", "--user", *args]
    # Translators: {command} is a command line, like "systemctl --user daemon-reload".
    failed = _("`{command}` failed").format(command=shlex.join(command))
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=_SYSTEMCTL_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(failed, str(exc)) from exc
    if result.returncode != 0:
        # Translators: said of the command above when it printed nothing; {code} is a number.
        detail = result.stderr.strip() or _("it exited with code {code}").format(
            code=result.returncode
        )
        raise UserError(failed, detail)
    # Translators: {command} is the command line that was run.
    return _("Ran: {command}").format(command=shlex.join(command))


_SYSTEMD_PLAIN_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")


def systemd_exec_line(argv: Sequence[str]) -> str:
    """argv as an ExecStart= value: % and $ doubled (specifiers, variables), odd words quoted."""
    words = []
    for arg in argv:
        word = arg.replace("%", "%%").replace("$", "$$")
        if not _SYSTEMD_PLAIN_WORD.fullmatch(word):
            word = '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'
        words.append(word)
    return " ".join(words)


_DESKTOP_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#`()")


def desktop_exec_line(argv: Sequence[str]) -> str:
    """argv as a desktop entry's Exec= value (Desktop Entry Specification, "The Exec key")."""
    words = []
    for arg in argv:
        word = arg
        if not word or _DESKTOP_RESERVED.intersection(word):
            word = '"' + re.sub(r'(["`$\\])', r"\\\1", word) + '"'
        words.append(word.replace("%", "%%"))
    # Exec is also a string value, whose own escaping doubles every backslash once more.
    return " ".join(words).replace("\\", "\\\\")


def _written_by_us(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as file:
            return file.readline().rstrip("\n") == MARKER
    except (OSError, UnicodeDecodeError):
        return False


class Autostart(ABC):
    """One way of starting deskguard at login. Creating one reads and writes nothing."""

    kind: str  # marked with N_, like "systemd user service"; `label` says it to the user

    def __init__(
        self, command: Sequence[str] | None = None, config_home: Path | None = None
    ) -> None:
        """`command` starts deskguard (without `run`); `config_home` is $XDG_CONFIG_HOME."""
        self.command = list(command) if command is not None else deskguard_command()
        self.config_home = config_home or Path(platformdirs.user_config_dir())

    @property
    def label(self) -> str:
        """What this mechanism is called in messages, in the user's language."""
        return _(self.kind)

    @property
    @abstractmethod
    def path(self) -> Path:
        """The one file this mechanism writes."""

    @abstractmethod
    def install(self) -> list[str]:
        """Set deskguard up to start at login; lines saying what was done and what is left."""

    @abstractmethod
    def uninstall(self) -> list[str]:
        """Undo `install` (and only that); lines saying what was done and what is left."""

    def is_installed(self) -> bool:
        """Whether `install` wrote this mechanism's file and it is still there."""
        return _written_by_us(self.path)

    def run_argv(self) -> list[str]:
        """What the login starts: the daemon itself."""
        return daemon_command(self.command)

    def _write(self, text: str) -> str:
        """Write `text` to `path` unless already there; the line to report."""
        if self.path.exists() and not _written_by_us(self.path):
            raise UserError(
                _("{path} already exists and was not written by deskguard").format(path=self.path),
                _("Move it away (or use it as it is) and run `deskguard service install` again."),
            )
        if self.path.is_file() and self.path.read_text(encoding="utf-8") == text:
            return _("Already up to date: {path}").format(path=self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        partial.replace(self.path)  # a crash never leaves half a file for the session to read
        return _("Wrote {path}").format(path=self.path)

    def _refusal_to_remove(self) -> list[str] | None:
        """Why uninstall must not remove `path` (it is missing, or not ours), else None."""
        if not self.path.exists():
            # Translators: {label} is "systemd user service" or "XDG autostart entry".
            nothing = _("Nothing to remove: there is no {label} ({path} does not exist).")
            return [nothing.format(label=self.label, path=self.path)]
        if not _written_by_us(self.path):
            left = _("Left {path} alone: `deskguard service install` did not write it.")
            return [left.format(path=self.path)]
        return None


class SystemdUserService(Autostart):
    """~/.config/systemd/user/deskguard.service, enabled for graphical-session.target."""

    # Translators: one of the two ways of starting deskguard at login, put into sentences
    # like "Replacing the {old} with the {new}:".
    kind = N_("systemd user service")

    @property
    def path(self) -> Path:
        return self.config_home / "systemd" / "user" / UNIT_NAME

    def unit_text(self) -> str:
        """The shipped unit with ExecStart pointing at this deskguard."""
        try:
            template = shipped_file(UNIT_NAME).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise UserError(_("deskguard is missing its service file"), str(exc)) from exc
        exec_start = "ExecStart=" + systemd_exec_line(self.run_argv())
        # A function as replacement, so backslashes in the path are not read as group references.
        text, count = re.subn(r"^ExecStart=.*$", lambda _: exec_start, template, flags=re.M)
        if count != 1:
            raise UserError(
                _("deskguard's shipped service file is damaged"),
                # Translators: ExecStart= is a key of the systemd unit file; {count} a number.
                _("expected one ExecStart= line, found {count}; reinstall deskguard").format(
                    count=count
                ),
            )
        return f"{MARKER}\n{text}"

    def install(self) -> list[str]:
        lines = [self._write(self.unit_text())]
        steps = [("daemon-reload",), ("enable", "--now", UNIT_NAME)]
        if systemctl_user_works():
            lines += [_systemctl(*step) for step in steps]
            # Translators: {command} is a command line, like "systemctl --user status ...".
            running = _(
                "deskguard is running now and starts with every desktop session (see `{command}`)."
            )
            lines.append(running.format(command=f"{SYSTEMCTL_USER} status {UNIT_NAME}"))
        else:
            # Translators: {command} is "systemctl --user", the command named as it is.
            unreachable = _(
                "{command} cannot reach your user service manager from here; "
                "run these in your desktop session to start it now and at every login:"
            )
            lines.append(unreachable.format(command=SYSTEMCTL_USER))
            lines += [f"    {SYSTEMCTL_USER} {shlex.join(step)}" for step in steps]
        # Translators: graphical-session.target is the name of a systemd target.
        no_session_target = _(
            "The service starts with graphical-session.target. Desktops without systemd "
            "session support (many plain window managers) never start that target: use "
            "`deskguard service install --autostart` there instead."
        )
        lines.append(no_session_target)
        return lines

    def start(self) -> list[str]:
        """Start the installed service now, under systemd's watch; the line to report."""
        return [_systemctl("start", UNIT_NAME)]

    def uninstall(self) -> list[str]:
        refusal = self._refusal_to_remove()
        if refusal is not None:
            return refusal
        lines = []
        reachable = systemctl_user_works()
        if reachable:
            lines.append(_systemctl("disable", "--now", UNIT_NAME))
        # `systemctl enable` links the unit into a .wants folder; disable removes those links,
        # so any left over were made while systemctl was out of reach and now would dangle.
        unit = self.path.resolve()
        links = [
            link
            for link in self.path.parent.glob(f"*.wants/{UNIT_NAME}")
            if link.is_symlink() and link.resolve() == unit
        ]
        for file in (self.path, *links):
            file.unlink()
            lines.append(_("Removed {path}").format(path=file))
        if reachable:
            lines.append(_systemctl("daemon-reload"))
        else:
            # Translators: {command} is "systemctl --user", the command named as it is.
            unreachable = _(
                "{command} cannot reach your user service manager from here; if "
                "deskguard runs as a service, run these in your desktop session to stop it:"
            )
            lines.append(unreachable.format(command=SYSTEMCTL_USER))
            lines += [
                f"    {SYSTEMCTL_USER} stop {UNIT_NAME}",
                f"    {SYSTEMCTL_USER} daemon-reload",
            ]
        return lines


class XdgAutostart(Autostart):
    """~/.config/autostart/deskguard.desktop: any XDG desktop starts it at login."""

    # Translators: one of the two ways of starting deskguard at login, put into sentences
    # like "Replacing the {old} with the {new}:".
    kind = N_("XDG autostart entry")

    @property
    def path(self) -> Path:
        return self.config_home / "autostart" / DESKTOP_ENTRY_NAME

    def entry_text(self) -> str:
        # The texts of the shipped application entry, translated into every language in
        # the entry itself: the desktop's autostart settings show the user's.
        return localized_entry(
            "\n".join(
                [
                    MARKER,
                    "[Desktop Entry]",
                    "Type=Application",
                    "Name=deskguard",
                    "GenericName=" + N_("Stretch Reminder"),
                    "Comment="
                    + N_("Notices when you have been sitting too long and suggests a stretch"),
                    f"Exec={desktop_exec_line(self.run_argv())}",
                    f"Icon={ICON}",
                    "Terminal=false",
                    "X-GNOME-Autostart-enabled=true",
                    "",
                ]
            )
        )

    def install(self) -> list[str]:
        return [
            self._write(self.entry_text()),
            _("deskguard will start at your next login. To start it now, run:"),
            f"    {shlex.join([*self.command, 'run'])}",
        ]

    def uninstall(self) -> list[str]:
        refusal = self._refusal_to_remove()
        if refusal is not None:
            return refusal
        self.path.unlink()
        return [
            _("Removed {path}").format(path=self.path),
            _(
                "deskguard no longer starts at login; one already running stops at logout "
                "or with `deskguard stop`."
            ),
        ]
