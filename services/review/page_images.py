"""Page images as the desk shows them: small WebP at display width, the full image on demand.

Scans keep their rendered PNG (the boxes are in its pixels); Word originals have no page
images of their own, so their pages come from the PDF the packets worker already prints
for every Word file (workers/packets/prints.py).  Either way the desk gets a WebP a few
tens of KB at display width, made once and kept in the store beside the original's other
derived files, instead of a 1-2 MB PNG per page.
"""
from __future__ import annotations

import io
import threading
from collections import OrderedDict

from PIL import Image

from storage.models import StoredFile
from storage.objects import ObjectNotFound, ObjectStore, derived_key
from workers.extract.convert import WORD_FORMATS
from workers.packets.dossier_pdf import printed_key

from .page_views import PageView

DISPLAY_WIDTH = 1000        # px: the desk's original column at 2x on a 1366 screen is ~650 css px
FULL_WIDTH = 2000           # px: "查看大图" of a printed page
WEBP_QUALITY = 72

_SIZES: OrderedDict[str, list[tuple[int, int]]] = OrderedDict()   # print key -> page sizes in points
_SIZES_LOCK = threading.Lock()


def is_word(row: StoredFile) -> bool:
    return (row.format or "") in WORD_FORMATS


def _pdf_sizes(store: ObjectStore, key: str) -> list[tuple[int, int]] | None:
    """The page sizes of a stored print, read once per process (prints never change: keyed by sha256)."""
    with _SIZES_LOCK:
        if key in _SIZES:
            return _SIZES[key]
    try:
        data = store.get(key)
    except ObjectNotFound:
        return None
    import pypdfium2 as pdfium   # loaded only where a Word print is shown

    pdf = pdfium.PdfDocument(data)
    try:
        sizes = [(int(w), int(h)) for w, h in (pdf.get_page_size(i) for i in range(len(pdf)))]
    finally:
        pdf.close()
    with _SIZES_LOCK:
        _SIZES[key] = sizes
        while len(_SIZES) > 256:
            _SIZES.popitem(last=False)
    return sizes


def printed_views(store: ObjectStore, row: StoredFile) -> list[PageView] | None:
    """The pages of a Word original's print (no boxes: a Word file is read without geometry);
    None while the print is not there yet."""
    if not is_word(row) or not store.exists(printed_key(row)):
        return None
    sizes = _pdf_sizes(store, printed_key(row)) or []
    return [PageView(file_id=row.id, page=n, width=w, height=h, printed=True) for n, (w, h) in enumerate(sizes, start=1)]


def _webp(img: Image.Image, width: int) -> bytes:
    if img.width > width:
        img = img.resize((width, round(img.height * width / img.width)), Image.LANCZOS)
    if img.mode not in ("RGB", "L"):
        img = img.convert("RGB")
    out = io.BytesIO()
    img.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def _render_print(store: ObjectStore, row: StoredFile, page: int, width: int) -> bytes | None:
    import pypdfium2 as pdfium

    try:
        data = store.get(printed_key(row))
    except ObjectNotFound:
        return None
    pdf = pdfium.PdfDocument(data)
    try:
        if not 1 <= page <= len(pdf):
            return None
        p = pdf[page - 1]
        scale = width / p.get_width()
        return _webp(p.render(scale=scale).to_pil(), width)
    finally:
        pdf.close()


def display_image(store: ObjectStore, row: StoredFile, page: int, scan_key: str | None,
                  *, full: bool = False) -> tuple[bytes, str] | None:
    """(bytes, media type) of one page at display width (or full size), made once and kept."""
    if scan_key is not None and full:
        return store.get(scan_key), ""          # the rendered page itself; the caller knows its type
    width = FULL_WIDTH if full else DISPLAY_WIDTH
    kept = derived_key(row.submission_id, f"{row.sha256}/view-p{page}-w{width}.webp")
    try:
        return store.get(kept), "image/webp"
    except ObjectNotFound:
        pass
    if scan_key is not None:
        raw = store.get(scan_key)
        try:
            data = _webp(Image.open(io.BytesIO(raw)), width)
        except (OSError, ValueError):      # not an image Pillow reads: the rendered page as it is
            return raw, ""
    elif is_word(row):
        made = _render_print(store, row, page, width)
        if made is None:
            return None
        data = made
    else:
        return None
    store.put_bytes(kept, data, content_type="image/webp")
    return data, "image/webp"
