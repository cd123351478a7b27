"""The registered exports of the last lists (see exports.py): supervision notices, the ledger's sign-off
register, the audit trail, one hotspot board's clusters, the party branch list, and the people and
household lists. Each reads its page's filters through the function the page uses, keeps to the user's
scope as the page does, and masks personal data as the page does unless the user may see it and asked
for it (``personal=1``), in which case the caller audits the reading."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from minyi.org.permissions import Action, require
from minyi.privacy import mask_address, mask_name, mask_phone, mask_text
from minyi.reports.exporters import _errors, _local, reveal_personal
from minyi.reports.exporters_lists import _day, _only, _yes
from minyi.reports.exports import AnyUser, Sheet, exporter


def _search(params: dict[str, str]) -> str:
    """The people / household lists' search word, cut as the pages cut it."""
    return str(params.get("q", "")).strip()[:50]


# --- supervision notices -------------------------------------------------------------------------------


@exporter("supervision_notices")
def supervision_notices(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The notices the user sees on the supervision list, with its filters (level, unanswered, late)."""
    from minyi.supervision import rules
    from minyi.supervision.forms import NoticeFilterForm
    from minyi.supervision.models import local_today
    from minyi.supervision.queries import listed_notices

    require(user, rules.VIEW)
    given = _only(params, NoticeFilterForm.base_fields)
    form = NoticeFilterForm(given or None)
    if given and not form.is_valid():
        raise _errors(form)
    notices, _chosen = listed_notices(user, form)
    today = local_today()

    def rows() -> Iterator[list[Any]]:
        for n in notices.iterator(chunk_size=1000):
            if n.appeal is not None:
                about = f"{_('Appeal')} {n.appeal.number} {mask_text(n.appeal.title)}"
            else:
                about = f"{_('Rectification item')} {mask_text(n.issue.title) if n.issue else ''}"
            if n.issued_by is None:
                issuer = str(_("deadline sweep"))
            else:
                person = getattr(n.issued_by, "person", None)
                issuer = person.name if person is not None and person.name else n.issued_by.get_username()
            yield [
                n.get_level_display(),
                about,
                n.unit.name,
                _local(n.issued_at),
                issuer,
                _day(n.answer_by),
                str(n.answer_status(today).label),
                _yes(n.briefed_at is not None),
                mask_text(n.text),
            ]

    return Sheet(
        title=_("Supervision notices"),
        headers=[
            _("Level"),
            _("About"),
            _("Unit to answer"),
            _("Issued"),
            str(capfirst(_("issued by"))),
            _("Answer by"),
            _("Answer"),
            str(capfirst(_("named in the briefing"))),
            str(capfirst(_("notice"))),
        ],
        rows=rows(),
        total=notices.count(),
    )


# --- the ledger's sign-off register --------------------------------------------------------------------


@exporter("signoff_register")
def signoff_register(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The sign-off register with its filters (the ledger's filters and the from/to dates)."""
    from minyi.ledger.queries import signed_off

    require(user, "ledger.view_issue")
    found, _chosen, _dates = signed_off(user, params)
    signoffs = found.select_related("issue__lead_unit", "issue__campaign", "decided_by__person")

    def rows() -> Iterator[list[Any]]:
        for s in signoffs.prefetch_related("files").iterator(chunk_size=1000):
            approver = ""
            if s.decided_by is not None:
                person = getattr(s.decided_by, "person", None)
                approver = person.name if person is not None and person.name else s.decided_by.get_username()
            yield [
                _local(s.decided_at),
                s.issue.title,
                s.issue.get_original_track_display(),
                s.issue.lead_unit.name if s.issue.lead_unit else "",
                s.issue.campaign.name if s.issue.campaign else "",
                approver,
                s.evidence,
                "、".join(f.original_name for f in s.files.all()),
            ]

    return Sheet(
        title=_("Sign-off register"),
        headers=[
            str(capfirst(_("signed off"))),
            str(capfirst(_("title"))),
            str(capfirst(_("track"))),
            str(capfirst(_("lead unit"))),
            _("Campaign"),
            _("Approved by"),
            str(capfirst(_("evidence"))),
            _("Evidence files"),
        ],
        rows=rows(),
        total=signoffs.count(),
    )


# --- the audit trail -----------------------------------------------------------------------------------


@exporter("audit_trail")
def audit_trail(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The audit trail with its filters, for auditors: the page's columns as the page shows them (whose
    personal data was read is written masked when it is recorded, and stays so)."""
    from minyi.audit.forms import AuditFilterForm
    from minyi.audit.queries import filtered_events

    require(user, Action.VIEW_AUDIT)
    given = _only(params, AuditFilterForm.base_fields)
    form = AuditFilterForm(given or None)
    if given and not form.is_valid():
        raise _errors(form)
    events = filtered_events(form)

    def rows() -> Iterator[list[Any]]:
        for e in events.iterator(chunk_size=1000):
            yield [
                _local(e.at),
                e.actor_name,
                e.ip or "",
                e.action,
                e.object_repr,
                e.subject,
            ]

    return Sheet(
        title=_("Audit trail"),
        headers=[_("Time"), _("Actor"), _("IP address"), _("Action"), _("Object"), _("Whose personal data")],
        rows=rows(),
        total=events.count(),
    )


# --- one hotspot board ---------------------------------------------------------------------------------


@exporter("hotspots")
def hotspot_board(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The clusters of one computed hotspot board (``run``), by rank, as the board shows them."""
    from minyi.insight import board
    from minyi.insight.models import HotspotRun
    from minyi.insight.queries import board_clusters

    require(user, board.VIEW)
    given = str(params.get("run", ""))
    run = HotspotRun.objects.filter(pk=int(given)).first() if given.isdigit() else None
    if run is None or run.state != HotspotRun.State.DONE:
        raise ValidationError(_("There is no such computed hotspot board."))
    clusters = board_clusters(run)

    def rows() -> Iterator[list[Any]]:
        for c in clusters:
            first = _day(timezone.localtime(c.first_at).date())
            last = _day(timezone.localtime(c.last_at).date())
            yield [
                c.rank,
                c.title,
                c.place,
                first if first == last else f"{first} – {last}",
                c.size,
                c.people,
                c.likes,
                round(c.heat, 2),
                c.issue.title if c.issue else "",
            ]

    return Sheet(
        title=f"{_('Hotspot board')} {run.starts_on:%Y%m%d}-{run.ends_on:%Y%m%d}",
        headers=[
            _("Rank"),
            _("Hotspot"),
            _("Place"),
            _("Time span"),
            _("Appeals"),
            _("Distinct people"),
            str(capfirst(_("supporters"))),
            _("Heat index"),
            _("Rectification"),
        ],
        rows=rows(),
        total=len(clusters),
    )


# --- the party branch list -----------------------------------------------------------------------------


@exporter("study_branches")
def study_branches(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The party branches of the user's scope with their member counts, as the branch list shows them."""
    from minyi.study import rules
    from minyi.study.queries import branches_of

    require(user, rules.VIEW)
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


# --- people and households -----------------------------------------------------------------------------


@exporter("people")
def people(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The people list with its search, as it shows them: phones masked unless the user may see
    personal data and asked for it."""
    from minyi.org.queries import people_matching

    require(user, Action.VIEW_PERSON)
    found = people_matching(user, _search(params))
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for p in found.iterator(chunk_size=1000):
            yield [
                p.name,
                p.unit.name if p.unit else "",
                p.get_role_display(),
                p.title,
                p.phone if reveal else mask_phone(p.phone),
            ]

    return Sheet(
        title=_("People"),
        headers=[_("Name"), _("Unit"), _("Role"), _("Position"), _("Phone")],
        rows=rows(),
        total=found.count(),
        personal_fields=("phone",) if reveal else (),
    )


@exporter("households")
def households(user: AnyUser, params: dict[str, str]) -> Sheet:
    """The household list with its search, as it shows them: heads' names, phones and addresses masked
    unless the user may see personal data and asked for it."""
    from minyi.org.queries import households_matching

    require(user, Action.VIEW_HOUSEHOLD)
    found = households_matching(user, _search(params))
    reveal = reveal_personal(user, params)

    def rows() -> Iterator[list[Any]]:
        for h in found.iterator(chunk_size=1000):
            yield [
                h.code,
                h.village.name if h.village else "",
                h.head_name if reveal else mask_name(h.head_name),
                h.phone if reveal else mask_phone(h.phone),
                h.address if reveal else mask_address(h.address),
                h.size,
            ]

    return Sheet(
        title=_("Households"),
        headers=[
            _("Code"),
            _("Village / community"),
            _("Head of household"),
            _("Phone"),
            _("Address"),
            _("Members"),
        ],
        rows=rows(),
        total=found.count(),
        personal_fields=("head_name", "phone", "address") if reveal else (),
    )
