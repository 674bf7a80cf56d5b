"""Versions of a submission under review: their fields are kept once read, a resubmitted document
replaces only the document of the same kind, and the desk's diff names what really changed."""
from __future__ import annotations

import io
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from dossier.campaigns import get_campaign
from dossier.settings import Settings
from services.review import flow, queue
from services.submissions.service import accept_upload
from storage import versions
from storage.objects import open_store
from tests.docx_factory import score_sheet, yueyang_form
from tests.packet_scenario import read
from tests.review_helpers import person, submission

LEASE = 600


def _items() -> list:
    return list(get_campaign("yueyang-2017").document("score_sheet").rubric.items)


def _upload(s: Session, settings: Settings, sid: str, path: Path) -> str:
    return accept_upload(s, open_store(settings), settings, submission_id=sid, filename=path.name,
                         stream=io.BytesIO(path.read_bytes())).id


def test_version_fields_are_kept_and_a_partial_resubmission_keeps_the_rest(
        settings: Settings, sessions: sessionmaker[Session], tmp_path: Path) -> None:
    """GIVEN a form and a 评分细则 put under review before the worker read them WHEN the worker reads
    them THEN version 1 keeps their fields; WHEN the returned unit re-uploads only the 评分细则 THEN
    version 2 still holds the form, and the diff names the 评分 fields only, before and after."""
    items = _items()
    full = [it.max for it in items]
    with sessions() as s:
        unit = person(s, "unit", "unit", organisation="局机关党支部")
        bureau = person(s, "bureau", "reviewer", stage_id="bureau_review")
        sid = submission(s, "yueyang-2017", "局机关党支部")
        form = _upload(s, settings, sid, yueyang_form(tmp_path / "申报表.docx"))
        sheet = _upload(s, settings, sid, score_sheet(tmp_path / "评分细则.docx", full, 100))
        flow.start_review(s, unit, sid)
        (v1,) = versions.versions(s, sid)
        assert v1.fields_at is None and v1.fields == {}          # recorded before it was read
    read(settings, sessions, sid, [form, sheet])
    with sessions() as s:
        (v1,) = versions.versions(s, sid)
        assert v1.fields_at is not None
        assert v1.fields["member_count"] and v1.fields["unit_name"]
        before = dict(v1.fields)
        bureau = s.merge(bureau)
        unit = s.merge(unit)
        task = queue.claim_next(s, bureau, lease_seconds=LEASE)
        flow.decide(s, bureau, task.id, "return", {"reasons": "自评分合计有误，请重新填报评分细则。"})
        lower = full[:-1] + [full[-1] - 1]
        new_sheet = _upload(s, settings, sid, score_sheet(tmp_path / "评分细则-修改.docx", lower, 99))
        flow.resubmit(s, unit, sid)
        v2 = versions.versions(s, sid)[-1]
        assert (v2.version, v2.file_ids, v2.fields_at) == (2, [new_sheet], None)
        assert flow.changes_between_versions(s, sid) is None     # still being read
    read(settings, sessions, sid, [new_sheet])
    with sessions() as s:
        chain = versions.versions(s, sid)
        assert chain[0].fields == before                         # history is not rewritten
        held = versions.holding(s, chain)
        assert sorted(held.file_ids) == sorted([form, new_sheet])
        assert chain[1].fields["unit_name"] == before["unit_name"]   # the form was not re-sent
        # one item a point lower, and the total with it; nothing of the form
        assert flow.changes_between_versions(s, sid) == [
            {"field": items[-1].key, "before": full[-1], "after": full[-1] - 1},
            {"field": "rubric.total", "before": 100, "after": 99}]
