"""Measuring the classifier: train on one labelled set and score another, or cross-validate on one.

No database: the evaluate and cv commands call these with rows read from CSV files."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold, StratifiedKFold

from minyi.insight.classifier import DEFAULT_DESIGN, AppealClassifier, Design, make_docs, taxonomy_docs, train
from minyi.insight.metrics import score


def evaluate(
    train_rows: Sequence[tuple[str, str, str]],
    test_rows: Sequence[tuple[str, str, str]],
    *,
    unlabelled: Sequence[tuple[str, str]] = (),
    taxonomy: Sequence[tuple[str, str, str]] = (),
    design: Design = DEFAULT_DESIGN,
) -> dict[str, Any]:
    """Train exactly as ``manage.py insight train`` would, then score the test rows."""
    started = time.perf_counter()
    model = train(train_rows, unlabelled=unlabelled, taxonomy=taxonomy, design=design)
    predictions = model.predict_many(((title, body) for title, body, _ in test_rows), k=1, why=0)
    figures = score(
        [label for _, _, label in test_rows],
        [prediction.label for prediction in predictions],
        [prediction.confidence for prediction in predictions],
    )
    return {
        **figures,
        "train_rows": len(train_rows),
        "test_rows": len(test_rows),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _fold(
    design: Design,
    docs: Sequence[Any],
    labels: np.ndarray,
    train_index: np.ndarray,
    test_index: np.ndarray,
    *,
    pool: Sequence[Any],
    seeds: Sequence[Any],
) -> dict[str, Any]:
    """One fold: a model of ``design`` fitted on the training rows alone, scored on the held-out rows."""
    model = AppealClassifier(design).fit_docs(
        [docs[i] for i in train_index],
        list(labels[train_index]),
        unlabelled=pool,
        seeds=seeds,
        calibrate=False,
    )
    predictions = model.predict_docs([docs[i] for i in test_index], k=1, why=0)
    return score(
        list(labels[test_index]),
        [prediction.label for prediction in predictions],
        [prediction.confidence for prediction in predictions],
    )


def cross_validate(
    rows: Sequence[tuple[str, str, str]],
    *,
    unlabelled: Sequence[tuple[str, str]] = (),
    taxonomy: Sequence[tuple[str, str, str]] = (),
    design: Design = DEFAULT_DESIGN,
    folds: int = 5,
    repeats: int = 3,
    seed: int = 0,
) -> dict[str, Any]:
    """Repeated stratified k-fold on labelled rows: mean and standard deviation of each figure.

    Every fold fits its own vocabulary on its training rows (+ unlabelled texts and taxonomy names):
    the held-out rows' texts take no part in training. Confidence ranks rows by the SVM margin, which
    the calibrated confidence is a rising function of, so accuracy_at_half is the model's own."""
    started = time.perf_counter()
    labels = np.asarray([label for _, _, label in rows], dtype=object)
    docs = make_docs((title, body) for title, body, _ in rows)
    pool = make_docs(unlabelled) if unlabelled else []
    seeds = taxonomy_docs(taxonomy, set(labels)) if taxonomy else []
    per_fold: dict[str, list[float]] = {"macro_f1": [], "accuracy": [], "accuracy_at_half": []}
    splitter = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    for train_index, test_index in splitter.split(np.zeros(len(labels)), labels):
        figures = _fold(design, docs, labels, train_index, test_index, pool=pool, seeds=seeds)
        for key, values in per_fold.items():
            values.append(figures[key])
    summary: dict[str, Any] = {"design": design.name, "folds": folds, "repeats": repeats, "rows": len(rows)}
    for key, values in per_fold.items():
        summary[key] = {
            "mean": round(statistics.fmean(values), 4),
            "sd": round(statistics.pstdev(values), 4),
            "min": round(min(values), 4),
        }
    summary["unlabelled_rows"] = len(pool)
    summary["taxonomy_rows"] = len(taxonomy)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary


def nested_cross_validate(
    rows: Sequence[tuple[str, str, str]],
    *,
    designs: Sequence[Design],
    unlabelled: Sequence[tuple[str, str]] = (),
    taxonomy: Sequence[tuple[str, str, str]] = (),
    outer_folds: int = 5,
    inner_folds: int = 3,
    repeats: int = 2,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Nested cross-validation: how well the *way of choosing* a design does on messages it never saw.

    Each outer fold's held-out rows take no part in the choice: inside the outer training rows, every
    design of ``designs`` (ordered simplest first) is cross-validated on ``inner_folds`` folds, and the
    simplest design whose mean macro-F1 is within one standard error of the best one's is chosen (a tie
    goes to the simpler design); that design is trained on all the outer training rows and scored on
    the held-out rows. Repeated ``repeats`` times with other splits; the outer figures are reported with
    their spread (sd, min, max over the outer folds), and how often each design was chosen."""
    started = time.perf_counter()
    labels = np.asarray([label for _, _, label in rows], dtype=object)
    docs = make_docs((title, body) for title, body, _ in rows)
    pool = make_docs(unlabelled) if unlabelled else []
    seeds = taxonomy_docs(taxonomy, set(labels)) if taxonomy else []

    def fold(design: Design, train_index: np.ndarray, test_index: np.ndarray) -> dict[str, Any]:
        return _fold(design, docs, labels, train_index, test_index, pool=pool, seeds=seeds)

    outer: dict[str, list[float]] = {"macro_f1": [], "accuracy": [], "accuracy_at_half": []}
    chosen: list[str] = []
    inner_means: dict[str, list[float]] = {design.name: [] for design in designs}
    for repeat in range(repeats):
        splitter = StratifiedKFold(n_splits=outer_folds, shuffle=True, random_state=seed + repeat)
        for train_index, test_index in splitter.split(np.zeros(len(labels)), labels):
            inner = StratifiedKFold(n_splits=inner_folds, shuffle=True, random_state=seed + 1000 + repeat)
            means, errors = [], []
            for design in designs:
                values = [
                    fold(design, train_index[inner_train], train_index[inner_test])["macro_f1"]
                    for inner_train, inner_test in inner.split(
                        np.zeros(len(train_index)), labels[train_index]
                    )
                ]
                means.append(statistics.fmean(values))
                errors.append(statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else 0.0)
                inner_means[design.name].append(means[-1])
            best = max(range(len(designs)), key=lambda k: (means[k], -k))
            pick = next(k for k in range(len(designs)) if means[k] >= means[best] - errors[best])
            chosen.append(designs[pick].name)
            figures = fold(designs[pick], train_index, test_index)
            for key, values in outer.items():
                values.append(figures[key])
            if progress is not None:
                progress(
                    f"outer fold {len(chosen)}/{outer_folds * repeats}: chose {designs[pick].name}, "
                    f"macro-F1 {figures['macro_f1']:.4f}, accuracy {figures['accuracy']:.4f}, "
                    f"on the surest half {figures['accuracy_at_half']:.4f} "
                    f"({time.perf_counter() - started:.0f} s)"
                )
    summary: dict[str, Any] = {
        "benchmark": "insight-nested-cv",
        "rows": len(rows),
        "outer_folds": outer_folds,
        "inner_folds": inner_folds,
        "repeats": repeats,
        "designs": [design.name for design in designs],
    }
    for key, values in outer.items():
        summary[key] = {
            "mean": round(statistics.fmean(values), 4),
            "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
            "min": round(min(values), 4),
            "max": round(max(values), 4),
        }
    summary["chosen"] = {name: chosen.count(name) for name in dict.fromkeys(chosen)}
    summary["inner_macro_f1"] = {
        name: round(statistics.fmean(values), 4) for name, values in inner_means.items() if values
    }
    summary["unlabelled_rows"] = len(pool)
    summary["taxonomy_rows"] = len(taxonomy)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    return summary
