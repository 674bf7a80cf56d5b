"""Tell what a file is by its bytes, not its name.

A `.exe` renamed `.docx` or a PDF renamed `.doc` must be refused or read for
what it is; the name only breaks ties (a Word 97 file saved as .wps is still
Word 97).
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from dossier.formats import MEDIA_TYPES


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Sniffed:
    format: str | None        # a key of MEDIA_TYPES, or None when not a file we read
    media_type: str
    reason: str = ""          # English, why it is not readable (for logs)


def sniff(path: Path, name: str | None = None) -> Sniffed:
    """The file's real format from its first bytes (and, for zips, its members)."""
    name = (name or path.name).lower()
    try:
        with path.open("rb") as fh:
            head = fh.read(64)
    except OSError as e:
        return Sniffed(None, "application/octet-stream", f"cannot open: {e}")
    if not head:
        return Sniffed(None, "application/x-empty", "empty file")
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return Sniffed("pdf", MEDIA_TYPES["pdf"])
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            # a damaged zip that calls itself a Word file is a damaged Word file
            if name.endswith((".docx", ".docm", ".dotx")):
                return Sniffed("docx", MEDIA_TYPES["docx"], f"damaged zip: {e}")
            return Sniffed(None, "application/zip", f"damaged zip: {e}")
        if "word/document.xml" in names:
            return Sniffed("docx", MEDIA_TYPES["docx"])
        return Sniffed(None, "application/zip", "a zip that is not a Word document")
    if head.startswith(OLE_MAGIC):
        # Word 97 compound file; WPS writes the same format under .wps
        return Sniffed("wps" if name.endswith(".wps") else "doc", MEDIA_TYPES["doc"])
    if head.startswith(b"{\\rtf"):
        return Sniffed("rtf", MEDIA_TYPES["rtf"])
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("jpeg", MEDIA_TYPES["jpeg"])
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("png", MEDIA_TYPES["png"])
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return Sniffed("tiff", MEDIA_TYPES["tiff"])
    if head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis", b"hevc"):
        return Sniffed("heic", MEDIA_TYPES["heic"])
    if head.startswith(b"BM"):
        return Sniffed("bmp", MEDIA_TYPES["bmp"])
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return Sniffed("webp", MEDIA_TYPES["webp"])
    if head.startswith(b"MZ"):
        return Sniffed(None, "application/x-msdownload", "a Windows executable")
    return Sniffed(None, "application/octet-stream", "unknown format")
