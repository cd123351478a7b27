"""Likely duplicates: an earlier appeal that a new one repeats, found at intake, stored for the inbox.

One decision, ``decide``, says whether two appeals are one problem and why (docs/duplicates.md); the
inbox's marks, the appeal page, the operator's hint at intake and ``manage.py insight duplicates --csv``
all ask it. Three reasons:

- the same problem at the same place: the same village, the same township and an overlapping address,
  or a place both texts name (丽发新城小区, 凉塘路 …), *and* the same problem: both categories agree
  (when both are known) and the words of the problem, the place's own name left out, are clearly alike
  (PLACE_SCORE);
- the same person again (the same phone, or without a phone the same name in the same village) with
  the same problem: alike as above at the same place, else more alike (PERSON_SCORE), because one
  person with two problems has two appeals, not one;
- nearly the same text anywhere (TEXT_SCORE): a letter copied to several offices, a campaign.

A dispatcher who says "not a duplicate" is never shown that pair again, and the words the pair shared
weigh less in every later decision (``Discount``). The database work is bounded whatever the table's
size: at most three reads, each on an index (the phone, the village or township foreign key, the
reception time) and each capped, newest first.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from minyi.appeals import similar
from minyi.appeals.access import concerned_units, holding_units, recusal
from minyi.appeals.choices import State
from minyi.appeals.forms.intake import normalise_phone, phone_variants
from minyi.appeals.models import Appeal
from minyi.insight import corpus, likeness
from minyi.insight.models import DuplicateDismissal, DuplicateHint
from minyi.org.models import Unit
from minyi.org.permissions import visible
from minyi.privacy import mask_text

Reason = DuplicateHint.Reason
AnyUser = User | AnonymousUser

#: A person's earlier appeals count when received this recently (or still open).
WINDOW_DAYS = 90
# The thresholds of ``decide``, chosen on half of the hand-labelled pairs of the public data set and
# checked on the other half (docs/duplicates.md). A score is the mean of two likenesses of the problem
# (0 to 1): of its weighted words and of its character pairs, the shared place's name left out.
#: The same place: the problem must be this alike.
PLACE_SCORE = 0.16
#: The same person at the same place: a little more alike (one person raises several problems of the
#: place they live in; many people naming one place with alike words is what a repeated problem is).
PERSON_PLACE_SCORE = 0.2
#: The same person with no place in common: more alike still.
PERSON_SCORE = 0.35
#: Anywhere: nearly the same text (the place's name counted); rephrasings of one problem rarely pass.
TEXT_SCORE = 0.8
#: Alike problems share at least this many words besides the place's name (one shared word is chance).
MIN_SHARED_WORDS = 2
#: Other alike appeals shown at intake (not duplicates): below this they are mostly shared filler.
ALIKE_SCORE = 0.2
#: Rows whose character likeness is under this are not read word by word (jieba is the costly part).
CHEAP_FLOOR = 0.05
#: Share of the shorter address's bigrams found in the other: "东村三组18号" and "东村三组村口" overlap.
MIN_ADDRESS_OVERLAP = 0.5
#: A word shared by a dismissed pair weighs this much less for each such pair, down to DISCOUNT_FLOOR.
DISCOUNT_STEP = 0.5
DISCOUNT_FLOOR = 0.25
#: The dismissals that teach (the newest): bounds the read whatever the table's size.
DISCOUNT_DISMISSALS = 500
#: Most rows read per query: one caller's appeals; one village's (or township's) recent appeals.
PERSON_CANDIDATES = 50
PLACE_CANDIDATES = 300
#: Earlier appeals that are not there to merge into (merged ones are left out by the query already).
NOT_MASTERS = (State.MERGED, State.REJECTED)
_FIELDS = ("village_id", "address", "citizen_phone", "citizen_name", "category_id")
#: The words and places of an appeal are read from its title and the opening of its body.
BODY_CHARS = similar.BODY_CHARS

#: How the intake and the staff pages name each reason.
REASON_LABELS = {
    Reason.SAME_PERSON: _("The same caller again"),
    Reason.SAME_PLACE: _("The same problem at the same place"),
    Reason.SAME_TEXT: _("Nearly the same text"),
}

Discount = Mapping[str, float]


# --- the decision ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What ``decide`` compares of one appeal: its text (title and body's opening, read once into
    places and weighted words) and, when known, who sent it, where it is and its category."""

    title: str
    body: str
    person: str = ""
    village: int | str | None = None
    township: int | str | None = None
    address: str = ""
    category: int | str | None = None
    places: frozenset[str] = frozenset()
    words: Mapping[str, float] = field(default_factory=dict, compare=False, hash=False)
    title_words: frozenset[str] = frozenset()
    chars: similar.Profile = field(default=similar.profile("", ""), compare=False, hash=False)


@lru_cache(maxsize=20_000)
def facts(
    title: str,
    body: str,
    *,
    person: str = "",
    village: int | str | None = None,
    township: int | str | None = None,
    address: str = "",
    category: int | str | None = None,
) -> Facts:
    """The facts of one appeal (cached: the intake hint asks about the same earlier appeals again)."""
    body = body[:BODY_CHARS]
    reading = likeness.read(title, body, address)
    return Facts(
        title=title,
        body=body,
        person=person,
        village=village,
        township=township,
        address=address,
        category=category,
        places=reading.places,
        words=reading.words,
        title_words=reading.title_words,
        chars=similar.profile(title, body),
    )


@dataclass(frozen=True)
class Verdict:
    """Why two appeals are likely one: the reason, the score (0 to 1), the places both name, the words
    of the problem both use (heaviest first), and whether the village or the person is the same."""

    reason: str
    score: float
    places: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    same_village: bool = False
    same_person: bool = False

    def why(self) -> dict[str, Any]:
        """What a stored hint keeps of the verdict, to say why beside the new appeal."""
        return {
            "places": list(self.places),
            "words": list(self.words),
            "same_village": self.same_village,
            "same_person": self.same_person,
        }

    def describe(self) -> str:
        """The reason in a sentence of the active language (the offline command prints it)."""
        return explain(self.reason, self.why())


def explain(reason: str, why: Mapping[str, Any]) -> str:
    """One line saying why a pair is likely one appeal: the reason, the place, the person, the words."""
    parts = [str(REASON_LABELS[Reason(reason)])]
    if why.get("places"):
        parts.append(_("place both name: %(places)s") % {"places": "、".join(why["places"][:2])})
    elif why.get("same_village"):
        parts.append(str(_("the same village")))
    if why.get("same_person"):
        parts.append(str(_("the same person")))
    if why.get("words"):
        parts.append(_("words both use: %(words)s") % {"words": "、".join(why["words"][:5])})
    return str(_("; ")).join(parts)


def _chars(item: Facts, place_names: Iterable[str]) -> similar.Profile:
    title, body = item.title, item.body
    for name in place_names:
        title, body = title.replace(name, " "), body.replace(name, " ")
    return similar.profile(title, body) if place_names else item.chars


def _likeness(
    new: Facts, old: Facts, place_names: Sequence[str], discount: Discount | None
) -> tuple[float, tuple[str, ...]]:
    """How alike two problems are (the mean of their words' and their characters' likeness, the shared
    place's name left out) and the words they share, heaviest first."""
    chars = similar.similarity(_chars(new, place_names), _chars(old, place_names))
    words = likeness.problem_likeness(new.words, old.words, place_names=place_names, discount=discount)
    return (words.score + chars) / 2, words.shared


def decide(new: Facts, old: Facts, *, discount: Discount | None = None) -> Verdict | None:
    """Whether ``new`` likely repeats ``old`` and why; None when it does not (docs/duplicates.md)."""
    names = tuple(likeness.shared_places(new.places, old.places))
    same_village = new.village is not None and new.village == old.village
    same_address = (
        new.township is not None
        and new.township == old.township
        and address_overlap(new.address, old.address) >= MIN_ADDRESS_OVERLAP
    )
    same_person = bool(new.person) and new.person == old.person
    categories_differ = new.category is not None and old.category is not None and new.category != old.category
    if not categories_differ:
        score, shared = _likeness(new, old, names, discount)
        # Alike in what happens (噪音 很大) is not enough: a cause both name too (工地, 搅拌站 …).
        if len(shared) >= MIN_SHARED_WORDS and not likeness.EFFECT_WORDS.issuperset(shared):
            at_same_place = bool(names) or same_village or same_address
            reason = None
            if same_person:
                if score >= (PERSON_PLACE_SCORE if at_same_place else PERSON_SCORE):
                    reason = Reason.SAME_PERSON
            elif at_same_place and score >= PLACE_SCORE:
                reason = Reason.SAME_PLACE
            if reason is not None:
                return Verdict(
                    reason, round(min(score, 1.0), 3), names[:3], shared[:6], same_village, same_person
                )
    # Copied text is one problem whatever the categories say (one of them was mis-sorted). The mean
    # cannot reach TEXT_SCORE unless the characters alone reach 2·TEXT_SCORE − 1: the cheap test first.
    if similar.similarity(new.chars, old.chars) < 2 * TEXT_SCORE - 1:
        return None
    text, shared = _likeness(new, old, (), discount)
    if text >= TEXT_SCORE:
        return Verdict(
            Reason.SAME_TEXT, round(min(text, 1.0), 3), names[:3], shared[:6], same_village, same_person
        )
    return None


def discount_from(shared_words: Iterable[Iterable[str]]) -> dict[str, float]:
    """What dismissed hints teach: each word the dismissed pairs shared weighs DISCOUNT_STEP less per
    pair, down to DISCOUNT_FLOOR (docs/duplicates.md)."""
    counts: dict[str, int] = {}
    for words in shared_words:
        for word in set(words):
            counts[word] = counts.get(word, 0) + 1
    return {word: max(DISCOUNT_FLOOR, DISCOUNT_STEP**n) for word, n in counts.items()}


@dataclass(frozen=True)
class Candidate:
    """An earlier appeal the new one likely repeats, why (the verdict, or what a stored hint kept of
    it), and how sure (0 to 1)."""

    appeal: Appeal
    reason: str
    score: float
    verdict: Verdict | None = None
    stored_why: Mapping[str, Any] | None = None

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

    @property
    def why(self) -> Mapping[str, Any]:
        """The places, words and person that make the pair likely one (docs/duplicates.md)."""
        if self.verdict is not None:
            return self.verdict.why()
        return self.stored_why or {}

    @property
    def places(self) -> list[str]:
        # A place named by both texts may hold personal data (an address): masked like the titles.
        return [mask_text(place) for place in self.why.get("places", [])[:2]]

    @property
    def words(self) -> list[str]:
        return list(self.why.get("words", [])[:5])


@dataclass
class Findings:
    """What one search found: likely duplicates, and other appeals that are merely alike."""

    duplicates: list[Candidate] = field(default_factory=list)
    similar: list[tuple[Appeal, float]] = field(default_factory=list)


# --- offline: a CSV of messages ---------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """One message of a CSV shaped like the public data set's (id, user, title, received_at, body)."""

    id: str
    user: str
    title: str
    body: str


@dataclass(frozen=True)
class Pair:
    """A pair the decision flags: the earlier message ``a``, the later ``b``, and the verdict."""

    a: str
    b: str
    verdict: Verdict

    def as_json(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "score": self.verdict.score, "reason": self.verdict.describe()}


#: A place or person named by more messages than this is not looked up pair by pair (it pairs almost
#: everything); nor is a title word in more than _MAX_WORD_POSTINGS (copied texts share rarer ones too).
_MAX_POSTINGS = 400
_MAX_WORD_POSTINGS = 40


def read_messages(path: str | Path) -> list[Message]:
    """The messages of a CSV (id, user, title, received_at, body), oldest first (by reception time, then
    as the file has them), so that each pair's ``a`` is the earlier one. Raises ``CorpusError``."""
    rows = corpus.read_messages(path)
    order = sorted(range(len(rows)), key=lambda i: (rows[i][3], i))
    return [Message(id=rows[i][0], user=rows[i][1], title=rows[i][2], body=rows[i][4]) for i in order]


def scan(messages: Sequence[Message], *, discount: Discount | None = None) -> list[Pair]:
    """The pairs of ``messages`` that ``decide`` flags, in file order, each pair once (the earlier one
    first). Only pairs that share a place, a person or a rare title word are compared: any flagged pair
    shares one of them (a text at least TEXT_SCORE alike shares its title's words)."""
    items = [facts(m.title, m.body, person=m.user) for m in messages]
    postings: dict[str, list[int]] = {}
    for index, (message, item) in enumerate(zip(messages, items, strict=True)):
        keys = {f"p:{name}" for name in item.places} | {f"t:{word}" for word in item.title_words}
        if message.user:
            keys.add(f"u:{message.user}")
        for key in keys:
            postings.setdefault(key, []).append(index)
    seen: set[tuple[int, int]] = set()
    for key, rows in postings.items():
        if len(rows) > (_MAX_WORD_POSTINGS if key.startswith("t:") else _MAX_POSTINGS):
            continue
        seen.update((i, j) for n, i in enumerate(rows) for j in rows[n + 1 :])
    pairs: list[Pair] = []
    for i, j in sorted(seen):
        verdict = decide(items[j], items[i], discount=discount)
        if verdict is not None:
            pairs.append(Pair(messages[i].id, messages[j].id, verdict))
    return pairs


def measure(
    flagged: Iterable[Pair], labels: Iterable[tuple[str, str, bool, str]]
) -> dict[str, dict[str, Any]]:
    """Precision and recall of the flagged pairs on hand-labelled ones (a, b, same problem at the same
    place?, half), for each half and for all: a labelled pair counts as flagged in either order."""
    found = {frozenset((pair.a, pair.b)) for pair in flagged}
    counts: dict[str, dict[str, int]] = {}
    for a, b, same, half in labels:
        hit = frozenset((a, b)) in found
        for group in (half, "all"):
            tally = counts.setdefault(group, {"pairs": 0, "tp": 0, "fp": 0, "fn": 0})
            tally["pairs"] += 1
            tally["tp"] += hit and same
            tally["fp"] += hit and not same
            tally["fn"] += same and not hit
    return {
        group: {
            **tally,
            "precision": round(tally["tp"] / (tally["tp"] + tally["fp"]), 3)
            if tally["tp"] + tally["fp"]
            else None,
            "recall": round(tally["tp"] / (tally["tp"] + tally["fn"]), 3)
            if tally["tp"] + tally["fn"]
            else None,
        }
        for group, tally in counts.items()
    }


def read_labels(path: str | Path) -> list[tuple[str, str, bool, str]]:
    """Hand-labelled pairs (a, b, same, half) of a CSV with those columns (``same`` is 1 or 0)."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [(row["a"], row["b"], row["same"] == "1", row["half"]) for row in csv.DictReader(handle)]


# --- the database ------------------------------------------------------------------------------------


def _pk(unit: Unit | int | None) -> int | None:
    return unit.pk if isinstance(unit, Unit) else unit


def _canonical_phone(phone: str) -> str:
    phone = phone.strip()
    if not phone:
        return ""
    try:
        return normalise_phone(phone)
    except ValidationError:
        return phone


def _phones(phone: str) -> list[str]:
    """The stored spellings of a phone number (other channels may not store the canonical one)."""
    canonical = _canonical_phone(phone)
    if not canonical:
        return []
    try:
        return phone_variants(canonical)
    except ValidationError:
        return [canonical]


def person_key(phone: str, name: str, village: int | None) -> str:
    """Who sent an appeal, as ``decide`` compares it: the phone; without one, the name in the village
    (a name alone says little)."""
    if canonical := _canonical_phone(phone):
        return f"phone:{canonical}"
    name = name.strip()
    return f"name:{village}:{name}" if name and village is not None else ""


def address_overlap(a: str, b: str) -> float:
    """Share of the shorter address's bigrams that the other has (0 when either is empty)."""
    first, second = similar.bigrams(a), similar.bigrams(b)
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def facts_of(appeal: Appeal) -> Facts:
    """The facts of a stored appeal (as the candidates' queries load it: the body's opening only)."""
    body = getattr(appeal, "body_head", None)
    return facts(
        appeal.title,
        body if body is not None else appeal.body,
        person=person_key(appeal.citizen_phone, appeal.citizen_name, appeal.village_id),
        village=appeal.village_id,
        township=appeal.township_id,
        address=appeal.address,
        category=appeal.category_id,
    )


def learnt_discount() -> dict[str, float]:
    """The discount that the newest dismissals teach (one bounded read)."""
    rows = DuplicateDismissal.objects.order_by("-dismissed_at", "-id").values_list("shared_words", flat=True)
    return discount_from(rows[:DISCOUNT_DISMISSALS])


def dismissed_with(appeal_pk: int) -> set[int]:
    """The appeals a dispatcher said ``appeal_pk`` does not repeat (or is not repeated by)."""
    pairs = DuplicateDismissal.objects.filter(Q(appeal_id=appeal_pk) | Q(earlier_id=appeal_pk))
    return {
        other for pair in pairs.values_list("appeal_id", "earlier_id") for other in pair if other != appeal_pk
    }


def find(
    title: str,
    body: str,
    *,
    phone: str = "",
    name: str = "",
    township: Unit | int | None = None,
    village: Unit | int | None = None,
    address: str = "",
    category: int | None = None,
    exclude_pk: int | None = None,
    limit: int = 5,
    within: QuerySet[Appeal] | None = None,
    now: datetime | None = None,
    anywhere: bool = True,
    recent: RecentPool | None = None,
    discount: Discount | None = None,
) -> Findings:
    """Likely duplicates (best first, repeats of the same person before the others) and, apart, other
    alike appeals (of the township when given), each list at most ``limit``. ``within`` restricts the
    search (pass what the user may see); at most three bounded queries (and the dismissals of
    ``exclude_pk``). ``anywhere=False`` skips the newest appeals of the whole district (same text
    anywhere; the biggest of the three reads); a ``recent`` pool read once for a batch of new appeals
    replaces that read (its rows recorded before ``exclude_pk`` are used)."""
    query = similar.profile(title, body)
    if not query.norm:
        return Findings()
    base = within if within is not None else Appeal.objects.all()
    if exclude_pk is not None:
        base = base.exclude(pk=exclude_pk)
    township_id, village_id = _pk(township), _pk(village)
    phones = _phones(phone)
    new = facts(
        title,
        body,
        person=person_key(phone, name, village_id),
        village=village_id,
        township=township_id,
        address=address,
        category=category,
    )

    def pool(queryset: QuerySet[Appeal], size: int) -> list[Appeal]:
        return list(
            similar.candidates(queryset, window_days=WINDOW_DAYS, now=now, limit=size, fields=_FIELDS)
        )

    rows: dict[int, Appeal] = {}
    if phones:
        for appeal in pool(base.filter(citizen_phone__in=phones), PERSON_CANDIDATES):
            rows[appeal.pk] = appeal
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
    close = {appeal.pk for appeal in (*rows.values(), *place_rows)}
    for appeal in (*place_rows, *newest):
        rows.setdefault(appeal.pk, appeal)
    dismissed = dismissed_with(exclude_pk) if exclude_pk is not None else set()

    found = Findings()
    alike: list[tuple[Appeal, float]] = []
    for appeal in rows.values():  # newest first within each pool
        if appeal.pk in dismissed:
            continue
        chars = similar.similarity(query, profiles.get(appeal.pk) or _profile(appeal))
        # The cheap character likeness tells which rows are worth reading word by word: the district's
        # newest appeals can only be the same text (or merely alike); the same person's or place's
        # need a little in common (no pair flagged on the public data set had under 0.08).
        if chars < (CHEAP_FLOOR if appeal.pk in close else ALIKE_SCORE):
            continue
        old = facts_of(appeal)
        verdict = decide(new, old, discount=discount) if appeal.state not in NOT_MASTERS else None
        if verdict is not None:
            found.duplicates.append(
                Candidate(appeal=appeal, reason=verdict.reason, score=verdict.score, verdict=verdict)
            )
            continue
        score, shared = _likeness(new, old, (), discount)
        if (
            score >= ALIKE_SCORE
            and len(shared) >= MIN_SHARED_WORDS
            and (township_id is None or appeal.township_id == township_id)
        ):
            alike.append((appeal, round(score, 3)))
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
    discount: Discount = field(default_factory=dict)


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
    return RecentPool(rows, {appeal.pk: _profile(appeal) for appeal in rows}, learnt_discount())


def candidates(
    title: str,
    body: str,
    *,
    phone: str,
    name: str,
    township: Unit | int | None,
    village: Unit | int | None,
    address: str,
    category: int | None = None,
    exclude_pk: int | None = None,
    limit: int = 5,
    within: QuerySet[Appeal] | None = None,
    now: datetime | None = None,
    recent: RecentPool | None = None,
    discount: Discount | None = None,
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
        category=category,
        exclude_pk=exclude_pk,
        limit=limit,
        within=within,
        now=now,
        recent=recent,
        discount=discount,
    ).duplicates


def _about(appeal: Appeal) -> dict[str, Any]:
    """What the finder compares of a saved appeal besides its text: the person and the place."""
    return {
        "phone": appeal.citizen_phone,
        "name": appeal.citizen_name,
        "township": appeal.township_id,
        "village": appeal.village_id,
        "address": appeal.address,
        "category": appeal.category_id,
    }


def _earlier_of(appeal: Appeal) -> QuerySet[Appeal]:
    # By id, not reception time: a letter keyed in late has an early date but was not seen before.
    return Appeal.objects.filter(pk__lt=appeal.pk)


@transaction.atomic
def record_hints(appeal: Appeal, recent: RecentPool | None = None) -> list[DuplicateHint]:
    """Store the likely duplicates of a saved appeal among those recorded before it (idempotent: a
    second run leaves the same rows, with fresh scores), never a pair a dispatcher dismissed; a few
    bounded reads (fewer with a ``recent`` pool shared by a batch) and two writes."""
    found = candidates(
        appeal.title,
        appeal.body,
        **_about(appeal),
        within=_earlier_of(appeal),
        exclude_pk=appeal.pk,
        recent=recent,
        discount=recent.discount if recent is not None else learnt_discount(),
    )
    DuplicateHint.objects.filter(appeal=appeal).exclude(earlier_id__in=[c.appeal.pk for c in found]).delete()
    if not found:
        return []
    DuplicateHint.objects.bulk_create(
        [
            DuplicateHint(appeal=appeal, earlier=c.appeal, reason=c.reason, score=c.score, why=dict(c.why))
            for c in found
        ],
        update_conflicts=True,
        unique_fields=["appeal", "earlier"],
        update_fields=["reason", "score", "why"],
    )
    return list(DuplicateHint.objects.filter(appeal=appeal).select_related("earlier"))


# --- what staff see ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """The inbox's mark on a row: the best stored hint whose earlier appeal the user may see."""

    number: str
    reason: str
    score: float
    why: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason_label(self) -> str:
        return str(REASON_LABELS[Reason(self.reason)])

    @property
    def explanation(self) -> str:
        """Why, in one line (the mark's tooltip)."""
        return explain(self.reason, self.why)


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
    for appeal_id, number, reason, score, why in hints.order_by("appeal_id", "-score").values_list(
        "appeal_id", "earlier__number", "reason", "score", "why"
    ):
        found.setdefault(appeal_id, Mark(number=number or "", reason=reason, score=score, why=why or {}))
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
        hint.earlier_id: Candidate(
            appeal=hint.earlier, reason=hint.reason, score=hint.score, stored_why=hint.why
        )
        for hint in stored
    }
    fresh = find(
        appeal.title,
        appeal.body,
        **_about(appeal),
        limit=limit,
        within=visible(user, _earlier_of(appeal)),
        exclude_pk=appeal.pk,
        anywhere=False,
        discount=learnt_discount(),
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
