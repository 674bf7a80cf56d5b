"""Label lines cut into fields the way a person reads them (workers/forms/segments.py).

GIVEN a line typed on a form without a table (or a text PDF's line, which keeps no gaps),
WHEN it is cut by the campaign's labels,
THEN each label gets the value written after it, and prose is never taken for a form line.
"""
from __future__ import annotations

import pytest

from dossier.campaigns import get_campaign
from workers.forms.labels import label_key
from workers.forms.lines import line_labels
from workers.forms.segments import Segmenter


def _segmenter(campaign: str) -> Segmenter:
    docs = get_campaign(campaign).documents
    labels = line_labels([f for d in docs for f in list(d.fields) + list(d.review_fields)])
    long = [lbl for d in docs for f in d.fields if f.type in ("longtext", "opinion") for lbl in f.labels]
    return Segmenter(labels, long)


JINHUA = _segmenter("jinhua-2015")


@pytest.mark.parametrize("line,expected", [
    ("党组织名称：中共某支部　　所在单位类别：机关", [("党组织名称", "中共某支部"), ("所在单位类别", "机关")]),
    ("姓名：王某\t性别：男　出生年月：1972.05", [("姓名", "王某"), ("性别", "男"), ("出生年月", "1972.05")]),
    ("评定星级：＿＿四星级＿＿　党员人数：＿＿＿＿", [("评定星级", "四星级"), ("党员人数", "")]),
    ("党组织名称\t中共某支部\t所在单位类别\t机关", [("党组织名称", "中共某支部"), ("所在单位类别", "机关")]),
    ("党 组 织 名 称：中共某支部", [("党组织名称", "中共某支部")]),
    ("书记姓名：王某", [("姓名", "王某")]),
    ("党员人数：45人　党组织书记情况：姓名：王某", [("党员人数", "45人"), ("党组织书记情况", ""), ("姓名", "王某")]),
    # a text PDF keeps no gaps: glued labels count where several stand on one line
    ("党组织名称中共某支部所在单位类别机关", [("党组织名称", "中共某支部"), ("所在单位类别", "机关")]),
    ("出生年月1972.05民族汉族", [("出生年月", "1972.05"), ("民族", "汉族")]),
    # one label glued to figures or stars: a print's autospace gap holds no blank (党员人数 87名)
    ("党员人数87名", [("党员人数", "87名")]),
    ("评定星级★★★★★", [("评定星级", "★★★★★")]),
    # a line of only a label and a word or two after it (a scan read its gap as none)
    ("性别女", [("性别", "女")]),
    ("民族汉族", [("民族", "汉族")]),
    ("出生年月一九七二年一月", [("出生年月", "一九七二年一月")]),
    # a group's label glued to its first part's label
    ("党组织书记情况姓名 范春松", [("党组织书记情况", ""), ("姓名", "范春松")]),
])
def test_label_lines(line: str, expected: list[tuple[str, str]]) -> None:
    """Each field on the line gets the value typed after its label, blanks and gaps removed."""
    assert [(s.label, s.value) for s in JINHUA.segments(line)] == expected


@pytest.mark.parametrize("line", [
    "党员人数逐年增加，支部建设不断加强。",
    "我们支部的党员人数：45人，比上年增加5人。",
    "根据评定星级的要求，支部开展了自查。",
    "民族团结，",
    "学历教育不断加强，党员素质明显提高",
    "党员人数达到87名，比上年增加5名。",
    "党员人数87名，比上年增加5名，支部建设不断加强，群众满意度不断提高。",
])
def test_prose_is_not_a_form_line(line: str) -> None:
    """A sentence of the material that mentions a label is not a label line."""
    assert JINHUA.segments(line) == []


def test_a_long_text_is_not_cut_at_a_label_inside_it() -> None:
    """主要创建事迹 typed after its colon keeps a label word glued into its prose."""
    segs = JINHUA.segments("主要创建事迹：我们的党组织名称叫做中共某支部委员会，党员人数45人")
    assert [(s.label, s.value) for s in segs] == [("主要创建事迹", "我们的党组织名称叫做中共某支部委员会，党员人数45人")]


def test_marks_in_a_label_in_either_width() -> None:
    """A label's brackets read half width by OCR, or typed so (单位党组（党委)推荐理由及意见): the label."""
    segs = _segmenter("yueyang-2017").segments("单位党组（党委)推荐理由及意见：同意推荐。")
    assert [(label_key(s.label), s.value) for s in segs] == [(label_key("单位党组（党委）推荐理由及意见"), "同意推荐。")]


def test_contact_lines_are_the_forms_own() -> None:
    """联系人/联系电话/填表人 under a form are the form's lines, not the material."""
    assert JINHUA.is_form_line("联系人：李四　　联系电话：0579-82469328　　填表人：张三")
    assert not JINHUA.is_form_line("支部坚持“三会一课”制度，联系群众、服务群众。")
