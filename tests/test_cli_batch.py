"""`dossier extract DIR`: a folder read file by file, a table or JSON lines on stdout, progress on stderr,
and the batch's exit status (0 all read, 1 some not, 2 none, 64 no document)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from services.cli import main
from services.cli.progress import Steps
from tests import docx_factory as make

Capture = pytest.CaptureFixture[str]


def _folder(tmp_path: Path) -> Path:
    """Two forms, a damaged Word file and a README (no document): what a unit's folder looks like."""
    folder = tmp_path / "材料"
    folder.mkdir()
    make.jinhua_form(folder / "推荐表.docx", {"deeds": make.narrative(1000)})
    make.yueyang_form(folder / "申报表.docx")
    (folder / "损坏.docx").write_bytes(b"PK\x03\x04broken")
    (folder / "README.md").write_text("说明", encoding="utf-8")
    return folder


def _lines(out: str) -> dict[str, dict]:
    return {row["path"]: row for row in map(json.loads, out.splitlines())}


def test_json_lines_one_per_document(tmp_path: Path, capsys: Capture) -> None:
    """One JSON line per document, the form's result the same as `dossier extract FILE --json`; a damaged
    file is a line with its Chinese and English reason; some unread: exit 1."""
    folder = _folder(tmp_path)
    assert main(["extract", str(folder), "--json"]) == 1
    out, err = capsys.readouterr()
    rows = _lines(out)
    assert set(rows) == {"推荐表.docx", "申报表.docx", "损坏.docx"}
    assert rows["损坏.docx"]["status"] == "unreadable" and rows["损坏.docx"]["exit"] == 2
    assert "损坏" in rows["损坏.docx"]["error"]["zh"] and "cannot read" in rows["损坏.docx"]["error"]["en"]
    assert rows["申报表.docx"]["result"]["campaign"] == "yueyang-2017"
    assert main(["extract", str(folder / "推荐表.docx"), "--json"]) == 0
    single = json.loads(capsys.readouterr().out)
    assert rows["推荐表.docx"]["status"] == "read" and rows["推荐表.docx"]["result"] == single
    assert single["documents"][0]["counts"] == {"deeds": 1000}
    assert "README.md" in err and "[3/3]" in err    # skipped, named; progress as plain lines off a terminal


def test_table_of_results(tmp_path: Path, capsys: Capture) -> None:
    """Without --json: a table with each file, its method, fields found, findings and 字数; the reasons a
    file could not be read under it; progress and the tally on stderr only."""
    folder = _folder(tmp_path)
    assert main(["extract", str(folder), "--campaign", "jinhua-2015"]) == 1
    out, err = capsys.readouterr()
    row = next(line for line in out.splitlines() if "推荐表.docx" in line)
    assert "docx" in row and "deeds 1000" in row
    found, total = next(w for w in row.split() if "/" in w).split("/")
    assert int(total) > 0 and found == total
    assert "损坏.docx: 文件已损坏" in out and "unreadable" in out
    assert "[1/3]" not in out and "[1/3]" in err
    assert "2 read, 1 could not be read" in err and "已读取 2 个，1 个无法读取" in err


def test_exit_0_when_all_read_and_2_when_none(tmp_path: Path, capsys: Capture) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir(), bad.mkdir()
    make.jinhua_form(good / "a.docx")
    (bad / "a.docx").write_bytes(b"PK\x03\x04broken")
    (bad / "b.pdf").write_bytes(b"")
    assert main(["extract", str(good), "--campaign", "jinhua-2015", "--json"]) == 0
    assert main(["extract", str(bad), "--campaign", "jinhua-2015", "--json"]) == 2
    assert len(capsys.readouterr().out.splitlines()) == 3


def test_recursive_reads_subfolders(tmp_path: Path, capsys: Capture) -> None:
    make.jinhua_form(tmp_path / "a.docx")
    (tmp_path / "县" ).mkdir()
    make.jinhua_form(tmp_path / "县" / "b.docx")
    assert main(["extract", str(tmp_path), "--campaign", "jinhua-2015", "--json"]) == 0
    assert set(_lines(capsys.readouterr().out)) == {"a.docx"}
    assert main(["extract", str(tmp_path), "--campaign", "jinhua-2015", "--json", "-r"]) == 0
    assert set(_lines(capsys.readouterr().out)) == {"a.docx", "县/b.docx"}


def test_folder_without_documents_is_a_usage_error(tmp_path: Path, capsys: Capture) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert main(["extract", str(tmp_path), "--json"]) == 64
    out, err = capsys.readouterr()
    assert out == "" and "没有可读取的申报文件" in err and "no document in" in err
    assert main(["extract", str(tmp_path), "--campaign", "nowhere"]) == 64
    assert "unknown campaign" in capsys.readouterr().err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_leaves_stdout_alone(capsys: Capture) -> None:
    """On a terminal the bar counts the steps; what is printed meanwhile still goes to a redirected stdout."""
    term = _Terminal()
    with Steps("reading / 读取", total=2, stream=term) as steps:
        steps.advance("a.docx")
        print('{"path": "a.docx"}')
        steps.advance("b.docx", "文件已损坏")
    assert capsys.readouterr().out == '{"path": "a.docx"}\n'
    assert "2/2" in term.getvalue() and "b.docx: 文件已损坏" in term.getvalue()


def test_plain_lines_off_a_terminal() -> None:
    log = io.StringIO()
    with Steps("gathering / 正在汇总申报", stream=log) as steps:
        steps.set_total(2)
        steps.advance("s1")
        steps.advance("s2")
    lines = log.getvalue().splitlines()
    assert lines[:3] == ["gathering / 正在汇总申报", "[1/2] s1", "[2/2] s2"] and "完成" in lines[3]
