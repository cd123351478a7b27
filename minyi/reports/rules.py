"""The bulletin's rules: who receives it weekly (the campaign office chooses leaders), and the number of
each issue (第 N 期, counted per year by the issuing office). Every change is audited."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.audit.rules import record
from minyi.ledger.models import Campaign
from minyi.org.choices import Role, UnitKind
from minyi.org.models import Person, Unit
from minyi.org.permissions import can
from minyi.org.rules import Actor
from minyi.reports.access import ReportsPerm
from minyi.reports.models import BulletinIssue, BulletinMasthead, BulletinSubscription

if TYPE_CHECKING:
    from minyi.reports.bulletin import Scope


def _manager(actor: Actor) -> User:
    if not isinstance(actor, User) or not can(actor, ReportsPerm.MANAGE_BULLETIN):
        raise PermissionDenied(_("You may not choose who receives the bulletin."))
    return actor


@transaction.atomic
def subscribe(person: Person, campaign: Campaign, *, actor: Actor) -> BulletinSubscription:
    """Send ``campaign``'s bulletin to a leader every Monday."""
    user = _manager(actor)
    if person.role != Role.LEADER or not person.is_active or person.user_id is None:
        raise ValidationError({"person": _("The bulletin goes to leaders with a login.")})
    subscription, created = BulletinSubscription.objects.get_or_create(person=person, campaign=campaign)
    if not created and subscription.is_active:
        raise ValidationError(
            {"person": _("%(name)s already receives this bulletin.") % {"name": person.name}}
        )
    subscription.is_active = True
    subscription.save(update_fields=["is_active"])
    record("reports.bulletin_subscribed", actor=user, obj=subscription, detail={"campaign": campaign.code})
    return subscription


@transaction.atomic
def unsubscribe(subscription: BulletinSubscription, *, actor: Actor) -> BulletinSubscription:
    user = _manager(actor)
    subscription.is_active = False
    subscription.save(update_fields=["is_active"])
    record("reports.bulletin_unsubscribed", actor=user, obj=subscription)
    return subscription


def masthead() -> BulletinMasthead:
    """The office's masthead as kept in the admin; until one is kept, the district's name as the
    issuing office and no distribution block (an unsaved row)."""
    found = BulletinMasthead.objects.order_by("pk").first()
    if found is not None:
        return found
    district = Unit.objects.filter(kind=UnitKind.DISTRICT, parent=None).order_by("pk").first()
    return BulletinMasthead(office=district.name if district else _("The campaign office"))


def issue_of(scope: Scope) -> BulletinIssue | None:
    """The numbered issue already given to this campaign, unit and period, if any."""
    return (
        BulletinIssue.objects.filter(
            office=masthead().office,
            campaign=scope.campaign,
            unit=scope.unit,
            date_from=scope.date_from,
            date_to=scope.date_to,
        )
        .order_by("pk")
        .first()
    )


@transaction.atomic
def issue_bulletin(scope: Scope, *, actor: Actor, today: date | None = None) -> BulletinIssue:
    """Number the bulletin of ``scope`` (第 N 期): the next number of the issuing office's year, or the
    number it already has (issuing the same bulletin twice never uses two numbers). The campaign office
    issues by hand; the weekly job (actor None) numbers what it sends."""
    user = _manager(actor) if actor is not None else None
    existing = issue_of(scope)
    if existing is not None:
        return existing
    today = today or timezone.localdate()
    office = masthead().office
    # One numbering at a time per office and year: the rows of the year are locked while the next is taken
    # (the unique constraint refuses a duplicate that slips past, e.g. the year's very first issue).
    taken = BulletinIssue.objects.select_for_update().filter(office=office, year=today.year)
    last = max(taken.values_list("number", flat=True), default=0)
    issue = BulletinIssue.objects.create(
        office=office,
        year=today.year,
        number=last + 1,
        campaign=scope.campaign,
        unit=scope.unit,
        date_from=scope.date_from,
        date_to=scope.date_to,
        issued_on=today,
        issued_by=user,
    )
    record(
        "reports.bulletin_issued",
        actor=user,
        obj=issue,
        detail={
            "year": issue.year,
            "number": issue.number,
            "from": str(scope.date_from),
            "to": str(scope.date_to),
        },
    )
    return issue
