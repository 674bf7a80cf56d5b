"""Extract and check one file: sniff → read → locate → normalise → check.

The plain function behind the `extract` Celery task and `dossier extract`.
"""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from dossier.campaigns import Campaign

from .checks.document import check_document
from .checks.evidence import loose_seals, printed_text
from .checks.unclaimed import unclaimed_values
from .degenerate import degenerate_image, degenerate_result
from .extract.model import Document
from .extract.limits import check_input, check_read
from .extract.readers import Measure, ReadContext, ReaderSpec, ReadError, spec_for
from .extract.sniff import MEDIA_TYPES, sniff
from .forms.furniture import drop_page_furniture
from .forms.locate import locate
from .forms.seal_nearby import adopt_nearby_seals
from .forms.values import build_document
from .results import ExtractResult, FileInfo, Finding

log = logging.getLogger(__name__)

UNSUPPORTED_MSG = ("不支持这种文件。请上传 Word 文件（.docx、.doc、.wps）、PDF，"
                   "或扫描件、照片（.jpg、.png、.tif）。")


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_document(path: Path, ctx: ReadContext) -> Document:
    """The common model of `path`, its limits checked first; raises ReadError when it
    cannot be read (over a limit, damaged, encrypted, a format no reader declares)."""
    spec = spec_for(ctx.format)
    return _read_checked(path, ctx, spec, check_input(path, spec, ctx.settings))


def _read_checked(path: Path, ctx: ReadContext, spec: ReaderSpec, measured: Measure) -> Document:
    doc = spec.read(path, ctx)
    check_read(doc, measured, spec, ctx.settings)
    return doc


def campaign_year(campaign: Campaign) -> int | None:
    """The campaign's year, against which two-digit years on its forms are read."""
    if campaign.deadline is not None:
        return campaign.deadline.year
    issued = str(campaign.raw.get("issued") or "")
    return int(issued[:4]) if issued[:4].isdigit() else None


def analyse(doc: Document, campaign: Campaign, *, low_confidence: float = 0.8) -> tuple[list, list[Finding]]:
    """Documents and findings of an already-read file."""
    documents, findings = [], []
    for problem in doc.problems:
        findings.append(Finding(problem.code, "error" if problem.code.startswith("file.") else "warning",
                                None, problem.message, page=problem.page))
    # headers, footers and page numbers are no part of any material or its 字数
    located_docs = locate(drop_page_furniture(doc), campaign)
    adopt_nearby_seals(doc, located_docs)
    loose = loose_seals(doc, located_docs)
    stray = unclaimed_values(doc, located_docs, campaign)
    printed = printed_text(doc, located_docs)
    for located in located_docs:
        extracted = build_document(located, year=campaign_year(campaign))
        documents.append(extracted)
        findings.extend(check_document(extracted, located.spec, method=doc.method,
                                       low_confidence=low_confidence, loose_seals=loose, unclaimed=stray,
                                       printed=printed, offpage=doc.offpage))
    if not documents:
        kinds = "、".join(f"《{d.title}》" for d in campaign.documents)
        findings.append(Finding("form.unrecognised", "error", None,
                                f"没有在文件中找到本次评选要求的材料（{kinds}）。请确认上传的是正确的表格或材料，"
                                f"扫描件请保证清晰、完整、方向正确。"))
    return documents, findings


def extract_file(path: Path, campaign: Campaign, *, name: str | None = None,
                 ctx: ReadContext | None = None) -> ExtractResult:
    """Read, locate and check one file.  Never raises for bad input: a file that
    cannot be read gives a result with `readable=False` and its finding."""
    name = name or path.name
    size = path.stat().st_size
    digest = sha256_of(path)
    sniffed = sniff(path, name)
    info = FileInfo(name=name, sha256=digest, media_type=sniffed.media_type, pages=0, method="", size=size)
    if sniffed.format is None:
        code = "file.unreadable" if size == 0 else "file.unsupported"
        msg = "文件是空的（0 字节），请重新上传完整的文件。" if size == 0 else UNSUPPORTED_MSG
        return ExtractResult(campaign=campaign.id, file=info, readable=False, error=sniffed.reason,
                             findings=[Finding(code, "error", None, msg)])
    info.media_type = MEDIA_TYPES.get(sniffed.format, sniffed.media_type)
    if ctx is None:
        ctx = ReadContext(name=name, format=sniffed.format)
    else:
        ctx.format = sniffed.format
    if sniffed.reason and sniffed.format == "docx":
        return ExtractResult(campaign=campaign.id, file=info, readable=False, error=sniffed.reason,
                             findings=[Finding("file.unreadable", "error", None,
                                               "文件已损坏，无法打开。请用 Word 重新保存后上传。")])
    try:
        # the limits before anything decodes the file, the blank-image test included
        spec = spec_for(sniffed.format)
        measured = check_input(path, spec, ctx.settings)
        degenerate = degenerate_image(path, sniffed.format)
        if degenerate is not None:
            return degenerate_result(campaign, info, degenerate)
        doc = _read_checked(path, ctx, spec, measured)
    except ReadError as e:
        log.info("cannot read %s: %s", name, e.detail or e.message)
        return ExtractResult(campaign=campaign.id, file=info, readable=False, error=e.detail or e.message,
                             findings=[Finding(e.code, "error", None, e.message)])
    return result_of(doc, campaign, info, ctx)


def result_of(doc: Document, campaign: Campaign, info: FileInfo, ctx: ReadContext) -> ExtractResult:
    """The contract's result of a read document: located, checked, with its page images
    and seals.  Shared by the one-task path and the OCR join (`ocr.assemble`)."""
    info.pages, info.method = doc.pages, doc.method
    documents, findings = analyse(doc, campaign, low_confidence=ctx.settings.ocr_low_confidence)
    page_images = [{"page": p.page, "width": p.width, "height": p.height, "key": p.key}
                   for p in doc.page_images if p.key]
    seals = [{"page": p.page, "box": p.box.as_list(), "kind": p.kind, "confidence": round(p.confidence, 3)}
             for p in doc.pictures if p.box is not None and p.kind.startswith("seal") and not p.kind.endswith("_unknown")]
    return ExtractResult(campaign=campaign.id, file=info, documents=documents, findings=findings,
                         page_images=page_images, seals=seals)
