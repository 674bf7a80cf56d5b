"""The lists the notices publish, as packets: each recommender's 公示名单 and the city's, the
表彰名单 (jinhua), the 最终名单 (yueyang) and the yearly 复查 outcomes.

The lists are data: the campaign file's `public_lists:` section.  Each list picks submissions by
`reached:` (a stage they got to: its 公示), `passed:` (a stage every department passed) and/or
`title_held:`; `per: recommender` makes one list per recommender (its own 公示); `reinspection: true`
lists the yearly 复查 outcomes, a row per unit and year.  Columns are those of `packets:` lists.
The writers are the summary's (an XLSX and a landscape A4 PDF per list).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier.campaign_packets import summary_column
from dossier.campaigns import Campaign, PacketList, SummaryColumn
from storage.models import Submission
from storage.review_models import ReviewTask
from workers.routing import yearly

from .record import SubmissionRecord, campaign_submissions, china_date, gather
from .summary import Sheet, _sheet, write_pdf, write_xlsx

OUTCOME_LABELS = {"pass": "复查合格，保留称号", "withdraw": "复查不合格，撤销称号", None: "复查中"}


class ListError(KeyError):
    """No such list in the campaign file, or no such recommender's list."""


@dataclass(frozen=True)
class ListSpec:
    id: str
    title: str
    reached: str | None = None
    passed: str | None = None
    titles: tuple[str, ...] = ()
    per: str | None = None            # recommender: one list per recommender's 公示
    reinspection: bool = False
    columns: tuple[SummaryColumn, ...] = ()


def specs(campaign: Campaign) -> list[ListSpec]:
    docs = list(campaign.documents)
    out = []
    for d in campaign.raw.get("public_lists") or ():
        titles = d.get("title_held") or ()
        out.append(ListSpec(
            id=str(d["id"]), title=str(d.get("title") or d["id"]), reached=d.get("reached"), passed=d.get("passed"),
            titles=(titles,) if isinstance(titles, str) else tuple(titles), per=d.get("per"),
            reinspection=bool(d.get("reinspection", False)),
            columns=tuple(summary_column(c, docs) for c in d.get("columns") or ("seq", "organisation", "recommender"))))
    return out


def spec(campaign: Campaign, list_id: str) -> ListSpec:
    found = next((s for s in specs(campaign) if s.id == list_id), None)
    if found is None:
        raise ListError(list_id)
    return found


def _reached(session: Session, submission_id: str, stage_id: str) -> bool:
    return session.scalar(select(ReviewTask.id).where(ReviewTask.submission_id == submission_id,
                                                      ReviewTask.stage_id == stage_id).limit(1)) is not None


def _qualifies(session: Session, s: ListSpec, r: SubmissionRecord) -> bool:
    if s.reached and not _reached(session, r.submission_id, s.reached):
        return False
    return r.qualifies(PacketList(sheet=s.id, title=s.title, passed=s.passed, titles=s.titles))


def records(session: Session, campaign: Campaign, s: ListSpec,
            rows: list[SubmissionRecord] | None = None) -> list[SubmissionRecord]:
    """The submissions on the list, out of `rows` (a build's, gathered once) or the campaign's now."""
    if rows is None:
        rows = [gather(session, campaign, sid) for sid in campaign_submissions(session, campaign.id)]
    return [r for r in rows if _qualifies(session, s, r)]


def groups(session: Session, campaign: Campaign, s: ListSpec,
           rows: list[SubmissionRecord] | None = None) -> dict[str, list[SubmissionRecord]]:
    """The list's submissions, by recommender for a `per: recommender` list (else one group, "")."""
    out: dict[str, list[SubmissionRecord]] = {}
    for r in records(session, campaign, s, rows):
        out.setdefault(r.recommender if s.per == "recommender" else "", []).append(r)
    return out


def recommenders_listed(session: Session, campaign: Campaign, s: ListSpec) -> list[str]:
    """The recommenders with a list of their own: those whose submissions reached the list's stage
    (one query, for the pages that offer the downloads)."""
    q = (select(Submission.recommender).distinct().join(ReviewTask, ReviewTask.submission_id == Submission.id)
         .where(Submission.campaign_id == campaign.id, Submission.recommender.is_not(None)))
    if s.reached:
        q = q.where(ReviewTask.stage_id == s.reached)
    return sorted(r for r in session.scalars(q) if r)


def own_lists(campaigns: list[Campaign]) -> list[tuple[str, str, str]]:
    """(campaign id, list id, title) of every list made per recommender: what a recommender downloads
    for its own 公示."""
    return [(c.id, s.id, s.title) for c in campaigns for s in specs(c) if s.per == "recommender"]


def index(session: Session, campaign: Campaign) -> list[dict[str, Any]]:
    """Each list of the campaign: id, title, and for a list per recommender the recommenders."""
    return [{"id": s.id, "title": s.title, "per": s.per,
             **({"recommenders": recommenders_listed(session, campaign, s)} if s.per == "recommender" else {})}
            for s in specs(campaign)]


def _reinspection_sheet(session: Session, campaign: Campaign, s: ListSpec) -> Sheet:
    rows: list[list[Any]] = []
    ids: list[str] = []
    organisations: dict[str, str] = {}
    for n, row in enumerate(yearly.outcomes(session, campaign.id), start=1):
        if row.submission_id not in organisations:
            organisations[row.submission_id] = gather(session, campaign, row.submission_id).organisation
        rows.append([n, row.year, organisations[row.submission_id], row.title, OUTCOME_LABELS.get(row.outcome, row.outcome),
                     china_date(row.decided_at) if row.decided_at else "", row.reasons or ""])
        ids.append(row.submission_id)
    return Sheet(name=s.title[:31], title=s.title,
                 headers=["序号", "年度", "单位", "复查的称号", "复查结果", "决定日期", "理由"],
                 widths=[6, 8, 30, 18, 18, 12, 30], rows=rows, submission_ids=ids)


def sheet(session: Session, campaign: Campaign, list_id: str, recommender: str | None = None) -> Sheet:
    """One list as a sheet: a recommender's own for a `per: recommender` list (ListError when it
    has none on the list), the whole list otherwise."""
    s = spec(campaign, list_id)
    if s.reinspection:
        return _reinspection_sheet(session, campaign, s)
    if s.per == "recommender":
        if not recommender:
            raise ListError(f"{list_id} is one list per recommender: name one")
        return _titled(s, recommender, groups(session, campaign, s).get(recommender, []))
    return _titled(s, None, records(session, campaign, s))


def _titled(s: ListSpec, recommender: str | None, chosen: list[SubmissionRecord]) -> Sheet:
    title = f"{recommender}{s.title}" if recommender else s.title
    return _sheet(title[:31], title, s.columns, chosen)


@dataclass(frozen=True)
class Part:
    """One file pair of a list in a build: the whole list, or one recommender's own."""
    spec: ListSpec
    recommender: str | None
    sheet: Sheet


def parts(session: Session, campaign: Campaign, rows: list[SubmissionRecord]) -> list[tuple[ListSpec, list[Part]]]:
    """Every list the campaign file defines, each with its parts as a packet build stores them: one
    per recommender on a `per: recommender` list (none while no recommender has a unit on it), else
    the one list.  `rows` are the build's records, so every list is of the same moment as its 汇总表."""
    out: list[tuple[ListSpec, list[Part]]] = []
    for s in specs(campaign):
        if s.reinspection:
            made = [Part(s, None, _reinspection_sheet(session, campaign, s))]
        elif s.per == "recommender":
            by = groups(session, campaign, s, rows)
            made = [Part(s, rec, _titled(s, rec, by[rec])) for rec in sorted(by) if rec]
        else:
            made = [Part(s, None, _titled(s, None, records(session, campaign, s, rows)))]
        out.append((s, made))
    return out


def render(session: Session, campaign: Campaign, list_id: str, fmt: str, *, recommender: str | None = None,
           compiled: dt.datetime, font_path: str = "") -> bytes:
    """The list as `xlsx` or `pdf` bytes."""
    sh = sheet(session, campaign, list_id, recommender)
    if fmt == "xlsx":
        return write_xlsx([sh], compiled=compiled)
    if fmt == "pdf":
        return write_pdf([sh], compiled=compiled, font_path=font_path)
    raise ListError(f"format {fmt!r}")
