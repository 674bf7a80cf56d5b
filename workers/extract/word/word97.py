"""Word 97 binaries (.doc, and .wps saved by WPS in that format) → the common model.

Two readings of the same file:
  * the binary itself (word97_binary + word97_model): text, table cells from
    the cell/row marks with their grid and merges, pictures from \\x08/\\x01;
  * LibreOffice's conversion to .docx, read by the docx reader.
The converted .docx is always kept beside the original (the contract's method
`converted`, and reviewers can open it).  The model comes from the binary:
LibreOffice drops table structure in some of these files (whole tables come
out as flat paragraphs), while the binary's cell marks and row properties are
exact.  The conversion's model is used only when the binary cannot be decoded
(Word 6/95, encrypted or oddly fast-saved files) or clearly lost text that
LibreOffice found (text boxes and frames, which the binary keeps outside its main
text); either way `method` is "converted".
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from dossier.settings import Settings

from ..convert import ConvertError, convert_bytes_to_docx, read_docx_bytes, save_converted
from ..model import Document, Paragraph, Table
from ..readers import Measure, ReadContext, ReaderSpec, ReadError
from .word97_binary import EncryptedError, NotWordError, Word97Error, read_word97_text, summary_pages
from .word97_model import build_blocks

log = logging.getLogger(__name__)

_MSG_UNREADABLE = "无法读取这个 Word 文件，文件可能已损坏、加密或并非真正的 Word 文档。请用 Word 另存为 .docx 后重新上传。"
_MSG_ENCRYPTED = "这个 Word 文件设置了密码（已加密），无法读取。请取消密码后重新上传。"

# the binary's text may be this much shorter than LibreOffice's before we
# distrust the binary decoding (LibreOffice adds no text of its own)
_MIN_TEXT_RATIO = 0.9
_WS = re.compile(r"\s+")


def _text_len(doc: Document) -> int:
    n = 0
    for b in doc.blocks:
        if isinstance(b, Table):
            n += sum(len(_WS.sub("", p)) for c in b.cells for p in c.paragraphs)
        elif isinstance(b, Paragraph):
            n += len(_WS.sub("", b.text))
    return n


def _all_text(doc: Document) -> str:
    parts = []
    for b in doc.blocks:
        if isinstance(b, Table):
            parts.extend(p for c in b.cells for p in c.paragraphs)
        elif isinstance(b, Paragraph):
            parts.append(b.text)
    return _WS.sub("", "".join(parts))


def _boxes_lost(binary: Document, converted: Document) -> bool:
    """Text boxes and frames live outside the main text stream the binary reader decodes:
    a box LibreOffice read whose text the binary lacks (values typed in boxes) is lost there."""
    text = _all_text(binary)
    return any(_WS.sub("", b.text) not in text for b in converted.blocks
               if isinstance(b, Paragraph) and b.source in ("textbox", "floating") and _WS.sub("", b.text))


def _binary_model(path: Path, ctx: ReadContext) -> Document:
    text = read_word97_text(str(path))
    blocks, pages = build_blocks(text.paras)
    if text.num_pages and text.num_pages > pages:
        pages = text.num_pages            # the saving application's own page count
    return Document(blocks=blocks, pages=pages, method="converted", media_type=ctx.format)


def read_word97(path: Path, ctx: ReadContext) -> Document:
    """Read a .doc/.wps file; keep its LibreOffice .docx conversion beside it."""
    binary: Document | None = None
    binary_err: Word97Error | None = None
    try:
        binary = _binary_model(path, ctx)
    except EncryptedError as e:
        raise ReadError("file.unreadable", _MSG_ENCRYPTED, f"Word 97 file is encrypted: {e}") from e
    except NotWordError as e:
        # a text file or anything else renamed .doc: LibreOffice would happily
        # import it as plain text, which is not what the unit meant to send
        raise ReadError("file.unreadable", _MSG_UNREADABLE, f"not a Word 97 file: {e}") from e
    except Word97Error as e:
        binary_err = e
        log.info("binary Word 97 decoding of %s failed, trying LibreOffice: %s", ctx.name, e)

    converted: Document | None = None
    try:
        # with the binary read, the conversion only checks it: a slow LibreOffice is not waited out
        check = ctx.settings.convert_check_timeout if binary is not None else None
        data = convert_bytes_to_docx(path, ctx.settings, ctx.format, timeout=check)
    except ConvertError as e:
        log.warning("LibreOffice conversion of %s failed: %s", ctx.name, e)
        if binary is None:
            raise ReadError("file.unreadable", _MSG_UNREADABLE,
                            f"not decodable ({binary_err}) and LibreOffice failed ({e})") from e
    else:
        save_converted(data, ctx)
        try:
            converted = read_docx_bytes(data, ctx)
        except ReadError as e:
            log.warning("converted docx of %s unreadable: %s", ctx.name, e.detail)

    if binary is not None and _text_len(binary) > 0:
        if converted is None or (_text_len(binary) >= _MIN_TEXT_RATIO * _text_len(converted)
                                 and not _boxes_lost(binary, converted)):
            doc = binary
        else:
            log.warning("binary decoding of %s lost text (%d vs %d chars); using LibreOffice's",
                        ctx.name, _text_len(binary), _text_len(converted))
            doc = converted
    elif converted is not None and _text_len(converted) > 0:
        doc = converted
    elif binary is not None:
        doc = binary                      # an empty document: the locator will say so
    else:
        raise ReadError("file.unreadable", _MSG_UNREADABLE, f"cannot decode: {binary_err}")
    doc.method = "converted"
    doc.media_type = ctx.format
    return doc


def measure_word97(path: Path, settings: Settings) -> Measure:
    """The pages the saving application counted; without them the pages read are checked."""
    return Measure(pages=summary_pages(str(path)))


READS = ReaderSpec(formats=("doc", "wps"), read=read_word97, measure=measure_word97)
