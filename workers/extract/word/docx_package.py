"""The parts of a .docx the reader needs, straight from the zip.

A .docx is a zip of XML parts; the reader needs the main document (and, for text
boxes, the default font size in the styles).  python-docx parses every part
(styles, numbering, settings, theme, headers) and wraps each element in its own
classes before a word is read, which was most of a Word file's reading time; here
the main part is found through the package relationships and parsed once with
lxml, with entities and network access off.  Zip bombs are refused before anything
is inflated (limits.py, from `inflated_size`), damaged zips here.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from docx.oxml.ns import qn
from lxml import etree

from ..readers import ReadError

_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
_FOOTNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_ENDNOTES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_DEFAULTS = re.compile(rb"<w:docDefaults\b.*?</w:docDefaults>", re.S)
_SZ = re.compile(rb"<w:sz\s+w:val=\"(\d+)\"")
# the default paragraph style: <w:style w:type="paragraph" w:default="1" …> … </w:style>
_NORMAL = re.compile(rb"<w:style\b(?=[^>]*w:type=\"paragraph\")(?=[^>]*w:default=\"(?:1|true|on)\")[^>]*>.*?</w:style>", re.S)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True, huge_tree=False)

MSG_DAMAGED = "文件已损坏，无法打开。请用 Word 重新保存后上传。"
MSG_UNREADABLE = "无法读取这个 Word 文件，文件可能已损坏。请用 Word 重新保存后上传。"


@dataclass
class DocxPackage:
    body: etree._Element          # w:body of the main document
    default_font_size: float      # points, from the styles' docDefaults (10.5, 五号, when not said)
    # footnote and endnote text by (kind, id): Word's 字数 counts them with the text they annotate
    notes: dict[tuple[str, str], str] = field(default_factory=dict)


def inflated_size(path: Path) -> int | None:
    """The members' sizes once inflated, as the zip's directory declares them (None: not a
    readable zip).  The directory is all there is to trust before inflating: zipfile stops
    a member at its declared size, so a lying entry inflates no further than it says."""
    try:
        with zipfile.ZipFile(path) as z:
            return sum(info.file_size for info in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _rel_target(z: zipfile.ZipFile, rels_name: str, rel_type: str, base: str) -> str | None:
    try:
        rels = etree.fromstring(z.read(rels_name), _PARSER)
    except KeyError:
        return None
    for rel in rels.iter(_PKG_REL):
        if rel.get("Type") == rel_type and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
    return None


def _font_size(z: zipfile.ZipFile, main: str) -> float:
    folder, name = posixpath.split(main)
    styles = _rel_target(z, posixpath.join(folder, "_rels", name + ".rels"), _STYLES, folder)
    if styles is None:
        return 10.5
    try:
        data = z.read(styles)
    except KeyError:
        return 10.5
    # docDefaults opens the styles part, which runs to hundreds of styles: no need to parse them.
    # The default paragraph style (Normal, 正文) sets the size of every paragraph that names no
    # style of its own, over docDefaults, as Word lays them out
    normal = _NORMAL.search(data)
    size = _SZ.search(normal.group(0)) if normal else None
    if size is None:
        m = _DEFAULTS.search(data)
        size = _SZ.search(m.group(0)) if m else None
    return int(size.group(1)) / 2 if size else 10.5


def _notes(z: zipfile.ZipFile, main: str, data: bytes) -> dict[tuple[str, str], str]:
    """Footnotes and endnotes the main document refers to, each note's text by its id."""
    from .docx_boxes import plain_text

    out: dict[tuple[str, str], str] = {}
    folder, name = posixpath.split(main)
    for kind, rel_type in (("footnote", _FOOTNOTES), ("endnote", _ENDNOTES)):
        if f"{kind}Reference".encode() not in data:
            continue
        part = _rel_target(z, posixpath.join(folder, "_rels", name + ".rels"), rel_type, folder)
        try:
            root = etree.fromstring(z.read(part), _PARSER) if part else None
        except (KeyError, etree.XMLSyntaxError):
            root = None
        for note in root.iter(qn(f"w:{kind}")) if root is not None else ():
            text = "\n".join(t for t in (plain_text(p) or "" for p in note.iter(qn("w:p"))) if t.strip())
            if text.strip():
                out[(kind, note.get(qn("w:id"), ""))] = text
    return out


def open_package(path: Path) -> DocxPackage:
    """The main document's body (and the default font size when boxes need it), or ReadError.
    Its inflated size is checked before (limits.check_input, from `inflated_size`)."""
    try:
        with zipfile.ZipFile(path) as z:
            main = _rel_target(z, "_rels/.rels", _OFFICE_DOC, "") or "word/document.xml"
            data = z.read(main)
            root = etree.fromstring(data, _PARSER)
            body = root.find(qn("w:body"))
            if root.tag != qn("w:document") or body is None:
                raise ReadError("file.unreadable", MSG_UNREADABLE, f"{main} is not a WordprocessingML document")
            # the font size only places text boxes on their line: read the styles only then
            size = _font_size(z, main) if b"txbxContent" in data else 10.5
            return DocxPackage(body=body, default_font_size=size, notes=_notes(z, main, data))
    except ReadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise ReadError("file.unreadable", MSG_DAMAGED, f"damaged zip: {e}") from e
    except (KeyError, ValueError, etree.XMLSyntaxError) as e:
        raise ReadError("file.unreadable", MSG_UNREADABLE, f"not a readable .docx: {e}") from e
