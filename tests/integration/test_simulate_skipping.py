"""Skipping steady polls changes nothing: on random traces and settings, a simulation that
jumps over the polls where nothing can change gives the same timeline and the same history
as one that ticks at every poll, as the daemon's scheduler does."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from deskguard.core.trace import EVENTS, TraceRow
from deskguard.daemon.simulation import Simulation
from deskguard.model.settings import Settings
from tests.support.in_process import config_with

START = datetime(2026, 1, 5, 8, 0)  # a Monday

PERIODS = [
    (),
    ("mon-fri 08:30-12:00", "mon-fri 13:00-17:15"),
    ("tue,thu 09:00-09:20", "sun 23:00-24:00"),
    ("08:05-08:10",),
]


@st.composite
def setups(draw: st.DrawFn) -> Settings:
    base = Settings()
    reminder = replace(
        base.reminder,
        sit_limit=draw(st.sampled_from([60, 300, 2700])),
        snooze=draw(st.sampled_from([30, 120, 600])),
        max_snoozes=draw(st.integers(0, 3)),
        natural_break=draw(st.sampled_from([20, 60, 300])),
    )
    activity = replace(base.activity, poll=draw(st.sampled_from([7, 10, 60])))
    schedule = replace(base.schedule, active=draw(st.sampled_from(PERIODS)))
    return replace(base, reminder=reminder, activity=activity, schedule=schedule)


def gaps(fraction: st.SearchStrategy[float]) -> st.SearchStrategy[float]:
    """Seconds between rows: mostly short, some hours, now and then most of a day."""
    whole = st.one_of(
        st.integers(0, 30), st.integers(0, 4000), st.integers(0, 20000), st.integers(0, 80000)
    )
    return st.builds(lambda seconds, part: seconds + part, whole, fraction)


def traces(fraction: st.SearchStrategy[float]) -> st.SearchStrategy[list[TraceRow]]:
    idle = st.one_of(st.just(0.0), st.integers(0, 400).map(float), fraction)
    event = st.sampled_from(["", "", "", "", *EVENTS[1:]])
    steps = st.lists(st.tuples(gaps(fraction), idle, event), min_size=1, max_size=25)

    def rows(parts: list[tuple[float, float, str]]) -> list[TraceRow]:
        t, out = 0.0, []
        for gap, idle_seconds, name in parts:
            t += gap
            out.append(TraceRow(t, idle_seconds, name))
        return out

    return steps.map(rows)


def replay(chosen: Settings, rows: list[TraceRow], skip_steady: bool) -> dict[str, Any]:
    simulation = Simulation(config_with(chosen), START, skip_steady=skip_steady)
    try:
        events = simulation.run(rows)
        return {"events": events, "history": simulation.session.adapters.history.export_rows()}
    finally:
        simulation.close()


# Quarter seconds add up exactly in binary floating point: the two must be identical.
EXACT = st.sampled_from([0.0, 0.25, 0.5, 0.75])


@settings(max_examples=150, deadline=None)
@given(setups(), traces(EXACT))
def test_skipping_gives_the_timeline_and_history_of_ticking_every_poll(
    chosen: Settings, rows: list[TraceRow]
) -> None:
    assert replay(chosen, rows, skip_steady=True) == replay(chosen, rows, skip_steady=False)


@settings(max_examples=60, deadline=None)
@given(setups(), traces(st.floats(0, 1, allow_nan=False, exclude_max=True)))
def test_with_any_fractions_the_timelines_differ_at_most_in_rounding(
    chosen: Settings, rows: list[TraceRow]
) -> None:
    skipped = replay(chosen, rows, skip_steady=True)["events"]
    ticked = replay(chosen, rows, skip_steady=False)["events"]
    assert [event["kind"] for event in skipped] == [event["kind"] for event in ticked]
    for one, other in zip(skipped, ticked, strict=True):
        assert math.isclose(one["t"], other["t"], abs_tol=1e-6)
        assert one.keys() == other.keys()


def test_a_long_steady_span_is_read_a_few_times_only() -> None:
    """Ten days sitting without a break: a reminder, then nothing ticks until the next row."""
    simulation = Simulation(config_with(Settings()), START)
    reads: list[float] = []
    original = simulation.session.tick

    async def counting_tick() -> None:
        reads.append(simulation.clock.now)
        await original()

    simulation.session.tick = counting_tick  # type: ignore[method-assign]
    try:
        events = simulation.run([TraceRow(0, 0, ""), TraceRow(864_000, 0, "")])
    finally:
        simulation.close()
    assert [(event["t"], event["kind"]) for event in events] == [(2700, "reminder")]
    assert len(reads) < 10, reads
