"""Loading the exercise catalog: the shipped file plus the user's additions, validated by
pydantic into the schema's `Catalog` (deskguard.model.exercise).

The shipped `config/catalog.toml` is read first; the user's catalog
($XDG_CONFIG_HOME/deskguard/catalog.toml) is merged over it table by table: a new
exercise id adds an exercise (a complete entry), a known id changes only the fields
the user's table names. Arrays are replaced, never appended to. The merged result is
validated once and every problem is reported with the file it most likely came from
and the entry path (`exercises.<id>.<field>`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from deskguard import paths
from deskguard.errors import InvalidConfiguration
from deskguard.model.exercise import (
    Catalog,
    Contraindication,
    Exercise,
    Hold,
    Repetitions,
    UnknownExerciseError,
    Walking,
)
from deskguard.validation import (
    Loc,
    Problem,
    ProblemsFound,
    deep_merge,
    dotted,
    read_toml,
    read_toml_if_present,
)
from deskguard.validation import reason_of as schema_reason_of

__all__ = [
    "Catalog",
    "CatalogError",
    "CatalogProblem",
    "Contraindication",
    "Exercise",
    "Hold",
    "Repetitions",
    "UnknownExerciseError",
    "Walking",
    "load_catalog",
    "validate_catalog",
]

CatalogProblem = Problem
_CATALOG = TypeAdapter(Catalog)


class CatalogError(InvalidConfiguration):
    """The catalog cannot be used; `problems` lists every reason."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("invalid exercise catalog", list(problems))
        self.problems: Sequence[Problem] = list(problems)


def _reference_problems(data: Mapping[str, Any]) -> list[tuple[Loc, str]]:
    """Cross-references the schema cannot check alone; tolerant of wrongly typed data."""
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


def _reason_of(error: Mapping[str, Any]) -> tuple[Loc, str]:
    loc, reason = schema_reason_of(error, unknown="unknown field")
    if reason == "missing" and len(loc) == 3 and loc[0] == "exercises":
        return loc, "missing (a new exercise needs every field)"
    return loc, reason


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


def _ids_from_keys(data: Mapping[str, Any]) -> dict[str, Any]:
    """The table key is an exercise's id; writing `id = ...` inside the table is optional."""
    exercises = data.get("exercises")
    if not isinstance(exercises, Mapping):
        return dict(data)
    return {
        **data,
        "exercises": {
            key: {"id": key, **entry} if isinstance(entry, Mapping) else entry
            for key, entry in exercises.items()
        },
    }


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


def _read_layers(
    shipped: Path, user: Path | None, user_required: bool
) -> list[tuple[Path, dict[str, Any]]]:
    layers: list[tuple[Path, dict[str, Any]]] = []
    problems: list[Problem] = []
    for path, required in ((shipped, True), (user, user_required)):
        if path is None:
            continue
        try:
            data = read_toml(path) if required else read_toml_if_present(path)
        except ProblemsFound as exc:
            problems += exc.problems
            continue
        if data is not None:
            layers.append((path, data))
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


def validate_catalog(data: Mapping[str, Any]) -> Catalog:
    """One catalog's data (as read from TOML) as a Catalog; raises CatalogError."""
    return _validated([(Path("catalog"), dict(data))])


def _validated(layers: Sequence[tuple[Path, dict[str, Any]]]) -> Catalog:
    merged = deep_merge(data for _path, data in layers)
    found = _reference_problems(merged)
    catalog: Catalog | None = None
    try:
        catalog = _CATALOG.validate_python(_ids_from_keys(merged))
    except ValidationError as exc:
        found = [_reason_of(e) for e in exc.errors() if not _repeats_bad_key(e, merged)] + found
    if found:
        raise CatalogError(
            [Problem(_source(loc, layers), dotted(loc), reason) for loc, reason in found]
        )
    assert catalog is not None
    return catalog


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
            raise CatalogError([Problem("catalog.toml", "", str(exc))]) from exc
    # Only an absent default user catalog is skipped; a directory or a pipe there is an error.
    user_required = user is not None
    layers = _read_layers(shipped, user or paths.user_catalog_file(), user_required)
    if len(layers) > 1:
        layers[1] = (layers[1][0], _user_numbers_not_from_source(layers[1][1]))
    return _validated(layers)
