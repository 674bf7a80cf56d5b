"""The house's layers hold: dossier <- storage <- workers <- services, no import upwards.

GIVEN the contracts in pyproject.toml ([tool.importlinter])
WHEN import-linter builds the import graph of the four packages
THEN every contract is kept; a broken one names the import chain that breaks it.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_imports_point_down_only() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_the_contract_catches_an_import_upwards(tmp_path: Path) -> None:
    """The contract is live: a storage module that imports a worker breaks it."""
    import grimp

    graph = grimp.build_graph("dossier", "storage", "workers", "services", cache_dir=None)
    graph.add_import(importer="storage.models", imported="workers.steps")
    chains = graph.find_illegal_dependencies_for_layers(layers=("services", "workers", "storage", "dossier"))
    assert any(d.importer == "storage" and d.imported == "workers" for d in chains)


MAX_LINES = 400


def test_no_module_grows_past_about_400_lines() -> None:
    """GIVEN the four packages WHEN each module's lines are counted THEN none is over 400: a module
    that grows past it is split by concern (a reader's geometry, a step's bookkeeping…).
    Migrations are records of the past, not code that grows, and are left out."""
    too_long = {}
    for package in ("dossier", "storage", "workers", "services"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            n = len(path.read_text(encoding="utf-8").splitlines())
            if n > MAX_LINES:
                too_long[str(path.relative_to(ROOT))] = n
    assert not too_long, too_long
