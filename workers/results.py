"""What extraction and checking produce: fields, counts, findings.

Plain data with `to_json()` in the shape of the contract's `dossier extract`
output; the database stores that JSON, the API and the web page show it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .extract.model import Box


@dataclass
class FieldValue:
    value: Any
    confidence: float = 1.0
    page: int = 1
    box: Box | None = None
    raw: str | None = None          # the text as written on the form, before normalising
    label: str = ""                 # the label on the form, for messages and the desk
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"value": self.value, "confidence": round(float(self.confidence), 3),
                               "page": self.page}
        if self.box is not None:
            out["box"] = self.box.as_list()
        if self.raw is not None and self.raw != self.value:
            out["raw"] = self.raw
        out.update(self.extra)
        return out


@dataclass
class Mark:
    """A seal, signature or date line found (or looked for) beside a field."""
    field: str
    kind: str                        # seal | signature | date
    present: bool
    value: str = ""                  # the date, normalised, for kind == date
    page: int = 1
    box: Box | None = None
    confidence: float = 1.0
    certain: bool = True             # False: could not tell (greyscale scan): a warning to the reviewer

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field, "kind": self.kind, "present": self.present,
                               "page": self.page, "confidence": round(float(self.confidence), 3)}
        if self.value:
            out["value"] = self.value
        if self.box is not None:
            out["box"] = self.box.as_list()
        if not self.certain:
            out["certain"] = False
        return out


@dataclass
class ExtractedDocument:
    kind: str
    fields: dict[str, FieldValue] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    marks: list[Mark] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind,
                "fields": {k: v.to_json() for k, v in self.fields.items()},
                "counts": dict(self.counts),
                "marks": [m.to_json() for m in self.marks]}


@dataclass
class Finding:
    code: str
    severity: str                    # error | warning
    field: str | None
    message: str                     # Chinese, names the field by its label, says what to do
    page: int | None = None
    box: Box | None = None
    kind: str | None = None          # the document kind it concerns
    # more about it, kept with it (FindingRow.extra): evidence "weak" and its reason
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "severity": self.severity, "field": self.field,
                               "message": self.message}
        out.update(self.extra)
        if self.kind:
            out["document"] = self.kind
        if self.page is not None:
            out["page"] = self.page
        if self.box is not None:
            out["box"] = self.box.as_list()
        return out


@dataclass
class FileInfo:
    name: str
    sha256: str
    media_type: str
    pages: int
    method: str
    size: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "media_type": self.media_type,
                "pages": self.pages, "method": self.method, "size": self.size}


@dataclass
class ExtractResult:
    campaign: str
    file: FileInfo
    documents: list[ExtractedDocument] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True            # False: the file could not be read at all
    error: str = ""                  # English detail when not readable
    # rendered pages kept for reviewers (scans): {page, width, height, key}; boxes are in these pixels
    page_images: list[dict[str, Any]] = field(default_factory=list)
    # every seal found on the pages, with its box, so a reviewer can see it
    seals: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = {"campaign": self.campaign, "file": self.file.to_json(),
               "documents": [d.to_json() for d in self.documents],
               "findings": [f.to_json() for f in self.findings]}
        if self.page_images:
            out["page_images"] = self.page_images
        if self.seals:
            out["seals"] = self.seals
        return out
