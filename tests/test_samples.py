"""The shared sample submissions against their ground truth (*.expected.json).

Only cheap formats run here (.docx, and the others whose readers are fast);
the whole set with OCR is scored by bench/score_samples.sh.  Skipped when the
samples folder is not beside the project.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from dossier.campaigns import get_campaign
from workers.extraction import extract_file

SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"
NEUTRAL = {"document.missing", "deadline.passed", "quota.exceeded", "ocr.low_confidence"}


def _expected(fmt: str) -> list[Path]:
    if not SAMPLES.is_dir():
        return []
    out = []
    for p in sorted(SAMPLES.glob("*.expected.json")):
        if json.loads(p.read_text(encoding="utf-8"))["format"] == fmt:
            out.append(p)
    return out


def _norm(v: object) -> object:
    if isinstance(v, str):
        return "".join(v.split())
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


@pytest.mark.skipif(not SAMPLES.is_dir(), reason="shared/samples is not beside the project")
@pytest.mark.parametrize("expected_path", _expected("docx"), ids=lambda p: p.name)
def test_docx_sample(expected_path: Path) -> None:
    """Every field, count and finding of a Word sample matches its ground truth."""
    exp = json.loads(expected_path.read_text(encoding="utf-8"))
    result = extract_file(SAMPLES / exp["file"], get_campaign(exp["campaign"])).to_json()
    assert result["file"]["method"] == exp["expected_method"]
    got = {d["kind"]: d for d in result["documents"]}
    for doc in exp["documents"]:
        assert doc["kind"] in got
        for key, want in doc["fields"].items():
            assert _norm(got[doc["kind"]]["fields"][key]["value"]) == _norm(want), key
        assert got[doc["kind"]]["counts"] == doc.get("counts", {})
    want_findings = {(f["code"], f["field"]) for f in exp["findings"] if f["code"] not in NEUTRAL}
    got_findings = {(f["code"], f["field"]) for f in result["findings"] if f["code"] not in NEUTRAL}
    assert got_findings == want_findings
