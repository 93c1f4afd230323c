"""An exercise's still picture, drawn with Pillow: the figure in its held pose."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from deskguard.core.figure import KeyPoses, body
from deskguard.core.figure_drawing import (
    BACKGROUND,
    COLOURS,
    Disc,
    Scale,
    Shape,
    Stroke,
    frame_for,
    shapes,
)

if TYPE_CHECKING:
    from PIL import ImageDraw

    from deskguard.model.exercise import Exercise

SIZE = (256, 256)
"""Notification servers scale the image down to an icon; a square keeps it whole."""
SUPERSAMPLE = 4
"""Pillow draws without anti-aliasing: drawing larger and averaging blocks of pixels down
smooths the edges and keeps the colours inside the shapes exact."""


def _draw(canvas: ImageDraw.ImageDraw, shape: Shape, scale: Scale) -> None:
    colour = COLOURS[shape.tone]
    if isinstance(shape, Stroke):
        width = max(1, round(scale.length(shape.width)))
        start, end = scale.point(shape.start), scale.point(shape.end)
        canvas.line([start, end], fill=colour, width=width)
        if shape.tone != "floor":  # round ends, so segments join like limbs
            for x, y in (start, end):
                radius = width / 2
                canvas.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)
    elif isinstance(shape, Disc):
        x, y = scale.point(shape.center)
        radius = scale.length(shape.radius)
        canvas.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)
    else:
        left, top = scale.point((shape.left, shape.top))
        right, bottom = scale.point((shape.right, shape.bottom))
        canvas.rounded_rectangle([left, top, right, bottom], radius=2, fill=colour)


def render_png(exercise: Exercise, size: tuple[int, int] = SIZE) -> bytes:
    """The exercise's figure in its held pose (first side) as PNG bytes.

    Raises ValueError for an exercise without a figure.
    """
    from PIL import Image, ImageDraw

    if exercise.figure is None:
        raise ValueError(f"exercise {exercise.id!r} has no figure")
    figure = exercise.figure
    keys = KeyPoses.of(exercise.position, figure, sided=exercise.side_count == 2)
    frame = frame_for(keys, exercise.position, figure.props)
    width, height = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
    scale = Scale.fit(frame, width, height)
    image = Image.new("RGB", (width, height), BACKGROUND)
    canvas = ImageDraw.Draw(image)
    held = body(keys.held[0], exercise.position, figure.props)
    for shape in shapes(held, keys.working[0], scale.visible(width, height)):
        _draw(canvas, shape, scale)
    buffer = io.BytesIO()
    image.reduce(SUPERSAMPLE).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
