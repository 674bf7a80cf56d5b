"""The submission service: what the HTTP API (and the CLI) call.

Store, record, then enqueue: an upload is streamed to the object store, then
recorded with an outbox row in one transaction; the relay publishes the task
after commit.  A broker outage therefore delays work but never loses an upload.

Each function that changes something commits its own unit of work, so that a
returned row is durable.  Errors are `DomainError`s carrying an HTTP status,
a code, a Chinese message for the unit and an English detail for logs; the
API renders them and routes never build error responses themselves.
"""
from __future__ import annotations

import contextlib
import logging
import mimetypes
import re
import tempfile
import unicodedata
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dossier import lifecycle as rules
from dossier.task_names import CHECK, INGEST
from dossier.settings import Settings
from storage import standing as lifecycle
from storage import orphans, outbox
from storage.models import FileState, StoredFile, Submission, SubmissionState
from services.kit.deps import campaign_or_404
from services.kit.errors import DomainError, InvalidInput, NotFound
from storage.objects import (CHUNK, HashingReader, ObjectStore, ObjectTooLarge,
                             original_key, safe_ext)

log = logging.getLogger(__name__)

# uploads are spooled in memory up to this size, then on disk
SPOOL_MEMORY = 1024 * 1024


class StateRefused(DomainError):
    """A move the submission's state does not allow (dossier.lifecycle says why, in Chinese)."""
    status_code = 409
    code = "submission.state"


def refuse(e: rules.Refused) -> StateRefused:
    return StateRefused(e.message, e.detail)


class UploadTooLarge(DomainError):
    status_code = 413
    code = "upload.too_large"

    def __init__(self, limit: int, name: str = "") -> None:
        who = f"“{name}”" if name else "上传的文件"
        super().__init__(
            f"{who}超过了 {limit / (1024 * 1024):g} MB 的大小限制，未保存。请压缩图片或拆分文件后重新上传。",
            f"upload larger than {limit} bytes; nothing was stored / 文件过大，未保存")
        self.limit = limit


# ----------------------------------------------------------------- submissions

def _clean_text(value: str | None, limit: int) -> str:
    text = unicodedata.normalize("NFC", value or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cf"))
    return " ".join(text.split())[:limit]


def create_submission(session: Session, *, campaign_id: str, organisation: str,
                      recommender: str | None = None, self_check: bool = False) -> Submission:
    """A new, empty submission of `organisation` to the campaign `campaign_id` (committed):
    a draft the unit submits when it is ready, or with `self_check` a 自查 that never is."""
    campaign_or_404(campaign_id)
    org = _clean_text(organisation, 200)
    if not org:
        raise InvalidInput("请填写申报（推荐）单位名称。", "organisation is empty")
    sub = Submission(campaign_id=campaign_id, organisation=org,
                     # a 自查 never reaches review: one naming a recommender would show in that recommender's list
                     recommender=None if self_check else _clean_text(recommender, 200) or None,
                     state=SubmissionState.OPEN.value,
                     kind=lifecycle.SELF_CHECK if self_check else lifecycle.SUBMISSION)
    session.add(sub)
    session.commit()
    log.info("%s %s created for campaign %s", sub.kind, sub.id, campaign_id)
    return sub


def get_submission(session: Session, submission_id: str) -> Submission:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise NotFound("找不到这份申报材料，请检查链接是否正确。", f"no submission {submission_id}",
                       code="submission.not_found")
    return sub


# --------------------------------------------------------------------- uploads

def display_name(filename: str | None) -> str:
    """The name a unit gave, fit to show: last path segment, no control or bidi characters.

    Only ever shown; storage keys are built from the content's sha256.
    """
    base = re.split(r"[\\/]", filename or "")[-1]
    name = _clean_text(base, 1000).strip(". ")
    if len(name) > 200:
        ext = safe_ext(name)
        name = name[:200 - len(ext)] + ext
    return name or "未命名文件"


def _spool(stream: BinaryIO, limit: int, name: str) -> tuple[BinaryIO, int, str, bool]:
    """The upload as a seekable stream with its size and sha256; refuse past `limit` with nothing kept.

    The sha256 names the object, so it must be known before anything is stored.
    A seekable stream (the HTTP parser has already spooled the part to a temp
    file) is hashed where it is and rewound, not copied a second time; any other
    stream is copied into a spooled temp file.  The last value says whether the
    returned stream is ours to close.
    """
    if _seekable(stream):
        start = stream.tell()
        reader = HashingReader(stream, limit)
        try:
            while reader.read(CHUNK):
                pass
        except ObjectTooLarge:
            raise UploadTooLarge(limit, name) from None
        stream.seek(start)
        return stream, reader.size, reader.sha256, False  # type: ignore[return-value]
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)
    reader = HashingReader(stream, limit)
    try:
        while chunk := reader.read(CHUNK):
            spool.write(chunk)
    except ObjectTooLarge:
        spool.close()
        raise UploadTooLarge(limit, name) from None
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool, reader.size, reader.sha256, True  # type: ignore[return-value]


def _seekable(stream: BinaryIO) -> bool:
    try:
        return bool(stream.seekable())
    except (AttributeError, ValueError):     # no such method, or a closed file
        return False


def _existing(session: Session, submission_id: str, sha256: str) -> StoredFile | None:
    return session.scalar(select(StoredFile).where(StoredFile.submission_id == submission_id,
                                                   StoredFile.sha256 == sha256))


def accept_upload(session: Session, store: ObjectStore, settings: Settings, *,
                  submission_id: str, filename: str | None, stream: BinaryIO) -> StoredFile:
    """Store an uploaded file and record it with its ingest task, in one transaction.

    Over `settings.max_upload_bytes` -> UploadTooLarge, with nothing stored or
    recorded.  The same bytes uploaded again into the same submission return
    the existing row (`row.is_duplicate` is True) and start no new work.
    An empty file is accepted: extraction reports it as file.unreadable.
    """
    sub = get_submission(session, submission_id)
    try:     # under review the files are what the reviewers read: only a draft or a returned one changes
        lifecycle.move(session, sub, rules.Event.UPLOAD, rules.Actor.UNIT)
    except rules.Refused as e:
        raise refuse(e) from None
    name = display_name(filename)
    spool, size, sha256, own = _spool(stream, settings.max_upload_bytes, name)
    try:
        ext = safe_ext(name)
        key = original_key(sub.id, sha256, ext)
        orphans.hold_key(session, key)    # until commit: a pending orphan removal waits for us
        existing = _existing(session, sub.id, sha256)
        if existing is not None:
            existing.is_duplicate = True
            log.info("file %s already in submission %s as %s", sha256[:12], sub.id, existing.id)
            return existing
        media_type = mimetypes.guess_type(f"x{ext}")[0] or "application/octet-stream"
        stored = store.put_stream(key, spool, max_bytes=settings.max_upload_bytes,
                                  content_type=media_type)
        if stored.sha256 != sha256:   # the spool changed under us: never record a wrong hash
            store.delete(key)
            raise RuntimeError(f"hash changed while storing {key}")
    finally:
        if own:
            spool.close()

    row = StoredFile(submission_id=sub.id, name=name, sha256=sha256, size=size,
                     media_type=media_type, object_key=key, state=FileState.STORED.value,
                     progress=0, attempts=0)
    session.add(row)
    sub.state = SubmissionState.PROCESSING.value
    try:
        session.flush()       # the row id for the task's arguments
        outbox.add(session, INGEST, row.id)
        session.commit()
    except IntegrityError:
        # the same bytes arrived twice at once: the other request recorded them first
        session.rollback()
        existing = _existing(session, sub.id, sha256)
        if existing is None:
            raise
        existing.is_duplicate = True
        return existing
    except BaseException:
        # the commit failed, or only its answer was lost: the database alone can say whether a
        # row points at the object, so it is removed once it can (storage/orphans.py), without
        # holding up the client's 503 or masking it with an error of the clean-up
        with contextlib.suppress(Exception):
            session.rollback()
        orphans.remove_when_known(session.get_bind(), store, key, settings.orphan_grace_seconds)
        raise
    log.info("stored %s (%d bytes) as file %s of submission %s", key, size, row.id, sub.id)
    return row


def delete_file(session: Session, store: ObjectStore, submission_id: str, file_id: str) -> None:
    """Take a file out of a draft (or out of what a returned unit uploaded since): one that was
    put forward in a version stays, the review read it.  The submission is checked again."""
    sub = get_submission(session, submission_id)
    row = session.get(StoredFile, file_id)
    if row is None or row.submission_id != sub.id:
        raise NotFound("找不到这个文件，请检查链接是否正确。", f"no file {file_id} in {submission_id}",
                       code="file.not_found")
    try:
        lifecycle.move(session, sub, rules.Event.UPLOAD, rules.Actor.UNIT)
    except rules.Refused as e:
        raise refuse(e) from None
    if file_id in lifecycle.versioned_file_ids(session, sub.id):
        raise StateRefused("这个文件已随申报提交，不能删除；请上传修改后的文件替换它。",
                           f"file {file_id} belongs to a submitted version")
    # a file this one replaced is current again
    for older in session.scalars(select(StoredFile).where(StoredFile.replaced_by == row.id)):
        older.replaced_by = None
    key, sha256 = row.object_key, row.sha256
    session.delete(row)
    sub.state = SubmissionState.PROCESSING.value
    outbox.add(session, CHECK, sub.id)
    session.commit()
    if _existing(session, submission_id, sha256) is None:
        store.delete(key)
    log.info("file %s removed from submission %s", file_id, sub.id)
