"""The routine timeline: durations, what is left out and why, order, and frames."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deskguard.catalog import Catalog, Exercise, UnknownExerciseError, load_catalog
from deskguard.core.routine import (
    GET_READY,
    POSITION_CHANGE,
    QUICK_MAX_SECONDS,
    QUICK_MIN_SECONDS,
    REP_REST,
    SIDE_CHANGE,
    Routine,
)
from deskguard.core.routine_plan import custom_routine, full_routine, quick_routine
from deskguard.model.settings import CONTRAINDICATIONS

CATALOG = load_catalog()
IDS = list(CATALOG.exercises)
FLOOR = {"hamstring-stretch", "knees-to-chest", "crunch", "oblique-crunch", "back-extension",
         "opposite-arm-leg-raise"}  # fmt: skip
DESK_FRIENDLY = {"standing-back-bend", "quadriceps-stretch"}


def expected_block(exercise: Exercise, reps: int, first: bool) -> int:
    """The block length written out from the catalog's numbers, independently of the code."""
    sides = 2 if exercise.sides in ("per-leg", "per-side") else 1
    holds = exercise.hold.max_seconds * reps * sides
    rests = REP_REST * (reps - 1) * sides + SIDE_CHANGE * (sides - 1)
    return (GET_READY if first else POSITION_CHANGE) + holds + rests


def kinds_in_order(routine: Routine) -> list[str]:
    """The sequence of kinds with repeats collapsed: stretch, strength, stretch."""
    return [kind for kind, _group in itertools.groupby(e.kind for e in routine.exercises)]


def with_contraindications(catalog: Catalog, changes: dict[str, tuple[str, ...]]) -> Catalog:
    exercises = {
        key: replace(e, contraindications=changes[key]) if key in changes else e
        for key, e in catalog.exercises.items()
    }
    return replace(catalog, exercises=exercises)


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize("exercise_id", IDS)
def test_one_exercise_lasts_its_holds_times_reps_times_sides_plus_rests(exercise_id: str) -> None:
    exercise = CATALOG.exercises[exercise_id]
    routine = custom_routine(CATALOG, [exercise_id]).routine
    assert routine.total_seconds == expected_block(exercise, exercise.repetitions.count, True)
    holds = [s for s in routine.steps if s.kind == "hold"]
    assert len(holds) == exercise.repetitions.count * exercise.side_count
    assert {s.seconds for s in holds} == {exercise.hold.max_seconds}
    assert sum(s.seconds for s in holds) == exercise.total_seconds()


def test_durations_by_hand() -> None:
    # Standing back bend: 5 s get ready, 5 holds of 5 s, 4 rests of 3 s.
    assert custom_routine(CATALOG, ["standing-back-bend"]).routine.total_seconds == 42
    # Quadriceps: 5 s ready, 3 × 30 s per leg, 2 rests per leg, 5 s to change legs.
    assert custom_routine(CATALOG, ["quadriceps-stretch"]).routine.total_seconds == 202
    both = custom_routine(CATALOG, ["standing-back-bend", "quadriceps-stretch"]).routine
    assert both.total_seconds == 42 + POSITION_CHANGE + (202 - GET_READY) == 249


def test_several_exercises_add_up_with_position_changes_between() -> None:
    routine = custom_routine(CATALOG, IDS).routine
    expected = sum(
        expected_block(CATALOG.exercises[i], CATALOG.exercises[i].repetitions.count, n == 0)
        for n, i in enumerate(IDS)
    )
    assert routine.total_seconds == expected
    assert routine.holds == sum(
        e.repetitions.count * e.side_count for e in CATALOG.exercises.values()
    )


def test_steps_follow_each_other_without_gaps() -> None:
    routine = custom_routine(CATALOG, IDS).routine
    assert routine.steps[0].start == 0
    for before, after in itertools.pairwise(routine.steps):
        assert after.start == before.end


def test_sides_finish_every_repetition_on_one_side_first() -> None:
    routine = custom_routine(CATALOG, ["quadriceps-stretch"]).routine
    assert [s.label for s in routine.steps] == [
        "get ready",
        "rep 1 of 3 · left leg",
        "rest",
        "rep 2 of 3 · left leg",
        "rest",
        "rep 3 of 3 · left leg",
        "change to the right leg",
        "rep 1 of 3 · right leg",
        "rest",
        "rep 2 of 3 · right leg",
        "rest",
        "rep 3 of 3 · right leg",
    ]
    oblique = custom_routine(CATALOG, ["oblique-crunch"]).routine
    assert [s.rep_label for s in oblique.steps if s.kind == "hold"][9:11] == [
        "rep 10 of 10 · left side",
        "rep 1 of 10 · right side",
    ]


def test_a_routine_needs_at_least_one_repetition() -> None:
    with pytest.raises(ValueError, match="at least one repetition"):
        Routine.from_entries("custom", [(CATALOG.exercises["crunch"], 0)])


# --------------------------------------------------------------------------- left out


def test_a_declared_contraindication_removes_the_exercises_it_blocks_with_the_reason() -> None:
    catalog = with_contraindications(
        CATALOG, {"crunch": ("pregnancy",), "back-extension": ("spinal-injury",)}
    )
    catalog = with_contraindications(
        catalog, {i: () for i in IDS if i not in ("crunch", "back-extension")}
    )
    plan = full_routine(catalog, ["pregnancy"], 3600, at_desk=False)
    assert [e.id for e in plan.routine.exercises if e.id == "crunch"] == []
    assert "back-extension" in [e.id for e in plan.routine.exercises]
    (left,) = plan.left_out
    assert left.exercise_id == "crunch"
    assert "Pregnancy" in left.reason and "declared" in left.reason


def test_with_the_shipped_catalog_any_declared_condition_blocks_every_exercise() -> None:
    for condition in CONTRAINDICATIONS:
        plan = full_routine(CATALOG, [condition], 600, at_desk=False)
        assert plan.routine.empty
        assert [x.exercise_id for x in plan.left_out] == IDS
        name = CATALOG.contraindications[condition].name
        assert all(name in x.reason for x in plan.left_out)
        assert quick_routine(CATALOG, [condition]).routine.empty
        custom = custom_routine(CATALOG, ["standing-back-bend"], [condition])
        assert custom.routine.empty and custom.left_out[0].exercise_id == "standing-back-bend"


def test_at_desk_leaves_out_floor_exercises_and_says_why() -> None:
    plan = full_routine(CATALOG, [], 3600, at_desk=True)
    assert {e.id for e in plan.routine.exercises} == DESK_FRIENDLY
    assert {x.exercise_id for x in plan.left_out} == FLOOR
    reasons = {x.exercise_id: x.reason for x in plan.left_out}
    assert "lying face down on the floor" in reasons["back-extension"]
    assert "lying on your back on the floor" in reasons["crunch"]
    assert all("at_desk" in reason for reason in reasons.values())
    away = full_routine(CATALOG, [], 3600, at_desk=False)
    assert {e.id for e in away.routine.exercises} >= FLOOR


def test_too_short_a_length_leaves_out_what_does_not_fit_even_once() -> None:
    plan = full_routine(CATALOG, [], 60, at_desk=False)
    assert plan.routine.total_seconds <= 60
    kept = {e.id for e in plan.routine.exercises}
    dropped = {x.exercise_id for x in plan.left_out}
    assert kept and dropped and kept | dropped == set(IDS)
    assert all("does not fit in the routine length of 1 min" in x.reason for x in plan.left_out)
    assert full_routine(CATALOG, [], 4, at_desk=False).routine.empty


def test_custom_routine_rejects_unknown_ids_listing_the_known_ones() -> None:
    with pytest.raises(UnknownExerciseError) as caught:
        custom_routine(CATALOG, ["standing-back-bend", "cartwheel"])
    assert caught.value.exercise_id == "cartwheel"
    assert caught.value.known == IDS


def test_custom_routine_keeps_the_order_and_full_doses() -> None:
    plan = custom_routine(CATALOG, ["crunch", "standing-back-bend", "crunch"])
    assert [(e.id, r) for e, r in plan.routine.entries] == [
        ("crunch", 10),
        ("standing-back-bend", 5),
        ("crunch", 10),
    ]
    assert plan.routine.kind == "custom" and not plan.shortened


# --------------------------------------------------------------------------- quick


@pytest.mark.parametrize("last", [None, *sorted(DESK_FRIENDLY), "crunch"])
def test_quick_is_one_or_two_desk_friendly_exercises_of_one_to_two_minutes(
    last: str | None,
) -> None:
    plan = quick_routine(CATALOG, [], last)
    routine = plan.routine
    assert QUICK_MIN_SECONDS <= routine.total_seconds <= QUICK_MAX_SECONDS
    assert 60 <= routine.total_seconds <= 120
    assert 1 <= len(routine.exercises) <= 2
    assert all(e.desk_friendly for e in routine.exercises)
    assert routine.kind == "quick"


def test_quick_rotates_after_the_last_exercise_and_says_what_it_trimmed() -> None:
    after_bend = quick_routine(CATALOG, [], "standing-back-bend")
    assert after_bend.routine.exercises[0].id == "quadriceps-stretch"
    assert after_bend.shortened == ("Standing quadriceps stretch: 1 of 3 times per leg",)
    fresh = quick_routine(CATALOG, [])
    assert [(e.id, r) for e, r in fresh.routine.entries] == [
        ("standing-back-bend", 5),
        ("quadriceps-stretch", 1),
    ]
    assert fresh.routine.total_seconds == 42 + POSITION_CHANGE + 2 * 30 + SIDE_CHANGE


@pytest.mark.parametrize("named", sorted(DESK_FRIENDLY))
def test_quick_begins_with_the_exercise_the_reminder_named(named: str) -> None:
    for last in (None, *sorted(DESK_FRIENDLY)):
        plan = quick_routine(CATALOG, [], last, first=named)
        assert plan.routine.exercises[0].id == named


def test_quick_ignores_a_named_exercise_it_cannot_begin_with() -> None:
    assert quick_routine(CATALOG, [], first="crunch") == quick_routine(CATALOG, [])
    ruled_out = quick_routine(CATALOG, ["pregnancy"], first="standing-back-bend")
    assert ruled_out == quick_routine(CATALOG, ["pregnancy"])
    assert ruled_out.routine.empty  # both desk exercises are ruled out in pregnancy


def test_the_shortened_exercises_are_told_in_one_line() -> None:
    from deskguard.core.routine_plan import Plan
    from deskguard.routine.launch import describe_plan

    plan = quick_routine(CATALOG, [])
    two = Plan(plan.routine, plan.left_out, (*plan.shortened, "Standing back bend: 2 of 5 times"))
    shortened = [line for line in describe_plan(two, CATALOG) if line.startswith("Shortened")]
    assert shortened == [
        "Shortened: Standing quadriceps stretch: 1 of 3 times per leg;"
        " Standing back bend: 2 of 5 times"
    ]


# --------------------------------------------------------------------------- full


def test_full_routine_goes_stretch_then_strength_then_stretch() -> None:
    assert CATALOG.routine.order == ("stretch", "strength", "stretch")
    for length in (300, 600, 3600):
        routine = full_routine(CATALOG, [], length, at_desk=False).routine
        assert kinds_in_order(routine) == ["stretch", "strength", "stretch"]


def test_full_routine_with_room_for_everything_does_everything_once_in_full() -> None:
    plan = full_routine(CATALOG, [], 3600, at_desk=False)
    assert not plan.left_out and not plan.shortened
    assert sorted(e.id for e in plan.routine.exercises) == sorted(IDS)
    assert all(r == e.repetitions.count for e, r in plan.routine.entries)
    expected = sum(
        expected_block(e, e.repetitions.count, n == 0) for n, e in enumerate(plan.routine.exercises)
    )
    assert plan.routine.total_seconds == expected


def test_full_routine_of_ten_minutes_keeps_every_phase_and_cuts_repetitions() -> None:
    plan = full_routine(CATALOG, [], 600, at_desk=False)
    routine = plan.routine
    assert routine.total_seconds <= 600
    assert kinds_in_order(routine) == ["stretch", "strength", "stretch"]
    assert not plan.left_out
    assert len(plan.shortened) == len(routine.exercises)
    cut = {e.id: r for e, r in routine.entries}
    assert cut["crunch"] < 10 and cut["crunch"] >= 1


# --------------------------------------------------------------------------- frames


def test_frames_at_chosen_seconds() -> None:
    routine = custom_routine(CATALOG, ["quadriceps-stretch", "standing-back-bend"]).routine
    start = routine.at(0)
    assert (start.step.kind, start.countdown, start.next) == ("prepare", 5, "rep 1 of 3 · left leg")
    assert start.exercise.id == "quadriceps-stretch" and start.progress == 0
    assert start.instruction.startswith("Get into position: ")

    hold = routine.at(5)
    assert hold.rep_label == "rep 1 of 3 · left leg"
    assert (hold.countdown, hold.remaining) == (30, 30)
    assert hold.next == "rep 2 of 3 · left leg"
    assert hold.instruction == "Hold the stretch and breathe calmly."
    assert routine.at(34.5).countdown == 1

    rest = routine.at(35)
    assert (rest.step.kind, rest.countdown, rest.next) == ("rest", 3, "rep 2 of 3 · left leg")

    change = routine.at(101)  # 5 + 3 × 30 + 2 × 3
    assert change.step.kind == "change-side" and change.step.label == "change to the right leg"
    assert change.next == "rep 1 of 3 · right leg"
    assert routine.at(106).rep_label == "rep 1 of 3 · right leg"

    last_quad_hold = routine.at(201)
    assert last_quad_hold.rep_label == "rep 3 of 3 · right leg"
    assert last_quad_hold.next == "Standing back bend"
    bend = routine.at(202)
    assert bend.exercise.id == "standing-back-bend" and bend.countdown == POSITION_CHANGE

    total = routine.total_seconds
    assert routine.at(total / 2).progress == pytest.approx(0.5)
    end = routine.at(total)
    assert end.finished and end.progress == 1 and end.remaining == 0 and end.next == ""
    assert routine.at(total + 50).finished
    assert routine.at(total - 0.5).next == "" and not routine.at(total - 0.5).finished


def test_an_empty_routine_has_no_frames() -> None:
    with pytest.raises(ValueError):
        Routine("custom", ()).at(0)


# --------------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(
    length=st.integers(min_value=0, max_value=4000),
    at_desk=st.booleans(),
    declared=st.lists(st.sampled_from(CONTRAINDICATIONS), max_size=2, unique=True),
    blocked=st.dictionaries(st.sampled_from(IDS), st.sampled_from(CONTRAINDICATIONS)),
)
def test_full_routine_never_exceeds_its_length(
    length: int, at_desk: bool, declared: list[str], blocked: dict[str, str]
) -> None:
    # Vary which exercise each condition blocks, so partial removals get exercised too.
    catalog = with_contraindications(
        CATALOG, {i: ((blocked[i],) if i in blocked else ()) for i in IDS}
    )
    plan = full_routine(catalog, declared, length, at_desk)
    routine = plan.routine
    assert routine.total_seconds <= length
    kept = [e.id for e in routine.exercises]
    left = [x.exercise_id for x in plan.left_out]
    assert sorted(kept + left) == sorted(IDS)  # each exercise either in, or out with a reason
    for exercise, reps in routine.entries:
        assert 1 <= reps <= exercise.repetitions.count
        assert not set(exercise.contraindications) & set(declared)
        assert not at_desk or exercise.position == "standing"
    kinds = kinds_in_order(routine)
    assert kinds in ([], ["stretch"], ["strength"], ["stretch", "strength"],
                     ["strength", "stretch"], ["stretch", "strength", "stretch"])  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(
    ids=st.lists(st.sampled_from(IDS), min_size=1, max_size=4),
    fraction=st.floats(min_value=0, max_value=1),
)
def test_every_second_shows_the_step_it_falls_in(ids: list[str], fraction: float) -> None:
    routine = custom_routine(CATALOG, ids).routine
    second = fraction * routine.total_seconds
    frame = routine.at(second)
    assert 0 <= frame.progress <= 1
    if frame.finished:
        assert second == routine.total_seconds
    else:
        assert frame.step.start <= second < frame.step.end
        assert 0 < frame.remaining <= frame.step.seconds
        assert frame.countdown >= 1
