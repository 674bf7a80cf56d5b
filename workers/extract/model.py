"""The common document model every reader produces.

A reader (docx, Word 97, text PDF, OCR) turns a file into a `Document`: an
ordered list of blocks (`Paragraph` and `Table`), each on a page, with the
pictures found in or over them.  Form location and checks work on this model
only, so a new format never touches them.

Coordinates: `Box` is in the page's own units (points for PDF and Word, pixels
for images) with the origin at the top left.  Readers that cannot know a
position (Word files are laid out by the viewer) leave `box` as None.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Union


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def as_list(self) -> list[float]:
        return [round(self.x0, 1), round(self.y0, 1), round(self.x1, 1), round(self.y1, 1)]

    def union(self, other: "Box | None") -> "Box":
        if other is None:
            return self
        return Box(min(self.x0, other.x0), min(self.y0, other.y0),
                   max(self.x1, other.x1), max(self.y1, other.y1))


@dataclass
class Picture:
    """An embedded or detected picture: in these forms, usually a seal."""
    page: int = 1
    box: Box | None = None
    kind: str = "picture"        # "picture" | "seal" | "signature"
    confidence: float = 1.0
    # where the picture sits: "inline" in the text, "anchor" floating over it
    placement: str = "inline"


@dataclass
class Line:
    """One line of text with where it was read (OCR and PDF readers fill box)."""
    text: str
    page: int = 1
    box: Box | None = None
    confidence: float = 1.0


@dataclass
class Paragraph:
    text: str
    page: int = 1
    box: Box | None = None
    confidence: float = 1.0
    pictures: list[Picture] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    # where the text stood in the file: "body", or "textbox" (a text box or frame read into order)
    source: str = "body"


@dataclass
class Cell:
    """One cell of a table after merges are resolved.

    `row`/`col` are the top-left grid position, `rowspan`/`colspan` how many
    grid rows/columns it covers.  `paragraphs` keeps the cell's own line
    structure (an opinion cell: text, blank lines, （盖章）, the date line).
    """
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    paragraphs: list[str] = field(default_factory=list)
    page: int = 1
    box: Box | None = None
    confidence: float = 1.0
    pictures: list[Picture] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    # tables nested in this cell (Word): their text is also in `paragraphs`, row by row
    tables: list["Table"] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass
class Table:
    cells: list[Cell]
    page: int = 1
    box: Box | None = None

    @property
    def nrows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def ncols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def at(self, row: int, col: int) -> Cell | None:
        """The cell covering grid position (row, col), merges included."""
        for c in self.cells:
            if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan:
                return c
        return None

    def rows(self) -> list[list[Cell]]:
        """Cells grouped by the grid row they start in, left to right."""
        out: list[list[Cell]] = [[] for _ in range(self.nrows)]
        for c in self.cells:
            out[c.row].append(c)
        for r in out:
            r.sort(key=lambda c: c.col)
        return out


Block = Union[Paragraph, Table]


@dataclass
class PageImage:
    """A rendered page kept for reviewers (scans, photos): its object key and size."""
    page: int
    width: int
    height: int
    key: str | None = None


@dataclass
class ReadProblem:
    """A partial failure while reading: one page, one part; the rest still counts."""
    code: str                    # a contract finding code, e.g. file.unreadable
    message: str                 # Chinese, for the unit
    detail: str = ""             # English, for logs
    page: int | None = None


@dataclass
class Document:
    """What a reader made of one file."""
    blocks: list[Block] = field(default_factory=list)
    pages: int = 1
    method: str = "docx"         # docx | pdf-text | ocr | converted
    media_type: str = ""
    page_images: list[PageImage] = field(default_factory=list)
    problems: list[ReadProblem] = field(default_factory=list)
    # pictures that float on a page and belong to no block (seals on scans)
    pictures: list[Picture] = field(default_factory=list)
    # page sizes (width, height) in the box units, where known
    page_sizes: dict[int, tuple[float, float]] = field(default_factory=dict)
    # characters printed outside their page (a frame or a table run off the page's edge): what was
    # cut there is not on the paper, so a blank or a short text may be the print's doing
    offpage: dict[int, int] = field(default_factory=dict)     # page → characters

    def tables(self) -> Iterator[Table]:
        return (b for b in self.blocks if isinstance(b, Table))

    def paragraphs(self) -> Iterator[Paragraph]:
        return (b for b in self.blocks if isinstance(b, Paragraph))
