"""The demo's category-suggestion model: trained, like any deployment's, from the labels its dispatchers
left when they dispatched the demo appeals (minyi.demo.appeals dispatches them through the rules)."""

from __future__ import annotations

from minyi.insight import registry
from minyi.insight.models import ClassifierVersion, Label


def seed() -> ClassifierVersion | None:
    """Train the first model when there is none yet and the labels cover two categories or more."""
    if ClassifierVersion.objects.exists():
        return None
    if Label.objects.values("label").distinct().count() < 2:
        return None
    return registry.train(sources=registry.DEMO_SOURCES)
