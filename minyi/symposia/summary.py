"""Figures of symposia for a period (a campaign's dates, or from/to) and a part of the tree: how many
were held, how many people were heard, how many opinions (appeals) came of them — by participant group
and by township. The bulletin (issue 8), the list page and ``manage.py symposia summary`` read them here.

Opinions are counted apart from symposia and attendees, so a join never multiplies the attendees."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from minyi.ledger.models import Campaign
from minyi.org.models import Unit
from minyi.org.permissions import AnyUser, visible
from minyi.symposia.choices import Group
from minyi.symposia.models import Opinion, Symposium


@dataclass
class Row:
    """Symposia held, people heard and opinions entered, for one group or township (or in all)."""

    key: str
    name: str
    symposia: int = 0
    attendees: int = 0
    opinions: int = 0


@dataclass
class Summary:
    date_from: date | None
    date_to: date | None
    total: Row
    groups: list[Row] = field(default_factory=list)
    townships: list[Row] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "total": {k: v for k, v in asdict(self.total).items() if k not in ("key", "name")},
            "groups": [asdict(row) for row in self.groups],
            "townships": [asdict(row) for row in self.townships],
        }


def period_of(
    campaign: Campaign | None, date_from: date | None, date_to: date | None
) -> tuple[date | None, date | None]:
    """The period asked for: the campaign's dates when one is given, else from/to (either open)."""
    if campaign is not None:
        return campaign.starts_on, campaign.ends_on
    return date_from, date_to


def within_filter(unit: Unit) -> Q:
    """Symposia hosted in ``unit``'s subtree or held on its ground (the same rule as who sees them)."""
    return Q(host__path__startswith=unit.path) | Q(township__path__startswith=unit.path)


def symposia_in(
    *,
    campaign: Campaign | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    within: Unit | None = None,
) -> QuerySet[Symposium]:
    """The symposia of the period and the part of the tree."""
    date_from, date_to = period_of(campaign, date_from, date_to)
    rows = Symposium.objects.all()
    if date_from is not None:
        rows = rows.filter(held_on__gte=date_from)
    if date_to is not None:
        rows = rows.filter(held_on__lte=date_to)
    if within is not None:
        rows = rows.filter(within_filter(within))
    return rows


def summary(
    *,
    campaign: Campaign | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    within: Unit | None = None,
    queryset: QuerySet[Symposium] | None = None,
) -> Summary:
    """Symposia held, attendees and opinions in the period and ``within`` a unit (everything when
    None), in all, by group and by township. ``queryset`` narrows further (e.g. to what a user sees)."""
    rows = symposia_in(campaign=campaign, date_from=date_from, date_to=date_to, within=within)
    if queryset is not None:
        rows = rows & queryset
    date_from, date_to = period_of(campaign, date_from, date_to)
    opinions = Opinion.objects.filter(symposium__in=rows.values("pk"))

    def counted(key: str) -> tuple[dict[Any, dict[str, int]], dict[Any, int]]:
        held = {
            row[key]: {"symposia": row["n"], "attendees": row["people"] or 0}
            for row in rows.order_by().values(key).annotate(n=Count("id"), people=Sum("attendees"))
        }
        heard = {
            row[f"symposium__{key}"]: row["n"]
            for row in opinions.order_by().values(f"symposium__{key}").annotate(n=Count("id"))
        }
        return held, heard

    total = Row(key="", name="")
    held, heard = counted("group")
    groups = []
    for group in Group:
        figures = held.get(group.value)
        if figures is None:
            continue
        groups.append(
            Row(key=group.value, name=str(group.label), opinions=heard.get(group.value, 0), **figures)
        )
        total.symposia += figures["symposia"]
        total.attendees += figures["attendees"]
        total.opinions += heard.get(group.value, 0)
    held, heard = counted("township")
    places = Unit.objects.filter(pk__in=[pk for pk in held if pk is not None]).order_by("code")
    townships = [
        Row(key=code, name=name, opinions=heard.get(pk, 0), **held[pk])
        for pk, code, name in places.values_list("pk", "code", "name")
    ]
    if None in held:  # held at district level, in no township
        townships.append(Row(key="", name=_("No township"), opinions=heard.get(None, 0), **held[None]))
    return Summary(date_from=date_from, date_to=date_to, total=total, groups=groups, townships=townships)


def listed(user: AnyUser, data: dict[str, Any]) -> tuple[Summary, QuerySet[Symposium]]:
    """The list page's figures and rows: the symposia ``user`` may see, narrowed by the filter form's
    cleaned ``data`` (campaign or from/to, township, group), with their opinions counted. The list page
    and its Excel export both read them here."""
    seen = visible(user, Symposium.objects.all())
    if data.get("township"):
        seen = seen.filter(township=data["township"])
    if data.get("group"):
        seen = seen.filter(group=data["group"])
    figures = summary(
        campaign=data.get("campaign"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        queryset=seen,
    )
    rows = seen
    if figures.date_from is not None:
        rows = rows.filter(held_on__gte=figures.date_from)
    if figures.date_to is not None:
        rows = rows.filter(held_on__lte=figures.date_to)
    rows = rows.select_related("host", "township", "village", "campaign").annotate(
        opinion_count=Count("opinions")
    )
    return figures, rows
