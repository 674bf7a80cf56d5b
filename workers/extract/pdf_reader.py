"""Text PDFs → the common model (method `pdf-text`), with pdfplumber.

Per page: ruling lines become table grids (merged cells from missing borders),
characters go to the cell under their centre or stay free text, lines become
paragraphs, and images (seals) go to the cell or paragraph they cover.
A PDF without a text layer is a scan: it is handed to the OCR reader.
"""
from __future__ import annotations

import logging
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from .model import Box, Cell, Document, Paragraph, Picture, ReadProblem, Table
from .pdf_boxes import join_box_columns
from .pdf_columns import borderless_table, rows_text
from .pdf_textboxes import box_grid
from .pdf_chars import text_chars
from .pdf_layout import (Grid, TextLine, edges_from_plumber, find_grids, group_lines,
                         overlap, paragraphs, wrap_spacing)
from .readers import ReadContext, ReadError

log = logging.getLogger(__name__)

_MSG_DAMAGED = "PDF 文件已损坏，无法打开。请重新导出 PDF 后上传。"
_MSG_ENCRYPTED = "PDF 文件设置了密码（已加密），无法读取。请取消密码后重新上传。"

# a page "has text" with at least this many non-blank characters
MIN_TEXT_CHARS = 10
# images covering more of the page than this are page backgrounds (a scan
# under an OCR text layer, a letterhead), not seals
MAX_PICTURE_SHARE = 0.5
# a block whose text names a seal is where a seal over it belongs
SEAL_MARKERS = ("章",)
# Word and WPS leave about 5.4 pt between a cell's border and its text
CELL_PADDING = 6.0


def _is_password_error(e: BaseException) -> bool:
    """pdfplumber wraps pdfminer's errors: look inside for a password problem."""
    seen: list[BaseException] = [e]
    seen.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
    if e.__cause__ is not None:
        seen.append(e.__cause__)
    return any(isinstance(x, (PDFPasswordIncorrect, PDFEncryptionError)) for x in seen)


def _open(path: Path):
    try:
        return pdfplumber.open(str(path))
    except Exception as e:  # noqa: BLE001 - pdfminer raises many kinds on broken files
        if _is_password_error(e):
            raise ReadError("file.unreadable", _MSG_ENCRYPTED, f"encrypted PDF: {e!r}") from e
        raise ReadError("file.unreadable", _MSG_DAMAGED, f"damaged PDF: {e!r}") from e


def _hand_to_ocr(path: Path, ctx: ReadContext) -> Document:
    try:
        from .ocr_reader import read_scanned_pdf
    except ImportError as e:
        raise ReadError("file.unsupported", "这是扫描件 PDF，暂时无法识别其中的文字。请上传 Word 文件或带文字的 PDF。",
                        f"scanned PDF and no OCR reader: {e}") from e
    return read_scanned_pdf(path, ctx)


class _PageBuilder:
    """One page's blocks."""

    def __init__(self, page, number: int, chars: list[dict] | None = None,
                 spacing: float | None = None) -> None:
        self.page = page
        self.number = number
        self.chars = chars          # the page's text characters, when already read
        # the running text's line spacing: an earlier page's, until this page's own is measured
        self.spacing = spacing

    def build(self) -> list:
        edges = edges_from_plumber(self.page.horizontal_edges, self.page.vertical_edges)
        grids = find_grids(edges)
        chars = self.chars if self.chars is not None else text_chars(self.page)
        holder = _nesting(grids)
        cells_of: list[list[list[dict]]] = [[[] for _ in g.cells] for g in grids]
        # the innermost grid takes a character: a table nested in a cell (联络人: 姓名|职务|电话
        # over the values) is read as a table of its own, not as lines of the outer cell
        order = sorted(range(len(grids)), key=lambda i: _area(grids[i].box))   # smallest first
        free: list[dict] = []
        for c in chars:
            cx, cy = (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2
            placed = False
            for gi in order:
                g = grids[gi]
                b = g.box
                if not (b.x0 <= cx <= b.x1 and b.y0 <= cy <= b.y1):
                    continue
                for ci, gc in enumerate(g.cells):
                    if gc.box.x0 <= cx <= gc.box.x1 and gc.box.y0 <= cy <= gc.box.y1:
                        cells_of[gi][ci].append(c)
                        placed = True
                        break
                if placed:
                    break
            if not placed:
                free.append(c)
        tables: dict[int, Table] = {}
        nested_in: dict[tuple[int, int], list[int]] = {}
        for inner_gi, at in holder.items():
            nested_in.setdefault(at, []).append(inner_gi)
        # inner tables first, so each outer cell can hold the tables nested in it
        for gi in order:
            tables[gi] = self._table(grids[gi], cells_of[gi],
                                     {ci: [tables[k] for k in ks] for (g, ci), ks in nested_in.items() if g == gi})
        blocks: list = [tables[gi] for gi in range(len(grids)) if gi not in holder]
        # a form laid out in boxes without rulings (an HTML page's positioned blocks)
        boxed, boxed_chars, free = box_grid(self.page.rects, free,
                                            float(self.page.width) * float(self.page.height))
        if boxed is not None:
            blocks.append(self._table(boxed, boxed_chars))
        blocks.extend(self._free_paragraphs(free))
        blocks.sort(key=lambda b: (b.box.y0 if b.box else 0.0, b.box.x0 if b.box else 0.0))
        return blocks

    def _table(self, grid: Grid, cell_chars: list[list[dict]],
               nested: dict[int, list[Table]] | None = None) -> Table:
        cells = []
        for ci, (gc, chars) in enumerate(zip(grid.cells, cell_chars)):
            lines = group_lines(chars)
            # the text margin: the cell's edge plus its padding, unless all
            # text sits further left (lines right-aligned or centred do not wrap)
            left = min([ln.x0 for ln in lines] + [gc.box.x0 + CELL_PADDING])
            paras = paragraphs(lines, left, gc.box.x1)
            held = (nested or {}).get(ci, [])
            # a table nested without borders: its columns' wrapped lines must not interleave
            inner = None if held else borderless_table(lines, self.number, gc.box)
            if held:
                # the cell's own lines and its nested tables' rows, top to bottom (as the Word
                # reader writes a nested table into its cell's paragraphs)
                parts = [(p.box.y0, [p.text()]) for p in paras] + \
                        [(t.box.y0 if t.box else 0.0, rows_text(t)) for t in held]
                texts = [x for _y, xs in sorted(parts, key=lambda q: q[0]) for x in xs]
            elif inner:
                # lines above the table (the cell's own title) stay lines of their own
                lead = [p.text() for p in paras if inner.box is not None and p.box.y1 <= inner.box.y0 + 0.5]
                texts = lead + rows_text(inner)
            else:
                texts = [p.text() for p in paras]
            cells.append(Cell(row=gc.row, col=gc.col, rowspan=gc.rowspan, colspan=gc.colspan,
                              paragraphs=texts, page=self.number, box=gc.box,
                              tables=held or ([inner] if inner else []),
                              confidence=min([p.confidence for p in paras] + [1.0]),
                              lines=[ml for p in paras for ml in p.model_lines(self.number)]))
        return Table(cells=cells, page=self.number, box=grid.box)

    def _free_paragraphs(self, chars: list[dict]) -> list[Paragraph]:
        lines: list[TextLine] = group_lines(chars)
        if not lines:
            return []
        left = min(ln.x0 for ln in lines)
        right = _right_margin(lines, float(self.page.width) - left)
        lines = join_box_columns(lines, right)
        measured = wrap_spacing(lines, right)
        self.spacing = measured if measured is not None else self.spacing
        return [Paragraph(text=p.text(), page=self.number, box=p.box, confidence=p.confidence,
                          lines=p.model_lines(self.number))
                for p in paragraphs(lines, left, right, self.spacing)]


def _right_margin(lines: list[TextLine], mirrored: float) -> float:
    """Where the page's lines end: the mirror of the left margin (pages are laid out with equal
    margins: a centred title that is the widest line must not count as reaching it), or further
    right where several lines end alike beyond it (wrapped text on a page with a narrow right
    margin).  One line alone further out is a box placed past the margin, not the margin."""
    ends = sorted(ln.x1 for ln in lines)
    size = max(ln.size for ln in lines)
    shared = [b for a, b in zip(ends, ends[1:]) if b - a <= size]
    return max([mirrored] + shared)


def _offpage(chars: list[dict], width: float, height: float) -> int:
    """How many characters are printed past the page's edge, wholly or in part."""
    return sum(1 for c in chars if c["x0"] < -1 or c["top"] < -1 or c["x1"] > width + 1 or c["bottom"] > height + 1)


def _area(b: Box) -> float:
    return (b.x1 - b.x0) * (b.y1 - b.y0)


def _nesting(grids: list[Grid], tolerance: float = 2.0) -> dict[int, tuple[int, int]]:
    """For each grid drawn inside a cell of another, (the outer grid, its cell): the smallest
    cell that holds it, so a table nested two deep belongs to its nearest holder."""
    out: dict[int, tuple[int, int]] = {}
    for i, g in enumerate(grids):
        b = g.box
        best: tuple[float, int, int] | None = None
        for j, o in enumerate(grids):
            if j == i or _area(o.box) <= _area(b):
                continue
            for ci, gc in enumerate(o.cells):
                cb = gc.box
                if cb.x0 - tolerance <= b.x0 and b.x1 <= cb.x1 + tolerance \
                        and cb.y0 - tolerance <= b.y0 and b.y1 <= cb.y1 + tolerance:
                    if best is None or _area(cb) < best[0]:
                        best = (_area(cb), j, ci)
        if best is not None:
            out[i] = (best[1], best[2])
    return out


def _page_pictures(page, number: int) -> list[Picture]:
    area = float(page.width) * float(page.height) or 1.0
    out = []
    for im in page.images:
        box = Box(float(im["x0"]), float(im["top"]), float(im["x1"]), float(im["bottom"]))
        w, h = box.x1 - box.x0, box.y1 - box.y0
        if w < 4 or h < 4:
            continue                       # a dot or a rule drawn as an image
        if w * h > MAX_PICTURE_SHARE * area:
            continue                       # a page background, not a seal
        out.append(Picture(page=number, box=box, kind="picture", placement="anchor"))
    return out


def _has_page_image(page) -> bool:
    area = float(page.width) * float(page.height) or 1.0
    return any((float(im["x1"]) - float(im["x0"])) * (float(im["bottom"]) - float(im["top"]))
               > MAX_PICTURE_SHARE * area for im in page.images)


def _is_text_page(page, chars: list[dict] | None = None) -> bool:
    # a page image under the text is a scan with an OCR text layer:
    # its table rulings and seals are in the picture, so OCR reads it
    chars = text_chars(page) if chars is None else chars
    return len(chars) >= MIN_TEXT_CHARS and not _has_page_image(page)


def _is_scan(text_pages: int, readable_pages: int) -> bool:
    # no text layer (or only an OCR layer over a page image) on most pages: a
    # scan, perhaps with a few typed pages
    return text_pages * 2 < readable_pages or text_pages == 0


def needs_ocr(path: Path, ctx: ReadContext) -> bool:
    """Whether `read_pdf` would hand this PDF to OCR, asked before reading it, so that
    the pipeline can fan its pages out to OCR workers.  Raises ReadError as read_pdf
    does for a PDF that cannot be opened."""
    with _open(path) as pdf:
        try:
            pages = pdf.pages
        except Exception as e:  # noqa: BLE001 - a broken page tree
            raise ReadError("file.unreadable", _MSG_DAMAGED, f"cannot list pages: {e!r}") from e
        text_pages = readable = 0
        for page in pages:
            try:
                text_pages += _is_text_page(page)
                readable += 1
            except Exception:  # noqa: BLE001 - read_pdf reports the bad page
                pass
            finally:
                page.close()
    return readable > 0 and _is_scan(text_pages, readable)


def attach_pictures(blocks: list, pictures: list[Picture], doc: Document) -> None:
    """Give each picture to the cell or paragraph it covers.

    Among the blocks it overlaps, one whose text names a seal (盖章, 签章,
    盖公章) wins, then the largest overlap: a seal stamped over the
    “申报单位：…（盖公章）” line usually spills into the table below it, and
    belongs to the line.  A picture over nothing floats on the page.
    """
    targets: list = []
    for b in blocks:
        if isinstance(b, Table):
            targets.extend(c for c in b.cells if c.box is not None)
        elif b.box is not None:
            targets.append(b)
    for pic in pictures:
        best, best_key = None, None
        for t in targets:
            if t.page != pic.page:
                continue
            ov = overlap(t.box, pic.box)
            if ov <= 0:
                continue
            key = (any(m in t.text for m in SEAL_MARKERS), ov)
            if best_key is None or key > best_key:
                best, best_key = t, key
        if best is None:
            doc.pictures.append(pic)
        else:
            best.pictures.append(pic)


def read_pdf(path: Path, ctx: ReadContext) -> Document:
    """Read a text PDF; hand a scanned one to OCR."""
    pdf = _open(path)
    with pdf:
        try:
            pages = pdf.pages
        except Exception as e:  # noqa: BLE001 - a broken page tree
            raise ReadError("file.unreadable", _MSG_DAMAGED, f"cannot list pages: {e!r}") from e
        n = len(pages)
        if n == 0:
            raise ReadError("file.unreadable", "PDF 文件没有任何页面。请检查后重新上传。", "PDF has no pages")
        if n > ctx.settings.max_pages:
            raise ReadError("file.unreadable",
                            f"PDF 共 {n} 页，超过上限（{ctx.settings.max_pages} 页）。请只上传推荐表（申报表）和相关材料。",
                            f"{n} pages > max_pages {ctx.settings.max_pages}")
        doc = Document(pages=n, method="pdf-text", media_type=ctx.format)
        text_pages = 0
        spacing: float | None = None      # the running text's line spacing, page to page
        failed: list[int] = []
        for number, page in enumerate(pages, start=1):
            try:
                doc.page_sizes[number] = (float(page.width), float(page.height))
                chars = text_chars(page)
                cut = _offpage(chars, float(page.width), float(page.height))
                if cut:
                    doc.offpage[number] = cut
                if _is_text_page(page, chars):
                    text_pages += 1
                builder = _PageBuilder(page, number, chars, spacing)
                blocks = builder.build()
                spacing = builder.spacing
                attach_pictures(blocks, _page_pictures(page, number), doc)
                doc.blocks.extend(blocks)
            except ReadError:
                raise
            except Exception as e:  # noqa: BLE001 - one bad page must not sink the file
                log.warning("page %d of %s unreadable: %r", number, ctx.name, e)
                failed.append(number)
                doc.problems.append(ReadProblem("file.unreadable", f"第 {number} 页已损坏，无法读取。",
                                                f"page {number}: {e!r}", page=number))
            finally:
                page.close()
        if len(failed) == n:
            raise ReadError("file.unreadable", _MSG_DAMAGED, f"no page readable: {doc.problems[0].detail}")
    if _is_scan(text_pages, n - len(failed)):
        log.info("%s: %d of %d pages have text; reading it as a scan", ctx.name, text_pages, n)
        return _hand_to_ocr(path, ctx)
    return doc
