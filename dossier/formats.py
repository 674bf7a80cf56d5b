"""The file formats dossier reads and the media type each is served with (downloads, page views)."""
from __future__ import annotations

# format -> media type
MEDIA_TYPES: dict[str, str] = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "wps": "application/vnd.ms-works",
    "rtf": "application/rtf",
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "heic": "image/heic",
    "bmp": "image/bmp",
    "webp": "image/webp",
}
