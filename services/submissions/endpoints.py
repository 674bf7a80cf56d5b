"""The submission API: campaigns, submissions, uploads, status, findings, originals.

Routes only translate HTTP to the service layer (`services/submissions/service.py`) and
back; domain errors raised there are rendered by the one handler in services/kit/errors.py.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from dossier.campaigns import load_campaigns
from dossier.formats import MEDIA_TYPES
from dossier.presenters import present_status
from services.kit.deps import CurrentUser, SessionDep, SettingsDep, StoreDep, campaign_or_404
from services.kit.downloads import chunks, content_disposition
from services.kit.schemas import ErrorOut
from services.submissions import submitting
from services.auth import eligibility
from services.files.service import open_original, submission_status
from services.review.schemas import StartIn, review_json
from services.security.guards import ChangeableSubmission, VisibleSubmission, check_creator
from storage import standing as lifecycle

from . import service
from .schemas import CampaignOut, FindingsOut, StatusOut, SubmissionCreate, SubmissionOut, SubmitIn, UploadOut
from .uploads import receive_form, store_uploads

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorOut, "description": "not found / 找不到"},
    422: {"model": ErrorOut, "description": "invalid request / 请求内容有误"},
}

router = APIRouter(prefix="/api", responses=ERRORS)


@router.get("/campaigns", response_model=list[CampaignOut], tags=["campaigns"],
            summary="List campaigns / 评选活动列表")
def list_campaigns() -> list[CampaignOut]:
    """Every campaign in the campaigns folder, with the documents a submission holds.
    / 所有评选活动及每份申报需要提交的材料。"""
    return [CampaignOut(id=c.id, title=c.title, deadline=c.deadline.isoformat() if c.deadline else None,
                        documents=[{"kind": d.kind, "title": d.title, "required": d.required}
                                   for d in c.documents])
            for c in load_campaigns().values()]


def _submission_out(request: Request, sub: Any, session: Any) -> SubmissionOut:
    return SubmissionOut(
        id=sub.id, campaign_id=sub.campaign_id, organisation=sub.organisation,
        recommender=sub.recommender, state=sub.state, kind=sub.kind,
        lifecycle=lifecycle.standing(session, sub).to_json(),
        created_at=sub.created_at.isoformat() if sub.created_at else None,
        links={"status": str(request.url_for("get_status", submission_id=sub.id).path),
               "files": str(request.url_for("upload_files", submission_id=sub.id).path),
               "page": f"/submissions/{sub.id}"})


@router.post("/submissions", response_model=SubmissionOut, status_code=status.HTTP_201_CREATED,
             tags=["submissions"], summary="Create a submission / 新建申报")
def create_submission(body: SubmissionCreate, request: Request, session: SessionDep) -> SubmissionOut:
    """A new, empty submission of a unit to a campaign (a draft: upload its files, then
    `POST …/submit`); without a login, or with `self_check`, a 自查 that is never submitted.
    / 新建一份申报草稿，随后上传材料文件、提交审核；未登录或 `self_check` 时为自查，不能提交审核。"""
    anonymous = getattr(request.state, "user", None) is None
    recommender = body.recommender
    check_creator(None if anonymous else request.state.user, body.organisation, body.self_check)
    if not (anonymous or body.self_check):
        # a unit applies under its bound recommender and 创建对象, or ones on the campaign file's lists (422 otherwise)
        recommender = eligibility.applicant_recommender(session, request.state.user,
                                                        campaign_or_404(body.campaign), recommender,
                                                        body.applicant_kind)
    sub = service.create_submission(session, campaign_id=body.campaign, organisation=body.organisation,
                                    recommender=recommender, self_check=body.self_check or anonymous)
    return _submission_out(request, sub, session)


UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["files"],
    "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                             "description": "one or more files / 一个或多个文件"}}}}}}}


@router.post("/submissions/{submission_id}/files", response_model=UploadOut,
             status_code=status.HTTP_202_ACCEPTED, tags=["submissions"], openapi_extra=UPLOAD_BODY,
             summary="Upload files / 上传材料文件",
             responses={413: {"model": ErrorOut, "description": "a file is over the size limit; "
                              "nothing was stored / 文件超过大小限制，未保存"}}, dependencies=[ChangeableSubmission])
async def upload_files(submission_id: str, request: Request, session: SessionDep, store: StoreDep,
                       settings: SettingsDep) -> UploadOut:
    """Upload one or more files (multipart field `files`). Each file is received in
    chunks and refused past DOSSIER_MAX_UPLOAD_BYTES (413, nothing stored); accepted
    files are stored, recorded and queued for the workers. / 上传一个或多个文件（表单字段
    `files`）；超过大小限制的请求整体拒收（413），不保存任何文件；其余文件保存后排队处理。"""
    # an unknown submission is refused before its body is read
    await run_in_threadpool(service.get_submission, session, submission_id)
    _, uploads = await receive_form(request.headers, request.stream(),
                                    max_file_bytes=settings.max_upload_bytes)
    out = await store_uploads(session, store, settings, submission_id, uploads)
    return UploadOut(submission_id=submission_id, files=out,
                     status_url=f"/api/submissions/{submission_id}")


@router.delete("/submissions/{submission_id}/files/{file_id}", status_code=status.HTTP_204_NO_CONTENT,
               tags=["submissions"], summary="Remove a file from a draft / 删除草稿中的文件",
               responses={409: {"model": ErrorOut, "description": "submitted: the file stays / 已提交，不能删除"}}, dependencies=[ChangeableSubmission])
def delete_file(submission_id: str, file_id: str, session: SessionDep, store: StoreDep) -> None:
    """Take a file out of a draft (or one uploaded since a return); the submission is checked again.
    / 从草稿中删除文件（退回后新上传的文件亦可），随后重新检查整份申报。"""
    service.delete_file(session, store, submission_id, file_id)


@router.post("/submissions/{submission_id}/submit", tags=["submissions"],
             summary="Submit for review / 提交审核",
             responses={409: {"model": ErrorOut, "description": "checks still running, error findings "
                              "open, or warnings not read / 检查未完成、仍有需要修改的问题或未确认提示"}})
def submit(submission_id: str, body: SubmitIn, user: CurrentUser, session: SessionDep,
           settings: SettingsDep) -> dict[str, Any]:
    """Put the draft forward (or again after a return): only when every file is read, the
    submission-level checks ran, no error finding is open, and `warnings_read` confirms the
    warnings were read. / 提交审核（或退回后重新提交）：全部文件已识别、整份申报已检查、
    没有需要修改的问题，并确认已阅读“请注意”提示。"""
    submitting.submit(session, user, submission_id, warnings_read=body.warnings_read,
                      site_level=body.site_level)
    return _status(session, settings, submission_id)


def _status(session: Any, settings: Any, submission_id: str) -> dict[str, Any]:
    raw = submission_status(session, submission_id)
    campaign = campaign_or_404(raw["submission"]["campaign_id"])
    return present_status(campaign, raw)


@router.get("/submissions/{submission_id}", response_model=StatusOut, tags=["submissions"],
            summary="Submission status / 申报处理状态", dependencies=[VisibleSubmission])
def get_status(submission_id: str, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """The submission, each file's state and progress, the documents read with their
    fields (with the labels printed on the form) and the findings. Poll it until
    `summary.final` is true. / 申报及每个文件的处理状态与进度、识别出的字段和检查发现的问题；
    轮询直到 `summary.final` 为 true。"""
    return _status(session, settings, submission_id)


@router.get("/submissions/{submission_id}/findings", response_model=FindingsOut, tags=["submissions"],
            summary="Findings / 检查发现的问题", dependencies=[VisibleSubmission])
def get_findings(submission_id: str, session: SessionDep, settings: SettingsDep) -> FindingsOut:
    """Every finding of the submission, of its files and of the submission as a whole.
    / 申报中所有文件及整份申报的问题清单。"""
    st = _status(session, settings, submission_id)
    items = [{**f, "file_id": file["id"], "file_name": file["name"]}
             for file in st["files"] for f in file["findings"]]
    items += st["findings"]
    return FindingsOut(submission_id=submission_id, final=st["summary"]["final"],
                       errors=sum(1 for f in items if f["severity"] == "error"),
                       warnings=sum(1 for f in items if f["severity"] != "error"), findings=items)


@router.get("/submissions/{submission_id}/files/{file_id}/original", tags=["submissions"],
            summary="Download the original / 下载原件",
            response_class=StreamingResponse,
            responses={200: {"content": {"application/octet-stream": {}},
                             "description": "the file exactly as uploaded / 原样返回上传的文件"},
                       410: {"model": ErrorOut, "description": "gone from the store / 原件已不在存储中"}}, dependencies=[VisibleSubmission])
def download_original(submission_id: str, file_id: str, session: SessionDep,
                      store: StoreDep) -> StreamingResponse:
    """The original bytes, never changed, with the type read from its content.
    / 原件下载（内容未经任何修改）。"""
    row, stream = open_original(session, store, submission_id, file_id)
    # the type sniffed from the bytes, not the one the name claims (a .exe named .docx)
    media_type = MEDIA_TYPES.get(row.format or "", "application/octet-stream")
    headers = {"Content-Disposition": content_disposition(row.name), "Content-Length": str(row.size),
               "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=0"}
    return StreamingResponse(chunks(stream), media_type=media_type, headers=headers)


# 提交审核 and 重新提交 under /api/review (the contract's paths): the unit's own acts, through the
# same gate as POST /api/submissions/{id}/submit
@router.post("/review/submissions/{submission_id}/start", summary="Start the review / 提交审核", tags=["review"], dependencies=[ChangeableSubmission])
def start(submission_id: str, body: StartIn, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    # the same gate as POST /api/submissions/{id}/submit: checks done, no open errors, warnings read
    return review_json(submitting.submit(session, user, submission_id, warnings_read=body.warnings_read,
                                         site_level=body.site_level))


@router.post("/review/submissions/{submission_id}/resubmit", summary="Resubmit after a return / 重新提交", tags=["review"], dependencies=[ChangeableSubmission])
def resubmit(submission_id: str, user: CurrentUser, session: SessionDep,
             body: StartIn | None = None) -> dict[str, Any]:
    return review_json(submitting.submit(session, user, submission_id,
                                         warnings_read=bool(body and body.warnings_read)))
