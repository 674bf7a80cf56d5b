"""A generated form's document model, and edits to it as another reading would give it.

Tests that need the model a reader would make of a form, changed in one place (a cell blanked,
a label misread by OCR), build it here: the form written as .docx by tests/form_shapes.py and
read by the Word reader, then edited.
"""
from __future__ import annotations

from pathlib import Path

from tests import form_shapes as fs
from workers.extract.model import Cell, Document, Table
from workers.extract.readers import ReadContext
from workers.extraction import read_document


def form_model(tmp_path: Path, form: fs.Form, shape: fs.Shape = fs.Shape()) -> Document:
    """`form` in `shape` as the Word reader reads it."""
    path = fs.write_docx(tmp_path / "form.docx", form, shape)
    return read_document(path, ReadContext(name=path.name, format="docx"))


def all_cells(doc: Document) -> list[Cell]:
    """Every cell of the document's tables, nested ones included."""
    out: list[Cell] = []

    def walk(t: Table) -> None:
        for c in t.cells:
            out.append(c)
            for inner in c.tables:
                walk(inner)
    for b in doc.blocks:
        if isinstance(b, Table):
            walk(b)
    return out


def retext(doc: Document, old: str, new: str) -> None:
    """Every cell whose text is `old` made to read `new` (as OCR would give it)."""
    for c in all_cells(doc):
        if c.text == old:
            c.paragraphs = [new]
