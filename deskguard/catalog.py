"""The exercise catalog: typed models and loading the shipped file plus the user's additions.

The shipped `config/catalog.toml` is read first; the user's catalog
($XDG_CONFIG_HOME/deskguard/catalog.toml) is merged over it table by table: a new
exercise id adds an exercise (a complete entry), a known id changes only the fields
the user's table names. Arrays are replaced, never appended to. The merged result is
validated once and every problem is reported with the file it most likely came from
and the entry path (`exercises.<id>.<field>`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from deskguard import paths
from deskguard.errors import InvalidConfiguration, UserError

Kind = Literal["stretch", "strength"]
Position = Literal["standing", "lying-on-back", "lying-face-down", "all-fours"]
Sides = Literal["none", "per-side", "per-leg"]
HoldEstimate = Literal["min", "mean", "max"]

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OneLine = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]

_ID_HINT = "lowercase letters, digits and single hyphens, like 'knees-to-chest'"
# Passed as validation context by load_catalog, which reports cross-references itself
# (with the entry they concern) instead of as one catalog-wide error.
_REFERENCES_CHECKED = "references_checked"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hold(_Model):
    """How long one repetition is held. `from_source` is false for suggested numbers."""

    min_seconds: int = Field(ge=1)
    max_seconds: int = Field(ge=1)
    from_source: bool = False

    @model_validator(mode="after")
    def _range(self) -> Hold:
        if self.min_seconds > self.max_seconds:
            raise ValueError(
                f"min_seconds ({self.min_seconds}) is more than max_seconds ({self.max_seconds})"
            )
        return self

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
            return f"{self.min_seconds} s"
        return f"{self.min_seconds}–{self.max_seconds} s"


class Repetitions(_Model):
    """How many times the exercise is done (on each side when it has sides)."""

    count: int = Field(ge=1)
    from_source: bool = False


class Exercise(_Model):
    """One exercise; satisfies `deskguard.core.selection.ExerciseFacts`."""

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
    steps: tuple[Text, ...] = Field(min_length=1)
    desk_friendly: bool = False
    contraindications: tuple[Slug, ...]

    @field_validator("summary")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value:
            raise ValueError("must be a single line")
        return value

    @model_validator(mode="after")
    def _alternatives_differ(self) -> Exercise:
        if self.position in self.alternative_positions:
            raise ValueError(f"alternative_positions repeats the main position {self.position!r}")
        return self

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
        text = "once" if count == 1 else f"{count} times"
        if self.sides == "per-leg":
            return f"{text} per leg"
        if self.sides == "per-side":
            return f"{text} per side"
        return text

    def dose(self) -> str:
        """What to do in numbers, like "hold 20–30 s, 3 times per leg"."""
        return f"hold {self.hold.label()}, {self.repetitions_label()}"


class Contraindication(_Model):
    """A condition under which exercises marked with its id must not be done."""

    name: Text
    description: OneLine


class Walking(_Model):
    """The daily walking recommendation, in kilometres per day."""

    daily_min_km: float = Field(gt=0)
    daily_max_km: float = Field(gt=0)
    why: Text

    @model_validator(mode="after")
    def _range(self) -> Walking:
        if self.daily_min_km > self.daily_max_km:
            raise ValueError(
                f"daily_min_km ({self.daily_min_km:g}) is more than "
                f"daily_max_km ({self.daily_max_km:g})"
            )
        return self

    def label(self) -> str:
        """Like "6–8 km a day"."""
        low, high = f"{self.daily_min_km:g}", f"{self.daily_max_km:g}"
        return f"{low} km a day" if low == high else f"{low}–{high} km a day"


class Habit(_Model):
    id: Slug
    text: Text


class RoutineOrder(_Model):
    """The order of kinds in a routine, e.g. stretch → strength → stretch."""

    order: tuple[Kind, ...] = Field(min_length=1)
    why: Text


class Catalog(_Model):
    """Everything the catalog files say; `exercises` keeps the order of the files."""

    exercises: dict[Slug, Exercise]
    contraindications: dict[Slug, Contraindication]
    walking: Walking
    habits: tuple[Habit, ...] = ()
    routine: RoutineOrder
    notes: dict[Slug, Text] = {}

    @field_validator("exercises", mode="before")
    @classmethod
    def _ids_from_keys(cls, value: Any) -> Any:
        # The table key is the id; writing `id = ...` inside the table is optional.
        if isinstance(value, Mapping):
            return {
                key: {"id": key, **entry} if isinstance(entry, Mapping) else entry
                for key, entry in value.items()
            }
        return value

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Catalog:
        if isinstance(info.context, Mapping) and info.context.get(_REFERENCES_CHECKED):
            return self
        problems = _reference_problems(self.model_dump())
        if problems:
            raise ValueError("; ".join(f"{_entry(loc)}: {reason}" for loc, reason in problems))
        return self

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


if TYPE_CHECKING:
    from deskguard.core.selection import ExerciseFacts

    def _exercise_is_facts(exercise: Exercise) -> ExerciseFacts:
        return exercise


class UnknownExerciseError(UserError):
    def __init__(self, exercise_id: str, known: Iterable[str]) -> None:
        self.exercise_id = exercise_id
        self.known = list(known)
        super().__init__(f"unknown exercise {exercise_id!r}", "known ids: " + ", ".join(self.known))


@dataclass(frozen=True)
class CatalogProblem:
    """One thing wrong with a catalog file: FILE: entry: reason."""

    source: str
    entry: str
    reason: str

    def __str__(self) -> str:
        if self.entry:
            return f"{self.source}: {self.entry}: {self.reason}"
        return f"{self.source}: {self.reason}"


class CatalogError(InvalidConfiguration):
    """The catalog cannot be used; `problems` lists every reason."""

    def __init__(self, problems: Sequence[CatalogProblem]) -> None:
        super().__init__("invalid exercise catalog", list(problems))
        self.problems: Sequence[CatalogProblem] = list(problems)


Loc = tuple[str | int, ...]


def _entry(loc: Loc) -> str:
    return ".".join(str(part) for part in loc)


def _reference_problems(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Cross-references the models cannot check alone; tolerant of wrongly typed data."""
    problems: list[tuple[Loc, str]] = []
    known = data.get("contraindications")
    known_ids = set(known) if isinstance(known, Mapping) else set()
    exercises = data.get("exercises")
    if not isinstance(exercises, Mapping):
        return problems
    for key, entry in exercises.items():
        if not isinstance(entry, Mapping):
            continue
        own_id = entry.get("id", key)
        if own_id != key:
            problems.append((("exercises", key, "id"), f"{own_id!r} does not match the table name"))
        listed = entry.get("contraindications")
        if not isinstance(listed, Sequence) or isinstance(listed, str):
            continue
        for index, item in enumerate(listed):
            if isinstance(item, str) and item not in known_ids:
                problems.append(
                    (
                        ("exercises", key, "contraindications", index),
                        f"unknown contraindication {item!r} "
                        f"(known: {', '.join(sorted(known_ids))})",
                    )
                )
    return problems


def _describe(error: Mapping[str, Any]) -> tuple[Loc, str]:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    if loc and loc[-1] == "[key]":
        # A table name (an id) is wrong, not a value inside it.
        loc = loc[:-1]
    if kind == "extra_forbidden":
        return loc, "unknown field"
    if kind == "missing":
        if len(loc) == 3 and loc[0] == "exercises":
            return loc, "missing (a new exercise needs every field)"
        return loc, "missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        message = f"must be {_ID_HINT} (got {error['input']!r})"
    elif kind == "literal_error":
        message = f"{message} (got {error['input']!r})"
    return loc, message


def _repeats_bad_key(error: Mapping[str, Any], merged: Mapping[str, Any]) -> bool:
    """True for a bad `id` that was only copied from a bad table name (reported already)."""
    loc = tuple(error["loc"])
    if len(loc) != 3 or loc[0] != "exercises" or loc[2] != "id":
        return False
    entry = merged.get("exercises", {}).get(loc[1])
    return isinstance(entry, Mapping) and "id" not in entry


def _depth(data: Any, loc: Loc) -> int:
    """How many leading parts of `loc` exist in `data`."""
    depth = 0
    node = data
    for part in loc:
        found = (isinstance(node, Mapping) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        )
        if not found:
            break
        node = node[part]
        depth += 1
    return depth


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _user_numbers_not_from_source(user: Mapping[str, Any]) -> dict[str, Any]:
    """A user's hold or repetitions are never the source's numbers unless they say so."""
    exercises = user.get("exercises")
    if not isinstance(exercises, Mapping):
        return dict(user)
    marked: dict[str, Any] = {}
    for key, entry in exercises.items():
        if isinstance(entry, Mapping):
            entry = dict(entry)
            for field in ("hold", "repetitions"):
                if isinstance(entry.get(field), Mapping):
                    entry[field] = {"from_source": False, **entry[field]}
        marked[key] = entry
    return {**user, "exercises": marked}


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        # The message ends with "(at line N, column M)".
        raise CatalogError([CatalogProblem(str(path), "", f"not valid TOML: {exc}")]) from exc
    except OSError as exc:
        raise CatalogError([CatalogProblem(str(path), "", exc.strerror or str(exc))]) from exc


def _read_layers(shipped: Path, user: Path | None) -> list[tuple[Path, dict[str, Any]]]:
    layers: list[tuple[Path, dict[str, Any]]] = []
    problems: list[CatalogProblem] = []
    for path in (shipped, user):
        if path is None:
            continue
        try:
            layers.append((path, _read(path)))
        except CatalogError as exc:
            problems += exc.problems
    if problems:
        raise CatalogError(problems)
    return layers


def _source(loc: Loc, layers: Sequence[tuple[Path, Mapping[str, Any]]]) -> str:
    """The file a problem at `loc` most likely comes from: the last to reach deepest."""
    best, best_depth = layers[0][0], -1
    for path, data in layers:
        depth = _depth(data, loc)
        if depth > 0 and depth >= best_depth:
            best, best_depth = path, depth
    return str(best)


def load_catalog(shipped: Path | None = None, user: Path | None = None) -> Catalog:
    """The shipped catalog merged with the user's; raises CatalogError listing every problem.

    Defaults: the catalog shipped with deskguard, and the user catalog in
    $XDG_CONFIG_HOME/deskguard/catalog.toml when that file exists. A `user` path given
    explicitly must exist.
    """
    if shipped is None:
        try:
            shipped = paths.shipped_file("catalog.toml")
        except FileNotFoundError as exc:
            raise CatalogError([CatalogProblem("catalog.toml", "", str(exc))]) from exc
    if user is None:
        default = paths.user_catalog_file()
        user = default if default.is_file() else None
    layers = _read_layers(shipped, user)
    if len(layers) > 1:
        layers[1] = (layers[1][0], _user_numbers_not_from_source(layers[1][1]))
    merged: dict[str, Any] = {}
    for _path, data in layers:
        merged = _merge(merged, data)

    found = _reference_problems(merged)
    catalog: Catalog | None = None
    try:
        catalog = Catalog.model_validate(merged, context={_REFERENCES_CHECKED: True})
    except ValidationError as exc:
        found = [_describe(e) for e in exc.errors() if not _repeats_bad_key(e, merged)] + found
    if found:
        raise CatalogError(
            [CatalogProblem(_source(loc, layers), _entry(loc), reason) for loc, reason in found]
        )
    assert catalog is not None
    return catalog
