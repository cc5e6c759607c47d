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



def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _project_imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The project modules a file imports, at the top or inside functions; `from package import
    name` counts as importing the submodule `name` when there is one."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                       for alias in node.names]
        else:
            continue
        found |= {t for t in targets if t in modules and t != name}
    return found


def import_graph(root: Path, packages) -> dict[str, set[str]]:
    """Each module of the packages under root, with the modules of those packages it imports."""
    files = {_module_name(path, root): path for package in packages for path in (root / package).rglob("*.py")}
    return {name: _project_imports(path, name, set(files)) for name, path in files.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The modules of each import cycle: every strongly connected component of more than one (Tarjan)."""
    order, low, stack, on_stack, components = {}, {}, [], set(), []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in order:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], order[target])
        if low[node] == order[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return components


def test_no_module_imports_itself_through_others():
    cycles = import_cycles(import_graph(REPO, sorted(FORBIDDEN)))
    assert not cycles, f"import cycles: {cycles}"


def test_the_cycle_check_finds_a_cycle_through_an_import_inside_a_function(tmp_path):
    app = tmp_path / "app"
    (app / "bench").mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "cli.py").write_text("def bench():\n    from .bench import runner\n")
    (app / "bench" / "__init__.py").write_text("")
    (app / "bench" / "runner.py").write_text("from . import scale\n")
    (app / "bench" / "scale.py").write_text("def real():\n    from app.cli import evaluation_index\n")
    (app / "types.py").write_text("import app.bench.scale\n")

    graph = import_graph(tmp_path, ["app"])
    assert graph["app.cli"] == {"app.bench.runner"}
    assert import_cycles(graph) == [["app.bench.runner", "app.bench.scale", "app.cli"]]
    (app / "bench" / "scale.py").write_text("def real():\n    from app.types import Chunk\n")
    assert import_cycles(import_graph(tmp_path, ["app"])) == [["app.bench.scale", "app.types"]]
