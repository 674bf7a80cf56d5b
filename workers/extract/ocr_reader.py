"""Scans and photos → the common model, by OCR (`method: ocr`).

Three steps, so that Celery can fan pages out (one `ocr.page` task each) and
join them (the last page queues `ocr.assemble`), while `dossier extract` runs them in one process:

1. `prepare_pages(path, ctx)`: render / load every page (cheap; limits checked);
2. `ocr_page(image, page_no, settings)`: turn the page upright, straighten it,
   find seals (red ink, or by shape on a greyscale scan), find the table grid
   on a copy without red ink, OCR the lines; returns JSON-able data and the
   processed image;
3. `assemble(pages, ctx)`: place OCR lines into grid cells (merged cells kept),
   the rest into paragraphs, seals onto the cell or line they cover.
"""
from __future__ import annotations

import concurrent.futures as cf
import logging
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from dossier.settings import Settings

from .model import Box, Cell, Document, Line, PageImage, Paragraph, Picture, ReadProblem, Table
from .ocr_boxes import join_ocr_boxes
from .ocr_gutters import split_at_gutters
from .ocr_engine import recognise, run_ocr
from .ocr_geometry import orientation, rotate_quarter, straighten
from .ocr_grid import binarise, find_grids
from .ocr_level import level_by_text
from .ocr_line_end import restore_line_end_marks
from .ocr_pages import MIN_SIDE, PreparedPage, image_pages, pdf_pages, to_png
from .ocr_seal import find_red_seals, find_shape_seals, is_greyscale, red_mask
from .ocr_seal_text import closing_mark_under_seal, without_seal_text
from .ocr_signs import (UNREAD_CONFIDENCE, UNREAD_INK, at_the_edge, at_the_sheets_edge, mark_unread_ink,
                        past_the_margin)
from .ocr_cell_columns import cell_table, split_at_cell_columns
from .ocr_stacked import split_stacked_lines
from .ocr_stray_ink import stray_ink
from .ocr_text import paragraphs as text_paragraphs, row_box, row_text, rows
from .readers import ReadContext

log = logging.getLogger(__name__)


def prepare_pages(path: Path, ctx: ReadContext) -> list[PreparedPage]:
    """Every page of a scan or photo as an RGB image (limits checked first)."""
    if ctx.format == "pdf":
        return pdf_pages(path, ctx.settings)
    return image_pages(path, ctx.settings)


def ocr_page(image: np.ndarray, page_no: int, settings: Settings, *,
             two_up: bool = False) -> tuple[dict[str, Any], np.ndarray]:
    """OCR one page.  Returns its JSON-able result and the upright, straightened image
    (`two_up`: the page is one half of a two-up sheet, whose own edges are not in the image).

    The page is read once as it comes; only when that reading does not look like an
    upright page (tall lines, or few confident characters) is its orientation probed
    and the page read again turned.  Most scans are upright, so most pages cost one
    OCR pass, not two."""
    t0 = time.perf_counter()
    if min(image.shape[:2]) < MIN_SIDE:
        # nothing legible fits (a 1×1 image, a sliver): geometry and seal finding have nothing to
        # work on (OpenCV's circle search refuses an image this small), so the page reads as empty
        return _empty_page(image, page_no), image
    turns = 0
    # told on the page as it came: straightening interpolates, and a 1-bit page warped even by a
    # fraction of a degree is grey along every edge
    grey_share = _mid_grey(image)
    bilevel = grey_share < 0.02
    # a true 1-bit page (no grey at all: a fax-mode TIFF), whose thin rules the threshold broke
    one_bit = grey_share < 0.001
    read = _read_page(image, one_bit)
    if not _looks_upright(read["lines"]):
        turns = orientation(image)
        if turns:
            image = rotate_quarter(image, turns)
            read = _read_page(image, one_bit)
    image = read.pop("image")
    h, w = image.shape[:2]
    result = {
        "page": page_no, "width": int(w), "height": int(h), "turns": turns,
        "greyscale": read["greyscale"],
        "bilevel": read["greyscale"] and bilevel,
        "lines": [ln.to_json() for ln in read["lines"]],
        "grids": [g.to_json() for g in read["grids"]],
        "seals": [s.to_json() for s in read["seals"]],
        "seconds": round(time.perf_counter() - t0, 2),
    }
    mark_unread_ink(result, image)
    if result["greyscale"]:
        result["stray_ink"] = stray_ink(image, result["lines"], [s["box"] for s in result["seals"]])
    result["sheet_cut"] = at_the_sheets_edge(result, image) + (past_the_margin(result) if two_up else 0)
    return result, image


def _empty_page(image: np.ndarray, page_no: int) -> dict[str, Any]:
    h, w = image.shape[:2]
    return {"page": page_no, "width": int(w), "height": int(h), "turns": 0, "greyscale": False,
            "bilevel": False, "lines": [], "grids": [], "seals": [], "seconds": 0.0}


def _looks_upright(lines: list) -> bool:
    """The same test the orientation probe applies, on the page's own reading: mostly wide
    lines of text read with confidence."""
    if not lines:
        return False
    wide = sum(1 for ln in lines if (ln.box[2] - ln.box[0]) >= 2 * (ln.box[3] - ln.box[1]))
    tall = sum(1 for ln in lines if (ln.box[3] - ln.box[1]) >= 2 * (ln.box[2] - ln.box[0]))
    if wide + tall >= 3 and tall / (wide + tall) >= 0.4:
        return False
    total = sum(len(ln.text) for ln in lines) or 1
    mean = sum(ln.confidence * len(ln.text) for ln in lines) / total
    chars = sum(ln.confidence * len(ln.text) for ln in lines if ln.confidence >= 0.6)
    return mean >= 0.88 and chars >= 10


def _read_page(image: np.ndarray, one_bit: bool = False) -> dict[str, Any]:
    """Straighten, find seals and the grid, and OCR a page in the orientation given (`one_bit`:
    a 1-bit scan, whose thin rules are broken)."""
    image = straighten(image)
    grey_page = is_greyscale(image)
    if grey_page:
        seals = find_shape_seals(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))
        clean = image
    else:
        mask = red_mask(image)
        seals = find_red_seals(image, mask)
        # red ink over text confuses recognition and ruling lines alike.  The red channel
        # shows red ink as light and black or blue writing as dark, even where a seal
        # covers the text (whiting out the red mask would erase the text under it too)
        clean = np.repeat(image[..., :1], 3, axis=2)
    grey = cv2.cvtColor(clean, cv2.COLOR_RGB2GRAY)
    grids = find_grids(grey, broken=one_bit, seals=[sl.box for sl in seals])
    # the per-line angle classifier only adds risk on an upright page (it flips whole
    # body lines to 180° and their reading then falls under the score floor)
    lines = _reread_short_lines(clean, run_ocr(clean, use_cls=False))
    lines = split_stacked_lines(clean, restore_line_end_marks(clean, binarise(grey), lines))
    lines = split_at_cell_columns(grey, grids, lines)
    lines = split_at_gutters(grey, grids, lines)
    if not grey_page and seals:
        lines = without_seal_text(image, lines)
        lines = closing_mark_under_seal(clean, lines, [s.box for s in seals])
    if not grids:
        # no rules squared it: a slight turn is undone by the text's own slope
        image, lines, seals = level_by_text(image, lines, seals)
    return {"image": image, "greyscale": grey_page, "seals": seals, "grids": grids, "lines": lines}


def _mid_grey(image: np.ndarray) -> float:
    """Share of the page that is mid-grey.  Almost none: a black-and-white scan, where a seal's
    ring breaks up or merges with the text, so its absence cannot be told from the image."""
    small = cv2.resize(image[..., 0], (max(1, image.shape[1] // 4), max(1, image.shape[0] // 4)),
                       interpolation=cv2.INTER_NEAREST)
    return float(((small > 40) & (small < 215)).mean())


def _reread_short_lines(img: np.ndarray, lines: list) -> list:
    """Re-recognise lines whose text is far shorter than their box.

    On photos the detector sometimes returns a slanted quad for a long line and
    recognition of that crop gives one or two characters; recognising the
    axis-aligned box alone (no detection) reads the whole line."""
    h, w = img.shape[:2]
    out = []
    for ln in lines:
        x0, y0, x1, y1 = ln.box
        height = max(1.0, y1 - y0)
        expected = (x1 - x0) / height          # about one CJK glyph per line height
        if expected >= 4 and len(ln.text) < 0.5 * expected:
            crop = img[max(0, int(y0) - 2):min(h, int(y1) + 2), max(0, int(x0)):min(w, int(x1) + 3)]
            text, score = recognise(crop)
            if len(text) > len(ln.text) and score >= 0.8:
                ln = type(ln)(text, ln.box, score)
        out.append(ln)
    return out


# -- assembling ----------------------------------------------------------------

def _box(b: list[float] | tuple[float, ...]) -> Box:
    return Box(float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def _overlap(a: Box, b: Box) -> float:
    ix = min(a.x1, b.x1) - max(a.x0, b.x0)
    iy = min(a.y1, b.y1) - max(a.y0, b.y0)
    return ix * iy if ix > 0 and iy > 0 else 0.0


def _area(b: Box) -> float:
    return max(1e-6, (b.x1 - b.x0) * (b.y1 - b.y0))


def _split_line(line: dict[str, Any], cells: list[tuple[Box, Any]]) -> list[tuple[Any, Line]]:
    """A line that runs over a cell border (OCR joined two cells) is cut at the border,
    in proportion to its characters (CJK glyphs are of one width)."""
    box = _box(line["box"])
    text, conf = line["text"], float(line["confidence"])
    cy = (box.y0 + box.y1) / 2
    hits = [(cb, c) for cb, c in cells if cb.y0 <= cy <= cb.y1 and min(cb.x1, box.x1) - max(cb.x0, box.x0) > 0]
    if len(hits) <= 1 or len(text) < 2:
        return []
    hits.sort(key=lambda t: t[0].x0)
    out: list[tuple[Any, Line]] = []
    width = max(1e-6, box.x1 - box.x0)
    start = 0
    for k, (cb, c) in enumerate(hits):
        right = min(cb.x1, box.x1)
        end = len(text) if k == len(hits) - 1 else round(len(text) * (right - box.x0) / width)
        piece = text[start:end].strip()
        if piece:
            out.append((c, Line(piece, box=Box(max(cb.x0, box.x0), box.y0, right, box.y1),
                                confidence=conf)))
        start = end
    return out


def _page_blocks(p: dict[str, Any]) -> tuple[list[tuple[float, Any]], list[Picture]]:
    page = int(p["page"])
    tables: list[tuple[Table, list[tuple[Box, Cell]]]] = []
    columns: dict[int, list[float]] = {}
    grids = p.get("grids", [])
    boxes = [_box(g["box"]) for g in grids]
    for gi, g in enumerate(grids):
        # a one-cell frame (the paper's edge in a photo, a box drawn round the page) is no table
        if len(g["cells"]) <= 1:
            continue
        if any(j != gi and _overlap(boxes[gi], boxes[j]) >= 0.9 * _area(boxes[j]) and _area(boxes[j]) < _area(boxes[gi])
               for j in range(len(grids))):
            continue
        cells = []
        for gc in g["cells"]:
            cb = _box(gc["box"])
            cell = Cell(row=gc["row"], col=gc["col"], rowspan=gc["rowspan"], colspan=gc["colspan"], page=page, box=cb)
            if gc.get("ink", 0) >= UNREAD_INK:
                cell.confidence = UNREAD_CONFIDENCE       # stays so unless a line lands in it
            cells.append((cb, cell))
            columns[id(cell)] = list(gc.get("columns", []))
        tables.append((Table(cells=[c for _, c in cells], page=page, box=_box(g["box"])), cells))
    all_cells = [(cb, c) for _, cells in tables for cb, c in cells]
    in_cell: dict[int, list[Line]] = {}
    loose: list[Line] = []
    for raw in p.get("lines", []):
        pieces = _split_line(raw, all_cells)
        if pieces:
            for c, ln in pieces:
                ln.page = page
                in_cell.setdefault(id(c), []).append(ln)
            continue
        ln = Line(raw["text"], page=page, box=_box(raw["box"]), confidence=float(raw["confidence"]))
        cx, cy = (ln.box.x0 + ln.box.x1) / 2, (ln.box.y0 + ln.box.y1) / 2
        inside = [(cb, c) for cb, c in all_cells if cb.x0 <= cx <= cb.x1 and cb.y0 <= cy <= cb.y1]
        target = min(inside, key=lambda t: _area(t[0]))[1] if inside else None
        if target is None:
            loose.append(ln)
        else:
            in_cell.setdefault(id(target), []).append(ln)
    for _cb, c in all_cells:
        lines = in_cell.get(id(c), [])
        c.lines = lines
        # a borderless table inside the cell (the secretary's 姓名 | 夏晓松 | 性别 | 男 …, its labels
        # and values wrapped under themselves) is read box by box, as loose text is
        c.paragraphs = [row_text(r) for r in rows(join_ocr_boxes(rows(lines), least=2))]
        c.confidence = min((ln.confidence for ln in lines), default=c.confidence)
        nested = cell_table(c, columns.get(id(c), []), lines)
        if nested is not None:
            c.tables = [nested]
    blocks: list[tuple[float, Any]] = [(t.box.y0 if t.box else 0.0, t) for t, _ in tables]
    paragraphs: list[Paragraph] = []
    for group in text_paragraphs(rows(join_ocr_boxes(rows(loose)))):
        box = row_box([ln for r in group for ln in r])
        lines = [ln for r in group for ln in r]
        para = Paragraph(text="".join(row_text(r) for r in group), page=page, box=box,
                         confidence=min(ln.confidence for ln in lines), lines=lines)
        paragraphs.append(para)
        blocks.append((box.y0, para))

    # seals onto what they cover: the cell they overlap most, else the line they touch.  On a
    # greyscale page a seal is found by its ring, and a faint, broken or filled ring is not: ink
    # there that nothing read explains (`ocr_stray_ink`) may be one, so where it lies whether the
    # spot was stamped cannot be told (seal_unknown); clean paper elsewhere tells that it was not
    marks = [(s["box"], s.get("kind", "seal"), float(s.get("confidence", 1.0))) for s in p.get("seals", [])]
    marks += [(b, "seal_unknown", 0.0) for b in p.get("stray_ink", [])]
    pictures: list[Picture] = []
    for box, kind, confidence in marks:
        sb = _box(box)
        pic = Picture(page=page, box=sb, kind=kind, confidence=confidence, placement="anchor")
        pictures.append(pic)
        best_cell = max(all_cells, key=lambda t: _overlap(sb, t[0]), default=None)
        cell_share = _overlap(sb, best_cell[0]) / _area(sb) if best_cell else 0.0
        touching = [q for q in paragraphs if q.box is not None and _overlap(sb, q.box) > 0]
        if best_cell is not None and cell_share >= 0.3:
            best_cell[1].pictures.append(pic)
        elif touching:
            cy = (sb.y0 + sb.y1) / 2
            min(touching, key=lambda q: abs((q.box.y0 + q.box.y1) / 2 - cy)).pictures.append(pic)
        elif best_cell is not None and cell_share > 0:
            best_cell[1].pictures.append(pic)
    if p.get("greyscale") and "stray_ink" not in p:
        # a page OCR'd (and stored) by a worker from before stray ink was looked for: where
        # nothing tells clean paper from ink, whether it was stamped cannot be told anywhere
        pictures.append(Picture(page=page, box=None, kind="seal_unknown", confidence=0.0))
    blocks.sort(key=lambda t: t[0])
    return blocks, pictures


def assemble(pages: list[dict[str, Any]], ctx: ReadContext, *, page_keys: dict[int, str] | None = None) -> Document:
    """The common model of OCR'd pages (in page order)."""
    doc = Document(method="ocr", media_type=ctx.format, pages=len(pages))
    for p in sorted(pages, key=lambda p: p["page"]):
        page = int(p["page"])
        if p.get("error"):
            doc.problems.append(ReadProblem("file.unreadable", f"第 {page} 页无法识别：{p.get('message', '')}",
                                            str(p["error"]), page=page))
            continue
        doc.page_sizes[page] = (float(p["width"]), float(p["height"]))
        doc.page_images.append(PageImage(page=page, width=int(p["width"]), height=int(p["height"]),
                                         key=(page_keys or {}).get(page)))
        blocks, pictures = _page_blocks(p)
        doc.blocks.extend(b for _, b in blocks)
        doc.pictures.extend(pictures)
        cut = at_the_edge(p) + int(p.get("sheet_cut") or 0)
        if cut:
            doc.offpage[page] = cut
    return doc


def _ocr_within(pp: PreparedPage, settings: Settings, limit: float) -> tuple[dict[str, Any], np.ndarray]:
    """ocr_page on a worker thread, given up after `limit` seconds.

    onnxruntime cannot be interrupted, so a page past its limit is abandoned (its
    thread finishes in the background) and reported; the Celery path has a real
    per-task soft limit instead."""
    ex = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"ocr-page-{pp.page}")
    try:
        return ex.submit(ocr_page, pp.load(), pp.page, settings, two_up=pp.two_up).result(timeout=limit)
    finally:
        ex.shutdown(wait=False)


def read_ocr(path: Path, ctx: ReadContext) -> Document:
    """Prepare, OCR and assemble every page in this process (or through ctx.ocr_pages)."""
    prepared = prepare_pages(path, ctx)
    if ctx.ocr_pages is not None:
        return ctx.ocr_pages(prepared, ctx)
    results: list[dict[str, Any]] = []
    keys: dict[int, str] = {}
    limit = float(ctx.settings.ocr_page_time_limit)
    for pp in prepared:
        try:
            result, image = _ocr_within(pp, ctx.settings, limit)
        except cf.TimeoutError:
            log.warning("OCR of page %d of %s over its %ss limit", pp.page, ctx.name, limit)
            results.append({"page": pp.page, "error": f"timeout after {limit}s",
                            "message": "识别超时，请检查这一页是否清晰完整，必要时重新扫描"})
            continue
        except Exception as e:  # noqa: BLE001 - one bad page must not sink the file
            log.exception("OCR failed on page %d of %s", pp.page, ctx.name)
            results.append({"page": pp.page, "error": repr(e), "message": "页面识别出错，请重新扫描这一页"})
            continue
        finally:
            pp.image = None        # free the page before the next one
        results.append(result)
        if ctx.save_derived is not None:
            keys[pp.page] = ctx.save_derived(f"pages/{pp.page}.png", to_png(image, pp.two_up))
    return assemble(results, ctx, page_keys=keys)


def read_scanned_pdf(path: Path, ctx: ReadContext) -> Document:
    """A PDF whose pages are images (called by the text-PDF reader)."""
    ctx.format = "pdf"
    return read_ocr(path, ctx)
