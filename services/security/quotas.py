"""Upload quotas: per request, per submission and per account, from settings.

Checked after a request's files are received (spooled, each within DOSSIER_MAX_UPLOAD_BYTES) and
before any is stored, so a refused request stores nothing.  A submission's and an account's
totals count every file they hold, replaced versions included (they stay in the store).
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from dossier.settings import Settings
from services.kit.errors import DomainError
from storage.models import StoredFile
from storage.review_models import SubmissionOwner

MIB = 1024 * 1024


class QuotaExceeded(DomainError):
    status_code = 413
    code = "upload.quota"


def _mib(n: int) -> str:
    return f"{n / MIB:g} MB"


def check_quotas(session: Session, settings: Settings, submission_id: str, uploads: list[UploadFile]) -> None:
    incoming = sum(int(up.size or 0) for up in uploads)
    if incoming > settings.max_request_bytes:
        raise QuotaExceeded(f"一次上传的文件合计超过 {_mib(settings.max_request_bytes)}，未保存。请分几次上传。",
                            f"request of {incoming} bytes over {settings.max_request_bytes}")
    held = int(session.scalar(select(func.coalesce(func.sum(StoredFile.size), 0))
                              .where(StoredFile.submission_id == submission_id)) or 0)
    if held + incoming > settings.max_submission_bytes:
        raise QuotaExceeded(f"这份申报的文件合计将超过 {_mib(settings.max_submission_bytes)}，未保存。"
                            "请删除上传错的文件或压缩后再上传。",
                            f"submission {submission_id} would hold {held + incoming} bytes")
    owner = session.get(SubmissionOwner, submission_id)
    if owner is None or not owner.user_id:
        return
    owned = select(SubmissionOwner.submission_id).where(SubmissionOwner.user_id == owner.user_id)
    account = int(session.scalar(select(func.coalesce(func.sum(StoredFile.size), 0))
                                 .where(StoredFile.submission_id.in_(owned))) or 0)
    if account + incoming > settings.max_account_bytes:
        raise QuotaExceeded(f"本账号上传的文件合计将超过 {_mib(settings.max_account_bytes)}，未保存。请联系管理员。",
                            f"account {owner.user_id} would hold {account + incoming} bytes")
