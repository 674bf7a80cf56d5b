"""Generate filled campaign forms as .docx, the way units fill them in Word.

Tests build their own files with these so that every reader and check is
exercised on files nobody tuned the code to; values are passed in, so a test
states the defect it plants (an empty 民族, a 三星级, no seal, …).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Cm
from PIL import Image, ImageDraw

JINHUA_VALUES: dict[str, Any] = {
    "filing_unit": "中共金华市直属机关工作委员会",
    "org_name": "中共金华市财政局机关支部委员会",
    "unit_category": "机关",
    "star_rating": "四星级",
    "site_type": "服务民生关爱群众",
    "member_count": "45人",
    "secretary.name": "王建国",
    "secretary.gender": "男",
    "secretary.birth": "1972.05",
    "secretary.ethnicity": "汉族",
    "secretary.education": "大学",
    "secretary.position": "副局长",
    "secretary.joined_party": "1995年7月",
    "secretary.since": "二〇一二年三月",
    "honors": "2014年度市级文明单位",
    "deeds": "（事迹）",
    "opinion.submitting_org": "情况属实，同意推荐。",
    "opinion.date": "2015年11月5日",
}

YUEYANG_VALUES: dict[str, Any] = {
    "applicant_unit": "岳阳市司法局",
    "application_date": "2017年4月20日",
    "unit_name": "中共岳阳市司法局机关第一支部委员会",
    "org_type": "机关党支部",
    "leadership": "书记1名、委员4名",
    "org_structure": "1个党支部，下设3个党小组",
    "last_year_rating": "优秀",
    "member_count": "31名",
    "lead": "汪卫东  15982132044",
    "contact": "阎亚萍\n办公室副主任\n0730-8180410",
    "material": "（材料）",
    "opinion.party_group": "同意推荐。",
    "opinion.date": "二〇一七年四月二十日",
}


def seal_png(size: int = 160) -> bytes:
    """A red round seal with a star, as units stamp it."""
    img = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((4, 4, size - 4, size - 4), outline=(220, 20, 30, 255), width=8)
    c = size / 2
    pts = []
    import math
    for k in range(10):
        r = size * (0.18 if k % 2 else 0.08) * 1.6
        a = -math.pi / 2 + k * math.pi / 5
        pts.append((c + r * math.cos(a), c + r * math.sin(a)))
    d.polygon(pts, fill=(220, 20, 30, 255))
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def narrative(chars: int, seed: int = 0) -> str:
    """Chinese prose of exactly `chars` 字 (every character is wide)."""
    base = ("我们坚持党建引领，围绕中心、服务大局，扎实开展示范创建工作，党员干部的服务意识和工作作风明显改进，"
            "群众满意度不断提高，各项工作取得了新的成效。")
    text = (base[seed % len(base):] + base) * (chars // len(base) + 2)
    return text[:chars]


def _merge_h(row, a: int, b: int):
    return row.cells[a].merge(row.cells[b])


def _set(cell, text: str) -> None:
    cell.text = ""
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _opinion(cell, text: str, date: str | None, seal: bool, mark: str = "（盖章）") -> None:
    cell.text = ""
    cell.paragraphs[0].text = text
    cell.add_paragraph("")
    p = cell.add_paragraph(mark)
    if seal:
        p.add_run().add_picture(io.BytesIO(seal_png()), width=Cm(3))
    cell.add_paragraph(date if date else "年   月   日")


def jinhua_form(path: Path, values: dict[str, Any] | None = None, *, seal: bool = True,
                appendix: str | None = None, spaced_labels: bool = False) -> Path:
    """市县机关党建示范点推荐表 as in 附件1 of the Jinhua notice."""
    v = {**JINHUA_VALUES, **(values or {})}
    doc = Document()
    doc.add_paragraph("附件1：")
    doc.add_paragraph("市县机关党建示范点推荐表")
    doc.add_paragraph(f"填报单位：{v['filing_unit']}")
    lab = (lambda s: " ".join(s)) if spaced_labels else (lambda s: s)
    t = doc.add_table(rows=9, cols=7)
    t.style = "Table Grid"
    r = t.rows
    _set(_merge_h(r[0], 0, 1), lab("党组织名称"))
    _set(_merge_h(r[0], 2, 4), v["org_name"])
    _set(r[0].cells[5], lab("所在单位类别"))
    _set(r[0].cells[6], v["unit_category"])
    _set(_merge_h(r[1], 0, 1), lab("评定星级"))
    _set(r[1].cells[2], v["star_rating"])
    _set(r[1].cells[3], lab("示范点类型"))
    _set(r[1].cells[4], v["site_type"])
    _set(r[1].cells[5], lab("党员人数"))
    _set(r[1].cells[6], v["member_count"])
    group = t.cell(2, 0).merge(t.cell(4, 0))
    _set(group, "\n".join("党组织书记情况"))
    for row, items in ((2, [("姓名", "secretary.name"), ("性别", "secretary.gender"), ("出生年月", "secretary.birth")]),
                       (3, [("民族", "secretary.ethnicity"), ("学历", "secretary.education"),
                            ("行政职务", "secretary.position")])):
        for k, (label, key) in enumerate(items):
            _set(r[row].cells[1 + 2 * k], lab(label))
            _set(r[row].cells[2 + 2 * k], v[key])
    _set(r[4].cells[1], lab("入党时间"))
    _set(r[4].cells[2], v["secretary.joined_party"])
    _set(r[4].cells[3], lab("担任书记时间"))
    _set(_merge_h(r[4], 4, 6), v["secretary.since"])
    _set(r[5].cells[0], "曾受\n表彰\n情况")
    _set(_merge_h(r[5], 1, 6), v["honors"])
    _set(r[6].cells[0], "\n".join("主要创建事迹"))
    _set(_merge_h(r[6], 1, 6), "详见附页" if appendix is not None else v["deeds"])
    _set(r[7].cells[0], "\n".join("呈报单位党组织意见"))
    _opinion(_merge_h(r[7], 1, 2), v["opinion.submitting_org"], v["opinion.date"], seal)
    _set(r[7].cells[3], "市直系统机关党委（党委）或县（市、区）直机关工委（直属机关党委） 意 见")
    _opinion(r[7].cells[4], "", None, False)
    _set(r[7].cells[5], "市直机关工委意见")
    _opinion(r[7].cells[6], "", None, False)
    _set(r[8].cells[0], "备\n注")
    _set(_merge_h(r[8], 1, 6), "1、单位类别指机关、事业、国有企业和国有金融机构、学校、两新组织五类；\n"
                                "3、主要创建事迹1000字左右，表格内填不下可另附页。")
    if appendix is not None:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for para in appendix.split("\n"):
            doc.add_paragraph(para)
    doc.save(path)
    return path


def _vmerge(table, r0: int, r1: int, col: int):
    return table.cell(r0, col).merge(table.cell(r1, col))


def yueyang_form(path: Path, values: dict[str, Any] | None = None, *, seal: bool = True,
                 unit_seal: bool = True, scores: list[float | str] | None = None,
                 total: float | None = None, appendix: str | None = None) -> Path:
    """创建基层党建示范单位申报表 (附件2), optionally followed by the 评分细则 (附件1)."""
    from dossier.campaigns import get_campaign

    v = {**YUEYANG_VALUES, **(values or {})}
    doc = Document()
    doc.add_paragraph("附件2：")
    doc.add_paragraph("创建基层党建示范单位申报表")
    head = doc.add_paragraph(f"申报单位：{v['applicant_unit']}（盖公章）    申报日期：{v['application_date']}    编号：")
    if unit_seal:
        head.add_run().add_picture(io.BytesIO(seal_png()), width=Cm(3))
    t = doc.add_table(rows=9, cols=4)
    t.style = "Table Grid"
    pairs = [("单位名称", "unit_name", "党组织类型", "org_type"),
             ("党组织班子\n配备情况", "leadership", "党组织设置\n（支部、党小组数）", "org_structure"),
             ("上年度\n党建考核等次", "last_year_rating", "党员人数", "member_count"),
             ("分管党建工作\n负责人及电话", "lead", "联络人姓名及职务、\n电话", "contact")]
    for i, (l1, k1, l2, k2) in enumerate(pairs):
        _set(t.cell(i, 0), l1)
        _set(t.cell(i, 1), v[k1])
        _set(t.cell(i, 2), l2)
        _set(t.cell(i, 3), v[k2])
    _set(t.cell(4, 0).merge(t.cell(4, 3)), "申报创建材料（1500字以内）")
    _set(t.cell(5, 0).merge(t.cell(5, 3)), "见附页" if appendix is not None else v["material"])
    _set(t.cell(6, 0), "单位党组\n（党委）推荐\n理由及意见")
    _opinion(t.cell(6, 1).merge(t.cell(6, 3)), v["opinion.party_group"], v["opinion.date"], seal, "签  章")
    _set(t.cell(7, 0), "系统机关\n党委意见")
    _opinion(t.cell(7, 1).merge(t.cell(7, 3)), "", None, False, "签  字")
    _set(t.cell(8, 0), "市直机关\n工委意见")
    _opinion(t.cell(8, 1).merge(t.cell(8, 3)), "", None, False, "签  章")
    if appendix is not None:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        for para in appendix.split("\n"):
            doc.add_paragraph(para)
    if scores is not None:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        add_score_sheet(doc, get_campaign("yueyang-2017"), scores, total)
    doc.save(path)
    return path


def add_score_sheet(doc, campaign, scores: list[float | str], total: float | None) -> None:
    """评分细则: 考评项目 | 考评标准 | 考评分值 | 自评分 | 考评分, group cells merged down."""
    rubric = campaign.document("score_sheet").rubric
    doc.add_paragraph("附件1：")
    doc.add_paragraph("创建基层党建示范单位评分细则")
    items = rubric.items
    t = doc.add_table(rows=len(items) + 2, cols=5)
    t.style = "Table Grid"
    for c, h in enumerate(["考评项目", "考评标准", "考评\n分值", "自评分", "考评分"]):
        _set(t.cell(0, c), h)
    row = 1
    for g, (title, gmax) in enumerate(rubric.groups, start=1):
        group_items = [it for it in items if it.group == g]
        cell = _vmerge(t, row, row + len(group_items) - 1, 0) if len(group_items) > 1 else t.cell(row, 0)
        _set(cell, f"{g}、{title}（{gmax:g}分）")
        for it in group_items:
            _set(t.cell(row, 1), it.text)
            _set(t.cell(row, 2), f"{it.max:g}")
            s = scores[row - 1]
            _set(t.cell(row, 3), s if isinstance(s, str) else f"{s:g}")
            row += 1
    _set(t.cell(row, 0).merge(t.cell(row, 1)), "合 计 分")
    _set(t.cell(row, 2), "100")
    _set(t.cell(row, 3), "" if total is None else f"{total:g}")


def score_sheet(path: Path, scores: list[float | str], total: float | None) -> Path:
    from dossier.campaigns import get_campaign
    doc = Document()
    add_score_sheet(doc, get_campaign("yueyang-2017"), scores, total)
    doc.save(path)
    return path

