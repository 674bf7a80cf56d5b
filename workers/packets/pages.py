"""The generated pages of a dossier: cover, fields, 字数 and findings, 考评分, review record.

`render_sections(record)` fills templates/dossier.html and lays it out with
WeasyPrint (pdf_style.py: fonts embedded), and returns the PDF bytes with the
page each section starts on, read from the laid-out pages, for the bookmarks
that workers/packets/dossier_pdf.py adds when it appends the originals.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from .pdf_style import anchor_pages, pdf_bytes, render
from .record import RubricRow, SubmissionRecord, china_date, china_time

SECTION_COVER = "封面"
SECTION_FIELDS = "申报信息"
SECTION_FINDINGS = "字数与检查结果"
SECTION_SCORES = "考评分"
SECTION_REVIEW = "审核记录"
SECTION_ORIGINALS = "申报材料原件"

# the <section id> of each, in the order they are printed
SECTION_IDS = {"cover": SECTION_COVER, "fields": SECTION_FIELDS, "findings": SECTION_FINDINGS,
               "scores": SECTION_SCORES, "review": SECTION_REVIEW, "originals": SECTION_ORIGINALS}


def _cover_rows(r: SubmissionRecord, compiled: dt.datetime) -> list[tuple[str, str]]:
    return [("评选活动", r.campaign.title), ("申报单位", r.organisation), ("推荐单位", r.recommender or "—"),
            ("材料版本", f"第{r.version}版"), ("当前环节", r.stage or "—"), ("审核状态", r.status or "—"),
            ("所获称号", r.title or "—"), ("编制日期", f"{china_date(compiled)}（北京时间）"),
            ("申报编号", r.submission_id)]


def _basis(r: SubmissionRecord) -> str:
    notice, issuer = r.campaign.raw.get("notice"), r.campaign.raw.get("issuer")
    return "，".join(str(x) for x in (issuer, f"《{notice}》" if notice else None) if x)


def _rubric_rows(rubric: list[RubricRow]) -> list[tuple[RubricRow, tuple[str, int] | None]]:
    """Each rubric row with its group's cell (title, rows spanned) on the group's first row."""
    out: list[tuple[RubricRow, tuple[str, int] | None]] = []
    for i, row in enumerate(rubric):
        cell = None
        if row.number == 1:
            span = 1
            while i + span < len(rubric) and rubric[i + span].group == row.group:
                span += 1
            cell = (f"{row.group}、{row.group_title}", span)
        out.append((row, cell))
    return out


def _entry_rows(r: SubmissionRecord) -> list[tuple[Any, list[tuple[str, str]]]]:
    out = []
    for e in r.entries:
        rows = [("决定", e.decision), ("意见", e.opinion or "—")]
        if e.reasons:
            rows.append(("理由", e.reasons))
        rows += list(e.extra)
        rows += [("办理人", e.by or "—"), ("办理时间", f"{e.at}（北京时间）" if e.at else "—")]
        out.append((e, rows))
    return out


def _objection_rows(r: SubmissionRecord) -> list[list[tuple[str, str]]]:
    out = []
    for o in r.objections:
        resolved = (f"{o.resolution}（{o.resolved_by}，{china_time(o.resolved_at)}）" if o.resolved_at
                    else "尚未处理")
        out.append([("异议", o.text), ("登记", f"{o.raised_by}，{china_time(o.raised_at)}"), ("处理结果", resolved)])
    return out


def render_sections(r: SubmissionRecord, compiled: dt.datetime, *, notes: dict[str, str] | None = None,
                    font_path: str = "") -> tuple[bytes, list[tuple[str, int]]]:
    """The generated pages and [(section title, first page index)]; `notes` say per file id how
    its original is appended (页数, 已转换, 无法转换…)."""
    rubric_total = next((d.rubric for d in r.campaign.documents if d.rubric is not None), None)
    has_scores = bool(r.rubric) and rubric_total is not None
    numbers = iter(["四", "五"] if has_scores else ["三", "四"])
    document = render(
        "dossier.html", doc_title=f"{r.organisation} · {r.campaign.title}", font_path=font_path,
        footer=f"{r.campaign.title} · {r.organisation} · 第{r.version}版",
        r=r, cover_rows=_cover_rows(r, compiled), basis=_basis(r),
        returned=bool(r.return_reasons) and r.status_code in ("returned", "rejected", "withdrawn"),
        counted=[(d.title, label, n) for d in r.documents for label, n in d.counts],
        rubric=_rubric_rows(r.rubric) if has_scores else [], rubric_total=rubric_total,
        entries=_entry_rows(r), objections=_objection_rows(r), notes=notes or {},
        numbers={"review": next(numbers), "originals": next(numbers)})
    starts = anchor_pages(document, SECTION_IDS)
    marks = [(title, starts[sid]) for sid, title in SECTION_IDS.items() if sid in starts]
    return pdf_bytes(document), marks


def message_page(title: str, lines: list[str], *, font_path: str = "") -> bytes:
    """One page that says something in Chinese: an original that could not be converted, a
    submission that could not be compiled."""
    return pdf_bytes(render("message.html", doc_title=title, font_path=font_path, title=title, lines=lines))


__all__ = ["render_sections", "message_page", "SECTION_COVER", "SECTION_FIELDS", "SECTION_FINDINGS",
           "SECTION_SCORES", "SECTION_REVIEW", "SECTION_ORIGINALS"]
