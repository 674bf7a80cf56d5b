"""The campaign's summary: 汇总表 and the lists the notices name, as XLSX and as a printable PDF.

The columns and the lists are data (the `packets:` section of the campaign
file, parsed by dossier/campaigns.py): `summary_rows` turns the submissions'
records into plain rows, and the writers only lay those rows out.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from dossier.campaigns import Campaign, SummaryColumn
from dossier.presenters import display_value

from .pdf_style import pdf_bytes, render
from .record import SubmissionRecord, china_date


@dataclass
class Sheet:
    name: str                     # the sheet's name (汇总表, 推荐名单, …)
    title: str                    # the heading printed above it
    headers: list[str]
    widths: list[float | None]
    rows: list[list[Any]]
    submission_ids: list[str]


def _value(col: SummaryColumn, r: SubmissionRecord, seq: int) -> Any:
    if col.source == "field":
        v = r.fields.get(col.key)
        if v is None and "." in col.key:     # `kind.key`: the document's own field
            v = r.fields.get(col.key.split(".", 1)[1])
        if isinstance(v, (dict, list)):
            return display_value(v)
        return v if v not in (None, "") else ""
    if col.source == "count":
        return r.counts.get(col.key, "")
    return {
        "seq": seq, "organisation": r.organisation, "recommender": r.recommender,
        "version": f"第{r.version}版", "words": r.words,
        "self_total": r.self_total if r.self_total is not None else "",
        "review_total": r.review_total if r.review_total is not None else "",
        "stage": r.stage, "status": r.status, "title": r.title,
    }[col.key]


def _sheet(name: str, title: str, columns: tuple[SummaryColumn, ...], records: list[SubmissionRecord]) -> Sheet:
    return Sheet(name=name, title=title, headers=[c.header for c in columns], widths=[c.width for c in columns],
                 rows=[[_value(c, r, i) for c in columns] for i, r in enumerate(records, start=1)],
                 submission_ids=[r.submission_id for r in records])


def summary_sheets(campaign: Campaign, records: list[SubmissionRecord],
                   failed: dict[str, str] | None = None) -> list[Sheet]:
    """The 汇总表 (every submission; one that could not be read is a row that says why) and each
    list of the submissions that qualify."""
    spec = campaign.packets
    main = _sheet(spec.summary_sheet, spec.summary_title or f"{campaign.title}汇总表", spec.columns, records)
    if failed:
        for sid, reason in failed.items():
            row: list[Any] = [""] * len(spec.columns)
            row[0] = len(main.rows) + 1
            if len(row) > 1:
                row[1] = f"（申报 {sid} 未能汇总：{reason}）"
            main.rows.append(row)
            main.submission_ids.append(sid)
    out = [main]
    for lst in spec.lists:
        out.append(_sheet(lst.sheet, lst.title, lst.columns, [r for r in records if r.qualifies(lst)]))
    return out


# ------------------------------------------------------------------- XLSX

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDDDDD")


def _width(header: str, values: list[Any], given: float | None) -> float:
    if given:
        return given
    # a Chinese character is about two Excel character widths
    longest = max([len(str(header))] + [len(str(v)) for v in values]) if values else len(header)
    return min(40.0, max(6.0, longest * 2.0 + 2))


# what a spreadsheet reads as the start of a formula (OWASP "CSV injection"): a unit's value
# such as `=HYPERLINK(…)` must reach the staff's 汇总表 as the text it is, never as a live formula
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _as_text(cell: Any) -> None:
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"


def write_xlsx(sheets: list[Sheet], *, compiled: dt.datetime) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for sh in sheets:
        ws = wb.create_sheet(sh.name[:31])     # Excel's limit on sheet names
        ws.append(sh.headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.fill = HEAD_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = BORDER
        for row in sh.rows:
            ws.append(row)
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(vertical="top", wrap_text=True)
                cell.border = BORDER
                _as_text(cell)
        ws.freeze_panes = "A2"
        for i, h in enumerate(sh.headers, start=1):
            ws.column_dimensions[get_column_letter(i)].width = _width(
                h, [r[i - 1] for r in sh.rows], sh.widths[i - 1])
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.oddFooter.center.text = f"{sh.title}  编制日期 {china_date(compiled)}"
    wb.properties.title = sheets[0].title if sheets else ""
    wb.properties.creator = "dossier"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# -------------------------------------------------------------------- PDF

def write_pdf(sheets: list[Sheet], *, compiled: dt.datetime, font_path: str = "") -> bytes:
    """The same sheets as tables on landscape A4, for printing; one sheet per page run
    (templates/sheets.html: the header row repeats on every page a sheet runs onto)."""
    laid_out = []
    for sh in sheets:
        widths = [_width(h, [r[i] for r in sh.rows], sh.widths[i]) for i, h in enumerate(sh.headers)]
        laid_out.append({"title": sh.title, "headers": sh.headers, "rows": sh.rows,
                         "percent": [100 * w / sum(widths) for w in widths]})
    return pdf_bytes(render("sheets.html", doc_title=sheets[0].title if sheets else "", font_path=font_path,
                            sheets=laid_out, compiled=compiled))
