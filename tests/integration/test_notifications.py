"""Notifications through a real dunst on the test desktop: buttons, presses, replacing,
dismissing, the server dying and coming back, and no session bus at all."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
import shutil
import signal
import subprocess
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

from deskguard.paths import APP_ID
from deskguard.platform.notify import FallbackNotifier, Notice, describe_server, open_notifier
from deskguard.platform.notify import dbus as dbus_backend
from tests.support.aio import run as run_within
from tests.support.desktop import NOTIFICATIONS, HeadlessDesktop, Notification
from tests.support.polling import eventually

T = TypeVar("T")
LOG = logging.getLogger("test.notify")
ACTIONS = (("stretch", "Stretch now"), ("snooze", "Snooze 10 min"), ("skip", "Skip"))


def reminder(title: str = "Time to stand up: knees to chest") -> Notice:
    return Notice(title, "You have been sitting for 45 min.", ACTIONS)


def run(work: Coroutine[Any, Any, T]) -> T:
    return run_within(work, 90)  # these scenarios restart dunst: allow more


class Answers:
    """What the notifier reported back."""

    def __init__(self) -> None:
        self.actions: list[str] = []
        self.dismissed = 0

    def on_action(self, key: str) -> None:
        self.actions.append(key)

    def on_dismissed(self) -> None:
        self.dismissed += 1

    async def open(self, backend: str = "auto") -> FallbackNotifier:
        return await open_notifier(backend, self.on_action, self.on_dismissed, LOG)


async def shown(desktop: HeadlessDesktop, title: str, after: int) -> Notification:
    """The Notify call for `title` once dunst has answered it."""
    return await asyncio.to_thread(
        desktop.wait_for_notification, lambda n: n.summary == title, 10.0, after
    )


async def displayed_becomes(desktop: HeadlessDesktop, wanted: int) -> int:
    """dunst's count of notices on screen, polled until it is `wanted` (dunst draws late)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while True:
        count = int((await asyncio.to_thread(desktop.dunstctl, "count", "displayed")).strip())
        if count == wanted or loop.time() > deadline:
            return count
        await asyncio.sleep(0.02)


def test_a_reminder_shows_three_buttons_and_reports_the_one_pressed(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "test.notify")
    answers = Answers()

    async def scenario() -> tuple[Notification, str, bool]:
        notifier = await answers.open("dbus")
        try:
            after = len(session.notifications())
            await notifier.show(reminder())
            notice = await shown(session, reminder().title, after)
            await asyncio.to_thread(session.invoke_action, "snooze")
            await eventually(lambda: answers.actions == ["snooze"], "on_action('snooze')")
            return notice, notifier.name, notifier.supports_actions
        finally:
            await notifier.aclose()

    notice, name, supports_actions = run(scenario())
    assert (name, supports_actions) == ("dbus (dunst)", True)
    assert notice.app_name == "deskguard"
    assert notice.body == "You have been sitting for 45 min."
    buttons = {key: label for key, label in notice.actions.items() if key != "default"}
    assert buttons == {"stretch": "Stretch now", "snooze": "Snooze 10 min", "skip": "Skip"}
    assert notice.timeout == 0  # a reminder waits for its answer
    assert answers.dismissed == 0
    assert "notifications: dbus (dunst), with buttons (dbus: dbus (dunst) > log)" in caplog.text


def test_a_click_on_the_body_of_a_reminder_means_stretch(session: HeadlessDesktop) -> None:
    answers = Answers()

    async def scenario() -> None:
        notifier = await answers.open()
        try:
            after = len(session.notifications())
            await notifier.show(reminder())
            await shown(session, reminder().title, after)
            # dunst offers the body's "default" action in the same menu as the buttons.
            await asyncio.to_thread(session.invoke_action, "default")
            await eventually(lambda: answers.actions == ["stretch"], "on_action('stretch')")
        finally:
            await notifier.aclose()

    run(scenario())
    assert answers.dismissed == 0


def test_a_reminder_says_whose_it_is_and_the_next_takes_its_place(
    session: HeadlessDesktop,
) -> None:
    answers = Answers()

    async def scenario() -> tuple[Notification, Notification, int, list[str], list[int]]:
        notifier = await answers.open()
        try:
            after = len(session.notifications())
            await notifier.show(reminder("first reminder"))
            first = await shown(session, "first reminder", after)
            await notifier.show(reminder("second reminder"))
            second = await shown(session, "second reminder", after)
            count = await displayed_becomes(session, 1)
            still_open = [n.summary for n in session.open_notifications()]
            closed = [c.id for c in session.closed_notifications()]
            return first, second, count, still_open, closed
        finally:
            await notifier.aclose()  # takes the second down: not part of what is checked

    first, second, count, still_open, closed = run(scenario())
    # The application entry's id, which desktops match to the entry and its icon.
    assert first.hints["desktop-entry"] == APP_ID
    assert first.app_icon == APP_ID
    assert first.hints["category"] == "x-deskguard.reminder"
    assert "resident" not in first.hints  # dunst keeps no notices after their banner
    assert first.replaces_id == 0
    # In place of the first: the same id and the same spot, nothing closed in between.
    assert (second.replaces_id, second.id) == (first.id, first.id)
    assert first.id not in closed
    assert (count, still_open) == (1, ["second reminder"])
    assert answers.dismissed == 0 and answers.actions == []


def test_an_answered_resident_reminder_is_taken_down_by_deskguard(
    session: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Where the server keeps notices (GNOME: "persistence"), a reminder is resident, and a
    resident notice stays after a button is pressed, so deskguard closes it itself. dunst
    keeps none; it is told it does, which makes it a server that is sent the hint."""
    real_server_info = dbus_backend.server_info

    async def with_persistence(bus: MessageBus) -> dbus_backend.ServerInfo:
        info = await real_server_info(bus)
        return dataclasses.replace(info, capabilities=(*info.capabilities, "persistence"))

    monkeypatch.setattr(dbus_backend, "server_info", with_persistence)
    answers = Answers()
    calls = tmp_path / "close-calls.txt"
    rule = f"type='method_call',interface='{NOTIFICATIONS}',member='CloseNotification'"
    with calls.open("w") as out:
        monitor = subprocess.Popen(
            ["dbus-monitor", "--address", session.bus_address, rule], stdout=out
        )

    async def scenario() -> Notification:
        notifier = await answers.open()
        try:
            after = len(session.notifications())
            await notifier.show(reminder())
            notice = await shown(session, reminder().title, after)
            await asyncio.to_thread(session.invoke_action, "snooze")
            await eventually(lambda: answers.actions == ["snooze"], "on_action('snooze')")
            await eventually(
                lambda: f"uint32 {notice.id}" in calls.read_text(), "CloseNotification"
            )
            return notice
        finally:
            await notifier.aclose()

    try:
        notice = run(scenario())
    finally:
        monitor.terminate()
        monitor.wait(10)
    assert notice.hints["resident"] is True
    assert answers.dismissed == 0


def test_the_user_closing_a_notice_is_a_dismissal_but_ours_is_not(
    session: HeadlessDesktop,
) -> None:
    answers = Answers()

    async def scenario() -> None:
        notifier = await answers.open()
        try:
            after = len(session.notifications())
            await notifier.show(reminder("closed by deskguard"))
            ours = await shown(session, "closed by deskguard", after)
            await notifier.close()
            await asyncio.to_thread(session.wait_for_closed, lambda c: c.id == ours.id, 10.0)
            await notifier.close()  # nothing left to close: no-op

            await notifier.show(reminder("closed by the user"))
            theirs = await shown(session, "closed by the user", after)
            # The NotificationClosed above came before this reply, on the same
            # connection, so had it counted as a dismissal it would be counted by now.
            assert answers.dismissed == 0
            await asyncio.to_thread(session.dunstctl, "close")  # the user closes it
            closed = await asyncio.to_thread(
                session.wait_for_closed, lambda c: c.id == theirs.id, 10.0
            )
            assert closed.reason == 2
            await eventually(lambda: answers.dismissed == 1, "on_dismissed()")
        finally:
            await notifier.aclose()

    run(scenario())
    assert answers.actions == []


def test_the_notice_survives_dunst_dying_and_buttons_work_after_its_restart(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "test.notify")
    answers = Answers()

    async def scenario() -> list[str]:
        names = []
        notifier = await answers.open()
        try:
            after = len(session.notifications())
            await notifier.show(reminder("before the crash"))
            await shown(session, "before the crash", after)
            names.append(notifier.name)

            await asyncio.to_thread(session.stop_dunst)
            await notifier.show(reminder("while dunst is gone"))  # must not raise
            names.append(notifier.name)
            await notifier.close()

            await asyncio.to_thread(session.start_dunst)
            await notifier.show(reminder("after the restart"))
            await shown(session, "after the restart", after)
            names.append(notifier.name)
            # The new dunst process sends ActionInvoked; it must reach us.
            await asyncio.to_thread(session.invoke_action, "skip")
            await eventually(lambda: answers.actions == ["skip"], "on_action('skip')")
            return names
        finally:
            await notifier.aclose()

    assert run(scenario()) == ["dbus (dunst)", "log", "dbus (dunst)"]
    assert [n.summary for n in session.notifications()] == ["before the crash", "after the restart"]
    assert "notice: while dunst is gone: You have been sitting for 45 min." in caplog.text
    assert "no notification server on the session bus" in caplog.text
    assert "notices now go through dbus (dunst)" in caplog.text
    assert "notification server dunst " in caplog.text  # the new process is announced


def test_without_a_session_bus_notices_go_to_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    caplog.set_level(logging.INFO, "test.notify")
    answers = Answers()

    async def scenario() -> tuple[str, bool, dict[str, Any]]:
        notifier = await answers.open()
        await notifier.show(reminder())
        await notifier.close()
        await notifier.aclose()
        return notifier.name, notifier.supports_actions, await describe_server()

    name, supports_actions, server = run(scenario())
    assert (name, supports_actions) == ("log", False)
    assert server["available"] is False and "no session bus" in server["reason"]
    assert "dbus: no session bus" in caplog.text and "plyer: no session bus" in caplog.text
    assert "(answer with: deskguard break | deskguard snooze | deskguard skip)" in caplog.text


def test_plyer_delivers_plain_notices_only_while_a_server_is_there(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "test.notify")
    answers = Answers()

    async def scenario() -> list[str]:
        names = []
        notifier = await answers.open("plyer")
        try:
            after = len(session.notifications())
            await notifier.show(reminder("via plyer"))
            notice = await shown(session, "via plyer", after)
            assert notice.actions == {}  # plyer has no buttons
            names.append(notifier.name)
            await asyncio.to_thread(session.stop_dunst)
            await notifier.show(reminder("nobody to show it"))
            names.append(notifier.name)
            return names
        finally:
            await notifier.aclose()

    assert run(scenario()) == ["plyer", "log"]
    assert "plyer: no notification server on the session bus" in caplog.text


def test_describe_server_reports_dunst_and_its_capabilities(session: HeadlessDesktop) -> None:
    server = run(describe_server())
    assert server["available"] is True and server["running"] is True
    assert server["name"] == "dunst"
    assert server["vendor"] == "knopwob"
    assert server["version"]
    assert server["actions"] is True and "actions" in server["capabilities"]


ACTIVATING_BUS = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <servicedir>{services}</servicedir>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture
def activating_bus(session: HeadlessDesktop, tmp_path: Path) -> Iterator[str]:
    """A second session bus on which dunst is not running but D-Bus-activatable, as on
    desktops that leave starting the notification server to the first notice."""
    services = tmp_path / "services"
    services.mkdir()
    (tmp_path / "dunstrc").write_text("[global]\n    history_length = 10\n")
    (services / "dunst.service").write_text(
        "[D-BUS Service]\nName=org.freedesktop.Notifications\n"
        f"Exec={shutil.which('dunst')} -config {tmp_path / 'dunstrc'}\n"
    )
    socket = tmp_path / "activating-bus"
    config = tmp_path / "bus.conf"
    config.write_text(ACTIVATING_BUS.format(socket=socket, services=services))
    bus = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile", "--print-address"],
        env=session.env,  # an activated dunst inherits the bus's DISPLAY
        stdout=subprocess.PIPE,
        text=True,
    )
    assert bus.stdout is not None
    address = bus.stdout.readline().strip()  # printed once it listens; "" if it exited
    try:
        assert address, f"dbus-daemon did not start (exit status {bus.poll()})"
        yield address
    finally:
        bus.terminate()
        bus.wait(10)


async def owner_pid(address: str) -> int | None:
    """The process that owns org.freedesktop.Notifications on the bus at `address`."""
    bus = await MessageBus(bus_address=address).connect()
    try:
        reply = await bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="GetConnectionUnixProcessID",
                signature="s",
                body=["org.freedesktop.Notifications"],
            )
        )
        return int(reply.body[0]) if reply.message_type is MessageType.METHOD_RETURN else None
    finally:
        bus.disconnect()


def test_a_server_that_d_bus_starts_on_demand_is_started(
    activating_bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", activating_bus)
    answers = Answers()

    async def scenario() -> tuple[str, dict[str, Any], str, int | None]:
        started = None
        notifier = await answers.open()
        try:
            before = notifier.name  # checked, but nothing started yet
            described = await describe_server()
            assert await owner_pid(activating_bus) is None
            await notifier.show(reminder())
            started = await owner_pid(activating_bus)
            return before, described, notifier.name, started
        finally:
            await notifier.aclose()
            if started is not None:  # the dunst that the bus started for this test
                os.kill(started, signal.SIGTERM)

    before, described, after, started = run(scenario())
    assert before == "dbus"
    assert described == {"available": True, "running": False, "reason": "D-Bus starts it on demand"}
    assert after == "dbus (dunst)"
    assert started is not None
