"""The exercise catalog: the shipped facts, user overrides and the `catalog` commands."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from deskguard.catalog import (
    Catalog,
    CatalogError,
    Exercise,
    UnknownExerciseError,
    load_catalog,
    validate_catalog,
)
from deskguard.cli.catalog import catalog_group
from deskguard.core.selection import desk_friendly_ids
from deskguard.errors import ExitCode
from deskguard.model import plain
from deskguard.model.settings import CONTRAINDICATIONS

IDS = [
    "hamstring-stretch",
    "knees-to-chest",
    "standing-back-bend",
    "quadriceps-stretch",
    "crunch",
    "oblique-crunch",
    "back-extension",
    "opposite-arm-leg-raise",
]

# id: (kind, position, hold min, hold max, repetitions, sides)
FACTS = {
    "hamstring-stretch": ("stretch", "lying-on-back", 20, 30, 3, "per-leg"),
    "knees-to-chest": ("stretch", "lying-on-back", 5, 5, 5, "none"),
    "standing-back-bend": ("stretch", "standing", 5, 5, 5, "none"),
    "quadriceps-stretch": ("stretch", "standing", 20, 30, 3, "per-leg"),
    "crunch": ("strength", "lying-on-back", 5, 10, 10, "none"),
    "oblique-crunch": ("strength", "lying-on-back", 5, 5, 10, "per-side"),
    "back-extension": ("strength", "lying-face-down", 5, 10, 10, "none"),
    "opposite-arm-leg-raise": ("strength", "lying-face-down", 5, 5, 10, "per-side"),
}


@pytest.fixture(autouse=True)
def config_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets an empty XDG config home, so a real user catalog never leaks in."""
    home = tmp_path / "config"
    (home / "deskguard").mkdir(parents=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    yield home


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog()


def write_user_catalog(config_home: Path, text: str) -> Path:
    path = config_home / "deskguard" / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(excinfo: pytest.ExceptionInfo[CatalogError]) -> list[tuple[str, str, str]]:
    return [(p.source, p.entry, p.reason) for p in excinfo.value.problems]


# --- the shipped facts ---------------------------------------------------------------


def test_all_exercises_in_the_source_order(catalog: Catalog) -> None:
    assert catalog.ids == IDS
    assert [e.id for e in catalog.exercises.values()] == IDS


def test_stretches_come_before_strength_exercises(catalog: Catalog) -> None:
    assert [e.id for e in catalog.by_kind("stretch")] == IDS[:4]
    assert [e.id for e in catalog.by_kind("strength")] == IDS[4:]


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_has_a_name_purpose_summary_and_steps(
    catalog: Catalog, exercise_id: str
) -> None:
    exercise = catalog.exercise(exercise_id)
    assert exercise.name and exercise.purpose
    assert exercise.summary and "\n" not in exercise.summary
    assert len(exercise.summary) <= 120
    assert len(exercise.steps) >= 3


@pytest.mark.parametrize(("exercise_id", "facts"), FACTS.items())
def test_kind_position_hold_repetitions_and_sides(
    catalog: Catalog, exercise_id: str, facts: tuple[str, str, int, int, int, str]
) -> None:
    kind, position, low, high, count, sides = facts
    exercise = catalog.exercise(exercise_id)
    assert exercise.kind == kind
    assert exercise.position == position
    assert (exercise.hold.min_seconds, exercise.hold.max_seconds) == (low, high)
    assert exercise.repetitions.count == count
    assert exercise.sides == sides


def test_hamstring_stretch_holds_the_leg_behind_the_thigh(catalog: Catalog) -> None:
    steps = " ".join(catalog.exercise("hamstring-stretch").steps)
    assert "behind the thigh" in steps
    assert "back of the thigh" in steps


def test_back_extension_lifts_head_and_shoulders_and_tightens_the_buttocks(
    catalog: Catalog,
) -> None:
    steps = " ".join(catalog.exercise("back-extension").steps).lower()
    assert "head and shoulders" in steps
    assert "buttock" in steps


def test_standing_back_bend_hands_on_the_waist(catalog: Catalog) -> None:
    assert "waist" in " ".join(catalog.exercise("standing-back-bend").steps)


def test_opposite_arm_leg_raise_needs_towel_and_pillow(catalog: Catalog) -> None:
    exercise = catalog.exercise("opposite-arm-leg-raise")
    assert set(exercise.equipment) == {"towel", "pillow"}
    steps = " ".join(exercise.steps)
    assert "3 to 5 cm" in steps
    assert "forehead" in steps
    assert "pelvis" in steps


def test_quadriceps_stretch_needs_a_support_and_also_works_on_all_fours(
    catalog: Catalog,
) -> None:
    exercise = catalog.exercise("quadriceps-stretch")
    assert exercise.equipment == ("support",)
    assert exercise.alternative_positions == ("all-fours",)


def test_only_the_quadriceps_numbers_are_suggested(catalog: Catalog) -> None:
    suggested = {
        e.id
        for e in catalog.exercises.values()
        if not (e.hold.from_source and e.repetitions.from_source)
    }
    assert suggested == {"quadriceps-stretch"}
    quadriceps = catalog.exercise("quadriceps-stretch")
    assert not quadriceps.hold.from_source
    assert not quadriceps.repetitions.from_source


def test_other_equipment_is_empty(catalog: Catalog) -> None:
    with_equipment = {e.id for e in catalog.exercises.values() if e.equipment}
    assert with_equipment == {"quadriceps-stretch", "opposite-arm-leg-raise"}


def test_desk_friendly_exercises(catalog: Catalog) -> None:
    assert [e.id for e in catalog.desk_friendly()] == ["standing-back-bend", "quadriceps-stretch"]
    assert desk_friendly_ids(catalog.exercises.values(), []) == [
        "standing-back-bend",
        "quadriceps-stretch",
    ]


def test_six_contraindications_and_every_exercise_lists_all_of_them(catalog: Catalog) -> None:
    assert tuple(catalog.contraindications) == CONTRAINDICATIONS
    for exercise in catalog.exercises.values():
        assert set(exercise.contraindications) == set(CONTRAINDICATIONS)
    assert desk_friendly_ids(catalog.exercises.values(), ["pregnancy"]) == []


def test_contraindication_names(catalog: Catalog) -> None:
    names = {cid: c.name.lower() for cid, c in catalog.contraindications.items()}
    assert "pain" in names["severe-pain"]
    assert "bleeding" in names["bleeding"]
    assert "chronic" in names["chronic-flare-up"]
    assert "spinal" in names["spinal-injury"]
    assert "kidney" in names["kidney-or-heart-disease"]
    assert "cardiovascular" in names["kidney-or-heart-disease"]
    assert "pregnancy" in names["pregnancy"]


def test_walking_six_to_eight_km_a_day(catalog: Catalog) -> None:
    assert (catalog.walking.daily_min_km, catalog.walking.daily_max_km) == (6, 8)
    assert catalog.walking.label() == "6–8 km a day"
    assert "best remedy" in catalog.walking.why


def test_habits(catalog: Catalog) -> None:
    texts = {habit.id: habit.text.lower() for habit in catalog.habits}
    assert len(texts) == 3
    assert "before and after" in texts["stretch-around-workouts"]
    assert "slowly" in texts["stretch-around-workouts"]
    assert "back straight" in texts["posture"]
    assert "get up often" in texts["get-up-often"]


def test_notes_and_routine_order(catalog: Catalog) -> None:
    note = catalog.notes["therapeutic-exercise"]
    assert "osteochondrosis" in note and "scoliosis" in note
    assert catalog.routine.order == ("stretch", "strength", "stretch")


def test_dose_and_total_time(catalog: Catalog) -> None:
    hamstring = catalog.exercise("hamstring-stretch")
    assert hamstring.dose() == "hold 20–30 s, 3 times per leg"
    assert hamstring.total_seconds() == 30 * 3 * 2
    assert hamstring.total_seconds("mean") == 25 * 3 * 2
    assert hamstring.total_seconds("min") == 20 * 3 * 2
    assert catalog.exercise("crunch").total_seconds() == 10 * 10
    assert catalog.exercise("knees-to-chest").dose() == "hold 5 s, 5 times"


def test_unknown_exercise_lists_known_ids(catalog: Catalog) -> None:
    with pytest.raises(UnknownExerciseError) as excinfo:
        catalog.exercise("plank")
    assert excinfo.value.known == IDS
    assert "knees-to-chest" in str(excinfo.value)


def test_models_are_frozen(catalog: Catalog) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalog.exercise("crunch").name = "x"  # type: ignore[misc]


# --- user catalogs ---------------------------------------------------------------------


NEW_EXERCISE = """
[exercises.neck-tilt]
name = "Neck tilt"
kind = "stretch"
position = "standing"
hold = { min_seconds = 10, max_seconds = 15 }
repetitions = { count = 2 }
sides = "per-side"
purpose = "Loosens the neck."
summary = "Tilt your ear toward your shoulder."
steps = ["Stand tall.", "Tilt the head to one side.", "Come back and switch sides."]
desk_friendly = true
contraindications = ["spinal-injury"]
"""


def test_partial_override_changes_one_field(config_home: Path) -> None:
    write_user_catalog(config_home, '[exercises.crunch]\nname = "My crunch"\n')
    catalog = load_catalog()
    crunch = catalog.exercise("crunch")
    assert crunch.name == "My crunch"
    assert crunch.hold.max_seconds == 10 and crunch.repetitions.count == 10
    assert catalog.ids == IDS


def test_partial_nested_override_merges_and_is_no_longer_from_source(config_home: Path) -> None:
    write_user_catalog(config_home, "[exercises.crunch.hold]\nmax_seconds = 8\n")
    hold = load_catalog().exercise("crunch").hold
    assert (hold.min_seconds, hold.max_seconds, hold.from_source) == (5, 8, False)


def test_new_exercise_is_appended(config_home: Path) -> None:
    write_user_catalog(config_home, NEW_EXERCISE)
    catalog = load_catalog()
    assert catalog.ids == [*IDS, "neck-tilt"]
    neck = catalog.exercise("neck-tilt")
    assert neck.id == "neck-tilt"
    assert neck.equipment == () and neck.alternative_positions == ()
    assert [e.id for e in catalog.desk_friendly()][-1] == "neck-tilt"


def test_explicit_paths(tmp_path: Path) -> None:
    user = tmp_path / "mine.toml"
    user.write_text('[exercises.knees-to-chest]\nsummary = "Hug your knees."\n')
    assert load_catalog(user=user).exercise("knees-to-chest").summary == "Hug your knees."


def test_bad_value_names_the_user_file_and_entry(config_home: Path) -> None:
    path = write_user_catalog(
        config_home, '[exercises.crunch]\nrepetitions = { count = 0 }\nsides = "both"\n'
    )
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    found = problems_of(excinfo)
    entries = {entry for _, entry, _ in found}
    assert entries == {"exercises.crunch.repetitions.count", "exercises.crunch.sides"}
    assert {source for source, _, _ in found} == {str(path)}
    assert excinfo.value.exit_code == ExitCode.BAD_CONFIG
    assert f"{path}: exercises.crunch.sides:" in str(excinfo.value)


def test_hold_min_above_max(config_home: Path) -> None:
    path = write_user_catalog(config_home, "[exercises.crunch.hold]\nmin_seconds = 20\n")
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    [(source, entry, reason)] = problems_of(excinfo)
    assert (source, entry) == (str(path), "exercises.crunch.hold")
    assert "min_seconds (20) is more than max_seconds (10)" in reason


def test_unknown_field(config_home: Path) -> None:
    path = write_user_catalog(config_home, '[exercises.crunch]\ncolour = "red"\n')
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    assert problems_of(excinfo) == [(str(path), "exercises.crunch.colour", "unknown field")]


def test_unknown_contraindication_id(config_home: Path) -> None:
    path = write_user_catalog(
        config_home, '[exercises.crunch]\ncontraindications = ["pregnancy", "flu"]\n'
    )
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    [(source, entry, reason)] = problems_of(excinfo)
    assert (source, entry) == (str(path), "exercises.crunch.contraindications.1")
    assert "unknown contraindication 'flu'" in reason


def test_incomplete_new_exercise_lists_every_missing_field(config_home: Path) -> None:
    path = write_user_catalog(config_home, '[exercises.plank]\nname = "Plank"\n')
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    found = problems_of(excinfo)
    assert {source for source, _, _ in found} == {str(path)}
    entries = {entry for _, entry, _ in found}
    assert {"exercises.plank.kind", "exercises.plank.steps"} <= entries
    assert "exercises.plank.contraindications" in entries


def test_all_problems_are_reported_together(config_home: Path) -> None:
    write_user_catalog(
        config_home,
        '[exercises.crunch]\ncolour = "red"\ncontraindications = ["flu"]\n'
        '[exercises.Bad_Id]\nname = "x"\n',
    )
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    entries = {entry for _, entry, _ in problems_of(excinfo)}
    assert "exercises.crunch.colour" in entries
    assert "exercises.crunch.contraindications.0" in entries
    assert any(entry.startswith("exercises.Bad_Id") for entry in entries)


def test_mismatched_id(config_home: Path) -> None:
    write_user_catalog(config_home, '[exercises.crunch]\nid = "sit-up"\n')
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    [(_, entry, reason)] = problems_of(excinfo)
    assert entry == "exercises.crunch.id"
    assert "does not match" in reason


def test_broken_toml_names_file_and_line(config_home: Path) -> None:
    path = write_user_catalog(config_home, '[exercises.crunch]\nname = "unterminated\n')
    with pytest.raises(CatalogError) as excinfo:
        load_catalog()
    [(source, entry, reason)] = problems_of(excinfo)
    assert source == str(path) and entry == ""
    assert "not valid TOML" in reason and "line 2" in reason


def test_missing_explicit_user_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as excinfo:
        load_catalog(user=tmp_path / "absent.toml")
    [(source, _, _)] = problems_of(excinfo)
    assert source == str(tmp_path / "absent.toml")


def test_a_catalog_validated_directly_checks_references(catalog: Catalog) -> None:
    data = plain.encode(catalog)
    data["exercises"]["crunch"]["contraindications"] = ["flu"]
    with pytest.raises(CatalogError, match="unknown contraindication 'flu'"):
        validate_catalog(data)


def test_the_encoded_catalog_validates_back_to_itself(catalog: Catalog) -> None:
    assert validate_catalog(plain.encode(catalog)) == catalog
    assert plain.decode(Catalog, plain.encode(catalog)) == catalog


def test_selection_works_on_the_catalogs_exercises(catalog: Catalog) -> None:
    exercise: Exercise = catalog.exercise("standing-back-bend")
    assert desk_friendly_ids([exercise], ["bleeding"]) == []


# --- the command line ----------------------------------------------------------------


def test_cli_list_json_has_every_exercise_and_field() -> None:
    result = CliRunner().invoke(catalog_group, ["list", "--json"])
    assert result.exit_code == 0, result.output
    exercises = json.loads(result.output)
    assert [e["id"] for e in exercises] == IDS
    for item in exercises:
        kind, position, low, high, count, sides = FACTS[item["id"]]
        assert item["position"] == position
        assert item["hold"]["min_seconds"] == low and item["hold"]["max_seconds"] == high
        assert item["repetitions"]["count"] == count
        assert item["sides"] == sides
        assert set(item) == {field.name for field in dataclasses.fields(Exercise)}


def test_cli_list_table() -> None:
    result = CliRunner().invoke(catalog_group, ["list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["id", "name", "kind"]
    assert any(line.startswith("quadriceps-stretch") and "*" in line for line in lines)


def test_cli_show_quadriceps_stretch() -> None:
    result = CliRunner().invoke(catalog_group, ["show", "quadriceps-stretch"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Standing quadriceps stretch" in out
    assert "all fours" in out
    assert "support" in out
    assert "  1. " in out and "  6. " in out
    assert "Pregnancy" in out and "[kidney-or-heart-disease]" in out
    assert "suggested" in out


def test_cli_show_unknown_id() -> None:
    result = CliRunner().invoke(catalog_group, ["show", "plank"])
    assert result.exit_code == 1
    assert "plank" in result.output
    assert all(exercise_id in result.output for exercise_id in IDS)


def test_cli_bad_user_catalog_exits_78(config_home: Path) -> None:
    path = write_user_catalog(config_home, '[exercises.crunch]\ncolour = "red"\nsides = "both"\n')
    # Through the real entry point, which prints each problem and exits 78.
    result = subprocess.run(
        [sys.executable, "-m", "deskguard", "catalog", "list"],
        env={**os.environ, "XDG_CONFIG_HOME": str(config_home)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == ExitCode.BAD_CONFIG
    assert f"{path}: exercises.crunch.colour: unknown field" in result.stderr
    assert f"{path}: exercises.crunch.sides:" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_shows_user_exercise(config_home: Path) -> None:
    write_user_catalog(config_home, NEW_EXERCISE)
    result = CliRunner().invoke(catalog_group, ["show", "neck-tilt"])
    assert result.exit_code == 0
    assert "Neck tilt" in result.output
