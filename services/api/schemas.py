"""Request and response bodies, for validation and for the OpenAPI page (/docs).

Responses that mirror the service layer's status JSON allow extra keys: the
service may add information without the API hiding it.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorOut(BaseModel):
    """Every error: code, 中文 message for the unit, English detail."""
    error: str = Field(description="machine-readable code / 错误代码, e.g. upload.too_large")
    message: str = Field(description="中文说明，可直接展示给申报单位 / Chinese, for the unit")
    detail: str = Field("", description="English detail for logs / 英文细节")


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
    campaign: str = Field(min_length=1, max_length=64, description="campaign id / 评选活动编号")
    organisation: str = Field(min_length=1, max_length=200, description="申报（推荐）单位 / the submitting unit")
    recommender: str | None = Field(None, max_length=200, description="推荐单位（可选）/ recommender, optional")


class SubmissionOut(BaseModel):
    id: str
    campaign_id: str
    organisation: str
    recommender: str | None = None
    state: str = Field(description="open | processing | checked")
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
    final: bool = Field(description="all files processed / 全部文件已处理完")
    errors: int
    warnings: int
    findings: list[FindingOut]


class StatusOut(BaseModel):
    """The submission, each file's state and progress, documents with fields, findings."""
    model_config = ConfigDict(extra="allow")
    submission: dict[str, Any]
    files: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    summary: dict[str, Any]


class HealthOut(BaseModel):
    status: str
    database: str
    store: str
