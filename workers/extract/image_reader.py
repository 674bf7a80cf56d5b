"""Photos and image scans (.jpg .png .tif .heic .bmp .webp) → the common model by OCR."""
from __future__ import annotations

import warnings
from functools import lru_cache
from pathlib import Path

from PIL import Image

from dossier.settings import Settings

from .model import Document
from .readers import Measure, ReadContext, ReaderSpec, ReadError

IMAGE_FORMATS = ("jpeg", "png", "tiff", "heic", "bmp", "webp")
MSG_TOO_MANY_PAGES = "文件页数过多（超过 {limit} 页），请只上传申报所需的表格和材料。"
MSG_NO_OCR = "暂不支持读取这种格式的文件，请改交 Word（.docx）或 PDF 文件。"


def read_image(path: Path, ctx: ReadContext) -> Document:
    """Every frame of the image (multi-page TIFF included), upright, OCR'd."""
    try:
        # imported here: a worker that never reads an image never loads the OCR models
        from .ocr_reader import read_ocr
    except ImportError as e:
        raise ReadError("file.unsupported", MSG_NO_OCR, f"OCR reader unavailable: {e}") from e
    return read_ocr(path, ctx)


def measure_image(path: Path, settings: Settings) -> Measure:
    """Frames and pixels from the header alone: Pillow decodes no pixel to open a file."""
    _register_heif()
    try:
        with warnings.catch_warnings():
            # a header past Pillow's own bomb guard is over ours as well: measure it, do not refuse
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                pixels = im.size[0] * im.size[1]
                frames = getattr(im, "n_frames", 1) or 1
    except Image.DecompressionBombError:
        return Measure(pixels=settings.max_image_pixels + 1)
    except (OSError, ValueError, SyntaxError, EOFError):
        return Measure()                     # damaged: the reader says so in its own words
    return Measure(pages=frames, pixels=pixels)


@lru_cache(maxsize=1)
def _register_heif() -> None:
    try:
        from pillow_heif import register_heif_opener
        register_heif_opener()
    except ImportError:            # a HEIC photo is then measured by nothing; the reader refuses it
        pass


READS = ReaderSpec(formats=IMAGE_FORMATS, read=read_image, measure=measure_image,
                   too_many_pages=MSG_TOO_MANY_PAGES)
