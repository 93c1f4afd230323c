"""Every shipped exercise's figure, checked in numbers against what the exercise guide says.

Each check reads the key poses as a person would look at the picture: which parts touch
the floor, which are lifted and by how much, which limb is straight, which way the body
leans. Each check also fails on the start pose, so none of them passes by default.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest

from deskguard.catalog import load_catalog
from deskguard.core.figure import (
    PILLOW_HEIGHT,
    SUPPORT_DISTANCE,
    SUPPORT_HEIGHT,
    TOWEL_HEIGHT,
    Body,
    Joint,
    KeyPoses,
    body,
    prop_under,
)
from deskguard.model.exercise import Exercise

ON_FLOOR = 1.0
"""cm: a surface this close to the floor (or its prop) rests on it."""


def exercise(exercise_id: str) -> Exercise:
    return load_catalog().exercise(exercise_id)


def bodies(item: Exercise) -> tuple[Body, Body, Body]:
    """The start pose and the held pose of the first and the second side, set down."""
    assert item.figure is not None
    keys = KeyPoses.of(item.position, item.figure, sided=item.side_count == 2)
    props = item.figure.props
    return (
        body(keys.start, item.position, props),
        body(keys.held[0], item.position, props),
        body(keys.held[1], item.position, props),
    )


def distance(figure: Body, a: Joint, b: Joint) -> float:
    (ax, ay), (bx, by) = figure.points[a], figure.points[b]
    return math.hypot(ax - bx, ay - by)


def inner_angle(figure: Body, a: Joint, middle: Joint, b: Joint) -> float:
    """The angle at `middle` between the limbs to `a` and `b`: 180 is straight."""
    (ax, ay), (mx, my), (bx, by) = (figure.points[j] for j in (a, middle, b))
    first = math.atan2(ay - my, ax - mx)
    second = math.atan2(by - my, bx - mx)
    turn = abs(math.degrees(first - second)) % 360
    return 360 - turn if turn > 180 else turn


def knee(figure: Body, side: str) -> float:
    return inner_angle(figure, "hip", f"{side}_knee", f"{side}_ankle")  # type: ignore[arg-type]


def on_floor(figure: Body, *joints: Joint) -> bool:
    return all(abs(figure.clearance(j)) < ON_FLOOR for j in joints)


def segment_distance(figure: Body, point: Joint, a: Joint, b: Joint) -> float:
    """How far `point` is from the limb between `a` and `b`."""
    (px, py), (ax, ay), (bx, by) = (figure.points[j] for j in (point, a, b))
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


# --------------------------------------------------------------------------- the checks


def hamstring_stretch(start: Body, held: Body, other: Body) -> None:
    # Lying on the back with both knees bent and the feet on the floor...
    assert on_floor(start, "hip", "shoulder", "left_ankle", "right_ankle")
    assert knee(start, "left") < 120 and knee(start, "right") < 120
    for raised, down, figure in (("left", "right", held), ("right", "left", other)):
        # ...one leg goes up with a straight knee, near vertical...
        assert knee(figure, raised) > 170
        hx, hy = figure.points["hip"]
        ax, ay = figure.points[f"{raised}_ankle"]  # type: ignore[literal-required]
        assert abs(math.degrees(math.atan2(ay - hy, ax - hx)) - 90) < 15
        # ...held by both hands behind the thigh, while the other foot stays down.
        for hand in ("left_hand", "right_hand"):
            assert segment_distance(figure, hand, "hip", f"{raised}_knee") < 8  # type: ignore[arg-type]
        assert on_floor(figure, "hip", "shoulder", f"{down}_ankle")  # type: ignore[arg-type]


def knees_to_chest(start: Body, held: Body, other: Body) -> None:
    assert on_floor(start, "hip", "shoulder", "left_ankle", "right_ankle")
    for side in ("left", "right"):
        # Both knees come up high, drawn toward the chest, the back stays down.
        assert held.clearance(f"{side}_knee") > 25  # type: ignore[arg-type]
        assert distance(held, f"{side}_knee", "shoulder") < 0.8 * distance(  # type: ignore[arg-type]
            start,
            f"{side}_knee",
            "shoulder",  # type: ignore[arg-type]
        )
        assert segment_distance(held, f"{side}_hand", f"{side}_knee", f"{side}_ankle") < 8  # type: ignore[arg-type]
    assert on_floor(held, "hip", "shoulder", "head")


def standing_back_bend(start: Body, held: Body, other: Body) -> None:
    # Upright, hands on the waist; facing right (the nose looks ahead).
    assert abs(start.x("shoulder") - start.x("hip")) < 3
    assert math.cos(math.radians(held.facing)) > -0.2
    for figure in (start, held):
        for hand in ("left_hand", "right_hand"):
            assert distance(figure, hand, "hip") < 20
        assert on_floor(figure, "left_ankle", "right_ankle")
    # Arching backwards: shoulders and head behind the hips, the face turned up.
    assert held.x("shoulder") < held.x("hip") - 10
    assert held.x("head") < held.x("shoulder")
    assert math.sin(math.radians(held.facing)) > 0.3


def quadriceps_stretch(start: Body, held: Body, other: Body) -> None:
    support_top = (start.x("hip") + SUPPORT_DISTANCE, SUPPORT_HEIGHT)
    for bent, standing, figure in (("left", "right", held), ("right", "left", other)):
        # One hand on the support, standing on one foot...
        hx, hy = figure.points[f"{standing}_hand"]  # type: ignore[literal-required]
        assert math.hypot(hx - support_top[0], hy - support_top[1]) < 12
        assert on_floor(figure, f"{standing}_ankle")  # type: ignore[arg-type]
        assert knee(figure, standing) > 170
        # ...the other foot drawn up behind to the buttocks, the hand on that foot.
        ankle = f"{bent}_ankle"
        assert figure.clearance(ankle) > 60  # type: ignore[arg-type]
        assert figure.x(ankle) < figure.x("hip")  # type: ignore[arg-type]
        assert distance(figure, ankle, "hip") < 25  # type: ignore[arg-type]
        assert distance(figure, f"{bent}_hand", ankle) < 8  # type: ignore[arg-type]
        assert figure.clearance(f"{bent}_knee") < start.clearance(f"{bent}_knee") + 5  # type: ignore[arg-type]


def crunch(start: Body, held: Body, other: Body) -> None:
    assert on_floor(start, "hip", "shoulder", "head", "left_ankle", "right_ankle")
    # Knees bent, pelvis down, head and shoulders lifted so the shoulder blades are off
    # the floor; the arms stay along the body.
    assert knee(held, "left") < 120
    assert on_floor(held, "hip", "left_ankle", "right_ankle")
    assert held.clearance("shoulder") > 8
    assert held.clearance("head") > held.clearance("shoulder")
    for hand in ("left_hand", "right_hand"):
        assert inner_angle(held, hand, "shoulder", "hip") < 25


def oblique_crunch(start: Body, held: Body, other: Body) -> None:
    assert on_floor(start, "hip", "shoulder", "head")
    for figure in (held, other):
        # Head and shoulders up, both hands stretched forward past the hips.
        assert figure.clearance("shoulder") > 8
        assert on_floor(figure, "hip")
        for hand in ("left_hand", "right_hand"):
            assert figure.x(hand) > figure.x("hip")
            assert figure.clearance(hand) > 10


def back_extension(start: Body, held: Body, other: Body) -> None:
    assert on_floor(start, "hip", "shoulder", "head", "left_toe", "right_toe")
    # Face down: head and shoulders well above the floor line, pelvis and feet on it,
    # the arms along the body.
    assert held.clearance("head") > 15 and held.clearance("shoulder") > 10
    assert on_floor(held, "hip", "left_ankle", "right_ankle", "left_toe", "right_toe")
    for hand in ("left_hand", "right_hand"):
        assert inner_angle(held, hand, "shoulder", "hip") < 25


def opposite_arm_leg_raise(start: Body, held: Body, other: Body) -> None:
    # Forehead on the towel, pelvis on the pillow, arms out past the head on the floor.
    assert abs(start.clearance("head") - TOWEL_HEIGHT) < ON_FLOOR
    assert abs(start.clearance("hip") - PILLOW_HEIGHT) < ON_FLOOR
    assert on_floor(start, "left_hand", "right_hand", "left_ankle", "right_ankle")
    for hand in ("left_hand", "right_hand"):
        assert start.x(hand) < start.x("head")
    for figure, hand_side, leg_side in ((held, "left", "right"), (other, "right", "left")):
        lifted_hands = [
            side for side in ("left", "right")
            if figure.clearance(f"{side}_hand") - start.clearance(f"{side}_hand") > ON_FLOOR  # type: ignore[arg-type]
        ]  # fmt: skip
        lifted_feet = [
            side for side in ("left", "right")
            if figure.clearance(f"{side}_ankle") - start.clearance(f"{side}_ankle") > ON_FLOOR  # type: ignore[arg-type]
        ]  # fmt: skip
        # One hand and the foot of the other side, each lifted a few cm...
        assert lifted_hands == [hand_side] and lifted_feet == [leg_side]
        assert 2 <= figure.clearance(f"{hand_side}_hand") <= 8  # type: ignore[arg-type]
        assert 3 <= figure.clearance(f"{leg_side}_ankle") <= 5  # type: ignore[arg-type]
        # ...at opposite ends of the body, the raised knee straight.
        assert figure.x(f"{hand_side}_hand") < figure.x("head")  # type: ignore[arg-type]
        assert figure.x(f"{leg_side}_ankle") > figure.x("hip")  # type: ignore[arg-type]
        assert knee(figure, leg_side) > 175


CHECKS: dict[str, Callable[[Body, Body, Body], None]] = {
    "hamstring-stretch": hamstring_stretch,
    "knees-to-chest": knees_to_chest,
    "standing-back-bend": standing_back_bend,
    "quadriceps-stretch": quadriceps_stretch,
    "crunch": crunch,
    "oblique-crunch": oblique_crunch,
    "back-extension": back_extension,
    "opposite-arm-leg-raise": opposite_arm_leg_raise,
}


def test_every_shipped_exercise_has_a_figure_and_a_check() -> None:
    catalog = load_catalog()
    assert sorted(CHECKS) == sorted(catalog.ids)
    assert all(item.figure is not None for item in catalog.exercises.values())


@pytest.mark.parametrize("exercise_id", sorted(CHECKS))
def test_the_key_poses_match_the_guide(exercise_id: str) -> None:
    CHECKS[exercise_id](*bodies(exercise(exercise_id)))


@pytest.mark.parametrize("exercise_id", sorted(CHECKS))
def test_the_check_fails_on_the_start_pose(exercise_id: str) -> None:
    start, _held, _other = bodies(exercise(exercise_id))
    with pytest.raises(AssertionError):
        CHECKS[exercise_id](start, start, start)


@pytest.mark.parametrize("exercise_id", sorted(CHECKS))
def test_every_pose_rests_on_the_floor_and_nothing_sinks_into_it(exercise_id: str) -> None:
    for figure in bodies(exercise(exercise_id)):
        clearances = [
            figure.clearance(joint) - prop_under(joint, figure.props) for joint in figure.points
        ]
        assert min(clearances) == pytest.approx(0.0, abs=1e-9)
