"""The stick figure as plain shapes, so the still picture (Pillow) and the routine window
(Tk) draw the same thing: strokes with round ends, discs and blocks in cm, a frame that
holds every pose of the exercise, and the scale that fits that frame into pixels."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from deskguard.core.figure import (
    BONES,
    HEAD_RADIUS,
    LIMB_RADIUS,
    PILLOW_HEIGHT,
    SUPPORT_HEIGHT,
    TORSO_RADIUS,
    TOWEL_HEIGHT,
    Body,
    KeyPoses,
    Point,
    body,
)
from deskguard.model.figure import Segment

if TYPE_CHECKING:
    from deskguard.model.exercise import Position

Tone = Literal["floor", "prop", "far", "near", "working"]
"""What a shape is, for the adapters' colours: the far side's limbs are drawn lighter so
the near side reads in front; the working segments stand out."""
COLOURS: dict[Tone, str] = {
    "floor": "#8a8f98",
    "prop": "#c9b48a",
    "far": "#7f95b5",
    "near": "#24406b",
    "working": "#e0701c",
}
BACKGROUND = "#ffffff"
FLOOR_WIDTH = 2.0
NOSE_RADIUS = 3.5
PAD = 12.0
"""cm left free around the figure in the frame."""


@dataclass(frozen=True)
class Stroke:
    start: Point
    end: Point
    width: float
    tone: Tone


@dataclass(frozen=True)
class Disc:
    center: Point
    radius: float
    tone: Tone


@dataclass(frozen=True)
class Block:
    """A rectangle: left, bottom, right, top in cm."""

    left: float
    bottom: float
    right: float
    top: float
    tone: Tone


Shape = Stroke | Disc | Block


def _tone(segment: Segment, working: frozenset[Segment]) -> Tone:
    if segment in working:
        return "working"
    return "far" if segment.startswith("left_") else "near"


def _props(figure: Body) -> list[Shape]:
    shapes: list[Shape] = []
    if figure.support_x is not None:
        x = figure.x("hip") + figure.support_x
        shapes.append(Block(x - 3.0, 0.0, x + 3.0, SUPPORT_HEIGHT - 2.0, "prop"))
        shapes.append(Block(x - 10.0, SUPPORT_HEIGHT - 4.0, x + 10.0, SUPPORT_HEIGHT, "prop"))
    if "pillow" in figure.props:
        # Under the pelvis and the stomach: from the hip a little toward the shoulders.
        hip, shoulder = figure.x("hip"), figure.x("shoulder")
        toward = 1.0 if shoulder >= hip else -1.0
        left, right = sorted((hip - 10.0 * toward, hip + 28.0 * toward))
        shapes.append(Block(left, 0.0, right, PILLOW_HEIGHT, "prop"))
    if "towel" in figure.props:
        radius = TOWEL_HEIGHT / 2
        shapes.append(Disc((figure.x("head"), radius), radius, "prop"))
    return shapes


def shapes(figure: Body, working: frozenset[Segment], frame: Frame) -> list[Shape]:
    """Everything to draw for one pose, back to front; the floor spans `frame`."""
    drawn: list[Shape] = [
        Stroke((frame.left, 0.0), (frame.right, 0.0), FLOOR_WIDTH, "floor"),
        *_props(figure),
    ]
    order = sorted(BONES, key=lambda s: (not s.startswith("left_"), s.startswith("right_")))
    for segment in order:
        parent, child, _length = BONES[segment]
        start, end = figure.points[parent], figure.points[child]
        if segment == "torso":
            drawn.append(Stroke(start, end, 2 * TORSO_RADIUS, _tone(segment, working)))
        elif segment == "head":
            tone = _tone(segment, working)
            drawn.append(Stroke(start, end, 2 * LIMB_RADIUS, tone))  # the neck
            drawn.append(Disc(end, HEAD_RADIUS, tone))
            # A nose, so a glance tells which way the figure faces (a back bend from a
            # forward bend).
            turn = math.radians(figure.facing)
            nose = (end[0] + HEAD_RADIUS * math.cos(turn), end[1] + HEAD_RADIUS * math.sin(turn))
            drawn.append(Disc(nose, NOSE_RADIUS, tone))
        else:
            drawn.append(Stroke(start, end, 2 * LIMB_RADIUS, _tone(segment, working)))
    return drawn


@dataclass(frozen=True)
class Frame:
    """The part of the floor plane a picture shows, in cm (y up)."""

    left: float
    bottom: float
    right: float
    top: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @classmethod
    def around(cls, bodies: Iterable[Body]) -> Frame:
        """A frame holding every body (and its props) with PAD to spare all round."""
        xs: list[float] = []
        ys: list[float] = [0.0]
        for figure in bodies:
            for x, y in figure.points.values():
                xs.append(x)
                ys.append(y)
            if figure.support_x is not None:
                xs.append(figure.x("hip") + figure.support_x + 10.0)
                ys.append(SUPPORT_HEIGHT)
        reach = HEAD_RADIUS + PAD
        return cls(min(xs) - reach, -PAD / 2, max(xs) + reach, max(ys) + reach)


def frame_for(keys: KeyPoses, position: Position, props: tuple[str, ...]) -> Frame:
    """The frame that holds the start pose and the held pose on every side."""
    return Frame.around(body(angles, position, props) for angles in (keys.start, *keys.held))


@dataclass(frozen=True)
class Scale:
    """From cm in a frame to pixels in a width × height picture (y down), centred."""

    factor: float
    offset_x: float
    offset_y: float

    @classmethod
    def fit(cls, frame: Frame, width: int, height: int) -> Scale:
        factor = min(width / frame.width, height / frame.height)
        offset_x = (width - frame.width * factor) / 2 - frame.left * factor
        # The floor sits as low as the frame allows: a lying figure rests near the bottom.
        offset_y = height - (height - frame.height * factor) / 2 + frame.bottom * factor
        return cls(factor, offset_x, offset_y)

    def visible(self, width: int, height: int) -> Frame:
        """The part of the plane a width × height picture shows at this scale: more than
        the fitted frame on the sides that had room to spare, so the floor spans it all."""
        return Frame(
            -self.offset_x / self.factor,
            (self.offset_y - height) / self.factor,
            (width - self.offset_x) / self.factor,
            self.offset_y / self.factor,
        )

    def point(self, point: Point) -> tuple[float, float]:
        return (self.offset_x + point[0] * self.factor, self.offset_y - point[1] * self.factor)

    def length(self, cm: float) -> float:
        return cm * self.factor
