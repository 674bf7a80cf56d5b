"""A submission's files as read: where each stands (state, progress, documents, findings) and its
original bytes.  The unit's pages (services/submissions) and the reviewer's desk (services/review)
both show them, so they live below both (services/__init__.py gives the order)."""
from __future__ import annotations

from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.kit.errors import NotFound
from storage import standing as lifecycle
from storage.models import FileState, FindingRow, StoredFile, Submission
from storage.objects import ObjectNotFound, ObjectStore


def open_original(session: Session, store: ObjectStore, submission_id: str,
                  file_id: str) -> tuple[StoredFile, BinaryIO]:
    """A file's row and a stream of its original bytes (the caller closes it)."""
    row = session.get(StoredFile, file_id)
    if row is None or row.submission_id != submission_id:
        raise NotFound("找不到这个文件，请检查链接是否正确。", f"no file {file_id} in {submission_id}",
                       code="file.not_found")
    try:
        return row, store.open(row.object_key)
    except ObjectNotFound:
        raise NotFound("文件原件已不在存储中，请联系管理员。", f"object {row.object_key} missing",
                       code="file.missing", status_code=410) from None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def file_json(row: StoredFile, findings: list[FindingRow]) -> dict[str, Any]:
    result = row.result or {}
    return {
        "id": row.id, "name": row.name, "sha256": row.sha256, "size": row.size,
        "media_type": row.media_type, "format": row.format,
        "state": row.state, "progress": row.progress, "method": row.method, "pages": row.pages,
        "error": row.error, "attempts": row.attempts,
        "created_at": _iso(row.created_at), "updated_at": _iso(row.updated_at),
        "finished_at": _iso(row.finished_at),
        "documents": result.get("documents", []),
        "findings": [f.to_json() for f in findings],
    }


def submission_status(session: Session, submission_id: str) -> dict[str, Any]:
    """Everything the unit's page shows, as JSON: the submission and where it stands in its
    lifecycle, its current files with state, progress, documents and findings, the files a
    newer one replaced (history, without findings: they no longer apply), and the
    submission-level findings."""
    sub = session.scalar(select(Submission).where(Submission.id == submission_id)
                         .options(selectinload(Submission.files), selectinload(Submission.findings)))
    if sub is None:
        raise NotFound("找不到这份申报材料，请检查链接是否正确。", f"no submission {submission_id}",
                       code="submission.not_found")
    by_file: dict[str | None, list[FindingRow]] = {}
    for f in sub.findings:
        by_file.setdefault(f.file_id, []).append(f)
    current = lifecycle.current_files(list(sub.files))
    files = [file_json(row, by_file.get(row.id, [])) for row in current]
    history = [{"id": row.id, "name": row.name, "size": row.size, "sha256": row.sha256,
                "created_at": _iso(row.created_at),
                "replaced_by": row.replaced_by} for row in sub.files if row.replaced_by is not None]
    sub_findings = [f.to_json() for f in by_file.get(None, [])]
    all_findings = sub_findings + [x for f in files for x in f["findings"]]
    standing = lifecycle.standing(session, sub, list(sub.files))
    return {
        "submission": {
            "id": sub.id, "campaign_id": sub.campaign_id, "organisation": sub.organisation,
            "recommender": sub.recommender, "state": sub.state, "kind": sub.kind,
            "created_at": _iso(sub.created_at), "updated_at": _iso(sub.updated_at),
            "checked_at": _iso(sub.checked_at), "submitted_at": _iso(sub.submitted_at),
        },
        "lifecycle": standing.to_json(),
        "files": files,
        "history": history,
        "findings": sub_findings,
        "summary": {
            "files": len(files),
            # every file read and the submission-level checks ran: nothing more will appear
            "final": standing.checks_done,
            "errors": sum(1 for f in all_findings if f["severity"] == "error"),
            "warnings": sum(1 for f in all_findings if f["severity"] == "warning"),
            "failed": sum(1 for f in files if f["state"] == FileState.FAILED.value),
        },
    }
