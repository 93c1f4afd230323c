"""Opening the enabled focus signals, and asking them all at once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from deskguard.platform.dbus import reason_for
from deskguard.platform.focus.base import BaseSignal, FocusConfig, FocusSignal, FocusUnavailable
from deskguard.platform.focus.camera import CameraInUse
from deskguard.platform.focus.do_not_disturb import DoNotDisturb
from deskguard.platform.focus.fullscreen import Fullscreen
from deskguard.platform.focus.microphone import MicrophoneInUse

# The names `busy_reasons` reports, in the order it reports them.
ORDER = ("do-not-disturb", "fullscreen", "camera", "microphone")
# A whole check as `busy_reasons` runs it; a signal that takes longer counts as off.
CHECK_TIMEOUT = 5.0

log = logging.getLogger("deskguard.focus")

Opener = Callable[[FocusConfig, logging.Logger], Awaitable[BaseSignal]]

OPENERS: dict[str, Opener] = {
    "do-not-disturb": DoNotDisturb.open,
    "fullscreen": Fullscreen.open,
    "camera": CameraInUse.open,
    "microphone": MicrophoneInUse.open,
}


def enabled(settings: FocusConfig, name: str) -> bool:
    """The config switch of the signal called `name`."""
    return bool(getattr(settings, name.replace("-", "_")))


async def _open(name: str, settings: FocusConfig, log: logging.Logger) -> BaseSignal:
    try:
        return await OPENERS[name](settings, log)
    except FocusUnavailable:
        raise
    except Exception as exc:  # a library failing in a way its adapter did not foresee
        raise FocusUnavailable(reason_for(exc)) from exc


async def open_focus_signals(settings: FocusConfig, log: logging.Logger) -> list[FocusSignal]:
    """The enabled signals that can work here, in `ORDER`. Logs one line for each enabled
    signal that cannot (and why), then one line naming those in use and those switched off."""
    opened: list[BaseSignal] = []
    for name in ORDER:
        if not enabled(settings, name):
            continue
        try:
            opened.append(await _open(name, settings, log))
        except FocusUnavailable as exc:
            log.info("focus %s: not watched: %s", name, exc)
    off = [name for name in ORDER if not enabled(settings, name)]
    log.info(
        "focus signals: %s%s",
        "; ".join(f"{s.name} ({s.how})" for s in opened) or "none",
        f"; off in config: {', '.join(off)}" if off else "",
    )
    return list(opened)


async def _checked(signal: FocusSignal) -> bool:
    """`signal.active()` bounded in time; a signal that breaks its promise not to raise
    still only counts as off."""
    try:
        return await asyncio.wait_for(signal.active(), CHECK_TIMEOUT)
    except Exception as exc:
        log.debug("focus %s: %s, counting it as off", signal.name, reason_for(exc))
        return False


async def busy_reasons(signals: Sequence[FocusSignal]) -> tuple[str, ...]:
    """The names of the signals active now, asked all at once; in `ORDER`, other names
    after those in the order given."""
    answers = await asyncio.gather(*(_checked(signal) for signal in signals))
    active = [signal.name for signal, yes in zip(signals, answers, strict=True) if yes]
    rank = {name: index for index, name in enumerate(ORDER)}
    return tuple(sorted(dict.fromkeys(active), key=lambda name: rank.get(name, len(ORDER))))


@dataclass(frozen=True)
class FocusProbe:
    """What `deskguard doctor` reports of one signal: `state` is "available",
    "unavailable" or "off" (in config); `how` what it reads, or why it cannot (in English,
    as its log lines); `active` whether it keeps reminders waiting right now."""

    state: Literal["available", "unavailable", "off"]
    how: str = ""
    active: bool = False


async def probe_focus(settings: FocusConfig) -> dict[str, FocusProbe]:
    """Each signal in ORDER, opened, asked once and closed again."""
    results: dict[str, FocusProbe] = {}
    for name in ORDER:
        if not enabled(settings, name):
            results[name] = FocusProbe("off")
            continue
        try:
            signal = await _open(name, settings, log)
        except FocusUnavailable as exc:
            results[name] = FocusProbe("unavailable", str(exc))
            continue
        try:
            now = await _checked(signal)
            if signal.readable:
                results[name] = FocusProbe("available", signal.how, active=now)
            else:
                results[name] = FocusProbe("unavailable", signal.how)
        finally:
            await signal.aclose()
    return results
