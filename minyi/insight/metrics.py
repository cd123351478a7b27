"""How well a classifier does: macro-F1, accuracy, accuracy on its most confident half, per-class figures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support


def accuracy_at_half(truth: Sequence[str], predicted: Sequence[str], confidence: Sequence[float]) -> float:
    """Accuracy on the ceil(n/2) rows with the highest confidence (ties keep the input order).

    It answers "if we auto-dispatched the half we are surest of, how often would we be right?"."""
    if not truth:
        return 0.0
    keep = math.ceil(len(truth) / 2)
    # sorted() is stable, so equal confidences keep the order of the input rows.
    order = sorted(range(len(truth)), key=lambda index: -confidence[index])[:keep]
    return sum(truth[index] == predicted[index] for index in order) / keep


def score(truth: Sequence[str], predicted: Sequence[str], confidence: Sequence[float]) -> dict[str, Any]:
    """The evaluate command's figures (without row counts and time), rounded to four places."""
    labels = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    per_class = {
        label: {
            "precision": round(float(precision[i]), 4),
            "recall": round(float(recall[i]), 4),
            "f1": round(float(f1[i]), 4),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    }
    return {
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4
        ),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "accuracy_at_half": round(accuracy_at_half(truth, predicted, confidence), 4),
        "per_class": per_class,
    }
