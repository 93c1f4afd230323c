"""`deskguard catalog ...`: list the exercises and show one in full."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from deskguard.cli.params import echo_json, json_option
from deskguard.errors import ExitCode
from deskguard.i18n import N_, _, ngettext, pgettext
from deskguard.i18n.catalog import (
    kind_name,
    localized_contraindication,
    localized_exercise,
    position_name,
    sides_name,
)
from deskguard.model import plain

if TYPE_CHECKING:
    from deskguard.catalog import Catalog, Exercise


def _columns() -> tuple[str, ...]:
    # Translators: the headings of `deskguard catalog list`; "reps" is repetitions, "desk"
    # says whether the exercise can be done at the desk.
    return ("id", _("name"), _("kind"), _("position"), _("hold"), _("reps"), _("sides"), _("desk"))


def _load() -> Catalog:
    """The merged catalog; a bad catalog prints every problem and exits 78."""
    from deskguard.catalog import load_catalog

    return load_catalog()


def _suggested(from_source: bool) -> str:
    return "" if from_source else " *"


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _row(exercise: Exercise) -> tuple[str, ...]:
    return (
        exercise.id,
        exercise.name,
        kind_name(exercise.kind),
        position_name(exercise.position),
        exercise.hold.label() + _suggested(exercise.hold.from_source),
        str(exercise.repetitions.count) + _suggested(exercise.repetitions.from_source),
        sides_name(exercise.sides) if exercise.sides != "none" else "-",
        _yes_no(exercise.desk_friendly),
    )


def _table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    return "\n".join(line.rstrip() for line in lines)


# The help texts are in the user's language: deskguard.cli chose it before importing this.
@click.group(
    name="catalog",
    help=_(
        "Look at the exercises deskguard can suggest.\n"
        "\n"
        "The shipped catalog is merged with your own additions and changes from "
        "$XDG_CONFIG_HOME/deskguard/catalog.toml."
    ),
)
def catalog_group() -> None:
    pass


@catalog_group.command(
    name="list",
    help=_(
        "List every exercise with its position, hold, repetitions and sides.\n"
        "\n"
        "Numbers marked * are not in the exercise source text; deskguard suggests them."
    ),
)
@json_option
def list_command(as_json: bool) -> None:
    catalog = _load()
    exercises = list(catalog.exercises.values())
    if as_json:
        echo_json([plain.encode(exercise) for exercise in exercises])
        return
    shown = [localized_exercise(exercise) for exercise in exercises]
    click.echo(_table([_columns(), *(_row(exercise) for exercise in shown)]))
    if any(not (e.hold.from_source and e.repetitions.from_source) for e in exercises):
        click.echo("\n" + _(SUGGESTED))


SUGGESTED = N_("* suggested by deskguard; the exercise source gives no number")


def _facts(exercise: Exercise) -> list[tuple[str, str]]:
    position = position_name(exercise.position)
    if exercise.alternative_positions:
        others = ", ".join(map(position_name, exercise.alternative_positions))
        position = _("{position} (or {others})").format(position=position, others=others)
    holding = round(exercise.total_seconds())
    # Translators: the labels of `deskguard catalog show`, each followed by a colon.
    return [
        (_("kind"), kind_name(exercise.kind)),
        (_("position"), position),
        (_("hold"), exercise.hold.label() + _suggested(exercise.hold.from_source)),
        (
            _("repetitions"),
            exercise.repetitions_label() + _suggested(exercise.repetitions.from_source),
        ),
        (_("sides"), sides_name(exercise.sides)),
        (_("desk-friendly"), _yes_no(exercise.desk_friendly)),
        (_("equipment"), ", ".join(exercise.equipment) or pgettext("equipment", "none")),
        (
            _("time"),
            ngettext(
                "about {seconds} second of holding (longest holds)",
                "about {seconds} seconds of holding (longest holds)",
                holding,
            ).format(seconds=holding),
        ),
        (_("purpose"), exercise.purpose),
    ]


def _describe(catalog: Catalog, exercise: Exercise) -> list[str]:
    exercise = localized_exercise(exercise)
    facts = _facts(exercise)
    width = max(15, max(len(label) for label, _value in facts) + 2)
    lines = [f"{exercise.name} ({exercise.id})", exercise.summary, ""]
    lines += [f"{label + ':':<{width}}{value}" for label, value in facts]
    lines += ["", _("Steps:")]
    lines += [f"  {number}. {step}" for number, step in enumerate(exercise.steps, start=1)]
    if exercise.contraindications:
        lines += ["", _("Do not do this exercise with:")]
        for cid in exercise.contraindications:
            condition = catalog.contraindications.get(cid)
            if condition:
                condition = localized_contraindication(condition)
            text = f"{condition.name}: {condition.description}" if condition else cid
            lines.append(f"  - {text} [{cid}]")
    if not (exercise.hold.from_source and exercise.repetitions.from_source):
        lines += ["", _(SUGGESTED)]
    return lines


def _write_picture(exercise: Exercise, target: Path) -> None:
    from deskguard.pictures.render import render_png

    if exercise.figure is None:
        # Translators: {id} is the exercise's id, quoted, like 'neck-tilt'.
        no_figure = _("exercise {id} has no figure to draw").format(id=repr(exercise.id))
        click.echo(f"deskguard: {no_figure}", err=True)
        sys.exit(ExitCode.ERROR)
    try:
        target.write_bytes(render_png(exercise))
    except OSError as exc:
        # Translators: {path} is the picture's file; {reason} is the system's, in English.
        cannot = _("cannot write {path}: {reason}")
        click.echo(f"deskguard: {cannot.format(path=target, reason=exc.strerror or exc)}", err=True)
        sys.exit(ExitCode.ERROR)


@catalog_group.command(help=_("Show everything about exercise ID, with numbered steps."))
@click.argument("exercise_id", metavar="ID")
@click.option(
    "--image",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help=_("Also write the exercise's picture (its figure in the held pose) to FILE as PNG."),
)
@json_option
def show(exercise_id: str, image: Path | None, as_json: bool) -> None:
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
