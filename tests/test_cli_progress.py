"""The long commands say how far they are on stderr and keep stdout to the line saying what was written."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from dossier.settings import Settings
from services.cli import main
from services.review import flow
from storage.db import make_sessionmaker
from tests.review_helpers import submission

YUEYANG = "yueyang-2017"


def test_summary_counts_the_submissions_on_stderr(settings: Settings, sqlite_engine: Engine, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    with make_sessionmaker(sqlite_engine)() as s:
        ids = []
        for org in ("甲局机关党支部", "乙局机关党支部"):
            sid = submission(s, YUEYANG, org)
            flow.start_review(s, None, sid)      # submitted: only those are in the 汇总表
            ids.append(sid)
    assert main(["summary", YUEYANG, "-o", str(tmp_path / "s.xlsx")], settings) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"wrote {tmp_path / 's.xlsx'}: 2 submission(s) / 已生成汇总表"]
    assert "正在汇总申报" in err and f"[1/2] {ids[0]}" in err and f"[2/2] {ids[1]}" in err
