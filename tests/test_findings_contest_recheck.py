"""The document checks run again on a reviewer's corrected values (workers/recheck.py): the stored
result of a real .docx is rebuilt, the typed value normalised as the reader would, and
`check_document` — the worker's own — decides; nothing else of the document changes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dossier.campaigns import get_campaign
from tests.edges import jinhua_form_docx
from workers.extraction import extract_file
from workers.recheck import document_from_json, recheck_document

CAMPAIGN = get_campaign("jinhua-2015")
FORM = CAMPAIGN.document("recommendation_form")


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The result JSON the worker stores for a 推荐表 read as 三星级, 担任书记时间 before 入党时间
    and no seal: as the database holds it (through JSON and back)."""
    path: Path = tmp_path_factory.mktemp("recheck") / "推荐表.docx"
    path.write_bytes(jinhua_form_docx(joined="2013.6"))
    result = extract_file(path, CAMPAIGN).to_json()
    return json.loads(json.dumps(result, ensure_ascii=False))["documents"][0]


def codes(findings: list) -> set[tuple[str, str | None]]:
    return {(f.code, f.field) for f in findings if f.severity == "error"}


class TestRecheck:
    def test_nothing_corrected_says_what_the_worker_said(self, stored: dict) -> None:
        """A rebuilt document checks exactly as the one the worker checked."""
        assert codes(recheck_document(stored, FORM, {})) == {
            ("eligibility.star_rating", "star_rating"), ("field.invalid", "secretary.since"),
            ("seal.missing", "opinion.submitting_org")}

    def test_a_corrected_date_clears_the_order_check_on_its_neighbour(self, stored: dict) -> None:
        """入党时间 corrected to 1998年6月 (as written on the form) THEN 担任书记时间 is no longer
        before it; the other findings stay."""
        after = codes(recheck_document(stored, FORM, {"secretary.joined_party": "1998年6月"}))
        assert ("field.invalid", "secretary.since") not in after
        assert ("seal.missing", "opinion.submitting_org") in after

    def test_typed_values_are_read_as_the_form_reader_reads_them(self, stored: dict) -> None:
        """四星 and ★★★★ are four stars; 二星级 is still below the notice's 四星级以上."""
        for typed in ("四星", "★★★★", "4星级"):
            assert ("eligibility.star_rating", "star_rating") not in codes(
                recheck_document(stored, FORM, {"star_rating": typed})), typed
        (msg,) = [f.message for f in recheck_document(stored, FORM, {"star_rating": "二星级"})
                  if f.code == "eligibility.star_rating"]
        assert "二星级" in msg

    def test_a_corrected_text_is_counted_again(self, stored: dict) -> None:
        """主要创建事迹 typed at 1500 字 is outside 800–1200: the 字数 is counted on the typed text."""
        findings = recheck_document(stored, FORM, {"deeds": "党" * 1500})
        (w,) = [f for f in findings if f.code == "length.out_of_range"]
        assert "共 1500 字" in w.message

    def test_marks_survive_the_round_trip(self, stored: dict) -> None:
        doc = document_from_json(stored)
        assert {(m.kind, m.present) for m in doc.marks} == {("date", True), ("seal", False)}
