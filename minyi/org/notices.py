"""Notices to staff: in the app always; by SMS / e-mail at once or in one daily digest, as each
person chose (Person.notice_mode). Written in the caller's transaction, delivered by the worker."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from minyi.org.choices import NoticeMode
from minyi.org.models import Person, StaffNotice, Unit
from minyi.worker.notify import notify
from minyi.worker.rules import handler

DIGEST_JOB = "notices.digest"


def staff_of(units: Iterable[Unit], roles: Iterable[str]) -> list[Person]:
    """Active people with a login in exactly these units and roles."""
    return list(
        Person.objects.filter(
            unit__in=list(units),
            role__in=list(roles),
            is_active=True,
            user__isnull=False,
            user__is_active=True,
        ).select_related("user")
    )


def tell(people: Iterable[Person], text: str, *, link: str = "") -> int:
    """Leave a notice for each person; queue SMS/e-mail now for those who want each notice at once."""
    count = 0
    for person in people:
        if person.user_id is None:
            continue
        notice = StaffNotice.objects.create(user_id=person.user_id, text=text[:300], link=link)
        count += 1
        if person.notice_mode == NoticeMode.IMMEDIATE:
            notify(
                phone=person.phone or None,
                email=person.email or None,
                subject=_("Minyi notice"),
                text=text,
                dedupe_key=f"notice:{notice.pk}",
            )
    return count


@handler(DIGEST_JOB)
def send_digests(payload: dict[str, object]) -> None:
    """Send each digest reader one message summing up the notices of the day (idempotent per notice)."""
    pending: dict[int, list[StaffNotice]] = defaultdict(list)
    for notice in StaffNotice.objects.filter(
        digested_at__isnull=True, user__person__notice_mode=NoticeMode.DIGEST
    ).order_by("created_at"):
        pending[notice.user_id].append(notice)
    people = {p.user_id: p for p in Person.objects.filter(user_id__in=list(pending))}
    for user_id, notices in pending.items():
        person = people.get(user_id)
        with transaction.atomic():
            if person is not None and (person.phone or person.email):
                lines = [
                    ngettext("%(n)d new notice today:", "%(n)d new notices today:", len(notices))
                    % {"n": len(notices)},
                    *[f"- {n.text}" for n in notices[:20]],
                ]
                notify(
                    phone=person.phone or None,
                    email=person.email or None,
                    subject=_("Minyi: your daily digest"),
                    text="\n".join(lines),
                    dedupe_key=f"digest:{user_id}:{notices[-1].pk}",
                )
            StaffNotice.objects.filter(pk__in=[n.pk for n in notices]).update(digested_at=timezone.now())
