"""The engine's modules form layers: a module imports only from its own layer or the ones below.

The data model must not import the presentation, the evaluation must not import what renders it,
and so on up to the commands. Read from the source (every import, also those inside a function),
so that an upward import fails here rather than waiting to become a circle.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "cms_law"

#: From the bottom up. A module is placed by its first name under cms_law/ (``loader`` for
#: cms_law/loader/reader.py, ``__init__`` for the package itself).
LAYERS: list[tuple[str, ...]] = [
    ("_vendor", "rules", "examples"),  # third-party code shipped inside; the law's and the examples' folders (data)
    ("errors", "version"),
    ("documents",),  # a user's document (file or HTTP body) read as bounded plain data
    ("language",),  # the formula language: grammar, tree, values
    ("codegen",),  # its trees written as Python
    ("expressions",),  # the language's public face: parse, evaluate
    ("french",),
    ("model",),
    ("loader",),
    ("reforms",),  # the law read otherwise: a rule book changed by a reform, stamped
    ("inputs",),
    ("compiler",),
    ("reasoning", "whynot", "evaluator", "epci", "contract"),
    ("explain",),
    ("__init__", "__main__", "cli", "cli_french", "batch", "compare", "results_diff", "history", "cases", "docs", "sphinxext", "schemas", "serve"),
]
LAYER_OF = {name: index for index, names in enumerate(LAYERS) for name in names}


def _module_name(path: Path) -> str:
    parts = ["cms_law", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _component(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(module: str, path: Path) -> set[str]:
    """The modules of cms_law that ``module`` imports, each import resolved to the module it names."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "cms_law"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            elif (node.module or "").split(".")[0] == "cms_law":
                base = node.module or ""
            else:
                continue
            # « from . import batch » names a module; « from . import __version__ », a package's name.
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def test_every_module_has_a_layer() -> None:
    unplaced = sorted(module for module in MODULES if _component(module) not in LAYER_OF)
    assert not unplaced, f"modules absents de LAYERS : {unplaced}"


def test_no_module_imports_a_higher_layer() -> None:
    upward = [
        f"{module} → {target} ({_component(target)} est au-dessus de {_component(module)})"
        for module, targets in GRAPH.items()
        for target in sorted(targets)
        if LAYER_OF.get(_component(target), -1) > LAYER_OF.get(_component(module), len(LAYERS))
    ]
    assert not upward, "imports vers une couche supérieure :\n" + "\n".join(upward)


def test_no_circle_of_imports() -> None:
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(module: str, path: list[str]) -> None:
        if state.get(module) == 2:
            return
        if state.get(module) == 1:
            circles.append(" → ".join([*path[path.index(module) :], module]))
            return
        state[module] = 1
        for target in sorted(GRAPH[module]):
            visit(target, [*path, module])
        state[module] = 2

    for module in sorted(GRAPH):
        visit(module, [])
    assert not circles, "cercles d'imports :\n" + "\n".join(circles)


def test_the_layers_are_read_from_the_imports() -> None:
    """The reading itself: a few imports the engine is known to make are found."""
    assert "cms_law.model" in GRAPH["cms_law.loader.reader"]
    assert "cms_law.model.views" in GRAPH["cms_law.model.results"]  # « from . import views »
    assert "cms_law.batch" in GRAPH["cms_law.cli"] and "cms_law" in GRAPH["cms_law.cli"]
    assert "cms_law.explain" in GRAPH["cms_law"]


def test_every_subpackage_ships_in_the_wheel() -> None:
    """pyproject.toml lists the packages: one forgotten installs everywhere but from a wheel."""
    import tomllib

    listed = set(tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {
        ".".join(("cms_law", *path.parent.relative_to(PACKAGE).parts))
        for path in PACKAGE.rglob("__init__.py")
        if "_vendor" not in path.parts or path.parent.name in ("_vendor", "durable_rules")
    }
    assert found - listed == set(), f"paquets absents de pyproject.toml : {sorted(found - listed)}"


#: Inside ``cms_law.batch``, from the bottom up: reading the file knows nothing of evaluating a
#: row, a row nothing of the files it ends in, and only the package's ``run`` knows them all.
BATCH_LAYERS: list[tuple[str, ...]] = [("reading",), ("cells",), ("rows",), ("writing",), ("pool", "summary"), ("batch",)]


def test_the_batch_modules_each_import_only_those_below() -> None:
    level = {f"cms_law.batch.{name}" if name != "batch" else "cms_law.batch": index
             for index, names in enumerate(BATCH_LAYERS) for name in names}
    modules = sorted(module for module in MODULES if module.startswith("cms_law.batch"))
    assert modules == sorted(level), "modules de cms_law.batch absents de BATCH_LAYERS"
    upward = [
        f"{module} → {target}"
        for module in modules
        for target in sorted(GRAPH[module])
        if target in level and level[target] >= level[module]
    ]
    assert not upward, "imports vers le haut dans cms_law.batch :\n" + "\n".join(upward)
