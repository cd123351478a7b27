"""The model improves with use (issue 5, "Done when"): trained on a few labels, it is measured on held-out
real messages; dispatchers then dispatch more appeals (each dispatch leaves a label), the model is retrained
from the labels, and its accuracy on the same held-out messages rises."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from minyi.appeals import rules as appeal_rules
from minyi.appeals.choices import Channel, Kind
from minyi.appeals.models import Category
from minyi.insight import corpus, registry
from minyi.insight.models import Label
from minyi.testing import Actors

pytestmark = pytest.mark.django_db

FEW_PER_CATEGORY = 4


def _accuracy(version: Any, rows: list[tuple[str, str, str]]) -> float:
    loaded = registry.active()
    assert loaded is not None and loaded[0] == version
    predictions = loaded[1].predict_many(((title, body) for title, body, _ in rows), k=1, why=0)
    return sum(p.label == label for p, (_, _, label) in zip(predictions, rows, strict=True)) / len(rows)


def test_confirmed_labels_raise_the_accuracy_on_held_out_messages(
    actors: Actors, shared_data: Path, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    rows = corpus.read_labelled(shared_data / "appeals" / "labelled-sample.csv")
    held_out = rows[::3]
    pool = [row for index, row in enumerate(rows) if index % 3]
    by_label: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in pool:
        by_label[row[2]].append(row)
    few = [row for group in by_label.values() for row in group[:FEW_PER_CATEGORY]]
    later = [row for group in by_label.values() for row in group[FEW_PER_CATEGORY:]]
    categories = {
        name: Category.objects.create(code=f"L1-{n}", name=name, default_unit=actors.office)
        for n, name in enumerate(sorted(by_label))
    }

    first = registry.train(csv_rows=few, use_labels=False, taxonomy=[], sources="few")
    before = _accuracy(first, held_out)

    for title, body, label in later:
        appeal = appeal_rules.submit(
            channel=Channel.MAILBOX, kind=Kind.CONSULTATION, title=title[:100], body=body[:3000]
        ).appeal
        appeal_rules.dispatch(appeal, lead=actors.office, actor=actors.dispatcher, category=categories[label])
    assert Label.objects.count() == len(later)

    second = registry.train(csv_rows=few, taxonomy=[], sources="few")
    after = _accuracy(second, held_out)
    print(f"held-out accuracy: {before:.3f} with {len(few)} labels, {after:.3f} with {len(few) + len(later)}")
    assert second.training_rows == len(few) + len(later)
    assert after >= before + 0.05
