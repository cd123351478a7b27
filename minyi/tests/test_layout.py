"""The shape of the code, read from the source files: an app reaches another app through what that app
exposes (its rules, queries, access checks, models), never through its views. A list query that a page
and an export share lives in the app's queries.py, a predicate in its access.py."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission

ROOT = Path(__file__).resolve().parent.parent  # the minyi package
APPS = sorted(path.name for path in ROOT.iterdir() if (path / "apps.py").is_file())


def _imported(source: str, module: str) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every module ``source`` imports (``module`` is its own dotted name, to
    resolve relative imports); ``from a import b`` gives both ``a`` and ``a.b``, as b may be a module."""
    package = module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], *filter(None, [base])])
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _views_of_other_apps(source: str, module: str) -> list[str]:
    """The imports of another app's views (``views``, ``views_*`` or a ``views`` package) in ``source``."""
    own = module.split(".")[1]
    found: dict[str, None] = {}  # in order, each once (``from a.views import b`` names a.views twice)
    for line, name in _imported(source, module):
        parts = name.split(".")
        if (
            len(parts) >= 3
            and parts[0] == "minyi"
            and parts[1] in APPS
            and parts[1] != own
            and (parts[2] == "views" or parts[2].startswith("views_"))
        ):
            found[f"{module}:{line} imports {'.'.join(parts[:3])}"] = None
    return list(found)


def _app_modules() -> Iterator[tuple[str, str]]:
    """(dotted name, source) of every module of every app, its tests left out."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT.parent).with_suffix("")
            if "tests" in relative.parts or "migrations" in relative.parts:
                continue
            yield ".".join(relative.parts), path.read_text(encoding="utf-8")


def test_no_app_imports_another_apps_views() -> None:
    found = [hit for module, source in _app_modules() for hit in _views_of_other_apps(source, module)]
    assert found == []


def test_the_check_sees_every_way_of_naming_another_apps_views() -> None:
    source = "\n".join(
        [
            "from minyi.org.views import people",
            "from minyi.org import views",
            "import minyi.insight.views_hotspots",
            "from ...appeals.views.staff import appeal_list",
            "from minyi.ledger.views_item import detail",  # its own views: allowed
            "from minyi.org.queries import people_matching",  # another app's queries: allowed
        ]
    )
    assert _views_of_other_apps(source, "minyi.ledger.exports.sub") == [
        "minyi.ledger.exports.sub:1 imports minyi.org.views",
        "minyi.ledger.exports.sub:2 imports minyi.org.views",
        "minyi.ledger.exports.sub:3 imports minyi.insight.views_hotspots",
        "minyi.ledger.exports.sub:4 imports minyi.appeals.views",
    ]


def test_exports_are_found_not_imported() -> None:
    """Each app's exports.py registers its exports with the framework (minyi.reports.exports) when
    ReportsConfig.ready finds it; no module imports one, so the framework and they form no circle."""
    framework = "minyi.reports.exports"
    found = {f"minyi.{app}.exports" for app in APPS} | {"minyi.reports.dashboard_exports"}
    imports = [
        f"{module}:{line} imports {name}"
        for module, source in _app_modules()
        for line, name in _imported(source, module)
        if name in found and name != framework
    ]
    assert imports == []


# --- permissions are named, not typed -----------------------------------------------------------------


def _string_constants(source: str) -> Iterator[tuple[int, str]]:
    """(line, value) of every string constant in ``source``, the bodies of enum classes left out (an
    app declares its permissions once, in its access module's ``…Perm`` enum)."""
    tree = ast.parse(source)
    declared = {
        id(node)
        for cls in ast.walk(tree)
        if isinstance(cls, ast.ClassDef) and any(getattr(b, "id", "") == "StrEnum" for b in cls.bases)
        for node in ast.walk(cls)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in declared:
            yield node.lineno, node.value


@pytest.mark.django_db
def test_permission_names_are_not_typed_as_strings() -> None:
    """Code names a permission through its app's enum (e.g. AppealPerm.DISPATCH), so that a typo fails
    at import time instead of refusing everyone quietly; tests, migrations and templates aside."""
    names = {
        f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")
    }
    typed = [
        f"{module}:{line} {value}"
        for module, source in [*_app_modules(), *_project_modules()]
        for line, value in _string_constants(source)
        if value in names
    ]
    assert typed == []


def _project_modules() -> Iterator[tuple[str, str]]:
    """(dotted name, source) of the project's own modules beside the apps (settings, roles, sheets …)."""
    for path in sorted(ROOT.glob("*.py")):
        yield f"minyi.{path.stem}", path.read_text(encoding="utf-8")
