"""Who may see which role-model rows; registered into minyi.org.permissions at start-up.

The library itself is district-wide (no unit); a showing belongs to the unit it was placed in, when
given, and an activity link to the activity's organising unit.
"""

from __future__ import annotations

from enum import StrEnum

from minyi.exemplars.models import ActivityExemplar, Showing
from minyi.org.permissions import register_unit_of


class ExemplarPerm(StrEnum):
    """Keeping the role-model library."""

    MANAGE = "exemplars.manage"


def register() -> None:
    register_unit_of(Showing, lambda showing: showing.unit)
    register_unit_of(ActivityExemplar, lambda link: link.activity.unit)
