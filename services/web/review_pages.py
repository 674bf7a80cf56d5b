"""People's pages for the review: login, the unit's own submissions, the reviewer's
queue and desk, a submission's history, and the admin page that binds people.

Server-rendered Chinese HTML; every form carries the session's CSRF token in
a hidden field, checked here before anything changes (multipart forms carry
it in the action's query string, checked by the middleware).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from sqlalchemy import select

from dossier import beijing
from services.kit.render import back, flash_back, local_path, read_form, render
from services.kit.templates import stage_name, template_global, templates
from dossier.campaigns import CampaignError, get_campaign, load_campaigns
from services.submissions import service as subs
from services.kit.deps import SessionDep, SettingsDep, StoreDep
from services.submissions.uploads import receive_form, store_uploads
from services.auth import accounts
from services.auth.accounts import ROLE_LABELS
from services.auth.middleware import COOKIE, set_session_cookie
from services.kit.deps import CurrentUser
from services.kit.csrf import csrf_ok, require_csrf
from services.security.guards import AdminUser, Decider, UnitUser, VisibleTask
from services.auth.login_csrf import login_token, login_token_ok, set_login_cookie
from storage import standing as lifecycle
from storage import settled_findings
from dossier.presenters import (REVIEW_STATUS_LABELS, field_label, history_detail, present_lifecycle,
                                 present_status)
from services.review.outcome_messages import decision_outcome
from services.review import audit, eligibility, flow, queue, schedule
from workers.packets import public_lists
from services.review.access import in_scope, is_staff, record_owner, submissions_of, task_scope, visible_submission
from services.review.audit import ACTION_LABELS
from services.review import findings as finding_actions
from services.review.blocking import blocking_items
from services.review.page_views import page_views
from services.review import page_images
from services.kit.errors import DomainError, InvalidInput, NotFound
from storage import versions as versions_store
from storage.models import StoredFile, Submission

from storage.review_models import ReviewTask, SubmissionReview
from dossier.stages import engine
from dossier.stages.calendar import bases as calendar_bases
from dossier.stages.engine import DECISION_LABELS, KIND_LABELS

router = APIRouter(include_in_schema=False)

STATUS_LABELS = REVIEW_STATUS_LABELS
TASK_STATES = {"open": "待领取", "claimed": "处理中", "done": "已办结", "cancelled": "已取消"}
INLINE = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
# the decision buttons look as different as their consequences
DECISION_STYLES = {"pass": "primary", "return": "warning", "reject": "danger", "withdraw": "danger"}


def _home(user: Any) -> str:
    return {"unit": "/unit", "recommender": "/review", "reviewer": "/review",
            "operator": "/ops"}.get(user.role, "/admin/users")


# ------------------------------------------------------------------ login

def _login_page(request: Request, settings: Any, status: int, nxt: str, error: str,
                headers: dict[str, str] | None = None) -> HTMLResponse:
    """The login form with its CSRF token (services.auth.login_csrf), set again as its cookie."""
    token = login_token(request)
    response = render(request, "review/login.html", status, next=nxt, error=error, login_csrf=token)
    set_login_cookie(response, token, settings.secure_cookies)
    response.headers.update(headers or {})
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, settings: SettingsDep, next: str = "") -> HTMLResponse:
    return _login_page(request, settings, 200, next, "")


@router.post("/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    nxt = str(form.get("next", ""))
    if not login_token_ok(request, str(form.get("csrf_token") or "")):
        return _login_page(request, settings, 403, nxt, "页面已过期，请重新输入用户名和密码。")
    verdict = request.app.state.login_throttle.attempt(username, request.client.host if request.client else "")
    if not verdict.allowed:
        return _login_page(request, settings, 429, nxt, f"登录尝试过多，请 {verdict.retry_after} 秒后再试。",
                           headers={"Retry-After": str(verdict.retry_after)})
    try:
        user = await run_in_threadpool(accounts.authenticate, session, username, password)
    except DomainError as e:
        return _login_page(request, settings, e.status_code, nxt, e.message)
    request.app.state.login_throttle.succeeded(username)
    new = await run_in_threadpool(accounts.open_session, session, user, settings.session_hours)
    # only a local path, so a crafted link cannot send the person elsewhere after login
    target = nxt if nxt.startswith("/") and not nxt.startswith("//") else _home(user)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, new.token, settings)
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep) -> Response:
    await read_form(request)
    token = request.cookies.get(COOKIE)
    if token:
        await run_in_threadpool(accounts.close_session, session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


# --------------------------------------------------------------- the unit

def _review_row(session: Any, sub: Any) -> dict[str, Any]:
    r = flow.review_of(session, sub.id)
    try:
        campaign = get_campaign(sub.campaign_id)
    except CampaignError:          # a campaign file gone since: the state still shows, stage by its id
        campaign = None
    life = present_lifecycle(campaign, lifecycle.standing(session, sub).to_json())
    return {"sub": sub, "review": r, "status": life["label"], "life": life,
            "stage": stage_name(sub.campaign_id, r.stage_id) if r and r.stage_id else ""}


@router.get("/unit", response_class=HTMLResponse)
def unit_home(request: Request, user: CurrentUser, session: SessionDep,
              msg: str = "") -> HTMLResponse:
    rows = [_review_row(session, s) for s in submissions_of(session, user)]
    campaigns = list(load_campaigns().values())
    return render(request, "review/unit.html", rows=rows, msg=msg, campaigns=campaigns,
                  campaign_titles={c.id: c.title for c in campaigns},
                  recommender_choices={c.id: eligibility.choices(session, c) for c in campaigns},
                  deadline_note=lambda sub: schedule.note(session, sub),
                  bound=eligibility.binding(session, user),
                  needs_recommender={c.id for c in campaigns if engine.needs_recommender(c)})


@router.post("/unit/submit")
async def unit_submit(request: Request, user: UnitUser, session: SessionDep, store: StoreDep,
                      settings: SettingsDep) -> Response:
    """A unit's new draft: created under its own organisation, its files stored and checked; the unit
    submits it from its page once the checks are done (services.review.submitting)."""
    fields, uploads = await receive_form(request.headers, request.stream(), max_file_bytes=settings.max_upload_bytes)
    try:
        require_csrf(request, fields.get("csrf_token"))
        # checked before anything is stored: a flow whose recommender is not named would open
        # a task nobody may claim (the campaign is chosen on the page, never defaulted)
        if not fields.get("campaign"):
            raise InvalidInput("请选择评选活动。", "campaign not chosen")
        campaign = get_campaign(fields["campaign"])
        # the unit's bound recommender, or one from the campaign file's list (the notice's words otherwise)
        recommender = eligibility.applicant_recommender(session, user, campaign, fields.get("recommender"))
        flow.check_recommender(campaign, recommender, listed=False)
        sub = await run_in_threadpool(subs.create_submission, session, campaign_id=campaign.id,
                                      organisation=user.organisation or "", recommender=recommender)
    except (DomainError, CampaignError) as e:
        for up in uploads:
            await up.close()
        return back("/unit", getattr(e, "message", None) or "请选择评选活动。")
    await run_in_threadpool(record_owner, session, user, sub.id)
    await store_uploads(session, store, settings, sub.id, uploads)
    return back(f"/submissions/{sub.id}", "草稿已建立，材料正在检查；检查完成后请在本页提交审核。")


@router.post("/unit/submissions/{submission_id}/resubmit")
async def unit_resubmit(submission_id: str, request: Request, user: CurrentUser, session: SessionDep,
                        store: StoreDep, settings: SettingsDep) -> Response:
    """The corrected files after a return: stored and checked; the unit resubmits from the
    submission's page once the checks are done, through the same gate as the first time."""
    sub = await run_in_threadpool(visible_submission, session, user, submission_id, change=True)
    if lifecycle.standing(session, sub).to_json()["code"] != "returned":
        # refused before a byte of the body is read: a refused resubmit stores nothing
        raise DomainError("只有被退回的申报才能上传修改后的材料并重新提交。", f"{submission_id} is not returned",
                          code="submission.not_returned", status_code=409)
    fields, uploads = await receive_form(request.headers, request.stream(), max_file_bytes=settings.max_upload_bytes)
    if not csrf_ok(request, fields.get("csrf_token")):
        for up in uploads:
            await up.close()
        return back("/unit", "页面已过期，请刷新后重试。")
    await store_uploads(session, store, settings, submission_id, uploads)
    return back(f"/submissions/{submission_id}", "修改后的材料已上传，正在检查；检查完成后请点“重新提交”。")


# ------------------------------------------------------------- the queue

@router.get("/review", response_class=HTMLResponse)
def review_home(request: Request, user: CurrentUser, session: SessionDep, stage_id: str = "",
                department: str = "", state: str = "", due_by: str = "", msg: str = "") -> HTMLResponse:
    try:
        due = queue.due_by(dt.date.fromisoformat(due_by)) if due_by else None
    except ValueError:        # a hand-typed date the browser did not check: ignore it, say so
        due, msg = None, msg or "期限日期格式不对，请按 年-月-日 填写。"
    f = queue.TaskFilter(stage_id=stage_id or None, department=department or None, state=state or None,
                         due_before=due)
    tasks = queue.list_tasks(session, user, f)
    # staff may hand a task to anyone who works that queue (改派)
    people = [u for u in accounts.list_users(session) if u.active and u.role in ("reviewer", "recommender")] \
        if is_staff(user) else []
    rows = []
    contested = finding_actions.pending_contests(session, [t.submission_id for t in tasks])
    for t in tasks:
        sub = session.get(Submission, t.submission_id)
        rows.append({"t": t, "sub": sub, "stage": stage_name(t.campaign_id, t.stage_id),
                     "life": _review_row(session, sub)["status"] if sub is not None else "",
                     "contested": contested.get(t.submission_id, 0),
                     "state": TASK_STATES.get(t.state, t.state), "overdue": queue.is_overdue(t),
                     "lapsed": queue.lease_lapsed(t), "mine": t.assignee_id == user.id,
                     "eligible": [u for u in people if in_scope(u, t) and u.id != t.assignee_id]})
    return render(request, "review/queue.html", rows=rows, msg=msg, recommended=_recommended(session, user),
                  choices=_filter_choices(user),
                  own_lists=public_lists.own_lists(list(load_campaigns().values())),
                  filters={"stage_id": stage_id, "department": department, "state": state,
                           "due_by": due_by if due else ""})


def _filter_choices(user: Any) -> dict[str, Any]:
    """The queue's drop-downs: the stages and departments the campaign files define, by their names
    (the ids stay in the option values only)."""
    campaigns = [c for c in load_campaigns().values() if not getattr(user, "campaign_id", None)
                 or c.id == user.campaign_id]
    stages: list[tuple[str, str]] = []
    departments: list[str] = []
    for c in campaigns:
        for st in engine.stages(c):
            name = st.name if len(campaigns) == 1 else f"{st.name}（{c.title}）"
            if st.id not in {v for v, _ in stages}:
                stages.append((st.id, name))
            for d in list(st.departments or ()) + ([st.department] if st.department else []):
                if d not in departments:
                    departments.append(d)
    return {"stages": stages, "departments": departments,
            "own_stage": stage_name(user.campaign_id, user.stage_id)
            if getattr(user, "campaign_id", None) and getattr(user, "stage_id", None)
            else dict(stages).get(getattr(user, "stage_id", None) or "", "")}


def _recommended(session: Any, user: Any) -> list[dict[str, Any]]:
    """A recommender's own units' submissions under review, each with its 公示 and open objections,
    so the objections of the recommender's 公示 are recorded and resolved on their own page."""
    if user.role != "recommender":
        return []
    rows = []
    for sub in submissions_of(session, user):
        row = _review_row(session, sub)
        if row["review"] is None or row["review"].status != "in_review":
            continue
        row["objections"] = flow.open_objections(session, sub.id)
        rows.append(row)
    return rows


@router.post("/review/claim-next")
async def claim_next(request: Request, user: Decider, session: SessionDep, settings: SettingsDep) -> Response:
    await read_form(request)
    task = await run_in_threadpool(queue.claim_next, session, user, lease_seconds=settings.review_lease_seconds)
    if task is None:
        return back("/review", "队列中暂无可领取的任务。")
    return RedirectResponse(f"/review/tasks/{task.id}", status_code=303)


@router.post("/review/tasks/{task_id}/claim", dependencies=[VisibleTask])
async def claim(task_id: str, request: Request, user: Decider, session: SessionDep,
                settings: SettingsDep) -> Response:
    await read_form(request)
    await run_in_threadpool(queue.claim, session, user, task_id, lease_seconds=settings.review_lease_seconds)
    return RedirectResponse(f"/review/tasks/{task_id}", status_code=303)


@router.post("/review/tasks/{task_id}/release", dependencies=[VisibleTask])
async def release(task_id: str, request: Request, user: Decider, session: SessionDep) -> Response:
    await read_form(request)
    await run_in_threadpool(queue.release, session, user, task_id)
    return back("/review", "任务已退回任务池。")


@router.post("/review/tasks/{task_id}/reassign")
async def reassign(task_id: str, request: Request, user: AdminUser, session: SessionDep,
                   settings: SettingsDep) -> Response:
    f = await read_form(request)
    to = accounts.find_user(session, f.get("to", ""))
    if to is None or not to.active:
        return back("/review", "请选择要改派的人员。")
    try:
        await run_in_threadpool(queue.reassign, session, user, task_id, to,
                                lease_seconds=settings.review_lease_seconds)
    except DomainError as e:
        return back("/review", e.message)
    return back("/review", f"已改派给 {to.display_name}。")


# -------------------------------------------------------------- the desk

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
         store: StoreDep, msg: str = "") -> HTMLResponse:
    return _desk_page(task_id, request, user, session, settings, store, msg)


def _desk_page(task_id: str, request: Request, user: Any, session: Any, settings: Any, store: Any,
               msg: str = "", *, status_code: int = 200, decide_errors: list[str] | None = None,
               given: dict[str, str] | None = None) -> HTMLResponse:
    task = _task(session, user, task_id)
    campaign = get_campaign(task.campaign_id)
    stage = engine.stage(campaign, task.stage_id)
    st = present_status(campaign, subs.submission_status(session, task.submission_id))
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
            views = page_images.printed_views(store, row) or []
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
                  quota=flow.quota_standing(session, campaign, task),
                  award=flow.award_standing(session, campaign, task.stage_id),
                  campaign=campaign,     # its standards beside the scoring (the notice's words)
                  # what stops a pass, contested first, beside the decision buttons
                  blocking=blocking_items(session, campaign, task.submission_id),
                  settled=settled_findings.dossier_notes(session, campaign, task.submission_id),
                  status_label=STATUS_LABELS.get(review.status if review else None, ""),
                  # the page renews the lease a few times per lease while the reviewer is at work
                  renew_every=max(5, settings.review_lease_seconds // 3),
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


@router.post("/submissions/{submission_id}/findings/{finding_id}/contest")
async def unit_contest(submission_id: str, finding_id: int, request: Request, user: CurrentUser,
                       session: SessionDep) -> Response:
    """识别有误 from the unit's page (templates/_contest.html); back to the page with the outcome."""
    f = await read_form(request)
    page = f"/submissions/{submission_id}"
    try:
        await run_in_threadpool(finding_actions.contest, session, user, submission_id, finding_id,
                                f.get("note", ""))
    except DomainError as e:
        return back(page, e.message)
    return back(page, "已标记识别有误，此问题不再阻止提交，审核人员将对照原件核实。")


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
async def judge_contest(task_id: str, finding_id: int, request: Request, user: Decider, session: SessionDep) -> Response:
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


@router.post("/review/submissions/{submission_id}/objections")
async def objection(submission_id: str, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    await run_in_threadpool(flow.raise_objection, session, user, submission_id, f.get("text", ""))
    return back(local_path(f.get("back", "")), "异议已登记。")


@router.post("/review/objections/{objection_id}/resolve")
async def resolve(objection_id: int, request: Request, user: Decider, session: SessionDep) -> Response:
    f = await read_form(request)
    await run_in_threadpool(flow.resolve_objection, session, user, objection_id, f.get("text", ""))
    return back(local_path(f.get("back", "")), "异议已处理。")


@router.get("/review/files/{submission_id}/{file_id}")
def inline_original(submission_id: str, file_id: str, user: CurrentUser, session: SessionDep,
                    store: StoreDep) -> Response:
    """PDF and images shown inline on the desk (other formats: the download link)."""
    visible_submission(session, user, submission_id)
    row, stream = subs.open_original(session, store, submission_id, file_id)
    media = INLINE.get(row.format or "")
    if media is None:
        stream.close()
        return RedirectResponse(f"/api/submissions/{submission_id}/files/{file_id}/original", status_code=303)
    return StreamingResponse(iter(lambda: stream.read(256 * 1024), b""), media_type=media,
                             headers={"X-Content-Type-Options": "nosniff",
                                      "Content-Security-Policy": "sandbox", "Cache-Control": "private"})


@router.get("/review/submissions/{submission_id}/history", response_class=HTMLResponse)
def history(submission_id: str, request: Request, user: CurrentUser, session: SessionDep) -> HTMLResponse:
    sub = visible_submission(session, user, submission_id)
    try:
        campaign = get_campaign(sub.campaign_id)
    except CampaignError:       # a campaign file gone since: codes' labels without its fields
        campaign = None
    return render(request, "review/history.html", sub=sub, entries=audit.history(session, submission_id),
                  detail=lambda d: history_detail(campaign, d),
                  labels=ACTION_LABELS, review=flow.review_of(session, submission_id),
                  versions=flow.versions(session, submission_id))


# -------------------------------------------------------------- admin

@router.get("/admin/users", response_class=HTMLResponse)
def admin_users(request: Request, user: AdminUser, session: SessionDep,
                msg: str = "") -> HTMLResponse:
    campaigns = list(load_campaigns().values())
    stages = [(c.id, s.id, s.name, s.departments or ((s.department,) if s.department else ()))
              for c in campaigns for s in engine.stages(c)]
    # units pick their recommender (or 创建对象) and reviewers their county from the campaign file's lists
    return render(request, "review/admin_users.html", people=accounts.list_users(session), stages=stages, msg=msg,
                  campaigns=campaigns, lists=eligibility.admin_lists(session, campaigns),
                  bindings=eligibility.bindings(session))


@router.post("/admin/users")
async def admin_add(request: Request, user: AdminUser, session: SessionDep) -> Response:
    f = await read_form(request)
    try:
        await run_in_threadpool(lambda: accounts.create_user(
            session, username=f.get("username", ""), password=f.get("password", ""), role=f.get("role", ""),
            display_name=f.get("display_name", ""), organisation=f.get("organisation"),
            stage_id=f.get("stage_id"), department=f.get("department"), campaign_id=f.get("campaign_id"),
            recommender=f.get("recommender"), applicant_kind=f.get("applicant_kind"), county=f.get("county")))
    except DomainError as e:
        return back("/admin/users", e.message)
    return back("/admin/users", "账号已创建。")


@router.post("/admin/users/{user_id}/bind")
async def admin_bind(user_id: str, request: Request, user: AdminUser, session: SessionDep) -> Response:
    f = await read_form(request)
    try:
        await run_in_threadpool(lambda: accounts.bind_user(
            session, user_id, role=f.get("role"), organisation=f.get("organisation"),
            campaign_id=f.get("campaign_id"), stage_id=f.get("stage_id"), department=f.get("department"),
            recommender=f.get("recommender"), applicant_kind=f.get("applicant_kind"), county=f.get("county")))
    except DomainError as e:
        return back("/admin/users", e.message)
    return back("/admin/users", "绑定已保存。")


@router.post("/admin/users/{user_id}/active")
async def admin_active(user_id: str, request: Request, user: AdminUser, session: SessionDep) -> Response:
    f = await read_form(request)
    target = accounts.get_user(session, user_id)
    await run_in_threadpool(accounts.set_active, session, target.username, f.get("active") == "1")
    return back("/admin/users", "已更新。")


# the header's role names and the queue's staff-only parts, on every page
templates.env.globals["roles"] = ROLE_LABELS
template_global("is_staff")(is_staff)
