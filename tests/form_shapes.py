"""The same filled form in many shapes, the ways units and their tools build it.

One content (the Jinhua 推荐表, the Yueyang 申报表 and its 评分细则) is written as:
a plain table; label cells split over two cells or stacked; label and value in
one cell; a nested table for the 党组织书记 block and for 联络人 (姓名|职务|电话);
narrow empty spacer columns; the whole form inside a text frame; label lines with
full-width colons, ＿＿ blanks, tabs or ideographic spaces, one or several fields
to a line; label lines whose values are typed in text boxes; and any of these with
a running header/footer carrying page numbers and a 联系人 line under the form.
`write_docx` writes a shape with python-docx (and raw WordprocessingML for the boxes);
`write_html` writes it as HTML, the independent authoring path, which LibreOffice
turns into .docx (tests/office.py).  Every shape must read back as `expected(...)`.
"""
from __future__ import annotations

import copy
import html
import io
import math
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from docx import Document
from docx.enum.text import WD_BREAK, WD_LINE_SPACING
from docx.oxml import parse_xml
from docx.shared import Cm, Pt

from dossier.campaigns import get_campaign
from tests.docx_factory import narrative, seal_png

# ---------------------------------------------------------------- the content


@dataclass
class Pair:
    label: str
    value: str


@dataclass
class Compound:
    """A value of several parts (联络人: name, title, phone), each headed by a printed word."""
    label: str
    parts: list[tuple[str, str]]

    @property
    def value(self) -> str:
        return " ".join(v for _w, v in self.parts)


@dataclass
class Long:
    label: str
    value: str


@dataclass
class Opinion:
    label: str
    text: str
    date: str | None
    mark: str = "（盖章）"
    seal: bool = True


@dataclass
class Form:
    """One campaign form: header lines, rows of pairs, a group of rows, long texts, opinions."""
    campaign: str
    title: str
    head: list[list[Pair]]
    rows: list[list[Pair | Compound]]
    group: tuple[str, list[list[Pair]]] | None
    longs: list[Long]
    opinions: list[Opinion]
    note: str = ""
    scores: list[float] = field(default_factory=list)


def jinhua(deeds_chars: int = 1000) -> Form:
    return Form(
        campaign="jinhua-2015", title="市县机关党建示范点推荐表",
        head=[[Pair("填报单位", "中共金华市直属机关工作委员会")]],
        rows=[[Pair("党组织名称", "中共金华市财政局机关支部委员会"), Pair("所在单位类别", "机关")],
              [Pair("评定星级", "四星级"), Pair("示范点类型", "服务民生关爱群众"), Pair("党员人数", "45人")]],
        group=("党组织书记情况", [[Pair("姓名", "王建国"), Pair("性别", "男"), Pair("出生年月", "1972.05")],
                                 [Pair("民族", "汉族"), Pair("学历", "大学"), Pair("行政职务", "副局长")],
                                 [Pair("入党时间", "1995年7月"), Pair("担任书记时间", "二〇一二年三月")]]),
        longs=[Long("曾受表彰情况", "2014年度市级文明单位"), Long("主要创建事迹", narrative(deeds_chars, seed=3))],
        opinions=[Opinion("呈报单位党组织意见", "情况属实，同意推荐。", "2015年11月5日"),
                  Opinion("市直机关工委意见", "", None, seal=False)],
        note="1、单位类别指机关、事业、国有企业和国有金融机构、学校、两新组织五类；3、主要创建事迹1000字左右。")


def yueyang(material_chars: int = 1200, with_sheet: bool = True) -> Form:
    maxima = [it.max for it in get_campaign("yueyang-2017").document("score_sheet").rubric.items]
    return Form(
        campaign="yueyang-2017", title="创建基层党建示范单位申报表",
        head=[[Pair("申报单位", "岳阳市司法局（盖公章）"), Pair("申报日期", "2017年4月20日"), Pair("编号", "")]],
        rows=[[Pair("单位名称", "中共岳阳市司法局机关第一支部委员会"), Pair("党组织类型", "机关党支部")],
              [Pair("党组织班子配备情况", "书记1名、委员4名"), Pair("党组织设置（支部、党小组数）", "1个党支部，下设3个党小组")],
              [Pair("上年度党建考核等次", "优秀"), Pair("党员人数", "31名")],
              [Pair("分管党建工作负责人及电话", "汪卫东 15982132044"),
               Compound("联络人姓名及职务、电话", [("姓名", "阎亚萍"), ("职务", "办公室副主任"), ("电话", "0730-8180410")])]],
        group=None,
        longs=[Long("申报创建材料（1500字以内）", narrative(material_chars, seed=5))],
        opinions=[Opinion("单位党组（党委）推荐理由及意见", "同意推荐。", "二〇一七年四月二十日", "签  章"),
                  Opinion("系统机关党委意见", "", None, "签  字", seal=False),
                  Opinion("市直机关工委意见", "", None, "签  章", seal=False)],
        scores=[m - 0.5 if k % 5 == 0 else m for k, m in enumerate(maxima)] if with_sheet else [])


def expected(form: Form) -> dict[str, dict[str, object]]:
    """The fields a reader must give for `form`, per document kind, normalised by hand."""
    if form.campaign == "jinhua-2015":
        return {"recommendation_form": {
            "filing_unit": "中共金华市直属机关工作委员会", "org_name": "中共金华市财政局机关支部委员会",
            "unit_category": "机关", "star_rating": 4, "site_type": "服务民生关爱群众", "member_count": 45,
            "secretary.name": "王建国", "secretary.gender": "男", "secretary.birth": "1972-05",
            "secretary.ethnicity": "汉族", "secretary.education": "大学", "secretary.position": "副局长",
            "secretary.joined_party": "1995-07", "secretary.since": "2012-03", "honors": "2014年度市级文明单位",
            "deeds": form.longs[1].value, "opinion.submitting_org": "情况属实，同意推荐。"}}
    out: dict[str, dict[str, object]] = {"application_form": {
        "applicant_unit": "岳阳市司法局", "application_date": "2017-04-20",
        "unit_name": "中共岳阳市司法局机关第一支部委员会", "org_type": "机关党支部", "leadership": "书记1名、委员4名",
        "org_structure": "1个党支部，下设3个党小组", "last_year_rating": "优秀", "member_count": 31,
        "lead.name": "汪卫东", "lead.phone": "15982132044", "contact.name": "阎亚萍", "contact.title": "办公室副主任",
        "contact.phone": "0730-8180410", "material": form.longs[0].value, "opinion.party_group": "同意推荐。"}}
    if form.scores:
        items = get_campaign("yueyang-2017").document("score_sheet").rubric.items
        sheet: dict[str, object] = {it.key: s for it, s in zip(items, form.scores)}
        sheet["rubric.total"] = sum(form.scores)
        out["score_sheet"] = sheet
    return out


def expected_findings(form: Form, writer: str) -> set[tuple[str, str]]:
    """The findings the form truly has: none, but the HTML writer stamps no seal (its pages carry
    no picture), so there every 盖章 field is rightly `seal.missing`."""
    if writer == "docx":
        return set()
    spec = get_campaign(form.campaign)
    return {("seal.missing", f.key) for d in spec.documents for f in d.fields if f.seal}


# ---------------------------------------------------------------- shapes

@dataclass(frozen=True)
class Shape:
    """How the form is built.  `body`: table | frame | lines | boxes (values in boxes on their
    lines) | drawn (every label and value a box placed on the page) | placed (label lines with
    blanks, values in boxes placed over them from one anchor); the rest are variations."""
    body: str = "table"
    split_labels: bool = False        # 党组织|名称 over two cells
    stacked_labels: bool = False      # 党组织 over 名称
    nested: bool = False              # 书记 block and 联络人 as tables inside their cells
    in_cell: bool = False            # 姓名：王建国 in one cell
    spacers: bool = False             # a narrow empty column after every label
    sep: str = "colon"                # lines: colon | underscore | tab | ideographic | newline (value under)
    per_line: int = 1                 # lines: fields on one line (1, or a whole row)
    furniture: bool = False           # header/footer with page numbers, 联系人 line under the form
    rubric_heads: tuple[str, str] = ("考评分值", "自评分")

    @property
    def name(self) -> str:
        bits = [self.body]
        for flag in ("split_labels", "stacked_labels", "nested", "in_cell", "spacers", "furniture"):
            if getattr(self, flag):
                bits.append(flag)
        if self.body in ("lines", "boxes", "drawn", "placed"):
            bits.append(f"{self.sep}x{self.per_line}")
        if self.rubric_heads != ("考评分值", "自评分"):
            bits.append("+".join(self.rubric_heads))
        return "-".join(bits)


SHAPES = [
    Shape(),
    Shape(split_labels=True),
    Shape(stacked_labels=True),
    Shape(nested=True),
    Shape(in_cell=True),
    Shape(spacers=True),
    Shape(furniture=True),
    Shape(body="frame"),
    Shape(body="lines", sep="colon", per_line=1),
    Shape(body="lines", sep="colon", per_line=3),
    Shape(body="lines", sep="underscore", per_line=3),
    Shape(body="lines", sep="tab", per_line=3),
    Shape(body="lines", sep="ideographic", per_line=1),
    Shape(body="lines", sep="newline", per_line=1),
    Shape(body="boxes", per_line=3),
    Shape(body="boxes", per_line=1, furniture=True),
    Shape(body="drawn", per_line=2),
    Shape(body="placed", per_line=2),
    Shape(rubric_heads=("分值", "自评得分")),
    Shape(rubric_heads=("满分", "单位自评分"), spacers=True),
]


def shapes():
    """A hypothesis strategy over shapes: any body with any sensible mix of the variations."""
    from hypothesis import strategies as st

    def build(body: str, split: bool, stacked: bool, nested: bool, in_cell: bool, spacers: bool, furniture: bool,
              sep: str, per_line: int) -> Shape:
        table = body in ("table", "frame")
        return Shape(body=body, split_labels=table and split, stacked_labels=table and stacked and not split,
                     nested=nested, in_cell=table and in_cell and not (split or stacked), spacers=spacers,
                     furniture=furniture, sep=sep, per_line=per_line)
    return st.builds(build, st.sampled_from(["table", "frame", "lines", "boxes", "drawn", "placed"]), st.booleans(),
                     st.booleans(), st.booleans(), st.booleans(), st.booleans(), st.booleans(),
                     st.sampled_from(["colon", "underscore", "tab", "ideographic"]), st.sampled_from([1, 2, 3]))


def random_shapes(n: int, seed: int = 0) -> list[Shape]:
    """`n` shapes drawn as `shapes()` draws them, from a seeded generator (for the bench: the same
    draw every run, no hypothesis database)."""
    import random
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        body = rnd.choice(["table", "frame", "lines", "boxes", "drawn", "placed"])
        split, stacked, nested, in_cell, spacers, furniture = (rnd.random() < 0.5 for _ in range(6))
        table = body in ("table", "frame")
        out.append(Shape(body=body, split_labels=table and split, stacked_labels=table and stacked and not split,
                         nested=nested, in_cell=table and in_cell and not (split or stacked), spacers=spacers,
                         furniture=furniture, sep=rnd.choice(["colon", "underscore", "tab", "ideographic"]),
                         per_line=rnd.choice([1, 2, 3])))
    return out


def _sep_value(shape: Shape, label: str, value: str) -> str:
    if shape.sep == "underscore":
        return f"{label}：＿＿{value}＿＿" if value else f"{label}：＿＿＿＿＿＿"
    if shape.sep == "tab":
        return f"{label}\t{value}"
    if shape.sep == "ideographic":
        return f"{label}　　{value}"
    return f"{label}：{value}"


def _gap(shape: Shape) -> str:
    return "\t" if shape.sep == "tab" else "　　"


# ---------------------------------------------------------------- python-docx writer

_NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
       'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
       'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
       'xmlns:v="urn:schemas-microsoft-com:vml"')


def _box_run(content_xml: str, n: int, width_cm: float, height_cm: float, x_pt: float | None = None,
             y_pt: float = -1.0, wrap: str = "none", tight: bool = False, at_char: bool = False) -> object:
    """A run holding a text box (DrawingML with its VML fallback, as Word writes it).  `wrap`:
    "none" (text runs under it) or "topAndBottom" (the text after it goes below); `tight`: no
    inner margins, the box as high as its text (a person sizes a box to what it holds)."""
    cx, cy = int(width_cm * 360000), int(height_cm * 360000)
    if x_pt is None:
        pos = ('<wp:inline distT="0" distB="0" distL="0" distR="0">'
               f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{900 + n}" name="Text Box {n}"/>')
        end = "</wp:inline>"
    else:
        pos = (f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{n}" '
               'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
               f'<wp:positionH relativeFrom="{"character" if at_char else "column"}">'
               f'<wp:posOffset>{int(x_pt * 12700)}</wp:posOffset></wp:positionH>'
               f'<wp:positionV relativeFrom="{"line" if at_char else "paragraph"}">'
               f'<wp:posOffset>{int(y_pt * 12700)}</wp:posOffset></wp:positionV>'
               f'<wp:extent cx="{cx}" cy="{cy}"/>{"<wp:wrapNone/>" if wrap == "none" else "<wp:wrapTopAndBottom/>"}'
               f'<wp:docPr id="{900 + n}" name="Text Box {n}"/>')
        end = "</wp:anchor>"
    body = ('<wps:bodyPr lIns="0" tIns="0" rIns="0" bIns="0"><a:spAutoFit/></wps:bodyPr>' if tight
            else "<wps:bodyPr/>")
    xml = (f'<w:r {_NS}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>{pos}'
           '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
           '<wps:wsp><wps:cNvSpPr txBox="1"/><wps:spPr><a:prstGeom prst="rect"/></wps:spPr>'
           f'<wps:txbx><w:txbxContent>{content_xml}</w:txbxContent></wps:txbx>{body}</wps:wsp>'
           f'</a:graphicData></a:graphic>{end}</w:drawing></mc:Choice>'
           f'<mc:Fallback><w:pict><v:shape style="position:absolute;width:{width_cm}cm;height:{height_cm}cm">'
           f'<v:textbox><w:txbxContent>{content_xml}</w:txbxContent></v:textbox></v:shape></w:pict>'
           '</mc:Fallback></mc:AlternateContent></w:r>')
    return parse_xml(xml)


def _p_xml(text: str) -> str:
    return "".join(f'<w:p><w:r><w:t xml:space="preserve">{html.escape(line)}</w:t></w:r></w:p>'
                   for line in text.split("\n"))


def _cell_text(cell, text: str) -> None:
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _opinion_cell(cell, op: Opinion) -> None:
    cell.paragraphs[0].text = op.text
    p = cell.add_paragraph(op.mark)
    if op.seal:
        p.add_run().add_picture(io.BytesIO(seal_png()), width=Cm(2.5))
    cell.add_paragraph(op.date or "年   月   日")


class _TableWriter:
    """The form as one table of label and value cells, with the shape's variations."""

    def __init__(self, doc, form: Form, shape: Shape) -> None:
        self.doc, self.form, self.shape = doc, form, shape

    def row_cells(self, row: list[Pair | Compound]) -> list[tuple[str, object, str | None]]:
        """A row as a run of cells: (kind, label text or item, the label's lower half when stacked)."""
        out: list[tuple[str, object, str | None]] = []
        for item in row:
            if self.shape.in_cell:
                out.append(("value", Pair("", f"{item.label}：{item.value}"), None))
                continue
            # split where a person would: before a bracketed note, else in the middle
            k = item.label.find("（") if "（" in item.label else len(item.label) // 2
            if self.shape.split_labels and len(item.label) >= 4:
                out += [("label", item.label[:k], None), ("label", item.label[k:], None)]
            elif self.shape.stacked_labels and len(item.label) >= 4:
                out.append(("label", item.label[:k], item.label[k:]))
            else:
                out.append(("label", item.label, None))
            if self.shape.spacers:
                out.append(("spacer", "", None))
            out.append(("value", item, None))
        return out

    def write(self) -> None:
        f, s = self.form, self.shape
        group_rows = f.group[1] if f.group else []
        widths = [len(self.row_cells(r)) for r in f.rows] + [1 + len(self.row_cells(r)) for r in group_rows]
        ncols = max(widths + [2])
        step = 2 if s.stacked_labels else 1
        n_rows = len(f.rows) * step + len(group_rows) * step + len(f.longs) + len(f.opinions) + 1
        t = self.doc.add_table(rows=n_rows, cols=ncols)
        t.style = "Table Grid"
        r = 0
        for row in f.rows:
            self.pair_row(t, r, 0, row)
            r += step
        if f.group:
            title, rows = f.group
            head = t.cell(r, 0).merge(t.cell(r + len(rows) * step - 1, 0))
            _cell_text(head, "\n".join(title))
            if s.nested:
                box = t.cell(r, 1).merge(t.cell(r + len(rows) * step - 1, ncols - 1))
                inner = box.add_table(rows=len(rows), cols=6)
                for rr, grow in enumerate(rows):
                    for k, p in enumerate(grow):
                        inner.cell(rr, 2 * k).text = p.label
                        inner.cell(rr, 2 * k + 1).text = p.value
            else:
                for grow in rows:
                    self.pair_row(t, r, 1, grow)
                    r += step
                r -= len(rows) * step
            r += len(rows) * step
        for lg in f.longs:
            _cell_text(t.cell(r, 0), lg.label)
            _cell_text(t.cell(r, 1).merge(t.cell(r, ncols - 1)), lg.value)
            r += 1
        for op in f.opinions:
            _cell_text(t.cell(r, 0), op.label)
            _opinion_cell(t.cell(r, 1).merge(t.cell(r, ncols - 1)), op)
            r += 1
        if f.note:
            _cell_text(t.cell(r, 0), "备注")
            _cell_text(t.cell(r, 1).merge(t.cell(r, ncols - 1)), f.note)

    def pair_row(self, t, r: int, c0: int, row: list[Pair | Compound]) -> None:
        s = self.shape
        cells = self.row_cells(row)
        ncols = len(t.columns)
        down = 1 if s.stacked_labels else 0
        for k, (kind, item, lower) in enumerate(cells):
            c = c0 + k
            last = c if k + 1 < len(cells) else ncols - 1
            if kind == "label":
                if lower is not None:
                    t.cell(r, c).text = item
                    t.cell(r + 1, c).text = lower
                else:
                    t.cell(r, c).merge(t.cell(r + down, c)).text = item
                continue
            if kind == "spacer":
                continue
            value = t.cell(r, c).merge(t.cell(r + down, last))
            if isinstance(item, Compound) and s.nested:
                value.text = ""
                inner = value.add_table(rows=2, cols=len(item.parts))
                for j, (word, v) in enumerate(item.parts):
                    inner.cell(0, j).text = word
                    inner.cell(1, j).text = v
            elif isinstance(item, Compound):
                _cell_text(value, "\n".join(v for _w, v in item.parts))
            else:
                _cell_text(value, item.value)


def _lines(form: Form, shape: Shape) -> list[list[Pair | Compound]]:
    """The form's pairs grouped into lines of `per_line` fields."""
    pairs: list[Pair | Compound] = [p for row in form.rows for p in row]
    if form.group:
        pairs += [p for row in form.group[1] for p in row]
    return [pairs[k:k + shape.per_line] for k in range(0, len(pairs), shape.per_line)]


# the boxes' writers size and place them for a print at this font size, as a person lays out a
# form on screen: every box as wide and high as its text, nothing over anything else
FONT_PT = 10.5
LINE_PT = 16.0            # a line of CJK text at FONT_PT, with the font's leading
TEXT_WIDTH_PT = 420.0     # python-docx's page (8.5 in, margins 1.25 in), less a little


def _width(text: str) -> float:
    """The printed width of `text` at FONT_PT: full-width characters one em, the rest half."""
    return sum(FONT_PT if unicodedata.east_asian_width(ch) in ("W", "F") else FONT_PT / 2 for ch in text)


def _box_lines(text: str, width_pt: float) -> int:
    return max(1, math.ceil(_width(text) / max(width_pt - 2.0, FONT_PT)))


def _cm(pt: float) -> float:
    return pt / 72.0 * 2.54


def _exact_height(p, pt: float) -> None:
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(pt)
    fmt.space_before = fmt.space_after = Pt(0)


def _write_drawn(doc, form: Form, shape: Shape) -> None:
    """Every label and value a box of its own, one row of boxes anchored to an empty paragraph
    as high as its tallest box (so the text after them starts below)."""
    n = 0
    for line in _lines(form, shape):
        anchor = doc.add_paragraph()
        col = TEXT_WIDTH_PT / len(line)
        label_w, gap = min(0.45 * col, 110.0), 12.0
        value_w = col - label_w - gap - 12.0
        tallest = 0.0
        for k, item in enumerate(line):
            for text, dx, width in ((f"{item.label}：", 0.0, label_w), (item.value, label_w + gap, value_w)):
                n += 1
                height = _box_lines(text, width) * LINE_PT
                tallest = max(tallest, height)
                anchor._p.append(_box_run(_p_xml(text), n, _cm(width), _cm(height), x_pt=k * col + dx,
                                          y_pt=0.0, tight=True))
        _exact_height(anchor, tallest + 6.0)
    _write_lines(doc, form, shape, pairs=False)


def _placed_lines(form: Form, shape: Shape) -> list[list[Pair | Compound]]:
    """`_lines`, but a line takes only the fields that fit on it with blanks as wide as their values."""
    def need(item: Pair | Compound) -> float:
        return _width(f"{item.label}：") + _width(item.value) + 3 * FONT_PT
    out: list[list[Pair | Compound]] = []
    used = 0.0
    for item in (i for line in _lines(form, shape) for i in line):
        if out and len(out[-1]) < shape.per_line and used + need(item) <= TEXT_WIDTH_PT:
            out[-1].append(item)
            used += need(item)
        else:
            out.append([item])
            used = need(item)
    return out


def _write_placed(doc, form: Form, shape: Shape) -> None:
    """Label lines with blanks as wide as the values, every value a box placed over its blank
    (anchored to its own line)."""
    n = 0
    for line in _placed_lines(form, shape):
        p = doc.add_paragraph()
        _exact_height(p, LINE_PT + 6.0)
        x = 0.0
        for k, item in enumerate(line):
            label = f"{item.label}："
            blank = "　" * (math.ceil(_width(item.value) / FONT_PT) + 2)
            p.add_run(label)
            x += _width(label)
            n += 1
            # anchored where it was inserted: at the start of its blank
            p._p.append(_box_run(_p_xml(item.value), n, _cm(_width(item.value) + 2 * FONT_PT), _cm(LINE_PT), x_pt=x,
                                 y_pt=0.0, tight=True))
            p.add_run(blank + ("　　" if k + 1 < len(line) else ""))
            x += _width(blank) + (2 * FONT_PT if k + 1 < len(line) else 0.0)
    _write_lines(doc, form, shape, pairs=False)


def _write_lines(doc, form: Form, shape: Shape, pairs: bool = True) -> None:
    boxes = shape.body == "boxes"
    n = 0
    for line in _lines(form, shape) if pairs else []:
        if shape.sep == "newline":
            # no colon: the label alone on its line, the value on the line under it
            for item in line:
                if form.group and item is form.group[1][0][0]:
                    doc.add_paragraph(form.group[0])
                doc.add_paragraph(item.label)
                doc.add_paragraph(item.value)
            continue
        p = doc.add_paragraph()
        x = 0.0
        for k, item in enumerate(line):
            value = item.value
            if boxes:
                label = f"{item.label}："
                width = min(_width(value) + 2 * FONT_PT, TEXT_WIDTH_PT - _width(label))
                if k and x + _width(label) + width > TEXT_WIDTH_PT:
                    # a field that would run past the page's edge goes on a line of its own, as a
                    # person laying the form out on screen would put it (its box is not wrapped
                    # with the text: left on the line, it would stand off the paper)
                    p, x = doc.add_paragraph(), 0.0
                p.add_run(label)
                n += 1
                # the box stands at the place it was typed in, over a blank as wide as it
                p._p.append(_box_run(_p_xml(value), n, _cm(width), _cm(_box_lines(value, width) * LINE_PT),
                                     x_pt=0.0, y_pt=0.0, tight=True, at_char=True))
                p.add_run("　" * math.ceil(width / FONT_PT))
                x += _width(label) + FONT_PT * math.ceil(width / FONT_PT)
                if k + 1 < len(line):
                    p.add_run("　" * 2)
                    x += 2 * FONT_PT
                continue
            if form.group and item is form.group[1][0][0]:
                # the group's title leads its first field: 党组织书记情况：姓名：王建国
                p.add_run(f"{form.group[0]}：" if shape.sep in ("colon", "underscore") else form.group[0] + _gap(shape))
            p.add_run(_sep_value(shape, item.label, value) + (_gap(shape) if k + 1 < len(line) else ""))
    for lg in form.longs:
        doc.add_paragraph(f"{lg.label}：")
        for para in lg.value.split("\n"):
            doc.add_paragraph(para)
    for op in form.opinions:
        doc.add_paragraph(f"{op.label}：{op.text}")
        p = doc.add_paragraph(op.mark)
        if op.seal:
            p.add_run().add_picture(io.BytesIO(seal_png()), width=Cm(2.5))
        doc.add_paragraph(op.date or "年   月   日")
    if form.note:
        doc.add_paragraph(f"备注：{form.note}")


def _add_furniture(doc, form: Form) -> None:
    """A running header, a 第 X 页 footer, and the 联系人 line under the form."""
    section = doc.sections[0]
    section.header.paragraphs[0].text = "中共某某局机关支部委员会"
    section.footer.paragraphs[0].text = "第 1 页 共 2 页"
    doc.add_paragraph("联系人：李四　　联系电话：0579-82469328　　填表人：张三")


def _write_sheet(doc, form: Form, shape: Shape) -> None:
    rubric = get_campaign(form.campaign).document("score_sheet").rubric
    doc.add_paragraph("附件1：")
    doc.add_paragraph("创建基层党建示范单位评分细则")
    heads = ["考评项目", "考评标准", shape.rubric_heads[0], shape.rubric_heads[1], "考评分"]
    t = doc.add_table(rows=len(rubric.items) + 2, cols=5)
    t.style = "Table Grid"
    for c, h in enumerate(heads):
        t.cell(0, c).text = h
    row = 1
    for g, (title, gmax) in enumerate(rubric.groups, start=1):
        items = [it for it in rubric.items if it.group == g]
        head = t.cell(row, 0).merge(t.cell(row + len(items) - 1, 0)) if len(items) > 1 else t.cell(row, 0)
        head.text = f"{g}、{title}（{gmax:g}分）"
        for it in items:
            t.cell(row, 1).text = it.text
            t.cell(row, 2).text = f"{it.max:g}"
            t.cell(row, 3).text = f"{form.scores[row - 1]:g}"
            row += 1
    t.cell(row, 0).merge(t.cell(row, 1)).text = "合 计 分"
    t.cell(row, 2).text = "100"
    t.cell(row, 3).text = f"{sum(form.scores):g}"


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _split_long_rows(table) -> object | None:
    """Move the table's rows from its first long text on into a table of their own (returned, not
    yet placed): a frame holds one page, so a person keeps the narrative out of it."""
    rows = table.findall(f"{_W}tr")
    for k, tr in enumerate(rows):
        if k and sum(len(t.text or "") for t in tr.iter(f"{_W}t")) > 200:
            rest = copy.deepcopy(table)
            for old in rest.findall(f"{_W}tr"):
                rest.remove(old)
            for moved in rows[k:]:
                table.remove(moved)
                rest.append(moved)
            return rest
    return None


def _wrap_in_frame(doc, start: int) -> None:
    """Move every body element after index `start` into one text frame anchored in a new paragraph,
    as high as what it holds; a long narrative row and the rows after it follow the frame."""
    body = doc.element.body
    children = [el for el in list(body)[start:] if not el.tag.endswith("sectPr")]
    tables = [el for el in children if el.tag == f"{_W}tbl"]
    rest = _split_long_rows(tables[0]) if tables else None
    anchor = doc.add_paragraph()
    run = _box_run("<w:p/>", 1, 15.0, 5.0, x_pt=0.0, y_pt=0.0, wrap="topAndBottom", tight=True)
    anchor._p.append(run)
    box = run.find(f".//{_W}txbxContent")
    box.remove(box[0])
    for el in children:
        box.append(el)
    # the VML fallback holds a copy, as Word writes it
    fallback = run.findall(f".//{_W}txbxContent")[1]
    fallback.remove(fallback[0])
    for el in children:
        fallback.append(parse_xml(el.xml) if hasattr(el, "xml") else el)
    if rest is not None:
        anchor._p.addnext(rest)


def write_docx(path: Path, form: Form, shape: Shape) -> Path:
    """`form` as a .docx in `shape`."""
    doc = Document()
    doc.styles["Normal"].font.size = Pt(FONT_PT)
    doc.add_paragraph("附件：")
    doc.add_paragraph(form.title)
    start = len(doc.element.body) - 1
    for line in form.head:
        head = doc.add_paragraph("　　".join(f"{p.label}：{p.value}" for p in line))
        if any("盖" in p.value for p in line):
            head.add_run().add_picture(io.BytesIO(seal_png()), width=Cm(2.5))
    if shape.body in ("table", "frame"):
        _TableWriter(doc, form, shape).write()
    elif shape.body == "drawn":
        _write_drawn(doc, form, shape)
    elif shape.body == "placed":
        _write_placed(doc, form, shape)
    else:
        _write_lines(doc, form, shape)
    if shape.body == "frame":
        _wrap_in_frame(doc, start)
    if shape.furniture:
        _add_furniture(doc, form)
    if form.scores:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _write_sheet(doc, form, shape)
    doc.save(path)
    return path


# ---------------------------------------------------------------- HTML writer (LibreOffice makes the .docx)

def _h(s: str) -> str:
    return html.escape(s).replace("\n", "<br>")


def _html_value(item: Pair | Compound, shape: Shape, rowspan: int) -> str:
    span = f' rowspan="{rowspan}"' if rowspan > 1 else ""
    if isinstance(item, Compound) and shape.nested:
        inner = "".join(f"<td>{_h(w)}</td>" for w, _v in item.parts)
        vals = "".join(f"<td>{_h(v)}</td>" for _w, v in item.parts)
        return f'<td{span}><table border="1"><tr>{inner}</tr><tr>{vals}</tr></table></td>'
    text = "\n".join(v for _w, v in item.parts) if isinstance(item, Compound) else item.value
    return f"<td{span}>{_h(text)}</td>"


def _html_row(row: list[Pair | Compound], shape: Shape) -> list[str]:
    """One form row as HTML table rows (two when labels are stacked)."""
    cells = _TableWriter(None, Form("", "", [], [], None, [], []), shape).row_cells(row)
    stacked = any(lower is not None for _k, _i, lower in cells)
    top, bottom = [], []
    for kind, item, lower in cells:
        if kind == "label":
            if lower is not None:
                top.append(f"<td>{_h(item)}</td>")
                bottom.append(f"<td>{_h(lower)}</td>")
            else:
                top.append(f'<td rowspan="2">{_h(item)}</td>' if stacked else f"<td>{_h(item)}</td>")
        elif kind == "spacer":
            top.append('<td rowspan="2" width="4"></td>' if stacked else '<td width="4"></td>')
        else:
            top.append(_html_value(item, shape, 2 if stacked else 1))
    return ["<tr>" + "".join(top) + "</tr>"] + (["<tr>" + "".join(bottom) + "</tr>"] if stacked else [])


# LibreOffice's HTML import places an absolutely positioned block from the page's edge (CSS px,
# 0.75 pt) at its default 12 pt: the positioned shapes are laid out on an A4 page by these figures,
# every block inside the page and as high as its wrapped text, so the print shows the form it claims
_PX_PAGE, _PX_LEFT, _PX_TOP, _PX_EM, _PX_LINE = 793, 40, 120, 16, 24


def _px_width(text: str) -> float:
    return sum(_PX_EM if unicodedata.east_asian_width(ch) in ("W", "F") else _PX_EM / 2 for ch in text)


def _html_positioned(form: Form, shape: Shape) -> list[str]:
    """`drawn`: every label and value a block placed on the page; `placed`: each label line with
    ＿ blanks as wide as its values, each value a block placed over its blank.  Lines of fields
    go down the page, each as high as its tallest wrapped block."""
    def block(text: str, left: float, top: float, width: float) -> str:
        return (f'<div style="position:absolute; left:{left:.0f}px; top:{top:.0f}px; width:{width:.0f}px">'
                f"<p>{_h(text)}</p></div>")
    def lines(text: str, width: float) -> int:      # LibreOffice wraps a little early: allow for it
        return math.ceil(_px_width(text) / max(width - 2 * _PX_EM, _PX_EM))
    out, top = [], float(_PX_TOP)
    avail = _PX_PAGE - 2 * _PX_LEFT

    def need(item: Pair | Compound) -> float:      # a placed field: its label and six em of blank
        return _px_width(f"{item.label}：") + 6 * _PX_EM + 12 if shape.body == "placed" else 0.0
    rows: list[list[Pair | Compound]] = []
    for item in (i for line in _lines(form, shape) for i in line):
        if rows and len(rows[-1]) < shape.per_line and sum(map(need, rows[-1])) + need(item) <= avail:
            rows[-1].append(item)
        else:
            rows.append([item])
    for line in rows:
        tallest = 1
        spare = (avail - sum(map(need, line))) / len(line)
        for k, item in enumerate(line):
            col_w = need(item) + spare
            x = _PX_LEFT + sum(need(i) + spare for i in line[:k])
            label = f"{item.label}："
            if shape.body == "drawn":
                label_w = min(0.42 * col_w, 7 * _PX_EM)
                value_w = col_w - label_w - 16
                out += [block(label, x, top, label_w), block(item.value, x + label_w + 8, top, value_w)]
                tallest = max(tallest, lines(label, label_w), lines(item.value, value_w))
            else:
                # the blank runs to the column's end: the value's block lies over it
                value_x = x + _px_width(label)
                value_w = max(col_w - _px_width(label) - 12, 4 * _PX_EM)
                blanks = "＿" * max(2, int(value_w // _PX_EM))
                out += [block(label + blanks, x, top, col_w), block(item.value, value_x, top - 3, value_w)]
                tallest = max(tallest, lines(item.value, value_w))
        top += tallest * _PX_LINE + 12
    return out


def write_html(path: Path, form: Form, shape: Shape) -> Path:
    """`form` as an HTML page in `shape` (table, nested, split_labels, lines, frame)."""
    out = ['<html><head><meta charset="utf-8"></head><body>', f"<p>{_h(form.title)}</p>"]
    for line in form.head:
        out.append("<p>" + "&#12288;&#12288;".join(f"{_h(p.label)}：{_h(p.value)}" for p in line) + "</p>")
    if shape.body in ("drawn", "placed"):
        out.extend(_html_positioned(form, shape))
    if shape.body in ("lines", "boxes", "drawn", "placed"):
        for line in _lines(form, shape) if shape.body in ("lines", "boxes") else []:
            if shape.sep == "newline":
                out.append("".join(f"<p>{_h(p.label)}</p><p>{_h(p.value)}</p>" for p in line))
                continue
            out.append("<p>" + "&#12288;&#12288;".join(_h(_sep_value(shape, p.label, p.value)) for p in line) + "</p>")
        for lg in form.longs:
            out.append(f"<p>{_h(lg.label)}：</p>" + "".join(f"<p>{_h(t)}</p>" for t in lg.value.split("\n")))
        for op in form.opinions:
            out.append(f"<p>{_h(op.label)}：{_h(op.text)}</p><p>{_h(op.mark)}</p><p>{_h(op.date or '年 月 日')}</p>")
    else:
        table = ['<table border="1" cellspacing="0">']
        for row in form.rows:
            table.extend(_html_row(row, shape))
        if form.group:
            title, rows = form.group
            if shape.nested:
                inner = "".join("<tr>" + "".join(f"<td>{_h(p.label)}</td><td>{_h(p.value)}</td>" for p in row)
                                + "</tr>" for row in rows)
                table.append(f'<tr><td>{_h(title)}</td><td colspan="5"><table border="1">{inner}</table></td></tr>')
            else:
                plain = Shape(spacers=shape.spacers, in_cell=shape.in_cell)
                for k, row in enumerate(rows):
                    head = f'<td rowspan="{len(rows)}">{_h(title)}</td>' if k == 0 else ""
                    table.append(_html_row(row, plain)[0].replace("<tr>", "<tr>" + head, 1))
        # a frame holds one page (what runs past it is not printed), so a person keeps the
        # narrative and the opinions out of it, in a table of their own under the frame
        rest = ['<table border="1" cellspacing="0">'] if shape.body == "frame" else table
        for lg in form.longs:
            rest.append(f'<tr><td>{_h(lg.label)}</td><td colspan="6">{_h(lg.value)}</td></tr>')
        for op in form.opinions:
            rest.append(f'<tr><td>{_h(op.label)}</td><td colspan="6"><p>{_h(op.text)}</p><p>{_h(op.mark)}</p>'
                        f'<p>{_h(op.date or "年 月 日")}</p></td></tr>')
        table.append("</table>")
        if shape.body == "frame":
            rest.append("</table>")
            out.append('<div style="position:absolute; left:40px; top:120px; width:640px; border:1px solid black">'
                       + "".join(table) + "</div>")
            out.extend(rest)
        else:
            out.extend(table)
    if shape.furniture:
        out.append("<p>联系人：李四&#12288;&#12288;联系电话：0579-82469328</p>")
    out.append("</body></html>")
    path.write_text("\n".join(out), encoding="utf-8")
    return path


WRITERS: dict[str, Callable[[Path, Form, Shape], Path]] = {"docx": write_docx, "html": write_html}


_FILTERS = {"docx": "docx:MS Word 2007 XML", "doc": "doc:MS Word 97", "rtf": "rtf:Rich Text Format",
            "odt": "odt:writer8", "pdf": "pdf"}


def convert_all(srcs: list[Path], outdir: Path, ext: str = "docx") -> list[Path]:
    """Convert files (HTML pages opened in Writer, or .docx) with LibreOffice in one run and a
    throw-away profile (one start for many files: a start is most of a conversion's time); the
    converted files' paths, in the order of `srcs` (a file LibreOffice failed on is absent)."""
    import subprocess
    outdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation={(outdir / 'lo-profile').as_uri()}", "--headless",
                    "--convert-to", _FILTERS[ext], "--outdir", str(outdir), *map(str, srcs)],
                   check=True, capture_output=True, timeout=60 + 20 * len(srcs))
    return [outdir / f"{src.stem}.{ext}" for src in srcs]


def html_to(src: Path, outdir: Path, ext: str = "docx") -> Path:
    """Convert an HTML page with LibreOffice (Writer's import, as an .html opened in Writer) to
    .docx (or .doc/.rtf/.odt/.pdf), in a throw-away profile; the converted file's path."""
    return convert_all([src], outdir, ext)[0]
