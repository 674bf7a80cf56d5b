"""No circle in the import graph (issue 12: "the import graph: no arrow up, no circle").

GIVEN our four packages' import graph (grimp, as lint-imports reads it)
WHEN the modules are grouped by domain (`services.review.*` is `services.review`) or by the
subpackage of a layer (`workers.checks.*` is `workers.checks`)
THEN no group reaches itself again through the others: the domains form a chain of
dependencies (services/__init__.py gives the order), and no module imports itself back
through another.  A circle is named with one import for each arrow, so the message says
which import to move.
"""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
Edges = dict[str, dict[str, tuple[str, str]]]


def _build() -> grimp.ImportGraph:
    return grimp.build_graph("dossier", "storage", "workers", "services", cache_dir=None)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return _build()


def _group(module: str, package: str) -> str | None:
    """`package.x.y` -> `package.x`; None for the package itself."""
    if not module.startswith(package + "."):
        return None
    return ".".join(module.split(".")[:package.count(".") + 2])


def group_edges(graph: grimp.ImportGraph, package: str, by_module: bool = False) -> Edges:
    """Arrows between the groups under `package` (or between its modules), each with one import
    that draws it."""
    edges: Edges = defaultdict(dict)
    for importer in graph.find_descendants(package) if by_module else graph.modules:
        a = importer if by_module else _group(importer, package)
        if a is None:
            continue
        for imported in graph.find_modules_directly_imported_by(importer):
            b = imported if by_module else _group(imported, package)
            if b is not None and b != a and (not by_module or imported.startswith(package + ".")):
                edges[a].setdefault(b, (importer, imported))
    return edges


def circles(edges: Edges) -> list[list[str]]:
    """The strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                found.append(sorted(part))

    nodes = set(edges) | {b for targets in edges.values() for b in targets}
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return found


def explain(edges: Edges, found: list[list[str]]) -> str:
    lines = []
    for part in found:
        lines.append(" <-> ".join(part))
        lines += [f"    {a} -> {b}: {edges[a][b][0]} imports {edges[a][b][1]}"
                  for a in part for b in part if b in edges.get(a, {})]
    return "\n".join(lines)


def test_the_check_finds_a_circle_it_is_shown() -> None:
    """The check is not blind: one import back from the kit to a domain is a circle it names."""
    g = _build()
    g.add_import(importer="services.kit.errors", imported="services.review.flow")
    edges = group_edges(g, "services")
    found = circles(edges)
    assert any({"services.kit", "services.review"} <= set(part) for part in found)
    assert "services.kit.errors imports services.review.flow" in explain(edges, found)


def test_the_services_domains_form_no_circle(graph: grimp.ImportGraph) -> None:
    edges = group_edges(graph, "services")
    found = circles(edges)
    assert not found, "circles between services' domains:\n" + explain(edges, found)


DOMAINS = sorted(f"services.{p.parent.name}" for p in (ROOT / "services").glob("*/__init__.py"))


# Inside a domain: two modules that import each other are one module, or share a third.
@pytest.mark.parametrize("package", DOMAINS)
def test_no_module_circle_inside_a_domain(graph: grimp.ImportGraph, package: str) -> None:
    edges = group_edges(graph, package, by_module=True)
    found = circles(edges)
    assert not found, f"circles between modules of {package}:\n" + explain(edges, found)


@pytest.mark.parametrize("package", ["dossier", "storage", "workers"])
def test_the_layers_subpackages_form_no_circle(graph: grimp.ImportGraph, package: str) -> None:
    edges = group_edges(graph, package)
    found = circles(edges)
    assert not found, f"circles between {package}'s modules and subpackages:\n" + explain(edges, found)
