"""Images that cannot hold a form: answered from their header, never OCR'd.

A 1×1 PNG or a 10×10000 strip is a valid image with nothing a person could
read on it; the OCR geometry (deskew, rules, seals) has nothing to work on and
fails on it.  Such a file gets `form.unrecognised`, with its size, and no
traceback.
"""
from __future__ import annotations

import logging
from pathlib import Path

from PIL import Image

from dossier.campaigns import Campaign

from .results import ExtractResult, FileInfo, Finding

log = logging.getLogger(__name__)

# an image smaller than this on a side, or this many times longer than wide, cannot hold a form
MIN_IMAGE_SIDE = 64
MAX_IMAGE_ASPECT = 10
IMAGE_FORMATS = ("jpeg", "png", "tiff", "bmp", "webp", "heic")


def degenerate_image(path: Path, fmt: str) -> tuple[int, int] | None:
    """The size of an image too small or too thin to hold a form (1×1, a 10×10000 strip),
    read from its header; None for any other file.  Such an image is not OCR'd: the OCR
    reader's geometry has nothing to work on and would fail on it."""
    if fmt not in IMAGE_FORMATS:
        return None
    try:
        with Image.open(path) as im:
            w, h = im.size
    except Exception:  # noqa: BLE001 - a damaged image is the reader's to report
        return None
    if min(w, h) < MIN_IMAGE_SIDE or max(w, h) > MAX_IMAGE_ASPECT * max(1, min(w, h)):
        return w, h
    return None


def degenerate_result(campaign: Campaign, info: FileInfo, size: tuple[int, int]) -> ExtractResult:
    """The result of a degenerate image: read, nothing found, and why."""
    info.pages, info.method = 1, "ocr"
    w, h = size
    log.info("%s: image of %dx%d px cannot hold a form; not OCR'd", info.name, w, h)
    return ExtractResult(campaign=campaign.id, file=info, findings=[Finding(
        "form.unrecognised", "error", None,
        f"图片只有 {w}×{h} 像素（太小或太窄），看不出表格或材料的内容。请上传完整、清晰的扫描件或照片。")])
