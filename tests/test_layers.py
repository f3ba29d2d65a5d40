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

# Lowest first; a module may import its own layer and the layers below.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("errors", "vocab", "version", "caching", "affixes", "normalize", "atomic",
              "textfiles", "english")),
    ("models", ("models",)),
    ("rules and names", ("tables", "manifest", "datalint", "classes", "confusables", "contexts",
                         "abbreviations", "phonetic", "names",
                         "registry", "registry.*")),
    ("decode", ("decode", "antibody", "general", "modifiers", "stems",
                # The registry's consistency checks compare an entry with a reading, so they
                # sit above the decoder's antibody scheme that they call.
                "registry.checks")),
    ("verbs", ("annotate", "parallel", "scanner", "similarity", "naming", "audit")),
    ("render and io", ("explain", "formats", "namelists", "reading")),
    ("api", ("",)),  # the package itself: innkit/__init__.py, the public names
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
    assert "tables" in GRAPH["decode"] and "errors" in GRAPH["tables"]
    assert "manifest" in GRAPH["similarity"]  # ``from . import manifest`` inside a function
    assert "web.app" in GRAPH["cli.serve"]


@pytest.mark.parametrize("module", ["models", "decode", "annotate"])
def test_the_layer_map_places_known_modules(module):
    assert _layer_of(module) == {"models": 1, "decode": 3, "annotate": 4}[module]
