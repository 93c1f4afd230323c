"""How long to wait before the next attempt to reach a server that went away."""

from __future__ import annotations

from dataclasses import dataclass, field

FIRST_DELAY = 1.0
"""A server that restarts is usually back within a second or two."""
MOST_DELAY = 30.0
"""One that stays away is tried twice a minute: seldom enough to cost nothing, often
enough that it is in use again soon after it returns."""


@dataclass
class Backoff:
    """Delays that double from `first` up to `most`, and start over after a success."""

    first: float = FIRST_DELAY
    most: float = MOST_DELAY
    _next: float = field(init=False)

    def __post_init__(self) -> None:
        if not 0 < self.first <= self.most:
            raise ValueError(f"need 0 < first <= most, not {self.first}, {self.most}")
        self._next = self.first

    def next_delay(self) -> float:
        """The wait before the coming attempt; each call doubles the one after it."""
        delay = self._next
        self._next = min(delay * 2, self.most)
        return delay

    def reset(self) -> None:
        """The server is back: the next loss starts from a short delay again."""
        self._next = self.first
