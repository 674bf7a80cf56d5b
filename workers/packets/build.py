"""A campaign's packets: every submission's dossier PDF, the summary XLSX and the summary PDF, and
each list the campaign file's `public_lists:` defines (XLSX and PDF, per recommender where it says so).

`run_build(rt, build_id)` is the plain function the `packets.build` task wraps.
It reads the build row by id, compiles one submission at a time and records the
progress after each, so people watch it move and a redelivered message picks
up where the last one stopped (dossiers already stored are not compiled again).
A submission that fails to compile gets a page that says why, in place of its
dossier, and a row in the 汇总表 that says so; the build goes on.  A long build
stops before the task's time limit and enqueues its own continuation (through
the outbox), so no task outlives RabbitMQ's consumer timeout.

Everything produced is a derived file under `packets/{campaign}/{build}/`;
originals are only read.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from dossier.task_names import PACKET_BUILD
from dossier.campaigns import Campaign, CampaignError, get_campaign
from dossier.settings import Settings
from storage import outbox
from storage.models import Submission, utcnow
from storage.objects import ObjectStore, check_key
from storage.packet_models import BuildState, PacketBuild
from workers.extract.convert import convert_to_pdf

from . import public_lists
from .dossier_pdf import compile_dossier, failure_pdf
from .originals import WordToPdf
from .record import SubmissionRecord, campaign_submissions, gather
from .summary import summary_sheets, write_pdf, write_xlsx

log = logging.getLogger(__name__)

TOPIC = PACKET_BUILD
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MSG_CAMPAIGN = "评选活动配置文件已不存在或有误，无法生成汇编。"
MSG_FAILED = "生成汇编时出错，请联系管理员。"


def build_prefix(campaign_id: str, build_id: str) -> str:
    return check_key(f"packets/{campaign_id}/{build_id}")


def dossier_key(campaign_id: str, build_id: str, submission_id: str) -> str:
    return check_key(f"{build_prefix(campaign_id, build_id)}/dossiers/{submission_id}.pdf")


def reason_for(e: BaseException) -> str:
    """What people read when one submission could not be compiled (the detail goes to the log)."""
    return f"汇编这份申报时出错（{type(e).__name__}），其余申报不受影响。"


def _store_dossier(session: Session, store: ObjectStore, settings: Settings, campaign: Campaign,
                   build: PacketBuild, sid: str, word_to_pdf: WordToPdf,
                   transient: tuple[type[BaseException], ...]) -> str | None:
    """Compile and store one dossier; returns the Chinese reason when it failed."""
    try:
        pdf = compile_dossier(session, store, settings, campaign, sid, word_to_pdf=word_to_pdf).pdf
        reason = None
    except transient:
        raise
    except Exception as e:  # noqa: BLE001 - one submission must not sink the build
        session.rollback()
        log.exception("packet build %s: submission %s failed to compile", build.id, sid)
        reason = reason_for(e)
        sub = session.get(Submission, sid)
        pdf = failure_pdf(sub.organisation if sub else sid, sid, reason, font_path=settings.packet_font)
    store.put_bytes(dossier_key(campaign.id, build.id, sid), pdf, PDF)
    return reason


def _records(session: Session, campaign: Campaign, ids: list[str], failed: dict[str, str],
             transient: tuple[type[BaseException], ...]) -> list[SubmissionRecord]:
    out = []
    for sid in ids:
        if sid in failed:
            continue
        try:
            out.append(gather(session, campaign, sid))
        except transient:
            raise
        except Exception as e:  # noqa: BLE001 - the summary goes on without it, saying so
            session.rollback()
            log.exception("packet build: submission %s could not be summarised", sid)
            failed[sid] = reason_for(e)
    return out


def run_build(session_factory: Callable[[], Session], store: ObjectStore, settings: Settings, build_id: str, *,
              transient: tuple[type[BaseException], ...] = (), word_to_pdf: WordToPdf = convert_to_pdf,
              budget_s: float | None = None, now: dt.datetime | None = None) -> str:
    """Build (or go on building) the packets of `build_id`; returns its state, or "continued"
    when it stopped for time and enqueued the rest, or "gone" when the row is gone."""
    deadline = time.monotonic() + (budget_s if budget_s is not None else settings.task_soft_time_limit * 0.8)
    with session_factory() as s:
        build = s.get(PacketBuild, build_id)
        if build is None:
            log.info("packet build %s is gone; nothing to do", build_id)
            return "gone"
        if build.is_final:
            return build.state
        try:
            campaign = get_campaign(build.campaign_id)
        except CampaignError as e:
            log.error("packet build %s: %s", build_id, e)
            _finish(s, build, BuildState.FAILED, error=MSG_CAMPAIGN)
            return build.state
        try:
            return _run(s, store, settings, campaign, build, transient, word_to_pdf, deadline, now)
        except transient:
            s.rollback()
            raise
        except Exception:  # noqa: BLE001 - the build as a whole: recorded, never silent
            s.rollback()
            log.exception("packet build %s failed", build_id)
            build = s.get(PacketBuild, build_id)
            assert build is not None
            _finish(s, build, BuildState.FAILED, error=MSG_FAILED)
            return build.state


def _run(s: Session, store: ObjectStore, settings: Settings, campaign: Campaign, build: PacketBuild,
         transient: tuple[type[BaseException], ...], word_to_pdf: WordToPdf, deadline: float,
         now: dt.datetime | None) -> str:
    ids = campaign_submissions(s, campaign.id)
    objects: dict[str, Any] = dict(build.objects or {})
    dossiers: dict[str, str] = dict(objects.get("dossiers") or {})
    failed: dict[str, str] = dict(objects.get("failed") or {})
    if build.state == BuildState.QUEUED.value:
        build.state, build.started_at = BuildState.RUNNING.value, utcnow()
    build.total = len(ids)
    build.done = sum(1 for sid in ids if sid in dossiers)
    s.commit()
    for sid in ids:
        if sid in dossiers:
            continue              # stored by an earlier run of this build
        if time.monotonic() > deadline:
            outbox.add(s, TOPIC, build.id)
            s.commit()
            log.info("packet build %s: %d of %d done; continuing in a new task", build.id, build.done, build.total)
            return "continued"
        reason = _store_dossier(s, store, settings, campaign, build, sid, word_to_pdf, transient)
        build = s.get(PacketBuild, build.id)  # type: ignore[assignment]
        dossiers[sid] = dossier_key(campaign.id, build.id, sid)
        if reason:
            failed[sid] = reason
        build.done += 1
        build.objects = {**objects, "dossiers": dict(dossiers), "failed": dict(failed)}
        s.commit()
    compiled = now or utcnow()
    records = _records(s, campaign, ids, failed, transient)
    sheets = summary_sheets(campaign, records, failed)
    prefix = build_prefix(campaign.id, build.id)
    xlsx_key, pdf_key = f"{prefix}/summary.xlsx", f"{prefix}/summary.pdf"
    store.put_bytes(xlsx_key, write_xlsx(sheets, compiled=compiled), XLSX)
    store.put_bytes(pdf_key, write_pdf(sheets, compiled=compiled, font_path=settings.packet_font), PDF)
    lists = _store_lists(s, store, settings, campaign, prefix, records, compiled)
    build = s.get(PacketBuild, build.id)  # type: ignore[assignment]
    build.objects = {"summary_xlsx": xlsx_key, "summary_pdf": pdf_key, "dossiers": dossiers, "failed": failed,
                     "lists": lists}
    _finish(s, build, BuildState.DONE)
    log.info("packet build %s done: %d dossiers, %d failed", build.id, len(dossiers), len(failed))
    return build.state


def _store_lists(s: Session, store: ObjectStore, settings: Settings, campaign: Campaign, prefix: str,
                 records: list[SubmissionRecord], compiled: dt.datetime) -> list[dict[str, Any]]:
    """Each list the campaign file defines, as XLSX and PDF under `lists/`: what staff download
    later is what stood at this build, not what stands when they click.  A recommender's part is
    keyed by its place among the list's recommenders (object keys take no Chinese)."""
    out = []
    for spec, made in public_lists.parts(s, campaign, records):
        files = []
        for n, part in enumerate(made, start=1):
            stem = f"{prefix}/lists/{spec.id}" + (f"-{n}" if spec.per == "recommender" else "")
            xlsx_key, pdf_key = check_key(f"{stem}.xlsx"), check_key(f"{stem}.pdf")
            store.put_bytes(xlsx_key, write_xlsx([part.sheet], compiled=compiled), XLSX)
            store.put_bytes(pdf_key, write_pdf([part.sheet], compiled=compiled, font_path=settings.packet_font), PDF)
            files.append({"recommender": part.recommender, "title": part.sheet.title, "rows": len(part.sheet.rows),
                          "xlsx": xlsx_key, "pdf": pdf_key})
        out.append({"id": spec.id, "title": spec.title, "per": spec.per, "files": files})
    return out


def _finish(s: Session, build: PacketBuild, state: BuildState, *, error: str | None = None) -> None:
    build.state, build.finished_at, build.error = state.value, utcnow(), error
    s.commit()


def request_build(session: Session, campaign_id: str, requested_by: str | None) -> PacketBuild:
    """Record a build and its task in one transaction (the relay publishes it after commit)."""
    build = PacketBuild(campaign_id=campaign_id, state=BuildState.QUEUED.value, requested_by=requested_by,
                        objects={}, done=0, total=0)
    session.add(build)
    session.flush()
    outbox.add(session, TOPIC, build.id)
    session.commit()
    return build
