"""`check.submission`: the whole submission's findings once every file is final.

Missing documents (a form with its narrative inside counts as both) and the deadline; marks the
submission checked, which is what tells the unit's page that nothing more will appear.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from dossier.campaigns import Campaign, get_campaign
from storage import versions
from storage.models import FileState, FindingRow, StoredFile, Submission, SubmissionState
from workers import notify
from workers.results import Finding

from .files import PROCESSING_FAILED
from .outcomes import Outcome
from ..runtime import Runtime

log = logging.getLogger(__name__)

MSG_CHECK_FAILED = "整份申报的检查多次未能完成，已转人工处理，请稍后查看或联系管理员。"


def _submission_findings(campaign: Campaign, results: list[dict[str, Any]],
                         uploaded_at: dt.datetime) -> tuple[set[str], list[Finding]]:
    """The kinds the current files provide and the submission-level findings.  The same plain
    function the unit tests cover decides the kinds: a form with its narrative inside is complete."""
    from workers.checks.submission import kinds_provided, submission_findings
    kinds = kinds_provided(campaign, results)
    # no quota here: a recommender's places count what it puts forward, at its decision,
    # never what its units upload (one unit is never told about another)
    return kinds, list(submission_findings(campaign, kinds, uploaded_at))


def mark_replaced(files: Sequence[StoredFile]) -> list[StoredFile]:
    """Set `replaced_by` on each file whose every document a later file of the same kind
    replaced (a unit re-uploads the corrected 申报表 only); returns the current files.
    A file whose documents could not be told is never replaced by another: the unit removes it."""
    newest: dict[str, StoredFile] = {}
    for f in sorted(files, key=lambda r: (r.created_at, r.id)):
        for d in (f.result or {}).get("documents", []):
            if d.get("kind"):
                newest[str(d["kind"])] = f
    current = []
    for f in files:
        kinds = [str(d["kind"]) for d in (f.result or {}).get("documents", []) if d.get("kind")]
        if kinds and all(newest[k].id != f.id for k in kinds):
            f.replaced_by = newest[kinds[-1]].id
        else:
            f.replaced_by = None
            current.append(f)
    return current


def _replace_level_findings(s: Session, sub_id: str, findings: Sequence[Finding]) -> None:
    s.execute(delete(FindingRow).where(FindingRow.submission_id == sub_id,
                                       FindingRow.file_id.is_(None)))
    for f in findings:
        s.add(FindingRow(submission_id=sub_id, file_id=None, code=f.code, severity=f.severity,
                         field=f.field, message=f.message, document=f.kind, page=f.page))


def _all_final(s: Session, sub_id: str) -> bool:
    states = s.scalars(select(StoredFile.state).where(StoredFile.submission_id == sub_id))
    return all(st in (FileState.DONE.value, FileState.FAILED.value) for st in states)


def _begin_check(rt: Runtime, submission_id: str) -> Outcome | None:
    """Count the check's attempt, committed before it runs, once every file is final; past
    the limit, park the check with a finding the unit sees.  An Outcome to return, or None: go on."""
    with rt.session() as s:
        sub = s.get(Submission, submission_id, with_for_update=True)
        if sub is None:
            log.info("submission %s is gone; nothing to check", submission_id)
            return Outcome("gone")
        if not _all_final(s, sub.id):
            # the last file to finish queues this step again
            return Outcome("waiting")
        sub.check_attempts = (sub.check_attempts or 0) + 1
        spent = sub.check_attempts > rt.settings.task_max_attempts
        if spent:
            log.error("submission %s: its check failed %d times; parked", sub.id, sub.check_attempts - 1)
            _replace_level_findings(s, sub.id, [Finding(PROCESSING_FAILED, "error", None, MSG_CHECK_FAILED)])
            sub.state = SubmissionState.CHECKED.value
            sub.checked_at = rt.clock()
        state = sub.state
        s.commit()
        return Outcome(state, findings=1) if spent else None


def check_submission(rt: Runtime, submission_id: str) -> Outcome:
    """Submission-level findings (missing documents, deadline) once every file is final; marks
    the submission checked, which is what tells the unit's page that nothing more will appear."""
    early = _begin_check(rt, submission_id)
    if early is not None:
        return early
    with rt.session() as s:
        sub = s.get(Submission, submission_id)
        if sub is None:
            return Outcome("gone")
        files = list(s.scalars(select(StoredFile).where(StoredFile.submission_id == sub.id)))
        if not all(f.is_final for f in files):
            return Outcome("waiting")
        current = mark_replaced(files)
        campaign = get_campaign(sub.campaign_id)
        kinds, findings = _submission_findings(
            campaign, [f.result for f in current if f.result],
            max((f.created_at for f in files), default=sub.created_at))
        _replace_level_findings(s, sub.id, findings)
        sub.state = SubmissionState.CHECKED.value
        sub.checked_at = rt.clock()
        sub.check_attempts = 0
        # a version under review recorded before these files were read takes its fields now
        versions.fill_versions(s, sub.id, sub.checked_at)
        notify.checks_finished(s, sub.id)     # errors to fix: the unit is told
        state = sub.state
        s.commit()
    log.info("submission %s checked: %d current files, kinds %s, %d findings", submission_id,
             len(current), sorted(kinds), len(findings))
    return Outcome(state, findings=len(findings))
