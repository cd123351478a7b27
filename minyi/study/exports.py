"""Study's Excel exports (see minyi.reports.exports): the activity list, the party branch list, and one
branch's roll and members left behind in its page's period; members' names masked unless allowed and
asked for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.dates import minute_text
from minyi.org.permissions import require
from minyi.privacy import mask_name
from minyi.sheets import AnyUser, Sheet, exporter, form_errors, picked, reveal_personal, yes_cell
from minyi.study import rules
from minyi.study.access import StudyPerm
from minyi.study.forms import PeriodForm
from minyi.study.models import Branch, Membership
from minyi.study.queries import branches_of, scoped_activities


@exporter("study_activities")
def study_activities(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The study activities of the user's scope, newest first, with their session counts."""
    require(user, StudyPerm.VIEW)
    activities = scoped_activities(user).annotate(session_count=Count("sessions")).order_by("-pk")

    def rows() -> Iterator[list[Any]]:
        for a in activities.iterator(chunk_size=1000):
            yield [
                a.title,
                a.get_kind_display(),
                a.unit.name,
                a.campaign.name if a.campaign else "",
                a.session_count,
                minute_text(a.created_at),
            ]

    return Sheet(
        title=_("Study activities"),
        headers=[_("Title"), _("Kind"), _("Organising unit"), _("Campaign"), _("Sessions"), _("Created")],
        rows=rows(),
        total=activities.count(),
    )


@exporter("study_branches")
def study_branches(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The party branches of the user's scope with their member counts, as the branch list shows them."""
    require(user, StudyPerm.VIEW)
    branches = branches_of(user).annotate(member_count=Count("current_members"))

    def rows() -> Iterator[list[Any]]:
        for b in branches.iterator(chunk_size=1000):
            yield [b.name, b.get_kind_display(), b.unit.name, b.member_count]

    return Sheet(
        title=_("Party branches"),
        headers=[_("Branch"), _("Kind"), _("Unit"), _("Party members")],
        rows=rows(),
        total=branches.count(),
    )


def _branch_and_period(user: AnyUser, params: dict[str, str]) -> tuple[Branch, rules.Period]:
    """The branch (``branch``) of the user's scope and the period its page shows (``campaign`` or
    ``date_from``/``date_to``; the last 30 days by default)."""
    require(user, StudyPerm.VIEW)
    given = str(params.get("branch", ""))
    branch = branches_of(user).filter(pk=int(given)).first() if given.isdigit() else None
    if branch is None:
        raise ValidationError(_("There is no such party branch in your scope."))
    today = timezone.localdate()
    query = picked(params, ("campaign", "date_from", "date_to"))
    if not query:  # the branch page's default: the last 30 days
        query = {"date_from": f"{today - timedelta(days=29):%Y-%m-%d}", "date_to": f"{today:%Y-%m-%d}"}
    form = PeriodForm(query)
    if not form.is_valid():
        raise form_errors(form)
    data = form.cleaned_data
    return branch, rules.Period(data["campaign"], data["date_from"], data["date_to"])


@exporter("branch_roll")
def branch_roll(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The members of a branch (``branch``) as its page lists them, with whether each attended in the
    period (the page's period; the last 30 days by default). Members' names are personal data:
    masked unless the user may see it and asked for it."""
    branch, period = _branch_and_period(user, params)
    members = (
        rules.with_reached(Membership.objects.filter(current_branch=branch, is_active=True), period)
        .select_related("person", "home_branch")
        .order_by("person__name", "pk")
    )
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for m in members.iterator(chunk_size=1000):
            yield [
                m.person.name if reveal else mask_name(m.person.name),
                m.home_branch.name if m.home_branch else "",
                yes_cell(m.mobile),
                m.whereabouts,
                str(_("Yes")) if m.reached else str(_("No")),  # type: ignore[attr-defined]  # with_reached
            ]

    return Sheet(
        title=f"{branch.name} {_('Members')}",
        headers=[
            _("Name"),
            _("Home branch"),
            _("Mobile member"),
            _("Where they work now"),
            _("Attended in the period"),
        ],
        rows=rows(),
        total=members.count(),
        personal_fields=("name",) if reveal else (),
    )


@exporter("left_behind")
def study_left_behind(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The members of a branch (``branch``) left behind in the period, as the branch page lists them."""
    branch, period = _branch_and_period(user, params)
    members = rules.left_behind(Membership.objects.filter(current_branch=branch, is_active=True), period)
    reveal = reveal_personal(user, params)
    rows = [
        [m.person.name if reveal else mask_name(m.person.name),
         m.current_branch.name if m.current_branch else "", _("Yes") if m.mobile else "", m.whereabouts]
        for m in members
    ]  # fmt: skip
    return Sheet(
        title=f"{branch.name} {_('Left behind')}",
        headers=[_("Name"), _("Party branch"), _("Mobile member"), _("Where they work now")],
        rows=rows,
        total=len(rows),
        personal_fields=("name",) if reveal else (),
    )
