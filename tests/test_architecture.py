"""The shape of the package: imports point inward (DESIGN §7) and ``__all__`` tells the truth.

Imports are read from the source with ``ast``, not observed at run time, so an import hidden in a
function or behind ``TYPE_CHECKING`` counts as much as one at the top. The layers, inside out:

- the root of the error tree, ``timebank.errors``, imports only the standard library;
- the pure cores: ``timebank.ledger`` (imports only the standard library, the error tree's root and
  itself: no SQLAlchemy, FastAPI or pydantic, not even settings), ``timebank.benefits`` (the same and
  the ledger) and ``timebank.reports`` (the same, numpy, scipy and networkx); no core imports
  storage, a use case or an edge, and neither the ledger nor storage imports the benefits core;
- ``timebank.rendering`` draws what the use cases return (HTML, PDF, CSV, text, charts): it imports
  the cores and its drawing libraries, never storage, a use case or an edge;
- ``timebank.db`` implements storage for the use cases: it may import the cores (the report's input
  types included, which it shapes its reads into), never a use case, rendering or an edge;
- the use cases, grouped by concept (``USE_CASES``): they never import an edge;
- the edges: ``timebank.api`` (JSON) and ``timebank.web`` (pages), and the command line. Nothing
  outside an edge imports it (naming it in a string, as the CLI does for uvicorn, is not an import),
  but the composition root ``timebank.app``, which puts the two edges on one app.

Every folder and top-level module of the package is named below, so that a new one must be given
its place, and every folder is named in ``pyproject.toml``, so that the wheel ships it. STYLE.md
item 10: every module that defines ``__all__`` has each listed name, and every package says what it
exports. Helper functions that read imports are tested on small sources of their own, so a broken
reader cannot make the rules pass by finding nothing.
"""

from __future__ import annotations

import ast
import importlib
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

import timebank

PACKAGE_ROOT = Path(timebank.__file__).parent


@dataclass(frozen=True)
class Module:
    name: str
    path: Path
    is_package: bool


def discover_modules() -> list[Module]:
    modules = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        relative = path.relative_to(PACKAGE_ROOT.parent).with_suffix("")
        parts = list(relative.parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules.append(Module(".".join(parts), path, is_package))
    return modules


def _from_module(node: ast.ImportFrom, module_name: str, is_package: bool) -> str:
    """The absolute name of the module a ``from ... import`` statement reads from."""
    if not node.level:
        return node.module or ""
    parts = module_name.split(".") if is_package else module_name.split(".")[:-1]
    base = ".".join(parts[: len(parts) - (node.level - 1)])
    return f"{base}.{node.module}" if node.module else base


def named_modules(source: str, module_name: str, is_package: bool) -> set[str]:
    """The modules that import statements anywhere in ``source`` name, as absolute names."""
    named: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            named.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            named.add(_from_module(node, module_name, is_package))
    return named


def imported_modules(source: str, module_name: str, is_package: bool) -> set[str]:
    """Every module an import statement in ``source`` may load.

    ``from a import b`` yields both ``a`` and ``a.b``, since ``b`` may be a submodule.
    """
    found = named_modules(source, module_name, is_package)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            module = _from_module(node, module_name, is_package)
            found.update(f"{module}.{alias.name}" for alias in node.names if alias.name != "*")
    return found


def is_within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


MODULES = discover_modules()
SOURCES = {module.name: module.path.read_text(encoding="utf-8") for module in MODULES}


def imports_of(module: Module) -> set[str]:
    return imported_modules(SOURCES[module.name], module.name, module.is_package)


def modules_within(package: str) -> list[Module]:
    return [module for module in MODULES if is_within(module.name, package)]


# --- the reader itself --------------------------------------------------------------------------


def test_the_reader_finds_imports_at_top_level_in_functions_and_under_type_checking() -> None:
    source = (
        "import os, sqlalchemy.orm as orm\n"
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from fastapi import FastAPI\n"
        "def f():\n"
        "    import pydantic\n"
    )

    found = imported_modules(source, "timebank.ledger.rules", is_package=False)

    assert {"os", "sqlalchemy.orm", "typing", "fastapi", "pydantic"} <= found


def test_the_reader_resolves_relative_imports_from_modules_and_packages() -> None:
    assert imported_modules("from . import types", "timebank.ledger.rules", False) == {
        "timebank.ledger",
        "timebank.ledger.types",
    }
    assert "timebank.db.tables" in imported_modules("from ..db import tables", "timebank.ledger.rules", False)
    assert "timebank.ledger.errors" in imported_modules("from .errors import X", "timebank.ledger", True)
    assert "timebank.api" in imported_modules("from .. import api", "timebank.db.engine", False)


def test_the_reader_sees_a_package_imported_by_name_from_its_parent() -> None:
    found = imported_modules("from timebank import api", "timebank.db.engine", is_package=False)

    assert "timebank.api" in found


def test_the_reader_ignores_module_names_in_strings() -> None:
    source = 'import uvicorn\nuvicorn.run("timebank.api.app:create_app")\n'

    assert imported_modules(source, "timebank.cli", is_package=False) == {"uvicorn"}


CORES = ("timebank.ledger", "timebank.benefits", "timebank.reports")
USE_CASES = (
    "timebank.accounts",
    "timebank.exchanges",
    "timebank.people",
    "timebank.involvement",
    "timebank.spending",
    "timebank.offers",
    "timebank.imports",
    "timebank.exports",
    "timebank.reporting",
    "timebank.notifications",
    "timebank.demo",
)
EDGES = ("timebank.api", "timebank.web", "timebank.cli")
# The composition root: the one module that knows both edges, to serve them as one app.
COMPOSITION_ROOT = "timebank.app"
# Small shared modules the use cases build on: the error tree's root, the typed fields of requests,
# a clock, paging, bounds on slow work, the settings, the views' base. No use case, no edge.
SHARED = (
    "timebank.errors",
    "timebank.fields",
    "timebank.clock",
    "timebank.paging",
    "timebank.busy",
    "timebank.settings",
    "timebank.views",
)
LAYERS = (*CORES, "timebank.rendering", "timebank.db", *USE_CASES, *EDGES, *SHARED, COMPOSITION_ROOT)


def _within_any(name: str, packages: tuple[str, ...]) -> bool:
    return any(is_within(name, package) for package in packages)


def test_every_layer_is_found_on_disk() -> None:
    names = {module.name for module in MODULES}

    assert {"timebank.ledger.rules", "timebank.db.tables", "timebank.exchanges", "timebank.api"} <= names
    for layer in ("timebank.ledger", "timebank.db", *USE_CASES, "timebank.api", "timebank.rendering"):
        assert modules_within(layer), layer


def test_every_module_of_the_package_belongs_to_a_layer() -> None:
    homeless = [m.name for m in MODULES if m.name != "timebank" and not _within_any(m.name, LAYERS)]

    assert homeless == []


# --- the import direction -----------------------------------------------------------------------


def is_standard_library(name: str) -> bool:
    return name.partition(".")[0] in sys.stdlib_module_names


@pytest.mark.parametrize("module", modules_within("timebank.ledger"), ids=lambda m: m.name)
def test_the_ledger_imports_only_the_standard_library_and_itself(module: Module) -> None:
    source = SOURCES[module.name]
    named = named_modules(source, module.name, module.is_package)
    allowed = ("timebank.ledger", "timebank.errors")
    outside = {name for name in named if not is_standard_library(name) and not _within_any(name, allowed)}

    assert outside == set()


def test_the_ledger_rule_would_catch_a_framework_import() -> None:
    named = named_modules("from sqlalchemy import select\nfrom timebank import settings\n", "x.y", False)

    assert {name for name in named if not is_standard_library(name)} == {"sqlalchemy", "timebank"}


@pytest.mark.parametrize("module", modules_within("timebank.db"), ids=lambda m: m.name)
def test_storage_imports_no_use_case_no_rendering_and_no_edge(module: Module) -> None:
    forbidden = (*USE_CASES, "timebank.rendering", *EDGES)
    wrong = {name for name in imports_of(module) if _within_any(name, forbidden)}

    assert wrong == set()


@pytest.mark.parametrize(
    "module",
    [m for package in (*USE_CASES, *SHARED) for m in modules_within(package)],
    ids=lambda m: m.name,
)
def test_the_use_cases_and_what_they_share_import_no_edge(module: Module) -> None:
    assert {name for name in imports_of(module) if _within_any(name, EDGES)} == set()


@pytest.mark.parametrize(
    "module", [m for package in SHARED for m in modules_within(package)], ids=lambda m: m.name
)
def test_what_the_use_cases_share_imports_no_use_case(module: Module) -> None:
    assert {name for name in imports_of(module) if _within_any(name, USE_CASES)} == set()


@pytest.mark.parametrize(
    "module",
    [module for module in MODULES if not _within_any(module.name, ("timebank.api", COMPOSITION_ROOT))],
    ids=lambda m: m.name,
)
def test_nothing_outside_the_api_imports_it(module: Module) -> None:
    assert {name for name in imports_of(module) if is_within(name, "timebank.api")} == set()


@pytest.mark.parametrize(
    "module",
    [module for module in MODULES if not _within_any(module.name, ("timebank.web", COMPOSITION_ROOT))],
    ids=lambda m: m.name,
)
def test_nothing_outside_the_pages_imports_them(module: Module) -> None:
    assert {name for name in imports_of(module) if is_within(name, "timebank.web")} == set()


def test_the_root_of_the_error_tree_imports_only_the_standard_library() -> None:
    (module,) = [m for m in MODULES if m.name == "timebank.errors"]
    named = named_modules(SOURCES[module.name], module.name, module.is_package)

    assert {name for name in named if not is_standard_library(name)} == set()


# --- rendering ------------------------------------------------------------------------------------

RENDERING_MAY_IMPORT = (*CORES, "timebank.errors", "timebank.rendering", "matplotlib", "fpdf", "numpy")


@pytest.mark.parametrize("module", modules_within("timebank.rendering"), ids=lambda m: m.name)
def test_rendering_imports_only_the_cores_and_its_drawing_libraries(module: Module) -> None:
    named = named_modules(SOURCES[module.name], module.name, module.is_package)
    outside = {n for n in named if not is_standard_library(n) and not _within_any(n, RENDERING_MAY_IMPORT)}

    assert outside == set()


# --- the reports engine ------------------------------------------------------------------------

# scipy's compiled sparse-graph routines (on numpy arrays) find the strongly connected components.
# The charts are drawn in timebank.rendering, so the engine never loads matplotlib.
REPORTS_MAY_IMPORT = ("timebank.reports", "timebank.ledger", "timebank.errors", "networkx", "scipy", "numpy")


def outside_what_reports_may_import(names: set[str]) -> set[str]:
    return {
        name
        for name in names
        if not is_standard_library(name)
        and not any(is_within(name, allowed) for allowed in REPORTS_MAY_IMPORT)
    }


def test_the_reports_engine_is_found_on_disk() -> None:
    names = {module.name for module in modules_within("timebank.reports")}

    assert {"timebank.reports", "timebank.reports.inputs", "timebank.reports.report"} <= names


@pytest.mark.parametrize("module", modules_within("timebank.reports"), ids=lambda m: m.name)
def test_the_reports_import_only_the_standard_library_networkx_the_ledger_and_themselves(
    module: Module,
) -> None:
    named = named_modules(SOURCES[module.name], module.name, module.is_package)

    assert outside_what_reports_may_import(named) == set()


def test_the_reports_rule_would_catch_storage_use_case_and_framework_imports() -> None:
    source = (
        "import networkx as nx\n"
        "from timebank.ledger import types\n"
        "from timebank.reports.inputs import ReportInputs\n"
        "from sqlalchemy import select\n"
        "from timebank.db import tables\n"
        "from timebank import exchanges\n"
        "import fastapi\n"
        "import matplotlib\n"
    )
    named = named_modules(source, "timebank.reports.report", is_package=False)

    assert outside_what_reports_may_import(named) == {
        "sqlalchemy",
        "timebank.db",
        "timebank",
        "fastapi",
        "matplotlib",
    }


@pytest.mark.parametrize("module", modules_within("timebank.ledger"), ids=lambda m: m.name)
def test_the_ledger_does_not_import_the_reports(module: Module) -> None:
    # Storage may: it shapes its reads into the engine's input types (db/repositories/report_inputs.py).
    assert {name for name in imports_of(module) if is_within(name, "timebank.reports")} == set()


# --- the benefits core ---------------------------------------------------------------------------

BENEFITS_MAY_IMPORT = ("timebank.benefits", "timebank.ledger", "timebank.errors")


def outside_what_benefits_may_import(names: set[str]) -> set[str]:
    return {
        name
        for name in names
        if not is_standard_library(name)
        and not any(is_within(name, allowed) for allowed in BENEFITS_MAY_IMPORT)
    }


def test_the_benefits_core_is_found_on_disk() -> None:
    names = {module.name for module in modules_within("timebank.benefits")}

    assert {"timebank.benefits", "timebank.benefits.limits", "timebank.benefits.guards"} <= names


@pytest.mark.parametrize("module", modules_within("timebank.benefits"), ids=lambda m: m.name)
def test_the_benefits_core_imports_only_the_standard_library_the_ledger_and_itself(module: Module) -> None:
    named = named_modules(SOURCES[module.name], module.name, module.is_package)

    assert outside_what_benefits_may_import(named) == set()


def test_the_benefits_rule_would_catch_storage_reports_and_framework_imports() -> None:
    source = (
        "from datetime import date\n"
        "from timebank.ledger.types import TransferIntent\n"
        "from timebank.benefits.money import Expense\n"
        "from timebank.reports import windows\n"
        "from timebank.db import tables\n"
        "import pydantic\n"
        "import networkx\n"
    )
    named = named_modules(source, "timebank.benefits.guards", is_package=False)

    assert outside_what_benefits_may_import(named) == {
        "timebank.reports",
        "timebank.db",
        "pydantic",
        "networkx",
    }


@pytest.mark.parametrize(
    "module",
    modules_within("timebank.ledger") + modules_within("timebank.db") + modules_within("timebank.reports"),
    ids=lambda m: m.name,
)
def test_the_ledger_storage_and_reports_do_not_import_the_benefits_core(module: Module) -> None:
    assert {name for name in imports_of(module) if is_within(name, "timebank.benefits")} == set()


# --- __all__ tells the truth --------------------------------------------------------------------


def declared_all(source: str) -> list[str] | None:
    """The literal ``__all__`` assigned at a module's top level, or None when there is none."""
    for node in ast.parse(source).body:
        targets: list[ast.expr] = []
        value_node: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets, value_node = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value_node = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name) and target.id == "__all__" and value_node is not None:
                value = ast.literal_eval(value_node)
                assert isinstance(value, list | tuple)
                return list(value)
    return None


MODULES_WITH_ALL = [module for module in MODULES if declared_all(SOURCES[module.name]) is not None]


def test_the_all_reader_finds_plain_and_annotated_declarations() -> None:
    assert declared_all('__all__ = ["a", "b"]\n') == ["a", "b"]
    assert declared_all("__all__: list[str] = []\n") == []
    assert declared_all("def f():\n    __all__ = ['x']\n") is None


@pytest.mark.parametrize("module", MODULES_WITH_ALL, ids=lambda m: m.name)
def test_every_name_in_all_exists_after_import(module: Module) -> None:
    imported = importlib.import_module(module.name)
    names = imported.__all__

    assert len(names) == len(set(names))
    missing = [name for name in names if not hasattr(imported, name)]
    assert missing == []
    # The literal we read is the list the module really exports.
    assert list(names) == declared_all(SOURCES[module.name])


@pytest.mark.parametrize(
    "module",
    [m for m in MODULES if m.is_package],
    ids=lambda m: m.name,
)
def test_every_package_says_what_it_exports(module: Module) -> None:
    assert declared_all(SOURCES[module.name]) is not None


@pytest.mark.parametrize(
    "module",
    [m for m in MODULES_WITH_ALL if m.is_package],
    ids=lambda m: m.name,
)
def test_every_name_a_package_imports_from_below_it_is_exported(module: Module) -> None:
    # A package __init__ imports to re-export; an import it does not list is a hidden surface.
    tree = ast.parse(SOURCES[module.name])
    imported_names = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module != "__future__"
        for alias in node.names
    }

    assert imported_names <= set(declared_all(SOURCES[module.name]) or [])


# --- what the wheel ships -----------------------------------------------------------------------

# pyproject.toml names the packages one by one, because it also maps the root alembic/ folder
# (the migrations) into the package; a folder left off that list would be missing from the wheel.
MIGRATIONS_IN_THE_WHEEL = {"timebank._alembic": "alembic"}
MIGRATION_PACKAGES = {"timebank._alembic", "timebank._alembic.versions"}


def test_pyproject_ships_every_package_folder_and_the_migrations() -> None:
    pyproject = tomllib.loads((PACKAGE_ROOT.parent / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = pyproject["tool"]["setuptools"]
    packages_on_disk = {module.name for module in MODULES if module.is_package}

    assert setuptools["package-dir"] == MIGRATIONS_IN_THE_WHEEL
    assert set(setuptools["packages"]) == packages_on_disk | MIGRATION_PACKAGES
    assert len(setuptools["packages"]) == len(set(setuptools["packages"]))


_IMPORT_EACH_FIRST = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "timebank" or m.startswith("timebank.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=0).strip())
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def test_every_module_imports_when_it_is_the_first_one_imported() -> None:
    """An import cycle shows only when a module of the cycle is the first imported: the tests import
    ``timebank`` in one order, ``timebank deliver`` imported ``timebank.notifications`` first and
    could not start. Each package, and each module at the package's top (the CLI's and the app's
    entry points), is imported here with no other ``timebank`` module loaded: one process, the
    libraries stay loaded. (Every module would take minutes; a cycle passes through a package.)"""
    import subprocess

    names = [module.name for module in discover_modules() if module.is_package or module.name.count(".") == 1]
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH_FIRST, *names], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
