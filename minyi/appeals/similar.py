"""The similar-appeal hint on the intake form: character bigrams and a weighted cosine, no dependencies.

Chinese has no spaces, so overlapping character pairs (bigrams) are a cheap, tokenizer-free stand-in
for words: "路灯坏了" → 路灯, 灯坏, 坏了. A title says more about what an appeal is than its body, so
title bigrams weigh more. The scoring functions are pure (testable without a database); the one
database function loads a bounded set of recent candidates, newest first, so the hint stays fast on a
table of millions. minyi.insight.duplicates builds its duplicate finder on these functions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.db.models import Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from minyi.appeals.choices import OPEN_STATES, State
from minyi.appeals.models import Appeal
from minyi.org.models import Unit

T = TypeVar("T")

TITLE_WEIGHT = 2.0
BODY_WEIGHT = 1.0
#: Below this a "similar" appeal is mostly shared filler words: not worth the operator's attention.
MIN_SCORE = 0.2
#: Most candidates read from the database per hint (newest first): bounds the work whatever the table size.
MAX_CANDIDATES = 1500
#: Only the start of a candidate's body is compared; it carries the gist and bounds the work per row.
BODY_CHARS = 200

# Runs of letters, digits and CJK characters; everything else (punctuation, spaces) separates runs.
_RUN = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Pairs that appear in almost every appeal and would make unrelated ones look alike.
_FILLER = frozenset(
    {
        "希望", "反映", "问题", "解决", "我们", "请求", "有关", "相关", "部门", "一下", "尽快",
        "已经", "没有", "这个", "非常", "政府", "群众", "请问", "领导", "情况", "现在", "一直",
    }
)  # fmt: skip


def bigrams(text: str) -> set[str]:
    """The character pairs of ``text`` (lower-cased, punctuation and spaces dropped, filler removed);
    a run of one character counts as itself so that "路" alone still matches something."""
    grams: set[str] = set()
    for run in _RUN.findall(text.lower()):
        if len(run) == 1:
            grams.add(run)
        else:
            grams.update({run[i : i + 2] for i in range(len(run) - 1)})
    grams.difference_update(_FILLER)
    return grams


@dataclass(frozen=True, slots=True)
class Profile:
    """An appeal's bigrams: those of its title (weight TITLE_WEIGHT) and those only in its body
    (weight BODY_WEIGHT), with the length of that weighted vector."""

    title: AbstractSet[str]
    body: AbstractSet[str]
    norm: float


def profile(title: str, body: str) -> Profile:
    """The weighted bigram profile of a title and a text."""
    in_title = bigrams(title)
    in_body = bigrams(body)
    in_body.difference_update(in_title)
    norm = math.sqrt(TITLE_WEIGHT**2 * len(in_title) + BODY_WEIGHT**2 * len(in_body))
    return Profile(in_title, in_body, norm)


def similarity(a: Profile, b: Profile) -> float:
    """Cosine similarity of two profiles, from 0 (nothing shared) to 1 (the same): the weighted dot
    product counted with set intersections, which run in C and keep thousands of comparisons fast."""
    if not a.norm or not b.norm:
        return 0.0
    dot = (
        TITLE_WEIGHT * TITLE_WEIGHT * len(a.title & b.title)
        + TITLE_WEIGHT * BODY_WEIGHT * (len(a.title & b.body) + len(a.body & b.title))
        + BODY_WEIGHT * BODY_WEIGHT * len(a.body & b.body)
    )
    return dot / (a.norm * b.norm)


def rank(
    query: Profile,
    candidates: Iterable[tuple[T, Profile]],
    *,
    limit: int = 5,
    min_score: float = MIN_SCORE,
) -> list[tuple[T, float]]:
    """The ``limit`` candidates most similar to ``query`` (best first), those under ``min_score`` left out.

    Ties keep the candidates' order, so newest-first input gives newest-first ties.
    """
    scored = [(item, similarity(query, other)) for item, other in candidates]
    kept = [(item, score) for item, score in scored if score >= min_score]
    kept.sort(key=lambda pair: pair[1], reverse=True)  # stable: equal scores stay newest first
    return kept[:limit]


def candidates(
    queryset: QuerySet[Appeal],
    *,
    window_days: int = 90,
    township: Unit | None = None,
    now: datetime | None = None,
    limit: int = MAX_CANDIDATES,
    fields: Sequence[str] = (),
) -> QuerySet[Appeal]:
    """Open appeals and those received in the last ``window_days`` (merged ones excluded: their master
    stands for them), of the township when given, newest first, at most ``limit``; ``fields`` are
    loaded besides the few the hint shows (name them, or reading one later costs a query per row)."""
    since = (now or timezone.now()) - timedelta(days=window_days)
    queryset = queryset.filter(Q(state__in=OPEN_STATES) | Q(received_at__gte=since)).exclude(
        state=State.MERGED
    )
    if township is not None:
        queryset = queryset.filter(township=township)
    return (
        queryset.annotate(body_head=Substr("body", 1, BODY_CHARS))
        .only("id", "number", "title", "state", "received_at", "township_id", *fields)
        .order_by("-received_at", "-id")[:limit]
    )


def similar_appeals(
    text: str,
    queryset: QuerySet[Appeal],
    *,
    limit: int = 5,
    window_days: int = 90,
    title: str = "",
    township: Unit | None = None,
    now: datetime | None = None,
) -> list[tuple[Appeal, float]]:
    """Up to ``limit`` appeals of ``queryset`` most like ``text`` (and ``title``, which weighs more), with
    a score from 0 to 1; pass a queryset already restricted to what the user may see."""
    query = profile(title, text)
    if not query.norm:
        return []
    rows = candidates(queryset, window_days=window_days, township=township, now=now)
    return rank(
        query,
        ((appeal, profile(appeal.title, getattr(appeal, "body_head", "") or "")) for appeal in rows),
        limit=limit,
    )
