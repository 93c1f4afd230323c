"""The stick figure's geometry: from segment directions to points on a floor, in cm.

Pure: a pose (deskguard.model.figure) becomes the positions of the joints by walking the
body from the pelvis outwards, then the whole body is set down so its lowest part rests
on the floor (y = 0), or on the pillow or the towel where the exercise uses them.
`Movement` says which pose the figure is in at each moment of a routine step: moving
into the position while the user gets ready, still while the countdown runs, back and
forth between repetitions, across to the other side. Nothing here draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from deskguard.model.figure import SEGMENTS, Figure, Pose, Segment

if TYPE_CHECKING:
    from deskguard.model.exercise import Position

Point = tuple[float, float]
Angles = Mapping[Segment, float]
Joint = Literal[
    "hip",
    "shoulder",
    "head",
    "left_elbow",
    "left_hand",
    "right_elbow",
    "right_hand",
    "left_knee",
    "left_ankle",
    "left_toe",
    "right_knee",
    "right_ankle",
    "right_toe",
]

# An adult of about 1.75 m. Each segment: the joint it starts at, the one it ends at, cm.
BONES: dict[Segment, tuple[Joint, Joint, float]] = {
    "torso": ("hip", "shoulder", 52.0),
    "head": ("shoulder", "head", 22.0),
    "left_upper_arm": ("shoulder", "left_elbow", 30.0),
    "left_forearm": ("left_elbow", "left_hand", 36.0),
    "right_upper_arm": ("shoulder", "right_elbow", 30.0),
    "right_forearm": ("right_elbow", "right_hand", 36.0),
    "left_thigh": ("hip", "left_knee", 46.0),
    "left_shin": ("left_knee", "left_ankle", 44.0),
    "left_foot": ("left_ankle", "left_toe", 18.0),
    "right_thigh": ("hip", "right_knee", 46.0),
    "right_shin": ("right_knee", "right_ankle", 44.0),
    "right_foot": ("right_ankle", "right_toe", 18.0),
}
HEAD_RADIUS = 11.0
TORSO_RADIUS = 9.0
LIMB_RADIUS = 5.0
PILLOW_HEIGHT = 8.0
TOWEL_HEIGHT = 6.0
SUPPORT_DISTANCE = 44.0
"""How far in front of the pelvis the support stands (the figure faces right)."""
SUPPORT_HEIGHT = 100.0
"""A chair back or a high desk."""

# The posture each position starts from; a start pose changes only what it names.
# Standing figures face right; lying ones have the head on the left. Lying limbs point a
# little down and the head a little up: they are thinner or thicker than the trunk, and
# rest on the floor beside it.
NEUTRAL: dict[str, dict[Segment, float]] = {
    "standing": {
        "torso": 90, "head": 90,
        "left_upper_arm": -90, "left_forearm": -90, "right_upper_arm": -90, "right_forearm": -90,
        "left_thigh": -90, "left_shin": -90, "left_foot": 0,
        "right_thigh": -90, "right_shin": -90, "right_foot": 0,
    },
    "lying-on-back": {
        "torso": 180, "head": 174.8,
        "left_upper_arm": -7.5, "left_forearm": 0, "right_upper_arm": -7.5, "right_forearm": 0,
        "left_thigh": -5, "left_shin": 0, "left_foot": 90,
        "right_thigh": -5, "right_shin": 0, "right_foot": 90,
    },
    "lying-face-down": {
        "torso": 180, "head": 174.8,
        "left_upper_arm": -7.5, "left_forearm": 0, "right_upper_arm": -7.5, "right_forearm": 0,
        "left_thigh": -5, "left_shin": 0, "left_foot": 0,
        "right_thigh": -5, "right_shin": 0, "right_foot": 0,
    },
    "all-fours": {
        "torso": 160, "head": 170,
        "left_upper_arm": -90, "left_forearm": -90, "right_upper_arm": -90, "right_forearm": -90,
        "left_thigh": -90, "left_shin": 0, "left_foot": 0,
        "right_thigh": -90, "right_shin": 0, "right_foot": 0,
    },
}  # fmt: skip


# Which way the face looks, as a turn from the head's direction: standing figures look
# ahead (right), lying on the back up, face down and on all fours at the floor.
FACE_TURN: dict[str, float] = {
    "standing": -90.0,
    "lying-on-back": -90.0,
    "lying-face-down": 90.0,
    "all-fours": 90.0,
}


def _radius(joint: Joint) -> float:
    if joint == "head":
        return HEAD_RADIUS
    return TORSO_RADIUS if joint in ("hip", "shoulder") else LIMB_RADIUS


def mirrored_segment(segment: Segment) -> Segment:
    """The same segment on the other side of the body (torso and head stay)."""
    for this, other in (("left_", "right_"), ("right_", "left_")):
        if segment.startswith(this):
            return segment.replace(this, other, 1)  # type: ignore[return-value]
    return segment


def mirrored(angles: Angles) -> dict[Segment, float]:
    """The pose with left and right swapped: the other side doing the same."""
    return {mirrored_segment(segment): value for segment, value in angles.items()}


def _applied(base: Angles, pose: Pose) -> dict[Segment, float]:
    return {**base, **pose.given()}


@dataclass(frozen=True)
class KeyPoses:
    """Every segment's direction in the start pose and the held pose of each side."""

    start: Angles
    held: tuple[Angles, Angles]
    """(first side, second side); the same pose twice for an exercise without sides."""
    working: tuple[frozenset[Segment], frozenset[Segment]]

    @classmethod
    def of(cls, position: Position, figure: Figure, *, sided: bool) -> KeyPoses:
        start = _applied(NEUTRAL[position], figure.start)
        held = _applied(start, figure.held)
        if not sided:
            other: Angles = held
        elif figure.other_side is not None:
            other = _applied(start, figure.other_side)
        else:
            other = mirrored(held)
        working = frozenset(figure.working)
        other_working = frozenset(map(mirrored_segment, working)) if sided else working
        return cls(start, (held, other), (working, other_working))


def shortest_turn(start: float, end: float) -> float:
    """The signed turn in degrees from `start` to `end` that is at most half a circle."""
    return (end - start + 180.0) % 360.0 - 180.0


def between(start: Angles, end: Angles, fraction: float) -> dict[Segment, float]:
    """The pose `fraction` (0..1) of the way from `start` to `end`, each segment turning
    the short way round."""
    return {s: start[s] + shortest_turn(start[s], end[s]) * fraction for s in SEGMENTS}


@dataclass(frozen=True)
class Body:
    """The joints of one pose, set down on the floor (y = 0, up is positive), in cm."""

    points: Mapping[Joint, Point]
    props: tuple[str, ...]
    facing: float
    """The direction the face looks, in degrees."""
    support_x: float | None = None

    def clearance(self, joint: Joint) -> float:
        """How high the surface of the body at `joint` is above the floor, in cm."""
        return self.points[joint][1] - _radius(joint)

    def x(self, joint: Joint) -> float:
        return self.points[joint][0]

    def y(self, joint: Joint) -> float:
        return self.points[joint][1]


def _walked(angles: Angles) -> dict[Joint, Point]:
    """Joint positions with the pelvis at (0, 0); BONES lists parents before children."""
    points: dict[Joint, Point] = {"hip": (0.0, 0.0)}
    for segment, (parent, child, length) in BONES.items():
        x, y = points[parent]
        rad = math.radians(angles[segment])
        points[child] = (x + length * math.cos(rad), y + length * math.sin(rad))
    return points


def prop_under(joint: Joint, props: tuple[str, ...]) -> float:
    """What lies between this joint and the floor."""
    if joint == "hip" and "pillow" in props:
        return PILLOW_HEIGHT
    if joint == "head" and "towel" in props:
        return TOWEL_HEIGHT
    return 0.0


def body(angles: Angles, position: Position, props: tuple[str, ...] = ()) -> Body:
    """The pose's joints with the lowest part of the body on the floor (or on a prop)."""
    points = _walked(angles)
    lift = -min(y - _radius(j) - prop_under(j, props) for j, (_x, y) in points.items())
    grounded = {joint: (x, y + lift) for joint, (x, y) in points.items()}
    support = SUPPORT_DISTANCE if "support" in props else None
    facing = angles["head"] + FACE_TURN[position]
    return Body(grounded, props, facing, support)


# --------------------------------------------------------------------------- movement

MOVE_SECONDS = 3.0
"""How long moving into (or out of) a position takes on screen, in routine seconds."""
StepKind = Literal["prepare", "hold", "rest", "change-side"]


def _ease(fraction: float) -> float:
    """Slow at both ends, like a body starting and stopping a movement."""
    fraction = min(max(fraction, 0.0), 1.0)
    return fraction * fraction * (3.0 - 2.0 * fraction)


def side_index(side: str | None) -> int:
    """0 for the first side of a routine step ("left leg", "left side" or none), 1 for
    the second."""
    return 1 if side is not None and side.startswith("right") else 0


@dataclass(frozen=True)
class Moment:
    """The figure at one moment: its pose, what is highlighted, and whether it moves."""

    angles: Angles
    working: frozenset[Segment]
    moving: bool


class Movement:
    """Which pose an exercise's figure is in during each kind of routine step.

    Getting ready: still in the start pose, then moving into the held one in the step's
    last MOVE_SECONDS. Holding: still in the held pose for the whole countdown. Resting
    between repetitions: back to the start pose and into the held one again. Changing
    side: out of the first side's held pose and into the second's.
    """

    def __init__(self, keys: KeyPoses) -> None:
        self.keys = keys

    @classmethod
    def of(cls, position: Position, figure: Figure, *, sided: bool) -> Movement:
        return cls(KeyPoses.of(position, figure, sided=sided))

    def at(self, kind: StepKind, elapsed: float, seconds: float, side: str | None) -> Moment:
        """The figure `elapsed` seconds into a step of `kind` lasting `seconds`."""
        index = side_index(side)
        start, held = self.keys.start, self.keys.held[index]
        working = self.keys.working[index]
        if kind == "hold":
            return Moment(held, working, moving=False)
        if kind == "prepare":
            move = min(MOVE_SECONDS, seconds * 0.6)
            return self._travel(start, held, (elapsed - (seconds - move)) / move, working)
        # A rest or a side change goes back to the start pose in its first half and
        # into the (next) held pose in its second: the "returning" between holds.
        came_from = self.keys.held[1 - index] if kind == "change-side" else held
        half = seconds / 2 if seconds > 0 else 1.0
        if elapsed < half:
            return self._travel(came_from, start, elapsed / half, working)
        return self._travel(start, held, (elapsed - half) / half, working)

    @staticmethod
    def _travel(start: Angles, end: Angles, fraction: float, working: frozenset[Segment]) -> Moment:
        moving = 0.0 < fraction < 1.0
        return Moment(between(start, end, _ease(fraction)), working, moving)
