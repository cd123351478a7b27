"""Likely duplicates: an earlier appeal that a new one repeats, found at intake, stored for the inbox.

Three reasons, checked in this order for each earlier appeal:

- the same person again: the same phone number (any spelling of it), or, without a phone, the same name
  in the same village; and the text at least a little alike (MIN_PERSON_SCORE), because one caller
  with two different problems has two appeals, not one;
- the same problem at the same place: the same village (or the same township and an overlapping
  address) and clearly alike text (MIN_PLACE_SCORE);
- nearly the same text (MIN_TEXT_SCORE) anywhere: a letter copied to several offices, a campaign.

Text likeness is the bigram cosine of ``minyi.appeals.similar``. The database work is bounded whatever
the table's size: at most three queries, each on an index (the phone, the village or township foreign
key, the reception time) and each capped, newest first — the same shape as the intake's similar hint,
which ``find`` also serves from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from minyi.appeals import similar
from minyi.appeals.access import concerned_units, holding_units, recusal
from minyi.appeals.choices import State
from minyi.appeals.forms.intake import normalise_phone, phone_variants
from minyi.appeals.models import Appeal
from minyi.insight.models import DuplicateHint
from minyi.org.models import Unit
from minyi.org.permissions import visible
from minyi.privacy import mask_text

Reason = DuplicateHint.Reason
AnyUser = User | AnonymousUser

#: A person's earlier appeals count when received this recently (or still open).
WINDOW_DAYS = 90
#: Low on purpose: a caller repeating a complaint rephrases it ("路灯还是不亮，上次反映过") and shares
#: few pairs with the first call; one person's other problem shares almost none.
MIN_PERSON_SCORE = 0.1
MIN_PLACE_SCORE = 0.3
#: Copied text: rephrasings of one problem rarely pass this, template-like appeals from the same
#: campaign do (and are duplicates in the dispatcher's sense: one answer serves them all).
MIN_TEXT_SCORE = 0.85
#: Share of the shorter address's bigrams found in the other: "东村三组18号" and "东村三组村口" overlap.
MIN_ADDRESS_OVERLAP = 0.5
#: Most rows read per query: one caller's appeals; one village's (or township's) recent appeals.
PERSON_CANDIDATES = 50
PLACE_CANDIDATES = 300
#: Earlier appeals that are not there to merge into (merged ones are left out by the query already).
NOT_MASTERS = (State.MERGED, State.REJECTED)
_FIELDS = ("village_id", "address", "citizen_phone", "citizen_name")

#: How the intake and the staff pages name each reason.
REASON_LABELS = {
    Reason.SAME_PERSON: _("The same caller again"),
    Reason.SAME_PLACE: _("The same problem at the same place"),
    Reason.SAME_TEXT: _("Nearly the same text"),
}


@dataclass(frozen=True)
class Candidate:
    """An earlier appeal the new one likely repeats, why, and how alike the texts are (0 to 1)."""

    appeal: Appeal
    reason: str
    score: float

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS[Reason(self.reason)])

    @property
    def percent(self) -> int:
        return round(self.score * 100)

    @property
    def title(self) -> str:
        """The earlier appeal's title, personal data masked (as on the lists)."""
        return mask_text(self.appeal.title)


@dataclass
class Findings:
    """What one search found: likely duplicates, and other appeals that are merely alike."""

    duplicates: list[Candidate] = field(default_factory=list)
    similar: list[tuple[Appeal, float]] = field(default_factory=list)


def _pk(unit: Unit | int | None) -> int | None:
    return unit.pk if isinstance(unit, Unit) else unit


def _phones(phone: str) -> list[str]:
    """The stored spellings of a phone number (other channels may not store the canonical one)."""
    phone = phone.strip()
    if not phone:
        return []
    try:
        return phone_variants(normalise_phone(phone))
    except ValidationError:
        return [phone]


def address_overlap(a: str, b: str) -> float:
    """Share of the shorter address's bigrams that the other has (0 when either is empty)."""
    first, second = similar.bigrams(a), similar.bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def find(
    title: str,
    body: str,
    *,
    phone: str = "",
    name: str = "",
    township: Unit | int | None = None,
    village: Unit | int | None = None,
    address: str = "",
    exclude_pk: int | None = None,
    limit: int = 5,
    within: QuerySet[Appeal] | None = None,
    now: datetime | None = None,
    anywhere: bool = True,
    recent: RecentPool | None = None,
) -> Findings:
    """Likely duplicates (best first, repeats of the same person before the others) and, apart, other
    alike appeals (of the township when given), each list at most ``limit``. ``within`` restricts the
    search (pass what the user may see); at most three bounded queries. ``anywhere=False`` skips the
    newest appeals of the whole district (same text anywhere; the biggest of the three reads); a
    ``recent`` pool read once for a batch of new appeals replaces that read (its rows recorded before
    ``exclude_pk`` are used)."""
    query = similar.profile(title, body)
    if not query.norm:
        return Findings()
    base = within if within is not None else Appeal.objects.all()
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    township_id, village_id = _pk(township), _pk(village)
    phones = _phones(phone)
    name = name.strip()

    def pool(queryset: QuerySet[Appeal], size: int) -> list[Appeal]:
        return list(
            similar.candidates(queryset, window_days=WINDOW_DAYS, now=now, limit=size, fields=_FIELDS)
        )

    rows: dict[int, Appeal] = {}
    same_phone: set[int] = set()
    if phones:
        for appeal in pool(base.filter(citizen_phone__in=phones), PERSON_CANDIDATES):
            rows[appeal.pk] = appeal
            same_phone.add(appeal.pk)
    if village_id is not None:
        place_rows = pool(base.filter(village_id=village_id), PLACE_CANDIDATES)
    elif township_id is not None:
        place_rows = pool(base.filter(township_id=township_id), PLACE_CANDIDATES)
    else:
        place_rows = []
    profiles: dict[int, similar.Profile] = {}
    if recent is not None:
        newest = [appeal for appeal in recent.rows if exclude_pk is None or appeal.pk < exclude_pk]
        profiles.update(recent.profiles)
    else:
        newest = pool(base, similar.MAX_CANDIDATES) if anywhere else []
    for appeal in (*place_rows, *newest):
        rows.setdefault(appeal.pk, appeal)

    def same_place(appeal: Appeal) -> bool:
        if village_id is not None and appeal.village_id == village_id:
            return True
        return (
            township_id is not None
            and appeal.township_id == township_id
            and address_overlap(address, appeal.address) >= MIN_ADDRESS_OVERLAP
        )

    def same_person(appeal: Appeal) -> bool:
        if appeal.pk in same_phone:
            return True
        # Without a phone, a name alone says little; the same name in the same village says enough.
        return (
            not phones
            and bool(name)
            and village_id is not None
            and appeal.village_id == village_id
            and appeal.citizen_name.strip() == name
        )

    found = Findings()
    alike: list[tuple[Appeal, float]] = []
    for appeal in rows.values():  # newest first within each pool
        score = similar.similarity(query, profiles.get(appeal.pk) or _profile(appeal))
        reason = None
        if appeal.state not in NOT_MASTERS:
            if score >= MIN_PERSON_SCORE and same_person(appeal):
                reason = Reason.SAME_PERSON
            elif score >= MIN_PLACE_SCORE and same_place(appeal):
                reason = Reason.SAME_PLACE
            elif score >= MIN_TEXT_SCORE:
                reason = Reason.SAME_TEXT
        if reason is not None:
            found.duplicates.append(Candidate(appeal=appeal, reason=reason, score=score))
        elif score >= similar.MIN_SCORE and (township_id is None or appeal.township_id == township_id):
            alike.append((appeal, score))
    found.duplicates.sort(key=lambda c: (c.reason != Reason.SAME_PERSON, -c.score))
    del found.duplicates[limit:]
    alike.sort(key=lambda pair: pair[1], reverse=True)  # stable: ties stay newest first
    found.similar = alike[:limit]
    return found


def _profile(appeal: Appeal) -> similar.Profile:
    return similar.profile(appeal.title, getattr(appeal, "body_head", "") or "")


@dataclass
class RecentPool:
    """The district's newest appeals and their profiles, read once for a batch of new appeals (the
    triage job) instead of once per appeal."""

    rows: list[Appeal]
    profiles: dict[int, similar.Profile]


def recent_pool(now: datetime | None = None) -> RecentPool:
    rows = list(
        similar.candidates(
            Appeal.objects.all(),
            window_days=WINDOW_DAYS,
            now=now,
            limit=similar.MAX_CANDIDATES,
            fields=_FIELDS,
        )
    )
    return RecentPool(rows, {appeal.pk: _profile(appeal) for appeal in rows})


def candidates(
    title: str,
    body: str,
    *,
    phone: str,
    name: str,
    township: Unit | int | None,
    village: Unit | int | None,
    address: str,
    exclude_pk: int | None = None,
    limit: int = 5,
    within: QuerySet[Appeal] | None = None,
    now: datetime | None = None,
    recent: RecentPool | None = None,
) -> list[Candidate]:
    """Likely duplicates of a (possibly unsaved) appeal among the recent or open ones, best first."""
    return find(
        title,
        body,
        phone=phone,
        name=name,
        township=township,
        village=village,
        address=address,
        exclude_pk=exclude_pk,
        limit=limit,
        within=within,
        now=now,
        recent=recent,
    ).duplicates


def _about(appeal: Appeal) -> dict[str, Any]:
    """What the finder compares of a saved appeal besides its text: the person and the place."""
    return {
        "phone": appeal.citizen_phone,
        "name": appeal.citizen_name,
        "township": appeal.township_id,
        "village": appeal.village_id,
        "address": appeal.address,
    }


def _earlier_of(appeal: Appeal) -> QuerySet[Appeal]:
    # By id, not reception time: a letter keyed in late has an early date but was not seen before.
    return Appeal.objects.filter(pk__lt=appeal.pk)


@transaction.atomic
def record_hints(appeal: Appeal, recent: RecentPool | None = None) -> list[DuplicateHint]:
    """Store the likely duplicates of a saved appeal among those recorded before it (idempotent: a
    second run leaves the same rows, with fresh scores); at most three reads and two writes (two reads
    with a ``recent`` pool shared by a batch)."""
    found = candidates(
        appeal.title,
        appeal.body,
        **_about(appeal),
        within=_earlier_of(appeal),
        exclude_pk=appeal.pk,
        recent=recent,
    )
    DuplicateHint.objects.filter(appeal=appeal).exclude(earlier_id__in=[c.appeal.pk for c in found]).delete()
    if not found:
        return []
    DuplicateHint.objects.bulk_create(
        [DuplicateHint(appeal=appeal, earlier=c.appeal, reason=c.reason, score=c.score) for c in found],
        update_conflicts=True,
        unique_fields=["appeal", "earlier"],
        update_fields=["reason", "score"],
    )
    return list(DuplicateHint.objects.filter(appeal=appeal).select_related("earlier"))


# --- what staff see ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """The inbox's mark on a row: the best stored hint whose earlier appeal the user may see."""

    number: str
    reason: str
    score: float

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS[Reason(self.reason)])


def _hints_to_visible(user: AnyUser, hints: QuerySet[DuplicateHint]) -> QuerySet[DuplicateHint]:
    """Hints whose earlier appeal can still be a master and is one the user may see. The scope is
    applied to the few earlier appeals the hints name, never to the whole table."""
    earlier = visible(user, Appeal.objects.filter(pk__in=hints.values("earlier_id"))).exclude(
        state__in=NOT_MASTERS
    )
    return hints.filter(earlier__in=earlier.values("pk"))


def marks(user: AnyUser, appeal_ids: list[int]) -> dict[int, Mark]:
    """Appeal id → its mark, for a page of the inbox, in one query."""
    if not appeal_ids:
        return {}
    hints = _hints_to_visible(user, DuplicateHint.objects.filter(appeal_id__in=appeal_ids))
    found: dict[int, Mark] = {}
    for appeal_id, number, reason, score in hints.order_by("appeal_id", "-score").values_list(
        "appeal_id", "earlier__number", "reason", "score"
    ):
        found.setdefault(appeal_id, Mark(number=number or "", reason=reason, score=score))
    return found


def with_open_hint() -> QuerySet[DuplicateHint]:
    """Hints whose earlier appeal can still be a master (for an ``Exists`` filter on a list)."""
    return DuplicateHint.objects.exclude(earlier__state__in=NOT_MASTERS)


def for_appeal(user: AnyUser, appeal: Appeal, *, limit: int = 5) -> list[Candidate]:
    """The detail page's likely duplicates of ``appeal``: its stored hints and a fresh search of the
    same person and place (the text may have been corrected since), both among the earlier appeals the
    user may see; each earlier appeal once, with its best score. Same text anywhere comes from the
    stored hints only: that search ran when the appeal arrived, and it is the costly one."""
    stored = _hints_to_visible(user, DuplicateHint.objects.filter(appeal=appeal)).select_related("earlier")
    best: dict[int, Candidate] = {
        hint.earlier_id: Candidate(appeal=hint.earlier, reason=hint.reason, score=hint.score)
        for hint in stored
    }
    fresh = find(
        appeal.title,
        appeal.body,
        **_about(appeal),
        limit=limit,
        within=visible(user, _earlier_of(appeal)),
        anywhere=False,
    )
    for candidate in fresh.duplicates:
        known = best.get(candidate.appeal.pk)
        if known is None or candidate.score >= known.score:
            best[candidate.appeal.pk] = candidate
    ranked = sorted(best.values(), key=lambda c: (c.reason != Reason.SAME_PERSON, -c.score))
    # Never offer to merge into an appeal held by a unit this one concerns: the merge refuses it (回避).
    if ranked and concerned_units(appeal):
        ranked = [c for c in ranked if recusal(holding_units(c.appeal), [appeal]) is None]
    return ranked[:limit]
