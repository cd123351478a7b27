"""Hotspots (热点): clusters of messages about one concentrated problem, ranked by a heat index.

No database; of Django only the project's time zone, in which local times are read and days counted.
The board page, ``manage.py insight hotspots`` and the benchmark share it. The numeric half (features,
neighbours, clusters: numpy, scipy, scikit-learn) is ``minyi.insight.clustering``, imported only when
hotspots are found, so that starting Django does not load those libraries. The method, in short:

1. Words: jieba words of the title and of the body's opening (masked place codes such as A2区 kept as
   whole words, a number joined to the word it counts, e.g. 58车贷, 3号线), TF-IDF with the title's
   vector weighted up, and each message then kept to its strongest terms (what it is *about*).
2. Names: runs before endings such as 小区/花园/苑/村/学校/公司, as a second, small TF-IDF block: two
   messages naming the same estate get a bonus. These are features only; they are never shown as a place.
3. Neighbours: a sparse product of those (pruned) vectors in row chunks, keeping only the pairs above
   the edge threshold: its cost follows the shared distinctive terms, and no n × n matrix is made.
4. Clusters: connected components of that graph, each cut by average linkage (every merge needs a mean
   similarity of at least ``CLUSTER_SIMILARITY`` between the two groups), so a chain of loosely linked
   messages does not make one cluster; too-large components are first split at higher thresholds.
   Then members that share only the place (an estate's one road complaint among its many complaints
   about a plant) are dropped, and so are summaries of many opinions (evaluation forms, symposia:
   ``Message.summary``) unless their words are those of the citizens' messages of the cluster; a
   cluster of summaries alone is not a hotspot.
5. Ranking: clusters with fewer than ``MIN_PEOPLE`` people or ``MIN_SIZE`` messages are not hotspots;
   the rest are ranked by the heat index of ``HEAT_FORMULA`` (see ``heat_parts``). Each gets a title
   (its most central message's), keywords, and a place from the district's gazetteer
   (``minyi.insight.gazetteer``): the place most of its messages name, or district-wide with its
   villages when it spreads over many (``place_of``).

Results are deterministic: the same messages in the same order give the same hotspots.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from django.utils import timezone

from minyi.dates import day_text, local_day
from minyi.insight.corpus import CorpusError
from minyi.insight.gazetteer import ESTATE, ROAD, SPECIFICITY, TOWNSHIP, VILLAGE, Gazetteer
from minyi.insight.text import MASKED_PLACE, WORDLIKE, lcut, place_codes

# --- Tunables (chosen by reading the clusters of the public data set, see the module docstring) ---
# The title says what a message is about; its vector counts this many times the body's.
TITLE_WEIGHT = 2.0
# The body's opening states the problem; later paragraphs add history and feelings (and cost time).
BODY_CHARS = 500
# Each message keeps only its strongest weighted terms for the similarity.
TOP_TERMS = 30
# Weight of the shared-place block: cosine(words) + PLACE_WEIGHT · cosine(places).
PLACE_WEIGHT = 0.15
# Pairs below this similarity are not linked at all.
EDGE_SIMILARITY = 0.3
# Average linkage cut: two groups merge only if their mean pairwise similarity reaches this.
CLUSTER_SIMILARITY = 0.33
# Components larger than this are split at higher edge thresholds before the (quadratic) linkage.
LINKAGE_MAX = 2500
# Rows per chunk of the sparse similarity product (bounds memory, not the result).
CHUNK_ROWS = 300
# Members whose words (the place's name left out) are this far below the cluster's median similarity
# are dropped, when that median shows a shared topic at all.
TOPIC_MIN_MEDIAN = 0.2
TOPIC_FLOOR = 0.25
# One person's repeated messages, or two people, are not a hotspot.
MIN_PEOPLE = 3
MIN_SIZE = 3
TITLE_CHARS = 40
# A summary of many opinions joins a cluster of citizens' messages only when its words are at least
# this close (cosine, on average) to theirs, and as close as theirs are to each other: it names the
# same concrete problem, not only the same township.
SUMMARY_SIMILARITY = 0.25
# Channels whose appeals summarise many people's opinions (evaluation forms, symposia).
SUMMARY_CHANNELS = frozenset({"evaluation", "symposium"})
# A place is a cluster's when at least this share of its messages name it.
PLACE_SHARE = 0.5
# A cluster spread over at least this many villages, with no place most of it shares, is district-wide.
DISTRICT_WIDE_VILLAGES = 3

# --- The heat index ---
HEAT_PEOPLE = 3.0
HEAT_SIZE = 1.0
HEAT_LIKES = 1.0
HEAT_RECENCY = 2.0
HEAT_RECENCY_DAYS = 30.0
HEAT_SPREAD = 1.0

HEAT_FORMULA = (
    f"热度 = {HEAT_PEOPLE:g}·ln(1+人数) + {HEAT_SIZE:g}·ln(1+留言数) + {HEAT_LIKES:g}·ln(1+点赞数)"
    f" + {HEAT_RECENCY:g}·e^(−距最近一条的天数/{HEAT_RECENCY_DAYS:g})"
    f" + {HEAT_SPREAD:g}·ln(1+有留言的天数)。"
    f"人数为不同留言人数（未知时按留言数）；少于{MIN_PEOPLE}人或少于{MIN_SIZE}条留言的不算热点。"
)
HEAT_FORMULA_EN = (
    f"heat = {HEAT_PEOPLE:g}·ln(1+people) + {HEAT_SIZE:g}·ln(1+messages) + {HEAT_LIKES:g}·ln(1+likes)"
    f" + {HEAT_RECENCY:g}·exp(−days since the latest message/{HEAT_RECENCY_DAYS:g})"
    f" + {HEAT_SPREAD:g}·ln(1+days with messages). People are distinct authors (the message count when"
    f" unknown); clusters of fewer than {MIN_PEOPLE} people or {MIN_SIZE} messages are not hotspots."
)

_DISTRICT = re.compile(r"^[A-Z]\d{1,2}[区县州]$")
_NUMBER = re.compile(r"^[0-9０-９]+$")
_HAN_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# Words every appeal uses; IDF would weigh them down anyway, but they must not take a "strongest term" slot.
_STOP_TEXT = (
    "问题 反映 投诉 建议 咨询 请问 希望 关于 我们 你们 他们 没有 什么 这个 一个 已经 可以 进行 相关 部门"
    " 领导 政府 您好 尊敬 谢谢 严重 请求 要求 现在 目前 情况 是否 如何 为什么 还是 但是 因为 所以 如果"
    " 这样 那么 自己 需要 能够 不能 不是 就是 时候 怎么 以及 对于 通过 其他 这些 那些 由于 而且 并且"
    " 或者 非常 一直 今年 去年"
)
_STOP_WORDS = frozenset(_STOP_TEXT.split())
# Endings of the names of estates, schools, firms, villages and parks. (Not 案 of a criminal case: it
# also ends 立案, 方案, 备案 ….)
_ENDINGS_TEXT = (
    "小区 社区 花园 新城 家园 公寓 大厦 广场 华庭 山庄 中学 小学 幼儿园 学校 医院 公司 集团 楼盘"
    " 市场 商场 公园 苑 园 城 湾 府 庭 村"
)
_PLACE_ENDINGS = tuple(_ENDINGS_TEXT.split())
_PLACE_ENDING = re.compile("|".join(sorted(_PLACE_ENDINGS, key=len, reverse=True)))
_NAME_MAX = 6
# Labels may be longer (劳动东路魅力之城小区) and name roads and stations too: frequency within the
# cluster, not the word block, decides there.
_LABEL_NAME_MAX = 10
_LABEL_ENDING = re.compile(
    "|".join(sorted([*_PLACE_ENDINGS, "路", "大道", "街道", "镇", "站"], key=len, reverse=True))
)
# A name does not start with a function word or a pointer such as 附近/我们/该.
_NOT_NAME_START = frozenset(
    "的了在和与及或到从向对把被将为是有就都也还又我你他她它这那该本此每各某个附旁近边等请"
)
_NOT_IN_NAME = frozenset("的了是把被就都也还又我你他她它这那该们")


# ---------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True, slots=True)
class Message:
    """One citizen message as the hotspot finder reads it; ``user`` is empty when unknown; ``places``
    are the gazetteer's places its record gives (village, township, address); ``summary`` marks a summary
    of many opinions (an evaluation form, a symposium) rather than one person's message."""

    id: str
    title: str
    body: str
    received_at: datetime | None
    likes: int = 0
    dislikes: int = 0
    user: str = ""
    places: tuple[str, ...] = ()
    summary: bool = False


# Column names accepted for each field: the project's English names and the original data set's Chinese.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "留言编号", "编号"),
    "user": ("user", "留言用户", "用户"),
    "title": ("title", "留言主题", "主题", "标题"),
    "body": ("body", "留言详情", "详情", "内容"),
    "received_at": ("received_at", "留言时间", "时间"),
    "likes": ("likes", "点赞数"),
    "dislikes": ("dislikes", "反对数"),
    "channel": ("channel", "渠道"),
}


_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def parse_time(value: str) -> datetime | None:
    """An aware datetime from ISO 8601 or ``YYYY-M-D [H:MM[:SS]]`` (also with /), local time when no
    offset is given; None if empty or unreadable."""
    value = (value or "").strip().replace("/", "-")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        for pattern in _TIME_FORMATS:
            try:
                moment = datetime.strptime(value, pattern)  # noqa: DTZ007  (made aware just below)
                break
            except ValueError:
                continue
        else:
            return None
    return _aware(moment)


def _aware(moment: datetime) -> datetime:
    """Times without an offset are local: the project's time zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.get_default_timezone())


def _count(value: str) -> int:
    try:
        return max(0, int(float(value)))
    except (TypeError, ValueError):
        return 0


def read_csv(path: Path | str) -> list[Message]:
    """The messages of a CSV with a header row; columns are found by name, others ignored.

    A title or body column is needed; a missing id becomes the row number, missing counts become 0,
    a missing or unreadable time becomes None, a missing user stays empty (people = messages)."""
    # Message bodies can exceed the csv module's default field limit of 128 KiB.
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    messages: list[Message] = []
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            present = {name.strip() for name in reader.fieldnames or [] if name}
            column = {
                key: next((name for name in names if name in present), None)
                for key, names in _COLUMNS.items()
            }
            if column["title"] is None and column["body"] is None:
                raise CorpusError(f"{path}: needs a title or a body column")
            for number, row in enumerate(reader, 1):
                row = {(key or "").strip(): (value or "").strip() for key, value in row.items() if key}

                def get(key: str, row: dict[str, str] = row) -> str:
                    name = column[key]
                    return row.get(name, "") if name else ""

                messages.append(
                    Message(
                        id=get("id") or str(number),
                        title=get("title"),
                        body=get("body"),
                        received_at=parse_time(get("received_at")),
                        likes=_count(get("likes")),
                        dislikes=_count(get("dislikes")),
                        user=get("user"),
                        summary=get("channel") in SUMMARY_CHANNELS,
                    )
                )
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CorpusError(f"{path}: {error}") from error
    return messages


# ---------------------------------------------------------------------------------------------------
# Output


@dataclass(frozen=True, slots=True)
class HeatParts:
    """The weighted terms of the heat index (their sum is the heat) and the counts they come from."""

    people: float
    size: float
    likes: float
    recency: float
    spread: float
    days_since_last: float | None
    active_days: int

    @property
    def total(self) -> float:
        return self.people + self.size + self.likes + self.recency + self.spread


@dataclass(frozen=True, slots=True)
class Hotspot:
    """One cluster of messages about one problem, with its heat; ``ids`` are the messages' ids by time."""

    rank: int
    heat: float
    title: str
    place: str
    first_at: datetime | None
    last_at: datetime | None
    size: int
    people: int
    likes: int
    ids: tuple[str, ...]
    parts: HeatParts
    keywords: tuple[str, ...] = field(default=())
    district_wide: bool = False
    villages: tuple[str, ...] = field(default=())


def heat_parts(members: Sequence[Message], now: datetime | None) -> HeatParts:
    """The heat index of a group of messages; ``now`` is the end of the period looked at::

        heat = 3·ln(1 + people) + 1·ln(1 + messages) + 1·ln(1 + likes)
               + 2·exp(−days from the latest message to now / 30) + 1·ln(1 + days with messages)

    (weights: the HEAT_* constants; the page shows ``HEAT_FORMULA``). Distinct people weigh most, so
    one person writing again and again does not make a hotspot; likes count, dampened by the log, as
    public support; recency favours what is going on now; the days with messages favour a problem raised
    again and again over one afternoon's burst. Messages without a time add nothing to the last two."""
    people = _people(members)
    likes = sum(message.likes for message in members)
    times = [message.received_at for message in members if message.received_at is not None]
    days_since: float | None = None
    recency = 0.0
    if times and now is not None:
        days_since = max(0.0, (_aware(now) - max(times)).total_seconds() / 86400)
        recency = math.exp(-days_since / HEAT_RECENCY_DAYS)
    active_days = len({local_day(moment) for moment in times})
    return HeatParts(
        people=HEAT_PEOPLE * math.log1p(people),
        size=HEAT_SIZE * math.log1p(len(members)),
        likes=HEAT_LIKES * math.log1p(likes),
        recency=HEAT_RECENCY * recency,
        spread=HEAT_SPREAD * math.log1p(active_days),
        days_since_last=None if days_since is None else round(days_since, 1),
        active_days=active_days,
    )


def _people(members: Sequence[Message]) -> int:
    known = {message.user for message in members if message.user}
    return len(known) + sum(1 for message in members if not message.user)


def hotspots_json(hotspots: Iterable[Hotspot]) -> list[dict[str, Any]]:
    """The hotspots as JSON-ready dicts: rank, heat, title, place, first_at, last_at, size, ids, then more."""
    return [
        {
            "rank": spot.rank,
            "heat": round(spot.heat, 3),
            "title": spot.title,
            "place": spot.place,
            "first_at": spot.first_at.isoformat() if spot.first_at else None,
            "last_at": spot.last_at.isoformat() if spot.last_at else None,
            "size": spot.size,
            "ids": list(spot.ids),
            "people": spot.people,
            "likes": spot.likes,
            "keywords": list(spot.keywords),
            "district_wide": spot.district_wide,
            "villages": list(spot.villages),
            "heat_parts": {
                "people": round(spot.parts.people, 3),
                "size": round(spot.parts.size, 3),
                "likes": round(spot.parts.likes, 3),
                "recency": round(spot.parts.recency, 3),
                "spread": round(spot.parts.spread, 3),
            },
        }
        for spot in hotspots
    ]


def run_cli(
    csv_path: Path | str,
    top: int | None,
    out: TextIO,
    *,
    as_json: bool = True,
    gazetteer: Gazetteer | None = None,
) -> list[Hotspot]:
    """What ``manage.py insight hotspots`` does: read the CSV, find the hotspots, write them to ``out``.

    As a JSON list ordered by heat (``as_json``), or as a short readable table. Raises CorpusError for a
    CSV that cannot be read."""
    spots = find_hotspots(read_csv(csv_path), top=top, gazetteer=gazetteer)
    if as_json:
        json.dump(hotspots_json(spots), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(HEAT_FORMULA + "\n")
        for spot in spots:
            span = " – ".join(day_text(moment, "?") for moment in (spot.first_at, spot.last_at))
            place = "全区" if spot.district_wide else spot.place or "—"
            out.write(
                f"{spot.rank:>3}. {spot.heat:6.2f}  {spot.title}  [{place}]  {span}"
                f"  {spot.size} messages, {spot.people} people, {spot.likes} likes\n"
            )
    return spots


# ---------------------------------------------------------------------------------------------------
# Features


def words(text: str) -> list[str]:
    """The words that say what a text is about: jieba words of two or more characters without stop
    words, masked place codes (A2区) whole, and a number joined to the word after it (58车贷)."""
    found = place_codes(text)
    pieces = lcut(MASKED_PLACE.sub("，", text))
    for index, piece in enumerate(pieces):
        if _NUMBER.match(piece):
            if index + 1 < len(pieces) and _HAN_WORD.match(pieces[index + 1]):
                found.append(piece + pieces[index + 1])
        elif len(piece) >= 2 and WORDLIKE.search(piece) and piece not in _STOP_WORDS:
            found.append(piece)
    return found


def place_names(
    text: str, *, longest: int = _NAME_MAX, endings: re.Pattern[str] = _PLACE_ENDING
) -> list[str]:
    """Candidate names of places, firms and cases: each run of 2–``longest`` name characters before an
    ending such as 小区 or 苑, with the ending (丽发新城小区 gives 发新城小区 … 丽发新城小区, and 丽发新城).

    Over-long or clipped candidates are harmless: they are rarely shared, so they weigh little."""
    text = MASKED_PLACE.sub("，", text)
    names: set[str] = set()
    for match in endings.finditer(text):
        start = match.start()
        first = start
        while first > 0 and start - first < longest and _NAME_CHAR.match(text[first - 1]):
            first -= 1
        for begin in range(first, start - 1):
            name = text[begin : match.end()]
            if name[0] not in _NOT_NAME_START and not _NOT_IN_NAME.intersection(name):
                names.add(name)
    return sorted(names)


def label_names(text: str) -> set[str]:
    """Name-like runs before a place ending, up to _LABEL_NAME_MAX characters: used only to tell the
    words of a cluster's place from the words of its topic (``clustering``), never shown as a place."""
    return set(place_names(text, longest=_LABEL_NAME_MAX, endings=_LABEL_ENDING))


def people(members: Sequence[Message]) -> int:
    """Distinct authors; a message without a known author counts as one more person."""
    return _people(members)


# ---------------------------------------------------------------------------------------------------
# Finding


def find_hotspots(
    messages: Sequence[Message],
    *,
    top: int | None = None,
    now: datetime | None = None,
    gazetteer: Gazetteer | None = None,
) -> list[Hotspot]:
    """The hotspots among ``messages``, hottest first (at most ``top``); ``now`` (default: the latest
    message's time) is the end of the period, from which recency is counted; the places shown come from
    ``gazetteer`` (and each message's own ``places``)."""
    if len(messages) < MIN_SIZE:
        return []
    # numpy, scipy and scikit-learn load only here, not when Django starts (see clustering's docstring).
    from minyi.insight import clustering

    if now is None:
        times = [message.received_at for message in messages if message.received_at is not None]
        now = max(times) if times else None
    corpus = clustering.Corpus(messages)
    candidates = []
    for group in clustering.topic_groups(corpus):
        members = [messages[index] for index in group]
        candidates.append((heat_parts(members, now), group))
    # Hottest first; equal heat (to rounding noise): the cluster whose first message comes first.
    candidates.sort(key=lambda item: (-round(item[0].total, 9), item[1][0]))
    if top is not None:
        candidates = candidates[: max(0, top)]
    known = gazetteer if gazetteer is not None else Gazetteer()
    found = []
    for rank, (parts, group) in enumerate(candidates, 1):
        members = [messages[index] for index in group]
        by_time = sorted(
            range(len(group)),
            key=lambda k: (
                members[k].received_at is None,
                members[k].received_at or datetime.min.replace(tzinfo=UTC),
                group[k],
            ),
        )
        times = [message.received_at for message in members if message.received_at is not None]
        place, district_wide, villages = place_of(members, known)
        found.append(
            Hotspot(
                rank=rank,
                heat=parts.total,
                title=clustering.title(corpus, group),
                place=place,
                first_at=min(times) if times else None,
                last_at=max(times) if times else None,
                size=len(group),
                people=_people(members),
                likes=sum(message.likes for message in members),
                ids=tuple(members[k].id for k in by_time),
                parts=parts,
                keywords=clustering.keywords(corpus, group),
                district_wide=district_wide,
                villages=villages,
            )
        )
    return found


# ---------------------------------------------------------------------------------------------------
# Places


def places_named(message: Message, gazetteer: Gazetteer) -> set[str]:
    """The gazetteer's places a message names in its title and opening, with the places of its record."""
    return {*message.places, *gazetteer.find(f"{message.title}。{message.body[:BODY_CHARS]}")}


def place_of(members: Sequence[Message], gazetteer: Gazetteer) -> tuple[str, bool, tuple[str, ...]]:
    """Where a cluster is: (place, district-wide?, its villages).

    The place is the gazetteer's place that most (PLACE_SHARE) of the members name, the most specific
    when several are (an estate before its village, a village before its township), after the masked
    city and district of the public data set when most name one. A cluster whose villages are many
    (DISTRICT_WIDE_VILLAGES or more) and which shares no place, or only one of the two or more townships
    it spans, is district-wide; its villages are listed, the most named first, whenever it spans two or
    more and is not about one of them."""
    named = [places_named(message, gazetteer) for message in members]
    counts = Counter(name for names in named for name in names)
    floor = max(2.0, PLACE_SHARE * len(members))
    shared = [name for name, n in counts.items() if n >= floor]
    place = ""
    if shared:
        place = max(
            shared,
            key=lambda name: (SPECIFICITY.get(gazetteer.kind(name), 0), counts[name], len(name), name),
        )
    villages = sorted(
        (name for name in counts if gazetteer.kind(name) == VILLAGE), key=lambda name: (-counts[name], name)
    )
    region = _region([f"{message.title}。{message.body[:BODY_CHARS]}" for message in members])
    if (place and gazetteer.kind(place) in (VILLAGE, ESTATE, ROAD)) or len(villages) < 2:
        return f"{region}{place}", False, ()
    townships = {name for name in counts if gazetteer.kind(name) == TOWNSHIP}
    # Many villages of two or more townships: the township most of them share is not where it is.
    if len(villages) >= DISTRICT_WIDE_VILLAGES and (not place or (place in townships and len(townships) > 1)):
        return region, True, tuple(villages)
    return f"{region}{place}", False, tuple(villages)


def _region(texts: list[str]) -> str:
    """The masked city and district that most (30 %) of the texts name, e.g. A市A2区; '' if none."""
    cities: Counter[str] = Counter()
    districts: Counter[str] = Counter()
    for text in texts:
        codes = set(place_codes(text))
        districts.update(code for code in codes if _DISTRICT.match(code))
        cities.update(code for code in codes if not _DISTRICT.match(code) and code.endswith("市"))
    floor = 0.3 * len(texts)
    parts = []
    for counter in (cities, districts):
        if counter:
            code, n = max(counter.items(), key=lambda item: (item[1], item[0]))
            if n >= floor:
                parts.append(code)
    return "".join(parts)
