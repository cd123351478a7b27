"""The demo stays apart: production code never imports it (a deployment may leave the app out)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # minyi/


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_production_module_imports_the_demo() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "demo" or "tests" in relative.parts or relative.name == "conftest.py":
            continue
        if any(name == "minyi.demo" or name.startswith("minyi.demo.") for name in _imports(path)):
            offenders.append(str(relative))
    assert offenders == []
