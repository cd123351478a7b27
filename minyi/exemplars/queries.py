"""The role-model library's list query, shared by the library page and its Excel export."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from minyi.exemplars.models import Exemplar, Showing


def with_figures(exemplars: QuerySet[Exemplar]) -> QuerySet[Exemplar]:
    """``exemplars`` with their materials, showings, audience and linked activities counted."""
    # Subqueries, not joins: counting materials, showings and links over one join would multiply them.
    showings = (
        Showing.objects.filter(material__exemplar=OuterRef("pk")).order_by().values("material__exemplar")
    )
    return exemplars.annotate(
        material_count=Count("materials", distinct=True),
        activity_count=Count("activity_links", distinct=True),
        showing_count=Coalesce(
            Subquery(showings.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        ),
        audience=Coalesce(
            Subquery(showings.annotate(n=Sum("audience")).values("n"), output_field=IntegerField()), 0
        ),
    )
