"""Which exercise a reminder suggests: health filter, desk filter, rotation."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from deskguard.core.selection import ExerciseRotation, allowed, desk_friendly_ids


@dataclass(frozen=True)
class Facts:
    id: str
    desk_friendly: bool = True
    contraindications: tuple[str, ...] = ()


EXERCISES = (
    Facts("hamstring-stretch", desk_friendly=False, contraindications=("severe-pain",)),
    Facts("standing-back-bend", contraindications=("spinal-injury", "pregnancy")),
    Facts("quadriceps-stretch", contraindications=("severe-pain",)),
    Facts("neck-roll"),
    Facts("crunch", desk_friendly=False, contraindications=("pregnancy",)),
)


def test_an_exercise_is_allowed_unless_a_declared_condition_rules_it_out() -> None:
    bend = EXERCISES[1]
    assert allowed(bend, []) is True
    assert allowed(bend, ["bleeding"]) is True
    assert allowed(bend, ["pregnancy"]) is False
    assert allowed(bend, ["bleeding", "spinal-injury"]) is False
    assert allowed(Facts("free"), ["severe-pain", "pregnancy"]) is True


def test_only_desk_friendly_exercises_are_suggested_in_catalog_order() -> None:
    assert desk_friendly_ids(EXERCISES, []) == [
        "standing-back-bend",
        "quadriceps-stretch",
        "neck-roll",
    ]


@pytest.mark.parametrize(
    ("declared", "ids"),
    [
        (["severe-pain"], ["standing-back-bend", "neck-roll"]),
        (["pregnancy"], ["quadriceps-stretch", "neck-roll"]),
        (["severe-pain", "spinal-injury"], ["neck-roll"]),
        (["bleeding"], ["standing-back-bend", "quadriceps-stretch", "neck-roll"]),
    ],
)
def test_declared_conditions_remove_the_exercises_they_rule_out(
    declared: list[str], ids: list[str]
) -> None:
    assert desk_friendly_ids(EXERCISES, declared) == ids


def test_nothing_left_when_every_desk_exercise_is_ruled_out() -> None:
    only_ruled_out = [e for e in EXERCISES if e.contraindications]
    assert desk_friendly_ids(only_ruled_out, ["severe-pain", "spinal-injury"]) == []


def test_rotation_cycles_through_the_candidates_in_order() -> None:
    rotation = ExerciseRotation(["a", "b", "c"])
    assert [rotation.next() for _ in range(7)] == ["a", "b", "c", "a", "b", "c", "a"]
    assert rotation.last == "a"


def test_rotation_continues_after_the_last_suggestion() -> None:
    rotation = ExerciseRotation(["a", "b", "c"], last="b")
    assert [rotation.next() for _ in range(3)] == ["c", "a", "b"]


def test_a_last_suggestion_no_longer_offered_starts_from_the_first() -> None:
    rotation = ExerciseRotation(["a", "b"], last="removed")
    assert rotation.next() == "a"


def test_a_single_candidate_is_suggested_every_time() -> None:
    rotation = ExerciseRotation(["only"], last="only")
    assert [rotation.next() for _ in range(3)] == ["only", "only", "only"]


def test_no_candidates_means_no_exercise() -> None:
    rotation = ExerciseRotation([], last="a")
    assert rotation.next() is None
    assert rotation.next() is None
    assert rotation.last == "a"


def test_duplicate_candidates_count_once_and_the_list_is_a_copy() -> None:
    rotation = ExerciseRotation(["a", "b", "a", "c", "b"])
    assert rotation.candidates == ["a", "b", "c"]
    rotation.candidates.append("d")
    assert rotation.candidates == ["a", "b", "c"]
    assert [rotation.next() for _ in range(4)] == ["a", "b", "c", "a"]


ids = st.text(alphabet="abcdefgh-", min_size=1, max_size=6)


@given(
    candidates=st.lists(ids, min_size=2, max_size=8, unique=True),
    last=st.none() | ids,
    picks=st.integers(min_value=1, max_value=40),
)
def test_rotation_never_repeats_and_gives_each_candidate_its_turn(
    candidates: list[str], last: str | None, picks: int
) -> None:
    rotation = ExerciseRotation(candidates, last)
    chosen = [rotation.next() for _ in range(picks)]
    previous = [last, *chosen[:-1]]
    assert all(pick != before for pick, before in zip(chosen, previous, strict=True))
    assert all(pick in candidates for pick in chosen)
    n = len(candidates)
    for start in range(0, picks - n + 1):
        window = chosen[start : start + n]
        assert len(window) == n and set(window) == set(candidates)
    assert rotation.last == chosen[-1]


@given(candidates=st.lists(ids, min_size=1, max_size=8, unique=True), data=st.data())
def test_the_first_pick_follows_the_last_one(candidates: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(candidates) - 1))
    rotation = ExerciseRotation(candidates, last=candidates[index])
    assert rotation.next() == candidates[(index + 1) % len(candidates)]
