"""The unit's pages: server-rendered Chinese HTML with a little plain JavaScript.

Without JavaScript the form posts files and campaign together to `/submit`
and the submission page reloads itself; with it, uploads show per-file
progress and the status panel is re-fetched as HTML (`…/panel`) and swapped
in, htmx-style, so rendering lives in one place: the Jinja templates.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dossier.campaigns import load_campaigns
from dossier.presenters import field_label, present_status
from services.auth.accounts import ROLE_LABELS
from services.files.service import submission_status
from services.kit.csrf import csrf_ok, require_csrf
from services.kit.deps import SessionDep, SettingsDep, StoreDep, campaign_or_404
from services.kit.errors import ApiError, DomainError, NotFound
from services.kit.render import flash_back, render
from services.kit.templates import templates
from services.review import page_images
from services.submissions import submitting
from services.security.access import can_change
from services.review.findings import contest_marks
from services.review.page_views import PageView, page_key, page_views
from services.review.page_views import media_type as page_media_type
from services.security.guards import ChangeableSubmission, VisibleSubmission
from storage import standing as lifecycle
from storage.models import StoredFile, Submission
from storage.objects import ObjectNotFound, submission_prefix
from workers.findings_gate import blocking_findings

from . import service
from .progress import notes as progress_notes
from .uploads import receive_form, store_uploads

router = APIRouter(include_in_schema=False)


def _index(request: Request, settings: Any, *, error: str = "", status_code: int = 200,
           form: dict[str, str] | None = None) -> HTMLResponse:
    campaigns = list(load_campaigns().values())
    # a logged-in person's posts must carry the session's CSRF token (the auth middleware checks
    # it in the query string or the X-CSRF-Token header); anonymous posts have no session to forge
    user = getattr(request.state, "user", None)
    csrf = getattr(request.state, "csrf", None) if getattr(request.state, "by_cookie", False) else None
    return templates.TemplateResponse(request, "index.html", {
        "campaigns": campaigns, "max_bytes": settings.max_upload_bytes, "error": error,
        "form": form or {}, "user": user, "roles": ROLE_LABELS, "csrf": csrf or ""}, status_code=status_code)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _index(request, settings)


@router.post("/submit")
async def submit(request: Request, session: SessionDep, store: StoreDep,
                 settings: SettingsDep) -> Response:
    """The form without JavaScript: create the submission and store its files."""
    fields: dict[str, str] = {}
    try:
        fields, uploads = await receive_form(request.headers, request.stream(),
                                             max_file_bytes=settings.max_upload_bytes)
        try:
            require_csrf(request, fields.get("csrf_token"))
            # the home page is a 自查: never a submission (units submit from /unit)
            sub = await run_in_threadpool(
                service.create_submission, session, campaign_id=fields.get("campaign", ""),
                organisation=fields.get("organisation", ""), recommender=fields.get("recommender"),
                self_check=True)
        except BaseException:
            for up in uploads:
                await up.close()
            raise
        await store_uploads(session, store, settings, sub.id, uploads)
    except (DomainError, ApiError) as e:
        return _index(request, settings, error=e.message, status_code=e.status_code, form=fields)
    return RedirectResponse(f"/submissions/{sub.id}", status_code=303)


def _context(request: Request, session: Any, settings: Any, submission_id: str) -> dict[str, Any]:
    raw = submission_status(session, submission_id)
    campaign = campaign_or_404(raw["submission"]["campaign_id"])
    st = present_status(campaign, raw)
    # the unit sees where each value came from: its scan's pages with the boxes read
    pages: dict[str, list[PageView]] = {}
    for f in st.get("files", []):
        row = session.get(StoredFile, f["id"])
        if row is not None and row.submission_id == submission_id:
            pages[f["id"]] = page_views(f["id"], row.result, label=lambda k: field_label(campaign, k),
                                        low_confidence=settings.ocr_low_confidence)
    # scans take minutes: the page being read, the queue ahead and an estimate (services/submissions/progress.py)
    return {"st": st, "pages": pages, "progress": progress_notes(session, st.get("files", [])),
            **_actions(request, session, st, campaign)}


def _actions(request: Request, session: Any, st: dict[str, Any], campaign: Any) -> dict[str, Any]:
    """What the person looking may do here: the owning unit uploads, removes and submits."""
    user = getattr(request.state, "user", None)
    life = st["lifecycle"]
    sub = session.get(Submission, st["submission"]["id"])
    owner = user is not None and sub is not None and can_change(session, user, sub) and user.role == "unit"
    blockers = []
    if owner and life["checks_done"] and life["code"] in ("ready", "returned"):
        blockers = [{"message": f.message, "label": field_label(campaign, f.field, f.document),
                     "code": f.code} for f in blocking_findings(session, sub.id, audience="unit")]
    return {"owner": owner, "user": user, "roles": ROLE_LABELS,    # the logged-in header on this page too
            "csrf": getattr(request.state, "csrf", "") or "", "blockers": blockers,
            "versioned": lifecycle.versioned_file_ids(session, sub.id) if owner and sub else set(),
            # 识别有误 marks beside the findings (templates/_contest.html)
            "contests": contest_marks(session, sub.id) if owner and sub else {}}


@router.get("/submissions/{submission_id}", response_class=HTMLResponse, dependencies=[VisibleSubmission])
def submission_page(submission_id: str, request: Request, session: SessionDep,
                    settings: SettingsDep) -> HTMLResponse:
    try:
        ctx = _context(request, session, settings, submission_id)
    except DomainError as e:
        return templates.TemplateResponse(request, "missing.html", {"message": e.message},
                                          status_code=e.status_code)
    # render: what the last post said comes from the one-time cookie, which this answer deletes
    return render(request, "submission.html", **ctx)


@router.get("/submissions/{submission_id}/panel", response_class=HTMLResponse, dependencies=[VisibleSubmission])
def submission_panel(submission_id: str, request: Request, session: SessionDep,
                     settings: SettingsDep) -> HTMLResponse:
    """The status panel alone, for the page's polling script to swap in."""
    return templates.TemplateResponse(request, "_panel.html",
                                      _context(request, session, settings, submission_id))


def _to_page(submission_id: str, msg: str) -> RedirectResponse:
    return flash_back(f"/submissions/{submission_id}", msg)


@router.post("/submissions/{submission_id}/files", dependencies=[ChangeableSubmission])
async def add_files(submission_id: str, request: Request, session: SessionDep, store: StoreDep,
                    settings: SettingsDep) -> Response:
    """The unit adds or replaces files of its draft (or of a returned submission); checked again."""
    try:
        fields, uploads = await receive_form(request.headers, request.stream(),
                                             max_file_bytes=settings.max_upload_bytes)
        if not csrf_ok(request, fields.get("csrf_token")):
            for up in uploads:
                await up.close()
            return _to_page(submission_id, "页面已过期，请刷新后重试。")
        await store_uploads(session, store, settings, submission_id, uploads)
    except (DomainError, ApiError) as e:
        return _to_page(submission_id, e.message)
    return _to_page(submission_id, "文件已上传，正在检查。")


@router.post("/submissions/{submission_id}/files/{file_id}/delete", dependencies=[ChangeableSubmission])
async def remove_file(submission_id: str, file_id: str, request: Request, session: SessionDep,
                      store: StoreDep) -> Response:
    form = await request.form()
    if not csrf_ok(request, str(form.get("csrf_token") or "")):
        return _to_page(submission_id, "页面已过期，请刷新后重试。")
    try:
        await run_in_threadpool(service.delete_file, session, store, submission_id, file_id)
    except DomainError as e:
        return _to_page(submission_id, e.message)
    return _to_page(submission_id, "文件已删除，正在重新检查。")


@router.post("/submissions/{submission_id}/submit", dependencies=[ChangeableSubmission])
async def submit_form(submission_id: str, request: Request, session: SessionDep) -> Response:
    """提交审核 from the page: the same gate as the API (services.submissions.submitting)."""
    form = await request.form()
    user = getattr(request.state, "user", None)
    if user is None:
        return _to_page(submission_id, "请先登录后再提交审核。")
    if not csrf_ok(request, str(form.get("csrf_token") or "")):
        return _to_page(submission_id, "页面已过期，请刷新后重试。")
    try:
        await run_in_threadpool(submitting.submit, session, user, submission_id,
                                warnings_read=form.get("warnings_read") == "1")
    except DomainError as e:
        return _to_page(submission_id, e.message)
    return _to_page(submission_id, "已提交审核。")


@router.get("/submissions/{submission_id}/pages/{file_id}/{page}", dependencies=[VisibleSubmission])
@router.get("/review/pages/{submission_id}/{file_id}/{page}", dependencies=[VisibleSubmission])
def page_image(submission_id: str, file_id: str, page: int, session: SessionDep, store: StoreDep,
               full: bool = False) -> Response:
    """A page of one of the submission's originals, for the unit's page and the reviewer's desk alike:
    a scan's rendered page or a Word file's print, as WebP at display width (`?full=1`: the full
    image).  Whoever may see the submission may see its pages (as with 下载原件); the object key comes
    from the file's stored result, never from the URL, and must lie under this submission's own
    prefix, so no request can reach another submission's objects."""
    row = session.get(StoredFile, file_id)
    if row is None or row.submission_id != submission_id:
        raise NotFound("找不到这一页的图像。", f"no file {file_id} in {submission_id}")
    key = page_key(row.result, page)
    if key is not None and not key.startswith(submission_prefix(submission_id) + "/"):
        key = None
    if key is None and not page_images.is_word(row):
        raise NotFound("找不到这一页的图像。", f"no page image {page} of {file_id} in {submission_id}")
    try:
        # WebP at display width, the full page on demand (services/review/page_images.py)
        shown = page_images.display_image(store, row, page, key, full=full)
    except ObjectNotFound:
        raise NotFound("这一页的图像已不在存储中，请联系管理员。", f"page {page} of {file_id} missing",
                       status_code=410) from None
    if shown is None:
        raise NotFound("找不到这一页的图像。", f"no page {page} of {file_id}")
    data, media = shown
    return Response(data, media_type=media or page_media_type(key or ""),
                    headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=86400"})
