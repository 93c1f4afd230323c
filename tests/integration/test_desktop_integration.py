"""The README's install in a scratch HOME makes deskguard a desktop application, and the
uninstall takes all of it away again.

One install for the whole module (a venv and a pip install are slow), into the home of a
headless desktop that starts as a new user's does: a copy of /etc/skel. The entry, the icon
and the completions are then looked for the way the desktop and the shells do it (GLib's
application lookup, GTK's icon theme, bash-completion's loader, zsh's fpath, fish's vendor
folder); the entry and its actions are launched through GLib; and the uninstall must leave
the home as it was, history and settings kept unless it is told otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deskguard.paths import APP_ID
from deskguard.platform.desktop_entry import entry_for
from tests.support.desktop import HeadlessDesktop
from tests.support.polling import poll

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

CHECKOUT = Path(__file__).resolve().parents[2]
ENTRY = f"{APP_ID}.desktop"
ROUTINE_WINDOW = "deskguard routine"
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
# The homes of this machine's own tools, looked up before HOME changes, so their files stay
# out of the scratch HOME's listing: pip's cache (which also spares downloading everything
# again), and rustup's, whose `rustc` proxy pip runs to describe the machine to the index.
MACHINE_TOOL_HOMES = {
    "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR") or str(Path.home() / ".cache" / "pip"),
    "RUSTUP_HOME": os.environ.get("RUSTUP_HOME") or str(Path.home() / ".rustup"),
}


def listing(home: Path) -> set[str]:
    """Every file and folder under `home`, relative to it."""
    return {str(path.relative_to(home)) for path in home.rglob("*")}


class Installed:
    """The headless desktop whose HOME holds the install, and how to act in it."""

    def __init__(self, desktop: HeadlessDesktop, before: set[str]) -> None:
        self.desktop = desktop
        self.home = Path(desktop.env["HOME"])
        self.before = before
        self.data = Path(desktop.env["XDG_DATA_HOME"])
        self.command = self.home / ".local" / "bin" / "deskguard"
        # The session's PATH, as ~/.profile extends it with ~/.local/bin at login.
        self.env = {**desktop.env, "PATH": f"{self.command.parent}:{desktop.env['PATH']}"}
        self.launch_log = desktop.base_dir / "launched.log"

    def run(self, argv: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv,
            env=kwargs.pop("env", self.env),
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            check=False,
            **kwargs,
        )

    def ask_desktop(self, *args: str) -> str:
        result = self.run(
            [sys.executable, "-m", "tests.integration.desktop_apps", *args], cwd=CHECKOUT
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def launch(self, action: str | None = None) -> None:
        """Launch the entry (or one of its actions) as a menu or dock does, through GLib."""
        with self.launch_log.open("a") as log:
            subprocess.run(
                [sys.executable, "-m", "tests.integration.desktop_apps", "launch", ENTRY]
                + ([action] if action else []),
                env=self.env,
                cwd=CHECKOUT,
                stdin=subprocess.DEVNULL,
                stdout=log,  # what it launches writes here for as long as it runs
                stderr=subprocess.STDOUT,
                timeout=60,
                check=True,
            )

    def status(self) -> dict[str, Any] | None:
        """The running daemon's status; None when none runs (or it is uninstalled)."""
        if not self.command.exists():
            return None
        result = self.run([str(self.command), "status", "--json"])
        return json.loads(result.stdout) if result.returncode == 0 else None

    def wait_for_state(self, state: str) -> dict[str, Any]:
        def reached() -> dict[str, Any] | None:
            status = self.status()
            return status if status is not None and status["state"] == state else None

        return poll(reached, timeout=30, what=f"the daemon in state {state!r}\n{self.log()}")

    def log(self) -> str:
        return self.launch_log.read_text(errors="replace") if self.launch_log.exists() else ""

    def close_routine_window(self) -> None:
        """Wait for the routine window, then stop it with Esc, as its Stop button says."""

        def window() -> str | None:
            found = self.run(["xdotool", "search", "--name", ROUTINE_WINDOW]).stdout.split()
            return found[0] if found else None

        shown = poll(window, timeout=30, what=f"the routine window\n{self.log()}")
        self.desktop.xdotool("windowfocus", "--sync", shown)
        self.desktop.xdotool("key", "Escape")
        poll(lambda: window() is None, timeout=30, what="the routine window to close")

    def stop_daemon(self) -> None:
        """Stop a daemon a launch started (it is not a child of this process)."""
        if self.status() is None:
            return
        self.run([str(self.command), "stop"])
        lock = Path(self.env["XDG_RUNTIME_DIR"]) / "deskguard" / "daemon.lock"
        poll(lambda: subprocess.run(["flock", "-n", str(lock), "true"]).returncode == 0,
             timeout=30, what="the daemon to exit")  # fmt: skip


def test_glib_runs_the_installed_command_even_where_its_path_needs_quoting(
    desktop: HeadlessDesktop, tmp_path: Path
) -> None:
    """The entry install.sh writes names the command by its path, quoted as the Desktop
    Entry spec says; GLib, which launches it for most menus, must get that path back.

    No `%` in it: GLib looks for the program an Exec line names before it reads the spec's
    `%%` as a `%`, so it hides such an entry however it is written."""
    folder = tmp_path / 'o\'brien "quoted" $HOME `x` \\'
    calls = tmp_path / "calls.txt"
    command = folder / "deskguard"
    folder.mkdir()
    command.write_text(f'#!/bin/sh\nprintf "%s|%s\\n" "$0" "$*" >> {shlex.quote(str(calls))}\n')
    command.chmod(0o755)
    data = tmp_path / "data"
    (data / "applications").mkdir(parents=True)
    (data / "applications" / ENTRY).write_text(entry_for(str(command)), encoding="utf-8")
    env = {**desktop.env, "XDG_DATA_HOME": str(data)}
    expected = []
    for action, arguments in [(None, "open"), ("stretch", "break"), ("routine", "routine"),
                              ("pause", "pause 1h"), ("resume", "resume")]:  # fmt: skip
        subprocess.run(
            [sys.executable, "-m", "tests.integration.desktop_apps", "launch", ENTRY]
            + ([action] if action else []),
            env=env,
            cwd=CHECKOUT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=60,
            check=True,
        )
        expected.append(f"{command}|{arguments}")
        poll(lambda: calls.exists() and len(calls.read_text().splitlines()) == len(expected),
             what=f"the launched command to run for {action or 'the entry'}")  # fmt: skip
    assert calls.read_text().splitlines() == expected


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    with HeadlessDesktop(tmp_path_factory.mktemp("desktop-integration")) as desktop:
        home = Path(desktop.env["HOME"])
        shutil.copytree("/etc/skel", home, dirs_exist_ok=True)  # a new user's home
        # The routine's first-run health notice is tested elsewhere; here it would only
        # stand between the launch and the routine window.
        state = Path(desktop.env["XDG_STATE_HOME"]) / "deskguard"
        before = listing(home)
        result = subprocess.run(
            ["bash", "scripts/install.sh"],  # the README's install command
            cwd=CHECKOUT,
            env={**desktop.env, **MACHINE_TOOL_HOMES},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=540,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        state.mkdir(parents=True, exist_ok=True)
        (state / "health-notice-shown").touch()
        installed = Installed(desktop, before)
        try:
            yield installed
        finally:
            installed.stop_daemon()


def test_the_entry_icon_and_metadata_are_where_the_xdg_specs_say(installed: Installed) -> None:
    share = installed.data
    found = json.loads(installed.ask_desktop("entry", ENTRY))
    assert found is not None, "GLib finds no application entry with the app id"
    assert found["filename"] == str(share / "applications" / ENTRY)
    assert found["should_show"] and found["name"] == "deskguard"
    assert found["commandline"] == f"{installed.command} open"
    assert found["actions"] == {
        "stretch": "Stretch now",
        "routine": "Start routine",
        "pause": "Pause 1 h",
        "resume": "Resume",
    }
    checked = installed.run(["desktop-file-validate", found["filename"]])
    assert (checked.returncode, checked.stdout + checked.stderr) == (0, "")

    icons = share / "icons" / "hicolor"
    assert found["icon"] == APP_ID
    for size in PNG_SIZES:
        expected = icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        assert installed.ask_desktop("icon", APP_ID, str(size)).strip() == str(expected)
    # A size with no PNG of its own is drawn from the scalable one.
    scalable = icons / "scalable" / "apps" / f"{APP_ID}.svg"
    assert installed.ask_desktop("icon", APP_ID, "96").strip() == str(scalable)

    metainfo = share / "metainfo" / f"{APP_ID}.metainfo.xml"
    validated = installed.run(["appstreamcli", "validate", "--no-net", str(metainfo)])
    assert validated.returncode == 0, validated.stdout + validated.stderr


def test_the_desktop_shows_the_entry_in_the_users_language(installed: Installed) -> None:
    def entry_in(language: str) -> dict[str, Any]:
        asked = installed.run(
            [sys.executable, "-m", "tests.integration.desktop_apps", "entry", ENTRY],
            env={**installed.env, "LANGUAGE": language},
            cwd=CHECKOUT,
        )
        assert asked.returncode == 0, asked.stderr
        found: dict[str, Any] = json.loads(asked.stdout)
        return found

    german, russian = entry_in("de"), entry_in("ru")
    assert german["name"] == russian["name"] == "deskguard"
    assert german["actions"] == {
        "stretch": "Jetzt dehnen",
        "routine": "Übungsfolge starten",
        "pause": "1 Std. pausieren",
        "resume": "Fortsetzen",
    }
    assert russian["actions"]["pause"] == "Пауза на 1 ч"
    assert german["description"].startswith("Bemerkt, wenn Sie zu lange sitzen")
    assert entry_in("xx")["description"] == (
        "Notices when you have been sitting too long and suggests a stretch"
    )


def test_software_centres_show_the_metainfo_in_the_users_language(installed: Installed) -> None:
    metainfo = str(installed.data / "metainfo" / f"{APP_ID}.metainfo.xml")

    def shown_in(locale: str) -> dict[str, Any]:
        asked = installed.run(
            [sys.executable, "-m", "tests.integration.desktop_apps", "metainfo", metainfo, locale],
            cwd=CHECKOUT,
        )
        assert asked.returncode == 0, asked.stderr
        found: dict[str, Any] = json.loads(asked.stdout)
        return found

    german, russian, french = shown_in("de_DE"), shown_in("ru"), shown_in("fr")
    assert german["name"] == russian["name"] == french["name"] == "deskguard"
    assert german["summary"] == "Bemerkt langes Sitzen und schlägt eine Dehnübung vor"
    assert german["description"].startswith("<p>deskguard bewahrt Sie davor")
    assert "<li>Ein Ring im Infobereich" in german["description"]
    # AppStream 0.16 looks keywords up by the exact language, without falling back from
    # de_DE to de as it does for the other texts.
    assert shown_in("de")["keywords"] == ["Dehnen", "Haltung", "Pause", "Sitzen"]
    assert german["captions"] == ["Die Übungsfolge zählt das Halten einer Dehnung herunter"]
    assert russian["summary"] == "Замечает долгое сидение и предлагает размяться"
    assert russian["keywords"][1] == "осанка"
    # A language deskguard does not speak gets the English texts.
    assert french["summary"] == "Notices long sitting and suggests a stretch"
    assert french["keywords"] == ["stretch", "posture", "break", "sitting"]


def test_interactive_bash_loads_the_completion_as_a_tab_would(installed: Installed) -> None:
    # bash-completion (sourced by the ~/.bashrc every new user gets) loads a command's
    # completion only when Tab is first pressed after it: through the default completion,
    # its loader. Checked first that this is how this bash is set up, then done.
    script = (
        "complete -p -D; "
        "_completion_loader deskguard; "
        "complete -p deskguard; "
        "COMP_WORDS=(deskguard pa); COMP_CWORD=1; _deskguard_completion deskguard; "
        'echo "offered: ${COMPREPLY[*]}"'
    )
    result = installed.run(["bash", "-ic", script])
    assert result.returncode == 0, result.stderr
    default, loaded, offered = result.stdout.splitlines()
    assert default == "complete -F _completion_loader -D"
    assert loaded == "complete -o nosort -F _deskguard_completion deskguard"
    assert offered == "offered: pause"


def test_zsh_finds_the_completion_on_the_fpath_the_readme_gives(installed: Installed) -> None:
    readme = (CHECKOUT / "README.md").read_text(encoding="utf-8")
    fpath = re.search(r"fpath=\(~/\.local/share/zsh/site-functions \$fpath\)", readme)
    assert fpath is not None, "the README says how zsh's fpath finds the completion"
    # -D: no ~/.zcompdump; a user's compinit writes one, but it is zsh's file, not ours.
    script = f"{fpath[0]}; autoload -U compinit; compinit -D; print -r -- $_comps[deskguard]"
    result = installed.run(["zsh", "-fc", script])
    assert (result.returncode, result.stdout.strip()) == (0, "_deskguard"), result.stderr


def test_fish_completes_from_its_vendor_folder(installed: Installed, tmp_path: Path) -> None:
    # fish keeps its universal variables in its config folder: keep that out of the home.
    env = {**installed.env, "XDG_CONFIG_HOME": str(tmp_path / "fish-config")}
    result = installed.run(["fish", "-c", "complete -C 'deskguard pa'"], env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["pause\tNo reminders for DURATION"]


def test_the_entry_starts_deskguard_and_then_opens_the_routine(installed: Installed) -> None:
    assert installed.status() is None
    installed.launch()
    status = installed.wait_for_state("active")
    assert status["activity_source"] == "x11"
    # Launched again while it runs: the routine window, and still the one daemon.
    installed.launch()
    installed.close_routine_window()
    assert installed.status() is not None


def test_the_actions_steer_deskguard_through_its_commands(installed: Installed) -> None:
    if installed.status() is None:
        installed.launch()
    installed.wait_for_state("active")
    installed.launch("pause")
    assert installed.wait_for_state("paused")["paused_until"] is not None
    installed.launch("resume")
    installed.wait_for_state("active")
    installed.launch("stretch")
    installed.wait_for_state("break")
    installed.close_routine_window()  # a break opens the quick routine
    installed.launch("routine")
    installed.close_routine_window()


def test_uninstall_leaves_nothing_but_the_history_and_settings(installed: Installed) -> None:
    """Last in this module: it takes away what the tests above use."""
    home = installed.home
    config = Path(installed.env["XDG_CONFIG_HOME"]) / "deskguard"
    config.mkdir(parents=True, exist_ok=True)
    (config / "config.toml").write_text('[reminder]\nsit_limit = "50m"\n')
    history = Path(installed.env["XDG_STATE_HOME"]) / "deskguard" / "history.sqlite3"
    assert installed.status() is not None  # a running daemon, to be stopped on the way

    # No terminal to ask and no option: the history and settings stay.
    uninstall = installed.data / "deskguard" / "uninstall.sh"
    kept = installed.run(["bash", str(uninstall)], env=installed.desktop.env)
    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert "kept your history" in kept.stdout and "kept your settings" in kept.stdout
    assert history.is_file()
    mine = {str(folder.relative_to(home)) for folder in (config, history.parent)}
    left = listing(home) - installed.before
    assert mine <= left
    outside = [p for p in left if not any(p == m or p.startswith(f"{m}/") for m in mine)]
    assert outside == []

    # Asked to, from the checkout (nothing else is left of the install): those go too.
    deleted = installed.run(
        ["bash", "scripts/uninstall.sh", "--delete-history", "--delete-config"],
        cwd=CHECKOUT,
        env=installed.desktop.env,
    )
    assert deleted.returncode == 0, deleted.stdout + deleted.stderr
    assert listing(home) == installed.before
