"""Which findings block a step: the unit's 提交审核, the reviewer's 通过.

Only errors block; warnings are read, never blocking.  Only the current
version counts: findings of files a newer file replaced (`files.replaced_by`)
no longer apply, and submission-level findings (file_id None) always do.

- audience "unit": the open errors the unit has not marked 识别有误 (one the
  reviewer upheld blocks again);
- audience "reviewer": the errors not overridden and not confirmed wrong, with
  the document checks run again where the reviewer corrected a value: a
  corrected 评定星级 clears its finding, or raises a new one.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from dossier.campaigns import Campaign, get_campaign
from storage.finding_models import ContestOutcome, FindingContest, FindingOverride
from storage.models import FindingRow, StoredFile, Submission
from storage.review_models import FieldCorrection

AUDIENCES = ("unit", "reviewer")


def current_files(session: Session, submission_id: str) -> list[StoredFile]:
    return list(session.scalars(select(StoredFile).where(StoredFile.submission_id == submission_id,
                                                         StoredFile.replaced_by.is_(None))
                                .order_by(StoredFile.created_at, StoredFile.id)))


def current_errors(session: Session, submission_id: str) -> list[FindingRow]:
    """Error findings of the current files and of the submission as a whole, in order."""
    current = select(StoredFile.id).where(StoredFile.submission_id == submission_id,
                                          StoredFile.replaced_by.is_(None))
    return list(session.scalars(
        select(FindingRow).where(FindingRow.submission_id == submission_id,
                                 FindingRow.severity == "error",
                                 or_(FindingRow.file_id.is_(None), FindingRow.file_id.in_(current)))
        .order_by(FindingRow.id)))


def _by_finding(session: Session, model: type[Any], findings: Iterable[FindingRow]) -> dict[int, Any]:
    """`model`'s rows (contest or override) by the id of the finding each concerns.

    Submission-level findings are written again each time the submission is checked, under new
    ids; a contest or override of one that is gone holds for the new one of the same code and
    field, so that a unit's 识别有误 of 缺少材料 survives the next upload's check."""
    rows = [f for f in findings if f.id is not None]
    if not rows:
        return {}
    out = {r.finding_id: r for r in session.scalars(
        select(model).where(model.finding_id.in_([f.id for f in rows])))}
    again = [f for f in rows if f.file_id is None and f.id not in out]
    if again:
        gone = session.scalars(select(model).where(
            model.submission_id.in_({f.submission_id for f in again}),
            model.finding_id.not_in(select(FindingRow.id).where(
                FindingRow.submission_id.in_({f.submission_id for f in again})))).order_by(model.id))
        by_key = {(r.submission_id, r.code, r.field): r for r in gone}
        for f in again:
            if (f.submission_id, f.code, f.field) in by_key:
                out[f.id] = by_key[(f.submission_id, f.code, f.field)]
    return out


def contests_of(session: Session, findings: Iterable[FindingRow]) -> dict[int, FindingContest]:
    return _by_finding(session, FindingContest, findings)


def overrides_of(session: Session, findings: Iterable[FindingRow]) -> dict[int, FindingOverride]:
    return _by_finding(session, FindingOverride, findings)


def corrected_values(session: Session, submission_id: str) -> dict[str, str]:
    """The newest value a reviewer typed per field."""
    out: dict[str, str] = {}
    for row in session.scalars(select(FieldCorrection).where(FieldCorrection.submission_id == submission_id)
                               .order_by(FieldCorrection.id)):
        out[row.field] = row.value
    return out


def _affected(campaign: Campaign, kind: str, corrected: set[str]) -> set[str]:
    """Corrected keys of one document and the fields checked against them (入党时间 after 出生年月)."""
    try:
        spec = campaign.document(kind)
    except KeyError:
        return set()
    keys = {f.key for f in spec.leaf_fields()}
    mine = corrected & keys
    return mine | {f.key for f in spec.leaf_fields() if f.after in mine}


def recheck_corrected(session: Session, submission_id: str, errors: list[FindingRow],
                      campaign: Campaign | None = None) -> list[FindingRow]:
    """The current version's `errors` with each corrected document's checks run again on the
    corrected values: a finding on a corrected field that the checks no longer raise is gone; one they still raise
    keeps its id; an error they raise only now is added (unsaved, id None: the reviewer corrects
    again, returns or rejects)."""
    corrected = corrected_values(session, submission_id)
    if not corrected:
        return errors
    sub = session.get(Submission, submission_id)
    if sub is None:
        return errors
    campaign = campaign or get_campaign(sub.campaign_id)
    # the checks are the workers' code; loaded only when a correction needs them
    from workers.recheck import recheck_document

    dropped: set[int] = set()
    added: list[FindingRow] = []
    by_file: dict[str | None, list[FindingRow]] = {}
    for f in errors:
        by_file.setdefault(f.file_id, []).append(f)
    for row in current_files(session, submission_id):
        for doc in (row.result or {}).get("documents", []):
            kind = str(doc.get("kind") or "")
            affected = _affected(campaign, kind, set(corrected))
            if not affected:
                continue
            now = [f for f in recheck_document(doc, campaign.document(kind), corrected,
                                               method=row.method or "docx")
                   if f.severity == "error" and f.field in affected]
            stored = {(f.code, f.field): f for f in by_file.get(row.id, [])
                      if f.document in (kind, None) and f.field in affected}
            dropped |= {f.id for f in stored.values()}
            # what the checks say now; a finding still raised keeps its id (overrides and contests
            # refer to it) with the words for the corrected value.  Unsaved rows: nothing is rewritten.
            for f in now:
                was = stored.get((f.code, f.field))
                added.append(FindingRow(id=was.id if was else None, submission_id=submission_id, file_id=row.id,
                                        code=f.code, severity=f.severity, field=f.field, message=f.message,
                                        document=kind, page=f.page, created_at=was.created_at if was else None))
    return [f for f in errors if f.id not in dropped] + added


def blocking_findings(session: Session, submission_id: str, *, audience: str,
                      campaign: Campaign | None = None) -> list[FindingRow]:
    """The error findings that stop `audience` ("unit" or "reviewer") from going on.
    `campaign`: the submission's, when the caller has it (else read from the default folder)."""
    if audience not in AUDIENCES:
        raise ValueError(f"audience must be one of {AUDIENCES}, not {audience!r}")
    errors = current_errors(session, submission_id)
    contests = contests_of(session, errors)
    if audience == "unit":
        return [f for f in errors
                if f.id not in contests or contests[f.id].outcome == ContestOutcome.UPHELD.value]
    overridden = overrides_of(session, errors)
    settled = set(overridden) | {i for i, c in contests.items() if c.outcome == ContestOutcome.CONFIRMED.value}
    # re-checked first, so that a finding a correction still raises keeps its id and stays settled
    return [f for f in recheck_corrected(session, submission_id, errors, campaign) if f.id not in settled]
