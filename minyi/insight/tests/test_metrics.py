"""The figures the evaluate command prints, on hand-made cases."""

from __future__ import annotations

from minyi.insight.metrics import accuracy_at_half, score


def test_accuracy_at_half_counts_the_most_confident_half_rounded_up() -> None:
    truth = ["a", "a", "b", "b", "c"]
    predicted = ["a", "b", "b", "a", "c"]
    confidence = [0.9, 0.95, 0.2, 0.8, 0.1]
    # Surest three (ceil(5/2)): rows 1 (wrong), 0 (right), 3 (wrong).
    assert accuracy_at_half(truth, predicted, confidence) == 1 / 3


def test_accuracy_at_half_breaks_ties_by_row_order() -> None:
    assert accuracy_at_half(["a", "b", "c", "d"], ["a", "x", "c", "d"], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert accuracy_at_half([], [], []) == 0.0


def test_score_gives_macro_f1_and_per_class_figures() -> None:
    figures = score(["a", "a", "b", "b"], ["a", "b", "b", "b"], [1.0, 0.4, 0.9, 0.8])
    assert figures["accuracy"] == 0.75
    assert figures["per_class"]["a"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667, "support": 2}
    assert figures["per_class"]["b"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8, "support": 2}
    assert figures["macro_f1"] == round((2 / 3 + 0.8) / 2, 4)
    assert figures["accuracy_at_half"] == 1.0
