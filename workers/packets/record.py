"""Everything a packet shows about one submission, read from the database in one place.

The dossier PDF and the summary workbook both print from a `SubmissionRecord`,
so the two never disagree on a total or a stage.  Which files count: the ones
the current version holds (a resubmitted document replaces only the older
document of its kind, storage/versions.py); a submission never put under
review holds all its files.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dossier import beijing
from dossier.campaigns import Campaign, PacketList, Rubric
from storage.standing import counted, standing
from dossier.presenters import (SEVERITIES, present_lifecycle, display_value, document_title,
                                 field_label)
from storage.settled_findings import corrections, dossier_notes
from storage import versions as versions_store
from storage.models import FindingRow, StoredFile, Submission
from storage.review_models import (FieldCorrection, Objection, ReviewTask, SubmissionReview,
                                   TaskState, User)
from dossier.stages import engine
from dossier.stages.engine import KIND_LABELS, StageError

# a decision as the record states it (the desk's labels say what happens next)
DECISIONS = {"pass": "通过", "return": "退回修改", "reject": "不予通过", "withdraw": "撤销称号"}


def china_date(when: dt.datetime | None) -> str:
    return beijing.shown(when, "%Y-%m-%d")


def china_time(when: dt.datetime | None) -> str:
    return beijing.shown(when)


@dataclass
class FieldRow:
    key: str
    label: str
    value: str                      # the machine's value
    corrected: str | None = None    # a reviewer's value, when one was given
    corrected_by: str = ""


@dataclass
class DocumentPart:
    kind: str
    title: str
    rows: list[FieldRow] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)   # (label, 字数)
    scored: bool = False            # it holds rubric items: the 考评分 table shows them


@dataclass
class RubricRow:
    key: str
    group: int
    number: int
    group_title: str
    text: str
    max: float
    self_score: float | None
    review_score: float | None


@dataclass
class StageEntry:
    """One decision taken at one stage (a joint review has one per department)."""
    stage: str
    kind: str
    department: str
    decision: str
    opinion: str
    reasons: str
    by: str
    at: str
    version: int
    extra: list[tuple[str, str]] = field(default_factory=list)   # 意见日期, 盖章, 实地检查, 考评分, 公示…


@dataclass
class SubmissionRecord:
    campaign: Campaign
    submission_id: str
    organisation: str
    recommender: str
    version: int
    stage: str                     # the current stage's name, "" when none
    status: str                    # in people's words
    status_code: str | None
    title: str                     # the title held, "" when none
    return_reasons: str
    files: list[StoredFile]
    documents: list[DocumentPart]
    fields: dict[str, Any]         # key -> value, the reviewer's correction winning
    counts: dict[str, int]         # key and kind.key -> 字数
    errors: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    rubric: list[RubricRow]
    self_total: float | None
    review_total: float | None
    entries: list[StageEntry]
    notice_start: dt.date | None
    notice_end: dt.date | None
    objections: list[Objection]
    stage_data: dict[str, Any]     # SubmissionReview.data: decisions by stage and department
    # errors passed over with a reason, and 识别有误 a reviewer judged (services.review.findings)
    settled: list[dict[str, str]] = field(default_factory=list)

    def passed(self, stage_id: str) -> bool:
        """Every department of the stage passed (the latest decision of each)."""
        try:
            s = engine.stage(self.campaign, stage_id)
        except (KeyError, StageError):
            return False
        recorded = self.stage_data.get(stage_id) or {}
        return all((recorded.get(d or "_") or {}).get("decision") == "pass" for d in s.task_departments())

    def qualifies(self, spec: PacketList) -> bool:
        if spec.passed and not self.passed(spec.passed):
            return False
        if spec.titles and self.title not in spec.titles:
            return False
        return True

    @property
    def words(self) -> int | str:
        """The 字数 of the fields the campaign limits: a number for one, labelled for several."""
        limited = [(f"{d.title} · {f.label}", self.counts[f"{d.kind}.{f.key}"])
                   for d in self.campaign.documents for f in d.leaf_fields()
                   if f.length is not None and f"{d.kind}.{f.key}" in self.counts]
        if len(limited) == 1:
            return limited[0][1]
        return "；".join(f"{label} {n}" for label, n in limited)


def _num(v: Any) -> float | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())
    except (TypeError, ValueError):
        return None


def held_files(session: Session, submission_id: str) -> list[StoredFile]:
    """The files the current version holds, in upload order; every file when not under review."""
    chain = versions_store.versions(session, submission_id)
    q = select(StoredFile).where(StoredFile.submission_id == submission_id)
    rows = list(session.scalars(q.order_by(StoredFile.created_at, StoredFile.id)))
    if not chain:
        return rows
    held = set(versions_store.holding(session, chain).file_ids)
    in_chain = {fid for v in chain for fid in (v.file_ids or [])}
    # a file with no document (a photo not read yet, an unreadable file) is replaced by nothing:
    # it stays, as a document of its own; one whose documents a later file replaced is left out
    return [r for r in rows if r.id in in_chain and
            (r.id in held or not (r.result or {}).get("documents"))]


def _documents(campaign: Campaign, files: list[StoredFile],
               corr: dict[str, FieldCorrection]) -> tuple[list[DocumentPart], dict[str, Any], dict[str, int]]:
    """The documents in the campaign's order, later files replacing earlier ones of the same kind."""
    by_kind: dict[str, dict[str, Any]] = {}
    for row in files:
        for n, doc in enumerate((row.result or {}).get("documents", [])):
            by_kind[str(doc.get("kind") or f"{row.id}#{n}")] = doc
    order = {d.kind: i for i, d in enumerate(campaign.documents)}
    parts: list[DocumentPart] = []
    values: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for kind in sorted(by_kind, key=lambda k: (order.get(k, len(order)), k)):
        doc = by_kind[kind]
        known = kind in order
        leaf_order = {f.key: i for i, f in enumerate(campaign.document(kind).leaf_fields())} if known else {}
        part = DocumentPart(kind=kind, title=document_title(campaign, kind) if known else "未能识别类型的文件")
        for key, fv in sorted((doc.get("fields") or {}).items(),
                              key=lambda kv: (leaf_order.get(kv[0], len(leaf_order)), kv[0])):
            value = fv.get("value") if isinstance(fv, dict) else fv
            values[key] = value
            if key.startswith("rubric."):
                part.scored = True
                continue        # the 考评分 table shows these
            c = corr.get(key)
            part.rows.append(FieldRow(key=key, label=field_label(campaign, key, kind if known else None),
                                      value=display_value(value), corrected=c.value if c else None,
                                      corrected_by=c.username if c else ""))
        for key, n in (doc.get("counts") or {}).items():
            counts[key] = counts[f"{kind}.{key}"] = int(n)
            part.counts.append((field_label(campaign, key, kind if known else None), int(n)))
        parts.append(part)
    for key, c in corr.items():    # the reviewer's value wins wherever a packet shows a field
        values[key] = c.value
    return parts, values, counts


def _rubric(rubric: Rubric | None, values: dict[str, Any],
            scores: dict[str, Any]) -> tuple[list[RubricRow], float | None, float | None]:
    if rubric is None:
        return [], None, None
    rows = []
    for item in rubric.items:
        v = values.get(item.key)
        self_score = _num(v.get("self_score")) if isinstance(v, dict) else _num(v)
        rows.append(RubricRow(key=item.key, group=item.group, number=item.number,
                              group_title=rubric.groups[item.group - 1][0], text=item.text, max=item.max,
                              self_score=self_score, review_score=_num(scores.get(item.key))))
    # the 合计分 the unit wrote, else the sum of what it scored
    stated = values.get("rubric.total")
    stated = stated.get("value") if isinstance(stated, dict) else stated
    given = [r.self_score for r in rows if r.self_score is not None]
    self_total = _num(stated) if _num(stated) is not None else (sum(given) if given else None)
    marked = [r.review_score for r in rows if r.review_score is not None]
    return rows, self_total, (sum(marked) if marked else None)


def _latest_scores(tasks: list[ReviewTask]) -> dict[str, Any]:
    """The reviewer's 考评分: of the newest version's task that holds them (saved or decided)."""
    scored = [t for t in tasks if (t.data or {}).get("scores")]
    if not scored:
        return {}
    best = max(scored, key=lambda t: (t.version, t.completed_at or t.created_at))
    return dict(best.data["scores"])


def _stage_names(campaign: Campaign) -> dict[str, tuple[str, str]]:
    return {s.id: (s.name, KIND_LABELS.get(s.kind, s.kind)) for s in engine.stages(campaign)}


def _entries(session: Session, campaign: Campaign, tasks: list[ReviewTask]) -> list[StageEntry]:
    names = _stage_names(campaign)
    people = {u.id: u for u in session.scalars(
        select(User).where(User.id.in_({t.completed_by for t in tasks if t.completed_by})))}
    out = []
    done = sorted((t for t in tasks if t.state == TaskState.DONE.value),
                  key=lambda t: (t.completed_at or t.created_at, t.id))
    for t in done:
        data = t.data or {}
        extra: list[tuple[str, str]] = []
        if data.get("opinion_date"):
            extra.append(("意见日期", str(data["opinion_date"])))
        if data.get("sealed"):
            extra.append(("盖章", "已盖章"))
        if data.get("signed_by"):      # the form's 签字 (岳阳: 系统机关党委意见)
            extra.append(("签字", str(data["signed_by"])))
        insp = data.get("inspection") or {}
        if isinstance(insp, dict) and (insp.get("date") or insp.get("notes")):
            extra.append(("实地检查", "；".join(str(x) for x in (insp.get("date"), insp.get("notes")) if x)))
        if data.get("notice_start"):
            extra.append(("公示期", f"{data['notice_start']} 至 {data.get('notice_end', '')}"))
        if data.get("total") is not None:
            extra.append(("考评分合计", f"{float(data['total']):g} 分"))
        who = people.get(t.completed_by or "")
        name, kind = names.get(t.stage_id, (t.stage_id, ""))
        out.append(StageEntry(stage=name, kind=kind, department=t.department or "",
                              decision=DECISIONS.get(t.decision or "", t.decision or ""),
                              opinion=str(data.get("opinion") or (t.opinion if t.decision == "pass" else "") or ""),
                              reasons=str(data.get("reasons") or ""),
                              by=(who.display_name or who.username) if who else (t.completed_by or ""),
                              at=china_time(t.completed_at), version=t.version, extra=extra))
    return out


def _findings(session: Session, campaign: Campaign, submission_id: str,
              file_ids: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rows = session.scalars(select(FindingRow).where(FindingRow.submission_id == submission_id)
                           .order_by(FindingRow.id))
    errors, warnings = [], []
    for r in rows:
        if r.file_id is not None and r.file_id not in file_ids:
            continue          # a finding on a replaced document no longer applies
        item = {"label": field_label(campaign, r.field, r.document), "message": r.message,
                "severity": SEVERITIES.get(r.severity, r.severity), "code": r.code}
        (errors if r.severity == "error" else warnings).append(item)
    return errors, warnings


def gather(session: Session, campaign: Campaign, submission_id: str) -> SubmissionRecord:
    """Read one submission's packet data; KeyError when the submission is gone."""
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise KeyError(submission_id)
    review: SubmissionReview | None = session.get(SubmissionReview, submission_id)
    files = held_files(session, submission_id)
    corr = corrections(session, submission_id)
    documents, values, counts = _documents(campaign, files, corr)
    tasks = list(session.scalars(select(ReviewTask).where(ReviewTask.submission_id == submission_id)))
    rubric = next((d.rubric for d in campaign.documents if d.rubric is not None), None)
    rubric_rows, self_total, review_total = _rubric(rubric, values, _latest_scores(tasks))
    errors, warnings = _findings(session, campaign, submission_id, {f.id for f in files})
    stage = ""
    if review is not None and review.stage_id:
        stage = _stage_names(campaign).get(review.stage_id, (review.stage_id, ""))[0]
    objections = list(session.scalars(select(Objection).where(Objection.submission_id == submission_id)
                                      .order_by(Objection.id)))
    return SubmissionRecord(
        campaign=campaign, submission_id=sub.id, organisation=sub.organisation,
        recommender=sub.recommender or "", version=review.version if review else 1, stage=stage,
        # the lifecycle's words, the same as the unit's page and the queue: 审核中（…）, 已退回, 称号 …
        status=present_lifecycle(campaign, standing(session, sub).to_json())["label"],
        status_code=review.status if review else None, title=(review.title or "") if review else "",
        return_reasons=(review.return_reasons or "") if review else "", files=files,
        documents=documents, fields=values, counts=counts, errors=errors, warnings=warnings,
        rubric=rubric_rows, self_total=self_total, review_total=review_total,
        entries=_entries(session, campaign, tasks),
        notice_start=review.notice_start if review else None, notice_end=review.notice_end if review else None,
        objections=objections, stage_data=dict(review.data or {}) if review else {},
        settled=dossier_notes(session, campaign, submission_id))


def campaign_submissions(session: Session, campaign_id: str) -> list[str]:
    """The campaign's submitted submissions in the order they were made (the 序号 of the 汇总表):
    drafts and 自查 are no part of the packets."""
    return list(session.scalars(select(Submission.id).where(Submission.campaign_id == campaign_id, counted())
                                .order_by(Submission.created_at, Submission.id)))
