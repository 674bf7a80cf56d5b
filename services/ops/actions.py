"""What an operator does about a failure: send a parked file through the pipeline again.

A file is parked (`failed`) after its attempts run out, e.g. while a worker
kept dying or LibreOffice hung.  Once the cause is mended, the operator sends
it again: the same original, from the start (ingest), with its attempts reset,
written to the outbox in the same transaction as the state change, as every
other step does, and noted in the submission's audit log.
"""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.security import audit
from services.kit.errors import DomainError, NotFound
from storage import outbox
from storage.models import FileState, StoredFile, Submission, SubmissionState
from storage.review_models import User
from dossier.task_names import INGEST


class NotParked(DomainError):
    status_code = 409
    code = "file.not_failed"


def retry_file(session: Session, actor: User, file_id: str) -> StoredFile:
    """Put a failed file back at the start of the pipeline; commits.  Returns the file."""
    row = session.get(StoredFile, file_id, with_for_update=True)
    if row is None:
        raise NotFound("找不到这个文件。", f"file {file_id}")
    if row.state != FileState.FAILED.value:
        raise NotParked("只有处理失败的文件才能重新处理。", f"file {file_id} is {row.state}")
    before = {"attempts": row.attempts, "error": row.error}
    row.state = FileState.STORED.value
    row.attempts = 0
    row.error = None
    row.progress = 0
    row.finished_at = None
    sub = session.get(Submission, row.submission_id)
    if sub is not None:
        sub.state = SubmissionState.PROCESSING.value
    outbox.add(session, INGEST, row.id)
    audit.record(session, actor, "file_retry", submission_id=row.submission_id, file_id=row.id, **before)
    session.commit()
    return row
