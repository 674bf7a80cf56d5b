"""The reviewer's lease on the desk, as a page fragment (issue 12: htmx for the live parts).

The desk's lease widget (templates/review/_lease.html) posts here every few seconds with htmx and is
replaced by the answer: the widget again with the new expiry, or, when the task can no longer be
renewed, with the refusal in Chinese and no timer (409, which the pages' htmx config swaps in).
The JSON endpoint (`POST /api/review/tasks/{id}/renew`) stays for API clients; both renew through
`queue.renew`.  Without JavaScript the widget is a plain form: 续期 posts it and the desk reloads.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from services.kit.deps import SessionDep, SettingsDep
from services.kit.csrf import require_csrf
from services.review import queue
from services.security.guards import Decider, VisibleTask
from services.kit.errors import DomainError
from services.kit.render import render

router = APIRouter(include_in_schema=False)
TEMPLATE = "review/_lease.html"


@router.post("/review/tasks/{task_id}/lease", dependencies=[VisibleTask])
async def renew_lease(task_id: str, request: Request, user: Decider, session: SessionDep,
                      settings: SettingsDep) -> Response:
    form = await request.form()
    require_csrf(request, str(form.get("csrf_token") or ""))
    by_htmx = request.headers.get("hx-request") == "true"
    try:
        task = await run_in_threadpool(queue.renew, session, user, task_id,
                                       lease_seconds=settings.review_lease_seconds)
    except DomainError as e:
        if not by_htmx:
            raise               # the Chinese message page, as for every other form of the desk
        return render(request, TEMPLATE, e.status_code, task=None, task_id=task_id, error=e.message,
                      renew_every=queue.renew_every(settings.review_lease_seconds))
    if not by_htmx:
        return RedirectResponse(f"/review/tasks/{task_id}", status_code=303)
    return render(request, TEMPLATE, task=task, task_id=task_id,
                  renew_every=queue.renew_every(settings.review_lease_seconds))
