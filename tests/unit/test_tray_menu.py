"""The tray menu: what it offers in each state, and that every entry does the right thing.

The menu model is pure; its entries act through injected fakes (a controller that records
commands, a spawner that records command lines, a notifier). The last part drives the
pystray adapter with a stand-in pystray, so the real menu items and redraws are checked too.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from deskguard import paths
from deskguard.errors import UserError
from deskguard.ipc.status import Status
from deskguard.tray.app import Tray
from deskguard.tray.menu import SEPARATOR, Effects, Entry, build_menu, perform

ROUTINE_PLAYER = [sys.executable, "-m", "deskguard.routine"]


def status(state: str = "active", **extra: Any) -> Status:
    defaults: dict[str, Any] = {
        "state": state,
        "sitting_seconds": 20 * 60,
        "sit_limit_seconds": 45 * 60,
        "next_reminder_in_seconds": 25 * 60,
        "snooze_seconds": 10 * 60,
        "snoozes_left": 3,
        "paused_until": None,
    }
    return Status(**{**defaults, **extra})


def labels(entries: Sequence[Entry]) -> list[str]:
    return ["---" if entry.separator else entry.label for entry in entries]


def find(entries: Sequence[Entry], label: str) -> Entry:
    for entry in entries:
        if entry.label == label:
            return entry
        for inner in entry.submenu:
            if inner.label == label:
                return inner
    raise AssertionError(f"no entry {label!r} in {labels(entries)}")


# ---------------------------------------------------------------------------- contents


def test_while_sitting_the_menu_offers_everything_but_resume() -> None:
    menu = build_menu(status())
    assert labels(menu) == [
        "Sitting 20 min — next stretch in 25 min",
        "---",
        "Start mini-routine",
        "Quick stretch now",
        "Snooze 10 min",
        "Pause",
        "---",
        "Today",
        "Open config",
        "---",
        "Quit",
    ]
    assert not menu[0].enabled  # the status line is information, not an action
    assert all(entry.enabled for entry in menu[1:])
    assert labels(find(menu, "Pause").submenu) == ["30 min", "1 h", "2 h", "Until tomorrow"]


def test_the_status_line_is_the_icon_title() -> None:
    for state in ("active", "snoozed", "reminding", "paused", "away", "off-hours", "break"):
        assert build_menu(status(state))[0].label == status(state).headline()


def test_while_paused_resume_replaces_pause_and_snooze() -> None:
    until = "2024-05-03T12:00:00+00:00"
    menu = labels(build_menu(status("paused", paused_until=until)))
    assert "Resume" in menu
    assert "Pause" not in menu
    assert not any(label.startswith("Snooze") for label in menu)


@pytest.mark.parametrize("state", ["active", "snoozed", "reminding"])
def test_snooze_is_offered_with_its_configured_length(state: str) -> None:
    menu = build_menu(status(state, snooze_seconds=15 * 60))
    assert find(menu, "Snooze 15 min").enabled
    assert "Resume" not in labels(menu)


def test_with_no_snoozes_left_snooze_is_shown_but_disabled() -> None:
    menu = build_menu(status("reminding", snoozes_left=0))
    assert not find(menu, "No snoozes left").enabled
    assert not any(label.startswith("Snooze") for label in labels(menu))


@pytest.mark.parametrize("state", ["away", "off-hours", "break"])
def test_with_nothing_to_snooze_there_is_no_snooze(state: str) -> None:
    menu = labels(build_menu(status(state)))
    assert not any("nooze" in label for label in menu)
    assert "Pause" in menu and "Resume" not in menu


def test_without_a_status_the_menu_still_works() -> None:
    menu = build_menu(Status())
    assert labels(menu)[0] == "deskguard"
    assert "Quit" in labels(menu) and "Pause" in labels(menu)


# ---------------------------------------------------------------------------- actions


class World:
    """Fakes for everything an entry may do; `calls` keeps the order across all of them."""

    def __init__(self, tmp_path: Path, programs: Sequence[str] = ("xdg-open",)) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.refuse: dict[str, UserError] = {}
        self.programs = set(programs)
        self.config = tmp_path / "home" / "deskguard" / "config.toml"
        self.shipped = tmp_path / "shipped.toml"
        self.shipped.write_text("# shipped defaults\n")

    def command(self, cmd: str, **args: Any) -> dict[str, Any]:
        self.calls.append(("command", cmd, args))
        if cmd in self.refuse:
            raise self.refuse[cmd]
        return {}

    def spawn(self, argv: Sequence[str]) -> None:
        self.calls.append(("spawn", list(argv)))

    def notify(self, title: str, message: str) -> None:
        self.calls.append(("notify", title, message))

    def effects(self) -> Effects:
        return Effects(
            command=self.command,
            spawn=self.spawn,
            notify=self.notify,
            which=lambda name: f"/usr/bin/{name}" if name in self.programs else None,
            config_file=lambda: self.config,
            shipped_config=lambda: self.shipped,
        )


@pytest.fixture
def world(tmp_path: Path) -> World:
    return World(tmp_path)


def choose(world: World, label: str, state: Status | None = None) -> list[tuple[Any, ...]]:
    perform(find(build_menu(state or status()), label), world.effects())
    return world.calls


def test_start_mini_routine_runs_the_routine_player(world: World) -> None:
    assert choose(world, "Start mini-routine") == [("spawn", ROUTINE_PLAYER)]


def test_quick_stretch_takes_a_break(world: World) -> None:
    # The daemon opens the quick routine for a break itself; the tray must not open a second.
    assert choose(world, "Quick stretch now") == [("command", "break", {})]


def test_snooze_asks_the_daemon_for_its_configured_snooze(world: World) -> None:
    assert choose(world, "Snooze 10 min") == [("command", "snooze", {})]


@pytest.mark.parametrize(("label", "seconds"), [("30 min", 1800), ("1 h", 3600), ("2 h", 7200)])
def test_pause_pauses_for_the_chosen_time(world: World, label: str, seconds: int) -> None:
    assert choose(world, label) == [("command", "pause", {"seconds": seconds})]


def test_pause_until_tomorrow_leaves_the_moment_to_the_daemon(world: World) -> None:
    # The daemon knows the working hours: the next start of them, else midnight.
    assert choose(world, "Until tomorrow") == [("command", "pause", {"until": "tomorrow"})]


def test_resume_ends_the_pause(world: World) -> None:
    paused = status("paused", paused_until="2024-05-03T12:00:00+00:00")
    assert choose(world, "Resume", paused) == [("command", "resume", {})]


def test_quit_stops_the_daemon(world: World) -> None:
    assert choose(world, "Quit") == [("command", "stop", {})]


def test_the_status_line_does_nothing(world: World) -> None:
    perform(build_menu(status())[0], world.effects())
    assert world.calls == []


def test_today_shows_the_stats_of_the_day_in_a_terminal(tmp_path: Path) -> None:
    world = World(tmp_path, programs=("xterm",))
    [(kind, argv)] = choose(world, "Today")
    assert kind == "spawn"
    assert argv[:4] == ["/usr/bin/xterm", "-e", "sh", "-c"]
    assert f"{sys.executable} -m deskguard stats --days 1;" in argv[4]


def test_today_prefers_the_desktops_own_terminal(tmp_path: Path) -> None:
    world = World(tmp_path, programs=("xterm", "x-terminal-emulator"))
    [(_, argv)] = choose(world, "Today")
    assert argv[:2] == ["/usr/bin/x-terminal-emulator", "-e"]


def test_today_without_a_terminal_tells_the_user_what_to_run(tmp_path: Path) -> None:
    world = World(tmp_path, programs=())
    [(kind, _title, message)] = choose(world, "Today")
    assert kind == "notify"
    assert "deskguard stats --days 1" in message


def test_open_config_creates_it_from_the_shipped_defaults_then_opens_it(world: World) -> None:
    assert choose(world, "Open config") == [("spawn", ["/usr/bin/xdg-open", str(world.config)])]
    assert world.config.read_text() == "# shipped defaults\n"


def test_open_config_keeps_an_existing_file(world: World) -> None:
    world.config.parent.mkdir(parents=True)
    world.config.write_text("[reminder]\nsit_limit = '30m'\n")
    choose(world, "Open config")
    assert world.config.read_text() == "[reminder]\nsit_limit = '30m'\n"


def test_open_config_without_xdg_open_names_the_file(tmp_path: Path) -> None:
    world = World(tmp_path, programs=())
    assert choose(world, "Open config") == [
        ("notify", "Your configuration file", str(world.config))
    ]
    assert world.config.exists()


def test_the_real_shipped_config_is_found() -> None:
    assert "[reminder]" in paths.shipped_file("deskguard.toml").read_text()


def test_a_refusal_is_shown_to_the_user(world: World) -> None:
    world.refuse["snooze"] = UserError("no snoozes left (3 in a row)", "take the break now")
    assert choose(world, "Snooze 10 min") == [
        ("command", "snooze", {}),
        ("notify", "no snoozes left (3 in a row)", "take the break now"),
    ]


def test_a_program_that_cannot_start_is_shown(world: World) -> None:
    def broken(argv: Sequence[str]) -> None:
        raise FileNotFoundError(2, "No such file or directory", argv[0])

    effects = world.effects()
    effects.spawn = broken
    perform(find(build_menu(status()), "Start mini-routine"), effects)
    [(kind, title, message)] = world.calls
    assert kind == "notify" and "Start mini-routine" in title and "No such file" in message


# ---------------------------------------------------------------------------- the adapter


class FakeIcon:
    """Stands in for `pystray.Icon`: records what the tray shows, runs like pystray does."""

    HAS_MENU = True
    __module__ = "pystray._fake"
    RECORDED = ("icon", "title", "menu")

    def __init__(self, name: str, icon: Any, title: str, menu: Any) -> None:
        self.shown: dict[str, list[Any]] = {attribute: [] for attribute in self.RECORDED}
        self.icon, self.title, self.menu = icon, title, menu
        self.visible = False
        self._stopped = threading.Event()

    def __setattr__(self, name: str, value: Any) -> None:
        if name in self.RECORDED:
            self.shown[name].append(value)
        super().__setattr__(name, value)

    def run(self, setup: Callable[[FakeIcon], None]) -> None:
        threading.Thread(target=setup, args=(self,)).start()
        self._stopped.wait(30)

    def stop(self) -> None:
        self._stopped.set()


class FakeMenuItem:
    def __init__(self, text: str, action: Any, enabled: bool = True, **_: Any) -> None:
        self.text, self.action, self.enabled = text, action, enabled

    def __call__(self, icon: Any) -> None:
        self.action(icon, self)


class FakeMenu:
    SEPARATOR = object()

    def __init__(self, *items: Any) -> None:
        self.items = items


FAKE_PYSTRAY: Any = SimpleNamespace(Icon=FakeIcon, Menu=FakeMenu, MenuItem=FakeMenuItem)


class Controller:
    def __init__(self, first: Status) -> None:
        self.first = first
        self.commands: list[tuple[str, dict[str, Any]]] = []

    def status(self) -> Status:
        return self.first

    def command(self, cmd: str, **args: Any) -> dict[str, Any]:
        self.commands.append((cmd, args))
        return {}


def wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)


@pytest.fixture
def running() -> Iterator[tuple[Tray, FakeIcon, Controller]]:
    controller = Controller(status(sitting_seconds=0, next_reminder_in_seconds=45 * 60))
    tray = Tray(FAKE_PYSTRAY, controller, logging.getLogger("test"))
    icon: FakeIcon = tray._icon
    runner = threading.Thread(target=tray.run)
    runner.start()
    wait_for(lambda: icon.visible, "the icon to be shown")
    yield tray, icon, controller
    tray.stop()
    runner.join(10)
    assert not runner.is_alive(), "run() did not return after stop()"


def test_the_tray_starts_with_the_daemons_status(
    running: tuple[Tray, FakeIcon, Controller],
) -> None:
    _, icon, _ = running
    assert icon.shown["title"] == ["Sitting 0 s — next stretch in 45 min"]
    assert [item.text for item in icon.menu.items if item is not FakeMenu.SEPARATOR][:3] == [
        "Sitting 0 s — next stretch in 45 min",
        "Start mini-routine",
        "Quick stretch now",
    ]


def test_the_tray_redraws_only_what_changed(running: tuple[Tray, FakeIcon, Controller]) -> None:
    tray, icon, _ = running
    # A minute later: new title and status line, same ring step (45 min / 32 is 84 s).
    tray.update(status(sitting_seconds=60, next_reminder_in_seconds=44 * 60))
    wait_for(lambda: icon.title == "Sitting 1 min — next stretch in 44 min", "the new title")
    assert len(icon.shown["icon"]) == 1
    assert len(icon.shown["menu"]) == 2
    # The same status again changes nothing at all.
    tray.update(status(sitting_seconds=60, next_reminder_in_seconds=44 * 60, idle_seconds=5))
    tray.update(status(sitting_seconds=120, next_reminder_in_seconds=43 * 60))
    wait_for(lambda: icon.title.startswith("Sitting 2 min"), "the next title")
    assert len(icon.shown["icon"]) == 2  # the ring moved one step
    assert len(icon.shown["title"]) == 3


def test_the_tray_menu_items_act_on_the_daemon(
    running: tuple[Tray, FakeIcon, Controller],
) -> None:
    tray, icon, controller = running
    tray.update(status("paused", paused_until=None))
    wait_for(lambda: icon.title == "Paused until you resume", "the paused title")
    items = {item.text: item for item in icon.menu.items if item is not FakeMenu.SEPARATOR}
    assert not items["Paused until you resume"].enabled
    items["Resume"](icon)
    wait_for(lambda: controller.commands == [("resume", {})], "the resume command")
    items["Quit"](icon)
    wait_for(lambda: controller.commands[-1] == ("stop", {}), "the stop command")


def test_the_tray_pause_submenu_acts_on_the_daemon(
    running: tuple[Tray, FakeIcon, Controller],
) -> None:
    _, icon, controller = running
    [pause] = [item for item in icon.menu.items if getattr(item, "text", "") == "Pause"]
    half_hour = pause.action.items[0]
    assert half_hour.text == "30 min"
    half_hour(icon)
    wait_for(lambda: controller.commands == [("pause", {"seconds": 1800})], "the pause command")


def test_stop_before_run_returns_at_once() -> None:
    tray = Tray(FAKE_PYSTRAY, Controller(Status()), logging.getLogger("test"))
    tray.stop()
    runner = threading.Thread(target=tray.run)
    runner.start()
    runner.join(10)
    assert not runner.is_alive()
    assert tray._icon.shown["title"] == ["deskguard"]  # no status could be read: a neutral start


def test_the_tray_asks_for_news_as_often_as_its_picture_or_title_can_change() -> None:
    tray = Tray(FAKE_PYSTRAY, Controller(Status()), logging.getLogger("test"))
    assert tray.refresh_seconds(45 * 60) == 60  # whole minutes of the title
    assert tray.refresh_seconds(40) == 1.25  # a step of the ring
    assert tray.refresh_seconds(3) == 1  # never more than once a second


def test_entries_compare_by_value_so_unchanged_menus_are_not_rebuilt() -> None:
    assert build_menu(status()) == build_menu(status())
    assert build_menu(status()) != build_menu(status("paused"))
    assert SEPARATOR.separator and SEPARATOR.action is None


def test_open_config_opens_the_file_the_daemon_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from deskguard.tray.app import effects_for

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("DESKGUARD_CONFIG", raising=False)
    chosen = tmp_path / "elsewhere.toml"
    logger = logging.getLogger("test")
    assert effects_for(None, logger, Status(config_file=str(chosen))).config_file() == chosen
    default = effects_for(None, logger, Status()).config_file()
    assert default == tmp_path / "xdg" / "deskguard" / "config.toml"


def test_the_quick_stretch_carries_its_picture_and_dbusmenu_passes_it_on() -> None:
    from deskguard.tray.dbusmenu import entry_properties

    picture = b"\x89PNG\r\n\x1a\nfigure"
    entries = build_menu(status(), quick_picture=picture)
    quick = find(entries, "Quick stretch now")
    assert quick.icon_png == picture
    assert entry_properties(quick)["icon-data"].value == picture
    assert entry_properties(quick)["icon-data"].signature == "ay"
    others = [e for e in entries if e is not quick and not e.separator]
    assert all("icon-data" not in entry_properties(e) for e in others)
    assert find(build_menu(status()), "Quick stretch now").icon_png is None
