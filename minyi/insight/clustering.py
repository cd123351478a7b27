"""The numeric half of the hotspot finder (``minyi.insight.hotspots``): features, neighbours, clusters.

It imports numpy, scipy and scikit-learn, which take about half a second to load, so that
``minyi.insight.hotspots`` (read by the board, the dashboard and every page at start-up) imports this
module only when it actually finds hotspots. The method is described in ``minyi.insight.hotspots``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from minyi.insight.hotspots import (
    BODY_CHARS,
    CHUNK_ROWS,
    CLUSTER_SIMILARITY,
    EDGE_SIMILARITY,
    LINKAGE_MAX,
    MIN_PEOPLE,
    MIN_SIZE,
    PLACE_WEIGHT,
    SUMMARY_SIMILARITY,
    TITLE_CHARS,
    TITLE_WEIGHT,
    TOP_TERMS,
    TOPIC_FLOOR,
    TOPIC_MIN_MEDIAN,
    Message,
    label_names,
    people,
    place_names,
    words,
)
from minyi.insight.text import MASKED_PLACE


class Corpus:
    """The messages' features: the word and place TF-IDF blocks joined into one vector per message, so
    that a dot product is (cosine(words) + PLACE_WEIGHT · cosine(places)) / ``similarity_scale``."""

    def __init__(self, messages: Sequence[Message]) -> None:
        self.messages = messages
        titles = [words(message.title) for message in messages]
        bodies = [words(message.body[:BODY_CHARS]) for message in messages]
        self.names = [place_names(f"{message.title}。{message.body[:BODY_CHARS]}") for message in messages]
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
        shared = Counter(name for names in self.names for name in names)
        kept = [[name for name in names if shared[name] >= 2] for names in self.names]
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


def topic_groups(corpus: Corpus) -> list[list[int]]:
    """The clusters that may be hotspots: about one topic (``_on_topic``), summaries only where they name
    the citizens' problem (``_without_loose_summaries``), with MIN_SIZE messages and MIN_PEOPLE people."""
    messages = corpus.messages
    found = []
    for group in _clusters(corpus):
        # Trimming only removes members: a cluster too small before it cannot become a hotspot.
        if len(group) < MIN_SIZE or people([messages[index] for index in group]) < MIN_PEOPLE:
            continue
        group = _without_loose_summaries(corpus, _on_topic(corpus, group))
        members = [messages[index] for index in group]
        if len(members) >= MIN_SIZE and people(members) >= MIN_PEOPLE:
            found.append(group)
    return found


def _without_loose_summaries(corpus: Corpus, group: list[int]) -> list[int]:
    """The group without its summaries of many opinions (evaluation forms, symposia) whose words are not
    those of its citizens' messages (on average less alike to them than they are to each other, or than
    SUMMARY_SIMILARITY): such a summary names a township and many topics, and shares a few words with
    any complaint there. Summaries alone are no hotspot: the form's own words make them alike."""
    citizens = [index for index in group if not corpus.messages[index].summary]
    summaries = [index for index in group if corpus.messages[index].summary]
    if not summaries:
        return group
    if not citizens:
        return []
    own = corpus.word_block[citizens]
    similarity = np.asarray((corpus.word_block[summaries] @ own.T).mean(axis=1)).ravel()
    # As close to the citizens' messages as they are to each other (their rows have unit length).
    count = len(citizens)
    mutual = (float((own @ own.T).sum()) - count) / (count * (count - 1)) if count > 1 else 0.0
    bar = max(SUMMARY_SIMILARITY, mutual)
    kept = {index for index, value in zip(summaries, similarity, strict=True) if value >= bar}
    return [index for index in group if index in kept or not corpus.messages[index].summary]


def clusters(messages: Sequence[Message]) -> list[list[int]]:
    """Groups of two or more messages (indices into ``messages``, ascending) about the same problem."""
    return _clusters(Corpus(messages)) if len(messages) >= 2 else []


def _clusters(corpus: Corpus) -> list[list[int]]:
    scale = corpus.similarity_scale
    edges = _similar_pairs(corpus.vectors, EDGE_SIMILARITY / scale)
    edges = sparse.csr_matrix(edges + edges.T)
    result: list[list[int]] = []
    for component in _groups(edges, np.arange(len(corpus.messages)), EDGE_SIMILARITY / scale):
        for group in _average_linkage(corpus.vectors, np.sort(component), scale):
            result.append(sorted(int(index) for index in group))
    result.sort(key=lambda group: group[0])
    return result


def _on_topic(corpus: Corpus, group: list[int]) -> list[int]:
    """The group without the members that share only its place: when the members have a common topic
    beyond the place's name (their words, the place's left out, are alike: median similarity to the
    others at least TOPIC_MIN_MEDIAN), members below TOPIC_FLOOR of that median are dropped. So an
    estate's one complaint about its roads leaves the cluster of its many complaints about a plant."""
    if len(group) < MIN_SIZE:
        return group
    # Words of the place: masked place codes, and the words of the cluster's place label that are part
    # of a name at least 30 % of the members use (so 丽发, 新城 of 丽发新城, not 变电站 of a label
    # 杨美公园建变电站, which is what those messages are about).
    label = _topic_place(corpus, group)
    named = Counter(name for index in group for name in corpus.names[index])
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


def title(corpus: Corpus, group: list[int]) -> str:
    """The title of the most central message (largest total similarity to the others), trimmed."""
    vectors = corpus.word_block[group]
    centrality = np.asarray((vectors @ vectors.T).sum(axis=1)).ravel()
    best = max(range(len(group)), key=lambda k: (round(float(centrality[k]), 6), -k))
    message = corpus.messages[group[best]]
    title = re.sub(r"\s+", " ", message.title or message.body).strip()
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1] + "…"


def keywords(corpus: Corpus, group: list[int], count: int = 5) -> tuple[str, ...]:
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


def _topic_place(corpus: Corpus, group: list[int]) -> str:
    """The name-like run (``label_names``) most titles of the group share, else most authors' texts:
    only to leave its words out of the topic; the place shown comes from the gazetteer."""
    members = [corpus.messages[index] for index in group]
    by_title = Counter(name for message in members for name in label_names(message.title))
    name = _common_name(by_title, 0.3 * len(members))
    if name:
        return name
    # Names in the bodies: counted once per author (one person's copies are one voice), and only names
    # some title also uses (a long body copied by several people repeats its odd phrases).
    titles = "|".join(message.title for message in members)
    by_person: dict[str, set[str]] = {}
    for number, message in enumerate(members):
        for candidate in label_names(f"{message.title}。{message.body[:BODY_CHARS]}"):
            if candidate in titles:
                by_person.setdefault(candidate, set()).add(message.user or f"#{number}")
    return _common_name(Counter({key: len(users) for key, users in by_person.items()}), 0.5 * people(members))
