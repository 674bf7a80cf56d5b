"""Which findings block a step: the unit's 提交审核, the reviewer's 通过.

Only errors block; warnings are read, never blocking.  Only the current
version counts: findings of files a newer file replaced (`files.replaced_by`)
no longer apply, and submission-level findings (file_id None) always do.

- audience "unit": the open errors the unit has not marked 识别有误;
- audience "reviewer": the errors not overridden and not confirmed wrong.
"""
from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import FindingRow, StoredFile

AUDIENCES = ("unit", "reviewer")


def current_errors(session: Session, submission_id: str) -> list[FindingRow]:
    """Error findings of the current files and of the submission as a whole, in order."""
    current = select(StoredFile.id).where(StoredFile.submission_id == submission_id,
                                          StoredFile.replaced_by.is_(None))
    return list(session.scalars(
        select(FindingRow).where(FindingRow.submission_id == submission_id,
                                 FindingRow.severity == "error",
                                 or_(FindingRow.file_id.is_(None), FindingRow.file_id.in_(current)))
        .order_by(FindingRow.id)))


def blocking_findings(session: Session, submission_id: str, *, audience: str) -> list[FindingRow]:
    """The error findings that stop `audience` ("unit" or "reviewer") from going on."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    return current_errors(session, submission_id)
