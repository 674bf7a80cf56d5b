"""Reading a multipart upload without holding it in memory.

Starlette's parser spools each file to a temporary file (memory up to 1 MiB,
then disk) but only knows the size once the whole body is in.  This parser
counts each file's bytes as they arrive and stops at the limit, so a 5 GB
upload costs 50 MB of temporary disk, not 5 GB; the service layer then streams
the spooled file to the object store (and checks the limit again).  All files
of a request are received before any is stored, so a refused request stores
nothing.
"""
from __future__ import annotations

from typing import Any, AsyncGenerator

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from starlette.datastructures import Headers, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from dossier.settings import Settings
from services.kit.errors import ApiError
from services.security.quotas import check_quotas
from storage.objects import ObjectStore

from . import service
from .service import UploadTooLarge

MAX_FILES_PER_REQUEST = 20
# the form's text fields are a few bytes; the multipart framing per file is small
FIELD_BYTES = 64 * 1024


class LimitedMultiPartParser(MultiPartParser):
    """Starlette's parser with a per-file byte limit enforced while receiving."""

    def __init__(self, headers: Headers, stream: AsyncGenerator[bytes, None], *,
                 max_file_bytes: int, max_files: int = MAX_FILES_PER_REQUEST) -> None:
        super().__init__(headers, stream, max_files=max_files, max_fields=20,
                         max_part_size=FIELD_BYTES)
        self.max_file_bytes = max_file_bytes
        self._received = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._received = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self._current_part
        if part.file is not None:
            self._received += end - start
            if self._received > self.max_file_bytes:
                raise UploadTooLarge(self.max_file_bytes, part.file.filename or "")
        super().on_part_data(data, start, end)


async def receive_form(headers: Headers, stream: AsyncGenerator[bytes, None], *,
                       max_file_bytes: int) -> tuple[dict[str, str], list[UploadFile]]:
    """The text fields and every file part of a multipart body, files spooled,
    each within `max_file_bytes`."""
    content_type = headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise ApiError(415, "upload.not_multipart", "请用表单（multipart/form-data）上传文件。",
                       f"expected multipart/form-data, got {content_type or 'nothing'}")
    length = headers.get("content-length")
    # refuse at once what cannot fit, before reading a byte of it
    if length and length.isdigit() and int(length) > max_file_bytes * MAX_FILES_PER_REQUEST + FIELD_BYTES:
        raise UploadTooLarge(max_file_bytes)
    parser = LimitedMultiPartParser(headers, stream, max_file_bytes=max_file_bytes)
    try:
        form = await parser.parse()
    except MultiPartException as e:
        raise ApiError(400, "upload.malformed", "上传的内容不完整，请重新上传。", str(e)) from e
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    files = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
    if not files:
        await form.close()
        raise ApiError(400, "upload.no_file", "没有收到文件，请选择要上传的文件。", "no file part in the form")
    return fields, files


async def store_uploads(session: Session, store: ObjectStore, settings: Settings, submission_id: str,
                        uploads: list[UploadFile]) -> list[dict[str, Any]]:
    """Hand each received file to the service layer (store, record, enqueue); close the spools."""
    out = []
    try:
        await run_in_threadpool(check_quotas, session, settings, submission_id, uploads)
        for up in uploads:
            row = await run_in_threadpool(service.accept_upload, session, store, settings,
                                          submission_id=submission_id, filename=up.filename,
                                          stream=up.file)
            out.append({"id": row.id, "name": row.name, "sha256": row.sha256, "size": row.size,
                        "state": row.state, "duplicate": bool(getattr(row, "is_duplicate", False)),
                        "original_url": f"/api/submissions/{submission_id}/files/{row.id}/original"})
    finally:
        for up in uploads:
            await up.close()
    return out
