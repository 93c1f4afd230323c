"""The routine window's moving figure: the exercise's stick figure on a Tk canvas.

Draws the shapes of deskguard.core.figure_drawing for the pose deskguard.core.figure's
`Movement` gives at the current moment of the routine. Tk main thread only.
"""

from __future__ import annotations

import tkinter as tk
from dataclasses import dataclass
from tkinter import ttk
from typing import Literal

from deskguard.core.figure import Movement, body
from deskguard.core.figure_drawing import (
    BACKGROUND,
    COLOURS,
    Block,
    Disc,
    Frame,
    Scale,
    Shape,
    Stroke,
    frame_for,
    shapes,
)
from deskguard.core.routine import Frame as RoutineFrame
from deskguard.model.exercise import Exercise

HEIGHT = 200


@dataclass(frozen=True)
class _Shown:
    exercise_index: int
    movement: Movement
    frame: Frame


class FigureCanvas:
    """A canvas showing the current exercise's figure; empty for one without a figure."""

    def __init__(self, parent: tk.Misc) -> None:
        # Without a figure the canvas takes the window's colour: no empty white box where
        # a picture belongs.
        self._blank = ttk.Style(parent).lookup("TFrame", "background") or BACKGROUND
        self.widget = tk.Canvas(parent, height=HEIGHT, background=self._blank, highlightthickness=0)
        self._shown: _Shown | None = None
        self._drawn: tuple[object, ...] | None = None  # what is on the canvas now
        self._last: RoutineFrame | None = None
        # Drawn again at once when the canvas gets its size, not at the next tick: the
        # first drawing happens before the window is on screen, at a size of 1 × 1.
        self.widget.bind("<Configure>", lambda _event: self._redraw())

    def show(self, at: RoutineFrame) -> None:
        """Draw the figure as it is at this moment of the routine."""
        self._last = at
        step = at.step
        shown = self._for(step.exercise_index, at.exercise)
        if shown is None:
            self.clear()
            return
        moment = shown.movement.at(step.kind, at.second - step.start, step.seconds, step.side)
        size = (self.widget.winfo_width(), self.widget.winfo_height())
        key = (step.exercise_index, size, tuple(moment.angles.values()), moment.working)
        if key == self._drawn:
            return  # a held pose is drawn once, not on every tick
        self._drawn = key
        self.widget.configure(background=BACKGROUND)
        figure = at.exercise.figure
        assert figure is not None
        posed = body(moment.angles, at.exercise.position, figure.props)
        width, height = max(size[0], 1), max(size[1], 1)
        scale = Scale.fit(shown.frame, width, height)
        self.widget.delete("all")
        for shape in shapes(posed, moment.working, scale.visible(width, height)):
            self._draw(shape, scale)

    def clear(self) -> None:
        self._last = None
        if self._drawn is not None:
            self.widget.delete("all")
            self.widget.configure(background=self._blank)
            self._drawn = None

    def _redraw(self) -> None:
        if self._last is not None:
            self.show(self._last)

    def _for(self, exercise_index: int, exercise: Exercise) -> _Shown | None:
        if exercise.figure is None:
            return None
        if self._shown is None or self._shown.exercise_index != exercise_index:
            sided = exercise.side_count == 2
            movement = Movement.of(exercise.position, exercise.figure, sided=sided)
            frame = frame_for(movement.keys, exercise.position, exercise.figure.props)
            self._shown = _Shown(exercise_index, movement, frame)
        return self._shown

    def _draw(self, shape: Shape, scale: Scale) -> None:
        colour = COLOURS[shape.tone]
        if isinstance(shape, Stroke):
            x0, y0 = scale.point(shape.start)
            x1, y1 = scale.point(shape.end)
            cap: Literal["butt", "round"] = "butt" if shape.tone == "floor" else "round"
            width = max(1.0, scale.length(shape.width))
            self.widget.create_line(x0, y0, x1, y1, fill=colour, width=width, capstyle=cap)
        elif isinstance(shape, Disc):
            x, y = scale.point(shape.center)
            radius = scale.length(shape.radius)
            self.widget.create_oval(
                x - radius, y - radius, x + radius, y + radius, fill=colour, outline=""
            )
        elif isinstance(shape, Block):
            left, top = scale.point((shape.left, shape.top))
            right, bottom = scale.point((shape.right, shape.bottom))
            self.widget.create_rectangle(left, top, right, bottom, fill=colour, outline="")
