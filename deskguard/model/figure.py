"""An exercise's movement as data: key poses of a simple stick figure seen from the side.

A pose gives the direction of body segments in degrees, measured counter-clockwise from
"pointing right" on the picture (0 right, 90 up, 180 left, -90 down). Directions rather
than joint positions, so a segment keeps its length whatever the numbers say, and rather
than angles relative to the parent segment, so a pose reads the way it is drawn: a
vertical thigh is 90 wherever the torso is. A segment a pose leaves out keeps its
direction from the pose before (the start pose from the neutral posture of the
exercise's position), so a key pose names only what moves. Geometry lives in
deskguard.core.figure.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Annotated, Literal

from annotated_types import Ge, Le

from deskguard.model.fields import FORBID_UNKNOWN_KEYS

Direction = Annotated[float, Ge(-360), Le(360)]
"""A segment's direction in degrees (see the module docstring)."""
Prop = Literal["towel", "pillow", "support"]
"""Things drawn with the figure: a rolled towel under the forehead, a pillow under the
pelvis and stomach, something steady (a desk, a chair back) to hold on to."""
Segment = Literal[
    "torso",
    "head",
    "left_upper_arm",
    "left_forearm",
    "right_upper_arm",
    "right_forearm",
    "left_thigh",
    "left_shin",
    "left_foot",
    "right_thigh",
    "right_shin",
    "right_foot",
]
SEGMENTS: tuple[Segment, ...] = Segment.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Pose:
    """Directions of the segments that this key pose sets; None keeps the previous one."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    torso: Direction | None = None
    """Pelvis to shoulders."""
    head: Direction | None = None
    """Shoulders to the middle of the head."""
    left_upper_arm: Direction | None = None
    left_forearm: Direction | None = None
    """Elbow to the hand's tip."""
    right_upper_arm: Direction | None = None
    right_forearm: Direction | None = None
    left_thigh: Direction | None = None
    left_shin: Direction | None = None
    """Knee to ankle."""
    left_foot: Direction | None = None
    """Ankle to toes."""
    right_thigh: Direction | None = None
    right_shin: Direction | None = None
    right_foot: Direction | None = None

    def given(self) -> dict[Segment, float]:
        """The directions this pose sets, by segment."""
        return {
            f.name: float(value)  # type: ignore[misc]
            for f in fields(self)
            if (value := getattr(self, f.name)) is not None
        }


@dataclass(frozen=True, kw_only=True)
class Figure:
    """The key poses of one exercise and what is drawn with them.

    `held` is the position kept while the countdown runs; for an exercise done on each
    side it is the first side's (the left one), and `other_side` the second's, which
    by default is `held` with left and right swapped. `working` names the segments
    drawn highlighted, for the first side (mirrored for the second).
    """

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    start: Pose = Pose()
    held: Pose
    other_side: Pose | None = None
    props: tuple[Prop, ...] = ()
    working: tuple[Segment, ...] = ()
