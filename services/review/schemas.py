"""The review API's request bodies, for validation and for the OpenAPI page (/docs)."""
from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BaseModel, Field

from services.kit.schemas import Ident, LongText, Name, Note, RowId


class ClaimIn(BaseModel):
    stage_id: Ident | None = None
    department: Name | None = None


class CorrectionIn(BaseModel):
    field: Ident
    value: LongText
    machine_value: LongText | None = None


class ScoresIn(BaseModel):
    scores: dict[str, Any]


class NoticeIn(BaseModel):
    start: dt.date


class DecisionIn(BaseModel):
    decision: Ident = Field(description="pass | return | reject | withdraw")
    opinion: LongText | None = None
    reasons: LongText | None = None
    sealed: bool | None = None
    signed_by: Name | None = Field(None, description="who signed the opinion, where the form asks for 签字 "
                                                  "/ 签字人（表上要求签字的意见）")
    opinion_date: Ident | None = None
    scores: dict[str, Any] | None = None
    inspection: dict[str, Any] | None = None
    field_reasons: dict[Ident, Note] | None = Field(None, description="on a return: the reason per field key "
                                                                   "/ 退回时逐项说明的理由")


class TextIn(BaseModel):
    text: Note


class StartIn(BaseModel):
    site_level: Ident | None = None
    warnings_read: bool = False


class ReassignIn(BaseModel):
    username: Name


NOTE = Field(description="简短说明，200 字以内 / a short note, at most 200 characters")


class ContestIn(BaseModel):
    note: Annotated[Note, Field(max_length=200)] = NOTE


class VerdictIn(BaseModel):
    upheld: bool = Field(description="true: 问题成立，退回申报单位 / the finding stands and the submission "
                                     "is returned; false: 确认识别有误 / the finding was wrong")
    note: Note | None = Field(None, description="维持时必填，申报单位将看到 / required when upheld")


class OverrideIn(BaseModel):
    finding_id: RowId
    reason: Note = Field(description="放行理由，记入办理记录和申报材料汇编 / kept in the history and the dossier")


def review_json(r: Any) -> dict[str, Any]:
    return {"submission_id": r.submission_id, "stage_id": r.stage_id, "status": r.status,
            "version": r.version, "title": r.title, "return_reasons": r.return_reasons,
            "site_level": r.site_level, "data": r.data,
            "notice_end": r.notice_end.isoformat() if r.notice_end else None}
