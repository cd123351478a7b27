"""Nested cross-validation of the choice among designs (``manage.py insight nested``): its figures are
measured by the command on the real sample, not here; this checks the rule it chooses by."""

from __future__ import annotations

from dataclasses import replace

from minyi.insight.classifier import DESIGNS
from minyi.insight.evaluation import nested_cross_validate
from minyi.insight.tests.corpus_tiny import TINY


def test_designs_that_tie_go_to_the_simpler_and_every_outer_fold_is_reported() -> None:
    simple = DESIGNS["tfidf-svm"]
    # The same model under a second name, listed after it: it can never do better, so never be chosen.
    same = replace(simple, name="tfidf-svm-again")
    notes: list[str] = []
    result = nested_cross_validate(
        TINY, designs=[simple, same], outer_folds=2, inner_folds=2, repeats=2, progress=notes.append
    )
    assert result["chosen"] == {"tfidf-svm": 4}
    assert result["inner_macro_f1"]["tfidf-svm"] == result["inner_macro_f1"]["tfidf-svm-again"]
    assert len(notes) == 4 and result["rows"] == len(TINY)
    for key in ("macro_f1", "accuracy", "accuracy_at_half"):
        figures = result[key]
        assert 0 <= figures["min"] <= figures["mean"] <= figures["max"] <= 1 and figures["sd"] >= 0
