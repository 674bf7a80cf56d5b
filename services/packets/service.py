"""The packets service: what the API, the admin page and the CLI call.

Starting a build records it with its task in one transaction (the relay
publishes it); a unit's own dossier and the CLI's commands are compiled at
once, in the caller's process.  Builds are for staff (admin, operator); a
refusal reads like a missing row, as elsewhere in the review.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable
from urllib.parse import urlencode

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dossier.settings import Settings
from services.kit.deps import campaign_or_404
from services.kit.errors import DomainError, Forbidden, NotFound
from services.security.access import is_staff, visible_submission
from storage.models import Submission, utcnow
from storage.objects import ObjectNotFound, ObjectStore
from storage.packet_models import PacketBuild
from storage.review_models import User
from workers.packets import build as builder
from workers.packets.dossier_pdf import Dossier, compile_dossier
from workers.packets.record import campaign_submissions, gather
from workers.packets.summary import summary_sheets, write_pdf, write_xlsx

STATE_LABELS = {"queued": "排队中", "running": "正在生成", "done": "已完成", "failed": "生成失败"}


def _staff(user: User) -> None:
    if not is_staff(user):
        raise Forbidden("只有管理员或运维人员可以生成和下载汇编。", f"{user.username} ({user.role}) is not staff")


def _campaign(campaign_id: str) -> Any:
    return campaign_or_404(campaign_id)


class TooManyBuilds(DomainError):
    status_code = 429
    code = "packets.rate_limited"


# a build not finished after this long is taken as abandoned (its worker died), so a new one may start
STALE_BUILD = dt.timedelta(hours=2)


def start_build(session: Session, settings: Settings, user: User, campaign_id: str) -> PacketBuild:
    """Queue a build of the campaign's packets; while one of the campaign is queued or running it
    is the answer (one build at a time, whoever asks), and a person may start only
    `packet_builds_per_hour` builds an hour."""
    _staff(user)
    campaign = _campaign(campaign_id)
    now = utcnow()
    running = session.scalar(select(PacketBuild).where(
        PacketBuild.campaign_id == campaign.id, PacketBuild.state.in_(("queued", "running")),
        PacketBuild.created_at > now - STALE_BUILD).order_by(PacketBuild.created_at.desc()).limit(1))
    if running is not None:
        return running
    recent = session.scalar(select(func.count()).select_from(PacketBuild).where(
        PacketBuild.requested_by == user.username, PacketBuild.created_at > now - dt.timedelta(hours=1)))
    if int(recent or 0) >= settings.packet_builds_per_hour:
        raise TooManyBuilds(f"一小时内最多生成 {settings.packet_builds_per_hour} 次汇编，请稍后再试。",
                            f"{user.username} started {recent} builds in the last hour")
    return builder.request_build(session, campaign.id, user.username)


def get_build(session: Session, user: User, build_id: str) -> PacketBuild:
    _staff(user)
    build = session.get(PacketBuild, build_id)
    if build is None:
        raise NotFound("找不到这次汇编。", f"packet build {build_id}")
    return build


def list_builds(session: Session, user: User, campaign_id: str | None = None, limit: int = 50) -> list[PacketBuild]:
    _staff(user)
    q = select(PacketBuild).order_by(PacketBuild.created_at.desc()).limit(limit)
    if campaign_id:
        q = q.where(PacketBuild.campaign_id == campaign_id)
    return list(session.scalars(q))


def build_json(b: PacketBuild) -> dict[str, Any]:
    objects = b.objects or {}
    base = f"/api/packets/{b.id}"
    return {
        "id": b.id, "campaign_id": b.campaign_id, "state": b.state, "state_label": STATE_LABELS.get(b.state, b.state),
        "progress": {"done": b.done, "total": b.total}, "requested_by": b.requested_by, "error": b.error,
        "created_at": b.created_at.isoformat() if b.created_at else None,
        "finished_at": b.finished_at.isoformat() if b.finished_at else None,
        "objects": objects,
        "failed": objects.get("failed") or {},
        "downloads": {
            **({"summary_xlsx": f"{base}/summary.xlsx"} if objects.get("summary_xlsx") else {}),
            **({"summary_pdf": f"{base}/summary.pdf"} if objects.get("summary_pdf") else {}),
            "dossiers": {sid: f"{base}/dossiers/{sid}.pdf" for sid in (objects.get("dossiers") or {})},
            "lists": [_list_links(base, entry) for entry in objects.get("lists") or ()],
        },
    }


def _list_links(base: str, entry: dict[str, Any]) -> dict[str, Any]:
    """A built list with a link per file: `?recommender=` names a recommender's own part."""
    def url(f: dict[str, Any], fmt: str) -> str:
        query = f"?{urlencode({'recommender': f['recommender']})}" if f.get("recommender") else ""
        return f"{base}/lists/{entry['id']}.{fmt}{query}"
    return {"id": entry["id"], "title": entry["title"], "per": entry.get("per"),
            "files": [{"recommender": f.get("recommender"), "title": f["title"], "rows": f.get("rows"),
                       "xlsx": url(f, "xlsx"), "pdf": url(f, "pdf")} for f in entry.get("files") or ()]}


@dataclass
class Download:
    key: str
    media_type: str
    filename: str


def _stamp(build: PacketBuild) -> str:
    """The build's date in its files' names: when it finished (the files stand as of then)."""
    return (build.finished_at or build.created_at or utcnow()).strftime("%Y%m%d")


def build_download(session: Session, user: User, build_id: str, what: str,
                   submission_id: str | None = None) -> Download:
    """The object key of one of a build's files: summary.xlsx, summary.pdf or a dossier."""
    build = get_build(session, user, build_id)
    objects = build.objects or {}
    stamp = _stamp(build)
    if what == "summary.xlsx" and objects.get("summary_xlsx"):
        return Download(objects["summary_xlsx"], builder.XLSX, f"{build.campaign_id}-汇总表-{stamp}.xlsx")
    if what == "summary.pdf" and objects.get("summary_pdf"):
        return Download(objects["summary_pdf"], builder.PDF, f"{build.campaign_id}-汇总表-{stamp}.pdf")
    key = (objects.get("dossiers") or {}).get(submission_id or "") if what == "dossier" else None
    if key:
        sub = session.get(Submission, submission_id)
        return Download(key, builder.PDF, f"{sub.organisation if sub else submission_id}-申报材料汇编.pdf")
    raise NotFound("这次汇编还没有生成这个文件。", f"build {build_id} has no {what} {submission_id or ''}")


def list_download(session: Session, user: User, build_id: str, list_id: str, fmt: str,
                  recommender: str | None = None) -> Download:
    """A list as this build stored it (`recommender`: that recommender's own part), named in Chinese
    with the build's date: what was built then, not the list as it stands now."""
    build = get_build(session, user, build_id)
    entry = next((e for e in (build.objects or {}).get("lists") or () if e.get("id") == list_id), None)
    files = (entry or {}).get("files") or ()
    part = next((f for f in files if (f.get("recommender") or None) == (recommender or None)), None)
    if part is None or fmt not in ("xlsx", "pdf"):
        raise NotFound("这次汇编没有生成这份名单。", f"build {build_id} has no list {list_id}.{fmt} {recommender or ''}")
    stamp = _stamp(build)
    return Download(part[fmt], builder.XLSX if fmt == "xlsx" else builder.PDF, f"{part['title']}-{stamp}.{fmt}")


def open_download(store: ObjectStore, d: Download) -> Any:
    try:
        return store.open(d.key)
    except ObjectNotFound:
        raise NotFound("这个文件已不在存储中，请重新生成汇编。", f"object {d.key} missing", status_code=410) from None


def submission_dossier(session: Session, store: ObjectStore, settings: Settings, submission_id: str,
                       user: User | None = None, *, now: dt.datetime | None = None) -> Dossier:
    """One submission's dossier, compiled now; with `user`, only a submission that person may see
    (a unit: its own), else the same 404 as a missing one."""
    sub = visible_submission(session, user, submission_id) if user is not None else \
        session.get(Submission, submission_id)
    if sub is None:
        raise NotFound("找不到这份申报。", f"submission {submission_id}")
    return compile_dossier(session, store, settings, _campaign(sub.campaign_id), sub.id, now=now)


def campaign_summary(session: Session, settings: Settings, campaign_id: str, *,
                     now: dt.datetime | None = None,
                     progress: Callable[[int, int, str], None] | None = None) -> tuple[bytes, bytes, int]:
    """The campaign's summary (XLSX, PDF) compiled now, and how many submissions it covers;
    `progress(done, total, submission_id)` after each submission is gathered (the CLI's bar)."""
    campaign = _campaign(campaign_id)
    ids = campaign_submissions(session, campaign.id)
    records = []
    for done, sid in enumerate(ids, start=1):
        records.append(gather(session, campaign, sid))
        if progress is not None:
            progress(done, len(ids), sid)
    sheets = summary_sheets(campaign, records)
    compiled = now or utcnow()
    return (write_xlsx(sheets, compiled=compiled),
            write_pdf(sheets, compiled=compiled, font_path=settings.packet_font), len(records))
