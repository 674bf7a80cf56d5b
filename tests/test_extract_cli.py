"""`dossier extract FILE [--campaign ID] --json` as the contract fixes it."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests import docx_factory as make

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.cli", "extract", *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_json_output(tmp_path: Path) -> None:
    """Exit 0 and one JSON object with the contract's keys."""
    p = make.jinhua_form(tmp_path / "推荐表.docx", {"star_rating": "三星级", "deeds": make.narrative(1000)})
    r = run(str(p), "--campaign", "jinhua-2015", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["campaign"] == "jinhua-2015"
    assert out["file"]["name"] == "推荐表.docx" and out["file"]["method"] == "docx"
    assert len(out["file"]["sha256"]) == 64 and out["file"]["pages"] == 1
    doc = out["documents"][0]
    assert doc["kind"] == "recommendation_form"
    assert doc["fields"]["org_name"]["value"] == make.JINHUA_VALUES["org_name"]
    assert doc["fields"]["org_name"]["confidence"] == 1.0 and doc["fields"]["org_name"]["page"] == 1
    assert doc["counts"] == {"deeds": 1000}
    assert [(f["code"], f["severity"], f["field"]) for f in out["findings"]] == [
        ("eligibility.star_rating", "error", "star_rating")]


def test_campaign_guessed(tmp_path: Path) -> None:
    """Without --campaign the file's own form decides."""
    p = make.yueyang_form(tmp_path / "申报表.docx")
    r = run(str(p), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["campaign"] == "yueyang-2017"


def test_unreadable_file(tmp_path: Path) -> None:
    """Non-zero exit and a Chinese + English message on stderr."""
    p = tmp_path / "x.docx"
    p.write_bytes(b"PK\x03\x04broken")
    r = run(str(p), "--campaign", "jinhua-2015", "--json")
    assert r.returncode == 2 and r.stdout == ""
    assert "损坏" in r.stderr and "cannot read" in r.stderr and "Traceback" not in r.stderr


def test_missing_file_and_unknown_campaign(tmp_path: Path) -> None:
    """Usage errors say what is wrong in both languages."""
    r = run(str(tmp_path / "nope.docx"), "--json")
    assert r.returncode == 64 and "找不到文件" in r.stderr and "no such file" in r.stderr
    p = make.yueyang_form(tmp_path / "a.docx")
    r = run(str(p), "--campaign", "nowhere", "--json")
    assert r.returncode == 64 and "unknown campaign" in r.stderr
