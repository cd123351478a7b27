"""The registered exports of the remaining lists (see exports.py): symposia, visits, pairings, study
activities and a branch's roll, assistance cases and parts, weak and joint party branches, and the
role-model library. Each reads its page's own filters through the function the page uses, keeps to the
user's scope as the page does, and masks personal data unless the user may see it and asked for it
(``personal=1``), in which case the caller audits the reading."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.org.choices import UnitKind
from minyi.org.permissions import can, person_of, require
from minyi.privacy import mask_name
from minyi.reports.exporters import _errors, _local, reveal_personal
from minyi.reports.exports import AnyUser, Sheet, exporter


def _day(value: date | None) -> str:
    return f"{value:%Y-%m-%d}" if value is not None else ""


def _yes(flag: bool) -> str:
    return str(_("Yes")) if flag else ""


def _only(params: dict[str, str], names: Any) -> dict[str, str]:
    return {key: params[key] for key in names if params.get(key)}


# --- symposia ------------------------------------------------------------------------------------------


@exporter("symposia")
def symposium_list(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The symposia list with its filters (campaign or from/to, township, participants)."""
    from minyi.symposia.access import VIEW_SYMPOSIUM
    from minyi.symposia.forms import FilterForm
    from minyi.symposia.summary import listed

    require(user, VIEW_SYMPOSIUM)
    form = FilterForm(_only(params, FilterForm.base_fields))
    if not form.is_valid():
        raise _errors(form)
    _figures, symposia = listed(user, form.cleaned_data)
    symposia = symposia.order_by("-held_on", "-pk")

    def rows() -> Iterator[list[Any]]:
        for s in symposia.iterator(chunk_size=1000):
            yield [
                _day(s.held_on),
                s.title,
                s.get_group_display(),
                s.host.name,
                s.host_name,
                s.township.name if s.township else "",
                s.village.name if s.village else "",
                s.place,
                s.attendees,
                s.opinion_count,  # type: ignore[attr-defined]  # annotated by listed()
                s.campaign.name if s.campaign else "",
            ]

    return Sheet(
        title=_("Symposia"),
        headers=[
            _("Date"),
            _("Theme"),
            _("Participants"),
            _("Host unit"),
            _("Chaired by"),
            _("Township"),
            _("Village / community"),
            _("Place"),
            _("Attendees"),
            _("Opinions"),
            _("Campaign"),
        ],
        rows=rows(),
        total=symposia.count(),
    )


# --- outreach ------------------------------------------------------------------------------------------


@exporter("visits")
def my_visits(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The user's own visits, newest first, as "My visits" lists them; household heads' names are
    masked unless the user may see personal data and asked for it."""
    from minyi.outreach.access import ADD_VISIT
    from minyi.outreach.models import Visit

    require(user, ADD_VISIT)
    person = person_of(user)
    visits = Visit.objects.filter(visitor=person).select_related(
        "village", "township", "household", "enterprise", "campaign"
    )
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for v in visits.iterator(chunk_size=1000):
            head = v.household.head_name if v.household else ""
            yield [
                _day(v.visited_on),
                v.get_place_kind_display(),
                v.township.name if v.township else "",
                v.village.name if v.village else "",
                v.household.code if v.household else "",
                head if reveal else mask_name(head),
                v.enterprise.name if v.enterprise else "",
                v.campaign.name if v.campaign else "",
                _yes(v.contact_card),
                _yes(v.urgent_matter),
                _yes(v.diary),
                _yes(v.assistance_plan),
                _yes(v.review_session),
            ]

    return Sheet(
        title=_("My visits"),
        headers=[
            _("Date"),
            _("Place"),
            _("Township"),
            _("Village / community"),
            _("Household"),
            _("Head of household"),
            _("Enterprise"),
            _("Campaign"),
            _("Contact card left"),
            _("One urgent matter handled"),
            _("Diary entry written"),
            _("Village assistance plan"),
            _("Review session held"),
        ],
        rows=rows(),
        total=visits.count(),
        personal_fields=("head_name",) if reveal else (),
    )


@exporter("pairings")
def pairing_list(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The pairings of the user's scope with the list's filters, each with its plan and planned vs
    done in the period; a paired household's head is masked unless allowed and asked for."""
    from minyi.outreach.access import VIEW_COVERAGE, may_list
    from minyi.outreach.forms import PairingFilterForm
    from minyi.outreach.pairings import measure, visits_done
    from minyi.outreach.queries import filtered, scoped_pairings

    if not may_list(user):
        require(user, VIEW_COVERAGE)
    form = PairingFilterForm(_only(params, PairingFilterForm.base_fields))
    if not form.is_valid():
        raise _errors(form)
    data = form.cleaned_data
    today = timezone.localdate()
    date_from, date_to = data.get("date_from"), data.get("date_to")
    pairings = filtered(scoped_pairings(user), data).order_by("state", "person__name", "pk")
    reveal = reveal_personal(user, params)

    def place(p: Any) -> list[str]:
        if p.household is not None:
            head = p.household.head_name
            return [str(_("Household")), p.household.village.name, p.household.code,
                    head if reveal else mask_name(head)]  # fmt: skip
        kind = _("Enterprise") if p.unit.kind == UnitKind.ENTERPRISE else _("Village / community")
        return [str(kind), p.unit.name, "", ""]

    def rows() -> Iterator[list[Any]]:
        for p in visits_done(pairings, today, date_from, date_to).iterator(chunk_size=1000):
            row = measure(p, today, date_from, date_to)
            yield [
                p.person.name,
                p.person.unit.name,
                *place(p),
                p.visits_planned,
                p.get_period_display(),
                p.purpose,
                row.planned,
                row.done,
                row.shortfall,
                _day(row.start),
                _day(row.end),
                p.get_state_display(),
                _day(p.started_on),
                _day(p.ended_on),
            ]

    return Sheet(
        title=_("Pairings"),
        headers=[
            _("Leader or cadre"),
            _("Unit"),
            _("Place"),
            _("Village / community or enterprise"),
            _("Household"),
            _("Head of household"),
            _("Visits planned"),
            _("Per"),
            _("Purpose"),
            _("Planned so far"),
            _("Done"),
            _("Short by"),
            _("Counted from"),
            _("Counted to"),
            _("State"),
            _("Since"),
            _("Ended on"),
        ],
        rows=rows(),
        total=pairings.count(),
        personal_fields=("head_name",) if reveal else (),
    )


# --- study ---------------------------------------------------------------------------------------------


@exporter("study_activities")
def study_activities(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The study activities of the user's scope, newest first, with their session counts."""
    from minyi.study import rules as study_rules
    from minyi.study.queries import scoped_activities

    require(user, study_rules.VIEW)
    activities = scoped_activities(user).annotate(session_count=Count("sessions")).order_by("-pk")

    def rows() -> Iterator[list[Any]]:
        for a in activities.iterator(chunk_size=1000):
            yield [
                a.title,
                a.get_kind_display(),
                a.unit.name,
                a.campaign.name if a.campaign else "",
                a.session_count,
                _local(a.created_at),
            ]

    return Sheet(
        title=_("Study activities"),
        headers=[_("Title"), _("Kind"), _("Organising unit"), _("Campaign"), _("Sessions"), _("Created")],
        rows=rows(),
        total=activities.count(),
    )


@exporter("branch_roll")
def branch_roll(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The members of a branch (``branch``) as its page lists them, with whether each attended in the
    period (the page's period; the last 30 days by default). Members' names are personal data:
    masked unless the user may see it and asked for it."""
    from datetime import timedelta

    from minyi.org.permissions import scope_filter
    from minyi.study import rules as study_rules
    from minyi.study.forms import PeriodForm
    from minyi.study.models import Branch, Membership

    require(user, study_rules.VIEW)
    given = str(params.get("branch", ""))
    branches = scope_filter(user, Branch.objects.select_related("unit"), "unit__path")
    branch = branches.filter(pk=int(given)).first() if given.isdigit() else None
    if branch is None:
        raise ValidationError(_("There is no such party branch in your scope."))
    today = timezone.localdate()
    query = _only(params, ("campaign", "date_from", "date_to"))
    if not query:  # the branch page's default: the last 30 days
        query = {"date_from": f"{today - timedelta(days=29):%Y-%m-%d}", "date_to": f"{today:%Y-%m-%d}"}
    form = PeriodForm(query)
    if not form.is_valid():
        raise _errors(form)
    data = form.cleaned_data
    period = study_rules.Period(data["campaign"], data["date_from"], data["date_to"])
    members = (
        study_rules.with_reached(Membership.objects.filter(current_branch=branch, is_active=True), period)
        .select_related("person", "home_branch")
        .order_by("person__name", "pk")
    )
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for m in members.iterator(chunk_size=1000):
            yield [
                m.person.name if reveal else mask_name(m.person.name),
                m.home_branch.name if m.home_branch else "",
                _yes(m.mobile),
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


# --- assistance ----------------------------------------------------------------------------------------


@exporter("assistance_cases")
def assistance_cases(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The coordinator's list of cases (state, household code), for those who see every case only;
    the head of the household masked unless allowed and asked for."""
    from minyi.assistance.access import sees_all
    from minyi.assistance.choices import CaseState
    from minyi.assistance.queries import desk_cases

    if not sees_all(user):
        raise PermissionDenied(_("Only the coordinating unit sees all assistance cases."))
    show = params.get("state", CaseState.OPEN)
    cases = desk_cases(show, params.get("household", "").strip()).order_by("-opened_at", "-pk")
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for c in cases.iterator(chunk_size=500):
            head = c.household.head_name
            yield [
                c.pk,
                c.household.code,
                head if reveal else mask_name(head),
                c.household.village.name,
                c.township.name if c.township else "",
                _local(c.opened_at),
                "；".join(f"{part.get_type_display()}: {part.get_state_display()}" for part in c.parts.all()),
                c.get_state_display(),
                _local(c.closed_at),
            ]

    return Sheet(
        title=_("Assistance cases"),
        headers=[
            _("Case"),
            _("Household"),
            _("Head of household"),
            _("Village / community"),
            _("Township"),
            _("Opened"),
            _("Parts"),
            _("State"),
            _("Closed"),
        ],
        rows=rows(),
        total=cases.count(),
        personal_fields=("head_name",) if reveal else (),
    )


@exporter("assistance_parts")
def assistance_parts(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The parts handed to the user's unit (those still to deliver, or all with ``show=all``), as its
    list shows them: a delivering unit sees its own parts and nothing else of the case."""
    from minyi.assistance.access import DELIVER
    from minyi.assistance.queries import unit_parts

    if not user.has_perm(DELIVER):
        require(user, DELIVER)
    parts = unit_parts(user, pending=params.get("show") != "all")
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for p in parts.iterator(chunk_size=1000):
            head = p.case.household.head_name
            yield [
                p.get_type_display(),
                p.case.household.code,
                head if reveal else mask_name(head),
                p.case.household.village.name,
                _local(p.handed_at),
                p.unit.name if p.unit else "",
                p.get_state_display(),
                _day(p.delivered_on),
            ]

    return Sheet(
        title=_("Assistance parts"),
        headers=[
            _("Type"),
            _("Household"),
            _("Head of household"),
            _("Village / community"),
            _("Handed out"),
            _("Unit"),
            _("State"),
            _("First delivered on"),
        ],
        rows=rows(),
        total=parts.count(),
        personal_fields=("head_name",) if reveal else (),
    )


# --- party building and role models --------------------------------------------------------------------


def _party_campaign(user: AnyUser, params: dict[str, str]) -> Any:
    from minyi.ledger.models import Campaign
    from minyi.partybuilding.access import MANAGE, VIEW

    if not can(user, MANAGE):
        require(user, VIEW)
    code = params.get("campaign", "")
    campaign = Campaign.objects.filter(code=code).first() if code else None
    if code and campaign is None:
        raise ValidationError(_("There is no such campaign."))
    return campaign


@exporter("weak_branches")
def weak_branches(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The weak village party branches of the user's scope (of a campaign when given), with their state."""
    from minyi.partybuilding.queries import listed

    marks, _joints = listed(user, _party_campaign(user, params))
    marks = marks.order_by("marked_on", "pk")

    def rows() -> Iterator[list[Any]]:
        for m in marks.iterator(chunk_size=1000):
            township = m.branch.parent.parent if m.branch.parent else None
            yield [
                m.branch.name,
                township.name if township else "",
                _day(m.marked_on),
                m.reasons,
                str(_("No longer weak")) if m.cleared_on else str(_("Weak")),
                _day(m.cleared_on),
                m.decision,
                m.campaign.name if m.campaign else "",
            ]

    return Sheet(
        title=_("Weak village party organisations"),
        headers=[
            _("Party branch"),
            _("Township"),
            _("Marked weak on"),
            _("Reasons"),
            _("State"),
            _("Cleared on"),
            _("Clearing decision"),
            _("Campaign"),
        ],
        rows=rows(),
        total=marks.count(),
    )


def _leader(user: Any) -> str:
    # As the page: the leader's name, or the login of a leader with no person record.
    if user is None:
        return ""
    person = person_of(user)
    return person.name if person is not None else str(user.get_username())


@exporter("joint_branches")
def joint_branches(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The joint general branches of the user's scope with their member branches and one row per
    rectification task with its state (a branch with no task yet has one row of its own)."""
    from minyi.partybuilding.queries import listed

    _marks, joints = listed(user, _party_campaign(user, params))
    found = list(joints.order_by("formed_on", "pk"))
    lines: list[list[Any]] = []
    for j in found:
        members = "、".join(f"{m.branch.name}（{m.get_role_display()}）" for m in j.members.all())
        head = [j.name, j.township.name, _day(j.formed_on), members]
        tasks = list(j.tasks.all())
        for t in tasks:
            lines.append([
                *head, t.get_area_display(), t.issue.title, _leader(t.issue.leader),
                _day(t.issue.deadline), t.issue.get_state_display(),
            ])  # fmt: skip
        if not tasks:
            lines.append([*head, "", "", "", "", ""])
    return Sheet(
        title=_("Joint general branches"),
        headers=[
            _("Joint general branch"),
            _("Township"),
            _("Formed on"),
            _("Member branches"),
            _("Area"),
            _("Task"),
            _("Supervising leader"),
            _("Deadline"),
            _("State"),
        ],
        rows=lines,
        total=len(lines),
    )


@exporter("exemplars")
def exemplar_library(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The role-model library by level, with its materials, showings, audience and activities."""
    from minyi.exemplars import rules as exemplar_rules
    from minyi.exemplars.choices import Level
    from minyi.exemplars.models import Exemplar
    from minyi.exemplars.queries import with_figures

    require(user, exemplar_rules.VIEW)
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
