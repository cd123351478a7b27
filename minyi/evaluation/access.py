"""Who may do what with evaluation forms; the names of the permissions, and which units' results a
user may see (results are shown per unit, to staff whose scope holds the unit)."""

from __future__ import annotations

from enum import StrEnum

from minyi.org.models import Unit
from minyi.org.permissions import AnyUser, can, in_scope


class EvaluationPerm(StrEnum):
    """Evaluation forms' permissions."""

    ADD_FORM = "evaluation.add_evaluationform"
    CHANGE_FORM = "evaluation.change_evaluationform"
    VIEW_RESULTS = "evaluation.view_results"
    IMPORT_ANSWERS = "evaluation.import_answers"


#: Any of these lets a user into the staff pages of the app.
STAFF_PERMISSIONS = tuple(EvaluationPerm)


def is_evaluation_staff(user: AnyUser) -> bool:
    return any(can(user, permission) for permission in STAFF_PERMISSIONS)


def result_units(user: AnyUser, units: list[Unit]) -> list[Unit]:
    """The units of ``units`` whose results ``user`` may see (their scope holds the unit)."""
    if not can(user, EvaluationPerm.VIEW_RESULTS):
        return []
    return [unit for unit in units if in_scope(user, unit)]
