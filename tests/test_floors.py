"""The apps' floor order (README "Architecture"): accounts < health < surveys < metrics. A module imports its own
app and the apps below it, at module level, where a reader sees the arrows; never an app above it, and never
another app from inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = ("accounts", "health", "surveys", "metrics")
MODULES = sorted(path for app in FLOORS for path in (ROOT / app).rglob("*.py"))


def imported_apps(tree: ast.Module) -> list[tuple[str, int, bool]]:
    """(app, line, at module level) of every import of one of Keel's apps."""
    found = []
    top = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(name.split(".")[0], node.lineno, id(node) in top) for name in names]
    return [entry for entry in found if entry[0] in FLOORS]


@pytest.mark.parametrize("path", MODULES, ids=[str(path.relative_to(ROOT)) for path in MODULES])
def test_a_module_imports_only_its_floor_and_below_at_module_level(path: Path) -> None:
    app = path.relative_to(ROOT).parts[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for imported, line, at_module_level in imported_apps(tree):
        if imported == app:
            continue
        assert FLOORS.index(imported) < FLOORS.index(app), f"line {line}: {app} imports {imported}, above it"
        assert at_module_level, f"line {line}: {app} imports {imported} inside a function"


def test_the_check_sees_both_kinds_of_arrow() -> None:
    tree = ast.parse(
        "from metrics.models import A\nimport health\n\ndef f():\n    from accounts import models\n"
    )
    assert imported_apps(tree) == [("metrics", 1, True), ("health", 2, True), ("accounts", 5, False)]
