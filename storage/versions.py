"""What each version of a submission holds, and what changed between two.

A unit that is sent back usually re-uploads only the document that was wrong
(the 申报表, say), not everything.  So version N holds the documents of
version N-1 with those of the same kind replaced by the files N added; a
document whose kind could not be told stays as a document of its own.  The
fields of a version are the fields of the documents it holds.

A version is recorded before its files are read.  `fill_versions` takes the
fields of every version whose files are all final and stores them beside it
(the worker calls it when the last file of a submission is done, the review
calls it when it records a version), so the desk reads a stored snapshot and a
later re-read of a file does not rewrite history.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import StoredFile, utcnow
from storage.review_models import SubmissionVersion


@dataclass
class Holding:
    """The documents one version holds: by kind, the file each came from and its fields."""
    files: dict[str, str] = field(default_factory=dict)          # kind -> file id
    fields: dict[str, Any] = field(default_factory=dict)         # key -> value
    ready: bool = True                                           # every file final

    @property
    def file_ids(self) -> list[str]:
        return list(dict.fromkeys(self.files.values()))


def versions(session: Session, submission_id: str) -> list[SubmissionVersion]:
    return list(session.scalars(select(SubmissionVersion)
                                .where(SubmissionVersion.submission_id == submission_id)
                                .order_by(SubmissionVersion.version)))


def _value(fv: Any) -> Any:
    return fv.get("value") if isinstance(fv, dict) else fv


def holding(session: Session, chain: list[SubmissionVersion]) -> Holding:
    """The documents and fields held by the last version of `chain` (versions 1..N in order)."""
    ids = [fid for v in chain for fid in (v.file_ids or [])]
    rows = {r.id: r for r in session.scalars(select(StoredFile).where(StoredFile.id.in_(ids)))} if ids else {}
    out = Holding()
    docs: dict[str, dict[str, Any]] = {}
    for v in chain:
        # a file gone from the table holds nothing; the rest in upload order, later ones win
        for row in sorted((rows[i] for i in (v.file_ids or []) if i in rows), key=lambda r: (r.created_at, r.id)):
            fid = row.id
            if not row.is_final:
                out.ready = False
            for n, doc in enumerate((row.result or {}).get("documents", [])):
                kind = str(doc.get("kind") or f"{fid}#{n}")
                out.files[kind] = fid
                docs[kind] = doc
    for doc in docs.values():
        for key, fv in (doc.get("fields") or {}).items():
            out.fields[key] = _value(fv)
    return out


def fill_versions(session: Session, submission_id: str, now: dt.datetime | None = None) -> int:
    """Store the fields of each version not yet filled whose files are all final; returns how many.
    The caller commits."""
    chain = versions(session, submission_id)
    filled = 0
    for i, v in enumerate(chain):
        if v.fields_at is not None:
            continue
        held = holding(session, chain[: i + 1])
        if not held.ready:
            break                        # a later version holds this one's files too
        v.fields = held.fields
        v.fields_at = now or utcnow()
        filled += 1
    return filled


def fields_of(session: Session, chain: list[SubmissionVersion]) -> dict[str, Any] | None:
    """The last version's fields: stored when filled, else read now; None while a file is unread."""
    last = chain[-1]
    if last.fields_at is not None:
        return dict(last.fields or {})
    held = holding(session, chain)
    return held.fields if held.ready else None


def changes(session: Session, submission_id: str) -> list[dict[str, Any]] | None:
    """What the newest version changed against the one before, [{field, before, after}];
    None while the newest version's files are still being read."""
    chain = versions(session, submission_id)
    if len(chain) < 2:
        return []
    before = fields_of(session, chain[:-1])
    after = fields_of(session, chain)
    if before is None or after is None:
        return None
    return [{"field": k, "before": before.get(k), "after": after.get(k)}
            for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
