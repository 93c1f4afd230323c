"""The exercise catalog in the user's language, for showing it: names, steps, summaries,
contraindications and notes. The catalog as loaded stays English (ids and JSON output
never change with the language); only what people read goes through here.

For each text: the exercise's own translation for the language (a user's catalog may
carry one), else the shipped message catalogs, else the text as the catalog says it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from deskguard.i18n import NP_, _, current_language, pgettext
from deskguard.model.exercise import (
    Catalog,
    Contraindication,
    ContraindicationTranslation,
    Exercise,
    ExerciseTranslation,
    Habit,
)

if TYPE_CHECKING:
    from deskguard.ipc.status import Status

T = TypeVar("T", ExerciseTranslation, ContraindicationTranslation)


def own_translation(translations: Mapping[str, T], language: str) -> T | None:
    """The translation for `language` ("pt_BR"), else for its base language ("pt")."""
    return translations.get(language) or translations.get(language.partition("_")[0])


def localized_exercise(exercise: Exercise) -> Exercise:
    own = own_translation(exercise.translations, current_language()) or ExerciseTranslation()
    return replace(
        exercise,
        name=own.name or _(exercise.name),
        purpose=own.purpose or _(exercise.purpose),
        summary=own.summary or _(exercise.summary),
        steps=own.steps or tuple(map(_, exercise.steps)),
        equipment=own.equipment or tuple(map(_, exercise.equipment)),
    )


def exercise_name(catalog: Catalog, exercise_id: str | None) -> str | None:
    """The name of the exercise `exercise_id` in the current language, None when the
    catalog has no such exercise."""
    exercise = catalog.exercises.get(exercise_id or "")
    return localized_exercise(exercise).name if exercise else None


def status_in_language(status: Status, catalog: Catalog) -> Status:
    """`status` with its pending exercise named as `catalog` (the user's own included)
    says it in the current language. The status as sent names it in English: its JSON is
    the same in every language."""
    name = exercise_name(catalog, status.pending_exercise)
    return replace(status, pending_exercise_name=name) if name else status


def localized_contraindication(condition: Contraindication) -> Contraindication:
    language = current_language()
    own = own_translation(condition.translations, language) or ContraindicationTranslation()
    return replace(
        condition,
        name=own.name or _(condition.name),
        description=own.description or _(condition.description),
    )


def localized_catalog(catalog: Catalog) -> Catalog:
    """The whole catalog with every text people read in the current language."""
    return replace(
        catalog,
        exercises={key: localized_exercise(e) for key, e in catalog.exercises.items()},
        contraindications={
            key: localized_contraindication(c) for key, c in catalog.contraindications.items()
        },
        walking=replace(catalog.walking, why=_(catalog.walking.why)),
        habits=tuple(Habit(habit.id, _(habit.text)) for habit in catalog.habits),
        routine=replace(catalog.routine, why=_(catalog.routine.why)),
        notes={key: _(text) for key, text in catalog.notes.items()},
    )


KIND_NAMES = {
    "stretch": NP_("exercise kind", "stretch"),
    "strength": NP_("exercise kind", "strength"),
}
POSITION_NAMES = {
    "standing": NP_("position", "standing"),
    "lying-on-back": NP_("position", "lying on back"),
    "lying-face-down": NP_("position", "lying face down"),
    "all-fours": NP_("position", "on all fours"),
}
SIDES_NAMES = {
    "none": NP_("sides", "none"),
    "per-side": NP_("sides", "per side"),
    "per-leg": NP_("sides", "per leg"),
}


def kind_name(kind: str) -> str:
    return pgettext("exercise kind", KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def position_name(position: str) -> str:
    return (
        pgettext("position", POSITION_NAMES[position]) if position in POSITION_NAMES else position
    )


def sides_name(sides: str) -> str:
    return pgettext("sides", SIDES_NAMES[sides]) if sides in SIDES_NAMES else sides
