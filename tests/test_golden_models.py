"""Golden files: what each reader makes of the sample submissions, page by page.

For every Word and text-PDF sample (and two photos read by OCR) the document model
the registry returns, as JSON, must equal `tests/golden/models/<sample>.json`:
pages → blocks (paragraphs, tables → cells) with their text, spans, boxes rounded to
1 pt (so that float noise does not flip them) and pictures.  A reader change that
moves a cell or loses a line shows here as a diff of that file.

    pytest tests/test_golden_models.py --regenerate-golden

rewrites the expected files from what the readers read now (review the diff before
committing it).  Samples under 200 KB are copied into tests/golden/sources; the others
are read from the shared samples beside the project and skipped where it is absent.
"""
from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from dossier.settings import Settings
from tests.edges import SAMPLES
from workers.extract.model import Box, Cell, Document, Paragraph, Picture, Table
from workers.extract.readers import ReadContext
from workers.extract.sniff import sniff
from workers.extraction import read_document

GOLDEN = Path(__file__).resolve().parent / "golden"
SOURCES, MODELS = GOLDEN / "sources", GOLDEN / "models"

# (sample, slow): slow ones go through LibreOffice or OCR, seconds to a minute each on two cores
CASES = [
    ("jinhua_form_inline.docx", False),
    ("yueyang_app_inline.docx", False),
    ("jinhua_form_pdf.pdf", False),
    ("jinhua_narrative_long.pdf", False),
    ("yueyang_app_appendix_pdf.pdf", False),
    ("jinhua_form_appendix_star3.doc", True),
    ("yueyang_app_sheet_doc.doc", True),
    ("jinhua_form_wps_fullwidth.wps", True),
    ("yueyang_sheet_wps.wps", True),
    ("jinhua_form_photo.jpg", True),
    ("yueyang_app_photo.jpg", True),
]


def _box(box: Box | None) -> list[int] | None:
    return None if box is None else [round(box.x0), round(box.y0), round(box.x1), round(box.y1)]


def _pictures(pictures: list[Picture]) -> list[dict[str, Any]]:
    return [{"kind": p.kind, "placement": p.placement, "box": _box(p.box)} for p in pictures]


def _cell(c: Cell) -> dict[str, Any]:
    out: dict[str, Any] = {"row": c.row, "col": c.col, "rowspan": c.rowspan, "colspan": c.colspan,
                           "box": _box(c.box), "paragraphs": c.paragraphs}
    if c.pictures:
        out["pictures"] = _pictures(c.pictures)
    if c.tables:
        out["tables"] = [_table(t) for t in c.tables]
    return out


def _table(t: Table) -> dict[str, Any]:
    return {"table": {"box": _box(t.box), "rows": t.nrows, "cols": t.ncols,
                      "cells": [_cell(c) for c in t.cells]}}


def _block(b: Paragraph | Table) -> dict[str, Any]:
    if isinstance(b, Table):
        return _table(b)
    out: dict[str, Any] = {"paragraph": b.text, "box": _box(b.box)}
    if b.source != "body":
        out["source"] = b.source
    if b.pictures:
        out["pictures"] = _pictures(b.pictures)
    return out


def model_json(doc: Document) -> dict[str, Any]:
    """The document model as plain JSON, grouped by page."""
    pages = []
    last = max([doc.pages] + [b.page for b in doc.blocks] + [p.page for p in doc.pictures])
    for n in range(1, last + 1):
        size = doc.page_sizes.get(n)
        pages.append({"page": n, "size": None if size is None else [round(size[0]), round(size[1])],
                      "blocks": [_block(b) for b in doc.blocks if b.page == n],
                      "pictures": _pictures([p for p in doc.pictures if p.page == n])})
    return {"method": doc.method, "media_type": doc.media_type, "pages": pages,
            "problems": [{"code": p.code, "page": p.page, "message": p.message} for p in doc.problems]}


def dump(model: dict[str, Any]) -> str:
    """Indented JSON with each box and size on one line, so that a diff reads a line a block or cell."""
    text = json.dumps(model, ensure_ascii=False, indent=1)
    return re.sub(r"\[\s+(-?\d+(?:,\s+-?\d+)*)\s+\]", lambda m: "[" + re.sub(r"\s+", " ", m.group(1)) + "]",
                  text) + "\n"


def _source(name: str) -> Path:
    for folder in (SOURCES, SAMPLES):
        if (folder / name).is_file():
            return folder / name
    pytest.skip(f"sample {name} is neither in tests/golden/sources nor in ../shared/samples")


@pytest.mark.parametrize("name", [pytest.param(n, marks=[pytest.mark.slow] if slow else [], id=n)
                                  for n, slow in CASES])
def test_reader_model_matches_golden(name: str, pytestconfig: pytest.Config) -> None:
    """The registry reads the sample into the model its golden file holds."""
    path = _source(name)
    fmt = sniff(path).format
    assert fmt is not None
    got = model_json(read_document(path, ReadContext(name=name, format=fmt, settings=Settings())))
    golden = MODELS / f"{name}.json"
    if pytestconfig.getoption("regenerate_golden"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(dump(got), encoding="utf-8")
    assert golden.is_file(), f"no golden file {golden.name}: run with --regenerate-golden"
    expected, now = golden.read_text(encoding="utf-8"), dump(got)
    if now != expected:
        diff = difflib.unified_diff(expected.splitlines(), now.splitlines(), "golden", "read now", lineterm="", n=2)
        pytest.fail(f"{name} reads differently from tests/golden/models/{golden.name} (after a reader change: "
                    f"--regenerate-golden, then review the diff):\n" + "\n".join(list(diff)[:120]))


def test_every_golden_file_has_its_case() -> None:
    """No golden file is left behind by a sample taken off the list."""
    assert sorted(p.name for p in MODELS.glob("*.json")) == sorted(f"{n}.json" for n, _ in CASES)


def test_regenerate_is_off(pytestconfig: pytest.Config) -> None:
    """Without the flag the golden files are compared, not rewritten; a regenerating run
    fails here, so it can never pass for a check."""
    assert pytestconfig.getoption("regenerate_golden") is False
