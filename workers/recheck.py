"""Run a document's checks again on the values a reviewer corrected.

The document is rebuilt from the result JSON the worker stored (fields, 字数
counts, seal and date marks), the corrected values are normalised as the form
reader normalises them and put in, and `check_document` — the same function the
worker ran — says what is wrong now.  Nothing is read from the file again.
"""
from __future__ import annotations

from typing import Any

from dossier.campaigns import DocumentSpec
from dossier.counting import count_chars

from .checks.document import check_document
from .extract.model import Box
from .forms.values import normalise
from .results import ExtractedDocument, FieldValue, Finding, Mark

_FV_KEYS = ("value", "confidence", "page", "box", "raw")


def _box(v: Any) -> Box | None:
    return Box(*v) if isinstance(v, (list, tuple)) and len(v) == 4 else None


def document_from_json(data: dict[str, Any]) -> ExtractedDocument:
    """The ExtractedDocument a stored `documents[i]` entry was written from."""
    doc = ExtractedDocument(kind=str(data.get("kind") or ""), counts=dict(data.get("counts") or {}))
    for key, fv in (data.get("fields") or {}).items():
        fv = fv if isinstance(fv, dict) else {"value": fv}
        doc.fields[key] = FieldValue(value=fv.get("value"), confidence=float(fv.get("confidence", 1.0)),
                                     page=int(fv.get("page") or 1), box=_box(fv.get("box")), raw=fv.get("raw"),
                                     extra={k: v for k, v in fv.items() if k not in _FV_KEYS})
    for m in data.get("marks") or []:
        doc.marks.append(Mark(field=str(m.get("field")), kind=str(m.get("kind")), present=bool(m.get("present")),
                              value=str(m.get("value") or ""), page=int(m.get("page") or 1), box=_box(m.get("box")),
                              confidence=float(m.get("confidence", 1.0)), certain=bool(m.get("certain", True))))
    return doc


def recheck_document(data: dict[str, Any], spec: DocumentSpec, corrected: dict[str, str], *,
                     method: str = "docx") -> list[Finding]:
    """The findings of a stored document with `corrected` values ({field key: what the reviewer typed})."""
    doc = document_from_json(data)
    leaves = {f.key: f for f in spec.leaf_fields()}
    for key, typed in corrected.items():
        f = leaves.get(key)
        if f is None:
            continue
        old = doc.fields.get(key)
        # a person typed it: certain, wherever the machine had read it
        doc.fields[key] = FieldValue(value=normalise(f, typed), confidence=1.0, page=old.page if old else 1,
                                     box=old.box if old else None, label=f.label,
                                     extra=old.extra if old else {})
        if f.length is not None:
            doc.counts[key] = count_chars(typed)
    return check_document(doc, spec, method=method)
