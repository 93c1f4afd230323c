"""Everything the daemon talks to, opened together at start-up and closed together."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from deskguard.daemon.carry_over import SittingFile, SittingStore
from deskguard.daemon.clock import read_instant
from deskguard.daemon.config import DaemonConfig

if TYPE_CHECKING:
    from deskguard.platform.activity import ActivitySource
    from deskguard.platform.focus import FocusSignal
    from deskguard.platform.notify import Notifier
    from deskguard.platform.session import SessionWatcher
    from deskguard.store import History

log = logging.getLogger("deskguard")


class Closable(Protocol):
    async def aclose(self) -> None: ...


async def close_all(closables: Iterable[Closable]) -> None:
    """Close each; a failure to close one is logged and does not stop the others."""
    for closable in closables:
        try:
            await closable.aclose()
        except Exception:
            log.debug("error while closing %r", closable, exc_info=True)


@dataclass
class Adapters:
    """What the daemon talks to; opened on the event loop at start-up."""

    history: History
    activity: ActivitySource
    notifier: Notifier
    sitting: SittingStore
    session: SessionWatcher | None = None
    focus: list[FocusSignal] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (title, body), told at start

    async def aclose(self) -> None:
        session = [self.session] if self.session is not None else []
        await close_all([self.activity, self.notifier, *session, *self.focus])
        self.history.close()


async def open_adapters(
    config: DaemonConfig, on_action: Callable[[str], None], on_dismissed: Callable[[], None]
) -> Adapters:
    """Open everything the daemon talks to, falling back where a facility is missing."""
    from deskguard.platform.activity import open_activity_source
    from deskguard.platform.focus import open_focus_signals
    from deskguard.platform.notify import open_notifier
    from deskguard.platform.session import SessionWatcher
    from deskguard.store import open_history

    history, note = open_history(config.paths.history, read_instant().wall)
    adapters = Adapters(
        history=history,
        activity=await open_activity_source(
            config.settings.activity.source, log, config.settings.reminder.natural_break
        ),
        notifier=await open_notifier(
            config.settings.notifications.backend, on_action, on_dismissed, log
        ),
        sitting=SittingFile(config.paths.sitting),
        session=SessionWatcher(),
        focus=await open_focus_signals(config.settings.focus, log),
    )
    if note is not None:
        adapters.notes.append(note)
    return adapters
