"""The packages are layers: web may import qa and index, qa may import index, index neither."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FORBIDDEN = {"index": {"qa", "web"}, "qa": {"web"}, "web": set()}


def _imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package):
    files = list((REPO / package).rglob("*.py"))
    assert files, f"package {package} has no modules"
    offenders = {
        str(path.relative_to(REPO)): sorted(_imported_packages(path) & FORBIDDEN[package])
        for path in files
        if _imported_packages(path) & FORBIDDEN[package]
    }
    assert not offenders, f"imports against the layering: {offenders}"
