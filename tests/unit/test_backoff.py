"""Backoff: the waits between attempts to reach a server that went away."""

from __future__ import annotations

import pytest

from deskguard.core.backoff import Backoff


def test_delays_double_up_to_the_most() -> None:
    backoff = Backoff(first=1.0, most=30.0)
    assert [backoff.next_delay() for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


def test_a_reset_starts_over_from_the_first_delay() -> None:
    backoff = Backoff(first=0.5, most=4.0)
    assert [backoff.next_delay() for _ in range(3)] == [0.5, 1.0, 2.0]
    backoff.reset()
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]


@pytest.mark.parametrize(("first", "most"), [(0.0, 30.0), (-1.0, 30.0), (40.0, 30.0)])
def test_delays_that_make_no_sense_are_refused(first: float, most: float) -> None:
    with pytest.raises(ValueError, match="need 0 < first <= most"):
        Backoff(first=first, most=most)
