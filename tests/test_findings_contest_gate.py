"""workers.findings_gate on SQLite and PostgreSQL: which findings block the unit's 提交审核 and the
reviewer's 通过 — errors only, of the current files and the whole submission, less what the unit
contested (for the unit) or what a reviewer settled (for the reviewer)."""
from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from storage.finding_models import FindingContest, FindingOverride
from workers.findings_gate import blocking_findings
from storage.models import FindingRow, StoredFile
from tests.review_helpers import submission


def _file(s: Session, sid: str, n: int, replaced_by: str | None = None) -> StoredFile:
    row = StoredFile(submission_id=sid, name=f"f{n}.docx", sha256=f"{n:064d}", size=1, object_key=f"k/{n}",
                     state="done", replaced_by=replaced_by)
    s.add(row)
    s.flush()
    return row


def _finding(s: Session, sid: str, code: str, file: StoredFile | None = None, severity: str = "error",
             field: str | None = None) -> FindingRow:
    row = FindingRow(submission_id=sid, file_id=file.id if file else None, code=code, severity=severity,
                     field=field, message=code)
    s.add(row)
    s.flush()
    return row


def _settle(s: Session, sid: str, f: FindingRow, model: type, **kw: object) -> None:
    s.add(model(finding_id=f.id, submission_id=sid, campaign_id="yueyang-2017", code=f.code, field=f.field, **kw))
    s.flush()


def codes(s: Session, sid: str, audience: str) -> list[str]:
    return sorted(f.code for f in blocking_findings(s, sid, audience=audience))


class TestGate:
    def test_errors_of_the_current_version_only(self, session: Session) -> None:
        """GIVEN an error on a replaced file, a warning, an error on the current file and one of the
        whole submission THEN both audiences see the last two."""
        sid = submission(session, "yueyang-2017", "甲局机关党支部")
        new = _file(session, sid, 2)
        old = _file(session, sid, 1, replaced_by=new.id)
        _finding(session, sid, "length.over_limit", old, field="material")
        _finding(session, sid, "ocr.low_confidence", new, severity="warning", field="member_count")
        _finding(session, sid, "seal.missing", new, field="opinion.party_group")
        _finding(session, sid, "document.missing", field="score_sheet")
        for audience in ("unit", "reviewer"):
            assert codes(session, sid, audience) == ["document.missing", "seal.missing"]

    def test_contests_and_overrides_per_audience(self, session: Session) -> None:
        """A contest not yet judged frees the unit but not the reviewer; confirmed frees both; upheld
        frees neither; an override frees the reviewer only."""
        sid = submission(session, "yueyang-2017", "甲局机关党支部")
        f = _file(session, sid, 1)
        pending = _finding(session, sid, "seal.missing", f, field="opinion.party_group")
        confirmed = _finding(session, sid, "date.missing", f, field="opinion.party_group")
        upheld = _finding(session, sid, "field.missing", f, field="lead.name")
        overridden = _finding(session, sid, "field.invalid", f, field="contact.phone")
        _settle(session, sid, pending, FindingContest, note="有章", contested_by="u")
        _settle(session, sid, confirmed, FindingContest, note="有日期", contested_by="u", outcome="confirmed")
        _settle(session, sid, upheld, FindingContest, note="已填", contested_by="u", outcome="upheld")
        _settle(session, sid, overridden, FindingOverride, message="m", reason="r", stage_id="bureau_review",
                task_id="t", username="bureau")
        assert codes(session, sid, "unit") == ["field.invalid", "field.missing"]
        assert codes(session, sid, "reviewer") == ["field.missing", "seal.missing"]

    def test_unknown_audience_refused(self, session: Session) -> None:
        with pytest.raises(ValueError):
            blocking_findings(session, "x", audience="recommender")
