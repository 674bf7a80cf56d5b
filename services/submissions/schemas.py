"""The submission API's request and response bodies, for validation and for the OpenAPI page (/docs).

Responses that mirror the service layer's status JSON allow extra keys: the
service may add information without the API hiding it.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.kit.schemas import Ident, Name


class CampaignDocumentOut(BaseModel):
    kind: str = Field(description="document kind / 材料类型, e.g. recommendation_form")
    title: str = Field(description="材料名称 / the seed's name")
    required: bool


class CampaignOut(BaseModel):
    id: str = Field(description="campaign id / 评选活动编号, e.g. jinhua-2015")
    title: str = Field(description="活动名称 / title")
    deadline: str | None = Field(None, description="截止日期 YYYY-MM-DD / deadline")
    documents: list[CampaignDocumentOut]


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"campaign": "jinhua-2015", "organisation": "金华市某某局机关党委", "recommender": "市直机关工委"}]})
    campaign: Ident = Field(description="campaign id / 评选活动编号")
    organisation: Name = Field(min_length=1, description="申报（推荐）单位 / the submitting unit")
    recommender: Name | None = Field(None, description="推荐单位（可选）/ recommender, optional")
    applicant_kind: Name | None = Field(None, description="创建对象：从评选活动的名单中选择（GET /api/review/campaigns/"
                                    "{id}/recommenders 的 applicant_kinds）；活动列有名单而账号未绑定时必填，名单外的被拒绝"
                                    " / applicant kind from the campaign's list; required of an unbound unit where the"
                                    " campaign lists kinds, refused off the list (422)")
    self_check: bool = Field(False, description="自查：只检查，不是申报，不能提交审核（未登录时总是自查）"
                                                " / a self-check, never a submission (always so without a login)")


class SubmissionOut(BaseModel):
    id: str
    campaign_id: str
    organisation: str
    recommender: str | None = None
    state: str = Field(description="open | processing | checked (the files' and checks' progress)")
    kind: str = Field("submission", description="submission（申报）| self_check（自查）")
    lifecycle: dict[str, Any] = Field(default_factory=dict,
                                      description="{code, label}: draft 草稿, checking 检查中, ready 待提交, "
                                                  "submitted 已提交, in_review 审核中, returned 已退回, passed 通过, "
                                                  "rejected 未通过, titled 称号, self_check 自查")
    created_at: str | None = None
    links: dict[str, str] = Field(default_factory=dict, description="status, files, page / 相关链接")


class UploadedFileOut(BaseModel):
    id: str
    name: str = Field(description="文件名（仅用于显示）/ display name")
    sha256: str
    size: int
    state: str
    duplicate: bool = Field(False, description="同一文件已上传过 / the same bytes were already uploaded")
    original_url: str


class UploadOut(BaseModel):
    submission_id: str
    files: list[UploadedFileOut]
    status_url: str


class FindingOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str = Field(description="finding code from the contract / 问题代码, e.g. field.missing")
    severity: str = Field(description="error（需要修改）| warning（请注意）")
    field: str | None = Field(None, description="field key / 字段, e.g. secretary.since")
    message: str = Field(description="中文说明：哪里有问题、怎么改 / what is wrong and what to do")
    label: str = Field("", description="表上的栏目名称 / the field's label on the form")
    file_id: str | None = None
    file_name: str | None = None


class FindingsOut(BaseModel):
    submission_id: str
    final: bool = Field(description="all files read and the submission-level checks done / 全部文件已处理完、整份申报已检查")
    errors: int
    warnings: int
    findings: list[FindingOut]


class StatusOut(BaseModel):
    """The submission, each file's state and progress, documents with fields, findings."""
    model_config = ConfigDict(extra="allow")
    submission: dict[str, Any]
    lifecycle: dict[str, Any] = Field(default_factory=dict,
                                      description="where it stands: code, label (中文), checks_done, stage, "
                                                  "reasons / 申报状态")
    files: list[dict[str, Any]] = Field(description="the current version's files / 当前版本的文件")
    history: list[dict[str, Any]] = Field(default_factory=list,
                                          description="files a newer one replaced / 历史版本（已被替换的文件）")
    findings: list[dict[str, Any]]
    summary: dict[str, Any]


class SubmitIn(BaseModel):
    warnings_read: bool = Field(False, description="申报单位已阅读全部“请注意”提示 / the unit read the warnings")
    site_level: Ident | None = Field(None, description="county | city (jinhua-2015), else from the recommender")
