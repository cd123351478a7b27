"""The role-model library's Excel export (see minyi.reports.exports), by level as the library shows it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from minyi.exemplars.choices import Level
from minyi.exemplars.models import Exemplar
from minyi.exemplars.queries import with_figures
from minyi.org.permissions import require
from minyi.sheets import AnyUser, Sheet, exporter
from minyi.study.access import StudyPerm


@exporter("exemplars")
def exemplar_library(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The role-model library by level, with its materials, showings, audience and activities."""
    require(user, StudyPerm.VIEW)
    # Grouped by level in the library's order (the levels' order, not their codes'), as the page.
    levels: dict[str, int] = {str(level): index for index, level in enumerate(Level)}
    exemplars = sorted(with_figures(Exemplar.objects.all()), key=lambda e: levels.get(e.level, 99))

    def rows() -> Iterator[list[Any]]:
        for e in exemplars:
            yield [
                e.name,
                e.get_level_display(),
                e.known_for,
                e.place,
                e.material_count,  # type: ignore[attr-defined]  # annotated by with_figures
                e.showing_count,  # type: ignore[attr-defined]
                e.audience,  # type: ignore[attr-defined]
                e.activity_count,  # type: ignore[attr-defined]
            ]

    return Sheet(
        title=_("Role models"),
        headers=[
            _("Name"),
            _("Level"),
            _("Known for"),
            _("Unit or place"),
            _("Materials"),
            _("Showings"),
            _("Audience"),
            _("Study activities"),
        ],
        rows=rows(),
        total=len(exemplars),
    )
