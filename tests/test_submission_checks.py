"""Checks over a whole submission: documents present, deadline, quota."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from dossier.campaigns import get_campaign
from tests import docx_factory as make
from workers.checks.submission import kinds_provided, submission_findings
from workers.extraction import extract_file

JINHUA = get_campaign("jinhua-2015")
YUEYANG = get_campaign("yueyang-2017")
CST = dt.timezone(dt.timedelta(hours=8))


def codes(findings) -> set[tuple[str, str | None]]:
    return {(f.code, f.field) for f in findings}


class TestDocuments:
    def test_form_with_inline_deeds_is_complete(self, tmp_path: Path) -> None:
        """主要创建事迹 written in the form provides the 创建事迹介绍材料."""
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", {"deeds": make.narrative(1000)}), JINHUA)
        kinds = kinds_provided(JINHUA, [r.to_json()])
        assert kinds == {"recommendation_form", "narrative"}
        assert submission_findings(JINHUA, kinds, dt.datetime(2015, 11, 10, tzinfo=CST)) == []

    def test_see_appendix_without_appendix(self, tmp_path: Path) -> None:
        """详见附页 with no 附页 anywhere in the submission: the narrative is missing."""
        r = extract_file(make.jinhua_form(tmp_path / "f.docx", {"deeds": "详见附页"}), JINHUA)
        found = submission_findings(JINHUA, kinds_provided(JINHUA, [r.to_json()]),
                                    dt.datetime(2015, 11, 10, tzinfo=CST))
        assert codes(found) == {("document.missing", "narrative")}
        assert "创建事迹介绍材料" in found[0].message

    def test_yueyang_needs_the_score_sheet(self, tmp_path: Path) -> None:
        """申报表 alone: the 评分细则 is missing."""
        r = extract_file(make.yueyang_form(tmp_path / "y.docx"), YUEYANG)
        found = submission_findings(YUEYANG, kinds_provided(YUEYANG, [r.to_json()]),
                                    dt.datetime(2017, 4, 20, tzinfo=CST))
        assert codes(found) == {("document.missing", "score_sheet")}


class TestDeadlineAndQuota:
    def test_deadline_is_the_whole_day_in_china(self) -> None:
        """11月15日前: the 15th counts, Beijing time; the 16th is late."""
        kinds = {"recommendation_form", "narrative"}
        on_time = dt.datetime(2015, 11, 15, 15, 59, tzinfo=dt.timezone.utc)   # 23:59 in Beijing
        late = dt.datetime(2015, 11, 15, 16, 1, tzinfo=dt.timezone.utc)       # 00:01 on the 16th
        assert submission_findings(JINHUA, kinds, on_time) == []
        found = submission_findings(JINHUA, kinds, late)
        assert codes(found) == {("deadline.passed", None)} and "2015年11月15日" in found[0].message

    def test_no_quota_from_uploads(self) -> None:
        """择优推荐1—2例 is the recommender's decision: the submission check never speaks of it, however
        many of a recommender's units upload (no unit is told about the others)."""
        kinds = {"recommendation_form", "narrative"}
        when = dt.datetime(2015, 11, 1, tzinfo=CST)
        assert submission_findings(JINHUA, kinds, when) == []

    def test_no_quota_in_yueyang(self) -> None:
        """The Yueyang plan sets no quota."""
        when = dt.datetime(2017, 4, 1, tzinfo=CST)
        assert submission_findings(YUEYANG, {"application_form", "score_sheet"}, when) == []
