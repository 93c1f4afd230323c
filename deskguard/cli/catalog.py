"""`deskguard catalog ...`: list the exercises and show one in full."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from deskguard.cli.params import echo_json, json_option
from deskguard.errors import ExitCode
from deskguard.model import plain

if TYPE_CHECKING:
    from deskguard.catalog import Catalog, Exercise

_COLUMNS = ("id", "name", "kind", "position", "hold", "reps", "sides", "desk")


def _load() -> Catalog:
    """The merged catalog; a bad catalog prints every problem and exits 78."""
    from deskguard.catalog import load_catalog

    return load_catalog()


def _words(value: str) -> str:
    return value.replace("-", " ")


def _suggested(from_source: bool) -> str:
    return "" if from_source else " *"


def _row(exercise: Exercise) -> tuple[str, ...]:
    return (
        exercise.id,
        exercise.name,
        exercise.kind,
        _words(exercise.position),
        exercise.hold.label() + _suggested(exercise.hold.from_source),
        str(exercise.repetitions.count) + _suggested(exercise.repetitions.from_source),
        _words(exercise.sides) if exercise.sides != "none" else "-",
        "yes" if exercise.desk_friendly else "no",
    )


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


@click.group(name="catalog")
def catalog_group() -> None:
    """Look at the exercises deskguard can suggest.

    The shipped catalog is merged with your own additions and changes from
    $XDG_CONFIG_HOME/deskguard/catalog.toml.
    """


@catalog_group.command(name="list")
@json_option
def list_command(as_json: bool) -> None:
    """List every exercise with its position, hold, repetitions and sides.

    Numbers marked * are not in the exercise source text; deskguard suggests them.
    """
    catalog = _load()
    exercises = list(catalog.exercises.values())
    if as_json:
        echo_json([plain.encode(exercise) for exercise in exercises])
        return
    click.echo(_table([_COLUMNS, *(_row(exercise) for exercise in exercises)]))
    if any(not (e.hold.from_source and e.repetitions.from_source) for e in exercises):
        click.echo("\n* suggested by deskguard; the exercise source gives no number")


def _describe(catalog: Catalog, exercise: Exercise) -> list[str]:
    position = _words(exercise.position)
    if exercise.alternative_positions:
        position += " (or " + ", ".join(map(_words, exercise.alternative_positions)) + ")"
    facts = [
        ("kind", exercise.kind),
        ("position", position),
        ("hold", exercise.hold.label() + _suggested(exercise.hold.from_source)),
        (
            "repetitions",
            exercise.repetitions_label() + _suggested(exercise.repetitions.from_source),
        ),
        ("sides", _words(exercise.sides)),
        ("desk-friendly", "yes" if exercise.desk_friendly else "no"),
        ("equipment", ", ".join(exercise.equipment) or "none"),
        ("time", f"about {round(exercise.total_seconds())} s of holding (longest holds)"),
        ("purpose", exercise.purpose),
    ]
    lines = [f"{exercise.name} ({exercise.id})", exercise.summary, ""]
    lines += [f"{label + ':':<15}{value}" for label, value in facts]
    lines += ["", "Steps:"]
    lines += [f"  {number}. {step}" for number, step in enumerate(exercise.steps, start=1)]
    if exercise.contraindications:
        lines += ["", "Do not do this exercise with:"]
        for cid in exercise.contraindications:
            condition = catalog.contraindications.get(cid)
            text = f"{condition.name}: {condition.description}" if condition else cid
            lines.append(f"  - {text} [{cid}]")
    if not (exercise.hold.from_source and exercise.repetitions.from_source):
        lines += ["", "* suggested by deskguard; the exercise source gives no number"]
    return lines


def _write_picture(exercise: Exercise, target: Path) -> None:
    from deskguard.pictures.render import render_png

    if exercise.figure is None:
        click.echo(f"deskguard: exercise {exercise.id!r} has no figure to draw", err=True)
        sys.exit(ExitCode.ERROR)
    try:
        target.write_bytes(render_png(exercise))
    except OSError as exc:
        click.echo(f"deskguard: cannot write {target}: {exc.strerror or exc}", err=True)
        sys.exit(ExitCode.ERROR)


@catalog_group.command()
@click.argument("exercise_id", metavar="ID")
@click.option(
    "--image",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Also write the exercise's picture (its figure in the held pose) to FILE as PNG.",
)
@json_option
def show(exercise_id: str, image: Path | None, as_json: bool) -> None:
    """Show everything about exercise ID, with numbered steps."""
    from deskguard.catalog import UnknownExerciseError

    catalog = _load()
    try:
        exercise = catalog.exercise(exercise_id)
    except UnknownExerciseError as exc:
        click.echo(f"deskguard: {exc}", err=True)
        sys.exit(ExitCode.ERROR)
    if image is not None:
        _write_picture(exercise, image)
    if as_json:
        echo_json(plain.encode(exercise))
        return
    click.echo("\n".join(_describe(catalog, exercise)))


def register(group: click.Group) -> None:
    group.add_command(catalog_group)
