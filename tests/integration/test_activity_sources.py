"""Idle-time adapters against real services: the X server's MIT-SCREEN-SAVER counter under
Xvfb, and Mutter / freedesktop idle monitors exported on the test desktop's session bus."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TypeVar

import pytest
from dbus_fast import DBusError, ErrorType
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusUInt32, DBusUInt64
from dbus_fast.service import ServiceInterface, dbus_method

from deskguard.platform.activity import (
    ActivitySource,
    ActivityUnavailable,
    open_activity_source,
    probe_all,
)
from tests.support.aio import run
from tests.support.desktop import HeadlessDesktop
from tests.support.polling import eventually

T = TypeVar("T")
LOG = logging.getLogger("test.activity")
MUTTER = ("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core")
SCREENSAVER = ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver")


class FakeMutter(ServiceInterface):
    def __init__(self, idle_ms: int) -> None:
        super().__init__("org.gnome.Mutter.IdleMonitor")
        self.idle_ms = idle_ms

    @dbus_method()
    def GetIdletime(self) -> DBusUInt64:  # noqa: N802 (the D-Bus method's name)
        return self.idle_ms


class FakeScreenSaver(ServiceInterface):
    """org.freedesktop.ScreenSaver; `supported=False` answers like GNOME does."""

    def __init__(self, idle_s: int, supported: bool = True) -> None:
        super().__init__("org.freedesktop.ScreenSaver")
        self.idle_s = idle_s
        self.supported = supported

    @dbus_method()
    def GetSessionIdleTime(self) -> DBusUInt32:  # noqa: N802
        if not self.supported:
            raise DBusError(ErrorType.NOT_SUPPORTED, "This method is not implemented")
        return self.idle_s


async def export(service: ServiceInterface, name: str, path: str) -> MessageBus:
    """Put `service` on the session bus under `name`, as the desktop would."""
    bus = await MessageBus().connect()
    bus.export(path, service)
    await bus.request_name(name)
    return bus


async def idle_of(source: ActivitySource) -> float:
    try:
        return await source.idle_seconds()
    finally:
        await source.aclose()


# -- X11 ---------------------------------------------------------------------------------------


def test_x11_idle_grows_without_input_and_a_key_press_resets_it(session: HeadlessDesktop) -> None:
    async def scenario() -> None:
        source = await open_activity_source("x11", LOG)
        assert source.name == "x11"
        try:
            first = await source.idle_seconds()

            async def grown() -> bool:
                return await source.idle_seconds() >= first + 1.0

            await eventually(grown, "idle time to grow without input")
            before = await source.idle_seconds()
            from_x = session.x_idle_ms() / 1000
            assert before <= from_x + 0.05  # the adapter reads the X server's own counter

            await asyncio.to_thread(session.xdotool, "key", "shift")
            after = await source.idle_seconds()
            assert after < 0.5 < 1.0 <= before

            async def grows_again() -> bool:
                return await source.idle_seconds() > after + 0.2

            await eventually(grows_again, "idle time to grow again after the key press")
        finally:
            await source.aclose()

    run(scenario())


def test_x11_without_a_display_is_unavailable_with_the_reason(
    session: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISPLAY")
    with pytest.raises(ActivityUnavailable, match="DISPLAY is not set"):
        run(open_activity_source("x11", LOG))


def test_x11_with_a_dead_display_is_unavailable_with_the_reason(
    session: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", ":987")
    with pytest.raises(ActivityUnavailable, match="cannot open X display"):
        run(open_activity_source("x11", LOG))


# -- D-Bus idle monitors -------------------------------------------------------------------------


def test_mutter_reads_milliseconds_live_from_the_idle_monitor(session: HeadlessDesktop) -> None:
    async def scenario() -> tuple[str, float, float]:
        mutter = FakeMutter(4200)
        service = await export(mutter, *MUTTER)
        try:
            source = await open_activity_source("mutter", LOG)
            first = await source.idle_seconds()
            mutter.idle_ms = 150  # the user touched the keyboard
            second = await idle_of(source)
            return source.name, first, second
        finally:
            service.disconnect()

    assert run(scenario()) == ("mutter", 4.2, 0.15)


def test_freedesktop_reads_seconds_from_the_screensaver(session: HeadlessDesktop) -> None:
    async def scenario() -> tuple[str, float]:
        service = await export(FakeScreenSaver(7), *SCREENSAVER)
        try:
            source = await open_activity_source("freedesktop", LOG)
            return source.name, await idle_of(source)
        finally:
            service.disconnect()

    assert run(scenario()) == ("freedesktop", 7.0)


def test_freedesktop_finds_a_screensaver_at_the_short_path(session: HeadlessDesktop) -> None:
    async def scenario() -> float:
        service = await export(FakeScreenSaver(12), SCREENSAVER[0], "/ScreenSaver")
        try:
            return await idle_of(await open_activity_source("freedesktop", LOG))
        finally:
            service.disconnect()

    assert run(scenario()) == 12.0


def test_a_screensaver_that_does_not_support_idle_time_is_refused(
    session: HeadlessDesktop,
) -> None:
    async def scenario() -> None:
        service = await export(FakeScreenSaver(0, supported=False), *SCREENSAVER)
        try:
            await open_activity_source("freedesktop", LOG)
        finally:
            service.disconnect()

    with pytest.raises(ActivityUnavailable, match="NotSupported: This method is not implemented"):
        run(scenario())


def test_a_named_source_that_is_not_running_raises_with_the_reason(
    session: HeadlessDesktop,
) -> None:
    with pytest.raises(
        ActivityUnavailable, match="^org.gnome.Mutter.IdleMonitor is not on the session bus$"
    ):
        run(open_activity_source("mutter", LOG))


def test_a_monitor_that_goes_away_makes_readings_unavailable(session: HeadlessDesktop) -> None:
    async def scenario() -> None:
        service = await export(FakeMutter(1000), *MUTTER)
        source = await open_activity_source("mutter", LOG)
        service.disconnect()  # the idle monitor goes away
        try:
            await source.idle_seconds()
        finally:
            await source.aclose()

    with pytest.raises(ActivityUnavailable, match="IdleMonitor is not on the session bus"):
        run(scenario())


# -- auto ------------------------------------------------------------------------------------------


def test_auto_prefers_mutter_when_both_monitors_answer(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "test.activity")

    async def scenario() -> tuple[str, float]:
        buses = [
            await export(FakeMutter(3000), *MUTTER),
            await export(FakeScreenSaver(9), *SCREENSAVER),
        ]
        try:
            source = await open_activity_source("auto", LOG)
            return source.name, await idle_of(source)
        finally:
            for bus in buses:
                bus.disconnect()

    assert run(scenario()) == ("mutter", 3.0)
    # An X11 desktop: the Wayland source, tried first, says why it is not used.
    assert (
        "activity source: mutter (idle 3.0 s); not used: wayland: WAYLAND_DISPLAY is not set"
        in caplog.text
    )


def test_auto_skips_a_missing_mutter_and_says_why(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "test.activity")

    async def scenario() -> str:
        service = await export(FakeScreenSaver(9), *SCREENSAVER)
        try:
            source = await open_activity_source("auto", LOG)
            await source.aclose()
            return source.name
        finally:
            service.disconnect()

    assert run(scenario()) == "freedesktop"
    [line] = [r.getMessage() for r in caplog.records if "activity source" in r.getMessage()]
    assert line == (
        "activity source: freedesktop (idle 9.0 s); "
        "not used: wayland: WAYLAND_DISPLAY is not set; "
        "mutter: org.gnome.Mutter.IdleMonitor is not on the session bus"
    )


def test_auto_falls_to_x11_past_an_unsupported_screensaver(
    session: HeadlessDesktop, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "test.activity")

    async def scenario() -> str:
        service = await export(FakeScreenSaver(0, supported=False), *SCREENSAVER)
        try:
            source = await open_activity_source("auto", LOG)
            await source.aclose()
            return source.name
        finally:
            service.disconnect()

    assert run(scenario()) == "x11"
    [line] = [r.getMessage() for r in caplog.records if "activity source" in r.getMessage()]
    assert "activity source: x11 (idle " in line
    assert "freedesktop: org.freedesktop.ScreenSaver.GetSessionIdleTime" in line
    assert "NotSupported" in line


def test_auto_does_not_trust_x11_in_a_wayland_session(
    session: HeadlessDesktop, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    caplog.set_level(logging.INFO, "test.activity")

    async def scenario() -> tuple[str, str]:
        auto = await open_activity_source("auto", LOG)
        named = await open_activity_source("x11", LOG)  # asked for by name: allowed
        await named.aclose()
        return auto.name, named.name

    assert run(scenario()) == ("none", "x11")
    assert "x11: Wayland session" in caplog.text


def test_auto_with_no_bus_and_no_display_counts_the_user_active(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)

    async def scenario() -> tuple[str, float]:
        source = await open_activity_source("auto", LOG)
        return source.name, await idle_of(source)

    assert run(scenario()) == ("none", 0.0)
    warning = next(r for r in caplog.records if r.levelno == logging.WARNING)
    message = warning.getMessage()
    assert message.startswith("activity source: none, so the user counts as active")
    for name in ("mutter: no session bus", "freedesktop: no session bus", "x11: DISPLAY"):
        assert name in message
    assert "windows: not Windows" in message and "macos: not macOS" in message


def test_none_is_always_zero_and_other_platforms_say_why(session: HeadlessDesktop) -> None:
    async def scenario() -> float:
        return await idle_of(await open_activity_source("none", LOG))

    assert run(scenario()) == 0.0
    with pytest.raises(ActivityUnavailable, match="not Windows"):
        run(open_activity_source("windows", LOG))
    with pytest.raises(ActivityUnavailable, match="not macOS"):
        run(open_activity_source("macos", LOG))
    with pytest.raises(ActivityUnavailable, match="unknown activity source 'gnome'"):
        run(open_activity_source("gnome", LOG))


def test_probe_all_reports_every_source(session: HeadlessDesktop) -> None:
    async def scenario() -> dict[str, str]:
        service = await export(FakeMutter(2500), *MUTTER)
        try:
            return await probe_all()
        finally:
            service.disconnect()

    report = run(scenario())
    assert list(report) == ["wayland", "mutter", "freedesktop", "x11", "windows", "macos"]
    assert report["wayland"] == "WAYLAND_DISPLAY is not set"
    assert report["mutter"] == "ok: idle 2.5 s"
    assert report["freedesktop"] == "org.freedesktop.ScreenSaver is not on the session bus"
    assert report["x11"].startswith("ok: idle ")
    assert report["windows"] == "not Windows"
    assert report["macos"] == "not macOS"
