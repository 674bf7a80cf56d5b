"""The packets API: start a campaign's build, watch its progress, download what it made;
and a unit's own dossier PDF, compiled on demand.

Builds are for staff (admin, operator).  Cookie requests that change something
carry the CSRF token (the auth middleware checks it), API tokens need none.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse

from services.kit.deps import CurrentUser, SessionDep, SettingsDep, StoreDep
from services.kit.downloads import content_disposition

from . import service

router = APIRouter(prefix="/api", tags=["packets"])

PDF_RESPONSE: dict[int | str, dict[str, Any]] = {200: {"content": {"application/pdf": {}}}}


@router.post("/campaigns/{campaign_id}/packets", status_code=status.HTTP_202_ACCEPTED,
             summary="Build the campaign's packets / 生成评选活动的汇编")
def start(campaign_id: str, user: CurrentUser, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    """Queues a build: every submission's dossier PDF, the 汇总表 XLSX and its PDF, and each list of
    the campaign file's `public_lists` (XLSX and PDF). Poll
    `GET /api/packets/{id}` until `state` is `done` or `failed`."""
    build = service.start_build(session, settings, user, campaign_id)
    return {**service.build_json(build), "status_url": f"/api/packets/{build.id}"}


@router.get("/campaigns/{campaign_id}/packets", summary="Builds of a campaign / 汇编记录")
def list_builds(campaign_id: str, user: CurrentUser, session: SessionDep) -> list[dict[str, Any]]:
    return [service.build_json(b) for b in service.list_builds(session, user, campaign_id)]


@router.get("/packets/{build_id}", summary="A build's state and progress / 汇编进度")
def get_build(build_id: str, user: CurrentUser, session: SessionDep) -> dict[str, Any]:
    return service.build_json(service.get_build(session, user, build_id))


def _stream(store: Any, d: service.Download) -> StreamingResponse:
    stream = service.open_download(store, d)
    return StreamingResponse(iter(lambda: stream.read(256 * 1024), b""), media_type=d.media_type,
                             headers={"Content-Disposition": content_disposition(d.filename),
                                      "X-Content-Type-Options": "nosniff", "Cache-Control": "private"})


@router.get("/packets/{build_id}/summary.xlsx", summary="Summary workbook / 汇总表（XLSX）", response_class=StreamingResponse)
def summary_xlsx(build_id: str, user: CurrentUser, session: SessionDep, store: StoreDep) -> StreamingResponse:
    return _stream(store, service.build_download(session, user, build_id, "summary.xlsx"))


@router.get("/packets/{build_id}/summary.pdf", summary="Summary for printing / 汇总表（PDF）", response_class=StreamingResponse,
            responses=PDF_RESPONSE)
def summary_pdf(build_id: str, user: CurrentUser, session: SessionDep, store: StoreDep) -> StreamingResponse:
    return _stream(store, service.build_download(session, user, build_id, "summary.pdf"))


@router.get("/packets/{build_id}/dossiers/{submission_id}.pdf", summary="A dossier of a build / 申报材料汇编",
            response_class=StreamingResponse, responses=PDF_RESPONSE)
def dossier_of_build(build_id: str, submission_id: str, user: CurrentUser, session: SessionDep,
                     store: StoreDep) -> StreamingResponse:
    return _stream(store, service.build_download(session, user, build_id, "dossier", submission_id))


@router.get("/packets/{build_id}/lists/{list_id}.{fmt}", summary="A list as the build made it / 汇编中的名单",
            response_class=StreamingResponse, responses=PDF_RESPONSE)
def list_of_build(build_id: str, list_id: str, fmt: str, user: CurrentUser, session: SessionDep, store: StoreDep,
                  recommender: str | None = None) -> StreamingResponse:
    """One of the campaign file's `public_lists` as this build stored it, `xlsx` or `pdf`; a list made
    per recommender takes `recommender` (its own 公示名单)."""
    return _stream(store, service.list_download(session, user, build_id, list_id, fmt, recommender))


@router.get("/submissions/{submission_id}/packet.pdf", tags=["submissions"], response_class=Response,
            summary="My submission's dossier PDF / 本单位申报材料汇编", responses=PDF_RESPONSE)
async def submission_packet(submission_id: str, user: CurrentUser, session: SessionDep, store: StoreDep,
                            settings: SettingsDep) -> Response:
    """Compiled now (Word originals are converted by LibreOffice: seconds). A unit gets its own
    submissions only; any other id answers 404."""
    dossier = await run_in_threadpool(service.submission_dossier, session, store, settings, submission_id, user)
    name = f"{dossier.record.organisation}-申报材料汇编-第{dossier.record.version}版.pdf"
    return Response(dossier.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": content_disposition(name), "Cache-Control": "private"})
