"""The reviewer's desk (/review/tasks/{id}): the submission's values beside its originals, the
findings that stop a pass, corrections, 考评分, the 公示 and the decision; the verdict on a unit's
识别有误 and the override of a finding; the originals shown inline.

Server-rendered Chinese HTML; every form carries the session's CSRF token, checked before anything
changes (`read_form`).  After a save the desk comes back where the form was (`flash_back`).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import select

from dossier import beijing
from dossier.campaigns import get_campaign
from dossier.presenters import REVIEW_STATUS_LABELS, field_label, present_status
from dossier.stages import engine
from dossier.stages.calendar import bases as calendar_bases
from dossier.stages.engine import DECISION_LABELS, KIND_LABELS
from services.kit.deps import CurrentUser, RowIdPath, SessionDep, SettingsDep, StoreDep
from services.kit.errors import DomainError, NotFound
from services.kit.render import flash_back, read_form, render
from services.security.guards import Decider, VisibleTask
from services.files.service import open_original, submission_status
from storage import settled_findings
from storage import versions as versions_store
from storage.models import StoredFile
from storage.review_models import ReviewTask, SubmissionReview
from workers.packets import print_boxes

from . import findings as finding_actions
from . import flow, page_images, queue, standings
from services.security.access import task_scope, visible_submission
from .blocking import blocking_items
from .outcome_messages import decision_outcome
from .page_views import add_print_boxes, page_views

router = APIRouter(include_in_schema=False)

INLINE = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
# the decision buttons look as different as their consequences
DECISION_STYLES = {"pass": "primary", "return": "warning", "reject": "danger", "withdraw": "danger"}


def _task(session: Any, user: Any, task_id: str) -> ReviewTask:
    t = session.scalar(select(ReviewTask).where(ReviewTask.id == task_id, task_scope(user)))
    if t is None:
        raise NotFound("找不到这个审核任务。", f"task {task_id}")
    return t


def _self_score(v: Any) -> float | None:
    if isinstance(v, dict):
        v = v.get("self_score", v.get("value"))
    try:
        return None if v is None or str(v).strip() == "" else float(v)
    except (TypeError, ValueError):
        return None


def _rubric_rows(campaign: Any, fields: dict[str, Any], saved: dict[str, Any]) -> list[dict[str, Any]]:
    rubric = next((d.rubric for d in campaign.documents if d.rubric is not None), None)
    if rubric is None:
        return []
    rows = []
    for item in rubric.items:
        v = fields.get(item.key)
        rows.append({"key": item.key, "group": item.group, "number": item.number, "max": item.max,
                     # the score sheet's 自评分 is the value read for the item (as the dossier PDF prints it)
                     "text": item.text, "self": _self_score(v),
                     "score": saved.get(item.key, "")})
    return rows


@router.get("/review/tasks/{task_id}", response_class=HTMLResponse, dependencies=[VisibleTask])
def desk(task_id: str, request: Request, user: CurrentUser, session: SessionDep, settings: SettingsDep,
         store: StoreDep) -> HTMLResponse:
    return _desk_page(task_id, request, user, session, settings, store)


def _desk_page(task_id: str, request: Request, user: Any, session: Any, settings: Any, store: Any,
               msg: str = "", *, status_code: int = 200, decide_errors: list[str] | None = None,
               given: dict[str, str] | None = None) -> HTMLResponse:
    task = _task(session, user, task_id)
    campaign = get_campaign(task.campaign_id)
    stage = engine.stage(campaign, task.stage_id)
    st = present_status(campaign, submission_status(session, task.submission_id))
    review: SubmissionReview | None = flow.review_of(session, task.submission_id)
    chain = flow.versions(session, task.submission_id)
    # the documents the current version holds: a resubmitted form replaces the old form only
    current_ids = set(versions_store.holding(session, chain).file_ids) if chain else set()
    files = [f for f in st["files"] if not current_ids or f["id"] in current_ids] or st["files"]
    source_ids = {f["id"] for f in files}
    # every file the unit uploaded is listed, the ones the fields come from marked as such
    all_files = [{**f, "source": f["id"] in source_ids} for f in st["files"]]
    names = {f["id"]: f["name"] for f in st["files"]}
    all_files += [{**h, "source": False, "replaced": True, "findings": [], "errors": [], "warnings": [],
                   "replaced_by_name": names.get(h.get("replaced_by"), "较新上传的同类材料")}
                  for h in st.get("history") or []]
    original = files[-1] if files else None
    fields: dict[str, Any] = {}
    for f in files:
        for d in f["documents"]:
            for key, fv in (d.get("fields") or {}).items():
                fields[key] = fv.get("value") if isinstance(fv, dict) else fv
    corr = settled_findings.corrections(session, task.submission_id)
    diff = flow.changes_between_versions(session, task.submission_id)
    changes = None if diff is None else [{**c, "label": field_label(campaign, c["field"])} for c in diff]
    held = task.state == "claimed" and task.assignee_id == user.id
    pages, printing = [], []
    for f in files:
        row = session.get(StoredFile, f["id"])
        views = page_views(f["id"], row.result if row else None, label=lambda k: field_label(campaign, k),
                           low_confidence=settings.ocr_low_confidence)
        if not views and row is not None and page_images.is_word(row):
            # a Word original: the pages of the print the packets worker made of it
            views = add_print_boxes(page_images.printed_views(store, row) or [], print_boxes.read(store, row),
                                    label=lambda k: field_label(campaign, k))
            if not views:
                printing.append(f["name"])
        pages += views
    return render(request, "review/desk.html", status_code, task=task, stage=stage, st=st, review=review,
                  pages=pages, printing=printing, all_files=all_files,
                  source_names=[f["name"] for f in files], decide_errors=decide_errors or [], given=given or {},
                  decision_styles=DECISION_STYLES,
                  files=files, original=original, inline=INLINE, corrections=corr, changes=changes,
                  rubric=_rubric_rows(campaign, fields, (task.data or {}).get("scores", {}))
                  if "scores" in stage.requires else [],
                  total=(task.data or {}).get("total"), held=held, msg=msg, kinds=KIND_LABELS,
                  decisions=[(d, DECISION_LABELS[d]) for d in stage.decisions],
                  objections=flow.open_objections(session, task.submission_id),
                  quota=standings.quota_standing(session, campaign, task),
                  award=standings.award_standing(session, campaign, task.stage_id),
                  campaign=campaign,     # its standards beside the scoring (the notice's words)
                  # what stops a pass, contested first, beside the decision buttons
                  blocking=blocking_items(session, campaign, task.submission_id),
                  settled=settled_findings.dossier_notes(session, campaign, task.submission_id),
                  status_label=REVIEW_STATUS_LABELS.get(review.status if review else None, ""),
                  # the page renews the lease a few times per lease while the reviewer is at work
                  renew_every=queue.renew_every(settings.review_lease_seconds),
                  lease_until=beijing.shown(task.lease_expires_at, "%H:%M"))


@router.post("/review/tasks/{task_id}/correct", dependencies=[VisibleTask])
async def correct(task_id: str, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    key = f.get("field", "")
    await run_in_threadpool(flow.correct_field, session, user, task_id, key,
                            f.get("value", ""), f.get("machine_value"))
    return flash_back(f"/review/tasks/{task_id}", "已更正。", anchor="field-" + key.replace(".", "-"))


@router.post("/review/tasks/{task_id}/scores", dependencies=[VisibleTask])
async def scores(task_id: str, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    given = {k[len("score:"):]: v for k, v in f.items() if k.startswith("score:") and v.strip()}
    try:
        _, total = await run_in_threadpool(flow.save_scores, session, user, task_id, given)
    except DomainError as e:
        return flash_back(f"/review/tasks/{task_id}", e.message, anchor="scores")
    return flash_back(f"/review/tasks/{task_id}", f"考评分已保存，合计 {total:g} 分。", anchor="scores")


@router.post("/review/tasks/{task_id}/notice", dependencies=[VisibleTask])
async def notice(task_id: str, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    try:
        start = dt.date.fromisoformat(f.get("start", ""))
        review = await run_in_threadpool(flow.start_notice, session, user, task_id, start)
    except ValueError:
        return flash_back(f"/review/tasks/{task_id}", "请填写正确的公示开始日期。", anchor="notice")
    except DomainError as e:     # a start in the past: the 公示 must run its working days from today
        return flash_back(f"/review/tasks/{task_id}", e.message, anchor="notice")
    # a year without holiday data is counted Monday to Friday: say so beside the date
    gaps = "".join(b.note for b in calendar_bases(review.notice_start, review.notice_end))
    return flash_back(f"/review/tasks/{task_id}", f"公示期至 {review.notice_end} 结束。{gaps}", anchor="notice")


@router.post("/review/tasks/{task_id}/decide", dependencies=[VisibleTask])
async def decide(task_id: str, request: Request, user: Decider, session: SessionDep, settings: SettingsDep,
                 store: StoreDep) -> Response:
    f = await read_form(request)
    payload: dict[str, Any] = {k: f[k] for k in ("opinion", "reasons", "opinion_date", "signed_by") if f.get(k)}
    if f.get("sealed"):
        payload["sealed"] = True
    if f.get("inspection_date") or f.get("inspection_notes"):
        payload["inspection"] = {"date": f.get("inspection_date"), "notes": f.get("inspection_notes")}
    # reasons per field on a return: the unit reads each beside the field's label
    per_field = {f[f"reason_field_{n}"]: f.get(f"reason_text_{n}", "").strip() for n in range(1, 4)
                 if f.get(f"reason_field_{n}") and f.get(f"reason_text_{n}", "").strip()}
    if per_field:
        payload["field_reasons"] = per_field
    before = _task(session, user, task_id)
    stage_id, department = before.stage_id, before.department
    try:
        review = await run_in_threadpool(flow.decide, session, user, task_id, f.get("decision", ""), payload)
    except DomainError as e:
        session.rollback()
        # the desk again, where the reviewer was, each problem listed beside the form, what was typed kept
        return await run_in_threadpool(lambda: _desk_page(
            task_id, request, user, session, settings, store, status_code=e.status_code,
            decide_errors=[p.strip() for p in e.message.split("；") if p.strip()], given=f))
    told = await run_in_threadpool(decision_outcome, session, review, stage_id, department, f.get("decision", ""))
    return flash_back("/review", told)


def _upheld_outcome(session: Any, task_id: str, submission_id: str) -> tuple[str, str]:
    """Where the reviewer goes after upholding a 识别有误, and what they are told."""
    task = session.get(ReviewTask, task_id)
    review = flow.review_of(session, submission_id)
    if review is not None and review.status == "returned":
        return "/review", "已维持该问题，申报已退回申报单位。"
    if task is not None and task.decision == "return":      # joint review: the others decide too
        return "/review", "已维持该问题，本部门的决定为退回；其他部门作出决定后退回申报单位。"
    # a stage that may not return: the finding stands and blocks the pass
    return f"/review/tasks/{task_id}", "已维持该问题；本环节不能退回，请作出不予通过的决定。"


@router.post("/review/tasks/{task_id}/findings/{finding_id}/contest", dependencies=[VisibleTask])
async def judge_contest(task_id: str, finding_id: RowIdPath, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    upheld = f.get("verdict") == "upheld"
    try:
        entry = await run_in_threadpool(lambda: finding_actions.judge_contest(
            session, user, task_id, finding_id, upheld=upheld, note=f.get("note")))
    except DomainError as e:
        return flash_back(f"/review/tasks/{task_id}", e.message)
    if upheld:
        return flash_back(*_upheld_outcome(session, task_id, entry.submission_id))
    return flash_back(f"/review/tasks/{task_id}", "已确认识别有误，该问题不再阻止通过。")


@router.post("/review/tasks/{task_id}/overrides", dependencies=[VisibleTask])
async def override(task_id: str, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    try:
        await run_in_threadpool(lambda: finding_actions.override(
            session, user, task_id, int(f.get("finding_id") or 0), f.get("reason", "")))
    except DomainError as e:
        return flash_back(f"/review/tasks/{task_id}", e.message)
    return flash_back(f"/review/tasks/{task_id}", "已放行，理由已记入办理记录。")


@router.get("/review/files/{submission_id}/{file_id}")
def inline_original(submission_id: str, file_id: str, user: CurrentUser, session: SessionDep,
                    store: StoreDep) -> Response:
    """PDF and images shown inline on the desk (other formats: the download link)."""
    visible_submission(session, user, submission_id)
    row, stream = open_original(session, store, submission_id, file_id)
    media = INLINE.get(row.format or "")
    if media is None:
        stream.close()
        return RedirectResponse(f"/api/submissions/{submission_id}/files/{file_id}/original", status_code=303)
    return StreamingResponse(iter(lambda: stream.read(256 * 1024), b""), media_type=media,
                             headers={"X-Content-Type-Options": "nosniff",
                                      "Content-Security-Policy": "sandbox", "Cache-Control": "private"})
