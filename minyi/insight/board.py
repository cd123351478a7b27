"""The hotspot board (热点): computing it for a period in the worker, and turning a hotspot into a
rectification item. The finding itself is ``minyi.insight.hotspots`` (pure Python); this is the glue.

Which appeals a run reads: every appeal received in the period (local dates, both days included),
whatever its state, except those rejected as abusive or out of scope (noise, not voices). Appeals
merged into another or rejected as duplicates are kept: each is one more person raising the problem,
which is exactly what the heat index counts. A run covers the whole district (its viewers hold
``insight.view_hotspots``, a district-wide permission); the appeals listed under a hotspot are still
filtered by what each viewer may see.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.translation import gettext as _

from minyi.appeals.choices import RejectReason, State
from minyi.appeals.models import Appeal
from minyi.audit.rules import record
from minyi.dates import day_bounds
from minyi.insight import gazetteer, hotspots
from minyi.insight.access import InsightPerm
from minyi.insight.models import GazetteerPlace, HotspotCluster, HotspotRun
from minyi.ledger.access import LedgerPerm
from minyi.ledger.models import Campaign, Issue
from minyi.ledger.rules import create_issue
from minyi.org.choices import UnitKind
from minyi.org.models import Unit
from minyi.org.permissions import can, require, visible
from minyi.org.rules import Actor
from minyi.worker.rules import enqueue

HOTSPOT_JOB = "insight.hotspots"
#: The nightly refresh of the board (the last NIGHTLY_DAYS days and the running campaign).
NIGHTLY_JOB = "insight.hotspots_nightly"
#: The period the nightly board covers, today included (the dashboard's live period too).
NIGHTLY_DAYS = 30
#: The longest period one run reads (a year, leap day included).
MAX_DAYS = 366
#: Hotspots kept per run: a board longer than this is not read.
TOP = 30
#: Rejections that mean the text is not a citizen's voice on a problem.
NOISE_REASONS = (RejectReason.ABUSIVE, RejectReason.OUT_OF_SCOPE)


def check_period(starts_on: dt.date, ends_on: dt.date) -> None:
    """Raise a translated ValidationError unless from ≤ to ≤ today and the period is at most MAX_DAYS."""
    if starts_on > ends_on:
        raise ValidationError({"starts_on": _("The period cannot start after it ends.")}, code="order")
    if ends_on > timezone.localdate():
        raise ValidationError({"ends_on": _("The period cannot end in the future.")}, code="future")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise ValidationError(
            {"starts_on": _("A period is at most %(days)d days long.") % {"days": MAX_DAYS}}, code="too_long"
        )


def request_run(starts_on: dt.date, ends_on: dt.date, *, actor: Actor) -> HotspotRun:
    """Ask the worker to compute the board of a period; a run of that period still being computed is
    returned instead of a second one."""
    require(actor or AnonymousUser(), InsightPerm.VIEW_HOTSPOTS)
    check_period(starts_on, ends_on)
    with transaction.atomic():
        pending = (
            HotspotRun.objects.select_for_update()
            .filter(starts_on=starts_on, ends_on=ends_on, state=HotspotRun.State.PENDING)
            .first()
        )
        if pending is not None:
            return pending
        run = HotspotRun.objects.create(
            starts_on=starts_on,
            ends_on=ends_on,
            requested_by=actor if isinstance(actor, User) else None,
        )
        enqueue(HOTSPOT_JOB, {"run": run.pk}, dedupe_key=f"{HOTSPOT_JOB}:{run.pk}")
        record(
            "insight.hotspots.request",
            actor=actor,
            obj=run,
            detail={"from": starts_on.isoformat(), "to": ends_on.isoformat()},
        )
    return run


def nightly_periods(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The periods the nightly refresh computes: the last NIGHTLY_DAYS days, and the running campaign
    up to today (its last MAX_DAYS days if it is longer), each once."""
    periods = [(today - dt.timedelta(days=NIGHTLY_DAYS - 1), today)]
    campaign = (
        Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on", "-pk")
        .first()
    )
    if campaign is not None:
        periods.append((max(campaign.starts_on, today - dt.timedelta(days=MAX_DAYS - 1)), today))
    return list(dict.fromkeys(periods))


def refresh(today: dt.date | None = None) -> list[HotspotRun]:
    """Compute now the boards of ``nightly_periods`` (the worker's nightly job; the system asks)."""
    today = today or timezone.localdate()
    runs = []
    for starts_on, ends_on in nightly_periods(today):
        with transaction.atomic():
            run = HotspotRun.objects.create(starts_on=starts_on, ends_on=ends_on, requested_by=None)
            record(
                "insight.hotspots.refresh",
                actor=None,
                obj=run,
                detail={"from": starts_on.isoformat(), "to": ends_on.isoformat()},
            )
        runs.append(compute(run))
    return runs


def ask_refresh(today: dt.date | None = None) -> bool:
    """Queue the nightly refresh now, once a day at most (the dashboard asks when no board exists yet);
    True if it was queued."""
    today = today or timezone.localdate()
    return enqueue(NIGHTLY_JOB, {}, dedupe_key=f"{NIGHTLY_JOB}:asked:{today.isoformat()}") is not None


def appeals_of(run: HotspotRun) -> QuerySet[Appeal]:
    """The appeals a run reads (see the module docstring), oldest first."""
    start, end = day_bounds(run.starts_on, run.ends_on)
    return (
        Appeal.objects.filter(received_at__gte=start, received_at__lt=end, number__isnull=False)
        .exclude(state=State.REJECTED, reject_reason__in=NOISE_REASONS)
        .order_by("received_at", "pk")
    )


def district_gazetteer() -> gazetteer.Gazetteer:
    """The district's places: its townships, villages and communities, the admin's list, and the
    estates and roads the appeals' addresses name (docs/design.md)."""
    townships = dict(Unit.objects.filter(kind=UnitKind.TOWNSHIP).values_list("pk", "name"))
    places = [gazetteer.Place(name, gazetteer.TOWNSHIP, name) for name in townships.values()]
    units = Unit.objects.filter(kind__in=(UnitKind.VILLAGE, UnitKind.COMMUNITY), is_active=True)
    for name, parent in units.values_list("name", "parent_id"):
        places.append(gazetteer.Place(name, gazetteer.VILLAGE, townships.get(parent, "")))
    listed = GazetteerPlace.objects.filter(is_active=True).values_list("name", "kind", "township__name")
    places += [gazetteer.Place(name, kind, township or "") for name, kind, township in listed]
    addresses = (
        Appeal.objects.exclude(address="").values_list("address", "township__name").distinct().iterator()
    )
    for address, township in addresses:
        places += gazetteer.address_places(address, township or "")
    return gazetteer.Gazetteer(places)


def messages_of(appeals: QuerySet[Appeal]) -> list[hotspots.Message]:
    """The appeals as the hotspot finder reads them: the person is the phone, else the name (else
    unknown, counted as one more person); the likes are the public supporters; the places are the
    appeal's village and township and its address's estates and roads; evaluation forms and symposia
    are summaries of many opinions."""
    # Only the opening of a body is read by the finder: the database need not send the rest.
    rows = appeals.annotate(opening=Left("body", hotspots.BODY_CHARS)).values_list(
        "pk",
        "title",
        "opening",
        "received_at",
        "supporters",
        "citizen_phone",
        "citizen_name",
        "channel",
        "village__name",
        "township__name",
        "address",
    )
    return [
        hotspots.Message(
            id=str(pk),
            title=title,
            body=opening or "",
            received_at=received_at,
            likes=supporters,
            user=(phone or name or "").strip(),
            places=tuple(
                dict.fromkeys(
                    [
                        *(unit for unit in (village, township) if unit),
                        *(place.name for place in gazetteer.address_places(address or "")),
                    ]
                )
            ),
            summary=channel in hotspots.SUMMARY_CHANNELS,
        )
        for pk, title, opening, received_at, supporters, phone, name, channel, village, township, address in (
            rows.iterator(chunk_size=2000)
        )
    ]


def compute(run: HotspotRun) -> HotspotRun:
    """Find the hotspots of a pending run and store them, marking it done; on an error mark it failed
    with the error and raise again. A run that is no longer pending is left as it is."""
    if run.state != HotspotRun.State.PENDING:
        return run
    began = time.monotonic()
    try:
        messages = messages_of(appeals_of(run))
        _start, end = day_bounds(run.starts_on, run.ends_on)
        found = hotspots.find_hotspots(messages, top=TOP, now=end, gazetteer=district_gazetteer())
        with transaction.atomic():
            # A second worker (the job taken back after a timeout) may have stored it meanwhile.
            run = HotspotRun.objects.select_for_update().get(pk=run.pk)
            if run.state != HotspotRun.State.PENDING:
                return run
            _store(run, found)
            run.state = HotspotRun.State.DONE
            run.appeals_read = len(messages)
            run.seconds = round(time.monotonic() - began, 3)
            run.finished_at = timezone.now()
            run.save(update_fields=["state", "appeals_read", "seconds", "finished_at"])
    except Exception as error:
        HotspotRun.objects.filter(pk=run.pk, state=HotspotRun.State.PENDING).update(
            state=HotspotRun.State.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            seconds=round(time.monotonic() - began, 3),
            finished_at=timezone.now(),
        )
        raise
    return run


def _store(run: HotspotRun, found: Iterable[hotspots.Hotspot]) -> None:
    through = HotspotCluster.appeals.through
    links: list[Any] = []
    for spot in found:
        cluster = HotspotCluster.objects.create(
            run=run,
            rank=spot.rank,
            heat=round(spot.heat, 3),
            title=spot.title[:200],
            place=spot.place[:200],
            # Appeals always have a time, so a cluster of them has a first and a last one.
            first_at=spot.first_at or timezone.now(),
            last_at=spot.last_at or timezone.now(),
            size=spot.size,
            people=spot.people,
            likes=spot.likes,
            district_wide=spot.district_wide,
            villages=list(spot.villages),
        )
        links.extend(through(hotspotcluster_id=cluster.pk, appeal_id=int(pk)) for pk in spot.ids)
    through.objects.bulk_create(links, batch_size=1000)


def latest_run(starts_on: dt.date, ends_on: dt.date) -> HotspotRun | None:
    """The most recently requested run of exactly this period, whatever its state."""
    return (
        HotspotRun.objects.filter(starts_on=starts_on, ends_on=ends_on)
        .order_by("-requested_at", "-pk")
        .first()
    )


def latest_done_run(starts_on: dt.date, ends_on: dt.date) -> HotspotRun | None:
    """The most recently requested finished run of exactly this period."""
    return (
        HotspotRun.objects.filter(starts_on=starts_on, ends_on=ends_on, state=HotspotRun.State.DONE)
        .order_by("-requested_at", "-pk")
        .first()
    )


def make_issue(
    cluster: HotspotCluster,
    *,
    actor: Actor,
    campaign: Campaign,
    track: str,
    lead_unit: Unit,
    leader: User,
    deadline: dt.date,
    title: str | None = None,
    description: str = "",
    co_units: Iterable[Unit] = (),
    tags: str = "",
) -> Issue:
    """Turn a hotspot into a rectification item linking its appeals (those the actor may see, as when
    appeals are ticked in the inbox); refused if the hotspot already has an item."""
    if (
        not isinstance(actor, User)
        or not can(actor, LedgerPerm.ADD)
        or not can(actor, InsightPerm.VIEW_HOTSPOTS)
    ):
        raise PermissionDenied(_("Only the district office and leaders make rectification items."))
    with transaction.atomic():
        cluster = HotspotCluster.objects.select_for_update().get(pk=cluster.pk)
        if cluster.issue is not None:
            raise ValidationError(
                _("This hotspot has already become the rectification item “%(title)s”.")
                % {"title": cluster.issue.title},
                code="has_issue",
            )
        appeals = list(visible(actor, cluster.appeals.all()))
        issue = create_issue(
            campaign=campaign,
            title=(title or cluster.title).strip(),
            track=track,
            lead_unit=lead_unit,
            leader=leader,
            deadline=deadline,
            actor=actor,
            description=description,
            co_units=co_units,
            appeals=appeals,
            tags=tags,
        )
        cluster.issue = issue
        cluster.save(update_fields=["issue"])
        record("insight.hotspots.make_issue", actor=actor, obj=cluster, detail={"issue": issue.pk})
    return issue
