"""Page preparation: turn a scanned PDF or an image file into page images.

Cheap work only (decode, render, EXIF orientation, size limits, a two-up sheet cut
into its two pages), so that it can run in the extract task before the per-page
OCR fan-out.  Limits are checked before any pixel is decoded: an image header claiming 30000×30000 is refused
from its size alone.
"""
from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from dossier.settings import Settings

from .ocr_twoup import split_two_up
from .readers import ReadError

log = logging.getLogger(__name__)

# The longest side we OCR at: A4 at ~220 dpi.  Larger photos are downscaled;
# more pixels only cost time (RapidOCR's detector caps its input near 2000 px).
MAX_SIDE = 2600
# Below this an image cannot hold a legible form: read as an empty document.
MIN_SIDE = 64
DEFAULT_DPI = 200

MSG_UNREADABLE = "文件无法打开或已损坏，请重新扫描或拍照后上传。"
MSG_TOO_LARGE = "图片尺寸过大（像素数超过系统上限），请缩小后重新上传。"
MSG_TOO_MANY_PAGES = "文件页数过多（超过 {n} 页），请只上传申报所需的表格和材料。"


@dataclass
class PreparedPage:
    """One page ready for OCR: an RGB image in memory (or a file for another worker)."""
    page: int
    width: int
    height: int
    image: np.ndarray | None = None     # RGB uint8, H×W×3
    path: str | None = None             # a PNG of the page, when handed to another process
    # one half of a two-up sheet: the page's own edges are not in the image (white on white)
    two_up: bool = False

    def load(self) -> np.ndarray:
        if self.image is not None:
            return self.image
        if self.path is None:
            raise ValueError("prepared page has neither image nor path")
        return load_rgb(Image.open(self.path))


def _register_heif() -> None:
    try:
        from pillow_heif import register_heif_opener
        register_heif_opener()
    except ImportError:            # HEIC then reads as unsupported, nothing else breaks
        log.warning("pillow-heif not installed; HEIC photos cannot be read")


def load_rgb(im: Image.Image) -> np.ndarray:
    """RGB array of a Pillow image: alpha flattened on white, palette/CMYK/16-bit converted."""
    if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        bg = Image.new("RGB", im.size, (255, 255, 255))
        bg.paste(im, mask=im.split()[-1])
        im = bg
    elif im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        hi = arr.max() or 1.0
        im = Image.fromarray((arr * (255.0 / hi)).astype(np.uint8))
    if im.mode != "RGB":
        im = im.convert("RGB")
    return np.asarray(im).copy()


def downscale(img: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray:
    side = max(img.shape[:2])
    return img if side <= max_side else _reduce(img, max_side / side)


def _reduce(img: np.ndarray, factor: float) -> np.ndarray:
    """`img` scaled by `factor` (< 1) with an area average, which keeps a one-pixel rule."""
    import cv2
    h, w = img.shape[:2]
    return cv2.resize(img, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=cv2.INTER_AREA)


def _check_pixels(size: tuple[int, int], settings: Settings, name: str) -> None:
    w, h = size
    if w * h > settings.max_image_pixels:
        raise ReadError("file.unreadable", MSG_TOO_LARGE,
                        f"{name}: {w}x{h} = {w * h} px over max_image_pixels {settings.max_image_pixels}")


def image_pages(path: Path, settings: Settings) -> list[PreparedPage]:
    """Pages of an image file (TIFF may hold several), EXIF orientation applied."""
    _register_heif()
    # Pillow's own bomb guard, in step with ours: it raises before decoding.
    Image.MAX_IMAGE_PIXELS = settings.max_image_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            im = Image.open(path)
            _check_pixels(im.size, settings, path.name)
            n = getattr(im, "n_frames", 1) or 1
            if n > settings.max_pages:
                raise ReadError("file.unreadable", MSG_TOO_MANY_PAGES.format(n=settings.max_pages),
                                f"{path.name}: {n} frames over max_pages {settings.max_pages}")
            pages: list[PreparedPage] = []
            for i in range(n):
                if n > 1:
                    im.seek(i)
                    _check_pixels(im.size, settings, f"{path.name} frame {i + 1}")
                frame = ImageOps.exif_transpose(im) if i == 0 else im.copy()
                halves = split_two_up(downscale(load_rgb(frame)))
                for arr in halves:
                    h, w = arr.shape[:2]
                    pages.append(PreparedPage(page=len(pages) + 1, width=w, height=h, image=arr,
                                              two_up=len(halves) == 2))
            return pages
    except ReadError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise ReadError("file.unreadable", MSG_TOO_LARGE, f"{path.name}: {e}") from e
    except (OSError, ValueError, SyntaxError, EOFError) as e:
        raise ReadError("file.unreadable", MSG_UNREADABLE, f"{path.name}: cannot decode image: {e}") from e


def _native_dpi(page: object) -> float | None:
    """The resolution of a scanned page's one full-page image, or None for any other page."""
    try:
        imgs = page.images  # type: ignore[attr-defined]
        if len(imgs) == 1:
            im = imgs[0]
            w_pt = float(im["x1"]) - float(im["x0"])
            src_w = float(im["srcsize"][0])
            if w_pt > 0.6 * float(page.width):  # type: ignore[attr-defined]
                return src_w / (w_pt / 72.0)
    except Exception:  # noqa: BLE001 - a page we cannot inspect renders at the default
        pass
    return None


def _page_dpi(page: object) -> tuple[float, float]:
    """(render at, read at): a scan is rendered at its own resolution, pixel for pixel, and read
    within 150–220 dpi.  Letting the renderer resample a scan by a few per cent (a two-up sheet
    just over MAX_SIDE) greys a one-pixel rule out of the grid: two rows of a score sheet then read
    as one cell (4 and 3 as 43); an area average keeps the rule."""
    native = _native_dpi(page)
    if native is None:
        return float(DEFAULT_DPI), float(DEFAULT_DPI)
    target = float(min(220.0, max(150.0, native)))
    # a scan of up to twice the resolution read is decoded whole; beyond that (a 600 dpi scan)
    # the renderer reduces it, as its memory would otherwise be four times the page's
    return (native if target <= native <= 2 * target else target), target


def pdf_pages(path: Path, settings: Settings) -> list[PreparedPage]:
    """Render every page of a (scanned) PDF to an RGB image."""
    import pdfplumber
    try:
        pdf = pdfplumber.open(str(path))
    except Exception as e:  # noqa: BLE001 - pdfminer raises many types for a damaged file
        raise ReadError("file.unreadable", MSG_UNREADABLE, f"{path.name}: cannot open pdf: {e}") from e
    with pdf:
        n = len(pdf.pages)
        if n == 0:
            raise ReadError("file.unreadable", MSG_UNREADABLE, f"{path.name}: pdf has no pages")
        if n > settings.max_pages:
            raise ReadError("file.unreadable", MSG_TOO_MANY_PAGES.format(n=settings.max_pages),
                            f"{path.name}: {n} pages over max_pages {settings.max_pages}")
        out: list[PreparedPage] = []
        for i, page in enumerate(pdf.pages):
            dpi, target = _page_dpi(page)
            w_px, h_px = float(page.width) * dpi / 72, float(page.height) * dpi / 72
            side = max(w_px, h_px)
            if side > 2 * MAX_SIDE:       # huge page sizes (A0 posters): the renderer reduces them
                dpi *= 2 * MAX_SIDE / side
            if w_px * h_px > settings.max_image_pixels:
                dpi *= (settings.max_image_pixels / (w_px * h_px)) ** 0.5
            target = min(target, dpi)
            rgb = load_rgb(page.to_image(resolution=dpi).original)
            if target < dpi:
                rgb = _reduce(rgb, target / dpi)
            halves = split_two_up(downscale(rgb))
            for arr in halves:
                h, w = arr.shape[:2]
                out.append(PreparedPage(page=len(out) + 1, width=w, height=h, image=arr,
                                        two_up=len(halves) == 2))
        return out


# a PNG text chunk that carries `PreparedPage.two_up` to the process that reads the page
TWO_UP_KEY = "dossier-two-up"


def to_png(img: np.ndarray, two_up: bool = False) -> bytes:
    buf = io.BytesIO()
    info = None
    if two_up:
        from PIL.PngImagePlugin import PngInfo
        info = PngInfo()
        info.add_text(TWO_UP_KEY, "1")
    Image.fromarray(img).save(buf, format="PNG", optimize=False, compress_level=3, pnginfo=info)
    return buf.getvalue()


def png_two_up(im: Image.Image) -> bool:
    """Whether a page stored by `to_png` is one half of a two-up sheet."""
    return im.info.get(TWO_UP_KEY) == "1"
