"""The echo wall (回音壁): publishing answered appeals with personal data masked, and searching them.

An entry is written when a reply chosen for publication is approved (``publish_for_reply``, called by
``rules.approve_reply``) and taken down by staff with ``unpublish``. Its texts are masked once, when
published, so no public page can ever show or search what masking hid.

Search cuts the query into words with the classifier's tokenizer (``minyi.appeals.words``) and finds
the entries whose ``EchoEntry.search_text`` (masked, normalised) contains every word but stopwords;
the newest ``RANKED`` of them are counted and ranked by how many of the query's words they hold and
how close together (the whole phrase first), and the page marks the words. Each word is found fast on both
databases:

- PostgreSQL: a word of 3+ characters is ``LIKE '%word%'``, served by a ``pg_trgm`` GIN index (pg_trgm
  extracts CJK trigrams under this deployment's C.UTF-8 locale; checked with EXPLAIN). A 2-character
  word has no trigram: if the statistics say it is common, a walk through the newest rows finds a
  page quickly; if rare, a GIN index over the text's bigrams (``minyi_echo_bigrams``) finds it without
  reading the table. A 1-character word walks the newest rows (almost every character is common).
- SQLite: a word of 3+ characters goes through an FTS5 ``trigram`` table kept in step by triggers;
  shorter words are ``LIKE``.
The indexes, the function, the FTS table and its triggers are created by migration 0003.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections, transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from minyi.appeals import words
from minyi.appeals.access import AppealPerm
from minyi.appeals.choices import ReplyState
from minyi.appeals.models import Appeal, Category, EchoEntry, Reply
from minyi.audit.rules import record
from minyi.inputs import strip_bidi_controls
from minyi.org.permissions import can
from minyi.paging import Window, page_number
from minyi.privacy import mask_address, mask_name, mask_phone, mask_text

Actor = User | AnonymousUser | None

#: The SQLite FTS5 table (trigram tokenizer) that mirrors ``search_text``; see migration 0003.
FTS_TABLE = "appeals_echo_fts"
#: The IMMUTABLE PostgreSQL function whose GIN index serves 1–2 character terms; see migration 0003.
BIGRAMS_FUNCTION = "minyi_echo_bigrams"
#: A 2-character term expected in at least this share of the entries is found by walking the newest
#: rows (a page turns up within about 21/share rows); a rarer one goes through the bigram index (its
#: cost grows with the matches, and a walk could read the whole table). Around 1% the two cost the
#: same (measured on 100,000 and 1,000,000 generated entries); the bigram statistics resolve ~0.9%.
COMMON_SHARE = 0.01
#: More words than this are refused (minyi.appeals.words): each one is another index condition.
MAX_TERMS = words.MAX_WORDS
#: The newest matches that are read, counted ("共 N 条") and ranked; past them the page says "more than
#: N" and people add words instead of paging.
RANKED = 500
#: Positions of one word looked at when measuring how close the words stand.
MAX_POSITIONS = 50
#: Permissions that allow taking an entry down (the campaign office, or the answering unit's head).
UNPUBLISH_ACTIONS = (AppealPerm.DISPATCH, AppealPerm.APPROVE_REPLY)

# Masks personal data that mask_text (phones and ID numbers written plainly) does not catch.
_SPACED_MOBILE_RE = re.compile(r"(?<!\d)(1[3-9]\d)[- ](\d{4})[- ](\d{4})(?!\d)")
_EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
# House, building and room numbers: "解放路18号", "3栋2单元501室" (not dates such as "3月5号").
_HOUSE_RE = re.compile(r"(?<=[路街巷道弄组村里苑园庄])\d{1,5}(?=号)|\d{1,5}(?=号楼|栋|幢|单元|室)")


class EchoError(ValidationError):
    """A rule of the echo wall refused the change; the message says why, in the user's language."""


# --- masking and normalising ------------------------------------------------------------------


def mask_for_public(text: str, appeal: Appeal) -> str:
    """``text`` with phones, ID numbers, e-mails, house numbers and the citizen's name and address masked,
    and without bidirectional control characters."""
    text = strip_bidi_controls(text)
    address = appeal.address.strip()
    if len(address) >= 4:  # shorter "addresses" are place names that occur as ordinary words
        text = text.replace(address, mask_address(address))
    name = appeal.citizen_name.strip()
    if len(name) >= 2:
        text = text.replace(name, mask_name(name))
    phone = appeal.citizen_phone.strip()
    if len(phone) >= 5:  # the patterns below know mobiles and landlines; the citizen may have left another
        text = text.replace(phone, mask_phone(phone))
    text = mask_text(text)
    text = _SPACED_MOBILE_RE.sub(r"\1-****-\3", text)
    text = _EMAIL_RE.sub(r"\1***@\2", text)
    return _HOUSE_RE.sub(lambda m: "*" * len(m.group(0)), text)


def normalise(text: str) -> str:
    """The form both stored text and queries take: NFKC (full-width → half-width), case-folded,
    whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def search_text(title: str, question: str, reply: str) -> str:
    """The searchable text of an entry, from its already masked title, question and reply."""
    return normalise(f"{title} {question} {reply}")


def search_terms(q: str) -> list[str]:
    """The words every entry found must contain: the query cut by the classifier's tokenizer, without
    stopwords (see minyi.appeals.words); a query of more than ``MAX_TERMS`` is refused by the form."""
    return words.required(words.query_words(q))[:MAX_TERMS]


# --- publishing --------------------------------------------------------------------------------


@transaction.atomic
def publish(appeal: Appeal, reply: Reply) -> EchoEntry:
    """Put the appeal and its approved reply on the echo wall, masked. A newer reply (a reopened appeal
    answered anew) replaces the entry's texts and dates; the same reply again changes nothing."""
    if reply.appeal_id != appeal.pk or reply.state != ReplyState.SENT:
        raise EchoError(_("Only an approved reply of this appeal can be published."), code="not_sent")
    current = EchoEntry.objects.filter(appeal=appeal, reply=reply).first()
    if current is not None:  # this very reply is already on the wall: nothing to do, nothing to audit
        return current
    title = mask_for_public(appeal.title, appeal)
    question = mask_for_public(appeal.body, appeal)
    answer = mask_for_public(reply.body, appeal)
    now = timezone.now()
    entry, created = EchoEntry.objects.update_or_create(
        appeal=appeal,
        defaults={
            "reply": reply,
            "number": appeal.number or str(appeal.pk),
            "title_masked": title[: EchoEntry._meta.get_field("title_masked").max_length],
            "question_masked": question,
            "reply_masked": answer,
            "unit_name": reply.unit.name,
            "category": appeal.category,
            "township": appeal.township,
            "received_at": appeal.received_at,
            "replied_at": reply.sent_at or appeal.replied_at or now,
            "published_at": now,
            "search_text": search_text(title, question, answer),
        },
    )
    record(
        "echo.published",
        actor=reply.decided_by,
        obj=appeal,
        detail={"reply": reply.pk, "republished": not created},
    )
    return entry


def publish_for_reply(reply: Reply) -> EchoEntry | None:
    """Called when a reply is approved: publish it if it was chosen for the wall; an approved reply
    not chosen takes down the appeal's earlier entry, which it supersedes."""
    reply = Reply.objects.select_related("appeal__category", "appeal__township", "unit", "decided_by").get(
        pk=reply.pk
    )
    if reply.state != ReplyState.SENT:
        return None
    if reply.publish:
        return publish(reply.appeal, reply)
    with transaction.atomic():
        stale = EchoEntry.objects.filter(appeal_id=reply.appeal_id).exclude(reply=reply)
        if stale.delete()[0]:
            record("echo.superseded", actor=reply.decided_by, obj=reply.appeal, detail={"reply": reply.pk})
    return None


def can_unpublish(user: User | AnonymousUser, appeal: Appeal) -> bool:
    """Whether ``user`` may take the appeal's entry off the wall."""
    return any(can(user, action, appeal) for action in UNPUBLISH_ACTIONS)


@transaction.atomic
def unpublish(appeal: Appeal, *, actor: Actor, reason: str = "") -> None:
    """Take the appeal's entry off the echo wall (staff decision, audited)."""
    if actor is None or not can_unpublish(actor, appeal):
        raise PermissionDenied(_("You may not do this to this appeal."))
    entry = EchoEntry.objects.select_for_update().filter(appeal=appeal).first()
    if entry is None:
        raise EchoError(_("This appeal is not on the echo wall."), code="not_published")
    entry.delete()
    record(
        "echo.unpublished",
        actor=actor,
        obj=appeal,
        detail={"reply": entry.reply_id, "reason": reason.strip()[:200]},
    )


# --- reading -----------------------------------------------------------------------------------


def public_entries() -> QuerySet[EchoEntry]:
    """Entries as the public list shows them, newest first, without the bulky search column."""
    return EchoEntry.objects.select_related("category", "township").defer("search_text")


def in_category(queryset: QuerySet[EchoEntry], category: Category) -> QuerySet[EchoEntry]:
    """Entries filed under ``category`` or any category below it (the tree has three levels)."""
    ids = {category.pk}
    frontier = {category.pk}
    while frontier:
        frontier = set(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return queryset.filter(category_id__in=ids)


def search(queryset: QuerySet[EchoEntry], q: str) -> QuerySet[EchoEntry]:
    """Entries whose text contains every term of ``q`` (Chinese substrings; see the module docstring)."""
    for term in search_terms(q):
        queryset = queryset.filter(_term_filter(queryset.db, term))
    return queryset


@dataclass
class Found:
    """One page of a search: its entries (best first), how many entries match and the words to mark."""

    entries: list[EchoEntry]
    page: Window
    total: int
    #: More than ``total`` entries match: only the newest ``total`` were read and ranked.
    more: bool
    words: list[str] = field(default_factory=list)


def find(queryset: QuerySet[EchoEntry], q: str, *, page: str | None, size: int, last: int) -> Found:
    """The page ``page`` of the entries of ``queryset`` that contain every word of ``q``, best first: the
    whole phrase, then more of the query's words, then the words closer together, then the newest.
    Bounded work: at most ``RANKED + 1`` matches are read (their id and text), newest first."""
    query = words.query_words(q)
    wanted = search_terms(q)
    matched = search(queryset, q).order_by("-published_at", "-id")
    candidates = list(matched.values_list("pk", "search_text")[: RANKED + 1])
    more = len(candidates) > RANKED
    candidates = candidates[:RANKED]
    phrase = "".join(words.normalise(q).split())
    order = sorted(range(len(candidates)), key=lambda i: (*rank(candidates[i][1], query, wanted, phrase), i))
    pages = max(1, min(last, -(-len(candidates) // size)))
    number = page_number(page, last=pages)
    chosen = [candidates[i][0] for i in order[(number - 1) * size : number * size]]
    rows = queryset.in_bulk(chosen)
    return Found(
        entries=[rows[pk] for pk in chosen if pk in rows],
        page=Window(number=number, has_next=number < pages, size=size),
        total=len(candidates),
        more=more,
        words=[w for w in query if w in wanted],
    )


def rank(text: str, query: list[str], wanted: list[str], phrase: str) -> tuple[int, int, int, int]:
    """How well ``text`` (normalised) answers the query, smaller is better: (phrase missing, minus the
    query's words present, the span that holds every wanted word, minus their occurrences)."""
    positions = {word: _positions(text, word) for word in query}
    present = sum(1 for word in query if positions[word])
    hits = sum(len(positions[word]) for word in wanted)
    return (
        0 if len(phrase) > 1 and phrase in text else 1,
        -present,
        _span([(positions[word], len(word)) for word in wanted]),
        -hits,
    )


def _positions(text: str, word: str) -> list[int]:
    found: list[int] = []
    start = text.find(word)
    while start >= 0 and len(found) < MAX_POSITIONS:
        found.append(start)
        start = text.find(word, start + len(word))
    return found


def _span(occurrences: list[tuple[list[int], int]]) -> int:
    """The length of the shortest stretch of text that holds one occurrence of every word (a sliding
    window over all positions in order); very large when a word is missing."""
    if not occurrences or any(not positions for positions, _length in occurrences):
        return 10**9
    events = sorted(
        (pos, pos + length, k) for k, (positions, length) in enumerate(occurrences) for pos in positions
    )
    counts, covered, best, left = [0] * len(occurrences), 0, 10**9, 0
    for _pos, end, k in events:
        counts[k] += 1
        covered += counts[k] == 1
        while covered == len(occurrences):
            best = min(best, end - events[left][0])
            first = events[left][2]
            counts[first] -= 1
            covered -= counts[first] == 0
            left += 1
    return best


def highlight(text: str, marked: list[str], width: int = 0) -> SafeString:
    """``text`` escaped, each of the ``marked`` words in ``<mark>``; with ``width``, a stretch of about that
    many characters around the first marked word (with … where it was cut)."""
    pattern = re.compile("|".join(re.escape(w) for w in sorted(marked, key=len, reverse=True)), re.IGNORECASE)
    if width and len(text) > width:
        first = pattern.search(text) if marked else None
        start = max(0, min((first.start() if first else 0) - width // 4, len(text) - width))
        piece = text[start : start + width]
        text = ("…" if start else "") + piece + ("…" if start + width < len(text) else "")
    if not marked:
        return mark_safe(escape(text))  # noqa: S308 (escaped just here)
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 (every piece of the text is escaped)


def _term_filter(db: str, term: str) -> Q:
    vendor = connections[db].vendor
    if vendor == "sqlite" and len(term) >= 3:
        phrase = '"' + term.replace('"', '""') + '"'  # an FTS5 string: no operator can slip in
        sql = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 (constant table)
        matched: Any = RawSQL(sql, [phrase])  # noqa: S611 (the term is a parameter)
        return Q(pk__in=matched)
    if vendor == "postgresql" and len(term) <= 2:
        if len(term) == 2 and not _common_bigram(db, term):
            return _bigram_contains(term)
        return _newest_containing(term)
    return Q(search_text__contains=term)  # LIKE '%term%' (% and _ escaped by Django)


def _newest_containing(term: str) -> Q:
    """PostgreSQL: the text holds ``term``, written so that the planner walks the newest entries.

    ``LIKE`` would do as well, but PostgreSQL estimates its selectivity from statistics that leave out
    long texts, guesses "almost none" and reads and sorts the whole table; ``strpos(...) > 0`` gets
    the default one-in-three estimate, so an ordered index scan that stops at a page wins."""
    column = f"{EchoEntry._meta.db_table}.search_text"
    found: Any = RawSQL(f"strpos({column}, %s) > 0", [term], output_field=BooleanField())  # noqa: S611
    return Q(found)


def _bigram_contains(term: str) -> Q:
    """PostgreSQL: the text holds the 2-character ``term``, through the bigram GIN index. Exact: the
    term has no space, and the index holds every pair of adjacent characters without one."""
    column = f"{EchoEntry._meta.db_table}.search_text"
    bigram: Any = RawSQL(  # noqa: S611 (constant names; the term is a parameter)
        f"{BIGRAMS_FUNCTION}({column}) @> ARRAY[%s]::text[]", [term], output_field=BooleanField()
    )
    return Q(bigram)


def _common_bigram(db: str, term: str) -> bool:
    """Whether PostgreSQL's statistics expect ``term`` in at least ``COMMON_SHARE`` of the entries (on a
    small table always: the estimate is at least one row, and either way is fast there)."""
    table = EchoEntry._meta.db_table
    with connections[db].cursor() as cursor:
        where = f"{BIGRAMS_FUNCTION}(search_text) @> ARRAY[%s]::text[]"
        cursor.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {table} WHERE {where}", [term])  # noqa: S608
        plan = cursor.fetchone()[0]
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        total = cursor.fetchone()[0]
    expected = (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]["Plan Rows"]
    return total > 0 and expected >= COMMON_SHARE * total  # never analysed: reltuples is -1
