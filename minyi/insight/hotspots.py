"""Hotspots (热点): clusters of messages about one concentrated problem, ranked by a heat index.

Pure Python (jieba, scikit-learn, scipy) and no database; of Django only the project's time zone, in
which local times are read and days counted. The board page, ``manage.py insight hotspots`` and the
benchmark share it. The method, in short:

1. Words: jieba words of the title and of the body's opening (masked place codes such as A2区 kept as
   whole words, a number joined to the word it counts, e.g. 58车贷, 3号线), TF-IDF with the title's
   vector weighted up, and each message then kept to its strongest terms (what it is *about*).
2. Places: names ending in 小区/花园/新城/苑/园/村/学校/公司 … (every 2–6-character run before such an
   ending), as a second, small TF-IDF block: two messages naming the same estate get a bonus.
3. Neighbours: a sparse product of those (pruned) vectors in row chunks, keeping only the pairs above
   the edge threshold: its cost follows the shared distinctive terms, and no n × n matrix is made.
4. Clusters: connected components of that graph, each cut by average linkage (every merge needs a mean
   similarity of at least ``CLUSTER_SIMILARITY`` between the two groups), so a chain of loosely linked
   messages does not make one cluster; too-large components are first split at higher thresholds.
   Then members that share only the place (an estate's one road complaint among its many complaints
   about a plant) are dropped: see ``_on_topic``.
5. Ranking: clusters with fewer than ``MIN_PEOPLE`` people or ``MIN_SIZE`` messages are not hotspots;
   the rest are ranked by the heat index of ``HEAT_FORMULA`` (see ``heat_parts``). Each gets a title
   (its most central message's), a place (masked city/district + the name most titles share, or the
   group of people concerned) and keywords.

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

import numpy as np
from django.utils import timezone
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from minyi.dates import day_text, local_day
from minyi.insight.corpus import CorpusError
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
# Groups of people a cluster may be about when no place is shared (e.g. the victims of one fraud).
_GROUPS = ("购房者", "受害人", "受害者", "投资人", "出借人", "职工", "家长", "教师", "村民", "业主")
# Groups named even beside a shared place (伊景园滨河苑购房者): people tied by a deal, not by living there.
_DEAL_GROUPS = ("购房者", "受害人", "受害者", "投资人", "出借人", "职工")


# ---------------------------------------------------------------------------------------------------
# Input


@dataclass(frozen=True, slots=True)
class Message:
    """One citizen message as the hotspot finder reads it; ``user`` is empty when unknown."""

    id: str
    title: str
    body: str
    received_at: datetime | None
    likes: int = 0
    dislikes: int = 0
    user: str = ""


# Column names accepted for each field: the project's English names and the original data set's Chinese.
_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "留言编号", "编号"),
    "user": ("user", "留言用户", "用户"),
    "title": ("title", "留言主题", "主题", "标题"),
    "body": ("body", "留言详情", "详情", "内容"),
    "received_at": ("received_at", "留言时间", "时间"),
    "likes": ("likes", "点赞数"),
    "dislikes": ("dislikes", "反对数"),
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


def run_cli(csv_path: Path | str, top: int | None, out: TextIO, *, as_json: bool = True) -> list[Hotspot]:
    """What ``manage.py insight hotspots`` does: read the CSV, find the hotspots, write them to ``out``.

    As a JSON list ordered by heat (``as_json``), or as a short readable table. Raises CorpusError for a
    CSV that cannot be read."""
    spots = find_hotspots(read_csv(csv_path), top=top)
    if as_json:
        json.dump(hotspots_json(spots), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(HEAT_FORMULA + "\n")
        for spot in spots:
            span = " – ".join(day_text(moment, "?") for moment in (spot.first_at, spot.last_at))
            out.write(
                f"{spot.rank:>3}. {spot.heat:6.2f}  {spot.title}  [{spot.place or '—'}]  {span}"
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


class _Corpus:
    """The messages' features: the word and place TF-IDF blocks joined into one vector per message, so
    that a dot product is (cosine(words) + PLACE_WEIGHT · cosine(places)) / ``similarity_scale``."""

    def __init__(self, messages: Sequence[Message]) -> None:
        self.messages = messages
        titles = [words(message.title) for message in messages]
        bodies = [words(message.body[:BODY_CHARS]) for message in messages]
        self.places = [place_names(f"{message.title}。{message.body[:BODY_CHARS]}") for message in messages]
        vocabulary = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, norm=None, dtype=np.float32)
        vocabulary.fit([title + body for title, body in zip(titles, bodies, strict=True)])
        self.terms = vocabulary.get_feature_names_out()
        combined = TITLE_WEIGHT * normalize(vocabulary.transform(titles)) + normalize(
            vocabulary.transform(bodies)
        )
        word_block = normalize(_strongest(sparse.csr_matrix(combined), TOP_TERMS))
        self.word_block = word_block
        place_block = self._place_block()
        self.similarity_scale = 1 + PLACE_WEIGHT
        scale = 1 / math.sqrt(self.similarity_scale)
        self.vectors = sparse.hstack(
            [word_block * scale, place_block * (math.sqrt(PLACE_WEIGHT) * scale)], format="csr"
        ).astype(np.float32)

    def _place_block(self) -> sparse.csr_matrix:
        shared = Counter(name for names in self.places for name in names)
        kept = [[name for name in names if shared[name] >= 2] for names in self.places]
        if not any(kept):
            return sparse.csr_matrix((len(self.messages), 1), dtype=np.float32)
        vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, dtype=np.float32)
        return sparse.csr_matrix(vectorizer.fit_transform(kept))


def _identity(tokens: list[str]) -> list[str]:
    return tokens


def _strongest(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    """Each row with only its ``keep`` largest entries (ties broken by column, so deterministic)."""
    matrix = matrix.tocsr()
    matrix.sort_indices()
    rows, cols, vals = [], [], []
    for row in range(matrix.shape[0]):
        start, end = matrix.indptr[row], matrix.indptr[row + 1]
        data = matrix.data[start:end]
        indices = matrix.indices[start:end]
        if len(data) > keep:
            chosen = np.sort(np.argsort(-data, kind="stable")[:keep])
            data, indices = data[chosen], indices[chosen]
        rows.append(np.full(len(data), row, dtype=np.int64))
        cols.append(indices)
        vals.append(data)
    if not rows:
        return sparse.csr_matrix(matrix.shape, dtype=matrix.dtype)
    return sparse.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=matrix.shape
    )


# ---------------------------------------------------------------------------------------------------
# Clustering


def _similar_pairs(vectors: sparse.csr_matrix, threshold: float) -> sparse.csr_matrix:
    """The upper triangle of vectors·vectorsᵀ with only the entries ≥ threshold, computed in row chunks."""
    n = vectors.shape[0]
    transposed = vectors.T.tocsr()
    rows, cols, values = [], [], []
    for start in range(0, n, CHUNK_ROWS):
        block = (vectors[start : start + CHUNK_ROWS] @ transposed).tocoo()
        keep = (block.data >= threshold) & (block.col > block.row + start)
        rows.append(block.row[keep] + start)
        cols.append(block.col[keep])
        values.append(block.data[keep])
    return sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n), dtype=np.float32
    )


def _groups(edges: sparse.csr_matrix, members: np.ndarray, threshold: float) -> list[np.ndarray]:
    """Connected components (of two or more messages) of the edges among ``members`` at ``threshold``;
    components larger than LINKAGE_MAX are split again at a higher threshold."""
    sub = edges[members][:, members]
    sub = sparse.csr_matrix(sub.multiply(sub >= threshold))
    _, labels = connected_components(sub, directed=False)
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    groups: list[np.ndarray] = []
    for part in np.split(order, bounds):
        if len(part) < 2:
            continue
        component = members[part]
        if len(component) > LINKAGE_MAX and threshold < 0.95:
            groups.extend(_groups(edges, component, threshold + 0.05))
        else:
            groups.append(component)
    return groups


def _average_linkage(vectors: sparse.csr_matrix, component: np.ndarray, scale: float) -> list[np.ndarray]:
    """The component cut by average linkage at CLUSTER_SIMILARITY (groups of one message dropped)."""
    dense = vectors[component]
    similarity = np.asarray((dense @ dense.T).todense(), dtype=np.float64) * scale
    if len(component) == 2:
        return [component] if similarity[0, 1] >= CLUSTER_SIMILARITY else []
    distance = np.clip(scale - similarity, 0, None)
    distance = (distance + distance.T) / 2
    np.fill_diagonal(distance, 0)
    tree = linkage(squareform(distance, checks=False), method="average")
    labels = fcluster(tree, scale - CLUSTER_SIMILARITY, criterion="distance")
    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    return [component[part] for part in np.split(order, bounds) if len(part) >= 2]


def clusters(messages: Sequence[Message]) -> list[list[int]]:
    """Groups of two or more messages (indices into ``messages``, ascending) about the same problem."""
    return _clusters(_Corpus(messages)) if len(messages) >= 2 else []


def _clusters(corpus: _Corpus) -> list[list[int]]:
    scale = corpus.similarity_scale
    edges = _similar_pairs(corpus.vectors, EDGE_SIMILARITY / scale)
    edges = sparse.csr_matrix(edges + edges.T)
    result: list[list[int]] = []
    for component in _groups(edges, np.arange(len(corpus.messages)), EDGE_SIMILARITY / scale):
        for group in _average_linkage(corpus.vectors, np.sort(component), scale):
            result.append(sorted(int(index) for index in group))
    result.sort(key=lambda group: group[0])
    return result


def find_hotspots(
    messages: Sequence[Message], *, top: int | None = None, now: datetime | None = None
) -> list[Hotspot]:
    """The hotspots among ``messages``, hottest first (at most ``top``); ``now`` (default: the latest
    message's time) is the end of the period, from which recency is counted."""
    if len(messages) < MIN_SIZE:
        return []
    if now is None:
        times = [message.received_at for message in messages if message.received_at is not None]
        now = max(times) if times else None
    corpus = _Corpus(messages)
    candidates = []
    for found in _clusters(corpus):
        # Trimming only removes members: a cluster too small before it cannot become a hotspot.
        if len(found) < MIN_SIZE or _people([messages[index] for index in found]) < MIN_PEOPLE:
            continue
        group = _on_topic(corpus, found)
        members = [messages[index] for index in group]
        if len(members) < MIN_SIZE or _people(members) < MIN_PEOPLE:
            continue
        candidates.append((heat_parts(members, now), group))
    # Hottest first; equal heat (to rounding noise): the cluster whose first message comes first.
    candidates.sort(key=lambda item: (-round(item[0].total, 9), item[1][0]))
    if top is not None:
        candidates = candidates[: max(0, top)]
    return [_hotspot(corpus, rank, parts, group) for rank, (parts, group) in enumerate(candidates, 1)]


def _on_topic(corpus: _Corpus, group: list[int]) -> list[int]:
    """The group without the members that share only its place: when the members have a common topic
    beyond the place's name (their words, the place's left out, are alike: median similarity to the
    others at least TOPIC_MIN_MEDIAN), members below TOPIC_FLOOR of that median are dropped. So an
    estate's one complaint about its roads leaves the cluster of its many complaints about a plant."""
    if len(group) < MIN_SIZE:
        return group
    # Words of the place: masked place codes, and the words of the cluster's place label that are part
    # of a name at least 30 % of the members use (so 丽发, 新城 of 丽发新城, not 变电站 of a label
    # 杨美公园建变电站, which is what those messages are about).
    label = _place(corpus, group)
    named = Counter(name for index in group for name in corpus.places[index])
    shared = "|".join(name for name, n in named.items() if n >= 0.3 * len(group))
    block = corpus.word_block[group].tocoo()
    columns, local = np.unique(block.col, return_inverse=True)
    terms = [str(corpus.terms[column]) for column in columns]
    in_place = np.array(
        [bool(MASKED_PLACE.fullmatch(term)) or (term in label and term in shared) for term in terms]
    )
    data = np.where(in_place[local], 0, block.data)
    topic = normalize(sparse.csr_matrix((data, (block.row, local)), shape=(len(group), len(columns))))
    total = np.asarray(topic.sum(axis=0)).ravel()
    own = np.asarray(topic.multiply(topic).sum(axis=1)).ravel()
    with_total = topic @ total
    rest = np.sqrt(np.clip(total @ total - 2 * with_total + own, 0, None))
    similarity = np.divide(with_total - own, rest, out=np.zeros(len(group)), where=rest > 0)
    median = float(np.median(similarity))
    if median < TOPIC_MIN_MEDIAN:
        return group
    return [index for index, value in zip(group, similarity, strict=True) if value >= TOPIC_FLOOR * median]


def _hotspot(corpus: _Corpus, rank: int, parts: HeatParts, group: list[int]) -> Hotspot:
    members = [corpus.messages[index] for index in group]
    by_time = sorted(
        range(len(group)),
        key=lambda k: (
            members[k].received_at is None,
            members[k].received_at or datetime.min.replace(tzinfo=UTC),
            group[k],
        ),
    )
    times = [message.received_at for message in members if message.received_at is not None]
    return Hotspot(
        rank=rank,
        heat=parts.total,
        title=_title(corpus, group),
        place=_place(corpus, group),
        first_at=min(times) if times else None,
        last_at=max(times) if times else None,
        size=len(group),
        people=_people(members),
        likes=sum(message.likes for message in members),
        ids=tuple(members[k].id for k in by_time),
        parts=parts,
        keywords=_keywords(corpus, group),
    )


def _title(corpus: _Corpus, group: list[int]) -> str:
    """The title of the most central message (largest total similarity to the others), trimmed."""
    vectors = corpus.word_block[group]
    centrality = np.asarray((vectors @ vectors.T).sum(axis=1)).ravel()
    best = max(range(len(group)), key=lambda k: (round(float(centrality[k]), 6), -k))
    message = corpus.messages[group[best]]
    title = re.sub(r"\s+", " ", message.title or message.body).strip()
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def _keywords(corpus: _Corpus, group: list[int], count: int = 5) -> tuple[str, ...]:
    """The heaviest terms of the cluster's mean word vector (masked place codes left out)."""
    centroid = np.asarray(corpus.word_block[group].mean(axis=0)).ravel()
    order = np.lexsort((np.arange(len(centroid)), -centroid))
    chosen: list[str] = []
    for column in order:
        if centroid[column] <= 0 or len(chosen) == count:
            break
        term = str(corpus.terms[column])
        if not MASKED_PLACE.fullmatch(term):
            chosen.append(term)
    return tuple(chosen)


def _place(corpus: _Corpus, group: list[int]) -> str:
    """The most specific place the cluster's messages share: the masked city and district most of them
    name, then the estate, firm, road … name most titles (else most authors' texts) share, and the group
    of people concerned when one stands out (购房者, 受害人 …); or '' when nothing is shared."""
    members = [corpus.messages[index] for index in group]
    texts = [f"{message.title}。{message.body[:BODY_CHARS]}" for message in members]
    region = _region(texts)
    by_title = Counter(name for message in members for name in _label_names(message.title))
    name = _common_name(by_title, 0.3 * len(members))
    if not name:
        # Names in the bodies: counted once per author (one person's copies are one voice), and only
        # names some title also uses (a long body copied by several people repeats its odd phrases).
        titles = "|".join(message.title for message in members)
        by_person: dict[str, set[str]] = {}
        for number, (message, text) in enumerate(zip(members, texts, strict=True)):
            for candidate in _label_names(text):
                if candidate in titles:
                    by_person.setdefault(candidate, set()).add(message.user or f"#{number}")
        name = _common_name(
            Counter({key: len(people) for key, people in by_person.items()}), 0.5 * _people(members)
        )
    roles = Counter(role for text in texts for role in _GROUPS if role in text)
    role = ""
    if roles:
        candidate, n = max(roles.items(), key=lambda item: (item[1], item[0]))
        if candidate in _DEAL_GROUPS:
            role = candidate if n >= max(2, 0.3 * len(members)) else ""
        elif not name:
            role = candidate if n >= max(2, 0.5 * len(members)) else ""
    if not name and role:
        # A group without a named place: name it by the phrase around the cluster's most telling word
        # that most titles share (万境 → 五矿万境业主, 车贷 → 58车贷受害人).
        name = _common_phrase(
            [message.title for message in members], _telling_word(_keywords(corpus, group, 3))
        )
    return f"{region}{name}{role}"


def _label_names(text: str) -> set[str]:
    return set(place_names(text, longest=_LABEL_NAME_MAX, endings=_LABEL_ENDING))


def _common_name(counts: Counter[str], floor: float) -> str:
    """The longest name nearly as common (60 %) as the most common one, if that reaches ``floor``."""
    counts = Counter({name: n for name, n in counts.items() if n >= max(2.0, floor) and len(name) > 2})
    if not counts:
        return ""
    most = max(counts.values())
    return max(
        (name for name, n in counts.items() if n >= 0.6 * most),
        key=lambda name: (len(name), counts[name], name),
    )


def _common_phrase(titles: list[str], word: str) -> str:
    """``word`` grown one character at a time, left or right, while half the titles still contain it."""
    if not word:
        return ""
    texts = [MASKED_PLACE.sub("，", title) for title in titles]
    floor = max(2.0, 0.5 * len(texts))
    phrase = word
    while len(phrase) < _LABEL_NAME_MAX:
        grown: Counter[str] = Counter()
        for text in texts:
            seen = set()
            for match in re.finditer(re.escape(phrase), text):
                start, end = match.span()
                if start > 0 and _NAME_CHAR.match(text[start - 1]):
                    seen.add(text[start - 1] + phrase)
                if end < len(text) and _NAME_CHAR.match(text[end]):
                    seen.add(phrase + text[end])
            grown.update(seen)
        if not grown:
            break
        best, support = max(grown.items(), key=lambda item: (item[1], item[0]))
        if support < floor:
            break
        phrase = best
    return phrase


def _telling_word(keywords: tuple[str, ...]) -> str:
    """The first keyword, or a longer keyword that contains it (车贷 → 58车贷)."""
    if not keywords:
        return ""
    first = keywords[0]
    return next((word for word in keywords[1:] if first in word), first)


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
