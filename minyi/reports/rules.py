"""Who receives the weekly bulletin: the campaign office chooses leaders (audited)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from minyi.audit.rules import record
from minyi.ledger.models import Campaign
from minyi.org.choices import Role
from minyi.org.models import Person
from minyi.org.permissions import can
from minyi.org.rules import Actor
from minyi.reports.access import ReportsPerm
from minyi.reports.models import BulletinSubscription


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
