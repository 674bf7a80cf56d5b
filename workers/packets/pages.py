"""The generated pages of a dossier: cover, fields, 字数 and findings, 考评分, review record.

`render_sections(record)` lays them out with reportlab's platypus and returns
the PDF bytes with the page each section starts on, for the bookmarks that
workers/packets/dossier_pdf.py adds when it appends the originals.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (CondPageBreak, Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer,
                                Table, TableStyle)

from .pdf_style import GREY, HEAD_BG, RULE, Styles, styles
from .record import SubmissionRecord, china_date, china_time

SECTION_COVER = "封面"
SECTION_FIELDS = "申报信息"
SECTION_FINDINGS = "字数与检查结果"
SECTION_SCORES = "考评分"
SECTION_REVIEW = "审核记录"
SECTION_ORIGINALS = "申报材料原件"


def p(text: Any, style: Any) -> Paragraph:
    """A paragraph of plain text: escaped, line breaks kept."""
    return Paragraph(escape(str(text if text is not None else "")).replace("\n", "<br/>"), style)


class SectionMark(Flowable):
    """Takes no room; records the page it lands on, so the merged PDF can bookmark it."""

    def __init__(self, title: str, sink: list[tuple[str, int]]) -> None:
        super().__init__()
        self.title, self.sink = title, sink

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.sink.append((self.title, self.canv.getPageNumber() - 1))


def grid(rows: list[list[Any]], widths: list[float], *, head: bool = True,
         extra: list[tuple[Any, ...]] | None = None) -> Table:
    t = Table(rows, colWidths=widths, repeatRows=1 if head else 0)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, RULE),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if head:
        style.append(("BACKGROUND", (0, 0), (-1, 0), HEAD_BG))
    t.setStyle(TableStyle(style + (extra or [])))
    return t


def _footer(text: str, font: str) -> Callable[[Any, Any], None]:
    def draw(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(18 * mm, 10 * mm, text)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, f"第 {doc.page} 页")
        canvas.restoreState()
    return draw


def _doc(buf: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                             bottomMargin=18 * mm, title=title, author="dossier", creator="dossier")


# ------------------------------------------------------------------ sections

def _cover(r: SubmissionRecord, s: Styles, compiled: dt.datetime, marks: list[tuple[str, int]]) -> list[Any]:
    c = r.campaign
    rows = [["评选活动", c.title], ["申报单位", r.organisation], ["推荐单位", r.recommender or "—"],
            ["材料版本", f"第{r.version}版"], ["当前环节", r.stage or "—"], ["审核状态", r.status or "—"],
            ["所获称号", r.title or "—"], ["编制日期", f"{china_date(compiled)}（北京时间）"],
            ["申报编号", r.submission_id]]
    notice = c.raw.get("notice")
    issuer = c.raw.get("issuer")
    out: list[Any] = [SectionMark(SECTION_COVER, marks), Spacer(1, 40 * mm), p(c.title, s.title),
                      p("申报材料汇编", s.title), Spacer(1, 12 * mm)]
    out.append(grid([[p(k, s.body), p(v, s.body)] for k, v in rows], [34 * mm, 130 * mm], head=False,
                    extra=[("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
    if notice or issuer:
        out += [Spacer(1, 10 * mm), p("依据：" + "，".join(str(x) for x in (issuer, f"《{notice}》" if notice else None)
                                                      if x), s.small)]
    if r.return_reasons and r.status_code in ("returned", "rejected", "withdrawn"):
        out += [Spacer(1, 4 * mm), p(f"退回或不予通过的理由：{r.return_reasons}", s.note)]
    return out + [PageBreak()]


def _fields(r: SubmissionRecord, s: Styles, marks: list[tuple[str, int]]) -> list[Any]:
    out: list[Any] = [SectionMark(SECTION_FIELDS, marks), p("一、申报信息", s.h1),
                      p("识别值为系统从申报材料中读取的内容；审核人员更正过的字段，更正值列在旁边，以更正值为准。", s.small)]
    if not r.documents:
        out.append(p("尚未读取到任何申报表格内容。", s.body))
    for d in r.documents:
        out.append(p(d.title, s.h2))
        if not d.rows:
            out.append(p("（逐项自评分见“考评分”一节）" if d.scored else "（这份材料没有识别出字段）", s.small))
            continue
        rows = [[p("字段", s.cell_head), p("识别值", s.cell_head), p("审核更正", s.cell_head)]]
        for f in d.rows:
            corr = "" if f.corrected is None else f"{f.corrected}（{f.corrected_by}更正）"
            rows.append([p(f.label, s.cell), p(f.value or "—", s.cell), p(corr, s.corrected)])
        out.append(grid(rows, [40 * mm, 90 * mm, 44 * mm]))
    return out + [PageBreak()]


def _findings(r: SubmissionRecord, s: Styles, marks: list[tuple[str, int]]) -> list[Any]:
    out: list[Any] = [SectionMark(SECTION_FINDINGS, marks), p("二、字数与检查结果", s.h1)]
    counted = [(d.title, label, n) for d in r.documents for label, n in d.counts]
    if counted:
        out.append(p("字数（按 Microsoft Word 字数统计口径）", s.h2))
        rows = [[p("材料", s.cell_head), p("字段", s.cell_head), p("字数", s.cell_head)]]
        rows += [[p(t, s.cell), p(label, s.cell), p(n, s.cell)] for t, label, n in counted]
        out.append(grid(rows, [70 * mm, 70 * mm, 34 * mm]))
    for title, items in (("需要修改", r.errors), ("请注意", r.warnings)):
        out.append(p(f"{title}（{len(items)} 条）", s.h2))
        if not items:
            out.append(p("无。", s.body))
            continue
        rows = [[p("序号", s.cell_head), p("涉及", s.cell_head), p("说明", s.cell_head)]]
        rows += [[p(i, s.cell), p(f["label"] or "—", s.cell), p(f["message"], s.cell)]
                 for i, f in enumerate(items, start=1)]
        out.append(grid(rows, [14 * mm, 46 * mm, 114 * mm]))
    if r.settled:
        out.append(p(f"放行与识别有误（{len(r.settled)} 条）", s.h2))
        rows = [[p(h, s.cell_head) for h in ("涉及", "问题", "审核处理", "办理")]]
        rows += [[p(x["label"], s.cell), p(x["message"], s.cell),
                  p(f"{x['decision']}" + (f"：{x['why']}" if x["why"] else ""), s.cell),
                  p(f"{x['by']} · {x['stage']} · {x['at']}", s.cell)] for x in r.settled]
        out.append(grid(rows, [30 * mm, 62 * mm, 50 * mm, 32 * mm]))
    return out + [PageBreak()]


def _fmt(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def _scores(r: SubmissionRecord, s: Styles, marks: list[tuple[str, int]]) -> list[Any]:
    rubric = next(d.rubric for d in r.campaign.documents if d.rubric is not None)
    out: list[Any] = [SectionMark(SECTION_SCORES, marks), p("三、考评分", s.h1),
                      p("自评分为申报单位在评分细则中所填；考评分为审核人员逐项评定。", s.small)]
    rows = [[p(h, s.cell_head) for h in ("项目", "考评标准", "分值", "自评分", "考评分")]]
    spans: list[tuple[Any, ...]] = []
    group_start = 1
    for i, row in enumerate(r.rubric, start=1):
        first = row.number == 1
        rows.append([p(f"{row.group}、{row.group_title}" if first else "", s.cell), p(row.text, s.cell),
                     p(_fmt(row.max), s.cell), p(_fmt(row.self_score), s.cell), p(_fmt(row.review_score), s.cell)])
        if first:
            group_start = i
        last = i == len(r.rubric) or r.rubric[i].group != row.group
        if last and i > group_start:
            spans.append(("SPAN", (0, group_start), (0, i)))
    rows.append([p(rubric.total_label, s.cell_head), p("", s.cell), p(_fmt(rubric.total), s.cell_head),
                 p(_fmt(r.self_total), s.cell_head), p(_fmt(r.review_total), s.cell_head)])
    n = len(rows) - 1
    spans += [("SPAN", (0, n), (1, n)), ("BACKGROUND", (0, n), (-1, n), HEAD_BG)]
    out.append(grid(rows, [36 * mm, 90 * mm, 14 * mm, 17 * mm, 17 * mm], extra=spans))
    out.append(p(f"自评分合计 {_fmt(r.self_total) or '—'} 分；考评分合计 {_fmt(r.review_total) or '未评定'}"
                 f"{' 分' if r.review_total is not None else ''}。", s.body))
    return out + [PageBreak()]


def _review(r: SubmissionRecord, s: Styles, marks: list[tuple[str, int]], number: str) -> list[Any]:
    out: list[Any] = [SectionMark(SECTION_REVIEW, marks), p(f"{number}、审核记录", s.h1)]
    if r.notice_start or r.notice_end:
        out.append(p(f"公示期：{r.notice_start or ''} 至 {r.notice_end or ''}", s.body))
    if not r.entries:
        out.append(p("尚无审核决定。", s.body))
    for e in r.entries:
        head = f"{e.stage}" + (f" · {e.department}" if e.department else "") + f"（第{e.version}版）"
        rows = [["决定", e.decision], ["意见", e.opinion or "—"]]
        if e.reasons:
            rows.append(["理由", e.reasons])
        rows += [[k, v] for k, v in e.extra]
        rows += [["办理人", e.by or "—"], ["办理时间", f"{e.at}（北京时间）" if e.at else "—"]]
        table = grid([[p(k, s.cell), p(v, s.cell)] for k, v in rows], [30 * mm, 144 * mm], head=False,
                     extra=[("BACKGROUND", (0, 0), (0, -1), HEAD_BG)])
        out += [CondPageBreak(40 * mm), p(head, s.h2), table]
    out.append(p("异议及处理", s.h2))
    if not r.objections:
        out.append(p("无异议。", s.body))
    for i, o in enumerate(r.objections, start=1):
        resolved = (f"{o.resolution}（{o.resolved_by}，{china_time(o.resolved_at)}）" if o.resolved_at
                    else "尚未处理")
        rows = [["异议", o.text], ["登记", f"{o.raised_by}，{china_time(o.raised_at)}"], ["处理结果", resolved]]
        out += [p(f"异议 {i}", s.body),
                grid([[p(k, s.cell), p(v, s.cell)] for k, v in rows], [30 * mm, 144 * mm], head=False,
                     extra=[("BACKGROUND", (0, 0), (0, -1), HEAD_BG)])]
    return out + [PageBreak()]


def _originals_list(r: SubmissionRecord, s: Styles, marks: list[tuple[str, int]], number: str,
                    notes: dict[str, str]) -> list[Any]:
    out: list[Any] = [SectionMark(SECTION_ORIGINALS, marks), p(f"{number}、申报材料原件", s.h1),
                      p("以下为本版申报所含的原件，按上传顺序附后；每份原件在书签中单列。", s.small)]
    rows = [[p(h, s.cell_head) for h in ("序号", "文件名", "上传时间", "附后方式")]]
    for i, f in enumerate(r.files, start=1):
        rows.append([p(i, s.cell), p(f.name, s.cell), p(china_time(f.created_at), s.cell),
                     p(notes.get(f.id, ""), s.cell)])
    if not r.files:
        return out + [p("这份申报没有上传文件。", s.body)]
    return out + [grid(rows, [14 * mm, 80 * mm, 34 * mm, 46 * mm])]


def render_sections(r: SubmissionRecord, compiled: dt.datetime, *, notes: dict[str, str] | None = None,
                    font_path: str = "") -> tuple[bytes, list[tuple[str, int]]]:
    """The generated pages and [(section title, first page index)]; `notes` say per file id how
    its original is appended (页数, 已转换, 无法转换…)."""
    s = styles(font_path)
    marks: list[tuple[str, int]] = []
    story = _cover(r, s, compiled, marks) + _fields(r, s, marks) + _findings(r, s, marks)
    numbers = iter(["三", "四", "五"])
    if r.rubric:
        story += _scores(r, s, marks)
        next(numbers)
    story += _review(r, s, marks, next(numbers))
    story += _originals_list(r, s, marks, next(numbers), notes or {})
    buf = io.BytesIO()
    doc = _doc(buf, f"{r.organisation} · {r.campaign.title}")
    footer = _footer(f"{r.campaign.title} · {r.organisation} · 第{r.version}版", s.font)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue(), marks


def message_page(title: str, lines: list[str], *, font_path: str = "") -> bytes:
    """One page that says something in Chinese: an original that could not be converted, a
    submission that could not be compiled."""
    s = styles(font_path)
    buf = io.BytesIO()
    story: list[Any] = [Spacer(1, 30 * mm), p(title, s.h1)] + [p(line, s.body) for line in lines]
    _doc(buf, title).build(story)
    return buf.getvalue()


__all__ = ["render_sections", "message_page", "SECTION_COVER", "SECTION_FIELDS", "SECTION_FINDINGS",
           "SECTION_SCORES", "SECTION_REVIEW", "SECTION_ORIGINALS"]
