"""The services' shape (issue 12 item 2): a folder per domain, one kit, no page reaching into another.

GIVEN the services package and the contracts in pyproject.toml ([tool.importlinter])
WHEN its modules and their imports are read
THEN no page or endpoint module imports another (the independence contract covers every one of
them, and breaks on such an import), no module imports another module's private name, and no page
or endpoint module grows past ~400 lines.
"""
from __future__ import annotations

import ast
import tomllib
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.contracts.independence import IndependenceContract
from importlinter.domain.helpers import module_expressions_to_modules

ROOT = Path(__file__).resolve().parents[1]
SERVICES = ROOT / "services"
EDGE_SUFFIXES = ("pages", "endpoints")
MAX_LINES = 400
OURS = ("dossier", "storage", "workers", "services")


def _config() -> dict[str, Any]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["importlinter"]


def _edges_contract() -> IndependenceContract:
    cfg = _config()
    (found,) = [c for c in cfg["contracts"] if c["type"] == "independence"]
    return IndependenceContract(name=found["name"], session_options={"root_packages": cfg["root_packages"]},
                                contract_options={"modules": found["modules"]})


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts)


def _edge_modules() -> list[str]:
    return sorted(_module_name(p) for p in SERVICES.rglob("*.py") if p.stem.endswith(EDGE_SUFFIXES))


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("dossier", "storage", "workers", "services", cache_dir=None)


class TestPagesAndEndpoints:
    def test_the_contract_names_every_page_and_endpoint_module(self, graph: grimp.ImportGraph) -> None:
        """A new `*_pages.py` or `endpoints.py` anywhere in services/ is covered by the contract (a
        wildcard, or listed), so it cannot import another domain's pages unnoticed."""
        contract = _edges_contract()
        covered = {m.name for m in module_expressions_to_modules(graph, contract.modules)}  # type: ignore[arg-type]
        assert set(_edge_modules()) <= covered, set(_edge_modules()) - covered

    def test_the_contract_breaks_when_one_domain_page_imports_another(self, graph: grimp.ImportGraph) -> None:
        contract = _edges_contract()
        assert contract.check(graph, verbose=False).kept
        graph.add_import(importer="services.packets.pages", imported="services.review.desk_pages")
        assert not contract.check(graph, verbose=False).kept

    @pytest.mark.parametrize("name", _edge_modules())
    def test_a_page_or_endpoint_module_stays_small(self, name: str) -> None:
        lines = (ROOT / (name.replace(".", "/") + ".py")).read_text(encoding="utf-8").count("\n")
        assert lines <= MAX_LINES, f"{name}: {lines} lines"


def test_no_module_imports_another_modules_private_names() -> None:
    """`from services.x import _helper` means the helper is shared: it belongs in the kit, or
    public in its module."""
    found = []
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            ours = isinstance(node, ast.ImportFrom) and (node.level > 0 or (node.module or "").startswith(OURS))
            if ours:
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {a.name}" for a in node.names  # type: ignore[union-attr]
                          if a.name.startswith("_") and not a.name.startswith("__")]
    assert found == []
