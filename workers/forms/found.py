"""What the locator finds: a value on the page before normalising, and a located document."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from dossier.campaigns import DocumentSpec

from ..extract.model import Box, Cell, Picture, Table


@dataclass
class Found:
    """A value located on the page, before normalising."""
    raw: str
    page: int = 1
    box: Box | None = None
    confidence: float = 1.0
    pictures: list[Picture] = field(default_factory=list)
    label: str = ""
    cell: Cell | None = None
    located: bool = True          # False: the label itself was not found
    # the label was found, but its row ends with it and nothing under it is a value: no place for
    # the value was printed (a table cut at a frame's or the page's edge), so a blank says little
    no_place: bool = False
    blocks: list[int] = field(default_factory=list)   # blocks a value read from lines came from
    # (page, box) of each line a value read from lines came from: a seal beside any of them is its
    spots: list[tuple[int, Box]] = field(default_factory=list)
    # a score sheet's row: its 分值 as printed, a check on the reading of the row
    printed_max: str = ""


@dataclass
class LocatedDocument:
    spec: DocumentSpec
    values: dict[str, Found] = field(default_factory=dict)
    # rubric: item key -> (max cell text, self cell text, page, box, confidence)
    rubric_rows: dict[str, Found] = field(default_factory=dict)
    rubric_total: Found | None = None
    blocks: list[int] = field(default_factory=list)   # indexes of the blocks it occupies


@dataclass
class LabelHit:
    """A field's label found in a table cell (score: 3 exact, 2 up to a note, 1 with a value after it)."""
    block: int
    table: Table
    cell: Cell
    score: int
    rest: str


class LocatorView(Protocol):
    """What the score sheet, free-text and one-wrong-glyph readers use of the `Locator`
    (workers/forms/locate.py), which imports them: the flattened document, its cells and the
    label segmenter, and three lookups."""
    doc: Any                                    # the Document with split labels joined
    cells: list[tuple[int, Table, Cell]]        # every cell, nested ones too, with its block
    short_cells: list[tuple[int, Table, Cell, Any]]
    segmenter: Any

    def at(self, t: Table, row: int, col: int) -> Cell | None: ...

    def is_label(self, cell: Cell) -> bool: ...

    def cell_value(self, spec: Any, hit: LabelHit | None = None) -> Found | None: ...

