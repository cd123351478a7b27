"""The appeal classifier: title + body → category, with a confidence and the words that weighed most.

Pure Python (jieba, scikit-learn, numpy), no Django and no database, so that ``manage.py insight
evaluate`` runs anywhere and the dispatch screen, the train command and the benchmark share one model.

The design chosen by cross-validation on the labelled sample (``DESIGNS``; ``manage.py insight cv``):
TF-IDF of jieba words and of character 1–2-grams, each for title + body and again for the title alone
(the title says what the appeal is about), with vocabulary and IDF from the unlabelled messages too;
the taxonomy's level-3 names as tiny seed documents of their category; a linear SVM. Class-balanced
self-training on the unlabelled messages is implemented, but did not help in cross-validation.
The confidence of the first suggestion is a Platt-calibrated function of the SVM margin (first minus
second score), fitted on out-of-fold predictions, so a threshold on it means what it says.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jieba
import joblib
import numpy as np
import scipy
import sklearn
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit
from sklearn.svm import LinearSVC

from minyi.insight.metrics import score
from minyi.insight.text import WORDLIKE, lcut, without_place_codes

FORMAT = "minyi-insight-classifier"
FORMAT_VERSION = 1
MODEL_PREFIX = "appeal-classifier-"
MODEL_SUFFIX = ".joblib"
# Up to this many labels, calibration and the measured figures come from 5-fold cross-validation.
CALIBRATION_KFOLD_MAX = 2000

_SPACE = re.compile(r"\s+")


# ---------------------------------------------------------------------------------------------------
# Segmentation


def normalise(text: str) -> str:
    """Collapse whitespace and drop the data set's masked place codes (A市 → 市, 西地省 → ''): the codes
    carry no meaning (and hurt in cross-validation), the 市/区/县 suffix a little."""
    return _SPACE.sub(" ", without_place_codes(text or "")).strip()


def tokenize(text: str) -> list[str]:
    """jieba's words of a text, without punctuation, spaces and bare numbers."""
    return [word for word in lcut(normalise(text)) if WORDLIKE.search(word)]


@dataclass(frozen=True, slots=True)
class Doc:
    """An appeal's text as the model reads it: normalised title and body and their jieba words."""

    title: str
    body: str
    title_words: tuple[str, ...]
    body_words: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.title}。{self.body}"

    @property
    def words(self) -> tuple[str, ...]:
        return self.title_words + self.body_words


def make_doc(title: str, body: str) -> Doc:
    title, body = normalise(title), normalise(body)
    return Doc(title, body, tuple(tokenize(title)), tuple(tokenize(body)))


def make_docs(texts: Iterable[tuple[str, str]]) -> list[Doc]:
    return [make_doc(title, body) for title, body in texts]


def taxonomy_docs(taxonomy: Iterable[tuple[str, str, str]], labels: Iterable[str]) -> list[tuple[Doc, str]]:
    """Tiny seed documents from a category tree, for the labels the model learns.

    Each level-3 name (title: the name; body: level 2 + name) seeds its level-1 category, or the
    deeper path when the labels are paths as in the appeals app ("城乡建设/住房保障与房地产"). '其他'
    (other) names say nothing about their category and are left out."""
    known = set(labels)
    seeds: list[tuple[Doc, str]] = []
    for level1, level2, level3 in taxonomy:
        if not level3 or level3 == "其他":
            continue
        paths = (f"{level1}/{level2}/{level3}", f"{level1}/{level2}", level1)
        label = next((path for path in paths if path in known), None)
        if label is not None:
            seeds.append((make_doc(level3, f"{level2}，{level3}"), label))
    return seeds


# ---------------------------------------------------------------------------------------------------
# The design (what cross-validation chose among)


@dataclass(frozen=True)
class Design:
    """The choices that make one model; ``DESIGNS`` holds those compared by cross-validation."""

    name: str
    words: bool = True
    char_ngrams: tuple[int, int] | None = (1, 2)
    title_views: bool = True
    min_df: int = 2
    # Vocabulary and IDF also from the unlabelled messages (no labels used).
    vocabulary_from_unlabelled: bool = True
    taxonomy_seeds: bool = True
    # Class-balanced self-training: per round, add the k unlabelled messages of each predicted category
    # with the largest margin, then refit from the labels plus these. 0 turns it off.
    self_training_per_class: int = 50
    self_training_rounds: int = 1
    # Sample weight of a pseudo-labelled message relative to a labelled one.
    self_training_weight: float = 1.0
    # Beyond this many labels the deployment's own data speak: unlabelled messages (vocabulary and
    # self-training) would only cost time, so they are not even segmented.
    unlabelled_max_labelled: int = 3000
    C: float = 1.0
    class_weight: str | None = None


# Labels only: neither unlabelled messages nor taxonomy.
_LABELS_ONLY = Design(
    "labels-only", vocabulary_from_unlabelled=False, taxonomy_seeds=False, self_training_per_class=0
)

#: The designs compared by ``manage.py insight cv --design all``, each adding one idea to the one above.
DESIGNS: dict[str, Design] = {
    design.name: design
    for design in (
        # The classic: TF-IDF of jieba words + linear SVM.
        replace(_LABELS_ONLY, name="tfidf-svm", char_ngrams=None, title_views=False, min_df=1),
        replace(_LABELS_ONLY, name="words-title", char_ngrams=None),
        replace(_LABELS_ONLY, name="chars-title"),
        Design("chars-title-unlabelled-idf", taxonomy_seeds=False, self_training_per_class=0),
        # Chosen: the taxonomy's names as seed documents. Self-training, below, did not add to it.
        Design("seeded", self_training_per_class=0),
        Design("seeded-balanced", self_training_per_class=0, class_weight="balanced"),
        Design("seeded-self-training"),
        Design("seeded-self-training-100x2", self_training_per_class=100, self_training_rounds=2),
    )
}
DEFAULT_DESIGN = DESIGNS["seeded"]


# ---------------------------------------------------------------------------------------------------
# Features


def _words(doc: Doc) -> tuple[str, ...]:
    return doc.words


def _title_words(doc: Doc) -> tuple[str, ...]:
    return doc.title_words


def _text(doc: Doc) -> str:
    return doc.text


def _title(doc: Doc) -> str:
    return doc.title


class Features:
    """Up to four TF-IDF views of a document, stacked: words, title words, characters, title characters."""

    def __init__(self, design: Design) -> None:
        self.design = design
        self.views: list[tuple[str, TfidfVectorizer]] = []
        self._plan_cache: list[tuple[Callable[[Doc], list[str]], dict[str, int], np.ndarray, int]] | None = (
            None
        )

    def fit(self, docs: Sequence[Doc]) -> Features:
        self.fit_transform(docs)
        return self

    def fit_transform(self, docs: Sequence[Doc]) -> sparse.csr_matrix:
        """Learn the vocabularies and IDF from ``docs`` and return their matrix (counted once)."""
        design = self.design
        # On a handful of documents a word seen twice is rare: keep everything.
        min_df = design.min_df if len(docs) >= 200 else 1
        views: list[tuple[str, TfidfVectorizer]] = []
        if design.words:
            views.append(("words", TfidfVectorizer(analyzer=_words, sublinear_tf=True, min_df=min_df)))
            if design.title_views:
                views.append(
                    ("title_words", TfidfVectorizer(analyzer=_title_words, sublinear_tf=True, min_df=min_df))
                )
        if design.char_ngrams:
            for name, preprocessor in (("chars", _text), ("title_chars", _title)):
                if name == "title_chars" and not design.title_views:
                    continue
                vectorizer = TfidfVectorizer(
                    analyzer="char",
                    preprocessor=preprocessor,
                    ngram_range=design.char_ngrams,
                    sublinear_tf=True,
                    min_df=min_df,
                )
                views.append((name, vectorizer))
        blocks = []
        for _, vectorizer in views:
            blocks.append(vectorizer.fit_transform(docs))
            # The words cut by min_df are kept only for inspection and would double the file's size.
            if hasattr(vectorizer, "stop_words_"):
                del vectorizer.stop_words_
        self.views = views
        self._plan_cache = None
        return sparse.hstack(blocks, format="csr")

    def transform(self, docs: Sequence[Doc]) -> sparse.csr_matrix:
        return sparse.hstack([vectorizer.transform(docs) for _, vectorizer in self.views], format="csr")

    def vectors(self, docs: Sequence[Doc]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each document's non-zero columns and values, as ``transform`` computes them (sublinear TF ×
        IDF, each view scaled to unit length) but without scikit-learn's input checks per call, which
        cost three times the arithmetic when the dispatch screen classifies one appeal."""
        plan = self._plan()
        vectors = []
        for doc in docs:
            columns, values = [], []
            for analyze, vocabulary, idf, offset in plan:
                counts: dict[int, int] = {}
                for term in analyze(doc):
                    column = vocabulary.get(term)
                    if column is not None:
                        counts[column] = counts.get(column, 0) + 1
                if not counts:
                    continue
                found = np.fromiter(counts, dtype=np.int64, count=len(counts))
                weight = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
                weight *= idf[found]
                weight /= np.sqrt(weight @ weight)
                columns.append(found + offset)
                values.append(weight)
            vectors.append(
                (np.concatenate(columns), np.concatenate(values))
                if columns
                else (np.zeros(0, dtype=np.int64), np.zeros(0))
            )
        return vectors

    def _plan(self) -> list[tuple[Callable[[Doc], list[str]], dict[str, int], np.ndarray, int]]:
        if self._plan_cache is None:
            plan, offset = [], 0
            for _, vectorizer in self.views:
                plan.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset))
                offset += len(vectorizer.vocabulary_)
            self._plan_cache = plan
        return self._plan_cache

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_plan_cache": None}

    def surfaces(self) -> tuple[np.ndarray, np.ndarray]:
        """The text of each column (a word or a character n-gram), and whether it is a character n-gram."""
        names = [vectorizer.get_feature_names_out() for _, vectorizer in self.views]
        is_chars = [
            np.full(len(block), name.endswith("chars"))
            for (name, _), block in zip(self.views, names, strict=True)
        ]
        return np.concatenate(names), np.concatenate(is_chars)


# ---------------------------------------------------------------------------------------------------
# The model


@dataclass(frozen=True)
class Prediction:
    """The top categories with their confidence (summing to at most 1) and the words that weighed most."""

    top: list[tuple[str, float]]
    why: list[tuple[str, float]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.top[0][0]

    @property
    def confidence(self) -> float:
        return self.top[0][1]


@dataclass
class Calibration:
    """Platt scaling of the margin (P(first suggestion is right)) and a softmax temperature for the rest."""

    slope: float = 4.0
    intercept: float = 0.0
    temperature: float = 3.0
    fitted: bool = False

    def confidence(self, margin: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(self.slope * margin + self.intercept)))


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def _margins(scores: np.ndarray) -> np.ndarray:
    if scores.shape[1] < 2:
        return np.full(scores.shape[0], np.inf)
    top2 = np.partition(scores, -2, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


class AppealClassifier:
    """A linear SVM over ``Features`` with calibrated confidences; see the module docstring."""

    def __init__(self, design: Design = DEFAULT_DESIGN) -> None:
        self.design = design
        self.features = Features(design)
        self.svm: LinearSVC | None = None
        self.classes: list[str] = []
        self.calibration = Calibration()
        self.metadata: dict[str, Any] = {}
        self._surfaces: tuple[np.ndarray, np.ndarray] | None = None
        #: Level-1 label → a model of its deeper categories (trained by minyi.insight.registry from a
        #: deployment's own labels; saved in the same file).
        self.children: dict[str, AppealClassifier] = {}

    # -- training ------------------------------------------------------------------------------------

    def fit_docs(
        self,
        docs: Sequence[Doc],
        labels: Sequence[str],
        *,
        unlabelled: Sequence[Doc] = (),
        seeds: Sequence[tuple[Doc, str]] = (),
        calibrate: bool = True,
    ) -> AppealClassifier:
        """Fit on tokenised documents (the cross-validation reuses one tokenisation for every fold)."""
        if len(docs) != len(labels):
            raise ValueError("documents and labels differ in length")
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two categories")
        started = time.perf_counter()
        design = self.design
        seeds = list(seeds) if design.taxonomy_seeds else []
        if len(docs) > design.unlabelled_max_labelled:
            unlabelled = []
        pool = list(unlabelled) if design.self_training_per_class > 0 else []
        vocabulary_docs = [*docs, *(doc for doc, _ in seeds)]
        if design.vocabulary_from_unlabelled:
            vocabulary_docs += list(unlabelled)
        self.features = Features(design)
        X_all = self.features.fit_transform(vocabulary_docs)
        n, n_seeds = len(docs), len(seeds)
        X = X_all[:n]
        y = np.asarray(labels, dtype=object)
        X_seeds = X_all[n : n + n_seeds] if seeds else None
        y_seeds = np.asarray([label for _, label in seeds], dtype=object)
        if not pool:
            X_pool = None
        elif design.vocabulary_from_unlabelled:
            X_pool = X_all[n + n_seeds :]
        else:
            X_pool = self.features.transform(pool)

        def fit_svm(rows: np.ndarray) -> tuple[LinearSVC, int]:
            return self._fit_svm(X[rows], y[rows], X_seeds, y_seeds, X_pool)

        everything = np.arange(len(docs))
        if calibrate:
            self._calibrate(X, y, fit_svm)
        self.svm, pseudo = fit_svm(everything)
        self.classes = [str(label) for label in self.svm.classes_]
        self._surfaces = None
        self.metadata.update(
            {
                "design": asdict(design),
                "classes": self.classes,
                "training_rows": len(docs),
                "unlabelled_rows": len(unlabelled),
                "pseudo_labelled_rows": pseudo,
                "taxonomy_seed_rows": len(seeds),
                "features": X.shape[1],
                "calibration": asdict(self.calibration),
                "training_seconds": round(time.perf_counter() - started, 2),
            }
        )
        return self

    def _fit_svm(
        self,
        X: sparse.csr_matrix,
        y: np.ndarray,
        X_seeds: sparse.csr_matrix | None,
        y_seeds: np.ndarray,
        X_pool: sparse.csr_matrix | None,
    ) -> tuple[LinearSVC, int]:
        design = self.design
        if X_seeds is not None:
            X, y = sparse.vstack([X, X_seeds], format="csr"), np.concatenate([y, y_seeds])
        svm = self._new_svm().fit(X, y)
        pseudo = 0
        if X_pool is None:
            return svm, pseudo
        for _ in range(design.self_training_rounds):
            scores = svm.decision_function(X_pool)
            if scores.ndim == 1:
                scores = np.column_stack([-scores, scores])
            predicted = scores.argmax(axis=1)
            margin = _margins(scores)
            chosen: list[np.ndarray] = []
            for index in range(len(svm.classes_)):
                members = np.flatnonzero(predicted == index)
                chosen.append(
                    members[np.argsort(-margin[members], kind="stable")[: design.self_training_per_class]]
                )
            picked = np.concatenate(chosen)
            pseudo = len(picked)
            weights = np.concatenate([np.ones(X.shape[0]), np.full(pseudo, design.self_training_weight)])
            svm = self._new_svm().fit(
                sparse.vstack([X, X_pool[picked]], format="csr"),
                np.concatenate([y, svm.classes_[predicted[picked]]]),
                sample_weight=weights,
            )
        return svm, pseudo

    def _new_svm(self) -> LinearSVC:
        return LinearSVC(
            C=self.design.C, class_weight=self.design.class_weight, max_iter=5000, random_state=0
        )

    def _calibrate(
        self, X: sparse.csr_matrix, y: np.ndarray, fit_svm: Callable[[np.ndarray], tuple[LinearSVC, int]]
    ) -> None:
        """Held-out scores → Platt scaling of the margin, a softmax temperature and the measured figures.

        Up to ``CALIBRATION_KFOLD_MAX`` labels: out-of-fold scores of a 5-fold split; beyond, one 20 %
        held-out part (a thousand rows and more calibrate well, and it saves three fits)."""
        classes, counts = np.unique(y, return_counts=True)
        if len(y) <= CALIBRATION_KFOLD_MAX:
            folds = int(min(5, counts.min()))
            if folds < 2:
                self.metadata["cv"] = None
                return
            splits = list(StratifiedKFold(n_splits=folds, shuffle=True, random_state=0).split(X, y))
            method = f"{folds}-fold out-of-fold predictions"
        else:
            splits = list(StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=0).split(X, y))
            method = "20 % held out"
        held_out = np.concatenate([test for _, test in splits])
        scores = np.zeros((len(y), len(classes)))
        for train, test in splits:
            svm, _ = fit_svm(train)
            fold_scores = svm.decision_function(X[test])
            if fold_scores.ndim == 1:
                fold_scores = np.column_stack([-fold_scores, fold_scores])
            scores[np.ix_(test, np.searchsorted(classes, svm.classes_))] = fold_scores
        scores, y = scores[held_out], y[held_out]
        predicted = classes[scores.argmax(axis=1)]
        correct = (predicted == y).astype(int)
        margin = _margins(scores)
        calibration = Calibration()
        if 0 < correct.sum() < len(correct):
            platt = LogisticRegression(C=100.0).fit(margin.reshape(-1, 1), correct)
            slope, intercept = float(platt.coef_[0, 0]), float(platt.intercept_[0])
            if slope > 0:  # a confidence that falls as the margin grows would be nonsense
                calibration.slope, calibration.intercept, calibration.fitted = slope, intercept, True
        truth = np.searchsorted(classes, y)

        def loss(temperature: float) -> float:
            probabilities = _softmax(scores * temperature)[np.arange(len(y)), truth]
            return float(-np.log(np.clip(probabilities, 1e-12, None)).mean())

        calibration.temperature = float(minimize_scalar(loss, bounds=(0.1, 50.0), method="bounded").x)
        self.calibration = calibration
        figures = score(list(y), list(predicted), calibration.confidence(margin).tolist())
        self.metadata["cv"] = {
            "method": method,
            "rows": len(y),
            "macro_f1": figures["macro_f1"],
            "accuracy": figures["accuracy"],
            "accuracy_at_half": figures["accuracy_at_half"],
            "note": "vocabulary fitted once on all training texts (no labels); the rest per fold",
        }

    # -- prediction ----------------------------------------------------------------------------------

    def scores(self, vectors: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """The SVM's score of every category (columns in ``classes`` order) for each vector."""
        if self.svm is None:
            raise RuntimeError("the classifier is not trained")
        coef, intercept = self.svm.coef_, self.svm.intercept_
        scores = np.array([coef[:, columns] @ values for columns, values in vectors]).reshape(
            len(vectors), -1
        )
        scores += intercept
        if scores.shape[1] == 1:  # two categories: one score, for the second
            scores = np.column_stack([-scores[:, 0], scores[:, 0]])
        return scores

    def probabilities(self, scores: np.ndarray) -> np.ndarray:
        """Per-category confidences: the first is P(right) from its margin; the rest share what is left."""
        probabilities = _softmax(scores * self.calibration.temperature)
        first = scores.argmax(axis=1)
        rows = np.arange(len(scores))
        confidence = self.calibration.confidence(_margins(scores))
        rest = 1.0 - probabilities[rows, first]
        scale = np.divide(1.0 - confidence, rest, out=np.zeros_like(rest), where=rest > 0)
        probabilities *= scale[:, None]
        probabilities[rows, first] = confidence
        return probabilities

    def predict_docs(self, docs: Sequence[Doc], k: int = 3, why: int = 5) -> list[Prediction]:
        if not docs:
            return []
        if len(docs) >= 32:  # scikit-learn's checks cost little once per batch; its counting is faster
            X = self.features.transform(docs)
            vectors = [
                (X.indices[X.indptr[i] : X.indptr[i + 1]], X.data[X.indptr[i] : X.indptr[i + 1]])
                for i in range(len(docs))
            ]
        else:
            vectors = self.features.vectors(docs)
        scores = self.scores(vectors)
        probabilities = self.probabilities(scores)
        order = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        predictions = []
        for row, columns in enumerate(order):
            top = [(self.classes[column], round(float(probabilities[row, column]), 4)) for column in columns]
            reasons = self._why(docs[row], *vectors[row], int(columns[0]), why) if why else []
            predictions.append(Prediction(top, reasons))
        return predictions

    def predict_top(self, title: str, body: str, k: int = 3, why: int = 5) -> Prediction:
        """The ``k`` likeliest categories of one appeal with confidences, and the ``why`` weightiest words."""
        return self.predict_docs([make_doc(title, body)], k=k, why=why)[0]

    def predict_many(self, texts: Iterable[tuple[str, str]], k: int = 3, why: int = 5) -> list[Prediction]:
        return self.predict_docs(make_docs(texts), k=k, why=why)

    def _why(
        self, doc: Doc, indices: np.ndarray, values: np.ndarray, column: int, n: int
    ) -> list[tuple[str, float]]:
        """The appeal's words that pushed most towards ``column``'s category, with their share of the score.

        A word gets its own weight plus that of the character n-grams inside it (split among the words
        sharing one), so 文物保护 collects 文物, 物保 and 保护; n-grams across word boundaries and single
        characters still count in the score but explain nothing to a dispatcher, so they are left out."""
        assert self.svm is not None
        coef = self.svm.coef_
        weights = (
            coef[column, indices] if coef.shape[0] > 1 else coef[0, indices] * (1 if column == 1 else -1)
        )
        if self._surfaces is None:
            self._surfaces = self.features.surfaces()
        surfaces, is_chars = self._surfaces
        words = {word for word in doc.words if len(word) >= 2}
        low, high = self.design.char_ngrams or (2, 2)
        inside: dict[str, list[str]] = {}
        for word in words:
            grams = {
                word[i : i + size]
                for size in range(max(low, 2), high + 1)
                for i in range(len(word) - size + 1)
            }
            for gram in grams:
                inside.setdefault(gram, []).append(word)
        totals: dict[str, float] = {}
        for surface, is_char, contribution in zip(
            surfaces[indices], is_chars[indices], values * weights, strict=True
        ):
            if not is_char:
                if surface in words:
                    totals[surface] = totals.get(surface, 0.0) + float(contribution)
            elif surface in inside:
                owners = inside[surface]
                for word in owners:
                    totals[word] = totals.get(word, 0.0) + float(contribution) / len(owners)
        ranked = sorted(
            ((word, weight) for word, weight in totals.items() if weight > 0), key=lambda item: -item[1]
        )
        return [(word, round(weight, 3)) for word, weight in ranked[:n]]

    # -- files ---------------------------------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_surfaces"] = None  # rebuilt on first use; saves megabytes in the file
        return state

    def save(self, path: Path | str) -> Path:
        """Write the model and its metadata to one file, atomically (a reader never sees half a model)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=MODEL_SUFFIX)
        os.close(handle)
        try:
            joblib.dump({"format": FORMAT, "metadata": self.metadata, "model": self}, temporary, compress=3)
            # mkstemp makes 0600; the web processes may run as another user of the same group. The
            # vocabulary comes from citizens' messages, so the file is not for everyone to read.
            os.chmod(temporary, 0o640)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return path


class ModelFileError(ValueError):
    """The file is not a model of this program, or of a format this version cannot read."""


class LibraryVersionWarning(UserWarning):
    """The model was written with other versions of scikit-learn or numpy than those installed."""


def library_versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "jieba": jieba.__version__,
    }


def load(path: Path | str) -> AppealClassifier:
    """Read a model file written by ``AppealClassifier.save`` (only ever load files you wrote: pickle)."""
    try:
        content = joblib.load(path)
    except Exception as error:  # unpickling a stranger's bytes can fail with almost any exception
        raise ModelFileError(f"{path}: cannot read a model ({error})") from error
    if not isinstance(content, dict) or content.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not a Minyi classifier file")
    model = content["model"]
    metadata = content["metadata"]
    if metadata.get("format_version") != FORMAT_VERSION or not isinstance(model, AppealClassifier):
        raise ModelFileError(f"{path}: model format {metadata.get('format_version')} is not {FORMAT_VERSION}")
    written = metadata.get("libraries", {})
    installed = library_versions()
    changed = [name for name in ("scikit-learn", "numpy") if written.get(name) != installed[name]]
    if changed:
        warnings.warn(
            f"{path} was written with {', '.join(f'{n} {written.get(n)}' for n in changed)}; "
            f"installed: {', '.join(f'{n} {installed[n]}' for n in changed)}. Retrain to be safe.",
            LibraryVersionWarning,
            stacklevel=2,
        )
    model.metadata = metadata
    return model


# ---------------------------------------------------------------------------------------------------
# Training from rows


def train(
    rows: Iterable[tuple[str, str, str]],
    *,
    unlabelled: Iterable[tuple[str, str]] = (),
    taxonomy: Iterable[tuple[str, str, str]] = (),
    design: Design = DEFAULT_DESIGN,
    calibrate: bool = True,
) -> AppealClassifier:
    """Train a model from (title, body, label) rows — a CSV today, dispatchers' confirmations tomorrow.

    ``unlabelled`` are (title, body) pairs for self-training and vocabulary; ``taxonomy`` are
    (level1, level2, level3) rows whose names seed their level-1 category."""
    started = time.perf_counter()
    created = datetime.now(UTC)
    labelled = [(title, body, label) for title, body, label in rows if label]
    docs = make_docs((title, body) for title, body, _ in labelled)
    labels = [label for _, _, label in labelled]
    wanted = design.self_training_per_class > 0 or design.vocabulary_from_unlabelled
    pool = make_docs(unlabelled) if wanted and len(docs) <= design.unlabelled_max_labelled else []
    seeds = taxonomy_docs(taxonomy, labels) if design.taxonomy_seeds else []
    model = AppealClassifier(design)
    model.metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created.isoformat(timespec="seconds"),
        "libraries": library_versions(),
    }
    model.fit_docs(docs, labels, unlabelled=pool, seeds=seeds, calibrate=calibrate)
    digest = hashlib.sha256(repr((asdict(design), labelled)).encode()).hexdigest()[:8]
    model.metadata["version"] = f"{created:%Y%m%d-%H%M%S}-{digest}"
    model.metadata["training_seconds"] = round(time.perf_counter() - started, 2)
    return model


def default_model_name(model: AppealClassifier) -> str:
    return f"{MODEL_PREFIX}{model.metadata['version']}{MODEL_SUFFIX}"


__all__ = [
    "DEFAULT_DESIGN",
    "DESIGNS",
    "AppealClassifier",
    "Design",
    "Doc",
    "ModelFileError",
    "Prediction",
    "load",
    "make_doc",
    "make_docs",
    "normalise",
    "tokenize",
    "train",
]
