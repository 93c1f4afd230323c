"""What a notice is, and what every way of showing one promises."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

APP_NAME = "deskguard"


@dataclass(frozen=True)
class Notice:
    title: str
    body: str
    # (key, label); the keys are deskguard.core.reminder_text's ACTION_* constants.
    actions: tuple[tuple[str, str], ...] = ()
    urgency: Literal["low", "normal", "critical"] = "normal"
    image: Path | None = None
    """A picture to show with the text (the exercise's figure), as a PNG file."""


class Notifier(Protocol):
    name: str
    supports_actions: bool

    async def show(self, notice: Notice) -> None:
        """Show `notice`, replacing the previous deskguard notice if one is on screen."""
        ...

    async def close(self) -> None:
        """Take the current notice off the screen (no-op if there is none)."""
        ...

    async def aclose(self) -> None: ...


class NotifierUnavailable(Exception):
    """A backend cannot show notices right now; the message says why."""


class Backend(Notifier, Protocol):
    """One link of the fallback chain: a Notifier that can tell whether it would work."""

    async def check(self) -> None:
        """Raise NotifierUnavailable if a notice shown now could not be delivered."""
        ...
