"""The exercise facts: what the catalog says about each exercise, and the rest of the guide
(contraindications, daily walking, the order of a routine, posture habits)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

from annotated_types import Ge, Gt, Le, MinLen

from deskguard.errors import UserError
from deskguard.i18n import _, ngettext
from deskguard.model.fields import FORBID_UNKNOWN_KEYS, Language, OneLine, Slug, Text
from deskguard.model.figure import Figure

Kind = Literal["stretch", "strength"]
Position = Literal["standing", "lying-on-back", "lying-face-down", "all-fours"]
Sides = Literal["none", "per-side", "per-leg"]
HoldEstimate = Literal["min", "mean", "max"]
LONGEST_HOLD = 600
MOST_REPETITIONS = 100
MOST_KM_A_DAY = 100


@dataclass(frozen=True)
class Hold:
    """How long one repetition is held. `from_source` is false for suggested numbers."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    # Bounded like every number deskguard reads: a routine plans its timeline from these.
    min_seconds: Annotated[int, Ge(1), Le(LONGEST_HOLD)]
    max_seconds: Annotated[int, Ge(1), Le(LONGEST_HOLD)]
    from_source: bool = False

    def __post_init__(self) -> None:
        if self.min_seconds > self.max_seconds:
            raise ValueError(
                f"min_seconds ({self.min_seconds}) is more than max_seconds ({self.max_seconds})"
            )

    @property
    def mean_seconds(self) -> float:
        return (self.min_seconds + self.max_seconds) / 2

    def seconds(self, estimate: HoldEstimate = "max") -> float:
        """The hold as one number: the shortest, the middle or (default) the longest."""
        if estimate == "min":
            return float(self.min_seconds)
        if estimate == "mean":
            return self.mean_seconds
        return float(self.max_seconds)

    def label(self) -> str:
        """The hold as text, like "20–30 s" or "5 s"."""
        if self.min_seconds == self.max_seconds:
            # Translators: a hold in seconds, like "5 s" (an abbreviation: no plural).
            return _("{seconds} s").format(seconds=self.min_seconds)
        # Translators: a hold in seconds, like "20–30 s".
        return _("{shortest}–{longest} s").format(
            shortest=self.min_seconds, longest=self.max_seconds
        )


@dataclass(frozen=True)
class Repetitions:
    """How many times the exercise is done (on each side when it has sides)."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    count: Annotated[int, Ge(1), Le(MOST_REPETITIONS)]
    from_source: bool = False


@dataclass(frozen=True, kw_only=True)
class ExerciseTranslation:
    """An exercise's texts in one language; what is left out comes from the message
    catalogs (deskguard.i18n), else stays as the exercise says it."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    name: Text | None = None
    purpose: Text | None = None
    summary: OneLine | None = None
    steps: Annotated[tuple[Text, ...], MinLen(1)] | None = None
    equipment: tuple[Text, ...] | None = None


@dataclass(frozen=True, kw_only=True)  # keyword-only: fields in the catalog's order
class Exercise:
    """One exercise of the catalog."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    id: Slug
    name: Text
    kind: Kind
    position: Position
    alternative_positions: tuple[Position, ...] = ()
    hold: Hold
    repetitions: Repetitions
    sides: Sides
    equipment: tuple[Text, ...] = ()
    purpose: Text
    summary: OneLine
    steps: Annotated[tuple[Text, ...], MinLen(1)]
    desk_friendly: bool = False
    contraindications: tuple[Slug, ...]
    figure: Figure | None = None
    """The movement as key poses of a stick figure, drawn in the routine window, the
    reminder and the tray; an exercise without one is shown in words only."""
    # A user's catalog may carry its own exercises' texts in other languages:
    # [exercises.<id>.translations.<language>] with any of the text fields above.
    translations: Mapping[Language, ExerciseTranslation] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.position in self.alternative_positions:
            raise ValueError(f"alternative_positions repeats the main position {self.position!r}")
        sided = self.side_count == 2
        if self.figure is not None and self.figure.other_side is not None and not sided:
            raise ValueError("figure.other_side is only for an exercise with sides")

    @property
    def side_count(self) -> int:
        """2 when the repetitions are done on each side (or each leg), else 1."""
        return 1 if self.sides == "none" else 2

    def total_seconds(self, estimate: HoldEstimate = "max") -> float:
        """Time spent holding: hold × repetitions × sides.

        Uses the longest hold by default, so a planned routine never cuts short what
        the exercise asks for; pass "mean" or "min" for a shorter estimate. Time to
        move into position and rest between repetitions is not included.
        """
        return self.hold.seconds(estimate) * self.repetitions.count * self.side_count

    def repetitions_label(self) -> str:
        """Like "10 times", "3 times per leg" or "10 times per side"."""
        count = self.repetitions.count
        if self.sides == "per-leg":
            text = ngettext("{count} time per leg", "{count} times per leg", count)
        elif self.sides == "per-side":
            text = ngettext("{count} time per side", "{count} times per side", count)
        else:
            text = ngettext("{count} time", "{count} times", count)
        return text.format(count=count)

    def dose(self) -> str:
        """What to do in numbers, like "hold 20–30 s, 3 times per leg"."""
        return _("hold {hold}, {repetitions}").format(
            hold=self.hold.label(), repetitions=self.repetitions_label()
        )


@dataclass(frozen=True, kw_only=True)
class ContraindicationTranslation:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    name: Text | None = None
    description: OneLine | None = None


@dataclass(frozen=True)
class Contraindication:
    """A condition under which exercises marked with its id must not be done."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    name: Text
    description: OneLine
    translations: Mapping[Language, ContraindicationTranslation] = field(default_factory=dict)


@dataclass(frozen=True)
class Walking:
    """The daily walking recommendation, in kilometres per day."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    daily_min_km: Annotated[float, Gt(0), Le(MOST_KM_A_DAY)]
    daily_max_km: Annotated[float, Gt(0), Le(MOST_KM_A_DAY)]
    why: Text

    def __post_init__(self) -> None:
        if self.daily_min_km > self.daily_max_km:
            raise ValueError(
                f"daily_min_km ({self.daily_min_km:g}) is more than "
                f"daily_max_km ({self.daily_max_km:g})"
            )

    def label(self) -> str:
        """Like "6–8 km a day"."""
        low, high = f"{self.daily_min_km:g}", f"{self.daily_max_km:g}"
        if low == high:
            return _("{km} km a day").format(km=low)
        return _("{low}–{high} km a day").format(low=low, high=high)


@dataclass(frozen=True)
class Habit:
    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    id: Slug
    text: Text


@dataclass(frozen=True)
class RoutineOrder:
    """The order of kinds in a routine, e.g. stretch → strength → stretch."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    order: Annotated[tuple[Kind, ...], MinLen(1)]
    why: Text


class UnknownExerciseError(UserError):
    def __init__(self, exercise_id: str, known: list[str]) -> None:
        self.exercise_id = exercise_id
        self.known = known
        super().__init__(
            _("unknown exercise {id}").format(id=repr(exercise_id)),
            _("known ids: {ids}").format(ids=", ".join(known)),
        )


@dataclass(frozen=True, kw_only=True)
class Catalog:
    """Everything the catalog files say; `exercises` keeps the order of the files."""

    __pydantic_config__ = FORBID_UNKNOWN_KEYS
    exercises: Mapping[Slug, Exercise]
    contraindications: Mapping[Slug, Contraindication]
    walking: Walking
    habits: tuple[Habit, ...] = ()
    routine: RoutineOrder
    notes: Mapping[Slug, Text] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return list(self.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id; UnknownExerciseError (listing the known ids) if none."""
        try:
            return self.exercises[exercise_id]
        except KeyError:
            raise UnknownExerciseError(exercise_id, self.ids) from None

    def by_kind(self, kind: Kind) -> list[Exercise]:
        return [e for e in self.exercises.values() if e.kind == kind]

    def desk_friendly(self) -> list[Exercise]:
        return [e for e in self.exercises.values() if e.desk_friendly]
