"""The rules of symposia: holding one, editing it, and entering its opinions in one batch. Each goes
through one function here, with its actor, in one transaction, with an audit record.

Each opinion becomes an appeal (channel ``symposium``) through ``appeals.rules.submit``, so it runs the
loop like any other; the batch is all or nothing: when one line is wrong, no appeal is made and the
message names the line. ``actor=None`` is the system (the demo loader), which records nothing as its
user and is not scope-checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Appeal, Category
from minyi.audit.rules import record
from minyi.ledger.models import Campaign
from minyi.org.choices import RESIDENTIAL_KINDS, UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import can, in_scope
from minyi.org.rules import Actor
from minyi.symposia.access import SymposiumPerm
from minyi.symposia.choices import OPINION_KINDS, Group
from minyi.symposia.models import (
    HOST_NAME_MAX,
    MINUTES_MAX,
    PLACE_MAX,
    SPEAKER_MAX,
    TITLE_MAX,
    Opinion,
    Symposium,
)

#: An opinion's own text; the appeal's body adds one line saying where it was heard.
OPINION_MAX = 2000
#: Opinions in one batch (a long symposium is entered in a few batches).
BATCH_MAX = 200
APPEAL_TITLE_MAX = 30
#: What may still change once opinions are entered: their appeals already carry the date and place.
FIXED_ONCE_HEARD = ("held_on", "host", "township", "village", "campaign")
EDITABLE = ("held_on", "title", "host", "host_name", "place", "group", "attendees", "minutes", "campaign",
            "township", "village")  # fmt: skip


@dataclass(frozen=True)
class OpinionInput:
    """One opinion as typed on the batch form; ``line`` is the row or line number the user sees
    (the position in the batch when not given)."""

    text: str
    kind: str = Kind.SUGGESTION
    speaker: str = ""
    category: Category | None = None
    line: int | None = None


def _recorder(actor: Actor) -> User | None:
    """The acting login if it may record symposia (None for the system); PermissionDenied otherwise."""
    if actor is None:
        return None
    if not isinstance(actor, User) or not can(actor, SymposiumPerm.ADD):
        raise PermissionDenied(_("You may not record symposia."))
    return actor


def _check(user: User | None, values: dict[str, Any]) -> dict[str, Any]:
    """The symposium's fields, cleaned; ValidationError naming each wrong field."""
    errors: dict[str, str] = {}
    held_on: date | None = values.get("held_on")
    title = str(values.get("title") or "").strip()
    host: Unit | None = values.get("host")
    campaign: Campaign | None = values.get("campaign")
    township: Unit | None = values.get("township")
    village: Unit | None = values.get("village")
    attendees = values.get("attendees")
    if held_on is None:
        errors["held_on"] = _("Give the date the symposium was held.")
    elif held_on > timezone.localdate():
        errors["held_on"] = _("The date of the symposium cannot be in the future.")
    elif campaign is not None and not campaign.starts_on <= held_on <= campaign.ends_on:
        errors["campaign"] = _("The symposium's date lies outside the campaign (%(start)s to %(end)s).") % {
            "start": campaign.starts_on,
            "end": campaign.ends_on,
        }
    if not title:
        errors["title"] = _("Give the symposium's theme.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("The theme may have at most %(n)d characters.") % {"n": TITLE_MAX}
    if host is None:
        errors["host"] = _("Choose the unit that hosted the symposium.")
    elif user is not None and not in_scope(user, host):
        errors["host"] = _("This unit lies outside your area of work.")
    if values.get("group") not in Group.values:
        errors["group"] = _("Choose whom the symposium heard.")
    if not isinstance(attendees, int) or isinstance(attendees, bool) or attendees < 1:
        errors["attendees"] = _("At least one person attended.")
    for name, limit in (("host_name", HOST_NAME_MAX), ("place", PLACE_MAX), ("minutes", MINUTES_MAX)):
        if len(str(values.get(name) or "")) > limit:
            errors[name] = _("At most %(n)d characters.") % {"n": limit}
    if village is not None and township is None:
        township = village.parent
    if township is not None and township.kind != UnitKind.TOWNSHIP:
        errors["township"] = _("Choose a township or street of the district.")
    elif village is not None and (
        village.kind not in RESIDENTIAL_KINDS or township is None or village.parent_id != township.pk
    ):
        errors["village"] = _("This village or community is not in the chosen township.")
    if errors:
        raise ValidationError(errors)
    return {
        "held_on": held_on,
        "title": title,
        "host": host,
        "host_name": str(values.get("host_name") or "").strip(),
        "place": str(values.get("place") or "").strip(),
        "group": values["group"],
        "attendees": attendees,
        "minutes": str(values.get("minutes") or "").strip(),
        "campaign": campaign,
        "township": township,
        "village": village,
    }


@transaction.atomic
def hold_symposium(
    *,
    actor: Actor,
    held_on: date,
    title: str,
    host: Unit,
    group: str,
    attendees: int,
    host_name: str = "",
    place: str = "",
    minutes: str = "",
    campaign: Campaign | None = None,
    township: Unit | None = None,
    village: Unit | None = None,
) -> Symposium:
    """Record a symposium that was held; nothing is saved when a field is wrong (a future date, a date
    outside the campaign, a host unit outside the actor's scope, no attendee, a village of another
    township)."""
    user = _recorder(actor)
    fields = _check(
        user,
        {"held_on": held_on, "title": title, "host": host, "group": group, "attendees": attendees,
         "host_name": host_name, "place": place, "minutes": minutes, "campaign": campaign,
         "township": township, "village": village},
    )  # fmt: skip
    symposium = Symposium.objects.create(recorded_by=user, **fields)
    record(
        "symposia.held",
        actor=user,
        obj=symposium,
        detail={"held_on": symposium.held_on.isoformat(), "group": symposium.group, "attendees": attendees},
    )
    return symposium


@transaction.atomic
def edit_symposium(symposium: Symposium, *, actor: Actor, **changes: Any) -> Symposium:
    """Change a symposium's details. Once opinions are entered its date, host, place and campaign stay
    as they are (the appeals made of them say where and when they were heard); the theme, group,
    attendees and minutes may still be corrected."""
    user = _recorder(actor)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    symposium = Symposium.objects.select_for_update().get(pk=symposium.pk)
    if user is not None and not can(user, SymposiumPerm.ADD, symposium):
        raise PermissionDenied(_("This symposium was hosted outside your area of work."))
    before = {name: getattr(symposium, name) for name in EDITABLE}
    fields = _check(user, {**before, **changes})
    changed = [name for name in EDITABLE if fields[name] != before[name]]
    fixed = [name for name in changed if name in FIXED_ONCE_HEARD]
    if fixed and symposium.opinions.exists():
        raise ValidationError(
            {name: _("Opinions are already entered: this can no longer change.") for name in fixed}
        )
    for name in changed:
        setattr(symposium, name, fields[name])
    if changed:
        symposium.save(update_fields=changed)
        record("symposia.edited", actor=user, obj=symposium, detail={"fields": changed})
    return symposium


def _check_opinions(opinions: list[OpinionInput]) -> None:
    if not opinions:
        raise ValidationError(_("Enter at least one opinion."), code="empty")
    if len(opinions) > BATCH_MAX:
        raise ValidationError(
            _("At most %(n)d opinions in one batch: enter the rest in another.") % {"n": BATCH_MAX},
            code="too_many",
        )
    for position, item in enumerate(opinions, start=1):
        line = item.line or position
        if not item.text.strip():
            raise ValidationError(_("Opinion %(n)d: write what was said.") % {"n": line}, code="opinion")
        if len(item.text.strip()) > OPINION_MAX:
            raise ValidationError(
                _("Opinion %(n)d: at most %(max)d characters.") % {"n": line, "max": OPINION_MAX},
                code="opinion",
            )
        if item.kind not in OPINION_KINDS:
            raise ValidationError(
                _("Opinion %(n)d: choose suggestion, complaint, request for help or consultation.")
                % {"n": line},
                code="opinion",
            )
        if len(item.speaker.strip()) > SPEAKER_MAX:
            raise ValidationError(
                _("Opinion %(n)d: the speaker's name may have at most %(max)d characters.")
                % {"n": line, "max": SPEAKER_MAX},
                code="opinion",
            )


def _appeal_title(text: str) -> str:
    first = text.strip().splitlines()[0].strip()
    return first if len(first) <= APPEAL_TITLE_MAX else first[: APPEAL_TITLE_MAX - 1] + "…"


def heard_at(symposium: Symposium) -> str:
    """The line each appeal's text ends with: where and when the opinion was heard."""
    return _("Heard at the symposium “%(title)s” on %(date)s (%(group)s), hosted by %(host)s.") % {
        "title": symposium.title,
        "date": symposium.held_on.isoformat(),
        "group": symposium.get_group_display(),
        "host": symposium.host.name,
    }


@transaction.atomic
def add_opinions(symposium: Symposium, opinions: list[OpinionInput], *, actor: Actor) -> list[Appeal]:
    """Enter a batch of opinions heard at ``symposium``: each becomes an appeal (channel ``symposium``)
    linked to it, placed where the symposium was held. All or nothing: one wrong line (empty, too long,
    an unknown kind) and no appeal is made; the message names the line."""
    user = _recorder(actor)
    symposium = Symposium.objects.select_for_update().select_related("host").get(pk=symposium.pk)
    if user is not None and not can(user, SymposiumPerm.ADD, symposium):
        raise PermissionDenied(_("This symposium was hosted outside your area of work."))
    _check_opinions(opinions)
    where = heard_at(symposium)
    appeals: list[Appeal] = []
    for item in opinions:
        text = item.text.strip()
        submission = appeal_rules.submit(
            channel=Channel.SYMPOSIUM,
            kind=item.kind,
            title=_appeal_title(text),
            body=f"{text}\n{where}",
            actor=user,
            township=symposium.township,
            village=symposium.village,
            citizen_name=item.speaker.strip(),
            category=item.category,
        )
        Opinion.objects.create(symposium=symposium, appeal=submission.appeal, speaker=item.speaker.strip())
        appeals.append(submission.appeal)
    record(
        "symposia.opinions_added",
        actor=user,
        obj=symposium,
        detail={"appeals": [appeal.number for appeal in appeals]},
    )
    return appeals
