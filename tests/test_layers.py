"""The package's layers import only downward: a test over the import graph of src/innkit.

Every ``import`` and ``from ... import`` of an innkit module counts, at module level or inside a
function, and under ``if TYPE_CHECKING`` too (a type-only import is still a dependency that a
reader must follow). A module that is not given a layer below fails the test, so a new file has
to be placed in the map, which docs/architecture.md explains.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "innkit"

# Lowest first; a module may import its own layer and the layers below. Each folder is a layer.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("errors", "vocab", "version", "caching", "models", "workers")),
    ("files", ("files", "files.*")),
    ("rules", ("rules", "rules.*")),
    ("registry", ("registry", "registry.*")),
    ("decoder", ("decoder", "decoder.*")),
    ("annotator", ("annotator", "annotator.*")),
    ("checker", ("checker", "checker.*")),  # beside screening and naming: above the annotator
    ("screening", ("screening", "screening.*")),
    ("naming", ("naming", "naming.*")),
    ("render", ("render", "corpus_formats")),
    ("facade", ("",)),  # the package itself: innkit/__init__.py, the public names
    ("surfaces", ("web", "web.*", "integrations", "integrations.*")),
    ("command line", ("cli", "cli.*")),  # it launches the other surfaces (serve, --engine)
)

ALLOWED_UPWARD: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The innkit modules ``name`` imports (relative names resolved; ``from . import x`` is
    module ``x`` when x is a module)."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    package = [p for p in package if p]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
                module = "innkit" + ("." + module if module else "")
            else:
                module = node.module or ""
            for alias in node.names:
                sub = f"{module}.{alias.name}"
                targets.append(sub if sub.removeprefix("innkit.") in known else module)
        for target in targets:
            if target == "innkit" or target.startswith("innkit."):
                short = target.removeprefix("innkit").removeprefix(".")
                if short in known and short != name:
                    found.add(short)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def _layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None  # (specificity, layer): the most specific pattern wins
    for index, (_, patterns) in enumerate(LAYERS):
        for pattern in patterns:
            if pattern.endswith(".*"):
                hit = module.startswith(pattern[:-1])
                weight = len(pattern) - 2
            else:
                hit = module == pattern
                weight = len(pattern) + 1
            if hit and (best is None or weight > best[0]):
                best = (weight, index)
    return None if best is None else best[1]


def _surface(module: str) -> str | None:
    top = module.split(".")[0]
    return top if top in ("cli", "web", "integrations") else None


GRAPH = import_graph()


def test_every_module_has_a_layer():
    missing = sorted(m or "innkit/__init__" for m in GRAPH if _layer_of(m) is None)
    assert not missing, (f"modules without a layer: {missing}; add each to LAYERS in "
                         "tests/test_layers.py (docs/architecture.md says which)")


def test_layers_import_only_downward():
    upward = []
    for module, imports in sorted(GRAPH.items()):
        for target in sorted(imports):
            low, high = _layer_of(module), _layer_of(target)
            if low is None or high is None or high <= low:
                continue
            if (module, target) not in ALLOWED_UPWARD:
                upward.append(f"{module or 'innkit'} ({LAYERS[low][0]}) imports {target} "
                              f"({LAYERS[high][0]})")
    assert not upward, "upward imports:\n" + "\n".join(upward)


def test_surfaces_import_no_other_surface_but_the_command_line_does():
    crossing = [f"{m} imports {t}" for m, imports in sorted(GRAPH.items()) for t in imports
                if _surface(m) not in (None, "cli") and _surface(t) not in (None, _surface(m))]
    assert not crossing, "a surface imports another:\n" + "\n".join(crossing)


def test_allowed_upward_imports_still_exist():
    """An allowance that is no longer needed is removed, so the list shows what is left."""
    stale = [pair for pair in ALLOWED_UPWARD if pair[1] not in GRAPH.get(pair[0], set())]
    assert not stale, f"remove these from ALLOWED_UPWARD, they are fixed: {stale}"


def test_the_graph_sees_imports():
    """The parser resolves relative imports (a broken parser would pass every test above)."""
    assert "rules.tables" in GRAPH["decoder.decode"] and "errors" in GRAPH["rules.tables"]
    assert "rules.manifest" in GRAPH["screening.similarity"]  # imported inside a function
    assert "web.app" in GRAPH["cli.serve"]


@pytest.mark.parametrize(("module", "layer"), [("models", "base"), ("decoder.decode", "decoder"),
                                               ("annotator.core", "annotator"),
                                               ("render", "render")])
def test_the_layer_map_places_known_modules(module, layer):
    assert LAYERS[_layer_of(module)][0] == layer


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan), each an import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_between_modules():
    assert not _cycles(GRAPH)


def test_no_import_cycles_between_folders():
    """Folders (and top-level modules) as nodes: registry and names no longer import each
    other across folders, nor does any other pair."""
    folders: dict[str, set[str]] = {}
    for module, imports in GRAPH.items():
        top = module.split(".")[0]
        folders.setdefault(top, set()).update(t.split(".")[0] for t in imports)
    for top, targets in folders.items():
        targets.discard(top)
    assert not _cycles(folders)


def test_render_never_decodes():
    """Rendering is given results; it never calls the decoder, the annotator or the registry."""
    below = {t.split(".")[0] for t in GRAPH["render"]}
    assert not below & {"decoder", "annotator", "registry", "screening", "naming"}
