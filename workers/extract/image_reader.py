"""Photos and image scans (.jpg .png .tif .heic .bmp .webp) → the common model by OCR."""
from __future__ import annotations

from pathlib import Path

from .model import Document
from .ocr_reader import read_ocr
from .readers import ReadContext


def read_image(path: Path, ctx: ReadContext) -> Document:
    """Every frame of the image (multi-page TIFF included), upright, OCR'd."""
    return read_ocr(path, ctx)
